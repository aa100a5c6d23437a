/**
 * The analyses of stsp-working-memory on constructed data with known answers: the linear SVM
 * (separable clusters, the hinge-loss dual's optimality conditions), min-max normalisation,
 * tuning (an exact cosine tuning gives PEV 1 and its preferred direction), decoding (a state
 * that encodes the sample decodes perfectly, a constant one at chance) and the shuffles
 * (restarting without shuffling reproduces the accuracy of the intact batch, up to noise).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import seedrandom from 'seedrandom';
import { fitLinearSvc, predictLinearSvc } from '../experiments/stsp-working-memory/svm.js';
import { calculateSvms, calculateTuning, normaliseOnTrain, simulateNetwork, analysisBatches, meanShuffle, batchAccuracy } from '../experiments/stsp-working-memory/analysis.js';
import { updateParameters } from '../experiments/stsp-working-memory/parameters.js';
import { buildNetwork } from '../experiments/stsp-working-memory/network.js';
import { generateTrial } from '../experiments/stsp-working-memory/stimulus.js';
import type { Tape } from '../models/stsp_rnn.js';

test('linear SVM: separable classes are classified perfectly; the binary dual is optimal', () => {
  const r = seedrandom.alea('svm');
  const n = 120;
  const d = 5;
  const X = new Float64Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 3;
    for (let f = 0; f < d; f++) X[i * d + f] = 0.3 * r() + (f === y[i] ? 1 : 0);
  }
  const svc = fitLinearSvc(X, y, d, 3);
  assert.is(svc.pairs.length, 3);
  const votes = new Int32Array(3);
  for (let i = 0; i < n; i++) assert.is(predictLinearSvc(svc, X, i, votes), y[i]);
  // Binary problem (classes 0, 1): the primal P(w) = ½‖w‖² + C·Σ hinge (bias regularised, as
  // the bias is a constant feature) is convex, so the solution must not be beaten by any small
  // step along a coordinate; the dual stopping tolerance 1e-3 bounds the slack.
  const pair = svc.pairs[0];
  const primal = (w: Float64Array) => {
    let p = 0;
    for (let f = 0; f <= d; f++) p += 0.5 * w[f] * w[f];
    for (let i = 0; i < n; i++) {
      if (y[i] > 1) continue;
      let s = w[d];
      for (let f = 0; f < d; f++) s += w[f] * X[i * d + f];
      p += Math.max(0, 1 - (y[i] === 0 ? 1 : -1) * s);
    }
    return p;
  };
  const p0 = primal(pair.w);
  for (let f = 0; f <= d; f++) {
    for (const step of [-0.01, 0.01]) {
      const w = Float64Array.from(pair.w);
      w[f] += step;
      assert.ok(primal(w) >= p0 - 1e-3, `coordinate ${f} step ${step}: ${primal(w)} < ${p0}`);
    }
  }
});

test('ties in the vote go to the lower class', () => {
  // Three classes, each pair's weights chosen so that every class gets one vote.
  const svc = { nClasses: 3, nFeatures: 1, pairs: [{ a: 0, b: 1, w: Float64Array.from([0, 1]) }, { a: 0, b: 2, w: Float64Array.from([0, -1]) }, { a: 1, b: 2, w: Float64Array.from([0, 1]) }] };
  assert.is(predictLinearSvc(svc, Float64Array.from([0]), 0, new Int32Array(3)), 0);
});

test('min-max normalisation uses the training rows and only subtracts the min of a constant unit', () => {
  const tr = Float64Array.from([1, 5, 3, 5]);
  const te = Float64Array.from([2, 7]);
  normaliseOnTrain(tr, te, 2, 2);
  assert.equal(Array.from(tr), [0, 0, 1, 0]);
  assert.equal(Array.from(te), [0.5, 2]);
});

/** A tape whose state after every step is given by f(trial, unit). */
function fakeTape(T: number, B: number, N: number, h: (b: number, i: number) => number, xu: (b: number, i: number) => number): Tape {
  const tape = { T, B, precision: 'float64', input: new Float64Array(0), noise: null, h: new Float64Array((T + 1) * B * N), x: new Float64Array((T + 1) * B * N), u: new Float64Array((T + 1) * B * N), y: new Float64Array(T * B * 3), silenced: false } as Tape;
  for (let k = 0; k <= T; k++) for (let b = 0; b < B; b++) for (let i = 0; i < N; i++) {
    tape.h[(k * B + b) * N + i] = h(b, i);
    tape.x[(k * B + b) * N + i] = xu(b, i);
    tape.u[(k * B + b) * N + i] = 1;
  }
  return tape;
}

