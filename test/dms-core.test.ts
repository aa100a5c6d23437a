/**
 * Spec §7 checks 1–5 of striatum-dms on the circuit stepper (experiments/striatum-dms/core.ts),
 * against hand-computed values of the §2 update order: the MSN's Euler step, threshold, reset
 * step, the discrete STDP kernel, the reward term, one clip per step and the jitter rule.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import seedrandom from 'seedrandom';
import { DmsCircuit, MSN_DEFAULTS } from '../experiments/striatum-dms/core.js';
import { jitterStep } from '../experiments/striatum-dms/simulate.js';

const DT = 0.2;

/** A noise-free circuit with the given weights (noise streams are never drawn). */
function circuit(w: number[], opts: { epsilon?: number; Aprepost?: number; Apostpre?: number; lazy?: boolean; rngs?: (() => number)[] } = {}): DmsCircuit {
  const c = new DmsCircuit(
    { ...MSN_DEFAULTS, P: w.length, dt: DT, epsilon: opts.epsilon ?? 0.02, Aprepost: opts.Aprepost ?? -1, Apostpre: opts.Apostpre ?? -1 },
    Float64Array.from(w),
    opts.rngs ?? [],
  );
  c.lazy = opts.lazy ?? true;
  return c;
}

/** Runs D steps with the given pattern spikes, recording V, spikes and weights after each dense step. */
function run(c: DmsCircuit, D: number, inputs: number[], steps: number[]): { V: number[]; spikes: number[]; w: number[][] } {
  const V: number[] = [];
  const spikes: number[] = [];
  const w: number[][] = [];
  let n = 0;
  c.onStep = (cc, spiked) => {
    V[n] = cc.V;
    if (spiked) spikes.push(n);
    w[n] = Array.from(cc.w);
    n++;
  };
  c.lazy = false;
  c.setPattern(inputs, steps);
  c.run(D, false);
  c.onStep = null;
  return { V, spikes, w };
}

test('check 1: a volley moves V by R·Σw one step later; threshold is strict', () => {
  const cases: [number, number, boolean][] = [
    [0.44, -44.8, true],
    [0.43, -45.6, false],
    [0.4375, -45, false],
  ];
  for (const [sum, v, fires] of cases) {
    const c = circuit([sum]);
    c.g = 0;
    const r = run(c, 4, [0], [0]);
    assert.is(r.V[0], -80, 'input at step 0 reaches V at step 1');
    if (fires) {
      assert.equal(r.spikes, [1], `Σw = ${sum} fires at step 1`);
      assert.is(r.V[1], -45, 'stored V on a spike is V_th');
      assert.is(r.V[2], -80, 'the step after a spike is a reset step');
    } else {
      assert.equal(r.spikes, [], `Σw = ${sum} does not fire`);
      assert.ok(Math.abs(r.V[1] - v) < 1e-12, `V = ${r.V[1]} for Σw = ${sum}`);
    }
  }
  // Exactly at threshold: −80 + 80·0.4375 is −45 in floating point too, and −45 does not fire.
  const c = circuit([0.4375]);
  assert.is(run(c, 2, [0], [0]).V[1], -45);
});

test('check 1: a random-input spike fires the MSN next step; input in the step after an MSN spike is lost', () => {
  const c = circuit([0.44]);
  c.g = 0;
  c.sR = 1; // random-input spike in the step before the segment
  const r = run(c, 5, [0], [0]);
  assert.equal(r.spikes, [0], 'the random input fires the MSN at step 0; the volley arriving at step 1 is lost');
  assert.is(r.V[1], -80, 'reset step: V = E_r whatever the input');
  assert.ok(Math.abs(r.V[2] - -80) < 1e-12);
});

