/**
 * SVG plots of the normative-plasticity experiment (spec §6), as vega-lite specs of plain data:
 * learning curve, tuning curves, preferred-angle histogram with the prior, error (or accuracy
 * and log-likelihood) per angle, Fisher information on a log axis, the estimation output
 * cloud with 1-σ ellipses, and the decoder's noise fraction.
 */
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { writeSvg } from '../plot.js';
import type { Analysis } from './analysis.js';
import type { TrainTrialStats } from './observers.js';
import type { NetParams } from './params.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';
const W = 420;
const H = 260;
const finite = (x: number) => Number.isFinite(x);
const angleAxis = { field: 'theta', type: 'quantitative', title: 'stimulus angle θ (rad)', scale: { domain: [-Math.PI, Math.PI] } };

/** Learning curve: per-block α (thin) and per-trial mean α (points), against training time. */
export function learningCurveSpec(train: TrainTrialStats[], p: NetParams): TopLevelSpec {
  const blocks: { t: number; alpha: number }[] = [];
  const trials: { t: number; alpha: number }[] = [];
  train.forEach((s, q) => {
    const bt = p.T / s.block_alpha.length;
    s.block_alpha.forEach((a, b) => finite(a) && blocks.push({ t: q * p.T + (b + 0.5) * bt, alpha: a }));
    trials.push({ t: (q + 0.5) * p.T, alpha: s.mean_alpha });
  });
  return {
    $schema: SCHEMA,
    title: `learning curve (${p.objective})`,
    width: W,
    height: H,
    layer: [
      { data: { values: blocks }, mark: { type: 'line', strokeWidth: 0.6, color: '#9ab' }, encoding: { x: { field: 't', type: 'quantitative', title: 'training time (model units)' }, y: { field: 'alpha', type: 'quantitative', title: 'objective α' } } },
      { data: { values: trials }, mark: { type: 'point', filled: true, color: '#c33' }, encoding: { x: { field: 't', type: 'quantitative' }, y: { field: 'alpha', type: 'quantitative' } } },
    ],
  } as unknown as TopLevelSpec;
}

/** Tuning curves of every neuron, with the population mean in bold. */
export function tuningSpec(a: Analysis): TopLevelSpec {
  const rows = a.tuning.filter((r) => finite(r.mean_rate)).map((r) => ({ theta: r.theta, rate: r.mean_rate, neuron: r.neuron }));
  const pop = a.perAngle.filter((r) => finite(r.pop_mean_rate)).map((r) => ({ theta: r.theta, rate: r.pop_mean_rate }));
  return {
    $schema: SCHEMA,
    title: 'tuning curves (bold: population mean)',
    width: W,
    height: H,
    layer: [
      { data: { values: rows }, mark: { type: 'line', strokeWidth: 0.7, opacity: 0.5 }, encoding: { x: angleAxis, y: { field: 'rate', type: 'quantitative', title: 'mean rate' }, detail: { field: 'neuron', type: 'nominal' }, color: { value: '#4a7ab0' } } },
      { data: { values: pop }, mark: { type: 'line', strokeWidth: 3, color: 'black' }, encoding: { x: angleAxis, y: { field: 'rate', type: 'quantitative' } } },
    ],
  } as unknown as TopLevelSpec;
}

/** Histogram of preferred angles over the 12 grid bins, with the prior pdf (scaled to counts). */
export function preferredSpec(a: Analysis): TopLevelSpec {
  const N = a.neurons.length;
  const counts = a.perAngle.map((r) => ({ theta: r.theta, count: a.neurons.filter((n) => n.preferred_index === r.angle_index).length }));
  const delta = (2 * Math.PI) / a.perAngle.length;
  const prior = a.perAngle.map((r) => ({ theta: r.theta, expected: r.prior_pdf * delta * N }));
  return {
    $schema: SCHEMA,
    title: 'preferred angles (line: prior × N)',
    width: W,
    height: H,
    layer: [
      { data: { values: counts }, mark: { type: 'bar', width: 18, color: '#7a9cc6' }, encoding: { x: angleAxis, y: { field: 'count', type: 'quantitative', title: 'neurons' } } },
      { data: { values: prior }, mark: { type: 'line', color: '#c33' }, encoding: { x: angleAxis, y: { field: 'expected', type: 'quantitative' } } },
    ],
  } as unknown as TopLevelSpec;
}

/** Per-angle measures with the prior pdf on a second axis. */
function perAngleSpec(a: Analysis, fields: { field: 'sq_error' | 'accuracy' | 'log_lik'; title: string }[], title: string): TopLevelSpec {
  const values = a.perAngle.flatMap((r) => fields.filter((f) => finite(r[f.field])).map((f) => ({ theta: r.theta, value: r[f.field], measure: f.title })));
  const prior = a.perAngle.map((r) => ({ theta: r.theta, prior: r.prior_pdf }));
  return {
    $schema: SCHEMA,
    title,
    width: W,
    height: H,
    layer: [
      { data: { values }, mark: { type: 'line', point: true }, encoding: { x: angleAxis, y: { field: 'value', type: 'quantitative', title: fields.map((f) => f.title).join(' / ') }, color: { field: 'measure', type: 'nominal' } } },
      { data: { values: prior }, mark: { type: 'line', strokeDash: [4, 3], color: 'gray' }, encoding: { x: angleAxis, y: { field: 'prior', type: 'quantitative', title: 'prior pdf' } } },
    ],
    resolve: { scale: { y: 'independent' } },
  } as unknown as TopLevelSpec;
}

