/**
 * Anchor 5: stdp_synapse against an independent re-implementation of the rule.
 *
 * One plastic synapse from a source that fires at given steps onto an iaf_psc_delta neuron
 * whose spikes are forced at known steps by a huge input from a second source (its threshold
 * is out of reach of the plastic input, so the post train is exactly the forced one). The
 * weight after every presynaptic spike, as the weight recorder reports it, is compared with
 * `referenceWeights`, which evaluates the rule in its all-to-all pair-sum form: explicit sums
 * of exponentials over every earlier spike of the other side, with spike order decided on
 * integer steps. It shares no code and no trace recursion with the engine.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import seedrandom from 'seedrandom';
import type { Table } from 'apache-arrow';
import {
  Network,
  SimulationError,
  SpikeHistory,
  STDP_EPS,
  defineNeuronModel,
  registerNeuronModel,
  recordSpikes,
  recordWeights,
  type ProjectionData,
  type Population,
} from '../engine/index.js';
import { TRAIN_SOURCE, addTrain } from './fixtures/train-source.js';

const DT = 0.1;

interface Rule {
  tauPlus: number;
  tauMinus: number;
  lambda: number;
  alpha: number;
  muPlus: number;
  muMinus: number;
  wmax: number;
  w0: number;
}

/** The anchor's parameters (spec section 8, item 5). */
const ANCHOR: Rule = { tauPlus: 16.8, tauMinus: 33.7, lambda: 0.01, alpha: 0.85, muPlus: 0, muMinus: 0, wmax: 15, w0: 0.5 };

/**
 * Weight after each presynaptic spike, from the pair-sum form of the rule. Times are steps;
 * a post spike at q is seen by the synapse at q + d. At the k-th pre spike, for each post
 * spike seen in (t_{k−1}, t_k], in order: facilitation by the sum over all earlier pre spikes
 * strictly before it; then depression by the sum over all post spikes seen strictly before
 * t_k. Pairs seen at the same time count neither way.
 */
function referenceWeights(pre: number[], post: number[], d: number, r: Rule, clips = { high: 0, low: 0 }): number[] {
  const out: number[] = [];
  let w = r.w0;
  for (let k = 0; k < pre.length; k++) {
    const tk = pre[k];
    const prev = k > 0 ? pre[k - 1] : -Infinity;
    for (const q of post) {
      const seen = q + d;
      if (!(seen > prev && seen <= tk)) continue;
      let sum = 0;
      for (let j = 0; j < k; j++) if (pre[j] < seen) sum += Math.exp(-((seen - pre[j]) * DT) / r.tauPlus);
      const x = w / r.wmax;
      const y = x + r.lambda * Math.pow(1 - x, r.muPlus) * sum;
      if (y >= 1) clips.high++;
      w = r.wmax * Math.min(1, y);
    }
    let km = 0;
    for (const q of post) if (q + d < tk) km += Math.exp(-((tk - q - d) * DT) / r.tauMinus);
    const x = w / r.wmax;
    const y = x - r.alpha * r.lambda * Math.pow(x, r.muMinus) * km;
    if (y <= 0) clips.low++;
    w = r.wmax * Math.max(0, y);
    out.push(w);
  }
  return out;
}

interface Run {
  net: Network;
  proj: ProjectionData;
  post: Population;
  times: number[];
  weights: number[];
  sources: number[];
  targets: number[];
  postSpikes: number[];
}

/**
 * One plastic synapse (delay d steps) from a source playing `pre` onto a neuron forced to
 * spike at the steps `post` (each ≥ 2: the driver fires one step earlier over a delay of dt).
 */
