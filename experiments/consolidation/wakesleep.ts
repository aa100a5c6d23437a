/**
 * The wake–sleep protocol (spec §2–§4, Fig 3): Hebbian wake learning gated by the k-WTA shift,
 * selection of the patterns that became attractors, then sleep (soft-min margin ascent on the
 * replayed patterns with homeostatic scaling), which prunes synapses and widens the basins.
 */
import { RandomStreams } from '../../engine/rng.js';
import { thresholdEstimate } from '../../models/binary_threshold.js';
import { ALIVE_THRESHOLD, ZFactorMatrix } from '../../synapses/zfactor.js';
import { LearningState, computeFields, sleepRate, sleepStep, trainingError, wakePresentation } from './learning.js';
import { activeNeurons, meanStd, neuronMeasures, patternRadii, selectivity, summarise } from './measures.js';
import { exactPatterns, permutedPatterns, selectPatterns, type Patterns } from './patterns.js';
import { RecallNetwork, recallCurve, tol50, type NoiseType, type RecallPoint } from './recall.js';
import { weightHistogram, type HistRow } from './histogram.js';
import { nanMean, olsSlope, pearson } from '../stats.js';

/** Options of {@link runWakeSleepProtocol}. */
export interface WakeSleepOptions {
  n: number;
  m: number;
  z: number;
  f: number;
  wakeEpochs: number;
  sleepSteps: number;
  eta: number;
  beta: number;
  initFactor: number;
  ellZ: number;
  seed: number;
  nTests: number;
  recordEvery: number;
  /** Threads of the sleep-step kernels (results do not depend on it); default 1. */
  threads?: number;
  onProgress?(done: number, total: number, stage: string): void;
}

/** The wake–sleep noise grid: 50 values of p in [0, 0.049]. */
export const WS_GRID: readonly number[] = Array.from({ length: 50 }, (_, k) => (0.049 * k) / 49);
/** σ per unit p of the synaptic noise types on the wake–sleep grid. */
export const WS_SIGMA: Partial<Record<NoiseType, number>> = { gauss: 3, gauss1: 4 };
/** Noise types tested before and after sleep. */
export const WS_NOISE: readonly NoiseType[] = ['balanced', 'gauss', 'gauss1'];

export interface WsTraceRow {
  stage: string;
  step: number;
  l0_mean: number;
  l0_std: number;
  error: number;
  kappa_mean: number;
  rho_mean: number;
  theta_mean: number;
  eta: number;
}

export interface WakeSleepResult {
  summary: Record<string, number | boolean | string>;
  trace: WsTraceRow[];
  patterns: { pattern: number; attractor: boolean; radius_pre: number; radius_post: number; d_radius: number }[];
  radius: { pattern: number; sleep_step: number; radius: number }[];
  prune: { quartile: number; w_lo: number; w_hi: number; n: number; frac_pruned: number }[];
  recall: (RecallPoint & { z: number; alpha: number; stage: string; noise_type: NoiseType })[];
  hist: HistRow[];
  dead: { z: number; alpha: number; neuron: number; epoch: number }[];
  warnings: string[];
}

