/**
 * Analyses of one run of the wta-sequence experiment (spec §5 "Definitions"), as pure
 * functions over typed arrays.
 *
 * Conventions:
 * - Time is in steps from the run start (step t covers [t·dt, (t+1)·dt)); dt in ms (default 1).
 *   A spike stamped t belongs to step t, so it is a pattern spike when patternTrace[t] >= 0.
 * - Neurons are 0-based indices k in [0, nNeurons) (network id minus the first id). Spikes with
 *   an index or step outside the run are ignored.
 * - Per-step matrices (model rates r_k(t) in Hz, states s_k(t)) are step-major:
 *   `m[t * nNeurons + k]`.
 * - A *complete presentation* is a pattern phase [start, end) with 0 <= start and end <= nSteps.
 * - Undefined results are NaN (the summary writer turns NaN into null).
 */
import { nanMean, pearson } from '../stats.js';

export { pearson };
import type { Phase } from './types.js';

/** Spikes of a run: parallel arrays of stamp steps and neuron (or channel) indices. */
export interface RunSpikes {
  steps: ArrayLike<number>;
  ids: ArrayLike<number>;
}

function checkSpikes(sp: RunSpikes): void {
  if (sp.steps.length !== sp.ids.length) throw new RangeError(`spike arrays differ in length: ${sp.steps.length} steps, ${sp.ids.length} ids`);
}

/** Per-neuron rates (Hz) over the whole run, its pattern steps and its noise steps. */
export interface PatternNoiseRates {
  rate: Float64Array;
  ratePattern: Float64Array;
  rateNoise: Float64Array;
  /** Duration of the pattern and noise steps (s). */
  patternSeconds: number;
  noiseSeconds: number;
}

/**
 * Spikes per second of every neuron over the run (patternTrace.length steps), over its pattern
 * steps (patternTrace >= 0) and over its noise steps. A rate over zero steps is NaN.
 */
export function patternNoiseRates(spikes: RunSpikes, nNeurons: number, patternTrace: ArrayLike<number>, dtMs = 1): PatternNoiseRates {
  checkSpikes(spikes);
  const nSteps = patternTrace.length;
  let nPat = 0;
  for (let t = 0; t < nSteps; t++) if (patternTrace[t] >= 0) nPat++;
  const cAll = new Float64Array(nNeurons);
  const cPat = new Float64Array(nNeurons);
  const { steps, ids } = spikes;
  for (let i = 0; i < steps.length; i++) {
    const t = steps[i];
    const k = ids[i];
    if (t < 0 || t >= nSteps || k < 0 || k >= nNeurons) continue;
    cAll[k]++;
    if (patternTrace[t] >= 0) cPat[k]++;
  }
  const dtS = dtMs / 1000;
  const allS = nSteps * dtS;
  const patS = nPat * dtS;
  const noiseS = (nSteps - nPat) * dtS;
  const rate = new Float64Array(nNeurons);
  const ratePattern = new Float64Array(nNeurons);
  const rateNoise = new Float64Array(nNeurons);
  for (let k = 0; k < nNeurons; k++) {
    rate[k] = nSteps > 0 ? cAll[k] / allS : NaN;
    ratePattern[k] = nPat > 0 ? cPat[k] / patS : NaN;
    rateNoise[k] = nSteps - nPat > 0 ? (cAll[k] - cPat[k]) / noiseS : NaN;
  }
  return { rate, ratePattern, rateNoise, patternSeconds: patS, noiseSeconds: noiseS };
}

/**
 * Fractions of all neurons with rate_pattern > 2·rate_noise (`gt2x`) and with
 * rate_pattern < 0.5·rate_noise (`ltHalf`). A neuron with a NaN rate satisfies neither.
 * NaN for zero neurons.
 */