async function runPair(pre: number[], post: number[], d: number, r: Rule, durationSteps: number, extra?: (net: Network, post: Population) => void): Promise<Run> {
  const net = new Network({ dt: DT, seed: 5 });
  const src = net.create(TRAIN_SOURCE, 1, { train: addTrain(pre) }, { name: 'pre' });
  const drv = net.create(TRAIN_SOURCE, 1, { train: addTrain(post.map((q) => q - 1)) }, { name: 'driver' });
  // The plastic input (at most Wmax = 15 mV per spike) cannot reach a threshold of 1e6 mV;
  // the driver's 2e6 mV jump always does, and t_ref = 0 lets it do so at any step.
  const tgt = net.create('iaf_psc_delta', 1, { E_L: 0, V_m: 0, V_reset: 0, V_th: 1e6, t_ref: 0, tau_minus: r.tauMinus }, { name: 'post' });
  const proj = net.connect(src, tgt, 'one_to_one', {
    model: 'stdp_synapse',
    weight: r.w0,
    delay: d * DT,
    params: { tau_plus: r.tauPlus, lambda: r.lambda, alpha: r.alpha, mu_plus: r.muPlus, mu_minus: r.muMinus, Wmax: r.wmax },
  });
  net.connect(drv, tgt, 'one_to_one', { weight: 2e6, delay: DT });
  extra?.(net, tgt);
  const wr = recordWeights(net, proj);
  const sr = recordSpikes(net, tgt);
  net.simulate(durationSteps * DT);
  await net.close();
  const t: Table = wr.toTable();
  const col = (name: string) => Array.from(t.getChild(name)!.toArray() as ArrayLike<number>);
  return {
    net,
    proj,
    post: tgt,
    times: col('time_ms'),
    weights: col('weight'),
    sources: col('source'),
    targets: col('target'),
    postSpikes: Array.from(sr.toTable().getChild('time_ms')!.toArray() as ArrayLike<number>),
  };
}

/** Bernoulli spikes with rate·dt per step on steps [from, to], from a fixed seed. */
function poissonSteps(seed: string, rateHz: number, from: number, to: number): number[] {
  const rng = seedrandom.alea(seed);
  const p = rateHz * DT * 1e-3;
  const out: number[] = [];
  for (let k = from; k <= to; k++) if (rng() < p) out.push(k);
  return out;
}

// The engine keeps the traces recursively (K ← K·e^(−Δ/τ) + 1) while the reference sums
// every pair afresh; both round each operation to double precision, so over ~100 spikes
// they agree to a few 1e-15 of the weight scale. 1e-12·Wmax leaves three orders of margin
// and is still far below any real rule difference (one pair at the widest spacing here
// moves the weight by more than 1e-6).
function assertWeights(run: Run, pre: number[], expected: number[], wmax: number, what: string): void {
  assert.is(run.weights.length, pre.length, `${what}: one weight row per presynaptic spike`);
  for (let k = 0; k < pre.length; k++) {
    const tMs = pre[k] * DT;
    if (Math.abs(run.times[k] - tMs) > 1e-9) throw new Error(`${what}: row ${k} at ${run.times[k]} ms, expected the pre spike time ${tMs} ms`);
    const err = Math.abs(run.weights[k] - expected[k]);
    if (!(err <= 1e-12 * Math.abs(wmax))) {
      throw new Error(`${what}: weight after pre spike ${k} (t = ${tMs} ms) is ${run.weights[k]}, reference ${expected[k]} (|diff| = ${err})`);
    }
  }
}

function assertPostTrain(run: Run, post: number[]): void {
  assert.is(run.postSpikes.length, post.length, 'forced post train: spike count');
  for (let j = 0; j < post.length; j++) {
    if (Math.abs(run.postSpikes[j] - post[j] * DT) > 1e-9) throw new Error(`post spike ${j} at ${run.postSpikes[j]} ms, forced at ${post[j] * DT} ms`);
  }
}

