/**
 * Weight histograms (spec §6): off-diagonal alive weights scaled to mean 0.1 in 50 log bins on
 * [1e-3, 1]; pruned weights (0 < w ≤ 1e-10) in 32 log bins on [1e-41, 1e-9]; exact zeros apart.
 */
import { ALIVE_THRESHOLD, type ZFactorMatrix } from '../../synapses/zfactor.js';

/** One row of weight_hist. */
export interface HistRow {
  z: number;
  alpha: number;
  stage: string;
  kind: 'alive' | 'pruned' | 'zero';
  bin_lo: number;
  bin_hi: number;
  count: number;
}

function logBins(values: number[], lo: number, hi: number, nBins: number, base: Omit<HistRow, 'bin_lo' | 'bin_hi' | 'count'>): HistRow[] {
  const a = Math.log10(lo);
  const b = Math.log10(hi);
  const counts = new Array<number>(nBins).fill(0);
  for (const v of values) {
    const k = Math.floor(((Math.log10(v) - a) / (b - a)) * nBins);
    if (k >= 0 && k < nBins) counts[k]++;
    else if (k === nBins && Math.log10(v) === b) counts[nBins - 1]++;
  }
  return counts.map((count, k) => ({ ...base, bin_lo: 10 ** (a + ((b - a) * k) / nBins), bin_hi: 10 ** (a + ((b - a) * (k + 1)) / nBins), count }));
}

/** The histogram rows of one weight matrix. */
export function weightHistogram(mat: ZFactorMatrix, key: { z: number; alpha: number; stage: string }): HistRow[] {
  const { n, W } = mat;
  const alive: number[] = [];
  const pruned: number[] = [];
  let zeros = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const w = W[i * n + j];
      if (w > ALIVE_THRESHOLD) alive.push(w);
      else if (w > 0) pruned.push(w);
      else zeros++;
    }
  }
  const mean = alive.reduce((s, x) => s + x, 0) / Math.max(1, alive.length);
  const scaled = alive.map((w) => (0.1 * w) / mean);
  return [
    ...logBins(scaled, 1e-3, 1, 50, { ...key, kind: 'alive' }),
    ...logBins(pruned, 1e-41, 1e-9, 32, { ...key, kind: 'pruned' }),
    { ...key, kind: 'zero', bin_lo: 0, bin_hi: 0, count: zeros },
  ];
}
