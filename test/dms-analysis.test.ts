/** striatum-dms analyses: Burr fit, T_relearning, group means, similarity, t-test (spec §5, §7 checks 8–9). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  analyzeCurve,
  analyzeDms,
  burrCurve,
  endOfPhaseAccuracy,
  fitBurr,
  groupMeans,
  groupRanges,
  lastIndexBefore,
  lnGamma,
  meanStd,
  pStars,
  regularizedIncompleteBeta,
  studentTCdf,
  tRelearning,
  tTest,
  weightSimilarity,
} from '../experiments/striatum-dms/analysis.js';
import { testStamps } from '../experiments/striatum-dms/options.js';
import { close } from './helpers.js';

const LENGTHS = [500, 500, 500, 500];
const X = testStamps(LENGTHS);
const X2 = 1000;
const X3 = 1500;
const A_LEARN = 0.9;
const A_BASE = 0.5;

/** Maintenance tests from f, other tests at an unrelated level the fit must ignore. */
function maintenance(f: (u: number) => number): number[] {
  return X.map((x) => (x >= X2 && x < X3 ? f(x - X2) : 0.123));
}

test('Burr fit recovers d = 2, g = 20: T = 10 (check 8)', () => {
  const y = maintenance((u) => A_BASE + (A_LEARN - A_BASE) * (1 + u / 20) ** -2);
  const fit = fitBurr(X, y, X2, X3, A_LEARN, A_BASE);
  close(fit.T, 10, 1e-3, 'T');
  close(fit.d, 2, 1e-3, 'd');
  close(fit.g, 20, 1e-2, 'g');
  assert.ok(fit.sse < 1e-12);
  assert.is(fit.degenerate, false);
  // The curve helper is the model that was fitted.
  close(burrCurve(1010, X2, A_LEARN, A_BASE, 2, 20), 0.5 + 0.4 / 2.25, 1e-15, 'burrCurve');
});

test('Burr fit of an exponential decay: T within 3 % of its time constant (check 8)', () => {
  // (1 + u/g)^(−d) → e^(−u d/g) as g, d grow with g/d fixed; the d ≤ 1e3 bound leaves a tiny bias.
  const fit = fitBurr(X, maintenance((u) => 0.5 + 0.4 * Math.exp(-u / 30)), X2, X3, A_LEARN, A_BASE);
  assert.ok(Math.abs(fit.T - 30) < 0.03 * 30, `T = ${fit.T}`);
});

test('Burr fit of flat curves: no forgetting → 2·L_maint; immediate drop → T < 0.5 (check 8)', () => {
  const flat = fitBurr(X, maintenance(() => A_LEARN), X2, X3, A_LEARN, A_BASE);
  assert.is(flat.T, 1000);
  const drop = fitBurr(X, maintenance((u) => (u === 0 ? A_LEARN : A_BASE)), X2, X3, A_LEARN, A_BASE);
  assert.ok(drop.T < 0.5, `T = ${drop.T}`);
  assert.ok(drop.T >= 0);
  // A rise above a_learn fits best with the least decay the box allows: still clipped to 2·L.
  const rise = fitBurr(X, maintenance((u) => A_LEARN + u * 1e-4), X2, X3, A_LEARN, A_BASE);
  assert.is(rise.T, 1000);
});

test('Burr fit: degenerate levels, missing data, parameters inside the box', () => {
  const deg = fitBurr(X, maintenance(() => 0.6), X2, X3, 0.7, 0.7 + 1e-13);
  assert.is(deg.degenerate, true);
  assert.is(deg.T, 0);
  close(deg.sse, 19 * 0.01, 1e-9, 'degenerate sse');
  const none = fitBurr([0, 5], [0.5, 0.6], X2, X3, A_LEARN, A_BASE);
  assert.ok(Number.isNaN(none.T));
  const nanLevel = fitBurr(X, maintenance(() => 0.7), X2, X3, NaN, A_BASE);
  assert.ok(Number.isNaN(nanLevel.T));
  // Noisy data: the winner beats every grid start evaluated without fitting and stays in the box.
  let seed = 7;
  const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.05;
  const y = maintenance((u) => A_BASE + 0.4 * (1 + u / 50) ** -1.5 + noise());
  const fit = fitBurr(X, y, X2, X3, A_LEARN, A_BASE);
  assert.ok(fit.d >= 1e-6 && fit.d <= 1e3 && fit.g >= 1e-6 && fit.g <= 1e5);
  for (const d of [0.1, 1, 10, 100]) {
    for (const g of [0.1, 1, 10, 100, 1000]) {
      let sse = 0;
      for (let j = 0; j < X.length; j++) if (X[j] >= X2 && X[j] < X3) sse += (burrCurve(X[j], X2, A_LEARN, A_BASE, d, g) - y[j]) ** 2;
      assert.ok(fit.sse <= sse + 1e-15, `start (${d}, ${g}) has sse ${sse} < ${fit.sse}`);
    }
  }
  // And it is a local minimum: small moves of d or g do not lower the SSE.
  const sseAt = (d: number, g: number) => {
    let s = 0;
    for (let j = 0; j < X.length; j++) if (X[j] >= X2 && X[j] < X3) s += (burrCurve(X[j], X2, A_LEARN, A_BASE, d, g) - y[j]) ** 2;
    return s;
  };
  for (const [fd, fg] of [[1.001, 1], [0.999, 1], [1, 1.001], [1, 0.999]]) assert.ok(sseAt(fit.d * fd, fit.g * fg) >= fit.sse - 1e-14);
  close(fit.T, Math.min(fit.g / fit.d, 1000), 1e-12, 'T = g/d');
});