for (const d of [1, 15]) {
  test(`anchor 5: Poisson pre and post trains (100 Hz, 1 s), delay ${d * DT} ms: weight after every pre spike equals the pair-sum reference`, async () => {
    const steps = 10000;
    const pre = poissonSteps(`anchor5/pre/${d}`, 100, 1, steps);
    const post = poissonSteps(`anchor5/post/${d}`, 100, 2, steps);
    // Enough spikes that the rule is exercised, not a vacuous comparison.
    assert.ok(pre.length > 70 && post.length > 70, `trains of ${pre.length} and ${post.length} spikes`);
    const run = await runPair(pre, post, d, ANCHOR, steps);
    assertPostTrain(run, post);
    const expected = referenceWeights(pre, post, d, ANCHOR);
    assertWeights(run, pre, expected, ANCHOR.wmax, `delay ${d}`);
    assert.ok(new Set(run.sources).size === 1 && run.sources[0] === 0, 'source column holds the global id of the pre neuron');
    assert.ok(run.targets.every((x) => x === 2), 'target column holds the global id of the post neuron');
    // The weights really moved, both up and down, so agreement is not trivial.
    let ups = 0;
    let downs = 0;
    for (let k = 1; k < expected.length; k++) {
      if (expected[k] > expected[k - 1]) ups++;
      if (expected[k] < expected[k - 1]) downs++;
    }
    assert.ok(ups > 10 && downs > 10, `weight went up ${ups} and down ${downs} times`);
    assert.is(run.proj.weight[0], run.weights[run.weights.length - 1], 'stored weight is the last recorded one');
    // With one reader, the archive holds only what the synapse has not read yet (post spikes
    // seen after its last pre spike), what a depression lookup can still ask for (the last
    // d steps before the newest post spike) and one entry before that.
    const lastPre = pre[pre.length - 1];
    const lastPost = post[post.length - 1];
    const bound = post.filter((q) => q + d > lastPre || q >= lastPost - d).length + 1;
    const kept = run.post.history!.size(0);
    assert.ok(kept <= bound && kept < post.length / 10, `post archive pruned to ${kept} entries (bound ${bound})`);
  });
}

test('anchor 5 variants: weights driven into both bounds (additive) and multiplicative weight dependence match the reference', async () => {
  // Ten cycles of 50 ms where the post spike follows the pre spike by 0.5 ms (strong LTP,
  // weak LTD: the weight saturates at Wmax), then ten where it precedes the pre spike by 0.5 ms
  // as the synapse sees it (the weight is driven to 0), with lambda 0.3.
  const pre: number[] = [];
  const post: number[] = [];
  for (let c = 0; c < 20; c++) {
    pre.push(100 + 500 * c);
    post.push(c < 10 ? 100 + 500 * c + 5 : 100 + 500 * c - 10 - 5);
  }
  const hard: Rule = { ...ANCHOR, lambda: 0.3 };
  const run = await runPair(pre, post, 10, hard, 10000);
  assertPostTrain(run, post);
  const clips = { high: 0, low: 0 };
  const expected = referenceWeights(pre, post, 10, hard, clips);
  assertWeights(run, pre, expected, hard.wmax, 'additive, lambda 0.3');
  // Facilitation hit Wmax several times (the recorded weights are after the depression that
  // follows, so they sit just below it) and depression hit 0 several times.
  assert.ok(clips.high >= 3 && clips.low >= 3, `clipped at Wmax ${clips.high} and at 0 ${clips.low} times`);
  assert.ok(run.weights.slice(-5).every((w) => w === 0), 'engine holds the weight at exactly 0');

  const steps = 10000;
  const mult: Rule = { ...ANCHOR, muPlus: 1, muMinus: 1, lambda: 0.05, alpha: 1.2 };
  const pre2 = poissonSteps('anchor5/mult/pre', 100, 1, steps);
  const post2 = poissonSteps('anchor5/mult/post', 100, 2, steps);
  const run2 = await runPair(pre2, post2, 3, mult, steps);
  assertWeights(run2, pre2, referenceWeights(pre2, post2, 3, mult), mult.wmax, 'multiplicative');
});

test('edge case: simultaneous pre and post spikes form a causal pair of spacing d (the delay is dendritic)', async () => {
  // pre at 10 and 20 ms, post at 10 ms, d = 1 ms: the synapse sees the post spike at 11 ms.
  const pre = [100, 200];
  const post = [100];
  const r = ANCHOR;
  const run = await runPair(pre, post, 10, r, 300);
  const f = r.w0 / r.wmax + r.lambda * Math.exp(-1 / r.tauPlus); // LTP of the pair 10 → 11 ms
  const dep = r.alpha * r.lambda * Math.exp(-(19 - 10) / r.tauMinus); // K_minus at 20 − 1 ms
  const w2 = r.wmax * (f - dep);
  assertWeights(run, pre, [r.w0, w2], r.wmax, 'simultaneous');
  assertWeights(run, pre, referenceWeights(pre, post, 10, r), r.wmax, 'simultaneous vs reference');
});

