/**
 * zfactor: the z-factor product synapse of Iatropoulos, Gerstner & Brea (2024). Every weight
 * is a product of z non-negative factors, w_ij = Π_k u_ijk, so ∂w_ij/∂u_ijk = Π_{l≠k} u_ijl.
 * Each row (the inputs of one neuron) is held at a fixed norm by homeostatic scaling,
 *
 *   c_i = Σ_{j,k} u_ijk² / (z·L),   u_i ← u_i / √c_i,
 *
 * which multiplies every weight of the row by c_i^(−z/2); with balanced factors Σ_j w^(2/z) = L.
 * A synapse is alive while w > 1e-10; `clip` multiplies the factors by the mask computed before
 * the last update, floors them at 1e-20 and zeroes the diagonal, so a factor driven negative
 * prunes its synapse for good (pruning is absorbing).
 *
 * Storage is dense: factors u[(i·N + j)·z + k] and weights W[i·N + j] in float32 (as the
 * original), with the alive mask in a Uint8Array. A row with no alive input is dead: it is
 * never normalised (that would be 0/0), is frozen, and is reported through `deadRows`.
 *
 * As a synapse model (`zfactor`), a projection from a binary_threshold population onto itself
 * feeds the population's `field` port every tick with Σ_j w_ij s_j of the previous step, for
 * each state column of the population (see models/binary_threshold.ts). Attach the factor
 * matrix with {@link attachFactors} before simulating.
 */
import { defineSynapseModel, type SynapseModel } from '../engine/synapse.js';
import { registerSynapseModel } from '../engine/registry.js';
import { SimulationError } from '../engine/errors.js';
import type { ProjectionData } from '../engine/projection.js';
import type { RandomStream } from '../engine/rng.js';

/** Weights at or below this are pruned. */
export const ALIVE_THRESHOLD = 1e-10;
/** Floor of a clipped factor. */
export const FACTOR_FLOOR = 1e-20;

/** Noise applied to the factors by {@link ZFactorMatrix.perturbed}. */
export type FactorNoise = 'gauss' | 'gauss1' | 'gauss1masked';

/** Dense z-factor weight matrix of N neurons (rows: targets, columns: sources). */
export class ZFactorMatrix {
  /** Factors, (i·N + j)·z + k. */
  readonly u: Float32Array;
  /** Weights Π_k u, i·N + j. */
  readonly W: Float32Array;
  /** 1 where w > 1e-10 at the last `computeMasks`. */
  readonly alive: Uint8Array;
  /** 1 for rows without any alive input (frozen). */
  readonly dead: Uint8Array;

  constructor(
    readonly n: number,
    readonly z: number,
    /** Target of Σ_j w^(2/z) per row. */
    readonly L: number,
    u?: Float32Array,
  ) {
    if (!Number.isInteger(z) || z < 1) throw new SimulationError('invalid_value', `zfactor: z must be a whole number >= 1, got ${z}.`);
    if (!(L > 0)) throw new SimulationError('invalid_value', `zfactor: L must be > 0, got ${L}.`);
    this.u = u ?? new Float32Array(n * n * z);
    if (this.u.length !== n * n * z) throw new SimulationError('invalid_value', `zfactor: expected ${n * n * z} factors for N = ${n}, z = ${z}, got ${this.u.length}.`);
    this.W = new Float32Array(n * n);
    this.alive = new Uint8Array(n * n);
    this.dead = new Uint8Array(n);
    this.recomputeWeights();
    this.computeMasks();
  }

  /** A deep copy. */
  clone(): ZFactorMatrix {
    const m = new ZFactorMatrix(this.n, this.z, this.L, this.u.slice());
    m.alive.set(this.alive);
    m.dead.set(this.dead);
    return m;
  }

  /** W ← Π_k u (float32 products, as the original). */
  recomputeWeights(): void {
    const { u, W, z } = this;
    const nn = this.n * this.n;
    if (z === 1) {
      W.set(u);
      return;
    }
    for (let s = 0; s < nn; s++) {
      let w = u[s * z];
      for (let k = 1; k < z; k++) w = Math.fround(w * u[s * z + k]);
      W[s] = w;
    }
  }

  /** Sets the factors of every diagonal synapse to 0. */
  zeroDiagonal(): void {
    const { n, z, u, W } = this;
    for (let i = 0; i < n; i++) {
      const base = (i * n + i) * z;
      for (let k = 0; k < z; k++) u[base + k] = 0;
      W[i * n + i] = 0;
    }
  }

  /** alive ← W > 1e-10. */
  computeMasks(): void {
    const { W, alive } = this;
    for (let s = 0; s < W.length; s++) alive[s] = W[s] > ALIVE_THRESHOLD ? 1 : 0;
  }