test('check 2: a +20 mV jump decays as −80 + 20·0.9875^k, densely and through jumps', () => {
  for (const lazy of [false, true]) {
    const c = circuit([0.25]);
    c.g = 0;
    c.lazy = lazy;
    c.setPattern([0], [0]);
    c.run(2, false); // steps 0 (spike emitted) and 1 (V = −60)
    assert.ok(Math.abs(c.V - -60) < 1e-12);
    for (const k of [1, 7, 100, 1000]) {
      const d = circuit([0.25]);
      d.g = 0;
      d.lazy = lazy;
      d.setPattern([0], [0]);
      d.run(2 + k, false);
      const want = -80 + 20 * Math.pow(0.9875, k);
      assert.ok(Math.abs(d.V - want) < 1e-12, `lazy=${lazy} k=${k}: ${d.V} vs ${want}`);
    }
  }
});

test('check 3: rewarded trial: +ε·H on the pre spike, MSN spike, then pre→post LTD of −ε', () => {
  const c = circuit([0.2, 0.15, 0.1]);
  c.m = 0.95;
  const r = run(c, 4, [0, 1, 2], [0, 0, 0]);
  assert.equal(r.spikes, [1]);
  const close = (a: number[], b: number[], msg: string): void => a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) < 1e-12, `${msg}: ${a} vs ${b}`));
  close(r.w[1], [0.219, 0.169, 0.119], 'after the MSN spike step');
  close(r.w[2], [0.199, 0.149, 0.099], 'one step later');
  close(r.w[3], [0.199, 0.149, 0.099], 'no further change');

  const u = circuit([0.2, 0.15, 0.1]);
  const ru = run(u, 4, [0, 1, 2], [0, 0, 0]);
  close(ru.w[3], [0.18, 0.13, 0.08], 'unrewarded: −0.02 each');

  // Sum 0.40: no spike, +0.019 each → 0.457, and the next (plasticity-free) test fires.
  const s = circuit([0.2, 0.1, 0.1]);
  s.m = 0.95;
  const rs = run(s, 10, [0, 1, 2], [0, 0, 0]);
  assert.equal(rs.spikes, []);
  close(rs.w[9], [0.219, 0.119, 0.119], 'rewarded without spike');
  s.g = 0;
  s.m = 0;
  s.resetForTest(true);
  assert.equal(run(s, 10, [0, 1, 2], [4, 4, 4]).spikes, [5]);
});

test('check 4: post→pre pairing ∓ε·e^{−(j−1)dt/τ₋}; same-step pre/post gives nothing; one clip per step', () => {
  for (const A of [-1, 1]) {
    const c = circuit([0.1], { Apostpre: A });
    c.sR = 1; // MSN spike at step 0
    const r = run(c, 10, [0], [5]);
    assert.equal(r.spikes, [0]);
    const dw = r.w[9][0] - 0.1;
    assert.ok(Math.abs(dw - A * 0.02 * Math.exp(-0.04)) < 1e-15, `Apostpre ${A}: ${dw}`);
    assert.ok(Math.abs(dw - A * 0.0192158) < 1e-7);
  }
  // Pre and post in the same step: no pairing either way.
  const c = circuit([0.1], { Apostpre: 1, Aprepost: 1 });
  c.sR = 1;
  const r = run(c, 20, [0], [0]);
  assert.equal(r.spikes, [0]);
  assert.is(r.w[19][0], 0.1);
  // w = 0 gets +ε·H (reward) and −ε (pre→post) in one step: summed, then clipped once → 0.
  const z = circuit([0, 1]);
  run(z, 2, [0, 1, 0], [0, 0, 1]); // input 1 fires the MSN at step 1; input 0 spikes at 0 and 1
  assert.is(z.w[0], 0);
  z.m = 0.95;
  const rz = run(z, 1, [], []);
  assert.is(rz.w[0][0], 0, 'not 0.019 (clip after each term would give that)');
});

test('check 5: jitter steps trunc(clip(O + σz/dt, 1, D−1))', () => {
  const cases: [number, number][] = [
    [0.5, 250],
    [-0.5, 249],
    [-1.2, 248],
    [1.7, 251],
    [1e4, 499],
    [-1e4, 1],
  ];
  for (const [z, t] of cases) assert.is(jitterStep(250, 500, 0.2, z, DT), t, `z = ${z}`);
});

