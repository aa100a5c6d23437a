/**
 * The learning phases of the consolidation experiment (spec §3) on a {@link ZFactorMatrix}:
 * the capacity epoch (phase A min-over perceptron, phase B soft-min margin ascent), wake
 * presentations (Hebbian factor-1 updates gated by the k-WTA shift) and sleep steps (phase B on
 * the replayed patterns). All sums and θ are float64; factors and weights float32.
 */
import { SimulationError } from '../../engine/errors.js';
import { kwtaShift, thresholdEstimate } from '../../models/binary_threshold.js';
import { wasmKernelsEnabled } from '../../engine/wasm.js';
import type { ZFactorMatrix } from '../../synapses/zfactor.js';
import { EpochKernels } from './kernels.js';
import type { Patterns } from './patterns.js';

/** Soft-min terms below this fraction of the row maximum are dropped. */
const SOFTMIN_CUTOFF = 1e-12;
const LOG_CUTOFF = Math.log(SOFTMIN_CUTOFF);

/**
 * h[i·M + μ] = Σ_{j active in μ} w_ij − θ_i for every live row (dead rows are left as they are).
 * Four rows per pass share each active-input index and the loop overhead; every h_iμ still sums
 * its terms in the order of the active list, so the values are the bits of a one-row loop.
 */
export function computeFields(mat: ZFactorMatrix, theta: Float64Array, pats: Patterns, h: Float64Array): void {
  const { n, W, dead } = mat;
  const { m, act, actPtr } = pats;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const r0 = i * n;
    const r1 = r0 + n;
    const r2 = r1 + n;
    const r3 = r2 + n;
    for (let mu = 0; mu < m; mu++) {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      const end = actPtr[mu + 1];
      for (let q = actPtr[mu]; q < end; q++) {
        const j = act[q];
        s0 += W[r0 + j];
        s1 += W[r1 + j];
        s2 += W[r2 + j];
        s3 += W[r3 + j];
      }
      if (dead[i] === 0) h[i * m + mu] = s0 - theta[i];
      if (dead[i + 1] === 0) h[(i + 1) * m + mu] = s1 - theta[i + 1];
      if (dead[i + 2] === 0) h[(i + 2) * m + mu] = s2 - theta[i + 2];
      if (dead[i + 3] === 0) h[(i + 3) * m + mu] = s3 - theta[i + 3];
    }
  }
  for (; i < n; i++) {
    if (dead[i] === 1) continue;
    const row = i * n;
    for (let mu = 0; mu < m; mu++) {
      let s = 0;
      for (let q = actPtr[mu]; q < actPtr[mu + 1]; q++) s += W[row + act[q]];
      h[i * m + mu] = s - theta[i];
    }
  }
}

/** sgn with sgn(0) = 0. */
export function sgn(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : 0;
}

/** Mean over live rows of mean_μ (1 − y·sgn h)/2, h in the layout of {@link computeFields}. */
export function trainingError(mat: ZFactorMatrix, pats: Patterns, h: Float64Array, rows?: Uint8Array): number {
  const { n, dead } = mat;
  const { m, bits } = pats;
  let sum = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (dead[i] === 1 || (rows !== undefined && rows[i] === 0)) continue;
    let e = 0;
    for (let mu = 0; mu < m; mu++) e += (1 - (2 * bits[mu * n + i] - 1) * sgn(h[i * m + mu])) / 2;
    sum += e / m;
    count++;
  }
  return count > 0 ? sum / count : 0;
}

/** Options of {@link LearningState}. */
export interface LearningOptions {
  /**
   * Whether the fields, G = m·Xᵀ and the factor update run in the WebAssembly kernels
   * (bit-identical to the JavaScript loops). Default: {@link wasmKernelsEnabled}.
   */
  wasm?: boolean;
  /** Factors per synapse of the matrices to update; without it the update stays in JavaScript. */
  z?: number;
  /**
   * Threads sharing the rows of the kernels (1 or 2; more count as 2). Results do not depend on
   * it. Default 1; call {@link LearningState.close} when done with 2.
   */
  threads?: number;
}

