/**
 * The capacity protocol (spec §2–§4, Fig 2): for each (z, α), train a network of N neurons on
 * M = round(αN) Bernoulli patterns (f = 0.5) with the capacity epochs until convergence or the
 * epoch cap, then measure margins, density and the five recall-noise curves.
 */
import { RandomStreams } from '../../engine/rng.js';
import { thresholdEstimate } from '../../models/binary_threshold.js';
import { ZFactorMatrix } from '../../synapses/zfactor.js';
import { LearningState, capacityEpoch, computeFields, trainingError } from './learning.js';
import { lqSumStats, neuronMeasures, summarise, symmetry } from './measures.js';
import { bernoulliPatterns, type Patterns } from './patterns.js';
import { NOISE_TYPES, RecallNetwork, recallCurve, tol50, type NoiseType, type RecallPoint } from './recall.js';
import { weightHistogram, type HistRow } from './histogram.js';

/** Learning rates, norm and epoch factor of one z (spec §2 table). */
export const CAPACITY_RATES: Record<number, { eta: number; etaTheta: number; ellZ: number; eZ: number }> = {
  1: { eta: 1e-4, etaTheta: 1e-3, ellZ: 0.01, eZ: 25 },
  2: { eta: 5e-3, etaTheta: 5e-3, ellZ: 0.02, eZ: 30 },
  3: { eta: 7e-3, etaTheta: 7e-3, ellZ: 0.05, eZ: 25 },
  4: { eta: 7e-3, etaTheta: 7e-3, ellZ: 0.05, eZ: 25 },
};

/** Epochs between convergence checks. */
export const CONVERGENCE_INTERVAL = 10_000;

/** σ per unit p of the synaptic noise types on the capacity grid. */
export const CAPACITY_SIGMA: Partial<Record<NoiseType, number>> = { gauss: 0.1, gauss1: 0.16, gauss1masked: 0.2 };

/** p = 0, 0.02, …, 0.48. */
export const CAPACITY_GRID: readonly number[] = Array.from({ length: 25 }, (_, k) => (2 * k) / 100);

/** Options of {@link runCapacityCase}. */
export interface CapacityCaseOptions {
  n: number;
  alpha: number;
  z: number;
  f: number;
  beta: number;
  /** Epoch cap; with capScale the cap is min(epochs, 500·M·e_z) for the paper preset. */
  epochs: number;
  seed: number;
  nTests: number;
  grid: readonly number[];
  recordEvery: number;
  /** Threads of the learning kernels (results do not depend on it); default 1. */
  threads?: number;
  /** Called every recordEvery epochs. */
  onEpoch?(epoch: number, cap: number, phase: string, error: number, l0: number): void;
}

/** One row of capacity_trace. */
export interface CapacityTraceRow {
  z: number;
  alpha: number;
  epoch: number;
  phase: string;
  error: number;
  l0: number;
  kappa_mean: number;
  rho_mean: number;
  theta_mean: number;
  lq_sum_mean: number;
}

/** One row of capacity_summary (snake_case keys = summary.json keys). */
export type CapacitySummaryRow = Record<string, number | boolean>;

/** Everything one (z, α) case produces. */
export interface CapacityCaseResult {
  summary: CapacitySummaryRow;
  trace: CapacityTraceRow[];
  recall: (RecallPoint & { z: number; alpha: number; stage: string; noise_type: NoiseType })[];
  hist: HistRow[];
  dead: { z: number; alpha: number; neuron: number; epoch: number }[];
  warnings: string[];
}

/** Mean θ over live rows. */
function liveMean(x: Float64Array, dead: Uint8Array): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < x.length; i++) {
    if (dead[i] === 1) continue;
    s += x[i];
    c++;
  }
  return c > 0 ? s / c : NaN;
}

/** The patterns and initial network of a capacity case (shared with the benchmark). */
export function initCapacity(n: number, alpha: number, z: number, f: number, seed: number): { pats: Patterns; mat: ZFactorMatrix; theta: Float64Array } {
  const streams = new RandomStreams(seed);
  const m = Math.round(alpha * n);
  const pats = bernoulliPatterns(n, m, f, streams.stream('patterns'));
  const init = streams.stream('init');
  const u = new Float32Array(n * n * z);
  for (let q = 0; q < u.length; q++) u[q] = Math.fround(0.1 * init.uniformRange(0.7, 1.3));
  const rates = CAPACITY_RATES[z];
  if (rates === undefined) throw new RangeError(`capacity protocol: z must be 1, 2, 3 or 4 (the spec's rate table), got ${z}.`);
  const mat = new ZFactorMatrix(n, z, rates.ellZ * n, u);
  mat.zeroDiagonal();
  mat.computeMasks();
  mat.normalize();
  const theta = new Float64Array(n);
  thresholdEstimate(mat.W, n, f, theta);
  return { pats, mat, theta };
}

