/**
 * The analyses of spec §6, pure functions of the per-angle test sums: tuning curves,
 * preferred angles, errors, output bias and variance, linear Fisher information of the
 * population and of the readout, the decoder's noise fraction, accuracy and d′. Angle sets
 * are defined by grid index, never by comparing floats.
 */
import { prefAngles } from '../../models/von_mises_input.js';
import { circularClassifier, vonMisesPdf } from './equations.js';
import type { InputParams, NetParams } from './params.js';
import type { TestSums } from './observers.js';

/** One row of the per_angle table (NaN where the angle is uncovered or the measure does not apply). */
export interface PerAngle {
  angle_index: number;
  theta: number;
  prior_pdf: number;
  n_records: number;
  sq_error: number;
  log_lik: number;
  accuracy: number;
  bias_norm: number;
  output_var_trace: number;
  det_output_cov: number;
  decoded_angle: number;
  pop_mean_rate: number;
  fisher_pop: number;
  fisher_readout: number;
  noise_frac_decoder: number;
  /** Mean output and its covariance (xx, xy, yy; estimation) — for plots, not written. */
  mean_o: number[];
  cov_o: number[];
}

/** One row of the tuning table. */
export interface TuningRow {
  angle_index: number;
  theta: number;
  neuron: number;
  mean_rate: number;
  std_rate: number;
  n: number;
}

/** One row of the neurons table. */
export interface NeuronRow {
  neuron: number;
  preferred_index: number;
  preferred_theta: number;
  peak_rate: number;
  within_half_pi: boolean;
}

/** The summary measures (spec §6), NaN where they do not apply. */
export interface TestSummary {
  mse_uniform: number;
  mse_prior_weighted: number;
  err_near_mode: number;
  err_near_pi: number;
  frac_pref_within_half_pi: number;
  fisher_readout_near_mode: number;
  fisher_readout_near_pi: number;
  accuracy: number;
  d_prime_0: number;
  d_prime_pi: number;
}

export const SUMMARY_KEYS: (keyof TestSummary)[] = [
  'mse_uniform',
  'mse_prior_weighted',
  'err_near_mode',
  'err_near_pi',
  'frac_pref_within_half_pi',
  'fisher_readout_near_mode',
  'fisher_readout_near_pi',
  'accuracy',
  'd_prime_0',
  'd_prime_pi',
];

/** Everything the analyses produce. */
export interface Analysis {
  perAngle: PerAngle[];
  tuning: TuningRow[];
  neurons: NeuronRow[];
  summary: TestSummary;
}

/** The angle sets of spec §6 around the grid index m nearest the prior mean. */
export function angleSets(mu: number, K = 12): { m: number; withinHalfPi: boolean[]; nearMode: number[]; nearPi: number[] } {
  const delta = -Math.PI + (2 * Math.PI) / K - -Math.PI;
  const m = (((Math.round((mu + Math.PI) / delta) % K) + K) % K);
  const d = (k: number) => Math.min(Math.abs(k - m), K - Math.abs(k - m));
  const all = Array.from({ length: K }, (_, k) => k);
  return {
    m,
    withinHalfPi: all.map((k) => d(k) <= K / 4),
    nearMode: [(m + K - 1) % K, m, (m + 1) % K],
    nearPi: all.filter((k) => d(k) >= K / 2 - 1),
  };
}

/** Solves A x = b for a symmetric positive definite A (n×n, row-major) by Cholesky; NaNs if not SPD. */
export function solveSpd(A: Float64Array, b: Float64Array, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      if (i === j) {
        if (!(s > 0)) return new Float64Array(n).fill(NaN);
        L[i * n + i] = Math.sqrt(s);
      } else L[i * n + j] = s / L[j * n + j];
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * y[k];
    y[i] = s / L[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k];
    x[i] = s / L[i * n + i];
  }
  return x;
}

/** Orthonormal basis (rows) of the row space of D (dims×N) by Gram–Schmidt. */
export function rowSpaceBasis(D: Float64Array, dims: number, N: number): Float64Array[] {
  const out: Float64Array[] = [];
  for (let k = 0; k < dims; k++) {
    const v = Float64Array.from(D.subarray(k * N, k * N + N));
    for (const q of out) {
      let dot = 0;
      for (let i = 0; i < N; i++) dot += q[i] * v[i];
      for (let i = 0; i < N; i++) v[i] -= dot * q[i];
    }
    const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    if (norm > 1e-14) out.push(v.map((x) => x / norm));
  }
  return out;
}