export function selectiveFractions(ratePattern: ArrayLike<number>, rateNoise: ArrayLike<number>): { gt2x: number; ltHalf: number } {
  const n = ratePattern.length;
  if (rateNoise.length !== n) throw new RangeError(`rate arrays differ in length: ${n} vs ${rateNoise.length}`);
  if (n === 0) return { gt2x: NaN, ltHalf: NaN };
  let gt = 0;
  let lt = 0;
  for (let k = 0; k < n; k++) {
    if (ratePattern[k] > 2 * rateNoise[k]) gt++;
    if (ratePattern[k] < 0.5 * rateNoise[k]) lt++;
  }
  return { gt2x: gt / n, ltHalf: lt / n };
}

/**
 * The complete pattern presentations of a run of nSteps steps, in time order: pattern phases
 * (patternId >= 0, optionally only `patternId`) with start >= 0 and end <= nSteps.
 */
export function completePresentations(phases: readonly Phase[], nSteps: number, patternId?: number): Phase[] {
  const out = phases.filter((p) => p.patternId >= 0 && p.start >= 0 && p.end <= nSteps && p.end > p.start && (patternId === undefined || p.patternId === patternId));
  return out.sort((a, b) => a.start - b.start);
}

/** Spike counts per neuron and bin over a set of presentations. */
interface BinCounts {
  /** counts[k * nBins + b] */
  counts: Float64Array;
  nBins: number;
}

/**
 * Counts spikes in bins of `binSteps` from each selected presentation's start. All
 * presentations use nBins = floor(Lmin / binSteps) full bins, Lmin the shortest presentation
 * (presentations differ only under time warp); a remainder shorter than a bin is ignored.
 */
function binCounts(spikes: RunSpikes, nNeurons: number, pres: readonly Phase[], binSteps: number, select: (i: number) => boolean): BinCounts {
  let lMin = Infinity;
  for (const p of pres) lMin = Math.min(lMin, p.end - p.start);
  const nBins = pres.length > 0 ? Math.floor(lMin / binSteps) : 0;
  const counts = new Float64Array(nNeurons * nBins);
  if (nBins === 0) return { counts, nBins };
  const starts = pres.map((p) => p.start);
  const span = nBins * binSteps;
  const { steps, ids } = spikes;
  for (let i = 0; i < steps.length; i++) {
    const t = steps[i];
    const k = ids[i];
    if (k < 0 || k >= nNeurons) continue;
    // Last presentation starting at or before t (presentations do not overlap).
    let lo = 0;
    let hi = starts.length - 1;
    let j = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] <= t) {
        j = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (j < 0 || !select(j)) continue;
    const off = t - starts[j];
    if (off >= span) continue;
    counts[k * nBins + Math.floor(off / binSteps)]++;
  }
  return { counts, nBins };
}

/** PSTH of every neuron (Hz), psth[k * nBins + b]. */
export interface Psth {
  psth: Float64Array;
  nBins: number;
  nPresentations: number;
  /** Bin width (steps). */
  binSteps: number;
}

/**
 * Per neuron, spike counts in bins of binMs (20 ms) over the presentations `pres` (use
 * {@link completePresentations}), divided by nPresentations · bin width in s (Hz).
 * Bins: see the note on full bins at {@link binCounts}. No presentations give nBins = 0.
 */
export function psth(spikes: RunSpikes, nNeurons: number, pres: readonly Phase[], binMs = 20, dtMs = 1): Psth {
  checkSpikes(spikes);
  const binSteps = Math.max(1, Math.round(binMs / dtMs));
  const { counts, nBins } = binCounts(spikes, nNeurons, pres, binSteps, () => true);
  const scale = pres.length > 0 ? 1 / (pres.length * binSteps * (dtMs / 1000)) : 0;
  for (let i = 0; i < counts.length; i++) counts[i] *= scale;
  return { psth: counts, nBins, nPresentations: pres.length, binSteps };
}

/**
 * Fraction of all neurons whose largest PSTH bin (Hz) exceeds 3·rateNoise[k]. NaN without
 * bins or neurons.
 */
