/**
 * normative-plasticity analyses against independent references: angle sets by index, the
 * von Mises density and sampler, the balanced block schedule, and the per-angle measures of
 * analyze() on synthetic records, recomputed here from the raw records with plain formulas
 * (two-pass covariance, Gauss–Jordan inverse).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RandomStream } from '../engine/rng.js';
import { analyze, angleSets } from '../experiments/normative-plasticity/analysis.js';
import { TestSums } from '../experiments/normative-plasticity/observers.js';
import { BlockSchedule } from '../experiments/normative-plasticity/sessions.js';
import { besselI0, prefAngles, sampleVonMises, vonMisesPdf } from '../experiments/normative-plasticity/equations.js';
import { makeParams, DEFAULT_INPUT_PARAMS } from '../experiments/normative-plasticity/params.js';

test('angle sets by grid index around mu = 0: within pi/2 (7 angles), near mode {5,6,7}, near pi {0,1,11}', () => {
  const s = angleSets(0);
  assert.is(s.m, 6);
  assert.equal(s.nearMode, [5, 6, 7]);
  assert.equal(s.nearPi, [0, 1, 11]);
  assert.equal(s.withinHalfPi.map((x, k) => (x ? k : -1)).filter((k) => k >= 0), [3, 4, 5, 6, 7, 8, 9]);
  assert.is(angleSets(Math.PI / 2).m, 9);
});

test('von Mises density integrates to 1; the sampler has the right circular mean (E cos = I1/I0)', () => {
  let integral = 0;
  const M = 20000;
  for (let q = 0; q < M; q++) integral += vonMisesPdf(-Math.PI + ((q + 0.5) * 2 * Math.PI) / M, 0, 0.75);
  integral *= (2 * Math.PI) / M;
  assert.ok(Math.abs(integral - 1) < 1e-10, `integral ${integral}`);
  // I1(0.75) by its own series, independent of besselI0.
  let i1 = 0;
  let fact = 1;
  for (let k = 0; k < 30; k++) {
    if (k > 0) fact *= k;
    i1 += (0.375 ** (2 * k + 1)) / (fact * fact * (k + 1));
  }
  const expected = i1 / besselI0(0.75);
  const rng = new RandomStream('vm');
  const n = 200000;
  let c = 0;
  let sn = 0;
  for (let q = 0; q < n; q++) {
    const t = sampleVonMises(0, 0.75, rng.uniform);
    assert.ok(t >= -Math.PI && t < Math.PI);
    c += Math.cos(t);
    sn += Math.sin(t);
  }
  // The standard error of a mean of cos θ is below 1/sqrt(2n) ≈ 0.0016; 4 of them.
  assert.ok(Math.abs(c / n - expected) < 0.0064, `E cos ${c / n} vs ${expected}`);
  assert.ok(Math.abs(sn / n) < 0.0064, `E sin ${sn / n}`);
});

test('balanced schedule covers all 12 angles in every run of 12 blocks; uniform stays in range', () => {
  const b = new BlockSchedule('balanced', new RandomStream('sched'));
  for (let q = 0; q < 5; q++) assert.equal([...b.next(12)].sort((x, y) => x - y), Array.from({ length: 12 }, (_, k) => k));
  const u = new BlockSchedule('uniform', new RandomStream('sched'));
  const xs = u.next(1000);
  assert.ok(xs.every((k) => k >= 0 && k < 12));
  assert.is(new Set(xs).size, 12);
});

/** Gauss–Jordan inverse of a small dense matrix. */
function inverse(A: number[][]): number[][] {
  const n = A.length;
  const M = A.map((row, i) => [...row, ...Array.from({ length: n }, (_, k) => (k === i ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    const d = M[c][c];
    for (let k = 0; k < 2 * n; k++) M[c][k] /= d;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r][c];
      for (let k = 0; k < 2 * n; k++) M[r][k] -= f * M[c][k];
    }
  }
  return M.map((row) => row.slice(n));
}

test('per-angle measures of analyze() equal plain recomputations from the records', () => {
  const N = 4;
  const p = makeParams('linear', { N });
  const rng = new RandomStream('records');
  const pref = prefAngles(12);
  const D = Float64Array.from([0.5, -0.2, 0.3, 0.1, 0.05, 0.4, -0.3, 0.2]);
  const sums = new TestSums(N, 2);
  const recs: { k: number; r: number[]; o: number[] }[] = [];
  for (let k = 0; k < 12; k++) {
    for (let q = 0; q < 60; q++) {
      const r = Array.from({ length: N }, (_, i) => 0.5 + 0.3 * Math.cos(pref[k] - i) + 0.1 * rng.normal());
      const o = [0, 1].map((d) => r.reduce((acc, x, i) => acc + D[d * N + i] * x, 0) + 0.05 * rng.normal());
      recs.push({ k, r, o });
      sums.count[k]++;
      for (let i = 0; i < N; i++) {
        sums.sumR[k * N + i] += r[i];
        for (let l = i; l < N; l++) sums.sumRR[k * N * N + i * N + l] += r[i] * r[l];
      }
      for (let d = 0; d < 2; d++) {
        sums.sumO[k * 2 + d] += o[d];
        for (let e = 0; e < 2; e++) sums.sumOO[(k * 2 + d) * 2 + e] += o[d] * o[e];
      }
      sums.sqErr[k] += (Math.cos(pref[k]) - o[0]) ** 2 + (Math.sin(pref[k]) - o[1]) ** 2;
    }
  }
  const a = analyze(sums, D, p, DEFAULT_INPUT_PARAMS);
  const byK = (k: number) => recs.filter((x) => x.k === k);
  const meanVec = (xs: number[][]) => xs[0].map((_, i) => xs.reduce((acc, x) => acc + x[i], 0) / xs.length);
  const covMat = (xs: number[][]) => {
    const m = meanVec(xs);
    return m.map((_, i) => m.map((__, l) => xs.reduce((acc, x) => acc + (x[i] - m[i]) * (x[l] - m[l]), 0) / (xs.length - 1)));
  };
  const delta = pref[1] - pref[0];
  const close = (x: number, y: number, what: string) => assert.ok(Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(y)), `${what}: ${x} vs ${y}`);
  for (const k of [0, 6, 11]) {
    const R = byK(k).map((x) => x.r);
    const O = byK(k).map((x) => x.o);
    const f = meanVec(R);
    const S = covMat(R);
    const fp = meanVec(byK((k + 1) % 12).map((x) => x.r)).map((v, i) => (v - meanVec(byK((k + 11) % 12).map((x) => x.r))[i]) / (2 * delta));
    const Sinv = inverse(S.map((row, i) => row.map((v, l) => v + (i === l ? 1e-6 : 0))));
    const fisherPop = fp.reduce((acc, v, i) => acc + v * Sinv[i].reduce((s2, w, l) => s2 + w * fp[l], 0), 0);
    const Dm = [0, 1].map((d) => Array.from(D.subarray(d * N, d * N + N)));
    const Dfp = Dm.map((row) => row.reduce((acc, v, i) => acc + v * fp[i], 0));
    const DSD = Dm.map((ri) => Dm.map((rl) => ri.reduce((acc, v, i) => acc + v * S[i].reduce((s2, w, l) => s2 + w * rl[l], 0), 0)));
    const DSDinv = inverse(DSD);
    const fisherRo = Dfp.reduce((acc, v, d) => acc + v * (DSDinv[d][0] * Dfp[0] + DSDinv[d][1] * Dfp[1]), 0);
    const row = a.perAngle[k];
    close(row.fisher_pop, fisherPop, `fisher_pop ${k}`);
    close(row.fisher_readout, fisherRo, `fisher_readout ${k}`);
    const mo = meanVec(O);
    const C = covMat(O);
    close(row.output_var_trace, C[0][0] + C[1][1], 'output variance trace');
    close(row.det_output_cov, C[0][0] * C[1][1] - C[0][1] * C[1][0], 'output covariance determinant');
    close(row.bias_norm, Math.hypot(mo[0] - Math.cos(pref[k]), mo[1] - Math.sin(pref[k])), 'bias norm');
    close(row.decoded_angle, Math.atan2(mo[1], mo[0]), 'decoded angle');
    for (let i = 0; i < N; i++) close(a.tuning[k * N + i].mean_rate, f[i], 'tuning mean');
    // Noise fraction with an orthonormal basis from the closed-form 2-D Gram–Schmidt.
    const q1 = Dm[0].map((v) => v / Math.hypot(...Dm[0]));
    const proj = Dm[1].reduce((acc, v, i) => acc + v * q1[i], 0);
    const v2 = Dm[1].map((v, i) => v - proj * q1[i]);
    const q2 = v2.map((v) => v / Math.hypot(...v2));
    const quad = (q: number[]) => q.reduce((acc, v, i) => acc + v * S[i].reduce((s2, w, l) => s2 + w * q[l], 0), 0);
    close(row.noise_frac_decoder, (quad(q1) + quad(q2)) / S.reduce((acc, r, i) => acc + r[i], 0), 'noise fraction');
  }
  const err = a.perAngle.map((r) => r.sq_error);
  close(a.summary.mse_uniform, err.reduce((x, y) => x + y, 0) / 12, 'mse_uniform');
  const w = pref.map((t) => Math.exp(0.75 * Math.cos(t)));
  close(a.summary.mse_prior_weighted, err.reduce((acc, e, k) => acc + (w[k] * e) / w.reduce((x, y) => x + y, 0), 0), 'mse_prior_weighted');
  close(a.summary.err_near_mode, (err[5] + err[6] + err[7]) / 3, 'err_near_mode');
  close(a.summary.err_near_pi, (err[0] + err[1] + err[11]) / 3, 'err_near_pi');
});

test('uncovered angles give NaN rows, never missing rows', () => {
  const p = makeParams('linear', { N: 3 });
  const sums = new TestSums(3, 2);
  const a = analyze(sums, new Float64Array(6), p, DEFAULT_INPUT_PARAMS);
  assert.is(a.perAngle.length, 12);
  assert.is(a.tuning.length, 36);
  assert.ok(a.perAngle.every((r) => Number.isNaN(r.sq_error)));
  assert.ok(Number.isNaN(a.summary.mse_uniform));
});

test.run();