/** Trains and measures one (z, α) case. */
export function runCapacityCase(o: CapacityCaseOptions): CapacityCaseResult {
  const { n, alpha, z, f, beta } = o;
  const rates = CAPACITY_RATES[z];
  const { pats, mat, theta } = initCapacity(n, alpha, z, f, o.seed);
  const m = pats.m;
  const ls = new LearningState(n, m, { z, threads: o.threads });
  const trace: CapacityTraceRow[] = [];
  const dead: CapacityCaseResult['dead'] = [];
  const warnings: string[] = [];
  const prm = { eta: rates.eta, etaTheta: rates.etaTheta, beta };
  let lastL0 = NaN;
  let lastKappa = NaN;
  let convEpoch = -1;
  let epoch = 0;
  const snapshot = (ep: number, phase: string, error: number): void => {
    const meas = neuronMeasures(mat, theta, pats);
    const lq = lqSumStats(mat);
    const row: CapacityTraceRow = {
      z,
      alpha,
      epoch: ep,
      phase,
      error,
      l0: mat.density(),
      kappa_mean: summarise(meas.kappa).mean,
      rho_mean: summarise(meas.rho).mean,
      theta_mean: liveMean(theta, mat.dead),
      lq_sum_mean: lq.mean,
    };
    trace.push(row);
    o.onEpoch?.(ep, o.epochs, phase, error, row.l0);
  };
  let phase = 'A';
  let error = 1;
  // The second kernel thread stops on every way out, an error included.
  try {
    for (epoch = 0; epoch < o.epochs; epoch++) {
      const rep = capacityEpoch(mat, theta, pats, ls, prm, epoch);
      phase = rep.phase;
      error = rep.error;
      for (const i of rep.newlyDead) {
        dead.push({ z, alpha, neuron: i, epoch });
        warnings.push(`z=${z} alpha=${alpha}: neuron ${i} lost all its inputs at epoch ${epoch}; it is frozen and excluded from the averages.`);
      }
      if (epoch % o.recordEvery === 0) snapshot(epoch, phase, error);
      if ((epoch + 1) % CONVERGENCE_INTERVAL === 0) {
        computeFields(mat, theta, pats, ls.h);
        const err = trainingError(mat, pats, ls.h);
        const l0 = mat.density();
        const kappa = summarise(neuronMeasures(mat, theta, pats).kappa).mean;
        const lq = lqSumStats(mat);
        const converged = Math.abs(l0 - lastL0) < 1e-4 && Math.abs(kappa - lastKappa) < 1e-4 && l0 < 0.99 && err === 0 && Math.abs(lq.mean - mat.L) < 1e-3 * mat.L;
        lastL0 = l0;
        lastKappa = kappa;
        if (converged) {
          convEpoch = epoch + 1;
          epoch++;
          break;
        }
      }
    }
  } finally {
    ls.close();
  }
  const epochsRun = epoch;
  computeFields(mat, theta, pats, ls.h);
  const trainError = trainingError(mat, pats, ls.h);
  snapshot(epochsRun, trainError > 0 ? 'A' : 'B', trainError);
  if (convEpoch < 0) warnings.push(`z=${z} alpha=${alpha}: not converged within ${o.epochs} epochs (conv_epoch = -1).`);

  const lq = lqSumStats(mat);
  const meas = neuronMeasures(mat, theta, pats);
  const sym = symmetry(mat);
  // Recall tests and the syn margin on a copy scaled to a mean surviving factor of 0.1.
  const test = mat.clone();
  const testTheta = theta.slice();
  test.rescaleToMeanU(testTheta);
  const syn = summarise(neuronMeasures(test, testTheta, pats).syn);
  const streams = new RandomStreams(o.seed);
  const rng = streams.stream(`recall/z${z}/alpha${alpha}`);
  const net = new RecallNetwork(n, m, f);
  const recall: CapacityCaseResult['recall'] = [];
  const tols: Record<string, number> = {};
  for (const type of NOISE_TYPES) {
    const curve = recallCurve(test, testTheta, pats, type, o.grid, CAPACITY_SIGMA, o.nTests, rng, net);
    for (const pt of curve) recall.push({ z, alpha, stage: 'final', noise_type: type, ...pt });
    tols[`tol50_${type}`] = tol50(curve);
  }
  let zeros = 0;
  let hasNan = false;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const w = mat.W[i * n + j];
      if (w === 0) zeros++;
      if (!Number.isFinite(w)) hasNan = true;
    }
    if (!Number.isFinite(theta[i])) hasNan = true;
  }
  const ms = (key: keyof typeof meas) => summarise(meas[key]);
  // Each measure summarised once, for its mean and its spread.
  const [err, kappa, avgMargin, rho, l23, l24] = (['error', 'kappa', 'avgMargin', 'rho', 'l23', 'l24'] as const).map(ms);
  const density = summarise(mat.rowDensity());
  const summary: CapacitySummaryRow = {
    z,
    alpha,
    n,
    m,
    error_mean: err.mean,
    error_std: err.std,
    kappa_mean: kappa.mean,
    kappa_std: kappa.std,
    avg_margin_mean: avgMargin.mean,
    avg_margin_std: avgMargin.std,
    rho_mean: rho.mean,
    rho_std: rho.std,
    l23_mean: l23.mean,
    l23_std: l23.std,
    l24_mean: l24.mean,
    l24_std: l24.std,
    syn_margin_mean: syn.mean,
    syn_margin_std: syn.std,
    density_mean: density.mean,
    density_std: density.std,
    symmetry: sym,
    epochs_run: epochsRun,
    conv_epoch: convEpoch,
    train_error: trainError,
    lq_sum_mean: lq.mean,
    lq_sum_max_rel_dev: lq.maxRelDev,
    n_dead: mat.deadRows().length,
    n_zero_weights: zeros,
    has_nan: hasNan,
    ...tols,
  };
  const hist = weightHistogram(mat, { z, alpha, stage: 'final' });
  return { summary, trace, recall, hist, dead, warnings };
}
