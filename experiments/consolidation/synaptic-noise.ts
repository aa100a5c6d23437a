/**
 * The synaptic-noise protocol (spec §2, §6; Figs 5–6): populations of independent z-factor
 * synapses (models/zfactor_sde.ts) simulated by the engine for z = 1..5, one sample per time
 * unit, then the conserved norm q_min and the |Δw|-vs-w scaling, optionally against the
 * Kaufman et al. (2012) spine data.
 */
import { readFileSync } from 'node:fs';
import { Network } from '../../engine/index.js';
import { RandomStreams } from '../../engine/rng.js';
import { SimulationError } from '../../engine/errors.js';
import { Q_GRID, curveR2, cvRankQmin, dwScalingSlope, type QminResult, type SampleMatrix } from './sde-analysis.js';

/** Samples used by the analyses (1 sample = 10 min, 144 = one day). */
export const ANALYSIS_SAMPLES = 144;

export interface SynapticNoiseOptions {
  nSynapses: number;
  T: number;
  zs: readonly number[];
  dt: number;
  sigma: number;
  tau: number;
  k: number;
  b: number;
  seed: number;
  bootstrap: number;
  lag: number;
  kaufman: string | null;
  onProgress?(done: number, total: number, label: string): void;
}

export interface SnSummaryRow {
  source: string;
  z: number;
  qmin_mean: number;
  qmin_std: number;
  slope_ltd: number;
  slope_ltp: number;
  frac_alive_final: number;
  r2_vs_kaufman: number;
}

export interface SynapticNoiseResult {
  summary: SnSummaryRow[];
  samples: { z: number; nT: number; nS: number; w: Float64Array }[];
  cv: { source: string; z: number; q: number; cv_rank_mean: number; cv_rank_std: number }[];
  scaling: { source: string; z: number; sign: string; w: number; dw_avg: number }[];
  population: { z: number; sample: number; frac_alive: number; w_mean: number; w_std: number }[];
  warnings: string[];
}

/** Simulates one population of synapses with z factors; returns the time-major samples. */
export function simulateSynapses(o: SynapticNoiseOptions, z: number, onStep?: (done: number) => void): SampleMatrix {
  const net = new Network({ dt: 1, seed: o.seed, finiteCheckInterval: 10_000 });
  // The same population name for every z: all z see the same normal draws (stream 'sde/dynamics').
  const pop = net.create('zfactor_sde', o.nSynapses, { z, dt_model: o.dt, sigma_u: o.sigma, tau_u: o.tau, k: o.k, b: o.b, w0: 1 }, { name: 'sde' });
  const steps = Math.round(o.T / o.dt);
  const every = Math.round(1 / o.dt);
  const nT = Math.ceil(steps / every);
  const nS = o.nSynapses;
  const w = new Float64Array(nT * nS);
  const state = pop.s.w;
  // Sample i is taken after step i·every (steps are numbered from 0).
  net.simulate(1);
  w.set(state, 0);
  for (let i = 1; i < nT; i++) {
    net.simulate(every);
    w.set(state, i * nS);
    onStep?.(i * every + 1);
  }
  return { nT, nS, w };
}

/** The last `count` samples of the synapses alive (w > 0) at the last sample. */
export function lastAlive(data: SampleMatrix, count: number): SampleMatrix {
  const { nT, nS, w } = data;
  const alive: number[] = [];
  for (let s = 0; s < nS; s++) if (w[(nT - 1) * nS + s] > 0) alive.push(s);
  const t0 = Math.max(0, nT - count);
  const n = nT - t0;
  const out = new Float64Array(n * alive.length);
  for (let t = 0; t < n; t++) alive.forEach((s, k) => (out[t * alive.length + k] = w[(t0 + t) * nS + s]));
  return { nT: n, nS: alive.length, w: out };
}

/** Reads the Kaufman et al. spine table (rows = spines, columns = samples, no header) as time-major. */
export function readKaufman(path: string, columns = 48): SampleMatrix {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new SimulationError('invalid_value', `--kaufman: cannot read '${path}'; pass the path of kaufman_2012.csv (1087 spines x 49 samples, no header).`);
  }
  const rows = text
    .trim()
    .split(/\r?\n/)
    .map((line) => line.split(',').map(Number));
  const nS = rows.length;
  const nT = Math.min(columns, rows[0].length);
  const w = new Float64Array(nT * nS);
  for (let s = 0; s < nS; s++) {
    for (let t = 0; t < nT; t++) {
      const v = rows[s][t];
      if (!Number.isFinite(v)) throw new SimulationError('invalid_value', `--kaufman: '${path}' row ${s + 1} column ${t + 1} is not a number.`);
      w[t * nS + s] = v;
    }
  }
  return { nT, nS, w };
}