export function psthPeakFraction(p: Psth, rateNoise: ArrayLike<number>): number {
  const n = rateNoise.length;
  if (p.nBins === 0 || n === 0) return NaN;
  let hits = 0;
  for (let k = 0; k < n; k++) {
    let m = -Infinity;
    for (let b = 0; b < p.nBins; b++) m = Math.max(m, p.psth[k * p.nBins + b]);
    if (m > 3 * rateNoise[k]) hits++;
  }
  return hits / n;
}

/** Odd/even reliability of the PSTHs. */
export interface Reliability {
  /** Mean r over neurons with nonzero variance in both halves (NaN if none). */
  mean: number;
  /** Number of neurons in that mean (psth_reliability_n_neurons). */
  nNeurons: number;
  /** Fraction of all neurons with r > 0.5 (undefined r counts as not). */
  fracGt0p5: number;
  /** Per-neuron r (NaN where undefined). */
  r: Float64Array;
  /** Complete presentations used; the acceptance needs at least 6. */
  nPresentations: number;
}

/**
 * Per neuron, the Pearson r between the PSTH averaged over presentations 1, 3, 5, … and the one
 * averaged over 2, 4, 6, … (1-based, in time order; `pres` from {@link completePresentations}).
 * Computed on the integer bin counts, so "zero variance" is exact; r does not depend on the
 * Hz scaling. Fewer than two presentations give NaN.
 */
export function oddEvenReliability(spikes: RunSpikes, nNeurons: number, pres: readonly Phase[], binMs = 20, dtMs = 1): Reliability {
  checkSpikes(spikes);
  const binSteps = Math.max(1, Math.round(binMs / dtMs));
  const r = new Float64Array(nNeurons).fill(NaN);
  const out = (mean: number, n: number, frac: number): Reliability => ({ mean, nNeurons: n, fracGt0p5: frac, r, nPresentations: pres.length });
  if (pres.length < 2) return out(NaN, 0, nNeurons > 0 ? 0 : NaN);
  const odd = binCounts(spikes, nNeurons, pres, binSteps, (i) => i % 2 === 0);
  const even = binCounts(spikes, nNeurons, pres, binSteps, (i) => i % 2 === 1);
  const nb = odd.nBins;
  let sum = 0;
  let n = 0;
  let gt = 0;
  for (let k = 0; k < nNeurons; k++) {
    if (!varies(odd.counts, k * nb, nb) || !varies(even.counts, k * nb, nb)) continue;
    const v = pearson(odd.counts, even.counts, nb, k * nb, k * nb);
    r[k] = v;
    if (Number.isNaN(v)) continue;
    sum += v;
    n++;
    if (v > 0.5) gt++;
  }
  return out(n > 0 ? sum / n : NaN, n, nNeurons > 0 ? gt / nNeurons : NaN);
}

function varies(a: ArrayLike<number>, off: number, n: number): boolean {
  for (let i = 1; i < n; i++) if (a[off + i] !== a[off]) return true;
  return false;
}

/**
 * Copies rates of neuron k over [start, start+len) into `dst` (length L), resampling linearly
 * at positions τ·len/L when len differs from L (time-warped presentations).
 */
function presentationTrace(rates: ArrayLike<number>, nNeurons: number, k: number, start: number, len: number, dst: Float64Array): void {
  const L = dst.length;
  if (len === L) {
    for (let i = 0; i < L; i++) dst[i] = rates[(start + i) * nNeurons + k];
    return;
  }
  for (let i = 0; i < L; i++) {
    const x = Math.min((i * len) / L, len - 1);
    const i0 = Math.floor(x);
    const i1 = Math.min(i0 + 1, len - 1);
    const f = x - i0;
    dst[i] = (1 - f) * rates[(start + i0) * nNeurons + k] + f * rates[(start + i1) * nNeurons + k];
  }
}