  /** Marks the rows without any alive input dead (frozen from then on); returns the newly dead. */
  markDeadRows(): number[] {
    const { n, W, dead } = this;
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      if (dead[i] === 1) continue;
      let any = false;
      for (let j = 0; j < n && !any; j++) any = W[i * n + j] > ALIVE_THRESHOLD;
      if (!any) {
        dead[i] = 1;
        out.push(i);
      }
    }
    return out;
  }

  /**
   * u_ijk += η_i·G_ij·∂w_ij/∂u_ijk·alive_ij for every live row (η per row, or one value), with
   * ∂w/∂u from the factors before the update. G is N×N, row-major, float64.
   */
  applyFactorGradient(G: Float64Array, eta: number | Float64Array): void {
    const { n, z, u, alive, dead } = this;
    for (let i = 0; i < n; i++) {
      if (dead[i] === 1) continue;
      const e = typeof eta === 'number' ? eta : eta[i];
      for (let j = 0; j < n; j++) {
        const s = i * n + j;
        if (alive[s] === 0) continue;
        const d = e * G[s];
        if (d === 0) continue;
        addProductGradient(u, s * z, z, d);
      }
    }
  }

  /** u_ijk += D_ij for factor k (0-based) of every live row, without ∂w/∂u (wake learning). */
  addToFactor(k: number, D: Float64Array): void {
    const { n, z, u, dead } = this;
    for (let i = 0; i < n; i++) {
      if (dead[i] === 1) continue;
      for (let j = 0; j < n; j++) {
        const s = i * n + j;
        u[s * z + k] = Math.fround(u[s * z + k] + D[s]);
      }
    }
  }

  /**
   * Keeps only the synapses alive at the last `computeMasks`, floors factors at 1e-20, zeroes
   * the diagonal and recomputes W. Dead rows are left as they are.
   */
  clip(): void {
    const { n, z, u, alive, dead } = this;
    for (let i = 0; i < n; i++) {
      if (dead[i] === 1) continue;
      for (let j = 0; j < n; j++) {
        const s = i * n + j;
        const base = s * z;
        if (i === j) {
          for (let k = 0; k < z; k++) u[base + k] = 0;
          continue;
        }
        const a = alive[s];
        for (let k = 0; k < z; k++) {
          const x = a === 1 ? u[base + k] : 0;
          u[base + k] = x > FACTOR_FLOOR ? x : FACTOR_FLOOR;
        }
      }
    }
    this.recomputeWeights();
  }

  /**
   * Homeostatic scaling of every live row with at least one alive input: c_i = Σ u²/(zL),
   * u_i ← u_i/√c_i. Returns c (1 for skipped rows). Rows whose weights are all pruned are
   * marked dead instead of being scaled up from the 1e-20 floor.
   */
  normalize(): Float64Array {
    const { n, z, u, W, dead, L } = this;
    const c = new Float64Array(n).fill(1);
    for (let i = 0; i < n; i++) {
      if (dead[i] === 1) continue;
      let anyAlive = false;
      for (let j = 0; j < n; j++) if (W[i * n + j] > ALIVE_THRESHOLD) anyAlive = true;
      if (!anyAlive) {
        dead[i] = 1;
        continue;
      }
      const start = i * n * z;
      const end = start + n * z;
      let sq = 0;
      for (let q = start; q < end; q++) sq += u[q] * u[q];
      const ci = sq / (z * L);
      c[i] = ci;
      const scale = 1 / Math.sqrt(ci);
      for (let q = start; q < end; q++) u[q] = Math.fround(u[q] * scale);
      for (let j = 0; j < n; j++) {
        const s = i * n + j;
        let w = u[s * z];
        for (let k = 1; k < z; k++) w = Math.fround(w * u[s * z + k]);
        W[s] = w;
      }
    }
    return c;
  }

  /**
   * `clip` then `normalize` in one pass per row (with the weight update): the same result,
   * with one sweep over the factors fewer. Returns c (1 for skipped rows).
   */
  clipNormalize(): Float64Array {
    const { n, z, u, W, alive, dead, L } = this;
    const c = new Float64Array(n).fill(1);
    for (let i = 0; i < n; i++) {
      if (dead[i] === 1) continue;
      let sq = 0;
      let anyAlive = false;
      for (let j = 0; j < n; j++) {
        const s = i * n + j;
        const base = s * z;
        if (i === j) {
          for (let k = 0; k < z; k++) u[base + k] = 0;
          W[s] = 0;
          continue;
        }
        const a = alive[s];
        let w = 1;
        for (let k = 0; k < z; k++) {
          const x0 = a === 1 ? u[base + k] : 0;
          const x = x0 > FACTOR_FLOOR ? x0 : Math.fround(FACTOR_FLOOR);
          u[base + k] = x;
          sq += x * x;
          w = k === 0 ? x : Math.fround(w * x);
        }
        W[s] = w;
        if (w > ALIVE_THRESHOLD) anyAlive = true;
      }
      if (!anyAlive) {
        dead[i] = 1;
        continue;
      }
      const ci = sq / (z * L);
      c[i] = ci;
      const scale = 1 / Math.sqrt(ci);
      for (let j = 0; j < n; j++) {
        const s = i * n + j;
        const base = s * z;
        let w = 1;
        for (let k = 0; k < z; k++) {
          const x = Math.fround(u[base + k] * scale);
          u[base + k] = x;
          w = k === 0 ? x : Math.fround(w * x);
        }
        W[s] = w;
      }
    }
    return c;
  }

  /**
   * Scales each live row to a mean surviving factor of `target` (0.1 for the recall tests):
   * ū_i = Σ_{j,k} u/(z·#alive_i), u ← u·target/ū_i, θ_i ← θ_i·(target/ū_i)^z. Keeps every
   * sign of h and every ℓ_q margin.
   */
  rescaleToMeanU(theta: Float64Array, target = 0.1): void {
    const { n, z, u, W } = this;
    for (let i = 0; i < n; i++) {
      if (this.dead[i] === 1) continue;
      let nAlive = 0;
      for (let j = 0; j < n; j++) if (W[i * n + j] > ALIVE_THRESHOLD) nAlive++;
      if (nAlive === 0) continue;
      const start = i * n * z;
      let sum = 0;
      for (let q = start; q < start + n * z; q++) sum += u[q];
      const scale = target / (sum / (z * nAlive));
      for (let q = start; q < start + n * z; q++) u[q] = Math.fround(u[q] * scale);
      theta[i] *= scale ** z;
    }
    this.recomputeWeights();
  }

  /**
   * A copy with Gaussian noise of standard deviation σ on the factors of the off-diagonal
   * synapses (the diagonal stays 0), clamped at 1e-20 afterwards:
   * 'gauss' all factors; 'gauss1' factor 1, pruned synapses get |n| so they can regrow;
   * 'gauss1masked' factor 1 of alive synapses only. Masks are recomputed on the copy.
   */
  perturbed(type: FactorNoise, sigma: number, rng: RandomStream): ZFactorMatrix {
    const m = this.clone();
    const { n, z, u } = m;
    const W = this.W;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (i === j) continue;
        const s = i * n + j;
        const base = s * z;
        const isAlive = W[s] > ALIVE_THRESHOLD;
        if (type === 'gauss') {
          for (let k = 0; k < z; k++) u[base + k] = Math.fround(u[base + k] + sigma * rng.normal());
        } else if (type === 'gauss1') {
          const x = sigma * rng.normal();
          u[base] = Math.fround(u[base] + (isAlive ? x : Math.abs(x)));
        } else if (isAlive) {
          u[base] = Math.fround(u[base] + sigma * rng.normal());
        }
        for (let k = 0; k < z; k++) if (!(u[base + k] > FACTOR_FLOOR)) u[base + k] = FACTOR_FLOOR;
      }
    }
    m.recomputeWeights();
    m.computeMasks();
    return m;
  }

  /** Indices of the dead rows, ascending. */
  deadRows(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.n; i++) if (this.dead[i] === 1) out.push(i);
    return out;
  }

  /** Per-row alive fraction (w > 1e-10) with N as the divisor, the diagonal counting as absent. */
  rowDensity(): Float64Array {
    const { n, W } = this;
    const d = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let c = 0;
      for (let j = 0; j < n; j++) if (W[i * n + j] > ALIVE_THRESHOLD) c++;
      d[i] = c / n;
    }
    return d;
  }

  /** Density l0: the mean of {@link rowDensity} over all rows. */
  density(): number {
    const d = this.rowDensity();
    let s = 0;
    for (let i = 0; i < d.length; i++) s += d[i];
    return s / d.length;
  }

  /** Σ_j w_ij^q per row (pruned weights included; they add at most N·1e-20^(zq)). */
  lqSum(q: number): Float64Array {
    const { n, W } = this;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) {
        const w = W[i * n + j];
        if (w > 0) s += Math.pow(w, q);
      }
      out[i] = s;
    }
    return out;
  }
}

