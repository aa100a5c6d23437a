/**
 * Connection rules (NEST vocabulary), views, weight and delay specifications, random streams
 * and spatial (distance-dependent) wiring. Connections are read back from the projections'
 * CSR arrays and compared with what each rule must produce.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Network, SimulationError, type ConnectionRule, type ProjectionData, type ValueSpec } from '../engine/index.js';

/** (local source, local target) of every synapse of a projection, in CSR order. */
function pairsOf(proj: ProjectionData): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < proj.source.n; i++) {
    for (let s = proj.rowPtr[i]; s < proj.rowPtr[i + 1]; s++) out.push([i, proj.target[s]]);
  }
  return out;
}

const key = (a: number, b: number) => `${a}>${b}`;

function countBy<T>(xs: T[], f: (x: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of xs) m.set(f(x), (m.get(f(x)) ?? 0) + 1);
  return m;
}

function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s / xs.length;
}

function variance(xs: ArrayLike<number>): number {
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i] - m) ** 2;
  return s / (xs.length - 1);
}

/** ∫ f over [a, b] by composite Simpson with n (even) intervals. */
function simpson(f: (x: number) => number, a: number, b: number, n = 20000): number {
  const h = (b - a) / n;
  let s = f(a) + f(b);
  for (let k = 1; k < n; k++) s += (k % 2 ? 4 : 2) * f(a + k * h);
  return (s * h) / 3;
}

function weightsOf(values: ValueSpec, n = 20000, seed = 7): Float64Array {
  const net = new Network({ seed });
  const one = net.create('iaf_psc_delta', 1);
  const many = net.create('iaf_psc_delta', n);
  return net.connect(one, many, 'all_to_all', { weight: values }).weight;
}

test('all_to_all: every pair exactly once; allow_autapses: false drops exactly the self-pairs', () => {
  const net = new Network();
  const a = net.create('iaf_psc_delta', 5);
  const b = net.create('iaf_psc_delta', 7);
  const p = pairsOf(net.connect(a, b, 'all_to_all'));
  assert.is(p.length, 35);
  assert.is(new Set(p.map(([x, y]) => key(x, y))).size, 35);
  const self = pairsOf(net.connect(a, a, { rule: 'all_to_all', allow_autapses: false }));
  assert.is(self.length, 20);
  assert.ok(self.every(([x, y]) => x !== y));
  assert.is(pairsOf(net.connect(a, a, 'all_to_all')).length, 25);
});

test('one_to_one: position i to position i, through views', () => {
  const net = new Network();
  const pop = net.create('iaf_psc_delta', 10);
  assert.equal(pairsOf(net.connect(pop.slice(0, 5), pop.slice(5, 10), 'one_to_one')), [[0, 5], [1, 6], [2, 7], [3, 8], [4, 9]]);
  assert.equal(pairsOf(net.connect(pop.select([9, 2]), pop.select([0, 4]), 'one_to_one')), [[2, 4], [9, 0]]);
  assert.is(net.connect(pop, pop, { rule: 'one_to_one', allow_autapses: false }).size, 0);
  // Overlapping shifted views: only position pairs that are the same neuron are autapses.
  assert.equal(pairsOf(net.connect(pop.slice(0, 3), pop.slice(1, 4), { rule: 'one_to_one', allow_autapses: false })), [[0, 1], [1, 2], [2, 3]]);
});

