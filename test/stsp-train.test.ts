/**
 * Training machinery of stsp-working-memory: the TF1 Adam step with per-variable clipping
 * against a hand computation, chunk-aligned sharding, the initial weights of spec §2, and
 * that a training run gives the same bytes with one or two worker threads.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { updateParameters } from '../experiments/stsp-working-memory/parameters.js';
import { buildNetwork, networkConfig } from '../experiments/stsp-working-memory/network.js';
import { adamStep, newAdam, shardBounds, train } from '../experiments/stsp-working-memory/train.js';
import { perfCounts, getPerf } from '../experiments/stsp-working-memory/perf.js';
import { VARIABLE_NAMES, type StspVariables } from '../models/stsp_rnn.js';

test('Adam (TF1 form) with per-variable clipping matches a hand computation', () => {
  const par = updateParameters({});
  const vars: StspVariables = {
    h: Float64Array.from([1, 2]),
    w_in: Float64Array.from([0.5]),
    w_rnn: Float64Array.from([0]),
    b_rnn: Float64Array.from([0]),
    w_out: Float64Array.from([0]),
    b_out: Float64Array.from([0]),
  };
  const st = newAdam(vars);
  // ‖(0.3, 0.4)‖ = 0.5 > 0.1: scaled to (0.06, 0.08). 0.05 < 0.1 is kept.
  const g = { h: Float64Array.from([0.3, 0.4]), w_in: Float64Array.from([0.05]), w_rnn: new Float64Array(1), b_rnn: new Float64Array(1), w_out: new Float64Array(1), b_out: new Float64Array(1) };
  adamStep(par, vars, g, st);
  const lr1 = (0.02 * Math.sqrt(1 - 0.999)) / (1 - 0.9);
  const step = (gc: number) => (lr1 * (0.1 * gc)) / (Math.sqrt(0.001 * gc * gc) + 1e-8);
  assert.ok(Math.abs(vars.h[0] - (1 - step(0.06))) < 1e-14);
  assert.ok(Math.abs(vars.h[1] - (2 - step(0.08))) < 1e-14);
  assert.ok(Math.abs(vars.w_in[0] - (0.5 - step(0.05))) < 1e-14);
  assert.is(vars.w_rnn[0], 0);
  // Second step: moments carry over.
  adamStep(par, vars, g, st);
  const m = 0.9 * 0.1 * 0.05 + 0.1 * 0.05;
  const v = 0.999 * 0.001 * 0.0025 + 0.001 * 0.0025;
  const lr2 = (0.02 * Math.sqrt(1 - 0.999 ** 2)) / (1 - 0.9 ** 2);
  assert.ok(Math.abs(vars.w_in[0] - (0.5 - step(0.05) - (lr2 * m) / (Math.sqrt(v) + 1e-8))) < 1e-14);
});

test('shards split the batch on gradient-chunk boundaries', () => {
  assert.equal(shardBounds(128, 2), [[0, 64], [64, 128]]);
  assert.equal(shardBounds(40, 2), [[0, 32], [32, 40]]);
  assert.equal(shardBounds(16, 2), [[0, 16]]);
  assert.equal(shardBounds(48, 3), [[0, 16], [16, 32], [32, 48]]);
});

test('initial network: Dale masks, signs, STP types and gamma weights (spec §2)', () => {
  const par = updateParameters({});
  const cfg = networkConfig(par);
  const net = buildNetwork(par, 3);
  const N = 100;
  for (let i = 0; i < N; i++) {
    assert.is(cfg.sign[i], i < 80 ? 1 : -1);
    assert.is(cfg.maskRec[i * N + i], 0);
    assert.is(cfg.maskOut[i * 3], i < 80 ? 1 : 0);
    assert.is(cfg.stp!.dynamic[i], 1);
    assert.is(cfg.stp!.U[i], i % 2 === 0 ? 0.15 : 0.45);
    assert.ok(Math.abs(cfg.stp!.alphaX[i] - (i % 2 === 0 ? 10 / 200 : 10 / 1500)) < 1e-15);
  }
  // Gamma(0.1) has mean 0.1; E→E weights over 80·79 entries: SD of the mean ≈ 0.1/√6320·√10 ≈ 0.004.
  let s = 0;
  let n = 0;
  for (let i = 0; i < 80; i++) for (let j = 0; j < 80; j++) if (i !== j) {
    s += net.vars.w_rnn[i * N + j];
    n++;
  }
  assert.ok(Math.abs(s / n - 0.1) < 0.02, `E->E mean ${s / n}`);
  // Columns into inhibitory units are redrawn with Gamma(0.2).
  s = 0;
  n = 0;
  for (let i = 0; i < 80; i++) for (let j = 80; j < N; j++) {
    s += net.vars.w_rnn[i * N + j];
    n++;
  }
  assert.ok(Math.abs(s / n - 0.2) < 0.04, `E->I mean ${s / n}`);
  assert.equal(Array.from(net.vars.h), new Array(N).fill(0.1));
  // location_DMS: channel n reaches units j with j mod 3 = floor(n/24).
  const loc = networkConfig(updateParameters({ trial_type: 'location_DMS' }));
  assert.is(loc.maskIn[30 * N + 1], 1);
  assert.is(loc.maskIn[30 * N + 2], 0);
  // No STSP: recurrent weights divided by 3.
  const none = buildNetwork(updateParameters({ synapse_config: 'none' }), 3);
  assert.ok(Math.abs(none.vars.w_rnn[5] - net.vars.w_rnn[5] / 3) < 1e-15);
});

test('getPerf counts only the decision steps (mask > 0, non-fixation target)', () => {
  // T = 2, B = 2, 3 outputs: step 0 fixation (ignored), step 1 decision.
  const target = Float32Array.from([1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0]);
  const y = Float32Array.from([0, 5, 0, 0, 0, 5, 0, 1, 3, 0, 0, 2]);
  const mask = Float32Array.from([1, 1, 2, 2]);
  const p = getPerf(perfCounts(y, target, mask, 2, 2, 3));
  assert.is(p.accuracy, 0.5);
  assert.is(p.accuracy_match, 1);
  assert.is(p.accuracy_non_match, 0);
});

test('training gives the same variables and curve with one and two threads', async () => {
  const par = updateParameters({ batch_size: 32 });
  const a = await train(par, { seed: 4, iterations: 2, threads: 1 });
  // Copies taken at once, compared value by value (bit-identical doubles compare equal).
  const aVars = Object.fromEntries(VARIABLE_NAMES.map((k) => [k, Array.from(a.net.vars[k])]));
  const b = await train(par, { seed: 4, iterations: 2, threads: 2 });
  for (const k of VARIABLE_NAMES) {
    assert.is(aVars[k].length, b.net.vars[k].length, k);
    assert.equal(aVars[k], Array.from(b.net.vars[k]), k);
  }
  assert.equal(a.curve, b.curve);
  for (const r of a.curve) assert.ok(Number.isFinite(r.loss) && r.loss > 0);
  // Each step moves every variable with a nonzero gradient by about the learning rate.
  const init = buildNetwork(par, 4);
  let moved = 0;
  for (let q = 0; q < init.vars.w_rnn.length; q++) if (Math.abs(a.net.vars.w_rnn[q] - init.vars.w_rnn[q]) > 1e-3) moved++;
  assert.ok(moved > 0.5 * 9900, `moved ${moved}`);
});

test.run();