/** Runs wake, attractor selection and sleep, with the measures and recall tests around sleep. */
export function runWakeSleepProtocol(o: WakeSleepOptions): WakeSleepResult {
  const { n, m, z, f } = o;
  const streams = new RandomStreams(o.seed);
  const pats = exactPatterns(n, m, f, streams.stream('patterns'));
  const mat = new ZFactorMatrix(n, z, o.ellZ * n, new Float32Array(n * n * z).fill(o.initFactor));
  mat.zeroDiagonal();
  const theta = new Float64Array(n);
  const warnings: string[] = [];
  const trace: WsTraceRow[] = [];
  const dead: WakeSleepResult['dead'] = [];
  const totalWork = o.wakeEpochs + o.sleepSteps;
  const alpha = m / n;

  const traceRow = (stage: string, step: number, p: Patterns, include: Uint8Array | undefined, eta: number): void => {
    const meas = neuronMeasures(mat, theta, p, include);
    const dens = meanStd(Array.from(mat.rowDensity()));
    const h = new Float64Array(n * p.m);
    computeFields(mat, theta, p, h);
    trace.push({
      stage,
      step,
      l0_mean: dens.mean,
      l0_std: dens.std,
      error: trainingError(mat, p, h, include),
      kappa_mean: summarise(meas.kappa).mean,
      rho_mean: summarise(meas.rho).mean,
      theta_mean: nanMean(theta),
      eta,
    });
  };

  // Wake.
  mat.computeMasks();
  mat.clip();
  thresholdEstimate(mat.W, n, f, theta);
  const order = streams.stream('wake-order');
  const perm = new Uint32Array(m);
  const scratch = { h: new Float64Array(n), sort: new Float64Array(n), D: new Float64Array(n * n) };
  for (let ep = 0; ep < o.wakeEpochs; ep++) {
    for (let k = 0; k < m; k++) perm[k] = k;
    order.shuffle(perm);
    const deadBefore = mat.dead.slice();
    for (let k = 0; k < m; k++) wakePresentation(mat, theta, pats, perm[k], o.eta, scratch);
    for (let i = 0; i < n; i++) if (mat.dead[i] === 1 && deadBefore[i] === 0) dead.push({ z, alpha, neuron: i, epoch: ep });
    if (ep % Math.max(1, Math.round(o.recordEvery / 10)) === 0 || ep === o.wakeEpochs - 1) traceRow('wake', ep, pats, undefined, o.eta);
    o.onProgress?.(ep + 1, totalWork, 'wake');
  }

  // Attractor selection.
  const hAll = new Float64Array(n * m);
  computeFields(mat, theta, pats, hAll);
  const attractor: boolean[] = [];
  for (let mu = 0; mu < m; mu++) {
    let min = Infinity;
    for (let i = 0; i < n; i++) {
      if (mat.dead[i] === 1) continue;
      const v = (2 * pats.bits[mu * n + i] - 1) * hAll[i * m + mu];
      if (v < min) min = v;
    }
    attractor.push(min > 0);
  }
  const replayIdx = attractor.flatMap((a, mu) => (a ? [mu] : []));
  const hist: HistRow[] = weightHistogram(mat, { z, alpha, stage: 'pre' });
  if (replayIdx.length === 0) {
    warnings.push(`wake-sleep: no pattern is an attractor after ${o.wakeEpochs} wake epochs; nothing to replay, sleep skipped.`);
    return {
      summary: { n_attractors: 0, stopped: 'no attractors after wake' },
      trace,
      patterns: [],
      radius: [],
      prune: [],
      recall: [],
      hist,
      dead,
      warnings,
    };
  }
  const replay = selectPatterns(pats, replayIdx);
  const active = activeNeurons(replay);
  let nSilent = 0;
  for (let i = 0; i < n; i++) if (active[i] === 0) nSilent++;

  // Pre-sleep state.
  const matPre = mat.clone();
  const thetaPre = theta.slice();
  const radiusPre = patternRadii(matPre, thetaPre, replay, active);
  const measPre = neuronMeasures(matPre, thetaPre, replay, active);
  const densityPre = matPre.density();

  // Sleep.
  const ls = new LearningState(n, replay.m, { z: mat.z, threads: o.threads });
  mat.computeMasks();
  const c = mat.normalize();
  for (let i = 0; i < n; i++) if (mat.dead[i] === 0) theta[i] /= Math.pow(c[i], z / 2);
  computeFields(mat, theta, replay, ls.h);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let mu = 0; mu < replay.m; mu++) s += Math.abs(ls.h[i * replay.m + mu]);
    ls.hBar[i] = s / replay.m;
  }
  const radius: WakeSleepResult['radius'] = [];
  const recordRadius = (step: number): void => {
    const r = patternRadii(mat, theta, replay, active);
    for (let q = 0; q < replay.m; q++) radius.push({ pattern: replayIdx[q], sleep_step: step, radius: r[q] });
  };
  traceRow('sleep', 0, replay, active, sleepRate(0, o.eta, z));
  // The second kernel thread stops on every way out, an error included.
  try {
    for (let t = 0; t < o.sleepSteps; t++) {
      if (t < 500) recordRadius(t);
      const deadBefore = mat.dead.slice();
      const eta = sleepRate(t, o.eta, z);
      sleepStep(mat, theta, replay, ls, o.beta, eta, undefined, t);
      for (let i = 0; i < n; i++) if (mat.dead[i] === 1 && deadBefore[i] === 0) dead.push({ z, alpha, neuron: i, epoch: o.wakeEpochs + t });
      if ((t + 1) % o.recordEvery === 0 || t === o.sleepSteps - 1) traceRow('sleep', t + 1, replay, active, eta);
      o.onProgress?.(o.wakeEpochs + t + 1, totalWork, 'sleep');
    }
  } finally {
    ls.close();
  }
  recordRadius(o.sleepSteps);
  for (const d of dead) warnings.push(`wake-sleep: neuron ${d.neuron} lost all its inputs at step ${d.epoch}; it is frozen and excluded from the averages.`);

  // Post-sleep measures.
  const radiusPost = patternRadii(mat, theta, replay, active);
  const measPost = neuronMeasures(mat, theta, replay, active);
  const densityPost = mat.density();
  hist.push(...weightHistogram(mat, { z, alpha, stage: 'post' }));

  // Pruning by initial weight quartile (global over pre-sleep alive off-diagonal weights).
  const pre: { w: number; pruned: boolean }[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const w = matPre.W[i * n + j];
      if (w > ALIVE_THRESHOLD) pre.push({ w, pruned: !(mat.W[i * n + j] > ALIVE_THRESHOLD) });
    }
  }
  pre.sort((a, b) => a.w - b.w);
  const prune: WakeSleepResult['prune'] = [];
  for (let qt = 0; qt < 4; qt++) {
    const lo = Math.floor((qt * pre.length) / 4);
    const hi = Math.floor(((qt + 1) * pre.length) / 4);
    const part = pre.slice(lo, hi);
    prune.push({
      quartile: qt + 1,
      w_lo: part.length ? part[0].w : NaN,
      w_hi: part.length ? part[part.length - 1].w : NaN,
      n: part.length,
      frac_pruned: part.length ? part.filter((x) => x.pruned).length / part.length : NaN,
    });
  }
  const fracPruned = pre.length ? pre.filter((x) => x.pruned).length / pre.length : NaN;

  const patternsOut: WakeSleepResult['patterns'] = [];
  const dR: number[] = [];
  const r0: number[] = [];
  for (let mu = 0, q = 0; mu < m; mu++) {
    if (attractor[mu]) {
      const a = radiusPre[q];
      const b = radiusPost[q];
      patternsOut.push({ pattern: mu, attractor: true, radius_pre: a, radius_post: b, d_radius: b - a });
      if (Number.isFinite(a) && Number.isFinite(b)) {
        r0.push(a);
        dR.push(b - a);
      }
      q++;
    } else {
      patternsOut.push({ pattern: mu, attractor: false, radius_pre: NaN, radius_post: NaN, d_radius: NaN });
    }
  }

  // Recall before and after sleep, on the replayed patterns.
  const recall: WakeSleepResult['recall'] = [];
  const tols: Record<string, number> = {};
  const net = new RecallNetwork(n, replay.m, f);
  for (const [stage, sm, st] of [
    ['pre', matPre, thetaPre],
    ['post', mat, theta],
  ] as const) {
    const test = sm.clone();
    const th = st.slice();
    test.rescaleToMeanU(th);
    const rng = streams.stream(`recall/${stage}`);
    for (const type of WS_NOISE) {
      const curve = recallCurve(test, th, replay, type, WS_GRID, WS_SIGMA, o.nTests, rng, net);
      for (const pt of curve) recall.push({ z, alpha, stage, noise_type: type, ...pt });
      tols[`tol50_${type}_${stage}`] = tol50(curve);
    }
  }
  const novel = permutedPatterns(replay, streams.stream('novel'));
  const hPost = new Float64Array(n * replay.m);
  computeFields(mat, theta, replay, hPost);
  const summary = {
    n,
    m,
    n_attractors: replayIdx.length,
    n_silent: nSilent,
    density_pre: densityPre,
    density_post: densityPost,
    radius_mean_pre: nanMean(radiusPre),
    radius_mean_post: nanMean(radiusPost),
    frac_pruned: fracPruned,
    prune_q1: prune[0].frac_pruned,
    prune_q2: prune[1].frac_pruned,
    prune_q3: prune[2].frac_pruned,
    prune_q4: prune[3].frac_pruned,
    d_radius_slope: olsSlope(r0, dR),
    d_radius_r: pearson(r0, dR),
    ...tols,
    selectivity_familiar: selectivity(mat, replay, active),
    selectivity_novel: selectivity(mat, novel, active),
    final_error: trainingError(mat, replay, hPost, active),
    kappa_active_pre: summarise(measPre.kappa).mean,
    kappa_active_post: summarise(measPost.kappa).mean,
    n_dead: mat.deadRows().length,
  };
  return { summary, trace, patterns: patternsOut, radius, prune, recall, hist, dead, warnings };
}