test('edge case: post exactly one delay after pre is seen 2d after it', async () => {
  const pre = [100, 250];
  const post = [110]; // t_pre + d with d = 1 ms
  const r = ANCHOR;
  const run = await runPair(pre, post, 10, r, 300);
  const f = r.w0 / r.wmax + r.lambda * Math.exp(-2 / r.tauPlus);
  const dep = r.alpha * r.lambda * Math.exp(-(24 - 11) / r.tauMinus);
  assertWeights(run, pre, [r.w0, r.wmax * (f - dep)], r.wmax, 'one delay after');
  assertWeights(run, pre, referenceWeights(pre, post, 10, r), r.wmax, 'one delay after vs reference');
});

test('edge case: a post spike at exactly t_pre − d is simultaneous with that pre spike and pairs with it neither way', async () => {
  // pre at 5, 10, 20 ms; post at 9 ms; d = 1 ms: seen at 10 ms, together with the second pre spike.
  const pre = [50, 100, 200];
  const post = [90];
  const r = ANCHOR;
  const run = await runPair(pre, post, 10, r, 250);
  // At 10 ms: LTP only from the pre spike at 5 ms; no depression (K_minus counts post spikes
  // strictly before 9 ms). At 20 ms: no LTP (the post spike was consumed at 10 ms), and
  // depression from the post spike seen at 10 ms.
  const w1 = r.wmax * (r.w0 / r.wmax + r.lambda * Math.exp(-5 / r.tauPlus));
  const w2 = r.wmax * (w1 / r.wmax - r.alpha * r.lambda * Math.exp(-10 / r.tauMinus));
  assertWeights(run, pre, [r.w0, w1, w2], r.wmax, 'post at t_pre − d');
  assertWeights(run, pre, referenceWeights(pre, post, 10, r), r.wmax, 'post at t_pre − d vs reference');
});

test('edge case: repeated post spikes and pre spikes one step apart, with delay of one step', async () => {
  const pre = [10, 11, 12, 20, 21, 30];
  const post = [10, 11, 12, 13, 19, 20, 22, 29];
  const run = await runPair(pre, post, 1, ANCHOR, 40);
  assertPostTrain(run, post);
  assertWeights(run, pre, referenceWeights(pre, post, 1, ANCHOR), ANCHOR.wmax, 'dense');
});

test('the spike goes out with the weight after its update', async () => {
  // post at 5 ms, pre at 10 ms, d = 1 ms: depression first, then the jump of V at 11 ms is the new weight.
  const pre = [100];
  const post = [50];
  const r = ANCHOR;
  let seen = NaN;
  const run = await runPair(pre, post, 10, r, 150, (net, tgt) => {
    // V is 0 (reset, E_L = 0) before the jump, so V right after it is the weight.
    // The update of step 109 integrates to 11 ms and applies the input of slot 109, where a
    // spike stamped 100 over 10 steps lands; a callback at 10.9 ms runs right after it.
    net.at(10.9, () => {
      seen = tgt.get('V_m')[0];
    });
  });
  const expected = r.wmax * (r.w0 / r.wmax - r.alpha * r.lambda * Math.exp(-(9 - 5) / r.tauMinus));
  assert.ok(Math.abs(run.weights[0] - expected) <= 1e-12 * r.wmax, `updated weight ${run.weights[0]} vs ${expected}`);
  assert.ok(Math.abs(seen - run.weights[0]) <= 1e-12, `V jump ${seen} equals the updated weight ${run.weights[0]}`);
});