test('lazy stepping equals dense stepping of the same circuit under noise', () => {
  // Same noise streams (LCGs) for both; the jumps must change neither spikes nor weights beyond rounding.
  const mk = (lazy: boolean): DmsCircuit => {
    let a = 12345;
    const lcg = (): number => ((a = (a * 1103515245 + 12345) % 2147483648) / 2147483648);
    let b = 999;
    const lcg2 = (): number => ((b = (b * 1103515245 + 12345) % 2147483648) / 2147483648);
    const rngs = [lcg, lcg, lcg, lcg2];
    const c = circuit([0.1, 0.2, 0.3], { lazy, rngs });
    c.setNoise(0.002, 0.004);
    return c;
  };
  const d = mk(false);
  const l = mk(true);
  const sd: number[] = [];
  const sl: number[] = [];
  for (let t = 0; t < 200; t++) {
    d.m = l.m = t % 2 ? 0.95 : 0;
    d.setPattern([0, 1, 2], [10, 11, 12]);
    l.setPattern([0, 1, 2], [10, 11, 12]);
    sd.push(d.run(500, true));
    sl.push(l.run(500, true));
  }
  assert.equal(sl, sd);
  assert.ok(l.jumpedSteps > 50000, 'the lazy run jumped most steps');
  for (let k = 0; k < 3; k++) assert.ok(Math.abs(l.w[k] - d.w[k]) < 1e-12);
  assert.ok(Math.abs(l.V - d.V) < 1e-9);
});

test('test resets: V, ρ, s_post and traces reset; spike registers carry over unless cleared (carry_last_spike)', () => {
  for (const clear of [false, true]) {
    const c = circuit([0.1]);
    c.g = 0;
    c.V = -50;
    c.x[0] = 0.7;
    c.y = 0.3;
    c.sPost = 1;
    c.sR = 1; // a random-input spike in the last step before the test
    c.resetForTest(clear);
    assert.is(c.V, -80);
    assert.is(c.rho, Infinity);
    assert.is(c.x[0] + c.y + c.sPost, 0);
    const r = run(c, 3, [], []);
    assert.equal(r.spikes, clear ? [] : [0], `clear=${clear}`);
  }
});

test('noise: geometric gaps give Bernoulli(p) trains per step; p = 0 is silent', () => {
  // 4 sources × 100 000 steps at p = 0.01: expected 1000 spikes per source, SD ≈ 31.5;
  // bounds of ±4 SD (fixed seeds, so the test is deterministic).
  const rngs = Array.from({ length: 4 }, (_, k) => seedrandom.alea(`gaps/${k}`));
  const c = new DmsCircuit({ ...MSN_DEFAULTS, P: 3, dt: DT, epsilon: 0, Aprepost: 0, Apostpre: 0 }, new Float64Array(3), rngs);
  c.g = 0;
  c.setNoise(0.01, 0.01);
  const counts = [0, 0, 0, 0];
  const gapsOne: number[] = [];
  let last = -1;
  for (let t = 0; t < 200; t++) {
    const base = t * 500;
    c.onStep = (cc, _sp, j) => {
      for (let k = 0; k < 3; k++) counts[k] += cc.s[k];
      counts[3] += cc.sR;
      if (cc.s[0]) {
        if (last >= 0) gapsOne.push(base + j - last);
        last = base + j;
      }
    };
    c.run(500, true);
  }
  for (const n of counts) assert.ok(Math.abs(n - 1000) < 4 * 31.5, `count ${n}`);
  // P(gap = 1) = p: about 10 of ~1000 gaps; the mean gap is 1/p = 100 (SD of the mean ≈ 3.2).
  const mean = gapsOne.reduce((a, b) => a + b, 0) / gapsOne.length;
  assert.ok(Math.abs(mean - 100) < 4 * 3.2, `mean gap ${mean}`);
  c.setNoise(0, 0);
  c.onStep = null;
  const before = c.jumpedSteps;
  c.patCount = 0;
  c.run(10000, true);
  assert.ok(c.jumpedSteps - before >= 9990, 'silent sources: the segment is jumped');
  assert.is(c.nextNoise[0], Infinity);
});

test.run();