/** Result of {@link spikeCorrelation}. */
export interface SpikeCorrelation {
  /** Mean over the included neurons of (r12 + r13) / 2; NaN when none is included. */
  corr: number;
  /** Neurons included. */
  nNeurons: number;
  /** Per neuron r between presentations 1 and 2, and 1 and 3 (NaN where undefined). */
  r12: Float64Array;
  r13: Float64Array;
}

/**
 * spikeCorrelation(rThresh): per neuron, the Pearson r of the model rate r_k(t) (Hz) between
 * complete presentations 1 and 2 and between 1 and 3 (presentations 2 and 3 are resampled
 * linearly to the length of presentation 1 if warped). A neuron is included when its peak
 * rate exceeds rThresh in each of presentations 1, 2 and 3 and both r are defined; the result
 * is the mean over included neurons of (r12 + r13)/2, which equals the mean of the two
 * per-pair averages over that common set. Fewer than three presentations give NaN.
 *
 * @param rates step-major r_k(t) in Hz over the run
 */
export function spikeCorrelation(rates: ArrayLike<number>, nNeurons: number, pres: readonly Phase[], rThresh: number): SpikeCorrelation {
  const r12 = new Float64Array(nNeurons).fill(NaN);
  const r13 = new Float64Array(nNeurons).fill(NaN);
  if (pres.length < 3) return { corr: NaN, nNeurons: 0, r12, r13 };
  const [p1, p2, p3] = pres;
  const L = p1.end - p1.start;
  const a = new Float64Array(L);
  const b = new Float64Array(L);
  const c = new Float64Array(L);
  let sum = 0;
  let n = 0;
  for (let k = 0; k < nNeurons; k++) {
    presentationTrace(rates, nNeurons, k, p1.start, L, a);
    presentationTrace(rates, nNeurons, k, p2.start, p2.end - p2.start, b);
    presentationTrace(rates, nNeurons, k, p3.start, p3.end - p3.start, c);
    r12[k] = pearson(a, b);
    r13[k] = pearson(a, c);
    if (!(peak(rates, nNeurons, k, p1) > rThresh && peak(rates, nNeurons, k, p2) > rThresh && peak(rates, nNeurons, k, p3) > rThresh)) continue;
    if (Number.isNaN(r12[k]) || Number.isNaN(r13[k])) continue;
    sum += (r12[k] + r13[k]) / 2;
    n++;
  }
  return { corr: n > 0 ? sum / n : NaN, nNeurons: n, r12, r13 };
}

function peak(rates: ArrayLike<number>, nNeurons: number, k: number, p: Phase): number {
  let m = -Infinity;
  for (let t = p.start; t < p.end; t++) m = Math.max(m, rates[t * nNeurons + k]);
  return m;
}

/** Result of {@link getOrder}. */
export interface NeuronOrder {
  /** Neuron indices sorted by peak time (ties and NaN peaks by index, NaN last). */
  order: Int32Array;
  /** Per neuron (by index), the peak time within the presentation (steps, in [0, L)); NaN if undefined. */
  peakTime: Float64Array;
  /** The presentation used: [start, start+length); start −1 if there is none. */
  start: number;
  length: number;
}

/**
 * Orders neurons by their activation time in the last complete presentation [pt, pt+L):
 * c_k = Σ_τ r_k(pt+τ)·e^{2πiτ/L} / Σ_τ r_k(pt+τ), peak time = (arg c_k mod 2π)·L/(2π).
 * Stable sort by peak time, ties by index; a neuron without rate (Σ r = 0) has a NaN peak
 * and goes last. Without a complete presentation the order is the identity. Peak times are
 * circular: a peak at τ = 0 can round to just below L.
 *
 * @param rates step-major r_k(t) (Hz) over the run (nSteps = rates.length / nNeurons)
 */