test('fixed_indegree: exact in-degree, distinct sources without multapses, autapses flag', () => {
  const net = new Network({ seed: 3 });
  const src = net.create('iaf_psc_delta', 50);
  const tgt = net.create('iaf_psc_delta', 400);
  const p = pairsOf(net.connect(src, tgt, { rule: 'fixed_indegree', indegree: 10, allow_multapses: false }));
  const byTarget = new Map<number, number[]>();
  for (const [a, b] of p) byTarget.set(b, [...(byTarget.get(b) ?? []), a]);
  assert.is(byTarget.size, 400);
  for (const [, sources] of byTarget) {
    assert.is(sources.length, 10);
    assert.is(new Set(sources).size, 10);
  }
  // Sources are drawn uniformly: 4000 draws over 50 sources, 80 expected each. Pearson's
  // statistic has 49 degrees of freedom (mean 49, sd 9.9); 100 is 5 sd above the mean.
  const perSource = countBy(p, ([a]) => String(a));
  let chi2 = 0;
  for (let a = 0; a < 50; a++) chi2 += ((perSource.get(String(a)) ?? 0) - 80) ** 2 / 80;
  assert.ok(chi2 < 100, `chi2 = ${chi2}`);

  // With multapses, 30 draws from 10 sources must repeat some (pigeonhole).
  const multi = pairsOf(net.connect(src.slice(0, 10), tgt.slice(0, 5), { rule: 'fixed_indegree', indegree: 30 }));
  const perTarget = countBy(multi, ([, b]) => String(b));
  assert.equal([...perTarget.values()], [30, 30, 30, 30, 30]);
  assert.ok(countBy(multi, ([a, b]) => key(a, b)).size < 150);

  // 20 neurons, in-degree 19, no autapses, no multapses: each gets every other neuron once.
  const ring = net.create('iaf_psc_delta', 20);
  const self = pairsOf(net.connect(ring, ring, { rule: 'fixed_indegree', indegree: 19, allow_autapses: false, allow_multapses: false }));
  assert.is(self.length, 380);
  assert.is(new Set(self.map(([a, b]) => key(a, b))).size, 380);
  assert.ok(self.every(([a, b]) => a !== b));
  assert.throws(() => net.connect(ring, ring, { rule: 'fixed_indegree', indegree: 20, allow_autapses: false, allow_multapses: false }), /only 19 eligible/);
});

test('fixed_outdegree: exact out-degree, distinct targets without multapses', () => {
  const net = new Network({ seed: 4 });
  const src = net.create('iaf_psc_delta', 300);
  const tgt = net.create('iaf_psc_delta', 40);
  const p = pairsOf(net.connect(src, tgt, { rule: 'fixed_outdegree', outdegree: 12, allow_multapses: false }));
  assert.is(p.length, 3600);
  const bySource = new Map<number, number[]>();
  for (const [a, b] of p) bySource.set(a, [...(bySource.get(a) ?? []), b]);
  assert.is(bySource.size, 300);
  for (const [, ts] of bySource) assert.is(new Set(ts).size, 12);
  // Targets uniform: 3600 draws over 40 targets, 39 d.o.f. (mean 39, sd 8.8); bound 5 sd.
  const perTarget = countBy(p, ([, b]) => String(b));
  let chi2 = 0;
  for (let b = 0; b < 40; b++) chi2 += ((perTarget.get(String(b)) ?? 0) - 90) ** 2 / 90;
  assert.ok(chi2 < 83, `chi2 = ${chi2}`);
  const self = pairsOf(net.connect(tgt, tgt, { rule: 'fixed_outdegree', outdegree: 39, allow_autapses: false, allow_multapses: false }));
  assert.is(new Set(self.map(([a, b]) => key(a, b))).size, 40 * 39);
});

test('fixed_total_number: exact count; distinct pairs without multapses; overlapping views', () => {
  const net = new Network({ seed: 5 });
  const a = net.create('iaf_psc_delta', 30);
  const b = net.create('iaf_psc_delta', 20);
  assert.is(net.connect(a, b, { rule: 'fixed_total_number', N: 1234 }).size, 1234);
  const distinct = pairsOf(net.connect(a, b, { rule: 'fixed_total_number', N: 600, allow_multapses: false }));
  assert.is(new Set(distinct.map(([x, y]) => key(x, y))).size, 600);
  const noSelf = pairsOf(net.connect(a, a, { rule: 'fixed_total_number', N: 500, allow_autapses: false }));
  assert.is(noSelf.length, 500);
  assert.ok(noSelf.every(([x, y]) => x !== y));
  // Views 0..2 and 1..3 of one population share neurons 1 and 2: 9 pairs, 2 autapses, so
  // exactly 7 distinct non-autapse pairs exist.
  const seven = pairsOf(net.connect(a.slice(0, 3), a.slice(1, 4), { rule: 'fixed_total_number', N: 7, allow_autapses: false, allow_multapses: false }));
  assert.equal(seven.map(([x, y]) => key(x, y)).sort(), ['0>1', '0>2', '0>3', '1>2', '1>3', '2>1', '2>3']);
  assert.throws(() => net.connect(a.slice(0, 3), a.slice(1, 4), { rule: 'fixed_total_number', N: 8, allow_autapses: false, allow_multapses: false }), /exceeds the 7 distinct pairs/);
  assert.throws(() => net.connect(a.slice(4, 5), a.select([4]), { rule: 'fixed_total_number', N: 1, allow_autapses: false }), /every candidate pair is an autapse/);
});