/**
 * u_k += d·Π_{l≠k} u_l for the z factors at u[base..base+z), with the products taken from
 * the factors before the update (float32, as the original).
 */
export function addProductGradient(u: Float32Array, base: number, z: number, d: number): void {
  if (z === 1) {
    u[base] = Math.fround(u[base] + d);
    return;
  }
  if (z === 2) {
    const a = u[base];
    const b = u[base + 1];
    u[base] = Math.fround(a + Math.fround(d * b));
    u[base + 1] = Math.fround(b + Math.fround(d * a));
    return;
  }
  // Prefix and suffix products give every Π_{l≠k} without division (a factor may be 0).
  let prefix = 1;
  const old = PRODUCT_SCRATCH;
  for (let k = 0; k < z; k++) old[k] = u[base + k];
  for (let k = 0; k < z; k++) {
    let suffix = 1;
    for (let l = k + 1; l < z; l++) suffix = Math.fround(suffix * old[l]);
    u[base + k] = Math.fround(old[k] + Math.fround(d * Math.fround(prefix * suffix)));
    prefix = Math.fround(prefix * old[k]);
  }
}
const PRODUCT_SCRATCH = new Float64Array(64);

/** ∂w/∂u_k = Π_{l≠k} u_l for one synapse (tests, documentation). */
export function productGradient(factors: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let k = 0; k < factors.length; k++) {
    let p = 1;
    for (let l = 0; l < factors.length; l++) if (l !== k) p *= factors[l];
    out.push(p);
  }
  return out;
}