const mean = (xs: number[]) => {
  const v = xs.filter((x) => Number.isFinite(x));
  return v.length === 0 ? NaN : v.reduce((a, b) => a + b, 0) / v.length;
};

/** All analyses of one test phase. `D` is the decoder used in the test (row-major). */
export function analyze(s: TestSums, D: Float64Array, p: NetParams, ip: InputParams): Analysis {
  const K = s.K;
  const N = s.N;
  const dims = s.dims;
  const classify = p.objective === 'classifier';
  const pref = prefAngles(K);
  const delta = -Math.PI + (2 * Math.PI) / K - -Math.PI;
  const sets = angleSets(ip.mu_in, K);
  const f: (Float64Array | null)[] = [];
  const cov: (Float64Array | null)[] = [];
  const tuning: TuningRow[] = [];
  for (let k = 0; k < K; k++) {
    const n = s.count[k];
    if (n < 2) {
      f.push(null);
      cov.push(null);
      for (let i = 0; i < N; i++) tuning.push({ angle_index: k, theta: pref[k], neuron: i, mean_rate: NaN, std_rate: NaN, n });
      continue;
    }
    const m = new Float64Array(N);
    for (let i = 0; i < N; i++) m[i] = s.sumR[k * N + i] / n;
    const S = new Float64Array(N * N);
    for (let i = 0; i < N; i++) {
      for (let l = i; l < N; l++) {
        const c = (s.sumRR[k * N * N + i * N + l] - n * m[i] * m[l]) / (n - 1);
        S[i * N + l] = c;
        S[l * N + i] = c;
      }
    }
    f.push(m);
    cov.push(S);
    for (let i = 0; i < N; i++) tuning.push({ angle_index: k, theta: pref[k], neuron: i, mean_rate: m[i], std_rate: Math.sqrt(Math.max(0, S[i * N + i])), n });
  }
  const Q = rowSpaceBasis(D, dims, N);
  const perAngle: PerAngle[] = [];
  for (let k = 0; k < K; k++) {
    const n = s.count[k];
    const row: PerAngle = {
      angle_index: k,
      theta: pref[k],
      prior_pdf: vonMisesPdf(pref[k], ip.mu_in, ip.kappa_in),
      n_records: n,
      sq_error: NaN,
      log_lik: NaN,
      accuracy: NaN,
      bias_norm: NaN,
      output_var_trace: NaN,
      det_output_cov: NaN,
      decoded_angle: NaN,
      pop_mean_rate: NaN,
      fisher_pop: NaN,
      fisher_readout: NaN,
      noise_frac_decoder: NaN,
      mean_o: [],
      cov_o: [],
    };
    perAngle.push(row);
    const fk = f[k];
    const Sk = cov[k];
    if (fk === null || Sk === null) continue;
    const z = classify ? [circularClassifier(pref[k])] : [Math.cos(pref[k]), Math.sin(pref[k])];
    const mo = Array.from({ length: dims }, (_, d) => s.sumO[k * dims + d] / n);
    if (classify) {
      row.log_lik = s.logLik[k] / n;
      row.accuracy = s.correct[k] / n;
    } else {
      row.sq_error = s.sqErr[k] / n;
      row.decoded_angle = Math.atan2(mo[1], mo[0]);
    }
    row.bias_norm = Math.sqrt(mo.reduce((acc, x, d) => acc + (x - z[d]) ** 2, 0));
    const oc = (d: number, e: number) => (s.sumOO[(k * dims + d) * dims + e] - n * mo[d] * mo[e]) / (n - 1);
    row.output_var_trace = mo.reduce((acc, _x, d) => acc + oc(d, d), 0);
    row.mean_o = mo;
    row.cov_o = dims === 2 ? [oc(0, 0), oc(0, 1), oc(1, 1)] : [oc(0, 0)];
    row.det_output_cov = dims === 1 ? oc(0, 0) : oc(0, 0) * oc(1, 1) - oc(0, 1) * oc(1, 0);
    row.pop_mean_rate = fk.reduce((a, b) => a + b, 0) / N;
    let trS = 0;
    for (let i = 0; i < N; i++) trS += Sk[i * N + i];
    let trQ = 0;
    for (const q of Q) {
      for (let i = 0; i < N; i++) {
        let acc = 0;
        for (let l = 0; l < N; l++) acc += Sk[i * N + l] * q[l];
        trQ += q[i] * acc;
      }
    }
    row.noise_frac_decoder = trQ / trS;
    const fPrev = f[(k + K - 1) % K];
    const fNext = f[(k + 1) % K];
    if (fPrev === null || fNext === null) continue;
    const df = new Float64Array(N);
    for (let i = 0; i < N; i++) df[i] = (fNext[i] - fPrev[i]) / (2 * delta);
    const A = Float64Array.from(Sk);
    for (let i = 0; i < N; i++) A[i * N + i] += 1e-6;
    const x = solveSpd(A, df, N);
    row.fisher_pop = df.reduce((acc, v, i) => acc + v * x[i], 0);
    const Ddf = new Float64Array(dims);
    const DSD = new Float64Array(dims * dims);
    for (let d = 0; d < dims; d++) {
      for (let i = 0; i < N; i++) Ddf[d] += D[d * N + i] * df[i];
      for (let e = 0; e < dims; e++) {
        let acc = 0;
        for (let i = 0; i < N; i++) {
          let inner = 0;
          for (let l = 0; l < N; l++) inner += Sk[i * N + l] * D[e * N + l];
          acc += D[d * N + i] * inner;
        }
        DSD[d * dims + e] = acc;
      }
    }
    const y = solveSpd(DSD, Ddf, dims);
    row.fisher_readout = Ddf.reduce((acc, v, d) => acc + v * y[d], 0);
  }
  const neurons: NeuronRow[] = [];
  for (let i = 0; i < N; i++) {
    let best = -1;
    let peak = -Infinity;
    for (let k = 0; k < K; k++) {
      const fk = f[k];
      if (fk !== null && fk[i] > peak) {
        peak = fk[i];
        best = k;
      }
    }
    neurons.push({ neuron: i, preferred_index: best, preferred_theta: best >= 0 ? pref[best] : NaN, peak_rate: best >= 0 ? peak : NaN, within_half_pi: best >= 0 && sets.withinHalfPi[best] });
  }
  const covered = perAngle.filter((r) => r.n_records >= 2);
  const err = (ks: number[]) => mean(ks.map((k) => perAngle[k].sq_error));
  let wSum = 0;
  let wErr = 0;
  for (const r of covered) {
    wSum += r.prior_pdf;
    wErr += r.prior_pdf * r.sq_error;
  }
  const dPrime = (a: number, b: number) => {
    const na = s.count[a];
    const nb = s.count[b];
    if (na < 2 || nb < 2) return NaN;
    const ma = s.sumU[a] / na;
    const mb = s.sumU[b] / nb;
    const va = (s.sumUU[a] - na * ma * ma) / (na - 1);
    const vb = (s.sumUU[b] - nb * mb * mb) / (nb - 1);
    return Math.abs(ma - mb) / Math.sqrt(0.5 * (va + vb));
  };
  const boundary = new Set([(sets.m + K / 2) % K, sets.m]);
  const m = sets.m;
  const summary: TestSummary = {
    mse_uniform: classify ? NaN : mean(covered.map((r) => r.sq_error)),
    mse_prior_weighted: classify || wSum === 0 ? NaN : wErr / wSum,
    err_near_mode: classify ? NaN : err(sets.nearMode),
    err_near_pi: classify ? NaN : err(sets.nearPi),
    frac_pref_within_half_pi: neurons.some((r) => r.preferred_index >= 0) ? neurons.filter((r) => r.within_half_pi).length / N : NaN,
    fisher_readout_near_mode: mean(sets.nearMode.map((k) => perAngle[k].fisher_readout)),
    fisher_readout_near_pi: mean(sets.nearPi.map((k) => perAngle[k].fisher_readout)),
    accuracy: classify ? mean(perAngle.filter((r) => !boundary.has(r.angle_index)).map((r) => r.accuracy)) : NaN,
    d_prime_0: classify ? dPrime((m + K - 1) % K, (m + 1) % K) : NaN,
    d_prime_pi: classify ? dPrime((m + K / 2 - 1) % K, (m + K / 2 + 1) % K) : NaN,
  };
  return { perAngle, tuning, neurons, summary };
}