test('pairwise_bernoulli: count within a binomial tolerance; autapses excluded when asked', () => {
  const net = new Network({ seed: 11 });
  const a = net.create('iaf_psc_delta', 200);
  const b = net.create('iaf_psc_delta', 200);
  // Binomial(40000, 0.1): mean 4000, sd 60; 5 sd = 300 (a miss has probability < 1e-6).
  const n = net.connect(a, b, { rule: 'pairwise_bernoulli', p: 0.1 }).size;
  assert.ok(Math.abs(n - 4000) <= 300, `count ${n}`);
  const self = pairsOf(net.connect(a, a, { rule: 'pairwise_bernoulli', p: 0.1, allow_autapses: false }));
  assert.ok(self.every(([x, y]) => x !== y));
  // Binomial(39800, 0.1): mean 3980, sd 59.9.
  assert.ok(Math.abs(self.length - 3980) <= 300, `count ${self.length}`);
  assert.is(new Set(self.map(([x, y]) => key(x, y))).size, self.length);
  assert.is(net.connect(a, b, { rule: 'pairwise_bernoulli', p: 0 }).size, 0);
  assert.is(net.connect(a, b, { rule: 'pairwise_bernoulli', p: 1 }).size, 40000);
});

test('pairwise_bernoulli: per-pair empirical probability equals p over many seeds', () => {
  const p = 0.3;
  const seeds = 400;
  const counts = new Map<string, number>();
  for (let seed = 0; seed < seeds; seed++) {
    const net = new Network({ seed });
    const pop = net.create('iaf_psc_delta', 6);
    for (const [x, y] of pairsOf(net.connect(pop, pop, { rule: 'pairwise_bernoulli', p, allow_autapses: false }))) {
      counts.set(key(x, y), (counts.get(key(x, y)) ?? 0) + 1);
    }
  }
  // Each of the 30 off-diagonal pairs: Binomial(400, 0.3), mean 120, sd 9.17; 5 sd = 46
  // (any of 30 pairs missing it has probability < 2e-5). The diagonal must stay empty.
  let total = 0;
  for (let x = 0; x < 6; x++) {
    for (let y = 0; y < 6; y++) {
      const c = counts.get(key(x, y)) ?? 0;
      if (x === y) assert.is(c, 0);
      else assert.ok(Math.abs(c - 120) <= 46, `pair ${x}->${y}: ${c} of ${seeds}`);
      total += c;
    }
  }
  // All 12000 trials together: sd 50.2, bound 5 sd.
  assert.ok(Math.abs(total - 3600) <= 251, `total ${total}`);
});

test('explicit lists index the views; allow_multapses: false removes duplicates', () => {
  const net = new Network();
  const pop = net.create('iaf_psc_delta', 10);
  const pre = pop.select([5, 7, 9]);
  const post = pop.slice(0, 4);
  const rule: ConnectionRule = { rule: 'explicit', sources: [0, 2, 2, 1, 2], targets: [1, 3, 3, 0, 3] };
  assert.equal(pairsOf(net.connect(pre, post, rule)).map(([x, y]) => key(x, y)), ['5>1', '7>0', '9>3', '9>3', '9>3']);
  assert.equal(pairsOf(net.connect(pre, post, { ...rule, allow_multapses: false })).map(([x, y]) => key(x, y)), ['5>1', '7>0', '9>3']);
  assert.equal(pairsOf(net.connect(pop, pop, { rule: 'explicit', sources: [3, 3, 4], targets: [3, 4, 4], allow_autapses: false })), [[3, 4]]);
  assert.throws(() => net.connect(pre, post, { rule: 'explicit', sources: [3], targets: [0] }), /outside the pre view of size 3/);
  assert.throws(() => net.connect(pre, post, { rule: 'explicit', sources: [0, 1], targets: [0] }), /equal-length/);
});

