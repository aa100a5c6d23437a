/**
 * Figures of the striatum-dms experiment (spec §5): accuracy_<Np>.svg (mean test accuracy
 * ±SD/2 against iteration, dashed phase boundaries with labels, the Burr fit over
 * maintenance with T_maintenance marked) and similarity_<Np>.svg (mean d2 and cosine).
 */
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { writeSvg } from '../plot.js';
import { burrCurve } from './analysis.js';
import type { DmsBlock, DmsRunResult } from './run.js';

const round = (v: number) => (Number.isFinite(v) ? Math.round(v * 1e6) / 1e6 : null);

/** Vega-lite spec of accuracy_<Np>.svg. */
export function accuracySpec(r: DmsRunResult, b: DmsBlock): TopLevelSpec {
  const x = r.schedule.iteration;
  const { x1, x2, x3, x4 } = b.analysis.bounds;
  const curve = x.map((it, j) => ({ it, mean: round(b.analysis.mean[j]), lo: round(b.analysis.mean[j] - b.analysis.std[j] / 2), hi: round(b.analysis.mean[j] + b.analysis.std[j] / 2) }));
  const g0 = b.analysis.groups[0].analysis;
  const fit: { it: number; fit: number | null }[] = [];
  if (!g0.burr.degenerate && Number.isFinite(g0.burr.d)) {
    const n = 100;
    for (let k = 0; k <= n; k++) {
      const it = x2 + ((x3 - x2) * k) / n;
      fit.push({ it: round(it)!, fit: round(burrCurve(it, x2, g0.aLearn, g0.aBase, g0.burr.d, g0.burr.g)) });
    }
  }
  const T = b.analysis.tMaintenance.mean;
  const bounds = [x1, x2, x3].map((v) => ({ v }));
  const labels = [
    { v: x1 / 2, label: 'initial' },
    { v: (x1 + x2) / 2, label: 'learning' },
    { v: (x2 + x3) / 2, label: 'maintenance' },
    { v: (x3 + x4) / 2, label: 'relearning' },
  ];
  const xEnc = { field: 'it', type: 'quantitative', title: 'iteration', scale: { domain: [0, x4] } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `striatum-dms: ${b.nPattern} patterns, ${b.results.length} simulations (T_maintenance ${Number.isFinite(T) ? T.toFixed(1) : 'n/a'})`,
    width: 640,
    height: 300,
    layer: [
      { data: { values: curve }, mark: { type: 'area', opacity: 0.25, color: '#1f4e79' }, encoding: { x: xEnc, y: { field: 'lo', type: 'quantitative', title: 'test accuracy', scale: { domain: [0, 1] } }, y2: { field: 'hi' } } },
      { data: { values: curve }, mark: { type: 'line', color: '#1f4e79', point: { size: 12 } }, encoding: { x: xEnc, y: { field: 'mean', type: 'quantitative' } } },
      { data: { values: bounds }, mark: { type: 'rule', strokeDash: [6, 4], color: 'gray' }, encoding: { x: { field: 'v', type: 'quantitative' } } },
      { data: { values: labels }, mark: { type: 'text', dy: -4, color: 'gray', baseline: 'bottom' }, encoding: { x: { field: 'v', type: 'quantitative' }, y: { datum: 1 }, text: { field: 'label' } } },
      { data: { values: fit }, mark: { type: 'line', color: '#c0392b', strokeWidth: 2 }, encoding: { x: xEnc, y: { field: 'fit', type: 'quantitative' } } },
      {
        data: { values: Number.isFinite(T) && !g0.burr.degenerate ? [{ v: x2 + T, label: `T = ${T.toFixed(1)}` }] : [] },
        layer: [
          { mark: { type: 'rule', color: '#c0392b', strokeDash: [2, 2] }, encoding: { x: { field: 'v', type: 'quantitative' } } },
          { mark: { type: 'text', color: '#c0392b', align: 'left', dx: 3 }, encoding: { x: { field: 'v', type: 'quantitative' }, y: { datum: 0.06 }, text: { field: 'label' } } },
        ],
      },
    ],
  } as TopLevelSpec;
}