test('T_relearning: first recall test above a_base + ratio·(a_learn − a_base) (check 8)', () => {
  const y = X.map((x) => (x < X3 ? 0.7 : x === X3 ? 0.5 : x === X3 + 5 ? 0.55 : x === X3 + 10 ? 0.8 : 0.9));
  assert.is(tRelearning(X, y, X3, 2000, A_LEARN, A_BASE, 0.6), 10);
  // Exactly at the threshold is not above it.
  const atThreshold = X.map((x) => (x >= X3 ? 0.74 : 0.9));
  assert.is(tRelearning(X, atThreshold, X3, 2000, 0.9, 0.5, 0.6), 500);
  // The final test (stamped x₄) is not a recall test.
  const onlyFinal = X.map((x) => (x === 2000 ? 1 : 0.5));
  assert.is(tRelearning(X, onlyFinal, X3, 2000, A_LEARN, A_BASE), 500);
  assert.is(tRelearning(X, X.map(() => 0.9), X3, 2000, A_LEARN, A_BASE, 0.6), 0);
});

test('end-of-phase accuracies read the first test stamped at each boundary', () => {
  const y = X.map((x, j) => (x === 500 || x === 1000 || x === 1500 || x === 2000 ? x / 10000 : j));
  assert.equal(endOfPhaseAccuracy(X, y, LENGTHS), { initial: 0.05, learning: 0.1, maintenance: 0.15, recall: 0.2 });
  assert.ok(Number.isNaN(endOfPhaseAccuracy([0, 5], [1, 1], LENGTHS).learning));
  // The last maintenance test of the article schedule is stamped 1450.
  assert.is(X[lastIndexBefore(X, 1500)], 1450);
  assert.is(lastIndexBefore(X, 0), -1);
});

test('groups of num_stats simulations and their mean curves', () => {
  assert.equal(groupRanges(200, 20).length, 10);
  assert.equal(groupRanges(50, 20), [[0, 20], [20, 40]]);
  assert.equal(groupRanges(8), [[0, 8]]);
  assert.equal(groupRanges(8, 8), [[0, 8]]);
  const curves = [[0, 1], [1, 1], [0.5, 0], [0.5, 0], [9, 9]];
  const g = groupMeans(curves, 2);
  assert.is(g.length, 2);
  assert.equal(Array.from(g[0]), [0.5, 1]);
  assert.equal(Array.from(g[1]), [0.5, 0]);
  assert.equal(meanStd([1, 3]), { mean: 2, std: 1 });
});

test('analyzeDms: per-simulation phase ends, one group by default, groups of num_stats', () => {
  const d = 2;
  const gs = [10, 20, 40, 80];
  // Each simulation: 0.5 until learning, 0.9 at x₂, Burr decay with g = gs[s], fast relearning.
  const curves = gs.map((g) =>
    X.map((x) => (x < 1000 ? 0.5 : x < X3 ? burrCurve(x, X2, 0.9, 0.5, d, g) : x === X3 ? 0.5 : 0.9)),
  );
  const one = analyzeDms({ x: X, accuracy: curves, lengths: LENGTHS });
  assert.is(one.groups.length, 1);
  assert.equal(one.bounds, { x1: 500, x2: 1000, x3: 1500, x4: 2000 });
  assert.equal(one.endOfPhaseAccuracy.learning.values, [0.9, 0.9, 0.9, 0.9]);
  close(one.endOfPhaseAccuracy.initial.mean, 0.5, 1e-15, 'initial');
  assert.is(one.tRelearning.mean, 5);
  const pairs = analyzeDms({ x: X, accuracy: curves, lengths: LENGTHS, numStats: 1 });
  assert.is(pairs.groups.length, 4);
  // Single-simulation groups recover each g/d.
  pairs.tMaintenance.values.forEach((t, i) => close(t, gs[i] / d, 1e-3, `T of simulation ${i}`));
  close(pairs.tMaintenance.mean, (5 + 10 + 20 + 40) / 4, 4e-3, 'mean T');
  // The group curve is the mean curve, analysed by analyzeCurve.
  const direct = analyzeCurve(X, one.mean, LENGTHS);
  close(one.tMaintenance.mean, direct.tMaintenance, 0, 'one-group T');
  assert.is(one.tMaintenance.std, 0);
  assert.throws(() => analyzeDms({ x: X, accuracy: [[1, 2]], lengths: LENGTHS }), /tests/);
});