/** Runs the protocol for every z (and the Kaufman data when given). */
export function runSynapticNoiseProtocol(o: SynapticNoiseOptions): SynapticNoiseResult {
  const streams = new RandomStreams(o.seed);
  const warnings: string[] = [];
  const summary: SnSummaryRow[] = [];
  const samples: SynapticNoiseResult['samples'] = [];
  const cv: SynapticNoiseResult['cv'] = [];
  const scaling: SynapticNoiseResult['scaling'] = [];
  const population: SynapticNoiseResult['population'] = [];
  const steps = Math.round(o.T / o.dt);
  const total = steps * o.zs.length;
  let kaufman: QminResult | null = null;
  if (o.kaufman !== null) {
    const data = readKaufman(o.kaufman);
    kaufman = cvRankQmin(data, o.bootstrap, streams.stream('bootstrap/kaufman'));
    const sc = dwScalingSlope(data, 1);
    summary.push({ source: 'kaufman', z: 0, qmin_mean: kaufman.qmin_mean, qmin_std: kaufman.qmin_std, slope_ltd: sc.ltd.slope, slope_ltp: sc.ltp.slope, frac_alive_final: 1, r2_vs_kaufman: 1 });
    Q_GRID.forEach((q, a) => cv.push({ source: 'kaufman', z: 0, q, cv_rank_mean: kaufman!.rank_mean[a], cv_rank_std: kaufman!.rank_std[a] }));
    for (const [sign, br] of [['ltd', sc.ltd], ['ltp', sc.ltp]] as const) br.w.forEach((w, k) => scaling.push({ source: 'kaufman', z: 0, sign, w, dw_avg: br.dw_avg[k] }));
  }
  o.zs.forEach((z, zi) => {
    const data = simulateSynapses(o, z, (done) => o.onProgress?.(zi * steps + done, total, `steps (z=${z})`));
    samples.push({ z, ...data });
    for (let t = 0; t < data.nT; t++) {
      const alive: number[] = [];
      for (let s = 0; s < data.nS; s++) if (data.w[t * data.nS + s] > 0) alive.push(data.w[t * data.nS + s]);
      const mean = alive.reduce((a, b) => a + b, 0) / Math.max(1, alive.length);
      const sd = Math.sqrt(alive.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, alive.length));
      population.push({ z, sample: t, frac_alive: alive.length / data.nS, w_mean: alive.length ? mean : NaN, w_std: alive.length ? sd : NaN });
    }
    const sub = lastAlive(data, ANALYSIS_SAMPLES);
    const fracAlive = sub.nS / data.nS;
    if (fracAlive < 0.1) {
      warnings.push(`synaptic noise z=${z}: only ${(100 * fracAlive).toFixed(1)}% of synapses alive at the end; q_min and slopes skipped.`);
      summary.push({ source: 'sim', z, qmin_mean: NaN, qmin_std: NaN, slope_ltd: NaN, slope_ltp: NaN, frac_alive_final: fracAlive, r2_vs_kaufman: NaN });
      return;
    }
    const q = cvRankQmin(sub, o.bootstrap, streams.stream(`bootstrap/z${z}`));
    const sc = dwScalingSlope(sub, o.lag);
    Q_GRID.forEach((qq, a) => cv.push({ source: 'sim', z, q: qq, cv_rank_mean: q.rank_mean[a], cv_rank_std: q.rank_std[a] }));
    for (const [sign, br] of [['ltd', sc.ltd], ['ltp', sc.ltp]] as const) br.w.forEach((w, k) => scaling.push({ source: 'sim', z, sign, w, dw_avg: br.dw_avg[k] }));
    summary.push({
      source: 'sim',
      z,
      qmin_mean: q.qmin_mean,
      qmin_std: q.qmin_std,
      slope_ltd: sc.ltd.slope,
      slope_ltp: sc.ltp.slope,
      frac_alive_final: fracAlive,
      r2_vs_kaufman: kaufman ? curveR2(q.rank_mean, kaufman.curves, Q_GRID.length) : NaN,
    });
  });
  return { summary, samples, cv, scaling, population, warnings };
}