export function getOrder(rates: ArrayLike<number>, nNeurons: number, phases: readonly Phase[]): NeuronOrder {
  const nSteps = nNeurons > 0 ? Math.floor(rates.length / nNeurons) : 0;
  const pres = completePresentations(phases, nSteps);
  const peakTime = new Float64Array(nNeurons).fill(NaN);
  const order = new Int32Array(nNeurons);
  for (let k = 0; k < nNeurons; k++) order[k] = k;
  if (pres.length === 0) return { order, peakTime, start: -1, length: 0 };
  const last = pres[pres.length - 1];
  const pt = last.start;
  const L = last.end - last.start;
  const cos = new Float64Array(L);
  const sin = new Float64Array(L);
  for (let tau = 0; tau < L; tau++) {
    const ph = (2 * Math.PI * tau) / L;
    cos[tau] = Math.cos(ph);
    sin[tau] = Math.sin(ph);
  }
  for (let k = 0; k < nNeurons; k++) {
    let re = 0;
    let im = 0;
    let s = 0;
    for (let tau = 0; tau < L; tau++) {
      const r = rates[(pt + tau) * nNeurons + k];
      re += r * cos[tau];
      im += r * sin[tau];
      s += r;
    }
    if (!(s !== 0 && Number.isFinite(s))) continue;
    // The normalisation by Σr only matters for its sign (rates are >= 0, so it never flips c).
    let ang = Math.atan2(im / s, re / s);
    if (ang < 0) ang += 2 * Math.PI;
    peakTime[k] = (ang * L) / (2 * Math.PI);
  }
  const idx = Array.from(order);
  idx.sort((a, b) => {
    const ta = peakTime[a];
    const tb = peakTime[b];
    const na = Number.isNaN(ta);
    const nb = Number.isNaN(tb);
    if (na || nb) return na === nb ? a - b : na ? 1 : -1;
    return ta - tb || a - b;
  });
  order.set(idx);
  return { order, peakTime, start: pt, length: L };
}

/** Spikes per second of every WTA (spikes of its neurons / duration). */
export function wtaTotalRates(spikes: RunSpikes, wtaOf: ArrayLike<number>, nWta: number, nSteps: number, dtMs = 1): Float64Array {
  checkSpikes(spikes);
  const counts = new Float64Array(nWta);
  const nNeurons = wtaOf.length;
  const { steps, ids } = spikes;
  for (let i = 0; i < steps.length; i++) {
    const t = steps[i];
    const k = ids[i];
    if (t < 0 || t >= nSteps || k < 0 || k >= nNeurons) continue;
    counts[wtaOf[k]]++;
  }
  const sec = nSteps * (dtMs / 1000);
  for (let w = 0; w < nWta; w++) counts[w] = sec > 0 ? counts[w] / sec : NaN;
  return counts;
}

/**
 * Expected total rate of every WTA: the time mean of Σ_k P_k/dt (dt in s), with
 * P_k = 1 − e^{−r_k·dt} ('exp') or r_k·dt ('linear'). For 'exp' with Σ_k r_k = 100 Hz it lies in
 * [100·(1 − e^{−0.1})/0.1, 100] = [95.16, 100] Hz.
 */
export function wtaExpectedRates(rates: ArrayLike<number>, wtaOf: ArrayLike<number>, nWta: number, spikeProbability: 'exp' | 'linear' = 'exp', dtMs = 1): Float64Array {
  const nNeurons = wtaOf.length;
  const nSteps = nNeurons > 0 ? Math.floor(rates.length / nNeurons) : 0;
  const dtS = dtMs / 1000;
  const out = new Float64Array(nWta);
  for (let t = 0; t < nSteps; t++) {
    const row = t * nNeurons;
    for (let k = 0; k < nNeurons; k++) {
      const r = rates[row + k];
      out[wtaOf[k]] += spikeProbability === 'exp' ? -Math.expm1(-r * dtS) : r * dtS;
    }
  }
  for (let w = 0; w < nWta; w++) out[w] = nSteps > 0 ? out[w] / (nSteps * dtS) : NaN;
  return out;
}

