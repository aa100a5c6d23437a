/**
 * Margins and other measures of a trained network (spec §4). Per neuron, then mean ± std over
 * the neurons included (live rows, optionally restricted to a subset such as the neurons
 * active in some replayed pattern).
 */
import type { ZFactorMatrix } from '../../synapses/zfactor.js';
import { computeFields, sgn } from './learning.js';
import type { Patterns } from './patterns.js';

/** Mean and (population) standard deviation; NaN for an empty list. */
export function meanStd(xs: readonly number[]): { mean: number; std: number } {
  if (xs.length === 0) return { mean: NaN, std: NaN };
  let s = 0;
  for (const x of xs) s += x;
  const mean = s / xs.length;
  let v = 0;
  for (const x of xs) v += (x - mean) * (x - mean);
  return { mean, std: Math.sqrt(v / xs.length) };
}

/** Per-neuron measures of §4 (NaN for excluded neurons). */
export interface NeuronMeasures {
  error: Float64Array;
  kappa: Float64Array;
  avgMargin: Float64Array;
  rho: Float64Array;
  l23: Float64Array;
  l24: Float64Array;
  syn: Float64Array;
  /** min_μ y h (unnormalised). */
  minYh: Float64Array;
}

/** The §4 per-neuron measures on the given patterns; rows with include[i] = 0 or dead get NaN. */
export function neuronMeasures(mat: ZFactorMatrix, theta: Float64Array, pats: Patterns, include?: Uint8Array): NeuronMeasures {
  const { n, z, W } = mat;
  const { m, bits, f } = pats;
  const h = new Float64Array(n * m);
  computeFields(mat, theta, pats, h);
  const out: NeuronMeasures = {
    error: new Float64Array(n).fill(NaN),
    kappa: new Float64Array(n).fill(NaN),
    avgMargin: new Float64Array(n).fill(NaN),
    rho: new Float64Array(n).fill(NaN),
    l23: new Float64Array(n).fill(NaN),
    l24: new Float64Array(n).fill(NaN),
    syn: new Float64Array(n).fill(NaN),
    minYh: new Float64Array(n).fill(NaN),
  };
  const synQ = 2 - 2 / z;
  for (let i = 0; i < n; i++) {
    if (mat.dead[i] === 1 || (include !== undefined && include[i] === 0)) continue;
    let err = 0;
    let minYh = Infinity;
    let sumYh = 0;
    for (let mu = 0; mu < m; mu++) {
      const y = 2 * bits[mu * n + i] - 1;
      const hv = h[i * m + mu];
      err += (1 - y * sgn(hv)) / 2;
      const yh = y * hv;
      sumYh += yh;
      if (yh < minYh) minYh = yh;
    }
    let s1 = 0;
    let s2 = 0;
    let s23 = 0;
    let s24 = 0;
    let sSyn = 0;
    for (let j = 0; j < n; j++) {
      const w = W[i * n + j];
      if (!(w > 0)) continue;
      s1 += w;
      s2 += w * w;
      s23 += Math.pow(w, 2 / 3);
      s24 += Math.sqrt(w);
      if (z > 1) sSyn += Math.pow(w, synQ);
    }
    const l2 = Math.sqrt(s2);
    out.error[i] = err / m;
    out.minYh[i] = minYh;
    out.kappa[i] = minYh / l2;
    out.avgMargin[i] = sumYh / m / l2;
    out.rho[i] = minYh / ((s1 / n) * Math.sqrt(n * f * (1 - f)));
    out.l23[i] = minYh / Math.pow(s23, 3 / 2);
    out.l24[i] = minYh / (s24 * s24);
    out.syn[i] = z === 1 ? minYh / Math.sqrt(n) : minYh / Math.sqrt(sSyn);
  }
  return out;
}

/** Mean ± std of a per-neuron array over its finite entries. */
export function summarise(xs: Float64Array): { mean: number; std: number } {
  const v: number[] = [];
  for (const x of xs) if (!Number.isNaN(x)) v.push(x);
  return meanStd(v);
}

/** 1 − mean |w_ij − w_ji|/(w_ij + w_ji) over pairs i < j with a nonzero sum. */
export function symmetry(mat: ZFactorMatrix): number {
  const { n, W } = mat;
  let s = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = W[i * n + j];
      const b = W[j * n + i];
      if (a + b > 0) {
        s += Math.abs(a - b) / (a + b);
        c++;
      }
    }
  }
  return c > 0 ? 1 - s / c : NaN;
}

/** Per pattern: min over included live neurons of y h/‖w_i‖₂. */
export function patternRadii(mat: ZFactorMatrix, theta: Float64Array, pats: Patterns, include?: Uint8Array): Float64Array {
  const { n, W } = mat;
  const { m, bits } = pats;
  const h = new Float64Array(n * m);
  computeFields(mat, theta, pats, h);
  const r = new Float64Array(m).fill(Infinity);
  for (let i = 0; i < n; i++) {
    if (mat.dead[i] === 1 || (include !== undefined && include[i] === 0)) continue;
    let s2 = 0;
    for (let j = 0; j < n; j++) s2 += W[i * n + j] * W[i * n + j];
    const l2 = Math.sqrt(s2);
    for (let mu = 0; mu < m; mu++) {
      const v = ((2 * bits[mu * n + i] - 1) * h[i * m + mu]) / l2;
      if (v < r[mu]) r[mu] = v;
    }
  }
  for (let mu = 0; mu < m; mu++) if (r[mu] === Infinity) r[mu] = NaN;
  return r;
}

/**
 * Selectivity (1 − A)/(1 − 1/n) with A = (mean r)²/mean(r²) over the n patterns, r = Wξ, per
 * included neuron, averaged over neurons.
 */
export function selectivity(mat: ZFactorMatrix, pats: Patterns, include?: Uint8Array): number {
  const { n } = mat;
  const { m } = pats;
  const zero = new Float64Array(n);
  const h = new Float64Array(n * m);
  computeFields(mat, zero, pats, h);
  const vals: number[] = [];
  for (let i = 0; i < n; i++) {
    if (mat.dead[i] === 1 || (include !== undefined && include[i] === 0)) continue;
    let s = 0;
    let s2 = 0;
    for (let mu = 0; mu < m; mu++) {
      s += h[i * m + mu];
      s2 += h[i * m + mu] * h[i * m + mu];
    }
    if (s2 === 0 || m < 2) continue;
    const A = (s / m) ** 2 / (s2 / m);
    vals.push((1 - A) / (1 - 1 / m));
  }
  return meanStd(vals).mean;
}

/** Σ_j w^(2/z) per row compared with L: mean over live rows and the largest relative deviation. */
export function lqSumStats(mat: ZFactorMatrix): { mean: number; maxRelDev: number } {
  const sums = mat.lqSum(2 / mat.z);
  let s = 0;
  let c = 0;
  let dev = 0;
  for (let i = 0; i < mat.n; i++) {
    if (mat.dead[i] === 1) continue;
    s += sums[i];
    c++;
    dev = Math.max(dev, Math.abs(sums[i] - mat.L) / mat.L);
  }
  return { mean: c > 0 ? s / c : NaN, maxRelDev: c > 0 ? dev : NaN };
}

/** Neurons active in at least one of the patterns. */
export function activeNeurons(pats: Patterns): Uint8Array {
  const a = new Uint8Array(pats.n);
  for (let q = 0; q < pats.act.length; q++) a[pats.act[q]] = 1;
  return a;
}
