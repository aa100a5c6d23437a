/**
 * Figures of the consolidation experiment, rendered by experiments/plot.ts: density over
 * time, weight histograms, recall against noise (tol50 marked), and for the synaptic-noise
 * protocol the CV rank against q and |Δw| against w on log–log axes.
 */
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { writeSvg } from '../plot.js';
import type { ConsolidationResult } from './run.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

/** Finite values only (vega drops NaN points anyway; JSON cannot hold them). */
function finite<T extends Record<string, unknown>>(rows: readonly T[], keys: readonly (keyof T)[]): T[] {
  return rows.filter((r) => keys.every((k) => typeof r[k] !== 'number' || Number.isFinite(r[k] as number)));
}

/** Density (fraction of alive synapses) against epochs or steps, one line per series. */
export function densitySpec(values: { x: number; l0: number; series: string }[], xTitle: string, title: string): TopLevelSpec {
  return {
    $schema: SCHEMA,
    title,
    width: 480,
    height: 280,
    data: { values: finite(values, ['x', 'l0']) },
    mark: { type: 'line', point: values.length < 200 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: xTitle },
      y: { field: 'l0', type: 'quantitative', title: 'density l0', scale: { domain: [0, 1] } },
      color: { field: 'series', type: 'nominal', title: '' },
    },
  } as TopLevelSpec;
}

/** Histogram of the alive weights (scaled to mean 0.1) on log bins, one colour per series. */
export function histogramSpec(values: { lo: number; hi: number; count: number; series: string }[], title: string): TopLevelSpec {
  return {
    $schema: SCHEMA,
    title,
    width: 480,
    height: 280,
    data: { values },
    mark: { type: 'rect', opacity: 0.6 },
    encoding: {
      x: { field: 'lo', type: 'quantitative', scale: { type: 'log' }, title: 'w (alive, scaled to mean 0.1)' },
      x2: { field: 'hi' },
      y: { field: 'count', type: 'quantitative', title: 'synapses' },
      color: { field: 'series', type: 'nominal', title: '' },
    },
  } as TopLevelSpec;
}

/** Recall rate against noise level, one panel per noise type, a rule at each tol50. */
export function recallSpec(values: { level: number; recall: number; series: string; noise: string }[], tols: { tol: number; series: string; noise: string }[], title: string): TopLevelSpec {
  return {
    $schema: SCHEMA,
    title,
    data: { values: finite(values, ['level', 'recall']) },
    facet: { field: 'noise', type: 'nominal', title: 'noise type' },
    columns: 3,
    spec: {
      width: 220,
      height: 180,
      layer: [
        {
          mark: { type: 'line', point: true },
          encoding: {
            x: { field: 'level', type: 'quantitative', title: 'noise level (axis units)' },
            y: { field: 'recall', type: 'quantitative', title: 'recall rate', scale: { domain: [0, 1] } },
            color: { field: 'series', type: 'nominal', title: '' },
          },
        },
        {
          data: { values: finite(tols, ['tol']) },
          mark: { type: 'rule', strokeDash: [4, 3] },
          encoding: { x: { field: 'tol', type: 'quantitative' }, color: { field: 'series', type: 'nominal' } },
        },
      ],
    },
  } as unknown as TopLevelSpec;
}

/** A simple line chart (CV rank vs q, |Δw| vs w). */
export function lineSpec(values: { x: number; y: number; series: string }[], opts: { title: string; x: string; y: string; log?: boolean }): TopLevelSpec {
  const scale = opts.log ? { type: 'log' } : { zero: false };
  return {
    $schema: SCHEMA,
    title: opts.title,
    width: 480,
    height: 280,
    data: { values: finite(values, ['x', 'y']).filter((v) => !opts.log || (v.x > 0 && v.y > 0)) },
    mark: { type: 'line' },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: opts.x, scale },
      y: { field: 'y', type: 'quantitative', title: opts.y, scale },
      color: { field: 'series', type: 'nominal', title: '' },
    },
  } as TopLevelSpec;
}