test('weight similarity (check 9) and its edge cases, never NaN', () => {
  const s = weightSimilarity([0, 0], [0.3, 0.1]);
  close(s.d2, 0.5, 1e-15, 'd2');
  assert.is(s.cosineSimCenter, 0);
  assert.is(s.scalarProdCenter, 0);
  close(s.normWeightDiff, Math.hypot(0.3, 0.1), 1e-15, 'norm');
  const same = weightSimilarity([0.3, 0.1], [0.3, 0.1]);
  assert.is(same.d2, 1);
  close(same.cosineSimCenter, 1, 1e-15, 'cosine of identical');
  const anti = weightSimilarity([0.1, 0.3, 0.2], [0.3, 0.1, 0.2]);
  close(anti.cosineSimCenter, -1, 1e-15, 'cosine of mirrored');
  close(anti.scalarProdCenter, -0.02, 1e-15, 'centred product');
  assert.is(weightSimilarity([0, 0], [0, 0]).d2, 1);
  assert.is(weightSimilarity([0.1, 0], [0, 0]).d2, 0);
  for (const v of Object.values(weightSimilarity([], []))) assert.ok(!Number.isNaN(v));
});

test('incomplete beta and Student t CDF against closed forms and tables', () => {
  // I_x(a, 1) = x^a, I_x(1, b) = 1 − (1 − x)^b, I_x(a, a) at 1/2 = 1/2.
  for (const x of [0.01, 0.3, 0.5, 0.77, 0.999]) {
    close(regularizedIncompleteBeta(x, 3.5, 1), x ** 3.5, 1e-13, `I_${x}(3.5, 1)`);
    close(regularizedIncompleteBeta(x, 1, 2.5), 1 - (1 - x) ** 2.5, 1e-13, `I_${x}(1, 2.5)`);
  }
  close(regularizedIncompleteBeta(0.5, 7.3, 7.3), 0.5, 1e-13, 'symmetric');
  close(lnGamma(10), Math.log(362880), 1e-12, 'lnGamma(10)');
  close(lnGamma(0.5), 0.5 * Math.log(Math.PI), 1e-13, 'lnGamma(1/2)');
  for (const t of [-30, -2, -0.5, 0, 0.3, 1, 4, 100]) {
    // df 1 is Cauchy, df 2 has a closed form.
    close(studentTCdf(t, 1), 0.5 + Math.atan(t) / Math.PI, 1e-13, `Cauchy ${t}`);
    close(studentTCdf(t, 2), 0.5 + t / (2 * Math.sqrt(2 + t * t)), 1e-13, `df 2 at ${t}`);
  }
  // Table quantiles: t_{0.975} for df 10, 30 and t_{0.995} for df 5.
  close(studentTCdf(2.2281388519649385, 10), 0.975, 1e-12, 'df 10');
  close(studentTCdf(2.0422724563012373, 30), 0.975, 1e-12, 'df 30');
  close(studentTCdf(-4.032142983557536, 5), 0.005, 1e-12, 'df 5');
  // Large df approaches the normal distribution: Φ(1.96) = 0.9750021048517795.
  close(studentTCdf(1.96, 1e7), 0.9750021048517795, 1e-7, 'normal limit');
});

test("Student's two-sample t-test and stars", () => {
  // Reference: t from the pooled-variance formula by hand; p by integrating the t density.
  const a = [1, 2, 3, 4];
  const b = [2, 3, 4, 5, 6];
  const r = tTest(a, b);
  const sp2 = (5 + 10) / 7;
  const tRef = (2.5 - 4) / Math.sqrt(sp2 * (1 / 4 + 1 / 5));
  close(r.t, tRef, 1e-14, 't');
  assert.is(r.df, 7);
  const pdf = (t: number, n: number) => Math.exp(lnGamma((n + 1) / 2) - lnGamma(n / 2)) / Math.sqrt(n * Math.PI) * (1 + (t * t) / n) ** (-(n + 1) / 2);
  // Simpson on [|t|, 200] plus the analytic tail beyond 200 (negligible at 1e-12 for df 7).
  let integral = 0;
  const lo = Math.abs(tRef);
  const N = 200000;
  const h = (200 - lo) / N;
  for (let i = 0; i <= N; i++) integral += pdf(lo + i * h, 7) * (i === 0 || i === N ? 1 : i % 2 ? 4 : 2);
  close(r.p, (2 * integral * h) / 3, 1e-9, 'two-sided p');
  assert.is(r.stars, '');
  const far = tTest([10, 11, 12, 13, 14, 15], [0, 1, 2, 3, 4, 5]);
  assert.ok(far.p < 0.00005);
  assert.is(far.stars, '****');
  const same = tTest([1, 1, 1], [1, 1, 1]);
  assert.ok(Number.isNaN(same.p));
  const constant = tTest([1, 1, 1], [2, 2, 2]);
  assert.is(constant.p, 0);
  assert.ok(Number.isNaN(tTest([1], [2]).p));
  assert.equal([0.06, 0.049, 0.004, 0.0004, 0.00004, NaN].map(pStars), ['', '*', '**', '***', '****', '']);
});

test.run();