test('tuning: exact cosine tuning gives PEV 1 and the preferred direction; constant activity PEV 0', () => {
  const par = updateParameters({ n_hidden: 4, exc_inh_prop: 0.75 });
  const trials = generateTrial(par, { batchSize: 64, seed: 1, iteration: 0 });
  const theta = (b: number) => (2 * Math.PI * trials.sample[b]) / 8;
  const tape = fakeTape(par.num_time_steps, 64, 4, (b, i) => (i === 0 ? 2 + 3 * Math.cos(theta(b) - 1) : 0.7), (b, i) => (i === 1 ? 0.5 + 0.1 * Math.sin(theta(b)) : 0.3));
  const rows = calculateTuning(par, { trials, tape });
  const at = (source: string, unit: number) => rows.find((r) => r.source === source && r.unit === unit && r.t === 10)!;
  assert.ok(Math.abs(at('neuronal', 0).pev - 1) < 1e-6);
  assert.ok(Math.abs(at('neuronal', 0).pref_dir_rad - 1) < 1e-9);
  assert.is(at('neuronal', 1).pev, 0);
  assert.ok(Math.abs(at('synaptic', 1).pev - 1) < 1e-6);
  assert.ok(Math.abs(at('synaptic', 1).pref_dir_rad - Math.PI / 2) < 1e-9);
});

test('decoding: a state that encodes the sample decodes perfectly, a constant one at chance', () => {
  const par = updateParameters({ n_hidden: 8, exc_inh_prop: 0.75 });
  const trials = generateTrial(par, { batchSize: 256, seed: 2, iteration: 0, testMode: true });
  const tape = fakeTape(par.num_time_steps, 256, 8, (b, i) => (i === trials.sample[b] ? 1 : 0), () => 0.3);
  const rows = calculateSvms(par, { trials, tape }, { seed: 0, level: 'quick', trials: 256, steps: [195] });
  const neur = rows.filter((r) => r.source === 'neuronal');
  const syn = rows.filter((r) => r.source === 'synaptic');
  assert.is(neur.length, 10);
  for (const r of neur) assert.is(r.accuracy, 1);
  // Every feature constant → every pair votes the same way: one class wins, accuracy 1/8.
  for (const r of syn) assert.is(r.accuracy, 0.125);
});

test('shuffles: restarting unshuffled keeps the intact accuracy (same trials, fresh noise)', () => {
  const par = updateParameters({});
  const net = buildNetwork(par, 0, 'float32');
  const o = { seed: 0, level: 'quick' as const, trials: 64, shuffleSets: ['standard' as const] };
  const b = analysisBatches(par, net, o);
  const rows = simulateNetwork(par, net, b.perRule, o, [par.test_onset]);
  assert.is(rows.length, 15);
  const intact = batchAccuracy(par, b.standard).accuracy;
  const un = meanShuffle(rows, 'standard', par.test_onset, 'none', 1)[0];
  // Untrained network, 64 trials × 45 decision steps: the noise changes a few decisions only.
  assert.ok(Math.abs(un - intact) < 0.1, `unshuffled ${un} vs intact ${intact}`);
});

test.run();