/** State of a zfactor projection. */
interface ZFactorState {
  matrix: ZFactorMatrix | null;
  /** Σ_j w_ij s_j per unit as of `lastS` (null until the first tick after an attach). */
  field: Float64Array | null;
  /** The source state the cached field belongs to. */
  lastS: Float64Array;
  /** Active-unit scratch. */
  act: Uint32Array;
}

/**
 * Gives a zfactor projection the weight matrix it reads from (shared, not copied). Call it
 * again whenever the matrix has changed: the projection caches the fields of the last tick and
 * updates them from the units that flipped since, which is exact only for fixed weights.
 */
export function attachFactors(proj: ProjectionData, matrix: ZFactorMatrix): void {
  if (proj.synapse.name !== 'zfactor') {
    throw new SimulationError('invalid_value', `projection '${proj.source.name}' -> '${proj.targetPopulation.name}' uses '${proj.synapse.name}', not zfactor.`);
  }
  const cols = proj.source.n / matrix.n;
  if (proj.source !== proj.targetPopulation || !Number.isInteger(cols)) {
    throw new SimulationError(
      'invalid_connection',
      `zfactor: connect a binary_threshold population onto itself whose size is a multiple of N = ${matrix.n} (got '${proj.source.name}' of ${proj.source.n} -> '${proj.targetPopulation.name}').`,
    );
  }
  const st = proj.state as ZFactorState;
  st.matrix = matrix;
  st.field = null;
}

/** Σ_j w_ij s_j of every column from scratch. */
function fullField(m: ZFactorMatrix, S: Float64Array, field: Float64Array, act: Uint32Array): void {
  const n = m.n;
  const W = m.W;
  const cols = S.length / n;
  for (let c = 0; c < cols; c++) {
    const off = c * n;
    let na = 0;
    for (let j = 0; j < n; j++) if (S[off + j] !== 0) act[na++] = j;
    for (let i = 0; i < n; i++) {
      let h = 0;
      const row = i * n;
      for (let q = 0; q < na; q++) h += W[row + act[q]];
      field[off + i] = h;
    }
  }
}

export const zfactor: SynapseModel = defineSynapseModel({
  name: 'zfactor',
  doc: 'z-factor product synapse with homeostatic row scaling and absorbing pruning (Iatropoulos et al. 2024); a dense per-tick synapse feeding Σ_j w_ij s_j into binary_threshold.',
  params: {},
  plastic: true,
  init(proj): ZFactorState {
    return { matrix: null, field: null, lastS: new Float64Array(proj.source.n), act: new Uint32Array(proj.source.n) };
  },
  tickInput(proj, st: ZFactorState, _step, base) {
    const m = st.matrix;
    if (m === null) throw new SimulationError('invalid_state', `zfactor projection '${proj.source.name}': no factor matrix attached; call attachFactors(proj, matrix) before simulate().`);
    const S = proj.source.s.s;
    const n = m.n;
    const W = m.W;
    const last = st.lastS;
    let field = st.field;
    if (field === null) {
      field = st.field = new Float64Array(S.length);
      fullField(m, S, field, st.act);
    } else {
      // Only the units that flipped since the last tick change the fields.
      const cols = S.length / n;
      for (let c = 0; c < cols; c++) {
        const off = c * n;
        for (let j = 0; j < n; j++) {
          const d = S[off + j] - last[off + j];
          if (d === 0) continue;
          for (let i = 0; i < n; i++) field[off + i] += d * W[i * n + j];
        }
      }
    }
    last.set(S);
    const buf = proj.bufPos;
    for (let q = 0; q < S.length; q++) buf[base + q] += field[q];
  },
});

registerSynapseModel(zfactor);