test('views: slices, selections and views of views wire the right neurons', () => {
  const net = new Network();
  const a = net.create('iaf_psc_delta', 10);
  const b = net.create('iaf_psc_delta', 6);
  const p = pairsOf(net.connect(a.select([1, 3]), b.slice(2, 4), 'all_to_all'));
  assert.equal(p.map(([x, y]) => key(x, y)).sort(), ['1>2', '1>3', '3>2', '3>3']);
  const nested = a.slice(2, 8).select([0, 5]);
  assert.equal(Array.from(nested.ids), [2, 7]);
  assert.equal(Array.from(b.slice(1, 5).slice(1, 3).ids), [10 + 2, 10 + 3]);
  const q = pairsOf(net.connect(nested, b.slice(1, 5).slice(1, 3), 'one_to_one'));
  assert.equal(q, [[2, 2], [7, 3]]);
  // Parameters set through a view reach only its neurons.
  a.slice(2, 8).select([0, 5]).set({ I_e: 5 });
  assert.equal(Array.from(a.get('I_e')), [0, 0, 5, 0, 0, 0, 0, 5, 0, 0]);
});

test('weights and delays from numbers and arrays, in generation order', () => {
  const net = new Network({ dt: 0.1 });
  const a = net.create('iaf_psc_delta', 2);
  const b = net.create('iaf_psc_delta', 3);
  const c = net.connect(a, b, 'all_to_all', { weight: 2.5, delay: 1.5 });
  assert.ok(Array.from(c.weight).every((w) => w === 2.5));
  assert.ok(Array.from(c.delay).every((d) => d === 15));
  // all_to_all generates target-major (NEST's (post, pre)-shaped arrays): entry b·nPre + a.
  const w = [10, 11, 12, 13, 14, 15];
  const d = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
  const arr = net.connect(a, b, 'all_to_all', { weight: w, delay: d });
  for (let i = 0; i < 2; i++) {
    for (let s = arr.rowPtr[i]; s < arr.rowPtr[i + 1]; s++) {
      const j = arr.target[s];
      assert.is(arr.weight[s], w[j * 2 + i]);
      assert.is(arr.delay[s], j * 2 + i + 1);
    }
  }
  const typed = net.connect(a, a, 'one_to_one', { weight: new Float64Array([-1, -2]) });
  assert.equal(Array.from(typed.weight), [-1, -2]);
});