test('a source that fired once and then fell silent keeps its owed pairs: the archive holds them until it fires again', async () => {
  // Source A fires at 10 ms and at 600 ms; source B fires throughout. Post fires at 100 Hz.
  // A's facilitation at 600 ms must include the post spikes shortly after 10 ms, 590 ms earlier.
  const steps = 8000;
  const preA = [100, 6000];
  const preB = poissonSteps('anchor5/silent/B', 100, 1, steps);
  const post = poissonSteps('anchor5/silent/post', 100, 110, steps);
  const net = new Network({ dt: DT, seed: 1 });
  const a = net.create(TRAIN_SOURCE, 1, { train: addTrain(preA) });
  const b = net.create(TRAIN_SOURCE, 1, { train: addTrain(preB) });
  const never = net.create(TRAIN_SOURCE, 1, { train: addTrain([]) });
  const drv = net.create(TRAIN_SOURCE, 1, { train: addTrain(post.map((q) => q - 1)) });
  const tgt = net.create('iaf_psc_delta', 1, { E_L: 0, V_m: 0, V_reset: 0, V_th: 1e6, t_ref: 0, tau_minus: ANCHOR.tauMinus });
  const params = { tau_plus: ANCHOR.tauPlus, lambda: ANCHOR.lambda, alpha: ANCHOR.alpha, mu_plus: 0, mu_minus: 0, Wmax: ANCHOR.wmax };
  const pa = net.connect(a, tgt, 'one_to_one', { model: 'stdp_synapse', weight: ANCHOR.w0, delay: 1, params });
  const pb = net.connect(b, tgt, 'one_to_one', { model: 'stdp_synapse', weight: ANCHOR.w0, delay: 1, params });
  net.connect(never, tgt, 'one_to_one', { model: 'stdp_synapse', weight: ANCHOR.w0, delay: 1, params });
  net.connect(drv, tgt, 'one_to_one', { weight: 2e6, delay: DT });
  const wa = recordWeights(net, pa);
  const wb = recordWeights(net, pb);
  net.simulate(599);
  const hist = tgt.history!;
  const owed = post.filter((q) => q > 100 - 10 && q <= 5990).length;
  // Everything A has not read is still there (plus at most the entries kept for lookups).
  assert.ok(hist.size(0) >= owed, `archive holds ${hist.size(0)} entries, A still needs ${owed}`);
  assert.is(hist.readerCount(0), 2, 'the never-firing source is not a reader');
  net.simulate((steps - 5990) * DT);
  await net.close();
  const w = (r: { toTable(): Table }) => Array.from(r.toTable().getChild('weight')!.toArray() as ArrayLike<number>);
  const expA = referenceWeights(preA, post, 10, ANCHOR);
  const gotA = w(wa);
  assert.is(gotA.length, 2);
  for (let k = 0; k < 2; k++) assert.ok(Math.abs(gotA[k] - expA[k]) <= 1e-12 * ANCHOR.wmax, `A weight ${k}: ${gotA[k]} vs ${expA[k]}`);
  // Without the post spikes of the first 100 ms after A's spike the result would differ by
  // far more than any rounding: keeping the entries mattered.
  const forgetful = referenceWeights(preA, post.filter((q) => q > 1100), 10, ANCHOR);
  assert.ok(Math.abs(forgetful[1] - expA[1]) > 0.1, `owed facilitation ${expA[1] - forgetful[1]}`);
  const expB = referenceWeights(preB, post, 10, ANCHOR);
  const gotB = w(wb);
  assert.is(gotB.length, preB.length);
  for (let k = 0; k < expB.length; k++) assert.ok(Math.abs(gotB[k] - expB[k]) <= 1e-12 * ANCHOR.wmax, `B weight ${k}: ${gotB[k]} vs ${expB[k]}`);
  // Once A has read its entries, the next post spikes prune the archive again.
  assert.ok(hist.size(0) <= 16, `archive back to ${hist.size(0)} entries after A read its pairs`);
});

