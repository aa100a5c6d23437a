/**
 * Recall tests (spec §4): the attractor network is run by the engine — a binary_threshold
 * population holding one state column per pattern, fed by a zfactor projection onto itself —
 * from noisy cues or with noisy synapses, and a pattern counts as recalled when the final state
 * gives at most 0.2·f·N wrong signs of h.
 */
import { Network } from '../../engine/index.js';
import type { Population } from '../../engine/population.js';
import type { ProjectionData } from '../../engine/projection.js';
import type { RandomStream } from '../../engine/rng.js';
import { attachFactors, type ZFactorMatrix } from '../../synapses/zfactor.js';
import type { Patterns } from './patterns.js';

/** The five noise types. */
export const NOISE_TYPES = ['bernoulli', 'balanced', 'gauss', 'gauss1', 'gauss1masked'] as const;
export type NoiseType = (typeof NOISE_TYPES)[number];

/** Synchronous steps of one recall run. */
export const RECALL_STEPS = 49;

/** One point of a recall curve. */
export interface RecallPoint {
  p: number;
  /** The noise level in the figures' axis units (see {@link noiseLevel}). */
  level: number;
  recall_rate: number;
  bit_error0: number;
}

/** σ of a synaptic noise type at grid value p, from the per-type scale (e.g. 0.1 for gauss). */
export function noiseSigma(type: NoiseType, p: number, scale: Partial<Record<NoiseType, number>>): number {
  return (scale[type] ?? 0) * p;
}

/**
 * The level in the figures' axis units: flipped fraction over f for neural noise (p/f bernoulli,
 * 2p/f balanced), σ/0.1 for synaptic noise.
 */
export function noiseLevel(type: NoiseType, p: number, f: number, sigma: number): number {
  if (type === 'bernoulli') return p / f;
  if (type === 'balanced') return (2 * p) / f;
  return sigma / 0.1;
}

/** The level whose recall is closest to 0.5 (first on ties); NaN for an empty curve. */
export function tol50(curve: readonly RecallPoint[]): number {
  let best = NaN;
  let dist = Infinity;
  for (const pt of curve) {
    const d = Math.abs(pt.recall_rate - 0.5);
    if (d < dist) {
      dist = d;
      best = pt.level;
    }
  }
  return best;
}

/** An engine network that iterates all patterns at once (one state column per pattern). */
export class RecallNetwork {
  private readonly net: Network;
  private readonly pop: Population;
  private readonly proj: ProjectionData;
  private readonly prev: Float64Array;
  private readonly prev2: Float64Array;
  readonly n: number;
  readonly cols: number;

  constructor(n: number, cols: number, f: number) {
    this.n = n;
    this.cols = cols;
    this.net = new Network({ dt: 1, seed: 0, finiteCheckInterval: 1000 });
    this.pop = this.net.create('binary_threshold', n * cols, { columns: cols, kwta: 0, f }, { name: 'recall' });
    this.proj = this.net.connect(this.pop, this.pop, { rule: 'one_to_one', allow_autapses: true }, { model: 'zfactor', delay: 1, name: 'recurrent' });
    this.prev = new Float64Array(n * cols);
    this.prev2 = new Float64Array(n * cols);
  }

  /**
   * Runs `steps` synchronous updates from the states `init` (column-major: column c is
   * init[c·N .. (c+1)·N)) with weights `mat` and thresholds `theta`, and returns the final
   * state (a view, overwritten by the next run). A fixed point or a 2-cycle ends the run early:
   * the remaining steps would only repeat it, so the state after `steps` is known.
   */
  run(mat: ZFactorMatrix, theta: Float64Array, init: Uint8Array, steps: number): Float64Array {
    attachFactors(this.proj, mat);
    const S = this.pop.s.s;
    const th = this.pop.s.theta;
    const { n, cols, prev, prev2 } = this;
    for (let c = 0; c < cols; c++) {
      for (let i = 0; i < n; i++) {
        S[c * n + i] = init[c * n + i];
        th[c * n + i] = theta[i];
      }
    }
    prev.set(S);
    for (let t = 0; t < steps; t++) {
      prev2.set(prev);
      prev.set(S);
      this.net.simulate(1);
      if (equal(S, prev)) break;
      if (t >= 1 && equal(S, prev2)) {
        // Period 2: after the remaining steps the state is S for an even count, else prev.
        if ((steps - t - 1) % 2 === 1) return prev;
        break;
      }
    }
    return S;
  }
}