/** Scratch arrays and running state of the gradient phases. */
export class LearningState {
  readonly h: Float64Array;
  readonly G: Float64Array;
  readonly dTheta: Float64Array;
  /** H̄_i = mean_μ |h_iμ| of the previous phase-B evaluation (NaN before the first). */
  readonly hBar: Float64Array;
  /** The WebAssembly kernels, or null for the JavaScript loops. */
  readonly kernels: EpochKernels | null;
  private readonly ell: Float64Array;
  /** Soft-min weights of four rows, pattern-major (mBlock[μ·4 + lane]). */
  private readonly mBlock: Float64Array;
  constructor(
    readonly n: number,
    readonly m: number,
    opts: LearningOptions = {},
  ) {
    this.kernels = (opts.wasm ?? wasmKernelsEnabled()) && m > 0 ? EpochKernels.create(n, m, opts.z ?? 0, opts.threads ?? 1) : null;
    // The kernels read h and G where they wrote them, in their memory.
    this.h = this.kernels?.h ?? new Float64Array(n * m);
    this.G = this.kernels?.G ?? new Float64Array(n * n);
    this.dTheta = new Float64Array(n);
    this.hBar = new Float64Array(n).fill(NaN);
    this.ell = new Float64Array(m);
    this.mBlock = new Float64Array(4 * m);
  }

  /** Stops the second kernel thread, if any (this state stays usable, on one thread). */
  close(): void {
    this.kernels?.close();
  }

  /** u += η G ∂w/∂u·mask, then clip and normalise (mat.clipNormalize), in the kernel when it fits. */
  update(mat: ZFactorMatrix, eta: number): void {
    const k = this.kernels;
    if (k !== null && k.updates(mat)) {
      k.update(mat, eta);
      return;
    }
    mat.applyFactorGradient(this.G, eta);
    mat.clipNormalize();
  }

  /**
   * mat.computeMasks(), then {@link computeFields} into {@link h}; in the kernels when they fit
   * the patterns.
   */
  masksAndFields(mat: ZFactorMatrix, theta: Float64Array, pats: Patterns): void {
    const k = this.kernels;
    if (k !== null && k.fits(pats)) {
      k.masksAndFields(mat, theta, pats);
      return;
    }
    mat.computeMasks();
    computeFields(mat, theta, pats, this.h);
  }

  /**
   * Phase A for every live row (correct ones included): μ* = argmin_μ y h (first on ties),
   * G_i· = y_iμ*·ξ_μ*, Δθ_i = −η_θ·y_iμ*; stores H̄_i = mean |h|.
   */
  phaseA(mat: ZFactorMatrix, pats: Patterns, etaTheta: number): void {
    const { n, dead } = mat;
    const { m, bits, act, actPtr } = pats;
    const { h, G, dTheta, hBar } = this;
    G.fill(0);
    dTheta.fill(0);
    for (let i = 0; i < n; i++) {
      if (dead[i] === 1) continue;
      let best = Infinity;
      let star = 0;
      let abs = 0;
      for (let mu = 0; mu < m; mu++) {
        const hv = h[i * m + mu];
        const yh = (2 * bits[mu * n + i] - 1) * hv;
        if (yh < best) {
          best = yh;
          star = mu;
        }
        abs += Math.abs(hv);
      }
      hBar[i] = abs / m;
      const y = 2 * bits[star * n + i] - 1;
      for (let q = actPtr[star]; q < actPtr[star + 1]; q++) G[i * n + act[q]] = y;
      dTheta[i] = -etaTheta * y;
    }
  }

  /**
   * Phase B on self-labels ŷ = sgn h: ℓ_iμ = exp(−β(|h| − min|h|)/H̄_i) with the previous H̄
   * (computed on the spot when there is none), m = ℓŷ/Σℓ, G = m·ξᵀ, Δθ_i = −η_θ Σ_μ m_iμ;
   * then H̄_i ← mean |h|. `rows` (optional) restricts the rule to rows flagged 1.
   */
  phaseB(mat: ZFactorMatrix, pats: Patterns, beta: number, etaTheta: number, rows?: Uint8Array): void {
    const k = this.kernels;
    if (k !== null && k.fits(pats)) this.phaseBKernels(k, mat, pats, beta, etaTheta, rows);
    else this.phaseBLoops(mat, pats, beta, etaTheta, rows);
  }

  /**
   * The soft-min weights of row i into {@link ell} (false for rows the rule skips), with H̄_i
   * updated and Δθ_i set.
   */
  private rowSoftmin(mat: ZFactorMatrix, i: number, beta: number, etaTheta: number, rows: Uint8Array | undefined): boolean {
    const { h, hBar, dTheta, ell, m } = this;
    if (mat.dead[i] === 1 || (rows !== undefined && rows[i] === 0)) return false;
    let abs = 0;
    for (let mu = 0; mu < m; mu++) abs += Math.abs(h[i * m + mu]);
    const meanAbs = abs / m;
    let hb = Number.isNaN(hBar[i]) ? meanAbs : hBar[i];
    hBar[i] = meanAbs;
    if (!(hb > 0)) hb = meanAbs > 0 ? meanAbs : 1;
    softminWeights(h.subarray(i * m, (i + 1) * m), hb, beta, ell);
    let sumM = 0;
    for (let mu = 0; mu < m; mu++) {
      const mm = ell[mu];
      if (mm !== 0) sumM += mm;
    }
    dTheta[i] = -etaTheta * sumM;
    return true;
  }