/** Summary statistics of a set of values. */
export interface RateSummary {
  mean: number;
  std: number;
  min: number;
  max: number;
  p05: number;
  p50: number;
  p95: number;
}

/**
 * mean, population standard deviation (divisor n), min, max and the 5th, 50th and 95th
 * percentiles of the finite values. Percentiles interpolate linearly between order statistics:
 * for sorted x_0 … x_{n−1}, the q-quantile is at position h = (n−1)·q, x_⌊h⌋ + (h−⌊h⌋)·(x_⌊h⌋+1 − x_⌊h⌋)
 * (numpy's default 'linear'). All NaN without finite values.
 */
export function summarize(values: ArrayLike<number>): RateSummary {
  const xs: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) xs.push(values[i]);
  const n = xs.length;
  if (n === 0) return { mean: NaN, std: NaN, min: NaN, max: NaN, p05: NaN, p50: NaN, p95: NaN };
  xs.sort((a, b) => a - b);
  let mean = 0;
  for (const x of xs) mean += x;
  mean /= n;
  let ss = 0;
  for (const x of xs) ss += (x - mean) * (x - mean);
  return { mean, std: Math.sqrt(ss / n), min: xs[0], max: xs[n - 1], p05: quantileSorted(xs, 0.05), p50: quantileSorted(xs, 0.5), p95: quantileSorted(xs, 0.95) };
}

/** Linear-interpolation quantile of ascending `xs` (see {@link summarize}). */
export function quantileSorted(xs: ArrayLike<number>, q: number): number {
  const n = xs.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return xs[lo] + (h - lo) * (xs[hi] - xs[lo]);
}

/**
 * The E5 state trace s_k of every neuron from its spikes: s ← s + Z − s·dt/τ (Euler, old value
 * in the decay term), from s = 0 at the run start. Row t holds s after the update of step t
 * (including the spikes of step t). Step-major, nSteps × nNeurons.
 */
export function stateTraceFromSpikes(spikes: RunSpikes, nNeurons: number, nSteps: number, tauDecayMs = 20, dtMs = 1): Float64Array {
  checkSpikes(spikes);
  const z = new Float64Array(nSteps * nNeurons);
  const { steps, ids } = spikes;
  for (let i = 0; i < steps.length; i++) {
    const t = steps[i];
    const k = ids[i];
    if (t < 0 || t >= nSteps || k < 0 || k >= nNeurons) continue;
    z[t * nNeurons + k] += 1;
  }
  const decay = dtMs / tauDecayMs;
  const s = new Float64Array(nSteps * nNeurons);
  for (let t = 0; t < nSteps; t++) {
    const row = t * nNeurons;
    const prev = row - nNeurons;
    for (let k = 0; k < nNeurons; k++) {
      const old = t > 0 ? s[prev + k] : 0;
      s[row + k] = old + z[row + k] - old * decay;
    }
  }
  return s;
}

/** Result of {@link linearReadout}. */
export interface Readout {
  /** Pearson r between the target and the readout on the test samples (NaN if undefined). */
  r: number;
  /** Weights per neuron, then the bias (length nNeurons + 1). */
  weights: Float64Array;
  /** Samples used for fitting and testing. */
  nTrain: number;
  nTest: number;
  /** Pearson r on the training samples. */
  rTrain: number;
}

/**
 * Linear readout of "pattern on": least squares from the neuron states (plus a bias) at the
 * steps t = every−1, 2·every−1, … (every 20 steps) of run A to the target 1[patternTrace[t] >= 0];
 * Pearson r between target and output at the same sample steps of run B. The least-squares
 * solution is the minimum-norm one (SVD with singular values below σ_max·max(m, n)·ε dropped),
 * so silent or collinear neurons do not make it ill-defined.
 *
 * @param statesA step-major s_k(t) of run A (patternTraceA.length steps)
 * @param statesB step-major s_k(t) of run B (patternTraceB.length steps)
 */
