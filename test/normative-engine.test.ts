/**
 * normative-plasticity on the engine: a training trial of the PlasticNet (four models, three
 * three-factor projections, the 'objective' modulator) equals a plain re-implementation of
 * spec §2/§4 written here, drawing the same random streams; plasticity starts at step
 * transient + 1; and a learning three-factor projection without a readout that broadcasts the
 * objective fails with a clear error instead of silently not learning.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RandomStream } from '../engine/rng.js';
import { Network } from '../engine/index.js';
import { makeParams, DEFAULT_INPUT_PARAMS, type NetParams } from '../experiments/normative-plasticity/params.js';
import { PlasticNet, initialWeights, type Weights } from '../experiments/normative-plasticity/plastic-net.js';
import { sampleVonMises } from '../models/von_mises_input.js';
import { rateNetworkControl } from '../models/stochastic_rate_network.js';
import { beginThreeFactorTrial } from '../synapses/three_factor_covariance.js';
import { simulationErrorMessage } from './helpers.js';

/** Spec §2 and §4 for one training trial, as plain loops over row-major arrays. */
function referenceTrial(p: NetParams, w0: Weights, seed: string, steps: number): { w: Weights; alpha: Float64Array } {
  const N = p.N;
  const K = 12;
  const W = Float64Array.from(w0.W);
  const C = Float64Array.from(w0.C);
  const b = Float64Array.from(w0.b);
  const D = Float64Array.from(w0.D);
  const stim = new RandomStream(`${seed}:stimulus`);
  const noise = new RandomStream(`${seed}:noise`);
  const delta = -Math.PI + (2 * Math.PI) / K - -Math.PI;
  const pref = Array.from({ length: K }, (_, k) => -Math.PI + k * delta);
  const sOf = (th: number) => pref.map((q) => Math.max(0, Math.cos(q) * Math.cos(th) + Math.sin(q) * Math.sin(th)));
  const ks = DEFAULT_INPUT_PARAMS;
  let theta = sampleVonMises(ks.mu_in, ks.kappa_in, stim.uniform);
  let s = sOf(theta);
  let r = new Float64Array(N).fill(0.1);
  const Arr = new Float64Array(N * N);
  const Ars = new Float64Array(N * K);
  const Ar = new Float64Array(N);
  const alpha = new Float64Array(steps);
  const scale = (lr: number) => p.dt * p.anneal_const * lr;
  for (let j = 1; j < steps; j++) {
    const sPrev = s;
    let th = theta - ks.kappa_in * Math.sin(theta - ks.mu_in) * ks.sigma_sampler ** 2 * p.dt + ks.sigma_sampler * Math.sqrt(p.dt) * stim.normal();
    if (th < -Math.PI) th += 2 * Math.PI;
    else if (th > Math.PI) th -= 2 * Math.PI;
    theta = th;
    s = sOf(theta);
    const raw = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      let x = 0;
      for (let k = 0; k < N; k++) x += W[i * N + k] * r[k];
      for (let k = 0; k < K; k++) x += C[i * K + k] * sPrev[k];
      x += b[i];
      const finv = (Math.log(Math.exp(r[i] / p.beta) - 1) - p.alpha) / p.gamma;
      raw[i] = r[i] + p.dt * (-finv / p.R + x);
    }
    for (let i = 0; i < N; i++) raw[i] += p.sigma * Math.sqrt(p.dt) * noise.normal();
    const z = [Math.cos(theta), Math.sin(theta)];
    const out = (v: Float64Array) => [0, 1].map((d) => v.reduce((acc, x, i) => acc + D[d * N + i] * x, 0));
    const o = out(raw);
    alpha[j] = -((z[0] - o[0]) ** 2 + (z[1] - o[1]) ** 2);
    r = raw.map((x) => Math.min(Math.max(x, p.low_r_threshold), p.high_r_threshold));
    for (let i = 0; i < N; i++) {
      for (let k = 0; k < N; k++) Arr[i * N + k] = (1 - p.theta) * Arr[i * N + k] + p.theta * r[i] * r[k];
      for (let k = 0; k < K; k++) Ars[i * K + k] = (1 - p.theta) * Ars[i * K + k] + p.theta * r[i] * s[k];
      Ar[i] = (1 - p.theta) * Ar[i] + p.theta * r[i];
    }
    if (j * p.dt > p.transient + 1e-9) {
      const oc = out(r);
      const a = -((z[0] - oc[0]) ** 2 + (z[1] - oc[1]) ** 2);
      for (let i = 0; i < N; i++) {
        for (let k = 0; k < N; k++) W[i * N + k] += scale(p.learning_rate) * (a * (r[i] * r[k] - Arr[i * N + k]) - p.weight_l2 * W[i * N + k]);
        b[i] += scale(p.learning_rate_bias) * (a * (r[i] - Ar[i]) - p.bias_weight_l2 * b[i]);
        for (let k = 0; k < K; k++) C[i * K + k] += scale(p.learning_rate_input) * (a * (r[i] * s[k] - Ars[i * K + k]) - p.i_weight_l2 * C[i * K + k]);
      }
      for (let d = 0; d < 2; d++) for (let i = 0; i < N; i++) D[d * N + i] += scale(p.learning_rate_decoder) * (-(oc[d] - z[d]) * r[i] - p.weight_l2 * D[d * N + i]);
    }
  }
  return { w: { W, C, b, D }, alpha };
}

function maxRelDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(1e-3, Math.abs(b[i])));
  return m;
}

test('a training trial on the engine equals the plain re-implementation (same streams), past the transient', () => {
  // T = 50: 5000 steps, plasticity on steps 4001-4999. The transient is shortened to 10 time
  // units (1000 steps) so most of the trial learns; the estimation learning rates are raised
  // 100-fold so the weights move far enough for a wrong update to show.
  const p = makeParams('linear', { T: 50, transient: 10, learning_rate: 5e-4, learning_rate_bias: 5e-4, learning_rate_input: 5e-4, learning_rate_decoder: 5e-4 });
  const ip = { ...DEFAULT_INPUT_PARAMS, switch_period: 50 };
  const w0 = initialWeights(p, 7);
  const pn = new PlasticNet(p, ip, w0, 7);
  const alpha = new Float64Array(pn.trialSteps);
  pn.runTrial({ train: true, stimulus: new RandomStream('7:stimulus'), noise: new RandomStream('7:noise'), observer: { step: (j) => (alpha[j] = pn.readout.s.alpha[0]) } });
  const ref = referenceTrial(p, w0, '7', pn.trialSteps);
  const got = pn.getWeights();
  // Both compute the same expressions in slightly different summation orders (the engine adds
  // W r, C s and b projection by projection); rounding differences of 1e-16 grow through
  // 5000 noisy steps to well below 1e-9.
  for (const k of ['W', 'C', 'b', 'D'] as const) {
    const d = maxRelDiff(got[k], ref.w[k]);
    assert.ok(d < 1e-9, `${k}: max relative difference ${d}`);
    assert.ok(maxRelDiff(got[k], w0[k]) > 1e-4, `${k} must have changed`);
  }
  assert.ok(maxRelDiff(alpha.subarray(1), ref.alpha.subarray(1)) < 1e-9, 'per-step objective');
});

test('no plasticity up to step transient (4000 steps at the defaults); the step after changes every parameter', () => {
  const ip = { ...DEFAULT_INPUT_PARAMS, switch_period: 40 };
  const base = makeParams('linear', { T: 40 });
  const w0 = initialWeights(base, 3);
  const pn = new PlasticNet(base, ip, w0, 3);
  pn.runTrial({ train: true, stimulus: new RandomStream('3:stimulus'), noise: new RandomStream('3:noise') });
  const same = pn.getWeights();
  for (const k of ['W', 'C', 'b', 'D'] as const) assert.equal(Array.from(same[k]), Array.from(w0[k]), `${k} unchanged through step 3999`);
  const ip2 = { ...DEFAULT_INPUT_PARAMS, switch_period: 40.02 };
  const p2 = makeParams('linear', { T: 40.02 });
  const pn2 = new PlasticNet(p2, ip2, w0, 3);
  pn2.runTrial({ train: true, stimulus: new RandomStream('3:stimulus'), noise: new RandomStream('3:noise') });
  const changed = pn2.getWeights();
  for (const k of ['W', 'C', 'b', 'D'] as const) assert.ok(maxRelDiff(changed[k], w0[k]) > 0, `${k} changed at step 4001`);
});