/** Writes the figures of a finished run into DIR/<protocol>/ and returns their names relative to DIR. */
export async function writeFigures(r: ConsolidationResult, out: string): Promise<string[]> {
  const files: string[] = [];
  const put = async (rel: string, spec: TopLevelSpec) => {
    await writeSvg(join(out, rel), spec);
    files.push(rel);
  };
  if (r.capacity) {
    const cases = r.capacity;
    const label = (z: number, a: number) => `z=${z} alpha=${a}`;
    await put('capacity/density.svg', densitySpec(cases.flatMap((c) => c.trace.map((t) => ({ x: t.epoch, l0: t.l0, series: label(t.z, t.alpha) }))), 'epoch', 'Capacity: density over training'));
    await put('capacity/weight_hist.svg', histogramSpec(cases.flatMap((c) => c.hist.filter((h) => h.kind === 'alive').map((h) => ({ lo: h.bin_lo, hi: h.bin_hi, count: h.count, series: label(h.z, h.alpha) }))), 'Capacity: alive weights'));
    await put(
      'capacity/recall.svg',
      recallSpec(
        cases.flatMap((c) => c.recall.map((p) => ({ level: p.level, recall: p.recall_rate, series: label(p.z, p.alpha), noise: p.noise_type }))),
        cases.flatMap((c) => ['bernoulli', 'balanced', 'gauss', 'gauss1', 'gauss1masked'].map((t) => ({ tol: c.summary[`tol50_${t}`] as number, series: label(c.summary.z as number, c.summary.alpha as number), noise: t }))),
        'Capacity: recall against noise (dashed: tol50)',
      ),
    );
  }
  if (r.wakeSleep) {
    const ws = r.wakeSleep;
    await put('wake-sleep/density.svg', densitySpec(ws.trace.map((t) => ({ x: t.stage === 'wake' ? t.step : 35 + t.step, l0: t.l0_mean, series: t.stage })), 'wake epoch, then 35 + sleep step', 'Wake-sleep: density over time'));
    await put('wake-sleep/weight_hist.svg', histogramSpec(ws.hist.filter((h) => h.kind === 'alive').map((h) => ({ lo: h.bin_lo, hi: h.bin_hi, count: h.count, series: h.stage === 'pre' ? 'pre-sleep' : 'post-sleep' })), 'Wake-sleep: alive weights'));
    await put(
      'wake-sleep/recall.svg',
      recallSpec(
        ws.recall.map((p) => ({ level: p.level, recall: p.recall_rate, series: p.stage, noise: p.noise_type })),
        ['balanced', 'gauss', 'gauss1'].flatMap((t) => ['pre', 'post'].map((s) => ({ tol: ws.summary[`tol50_${t}_${s}`] as number, series: s, noise: t }))),
        'Wake-sleep: recall against noise before and after sleep (dashed: tol50)',
      ),
    );
    await put(
      'wake-sleep/d_radius.svg',
      {
        $schema: SCHEMA,
        title: 'Change of pattern radius in sleep against initial radius',
        width: 400,
        height: 280,
        data: { values: finite(ws.patterns.filter((p) => p.attractor), ['radius_pre', 'd_radius']) },
        mark: 'point',
        encoding: { x: { field: 'radius_pre', type: 'quantitative', title: 'radius before sleep' }, y: { field: 'd_radius', type: 'quantitative', title: 'change of radius' } },
      } as TopLevelSpec,
    );
  }
  if (r.synapticNoise) {
    const sn = r.synapticNoise;
    const series = (src: string, z: number) => (src === 'kaufman' ? 'Kaufman 2012' : `z=${z}`);
    await put('synaptic-noise/density.svg', densitySpec(sn.population.map((p) => ({ x: p.sample, l0: p.frac_alive, series: `z=${p.z}` })), 'time (model units)', 'Synaptic noise: fraction of synapses alive'));
    await put('synaptic-noise/cv_rank.svg', lineSpec(sn.cv.map((c) => ({ x: c.q, y: c.cv_rank_mean, series: series(c.source, c.z) })), { title: 'CV rank of the q-norm (minimum: conserved norm)', x: 'q', y: 'CV rank' }));
    await put('synaptic-noise/dw_scaling.svg', lineSpec(sn.scaling.map((s) => ({ x: s.w, y: s.dw_avg, series: `${series(s.source, s.z)} ${s.sign}` })), { title: '|dw| against w', x: 'w', y: 'mean |dw|', log: true }));
    const last = sn.samples.map((s) => {
      const vals: { lo: number; hi: number; count: number; series: string }[] = [];
      const edges = Array.from({ length: 31 }, (_, k) => 10 ** (-3 + (k * 4) / 30));
      const counts = new Array<number>(30).fill(0);
      for (let k = 0; k < s.nS; k++) {
        const w = s.w[(s.nT - 1) * s.nS + k];
        const b = Math.floor(((Math.log10(w) + 3) / 4) * 30);
        if (w > 0 && b >= 0 && b < 30) counts[b]++;
      }
      counts.forEach((c, b) => vals.push({ lo: edges[b], hi: edges[b + 1], count: c, series: `z=${s.z}` }));
      return vals;
    });
    await put('synaptic-noise/weight_hist.svg', histogramSpec(last.flat(), 'Synaptic noise: weights at the end'));
  }
  return files;
}
