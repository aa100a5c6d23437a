/**
 * Analyses of synaptic-size time series (spec §6): the conserved norm q_min by a bootstrap of
 * the CV rank, and the scaling of |Δw| with w. Input is a time-major matrix w[t·nS + s] of nT
 * samples of nS synapses.
 */
import type { RandomStream } from '../../engine/rng.js';
import { olsSlope } from '../stats.js';

/** A time-major sample matrix. */
export interface SampleMatrix {
  nT: number;
  nS: number;
  w: Float64Array;
}

/** q = 0.1 … 4.4 in steps of 0.1. */
export const Q_GRID: readonly number[] = Array.from({ length: 44 }, (_, k) => (k + 1) / 10);

/** Result of {@link cvRankQmin}. */
export interface QminResult {
  qmin_mean: number;
  qmin_std: number;
  /** Mean CV-rank curve over resamples, one value per q. */
  rank_mean: number[];
  rank_std: number[];
  /** The CV-rank curve of every resample (B × nQ), for comparing curves. */
  curves: Float64Array;
}

/**
 * Bootstrap CV rank: B resamples (resample 0 the data), each an index matrix drawn with
 * replacement independently per time column and shared across q; norm_q(t) = (Σ_s w^q)^(1/q);
 * CV = std_t/mean_t (ddof 0); CVs min–max normalised over q per resample; q_min the argmin.
 */
export function cvRankQmin(data: SampleMatrix, B: number, rng: RandomStream, qs: readonly number[] = Q_GRID): QminResult {
  const { nT, nS, w } = data;
  const nQ = qs.length;
  // w^q for every (q, t, s) once: each resample then only gathers sums.
  const pw = new Float64Array(nQ * nT * nS);
  for (let a = 0; a < nQ; a++) for (let x = 0; x < nT * nS; x++) pw[a * nT * nS + x] = Math.pow(w[x], qs[a]);
  const idx = new Uint32Array(nT * nS);
  const sums = new Float64Array(nQ * nT);
  const curves = new Float64Array(B * nQ);
  const qmins: number[] = [];
  const cv = new Float64Array(nQ);
  for (let b = 0; b < B; b++) {
    for (let x = 0; x < nT * nS; x++) idx[x] = b === 0 ? x % nS : rng.int(nS);
    sums.fill(0);
    for (let a = 0; a < nQ; a++) {
      const base = a * nT * nS;
      for (let t = 0; t < nT; t++) {
        let s = 0;
        const row = base + t * nS;
        for (let k = 0; k < nS; k++) s += pw[row + idx[t * nS + k]];
        sums[a * nT + t] = Math.pow(s, 1 / qs[a]);
      }
    }
    let lo = Infinity;
    let hi = -Infinity;
    for (let a = 0; a < nQ; a++) {
      let mean = 0;
      for (let t = 0; t < nT; t++) mean += sums[a * nT + t];
      mean /= nT;
      let v = 0;
      for (let t = 0; t < nT; t++) v += (sums[a * nT + t] - mean) ** 2;
      cv[a] = Math.sqrt(v / nT) / mean;
      if (cv[a] < lo) lo = cv[a];
      if (cv[a] > hi) hi = cv[a];
    }
    let arg = 0;
    for (let a = 0; a < nQ; a++) {
      const r = hi > lo ? (cv[a] - lo) / (hi - lo) : 0;
      curves[b * nQ + a] = r;
      if (r < curves[b * nQ + arg]) arg = a;
    }
    qmins.push(qs[arg]);
  }
  const rank_mean: number[] = [];
  const rank_std: number[] = [];
  for (let a = 0; a < nQ; a++) {
    let s = 0;
    for (let b = 0; b < B; b++) s += curves[b * nQ + a];
    const mean = s / B;
    let v = 0;
    for (let b = 0; b < B; b++) v += (curves[b * nQ + a] - mean) ** 2;
    rank_mean.push(mean);
    rank_std.push(Math.sqrt(v / B));
  }
  const qm = qmins.reduce((x, y) => x + y, 0) / B;
  const qs2 = qmins.reduce((x, y) => x + (y - qm) ** 2, 0) / B;
  return { qmin_mean: qm, qmin_std: Math.sqrt(qs2), rank_mean, rank_std, curves };
}

/** R² of a model curve against every resample curve of the data: 1 − SS_res/SS_tot. */
export function curveR2(model: readonly number[], dataCurves: Float64Array, nQ: number): number {
  const B = dataCurves.length / nQ;
  let mean = 0;
  for (let x = 0; x < dataCurves.length; x++) mean += dataCurves[x];
  mean /= dataCurves.length;
  let res = 0;
  let tot = 0;
  for (let b = 0; b < B; b++) {
    for (let a = 0; a < nQ; a++) {
      const d = dataCurves[b * nQ + a];
      res += (d - model[a]) ** 2;
      tot += (d - mean) ** 2;
    }
  }
  return tot > 0 ? 1 - res / tot : NaN;
}

/** Points of the |Δw|-vs-w scaling of one sign, and the fitted slope. */
export interface ScalingBranch {
  w: number[];
  dw_avg: number[];
  slope: number;
}

/** Centred moving average of |Δw| over pairs sorted by w; the slope of log10 avg vs log10 w. */
export function scalingBranch(pairs: { w: number; dw: number }[]): ScalingBranch {
  pairs.sort((a, b) => a.w - b.w);
  const n = pairs.length;
  const nw = Math.max(Math.round(n / 20), 10);
  const left = Math.floor(nw / 2);
  const w: number[] = [];
  const avg: number[] = [];
  for (let c = left; c - left + nw <= n; c++) {
    let s = 0;
    for (let k = c - left; k < c - left + nw; k++) s += Math.abs(pairs[k].dw);
    if (!(pairs[c].w > 0)) continue;
    w.push(pairs[c].w);
    avg.push(s / nw);
  }
  const slope = olsSlope(
    w.map((x) => Math.log10(x)),
    avg.map((x) => Math.log10(x)),
  );
  return { w, dw_avg: avg, slope };
}

/**
 * |Δw| scaling with lag ℓ: for each offset o < min(ℓ, nT − ℓ) the columns o, o+ℓ, … give the
 * pairs (w_t, w_{t+ℓ} − w_t); LTP (Δw > 0) and LTD (Δw < 0) are fitted apart, Δw = 0 dropped.
 */
export function dwScalingSlope(data: SampleMatrix, lag: number): { ltp: ScalingBranch; ltd: ScalingBranch } {
  const { nT, nS, w } = data;
  const ltp: { w: number; dw: number }[] = [];
  const ltd: { w: number; dw: number }[] = [];
  for (let o = 0; o < Math.min(lag, nT - lag); o++) {
    for (let t = o; t + lag < nT; t += lag) {
      for (let s = 0; s < nS; s++) {
        const a = w[t * nS + s];
        const d = w[(t + lag) * nS + s] - a;
        if (d > 0) ltp.push({ w: a, dw: d });
        else if (d < 0) ltd.push({ w: a, dw: d });
      }
    }
  }
  return { ltp: scalingBranch(ltp), ltd: scalingBranch(ltd) };
}