  /** Phase B with G = m·Xᵀ in the WebAssembly kernel, which skips the weights equal to 0. */
  private phaseBKernels(k: EpochKernels, mat: ZFactorMatrix, pats: Patterns, beta: number, etaTheta: number, rows: Uint8Array | undefined): void {
    const { n } = mat;
    const { m } = pats;
    const { dTheta, ell } = this;
    const { mRow } = k;
    dTheta.fill(0);
    for (let i = 0; i < n; i++) {
      const row = i * m;
      if (this.rowSoftmin(mat, i, beta, etaTheta, rows)) for (let mu = 0; mu < m; mu++) mRow[row + mu] = ell[mu];
      else mRow.fill(0, row, row + m);
    }
    k.outer(pats);
  }

  /** Phase B with G = m·Xᵀ in JavaScript, four rows at a time. */
  private phaseBLoops(mat: ZFactorMatrix, pats: Patterns, beta: number, etaTheta: number, rows: Uint8Array | undefined): void {
    const { n } = mat;
    const { m, act, actPtr } = pats;
    const { G, dTheta, ell, mBlock } = this;
    G.fill(0);
    dTheta.fill(0);
    for (let i0 = 0; i0 < n; i0 += 4) {
      const lanes = Math.min(4, n - i0);
      mBlock.fill(0);
      for (let l = 0; l < lanes; l++) {
        if (!this.rowSoftmin(mat, i0 + l, beta, etaTheta, rows)) continue;
        for (let mu = 0; mu < m; mu++) if (ell[mu] !== 0) mBlock[mu * 4 + l] = ell[mu];
      }
      // G = m·ξᵀ for the four rows at once, sharing each active-input index. A lane whose m is
      // 0 adds 0, which leaves its G entry unchanged, so each G_ij is the row-by-row sum.
      const r0 = i0 * n;
      const r1 = r0 + n;
      const r2 = r1 + n;
      const r3 = r2 + n;
      for (let mu = 0; mu < m; mu++) {
        const m0 = mBlock[mu * 4];
        const m1 = mBlock[mu * 4 + 1];
        const m2 = mBlock[mu * 4 + 2];
        const m3 = mBlock[mu * 4 + 3];
        if (m0 === 0 && m1 === 0 && m2 === 0 && m3 === 0) continue;
        const end = actPtr[mu + 1];
        if (lanes === 4) {
          for (let q = actPtr[mu]; q < end; q++) {
            const j = act[q];
            G[r0 + j] += m0;
            G[r1 + j] += m1;
            G[r2 + j] += m2;
            G[r3 + j] += m3;
          }
        } else {
          for (let l = 0; l < lanes; l++) {
            const ml = mBlock[mu * 4 + l];
            if (ml === 0) continue;
            const row = (i0 + l) * n;
            for (let q = actPtr[mu]; q < end; q++) G[row + act[q]] += ml;
          }
        }
      }
    }
  }
}

/**
 * Soft-min weights of one row: m_μ = ℓ_μ·sgn h_μ/Σ_ν ℓ_ν with ℓ_μ = exp(−β(|h_μ| − min|h|)/H̄),
 * shifted by min|h| so the largest term is exactly 1 (no 0/0), and terms below 1e-12 of it
 * dropped. Writes m into `out` (length ≥ h.length).
 */
export function softminWeights(h: ArrayLike<number>, hb: number, beta: number, out: Float64Array): void {
  const m = h.length;
  let minAbs = Infinity;
  for (let mu = 0; mu < m; mu++) if (Math.abs(h[mu]) < minAbs) minAbs = Math.abs(h[mu]);
  let total = 0;
  for (let mu = 0; mu < m; mu++) {
    const x = (-beta * (Math.abs(h[mu]) - minAbs)) / hb;
    const l = x < LOG_CUTOFF ? 0 : Math.exp(x);
    out[mu] = l;
    total += l;
  }
  for (let mu = 0; mu < m; mu++) out[mu] = (out[mu] * sgn(h[mu])) / total;
}