export function linearReadout(statesA: ArrayLike<number>, patternTraceA: ArrayLike<number>, statesB: ArrayLike<number>, patternTraceB: ArrayLike<number>, nNeurons: number, every = 20): Readout {
  const p = nNeurons + 1;
  const sample = (states: ArrayLike<number>, trace: ArrayLike<number>): { X: Float64Array; y: Float64Array; m: number } => {
    const m = Math.floor(trace.length / every);
    if (states.length < trace.length * nNeurons) throw new RangeError(`states hold ${states.length} values, need ${trace.length} steps × ${nNeurons} neurons`);
    const X = new Float64Array(m * p);
    const y = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      const t = (i + 1) * every - 1;
      for (let k = 0; k < nNeurons; k++) X[i * p + k] = states[t * nNeurons + k];
      X[i * p + nNeurons] = 1;
      y[i] = trace[t] >= 0 ? 1 : 0;
    }
    return { X, y, m };
  };
  const A = sample(statesA, patternTraceA);
  const B = sample(statesB, patternTraceB);
  const w = leastSquaresMinNorm(A.X, A.y, A.m, p);
  const predict = (S: { X: Float64Array; m: number }): Float64Array => {
    const out = new Float64Array(S.m);
    for (let i = 0; i < S.m; i++) {
      let v = 0;
      for (let j = 0; j < p; j++) v += S.X[i * p + j] * w[j];
      out[i] = v;
    }
    return out;
  };
  return { r: pearson(B.y, predict(B)), rTrain: pearson(A.y, predict(A)), weights: w, nTrain: A.m, nTest: B.m };
}

/**
 * Minimum-norm least-squares solution of X w ≈ y (X row-major m × p) by one-sided Jacobi SVD
 * (Hestenes): columns of X are rotated until mutually orthogonal, giving X·V = U·Σ.
 */
export function leastSquaresMinNorm(X: ArrayLike<number>, y: ArrayLike<number>, m: number, p: number): Float64Array {
  // Column-major working copy: columns are what the rotations act on.
  const a = new Float64Array(m * p);
  for (let i = 0; i < m; i++) for (let j = 0; j < p; j++) a[j * m + i] = X[i * p + j];
  const v = new Float64Array(p * p);
  for (let j = 0; j < p; j++) v[j * p + j] = 1;
  const eps = 2.220446049250313e-16;
  for (let sweep = 0; sweep < 100; sweep++) {
    let rotated = false;
    for (let j = 0; j < p - 1; j++) {
      for (let l = j + 1; l < p; l++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        const oj = j * m;
        const ol = l * m;
        for (let i = 0; i < m; i++) {
          const x = a[oj + i];
          const z = a[ol + i];
          alpha += x * x;
          beta += z * z;
          gamma += x * z;
        }
        if (gamma === 0 || Math.abs(gamma) <= eps * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const tt = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + tt * tt);
        const s = c * tt;
        for (let i = 0; i < m; i++) {
          const x = a[oj + i];
          const z = a[ol + i];
          a[oj + i] = c * x - s * z;
          a[ol + i] = s * x + c * z;
        }
        for (let i = 0; i < p; i++) {
          const x = v[i * p + j];
          const z = v[i * p + l];
          v[i * p + j] = c * x - s * z;
          v[i * p + l] = s * x + c * z;
        }
      }
    }
    if (!rotated) break;
  }
  const sigma = new Float64Array(p);
  let sMax = 0;
  for (let j = 0; j < p; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += a[j * m + i] * a[j * m + i];
    sigma[j] = Math.sqrt(s);
    sMax = Math.max(sMax, sigma[j]);
  }
  const tol = sMax * Math.max(m, p) * eps;
  const w = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    if (!(sigma[j] > tol)) continue;
    // Column j is σ_j·u_j, so (u_j·y)/σ_j = (col_j·y)/σ_j².
    let d = 0;
    for (let i = 0; i < m; i++) d += a[j * m + i] * y[i];
    const coef = d / (sigma[j] * sigma[j]);
    for (let i = 0; i < p; i++) w[i] += v[i * p + j] * coef;
  }
  return w;
}