test('weight distributions: moments of normal, lognormal, uniform, exponential and clipped forms', () => {
  // 20000 draws each; tolerances are 5 standard errors of the checked statistic.
  const n = 20000;
  const se = (sd: number) => (5 * sd) / Math.sqrt(n);

  const normal = weightsOf({ distribution: 'normal', mean: 2, std: 0.5 });
  assert.ok(Math.abs(mean(normal) - 2) < se(0.5), `normal mean ${mean(normal)}`);
  // sd of the sample variance ≈ σ²·sqrt(2/(n−1)).
  assert.ok(Math.abs(variance(normal) - 0.25) < 5 * 0.25 * Math.sqrt(2 / (n - 1)), `normal var ${variance(normal)}`);

  const logn = weightsOf({ distribution: 'lognormal', mu: 0.3, sigma: 0.5 });
  assert.ok(Array.from(logn).every((x) => x > 0));
  const logs = Array.from(logn, Math.log);
  assert.ok(Math.abs(mean(logs) - 0.3) < se(0.5), `lognormal mean of log ${mean(logs)}`);
  const lnMean = Math.exp(0.3 + 0.125);
  const lnSd = Math.sqrt((Math.exp(0.25) - 1) * Math.exp(0.6 + 0.25));
  assert.ok(Math.abs(mean(logn) - lnMean) < se(lnSd), `lognormal mean ${mean(logn)} vs ${lnMean}`);

  const uni = weightsOf({ distribution: 'uniform', low: -1, high: 3 });
  assert.ok(Array.from(uni).every((x) => x >= -1 && x < 3));
  assert.ok(Math.abs(mean(uni) - 1) < se(4 / Math.sqrt(12)));
  assert.ok(Math.abs(variance(uni) - 16 / 12) < 0.05, `uniform var ${variance(uni)}`); // se of var ≈ 0.0084

  const expo = weightsOf({ distribution: 'exponential', mean: 1.5 });
  assert.ok(Array.from(expo).every((x) => x >= 0));
  assert.ok(Math.abs(mean(expo) - 1.5) < se(1.5), `exponential mean ${mean(expo)}`);
  // P(X > mean) = 1/e; binomial se sqrt(0.233/n).
  const above = Array.from(expo).filter((x) => x > 1.5).length / n;
  assert.ok(Math.abs(above - Math.exp(-1)) < 5 * Math.sqrt(0.2325 / n), `P(X > mean) ${above}`);

  // Clipped normal on [−0.5, 1.5]: all inside; mean of the truncated normal by quadrature.
  const clipped = weightsOf({ distribution: 'normal', mean: 0, std: 1, min: -0.5, max: 1.5 });
  assert.ok(Array.from(clipped).every((x) => x >= -0.5 && x <= 1.5));
  const phi = (x: number) => Math.exp(-x * x / 2);
  const tMean = simpson((x) => x * phi(x), -0.5, 1.5) / simpson(phi, -0.5, 1.5);
  assert.ok(Math.abs(mean(clipped) - tMean) < se(1), `clipped normal mean ${mean(clipped)} vs ${tMean}`);

  // Clipped exponential (mean 1, max 2): truncated mean 1 − 2e^−2/(1 − e^−2).
  const cexp = weightsOf({ distribution: 'exponential', mean: 1, max: 2 });
  assert.ok(Array.from(cexp).every((x) => x >= 0 && x <= 2));
  const ceMean = 1 - (2 * Math.exp(-2)) / (1 - Math.exp(-2));
  assert.ok(Math.abs(mean(cexp) - ceMean) < se(1), `clipped exponential mean ${mean(cexp)} vs ${ceMean}`);

  const clog = weightsOf({ distribution: 'lognormal', mu: 0, sigma: 1, min: 0.5, max: 2 });
  assert.ok(Array.from(clog).every((x) => x >= 0.5 && x <= 2));
  // log X is N(0, 1) clipped to [ln 0.5, ln 2], symmetric: its mean is 0.
  assert.ok(Math.abs(mean(Array.from(clog, Math.log))) < se(1));
});

test('delay distributions are rounded to whole steps of at least dt', () => {
  const net = new Network({ dt: 0.1, seed: 9 });
  const one = net.create('iaf_psc_delta', 1);
  const many = net.create('iaf_psc_delta', 20000);
  const proj = net.connect(one, many, 'all_to_all', { delay: { distribution: 'uniform', low: 0.1, high: 2.0 } });
  const d = Array.from(proj.delay);
  assert.ok(d.every((x) => Number.isInteger(x) && x >= 1 && x <= 20));
  // round(10·U) for U on [0.1, 2): steps 1 and 20 get half a bin each, 2..19 a full bin, so the
  // mean is (0.5 + 188 + 10)/19 = 10.447; the sd of steps is ≈ 5.5, 5 se ≈ 0.19.
  assert.ok(Math.abs(mean(d) - 198.5 / 19) < 0.19, `mean delay ${mean(d)} steps`);
  assert.ok(Math.abs(d.filter((x) => x === 1).length / 20000 - 0.5 / 19) < 0.006);
  const clipped = net.connect(one, many, 'all_to_all', { delay: { distribution: 'normal', mean: 1, std: 1, min: 0.1 } });
  assert.ok(Array.from(clipped.delay).every((x) => x >= 1));
});