/** Fails, naming neuron and when, if any θ of a live row is not finite. */
export function assertFiniteTheta(mat: ZFactorMatrix, theta: Float64Array, when: string): void {
  for (let i = 0; i < theta.length; i++) {
    if (!Number.isFinite(theta[i])) throw new SimulationError('non_finite_state', `consolidation: θ of neuron ${i} became ${theta[i]} at ${when}; lower the learning rates.`);
  }
  const { W } = mat;
  // x·0 is NaN exactly for non-finite x: one branch-free pass, and the search only on failure.
  let probe = 0;
  for (let s = 0; s < W.length; s++) probe += W[s] * 0;
  if (probe === 0) return;
  for (let s = 0; s < W.length; s++) {
    if (!Number.isFinite(W[s])) throw new SimulationError('non_finite_state', `consolidation: weight of neuron ${Math.floor(s / mat.n)} from ${s % mat.n} became ${W[s]} at ${when}; lower the learning rates.`);
  }
}

/** What one capacity epoch did. */
export interface EpochReport {
  phase: 'A' | 'B';
  /** Training error before the update. */
  error: number;
  /** Rows that lost their last input in this epoch. */
  newlyDead: number[];
}

/**
 * One capacity epoch (spec §3, epoch order): masks; fields; phase A while the error is > 0,
 * else phase B; u += η G ∂w/∂u·mask; clip; normalise; θ += Δθ for rows still alive.
 */
export function capacityEpoch(
  mat: ZFactorMatrix,
  theta: Float64Array,
  pats: Patterns,
  ls: LearningState,
  prm: { eta: number; etaTheta: number; beta: number },
  epoch: number,
  /** Runs this phase whatever the error (benchmarks time each phase on the same state). */
  force?: 'A' | 'B',
): EpochReport {
  const deadBefore = mat.dead.slice();
  ls.masksAndFields(mat, theta, pats);
  const error = trainingError(mat, pats, ls.h);
  const phase = force ?? (error > 0 ? 'A' : 'B');
  if (phase === 'A') ls.phaseA(mat, pats, prm.etaTheta);
  else ls.phaseB(mat, pats, prm.beta, prm.etaTheta);
  ls.update(mat, prm.eta);
  const newlyDead: number[] = [];
  for (let i = 0; i < mat.n; i++) {
    if (mat.dead[i] === 1) {
      if (deadBefore[i] === 0) newlyDead.push(i);
      continue;
    }
    theta[i] += ls.dTheta[i];
  }
  assertFiniteTheta(mat, theta, `epoch ${epoch}`);
  return { phase, error, newlyDead };
}

/**
 * One wake presentation of pattern μ (spec §3): masks; one k-WTA step from ξ^μ gives dθ;
 * u_ij1 += η|dθ|(ξ_i − f)(ξ_j − f); clip; θ ← estimate. Returns |dθ|.
 */
export function wakePresentation(mat: ZFactorMatrix, theta: Float64Array, pats: Patterns, mu: number, eta: number, scratch: { h: Float64Array; sort: Float64Array; D: Float64Array }): number {
  const { n, W } = mat;
  const f = pats.f;
  mat.computeMasks();
  const { h, sort, D } = scratch;
  const { act, actPtr, bits } = pats;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let q = actPtr[mu]; q < actPtr[mu + 1]; q++) s += W[i * n + act[q]];
    h[i] = s - theta[i];
  }
  const dTheta = Math.abs(kwtaShift(h, n, f, sort));
  if (dTheta > 0) {
    const xi = bits.subarray(mu * n, (mu + 1) * n);
    const a = eta * dTheta;
    for (let i = 0; i < n; i++) {
      const ai = a * (xi[i] - f);
      for (let j = 0; j < n; j++) D[i * n + j] = ai * (xi[j] - f);
    }
    mat.addToFactor(0, D);
  }
  mat.clip();
  mat.markDeadRows();
  thresholdEstimate(mat.W, n, f, theta, mat.dead);
  return dTheta;
}

/** Sleep rate η_s(t) = η + (0.4 − η)(1 − e^(−t/40)), constant for z = 1. */
export function sleepRate(t: number, eta: number, z: number): number {
  return z === 1 ? eta : eta + (0.4 - eta) * (1 - Math.exp(-t / 40));
}

/**
 * One sleep step t on the replayed patterns: masks, fields, phase B with η_s(t) for u and θ,
 * clip, normalise. `rows` restricts learning to the neurons active in some replayed pattern.
 */
export function sleepStep(mat: ZFactorMatrix, theta: Float64Array, replay: Patterns, ls: LearningState, beta: number, eta: number, rows: Uint8Array | undefined, t: number): void {
  ls.masksAndFields(mat, theta, replay);
  ls.phaseB(mat, replay, beta, eta, rows);
  ls.update(mat, eta);
  for (let i = 0; i < mat.n; i++) if (mat.dead[i] === 0) theta[i] += ls.dTheta[i];
  assertFiniteTheta(mat, theta, `sleep step ${t}`);
}
