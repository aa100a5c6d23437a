/** Firing statistics of a recorded spike train. */

/** Rates and irregularity of a set of neurons over a duration. */
export interface FiringStats {
  spikes: number;
  /** Mean rate over all neurons (Hz). */
  mean_rate_hz: number;
  /** Per-neuron rates (Hz), index = id − firstId. */
  rates: Float64Array;
  /** Mean coefficient of variation of the inter-spike intervals, over neurons with ≥ 3 spikes. */
  cv_isi: number;
}

/**
 * Computes rates and CV of ISIs for neurons [firstId, firstId + n) from spike columns sorted
 * by time.
 */
export function firingStats(ids: ArrayLike<number>, times: ArrayLike<number>, firstId: number, n: number, durationMs: number): FiringStats {
  const counts = new Float64Array(n);
  const last = new Float64Array(n).fill(NaN);
  const sum = new Float64Array(n);
  const sumSq = new Float64Array(n);
  let spikes = 0;
  for (let r = 0; r < ids.length; r++) {
    const i = ids[r] - firstId;
    if (i < 0 || i >= n) continue;
    spikes++;
    const t = times[r];
    if (!Number.isNaN(last[i])) {
      const isi = t - last[i];
      sum[i] += isi;
      sumSq[i] += isi * isi;
    }
    last[i] = t;
    counts[i]++;
  }
  const rates = new Float64Array(n);
  let cvSum = 0;
  let cvN = 0;
  for (let i = 0; i < n; i++) {
    rates[i] = (counts[i] * 1000) / durationMs;
    const k = counts[i] - 1;
    if (k >= 2) {
      const mean = sum[i] / k;
      const variance = Math.max(0, sumSq[i] / k - mean * mean);
      cvSum += Math.sqrt(variance) / mean;
      cvN++;
    }
  }
  return { spikes, mean_rate_hz: (spikes * 1000) / (n * durationMs), rates, cv_isi: cvN ? cvSum / cvN : NaN };
}