test('spike archive: windows and K lookups follow NEST (eps-tolerant, half-open (t1, t2], strictly-before K)', () => {
  const tau = new Float64Array([20]);
  const h = new SpikeHistory(1, tau, 5);
  h.add(0, 1);
  h.add(0, 2);
  h.add(0, 3);
  // (1, 3]: the spikes at 2 and 3; the one at t1 = 1 is out, also with rounding noise.
  assert.is(h.read(0, 1 + STDP_EPS / 10, 3 - STDP_EPS / 10), 2);
  assert.equal([h.time(0, h.first), h.time(0, h.first + 1)], [2, 3]);
  // K just before 3 counts 1 and 2, not 3 itself.
  const k2 = 1 * Math.exp(-1 / 20) + 1;
  const t2 = 3 - STDP_EPS / 10;
  assert.ok(Math.abs(h.kAt - k2 * Math.exp((2 - t2) / 20)) < 1e-14, `K(t2) = ${h.kAt}`);
  assert.ok(Math.abs(h.kValue(0, 3) - k2 * Math.exp(-1 / 20)) < 1e-14);
  assert.is(h.kValue(0, 1), 0, 'nothing strictly before the first spike');
  assert.is(h.read(0, 3, 10), 0, 'nothing after 3');
  // The reads were counted: the entries at 2 and 3 were read once, 1 never.
  assert.equal([h.reads(0, 0), h.reads(0, 1), h.reads(0, 2)], [0, 1, 1]);
});

test('spike archive pruning: unread entries stay, read ones go once the lookup window has passed', () => {
  const h = new SpikeHistory(1, new Float64Array([20]), 2);
  h.register(0);
  for (let t = 1; t <= 10; t++) h.add(0, t);
  assert.is(h.size(0), 10, 'nothing read yet, nothing dropped');
  assert.is(h.read(0, 0, 6), 6);
  h.add(0, 11);
  // Later lookups ask for K at times >= 11 − 2 = 9. Read entries go while their successor is
  // more than 2 ms (+eps) before 11: 1..6 all go (7 < 9 replaces 6 for any lookup); 7 is
  // unread and stays, and with it everything newer.
  assert.is(h.time(0, 0), 7);
  assert.is(h.size(0), 5);
  assert.is(h.read(0, 6, 10), 4);
  h.add(0, 12);
  // Now 7 and 8 go; 9 stays because a lookup at exactly 10 = 12 − 2 needs the spike before 10.
  assert.is(h.time(0, 0), 9);
  assert.is(h.size(0), 4);
});

test('checks: Wmax sign and size, non-spiking sources, targets without tau_minus', () => {
  const net = new Network({ dt: DT });
  const src = net.create(TRAIN_SOURCE, 2, { train: addTrain([]) });
  const tgt = net.create('iaf_psc_delta', 2);
  const stdp = (weight: number, Wmax: number) => () => net.connect(src, tgt, 'all_to_all', { model: 'stdp_synapse', weight, params: { Wmax } });
  assert.throws(stdp(-1, 10), (e: unknown) => e instanceof SimulationError && /different signs/.test(e.message));
  assert.throws(stdp(1, -10), (e: unknown) => e instanceof SimulationError && /different signs/.test(e.message));
  assert.throws(stdp(20, 10), (e: unknown) => e instanceof SimulationError && /exceeds Wmax/.test(e.message));
  assert.throws(stdp(0, 0), (e: unknown) => e instanceof SimulationError && /Wmax must not be 0/.test(e.message));
  // NEST counts 0 as positive: w = 0 goes with a positive Wmax, and negative pairs are fine.
  stdp(0, 10)();
  stdp(-1, -10)();
  const gen = net.create('poisson_generator', 1, { rate: 10 });
  assert.throws(
    () => net.connect(gen, tgt, 'all_to_all', { model: 'stdp_synapse', weight: 1 }),
    (e: unknown) => e instanceof SimulationError && /parrot_neuron/.test(e.message),
  );
  registerNeuronModel(
    defineNeuronModel({
      name: 'anchor5_no_trace',
      doc: 'Test target without tau_minus.',
      timing: 'grid',
      output: 'spike',
      params: {},
      state: {},
      ports: { spikes: { kind: 'spike', doc: 'Input.' } },
      prepare: () => null,
      update() {},
    }),
  );
  const plain = net.create('anchor5_no_trace', 1);
  assert.throws(
    () => net.connect(src, plain, 'all_to_all', { model: 'stdp_synapse', weight: 1 }),
    (e: unknown) => e instanceof SimulationError && /tau_minus/.test(e.message),
  );
});

test.run();