/** Inputs of {@link summarizeTestRun}: one test run. */
export interface TestRunData {
  /** Network spikes (neuron indices 0..nNeurons−1). */
  spikes: RunSpikes;
  /** Input spikes (channel indices). */
  inputSpikes: RunSpikes;
  nNeurons: number;
  nInputs: number;
  /** WTA index of every neuron. */
  wtaOf: ArrayLike<number>;
  nWta: number;
  /** Pattern id per step of the run (−1 = noise); its length is the run's step count. */
  patternTrace: ArrayLike<number>;
  phases: readonly Phase[];
  /** Model rates r_k(t) (Hz), step-major; without them the rate-based entries are NaN. */
  rates?: ArrayLike<number>;
  spikeProbability?: 'exp' | 'linear';
  /** Input and recurrent weights, summarised when given. */
  wInput?: ArrayLike<number>;
  wRecurrent?: ArrayLike<number>;
  dtMs?: number;
}

/**
 * The per-test block of summary.json (spec §5) with its snake_case keys. NaN marks undefined
 * values (written as null).
 */
export function summarizeTestRun(d: TestRunData): Record<string, number | RateSummary> {
  const dt = d.dtMs ?? 1;
  const nSteps = d.patternTrace.length;
  const rates = patternNoiseRates(d.spikes, d.nNeurons, d.patternTrace, dt);
  const inRates = patternNoiseRates(d.inputSpikes, d.nInputs, d.patternTrace, dt);
  const sel = selectiveFractions(rates.ratePattern, rates.rateNoise);
  const pres = completePresentations(d.phases, nSteps);
  const ps = psth(d.spikes, d.nNeurons, pres, 20, dt);
  const rel = oddEvenReliability(d.spikes, d.nNeurons, pres, 20, dt);
  const wtaRates = wtaTotalRates(d.spikes, d.wtaOf, d.nWta, nSteps, dt);
  const block: Record<string, number | RateSummary> = {
    neuron_rate_hz: summarize(rates.rate),
    neuron_rate_pattern_hz: summarize(rates.ratePattern),
    neuron_rate_noise_hz: summarize(rates.rateNoise),
    wta_total_rate_hz: summarize(wtaRates),
    wta_expected_rate_hz: d.rates ? nanMean(wtaExpectedRates(d.rates, d.wtaOf, d.nWta, d.spikeProbability ?? 'exp', dt)) : NaN,
    input_rate_hz_pattern: nanMean(inRates.ratePattern),
    input_rate_hz_noise: nanMean(inRates.rateNoise),
    frac_neurons_rate_pattern_gt_2x_noise: sel.gt2x,
    frac_neurons_rate_pattern_lt_half_noise: sel.ltHalf,
    frac_neurons_psth_peak_gt_3x_noise: psthPeakFraction(ps, rates.rateNoise),
    spike_corr_rthresh90: d.rates ? spikeCorrelation(d.rates, d.nNeurons, pres, 90).corr : NaN,
    spike_corr_rthresh0: d.rates ? spikeCorrelation(d.rates, d.nNeurons, pres, 0).corr : NaN,
    psth_reliability_odd_even_mean: rel.mean,
    psth_reliability_odd_even_frac_gt_0p5: rel.fracGt0p5,
    psth_reliability_n_neurons: rel.nNeurons,
    n_pattern_presentations: pres.length,
  };
  if (d.wInput) block.w_input = summarize(d.wInput);
  if (d.wRecurrent) block.w_recurrent = summarize(d.wRecurrent);
  return block;
}