test('a learning three-factor projection whose objective never arrives fails with a clear error', () => {
  const net = new Network({ dt: 0.01, seed: 1 });
  const bias = net.create('constant_rate', 1);
  const rates = net.create('stochastic_rate_network', 3);
  const pr = net.connect(bias, rates, 'all_to_all', { model: 'three_factor_covariance', weight: 0.1, params: { transient_steps: 2 } });
  const ctl = rateNetworkControl(rates);
  ctl.noise = (out) => out.fill(0);
  beginThreeFactorTrial(pr, 0, true);
  const msg = simulationErrorMessage(() => net.simulate(0.1));
  assert.match(msg, /no 'objective' modulator arrived for step 3/);
});

test('fillNormal gives the values of successive normal() calls, spare value carried across calls', () => {
  const a = new RandomStream('fill');
  const b = new RandomStream('fill');
  const scale = Math.sqrt(0.01);
  for (const n of [5, 40, 1, 0, 7]) {
    const got = new Float64Array(n);
    a.fillNormal(got, scale);
    const want = Array.from({ length: n }, () => scale * b.normal());
    assert.equal(Array.from(got), want);
  }
  assert.is(a.uniform(), b.uniform(), 'both streams consumed the same uniforms');
});

/**
 * A recurrent three-factor network of 6 rate neurons plus a bias, modulated every step past a
 * 2-step transient. `dense` connects all-to-all (the fused, row-blocked path); otherwise the
 * same pairs are given explicitly with each row's targets reversed, which takes the plain
 * per-synapse loops (and adds the input in the tick, after the modulator). Returns the final weights by (pre, post) and the rates.
 */
function smallModulatedRun(dense: boolean): { w: number[]; r: number[] } {
  const n = 6;
  const net = new Network({ dt: 0.01, seed: 1 });
  const bias = net.create('constant_rate', 1);
  const rates = net.create('stochastic_rate_network', n);
  const params = { transient_steps: 2, learning_rate: 0.05 };
  const sources: number[] = [];
  const targets: number[] = [];
  for (let a = 0; a < n; a++) for (let b = n - 1; b >= 0; b--) {
    sources.push(a);
    targets.push(b);
  }
  const rule = dense ? 'all_to_all' : { rule: 'explicit' as const, sources, targets };
  const rec = net.connect(rates, rates, rule, { model: 'three_factor_covariance', weight: 0, params });
  // The bias too: inputs into one target are then summed in the same order on both paths.
  const biasRule = dense ? 'all_to_all' : { rule: 'explicit' as const, sources: new Array(n).fill(0), targets: Array.from({ length: n }, (_, i) => n - 1 - i) };
  const pb = net.connect(bias, rates, biasRule, { model: 'three_factor_covariance', weight: 0.2, params });
  const at = (pre: number, post: number) => {
    for (let q = rec.rowPtr[pre]; q < rec.rowPtr[pre + 1]; q++) if (rec.target[q] === post) return q;
    throw new Error('missing synapse');
  };
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) rec.weight[at(a, b)] = 0.3 * Math.sin(7 * a + b);
  const noise = new RandomStream('small:noise');
  rateNetworkControl(rates).noise = (out) => noise.fillNormal(out, 0.02);
  beginThreeFactorTrial(rec, 0, true);
  beginThreeFactorTrial(pb, 0, true);
  const steps = 300;
  for (let k = 4; k <= steps; k++) net.modulate(k * 0.01, 'objective', -0.3 - 0.2 * Math.sin(0.05 * k));
  net.simulate(steps * 0.01);
  const w: number[] = [];
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) w.push(rec.weight[at(a, b)]);
  return { w, r: Array.from(rates.s.r) };
}

test('the fused, row-blocked pass over dense weights gives bit-identical results to the per-synapse loops', () => {
  const fused = smallModulatedRun(true);
  const plain = smallModulatedRun(false);
  assert.equal(fused.w, plain.w);
  assert.equal(fused.r, plain.r);
  assert.ok(fused.w.some((x, i) => Math.abs(x - 0.3 * Math.sin(7 * Math.floor(i / 6) + (i % 6))) > 1e-6), 'the weights learned');
});

test.run();