test('randomness: same seed same wiring; names and seeds select streams; creation order does not matter', () => {
  const build = (seed: number, order: 'ab' | 'ba', projName?: string) => {
    const net = new Network({ seed });
    const make = (name: string) => net.create('iaf_psc_delta', name === 'E' ? 80 : 60, {}, { name });
    const pops = order === 'ab' ? [make('E'), make('I')] : [make('I'), make('E')].reverse();
    const [e, i] = pops;
    const p1 = net.connect(e, i, { rule: 'fixed_indegree', indegree: 8 }, { weight: { distribution: 'normal', mean: 1, std: 0.2 }, name: projName });
    const p2 = net.connect(i, e, { rule: 'pairwise_bernoulli', p: 0.2 }, { delay: { distribution: 'uniform', low: 0.5, high: 3 } });
    return { p1, p2 };
  };
  const flat = (p: ProjectionData) => [...Array.from(p.rowPtr), ...Array.from(p.target), ...Array.from(p.weight), ...Array.from(p.delay)];
  const x = build(42, 'ab');
  const y = build(42, 'ab');
  assert.equal(flat(x.p1), flat(y.p1));
  assert.equal(flat(x.p2), flat(y.p2));
  const reordered = build(42, 'ba');
  assert.equal(flat(x.p1), flat(reordered.p1));
  assert.equal(flat(x.p2), flat(reordered.p2));
  const other = build(43, 'ab');
  assert.not.equal(Array.from(x.p1.target), Array.from(other.p1.target));
  assert.not.equal(Array.from(x.p2.target), Array.from(other.p2.target));
  // Renaming one projection changes its streams only.
  const renamed = build(42, 'ab', 'EI');
  assert.not.equal(Array.from(x.p1.target), Array.from(renamed.p1.target));
  assert.not.equal(Array.from(x.p1.weight), Array.from(renamed.p1.weight));
  assert.equal(flat(x.p2), flat(renamed.p2));

  // Two projections between the same populations get distinct default names, hence streams.
  const net = new Network({ seed: 1 });
  const a = net.create('iaf_psc_delta', 50);
  const first = net.connect(a, a, { rule: 'fixed_indegree', indegree: 5 });
  const second = net.connect(a, a, { rule: 'fixed_indegree', indegree: 5 });
  assert.not.equal(Array.from(first.target), Array.from(second.target));
  // A refused connect() does not shift the names (and streams) of later ones.
  const net2 = new Network({ seed: 1 });
  const a2 = net2.create('iaf_psc_delta', 50);
  const first2 = net2.connect(a2, a2, { rule: 'fixed_indegree', indegree: 5 });
  assert.throws(() => net2.connect(a2, a2, { rule: 'fixed_indegree', indegree: 5 }, { delay: 0.01 }), (e: unknown) => e instanceof SimulationError);
  const second2 = net2.connect(a2, a2, { rule: 'fixed_indegree', indegree: 5 });
  assert.equal(Array.from(first2.target), Array.from(first.target));
  assert.equal(Array.from(second2.target), Array.from(second.target));
});

test('spatial: grid positions are (row, col)·spacing in row-major order', () => {
  const net = new Network();
  const g = net.create('iaf_psc_delta', 20, {}, { positions: { grid: [4, 5] } });
  assert.is(g.dims, 2);
  for (let k = 0; k < 20; k++) {
    assert.is(g.positions![2 * k], Math.floor(k / 5));
    assert.is(g.positions![2 * k + 1], k % 5);
  }
  const s = net.create('iaf_psc_delta', 6, {}, { positions: { grid: [2, 3], spacing: 0.25 } });
  assert.equal(Array.from(s.positions!), [0, 0, 0, 0.25, 0, 0.5, 0.25, 0, 0.25, 0.25, 0.25, 0.5]);
  assert.throws(() => net.create('iaf_psc_delta', 21, {}, { positions: { grid: [4, 5] } }), /4x5 grid holds 20 neurons but the population has 21/);
  assert.throws(() => net.create('iaf_psc_delta', 2, {}, { positions: { coords: [[0, 0], [1]] } }), /position 1 has 1 coordinates, expected 2/);
});