function equal(a: Float64Array, b: Float64Array): boolean {
  for (let q = 0; q < a.length; q++) if (a[q] !== b[q]) return false;
  return true;
}

/** Per column: the number of units with y·sgn(h) ≠ 1 counted as (1 − y sgn h)/2, h = W s − θ. */
export function wrongSigns(mat: ZFactorMatrix, theta: Float64Array, state: ArrayLike<number>, pats: Patterns, out: Float64Array): void {
  const { n, W } = mat;
  const act = new Uint32Array(n);
  for (let c = 0; c < pats.m; c++) {
    let na = 0;
    for (let j = 0; j < n; j++) if (state[c * n + j] !== 0) act[na++] = j;
    let wrong = 0;
    for (let i = 0; i < n; i++) {
      let h = -theta[i];
      for (let q = 0; q < na; q++) h += W[i * n + act[q]];
      const y = 2 * pats.bits[c * n + i] - 1;
      wrong += (1 - y * (h > 0 ? 1 : h < 0 ? -1 : 0)) / 2;
    }
    out[c] = wrong;
  }
}

/**
 * The recall curve of one noise type. `mat`/`theta` must already be rescaled to mean u = 0.1
 * (they are not modified). For each p: nTests draws of the noise, 49 synchronous steps each;
 * recall_rate is the mean fraction of patterns recalled, bit_error0 the mean fraction of wrong
 * signs before any step.
 */
export function recallCurve(
  mat: ZFactorMatrix,
  theta: Float64Array,
  pats: Patterns,
  type: NoiseType,
  grid: readonly number[],
  sigmaScale: Partial<Record<NoiseType, number>>,
  nTests: number,
  rng: RandomStream,
  net: RecallNetwork = new RecallNetwork(mat.n, pats.m, pats.f),
): RecallPoint[] {
  const { n } = mat;
  const { m, f } = pats;
  const init = new Uint8Array(n * m);
  const wrong = new Float64Array(m);
  const limit = 0.2 * f * n;
  const points: RecallPoint[] = [];
  for (const p of grid) {
    const sigma = noiseSigma(type, p, sigmaScale);
    let recalled = 0;
    let err0 = 0;
    for (let t = 0; t < nTests; t++) {
      let testMat = mat;
      init.set(pats.bits);
      if (type === 'bernoulli') {
        for (let q = 0; q < init.length; q++) if (rng.uniform() < p) init[q] ^= 1;
      } else if (type === 'balanced') {
        const p1 = Math.min(1, p / f);
        const p0 = Math.min(1, p / (1 - f));
        for (let q = 0; q < init.length; q++) if (rng.uniform() < (init[q] === 1 ? p1 : p0)) init[q] ^= 1;
      } else {
        testMat = mat.perturbed(type, sigma, rng);
      }
      wrongSigns(testMat, theta, init, pats, wrong);
      for (let c = 0; c < m; c++) err0 += wrong[c] / n;
      const final = net.run(testMat, theta, init, RECALL_STEPS);
      wrongSigns(testMat, theta, final, pats, wrong);
      for (let c = 0; c < m; c++) if (wrong[c] <= limit) recalled++;
    }
    points.push({ p, level: noiseLevel(type, p, f, sigma), recall_rate: recalled / (nTests * m), bit_error0: err0 / (nTests * m) });
  }
  return points;
}