/** Vega-lite spec of similarity_<Np>.svg: mean d2 and centred cosine over simulations. */
export function similaritySpec(r: DmsRunResult, b: DmsBlock): TopLevelSpec {
  const x = r.schedule.iteration;
  const values: { it: number; measure: string; value: number | null }[] = [];
  const nSim = b.similarity.length;
  for (let j = 0; j < x.length; j++) {
    let d2 = 0;
    let cos = 0;
    for (let s = 0; s < nSim; s++) {
      d2 += b.similarity[s][j].d2;
      cos += b.similarity[s][j].cosineSimCenter;
    }
    values.push({ it: x[j], measure: 'd2', value: round(d2 / nSim) }, { it: x[j], measure: 'cosine (centred)', value: round(cos / nSim) });
  }
  const { x1, x2, x3 } = b.analysis.bounds;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `striatum-dms: weight similarity to end of learning, ${b.nPattern} patterns`,
    width: 640,
    height: 260,
    layer: [
      { data: { values }, mark: { type: 'line', point: { size: 12 } }, encoding: { x: { field: 'it', type: 'quantitative', title: 'iteration' }, y: { field: 'value', type: 'quantitative', title: 'similarity', scale: { domain: [-1, 1] } }, color: { field: 'measure', type: 'nominal' } } },
      { data: { values: [x1, x2, x3].map((v) => ({ v })) }, mark: { type: 'rule', strokeDash: [6, 4], color: 'gray' }, encoding: { x: { field: 'v', type: 'quantitative' } } },
    ],
  } as TopLevelSpec;
}

/** Vega-lite spec of sim_<Np>_<sim>.svg (`--plot`): V of the last trial of each phase, spikes marked. */
export function traceSpec(r: DmsRunResult, b: DmsBlock, sim: number): TopLevelSpec {
  const tr = b.traces![sim];
  const names = ['initial', 'learning', 'maintenance', 'relearning'];
  const values: { t: number; v: number | null; phase: string; spike: boolean }[] = [];
  for (let i = 0; i < tr.step.length; i++) values.push({ t: round(tr.step[i] * r.options.dt)!, v: round(tr.V[i]), phase: names[tr.phase[i]], spike: tr.spike[i] === 1 });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `striatum-dms: MSN potential in the last trial of each phase (${b.nPattern} patterns, simulation ${sim})`,
    data: { values },
    facet: { row: { field: 'phase', type: 'nominal', sort: names, title: null } },
    spec: {
      width: 600,
      height: 90,
      layer: [
        { mark: { type: 'line', color: '#1f4e79' }, encoding: { x: { field: 't', type: 'quantitative', title: 'time in trial (ms)' }, y: { field: 'v', type: 'quantitative', title: 'V (mV)', scale: { zero: false } } } },
        { transform: [{ filter: 'datum.spike' }], mark: { type: 'rule', color: '#c0392b' }, encoding: { x: { field: 't', type: 'quantitative' } } },
      ],
    },
  } as TopLevelSpec;
}

/** Writes the SVGs of every N_p block into `out`; returns their names. */
export async function writeDmsPlots(r: DmsRunResult, out: string): Promise<string[]> {
  const files: string[] = [];
  for (const b of r.blocks) {
    await writeSvg(join(out, `accuracy_${b.nPattern}.svg`), accuracySpec(r, b));
    await writeSvg(join(out, `similarity_${b.nPattern}.svg`), similaritySpec(r, b));
    files.push(`accuracy_${b.nPattern}.svg`, `similarity_${b.nPattern}.svg`);
    for (let s = 0; s < (b.traces?.length ?? 0); s++) {
      await writeSvg(join(out, `sim_${b.nPattern}_${s}.svg`), traceSpec(r, b, s));
      files.push(`sim_${b.nPattern}_${s}.svg`);
    }
  }
  return files;
}