/** Linear Fisher information per angle (readout and population), log y-axis. */
export function fisherSpec(a: Analysis): TopLevelSpec {
  const values = a.perAngle.flatMap((r) => [
    ...(finite(r.fisher_readout) && r.fisher_readout > 0 ? [{ theta: r.theta, fisher: r.fisher_readout, kind: 'readout' }] : []),
    ...(finite(r.fisher_pop) && r.fisher_pop > 0 ? [{ theta: r.theta, fisher: r.fisher_pop, kind: 'population' }] : []),
  ]);
  return {
    $schema: SCHEMA,
    title: 'linear Fisher information',
    width: W,
    height: H,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: { x: angleAxis, y: { field: 'fisher', type: 'quantitative', scale: { type: 'log' }, title: 'Fisher information' }, color: { field: 'kind', type: 'nominal' } },
  } as unknown as TopLevelSpec;
}

/** Estimation: mean output per angle on the unit circle with 1-σ ellipses of the output cloud. */
export function outputCloudSpec(a: Analysis): TopLevelSpec {
  const ellipses: { theta: number; x: number; y: number; k: number }[] = [];
  for (const r of a.perAngle) {
    if (r.mean_o.length !== 2 || !r.cov_o.every(finite)) continue;
    // 1-σ ellipse: mean + L·(cos φ, sin φ) with L the Cholesky factor of the 2×2 covariance.
    const [sxx, sxy, syy] = r.cov_o;
    const l11 = Math.sqrt(Math.max(sxx, 0));
    const l21 = l11 > 0 ? sxy / l11 : 0;
    const l22 = Math.sqrt(Math.max(syy - l21 * l21, 0));
    for (let k = 0; k <= 60; k++) {
      const ph = (k / 60) * 2 * Math.PI;
      ellipses.push({ theta: r.theta, k, x: r.mean_o[0] + l11 * Math.cos(ph), y: r.mean_o[1] + l21 * Math.cos(ph) + l22 * Math.sin(ph) });
    }
  }
  const circle = Array.from({ length: 121 }, (_, q) => ({ x: Math.cos((q / 120) * 2 * Math.PI), y: Math.sin((q / 120) * 2 * Math.PI), q }));
  const means = a.perAngle.filter((r) => finite(r.decoded_angle)).map((r) => ({ x: r.mean_o[0], y: r.mean_o[1], theta: r.theta }));
  return {
    $schema: SCHEMA,
    title: 'decoded outputs: mean per angle and 1-σ ellipses',
    width: 320,
    height: 320,
    layer: [
      { data: { values: circle }, mark: { type: 'line', color: '#bbb' }, encoding: { x: { field: 'x', type: 'quantitative', scale: { domain: [-1.4, 1.4] }, title: 'o₁' }, y: { field: 'y', type: 'quantitative', scale: { domain: [-1.4, 1.4] }, title: 'o₂' }, order: { field: 'q' } } },
      { data: { values: ellipses }, mark: { type: 'line', strokeWidth: 1 }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, detail: { field: 'theta', type: 'nominal' }, order: { field: 'k' }, color: { field: 'theta', type: 'quantitative', scale: { scheme: 'sinebow' } } } },
      { data: { values: means }, mark: { type: 'point', filled: true, size: 50 }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, color: { field: 'theta', type: 'quantitative', title: 'θ' } } },
    ],
  } as unknown as TopLevelSpec;
}

/** Noise fraction of the decoder per angle, with the chance level target_dim/N. */
export function noiseFractionSpec(a: Analysis, chance: number): TopLevelSpec {
  const values = a.perAngle.filter((r) => finite(r.noise_frac_decoder)).map((r) => ({ theta: r.theta, frac: r.noise_frac_decoder }));
  return {
    $schema: SCHEMA,
    title: 'noise fraction in the decoder space (line: chance)',
    width: W,
    height: H,
    layer: [
      { data: { values }, mark: { type: 'line', point: true }, encoding: { x: angleAxis, y: { field: 'frac', type: 'quantitative', title: 'tr(QᵀΣQ)/tr(Σ)' } } },
      { data: { values: [{ chance }] }, mark: { type: 'rule', strokeDash: [4, 3], color: 'gray' }, encoding: { y: { field: 'chance', type: 'quantitative' } } },
    ],
  } as unknown as TopLevelSpec;
}

/** Writes every plot of a run into `dir`; returns the file names. */
export async function writePlots(dir: string, p: NetParams, train: TrainTrialStats[], a: Analysis | null): Promise<string[]> {
  const files: [string, TopLevelSpec][] = [];
  if (train.length > 0) files.push(['learning_curve.svg', learningCurveSpec(train, p)]);
  if (a !== null) {
    files.push(['tuning_curves.svg', tuningSpec(a)], ['preferred_angles.svg', preferredSpec(a)], ['fisher_information.svg', fisherSpec(a)], ['noise_fraction.svg', noiseFractionSpec(a, p.target_dim / p.N)]);
    if (p.objective === 'linear') {
      files.push(['error_per_angle.svg', perAngleSpec(a, [{ field: 'sq_error', title: 'squared error' }], 'squared error per angle (dashed: prior)')]);
      files.push(['output_cloud.svg', outputCloudSpec(a)]);
    } else {
      files.push(['accuracy_per_angle.svg', perAngleSpec(a, [{ field: 'accuracy', title: 'accuracy' }, { field: 'log_lik', title: 'log-likelihood' }], 'accuracy and log-likelihood per angle (dashed: prior)')]);
    }
  }
  for (const [name, spec] of files) await writeSvg(join(dir, name), spec);
  return files.map(([name]) => name);
}