test('spatial: p(d) = [d <= 1] gives exactly the 4-neighbourhood; spacing and diagonals', () => {
  const rows = 4;
  const cols = 5;
  const net = new Network();
  const g = net.create('iaf_psc_delta', rows * cols, {}, { positions: { grid: [rows, cols] } });
  /** Hand-made neighbour list: grid offsets (dr, dc) with dr² + dc² <= r2, self excluded. */
  const neighbours = (r2: number) => {
    const out: string[] = [];
    for (let k = 0; k < rows * cols; k++) {
      for (let m = 0; m < rows * cols; m++) {
        const dr = Math.floor(k / cols) - Math.floor(m / cols);
        const dc = (k % cols) - (m % cols);
        if (k !== m && dr * dr + dc * dc <= r2) out.push(key(k, m));
      }
    }
    return out.sort();
  };
  const four = pairsOf(net.connect(g, g, { rule: 'pairwise_bernoulli', p: (d) => (d <= 1 ? 1 : 0), allow_autapses: false }));
  assert.equal(four.map(([a, b]) => key(a, b)).sort(), neighbours(1));
  // 2·(rows·(cols−1) + cols·(rows−1)) directed edges.
  assert.is(four.length, 2 * (rows * (cols - 1) + cols * (rows - 1)));
  // Autapses allowed (the default): the distance-0 self pairs join.
  assert.is(net.connect(g, g, { rule: 'pairwise_bernoulli', p: (d) => (d <= 1 ? 1 : 0) }).size, four.length + rows * cols);
  const eight = pairsOf(net.connect(g, g, { rule: 'pairwise_bernoulli', p: (d) => (d <= 1.5 ? 1 : 0), allow_autapses: false }));
  assert.equal(eight.map(([a, b]) => key(a, b)).sort(), neighbours(2));
  // Half spacing: d <= 1 now reaches two grid steps straight and one diagonally.
  const half = net.create('iaf_psc_delta', rows * cols, {}, { positions: { grid: [rows, cols], spacing: 0.5 } });
  const near = pairsOf(net.connect(half, half, { rule: 'pairwise_bernoulli', p: (d) => (d <= 1 ? 1 : 0), allow_autapses: false }));
  assert.equal(near.map(([a, b]) => key(a, b)).sort(), neighbours(4));
  // Views keep their neurons' positions: the corner (0,0) against the second row.
  const corner = pairsOf(net.connect(g.select([0]), g.slice(5, 10), { rule: 'pairwise_bernoulli', p: (d) => (d <= 1 ? 1 : 0) }));
  assert.equal(corner, [[0, 5]]);
});

test('spatial: two grids, explicit coordinates, and a graded p(d) against its expectation', () => {
  const net = new Network({ seed: 21 });
  const pre = net.create('iaf_psc_delta', 9, {}, { positions: { grid: [3, 3] } });
  const post = net.create('iaf_psc_delta', 9, {}, { positions: { grid: [3, 3] } });
  assert.equal(pairsOf(net.connect(pre, post, { rule: 'pairwise_bernoulli', p: (d) => (d < 0.5 ? 1 : 0) })), Array.from({ length: 9 }, (_, k) => [k, k]));
  const pts = net.create('iaf_psc_delta', 3, {}, { positions: { coords: [[0, 0, 0], [3, 4, 0], [0, 0, 12]] } });
  // Distances: |0−1| = 5, |0−2| = 12, |1−2| = 13.
  const seen: number[] = [];
  net.connect(pts, pts, { rule: 'pairwise_bernoulli', p: (d) => (seen.push(d), d <= 12 ? 1 : 0), allow_autapses: false });
  assert.equal([...new Set(seen)].sort((x, y) => x - y), [5, 12, 13]);
  assert.equal(pairsOf(net.connect(pts, pts, { rule: 'pairwise_bernoulli', p: (d) => (d > 0 && d <= 12 ? 1 : 0) })).map(([a, b]) => key(a, b)), ['0>1', '0>2', '1>0', '2>0']);

  // Graded kernel exp(−d/2) on a 12×12 grid: the count is a sum of independent Bernoullis,
  // mean Σp, variance Σp(1−p); bound 5 sd.
  const big = net.create('iaf_psc_delta', 144, {}, { positions: { grid: [12, 12] } });
  const kernel = (d: number) => Math.exp(-d / 2);
  const count = net.connect(big, big, { rule: 'pairwise_bernoulli', p: kernel, allow_autapses: false }).size;
  let mu = 0;
  let v = 0;
  for (let k = 0; k < 144; k++) {
    for (let m = 0; m < 144; m++) {
      if (k === m) continue;
      const p = kernel(Math.hypot(Math.floor(k / 12) - Math.floor(m / 12), (k % 12) - (m % 12)));
      mu += p;
      v += p * (1 - p);
    }
  }
  assert.ok(Math.abs(count - mu) < 5 * Math.sqrt(v), `count ${count}, expected ${mu} ± ${Math.sqrt(v)}`);

  const flat = net.create('iaf_psc_delta', 4);
  assert.throws(() => net.connect(flat, flat, { rule: 'pairwise_bernoulli', p: kernel }), /needs positions on both populations/);
  assert.throws(() => net.connect(big, big, { rule: 'pairwise_bernoulli', p: () => 2 }), /returned 2/);
});

test.run();
