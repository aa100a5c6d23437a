/**
 * normative-plasticity: every value of the original's exact-check file
 * (../shared/data/normative/unit_vectors.json) reproduced to 1e-12 relative (1e-15 absolute
 * where the reference is 0), by the pure equations and by the engine models themselves (one
 * network step, one modulator-driven weight update, one decoder update).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { sharedData } from './helpers.js';
import {
  circularClassifier,
  drift,
  inputLayer,
  invReluDiff,
  langevinStep,
  logLikelihoodDecoderRule,
  logLikelihoodObjective,
  logisticDecoder,
  mseDecoderRule,
  mseObjective,
  prefAngles,
  reluDiff,
  threeFactorDelta,
} from '../experiments/normative-plasticity/equations.js';
import { makeParams, DEFAULT_INPUT_PARAMS } from '../experiments/normative-plasticity/params.js';
import { PlasticNet } from '../experiments/normative-plasticity/plastic-net.js';
import { fromWeightsJson } from '../experiments/normative-plasticity/weights-json.js';
import { stimulusControl } from '../models/von_mises_input.js';
import { rateNetworkControl } from '../models/stochastic_rate_network.js';
import { three_factor_covariance, threeFactorState } from '../synapses/three_factor_covariance.js';
import { delta_rule_readout, readoutControl } from '../synapses/delta_rule_readout.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const U: any = JSON.parse(readFileSync(sharedData('normative/unit_vectors.json'), 'utf8'));
const PRE: any = JSON.parse(readFileSync(sharedData('normative/pretrained_network_cr_weights.json'), 'utf8'));
const E = U.estimation_case;
const CL = U.classifier_case;

let worst = 0;
/** Relative 1e-12 (absolute 1e-15 where the reference is 0), element by element. */
function near(actual: ArrayLike<number> | number, expected: unknown, what: string): void {
  const a = typeof actual === 'number' ? [actual] : Array.from(actual);
  const e = (typeof expected === 'number' ? [expected] : (expected as unknown[]).flat(2)) as number[];
  assert.is(a.length, e.length, `${what}: length`);
  for (let i = 0; i < e.length; i++) {
    const err = Math.abs(a[i] - e[i]);
    const ok = e[i] === 0 ? err <= 1e-15 : err <= 1e-12 * Math.abs(e[i]);
    if (e[i] !== 0) worst = Math.max(worst, err / Math.abs(e[i]));
    if (!ok) assert.unreachable(`${what}[${i}]: got ${a[i]}, expected ${e[i]} (relative error ${err / Math.abs(e[i])})`);
  }
}

const rows = (m: number[][]) => Float64Array.from(m.flat());
const est = makeParams('linear');
const W = rows(PRE['W[post][pre]']);
const C = rows(PRE['C[neuron][input]']);
const b = Float64Array.from(PRE.b);
const D = rows(PRE['D[out][neuron]']);
const r = Float64Array.from(E.r);

test('smooth ReLU f and its inverse, computed naively as the original does', () => {
  near(U.relu_diff_x.map((x: number) => reluDiff(x, 0, 1 / 30, 30)), U['relu_diff_f(x)'], 'f(x)');
  near(U.inv_relu_diff_r.map((y: number) => invReluDiff(y, 0, 1 / 30, 30)), U['inv_relu_diff_finv(r)'], 'f^-1(r)');
});

test('input layer: numpy-arange preferred angles (theta_6 = -8.9e-16), rates and the estimation target', () => {
  const pref = prefAngles(12);
  near(pref, E.input_pref_angles, 'preferred angles');
  assert.is(pref[6], -8.881784197001252e-16);
  near(inputLayer(E.theta, pref), E.s, 's(theta)');
  near([Math.cos(E.theta), Math.sin(E.theta)], E.target, 'target');
});

test('drift, readout, objective and raw updates of the estimation case (pure equations)', () => {
  const s = inputLayer(E.theta, prefAngles(12));
  const d = drift(est, W, C, b, r, s);
  near(d, E.drift, 'drift');
  near(r.map((x, i) => x + est.dt * d[i] + 0.2 * E.xi_noise_increment[i]), E.r_next_before_clipping, 'r before clipping');
  const o = [0, 1].map((k) => r.reduce((acc, x, i) => acc + D[k * 40 + i] * x, 0));
  near(o, E.output_Dr, 'D r');
  near(mseObjective(E.target, o), E.alpha, 'alpha');
  const rr = new Float64Array(1600);
  const rs = new Float64Array(480);
  for (let i = 0; i < 40; i++) {
    for (let k = 0; k < 40; k++) rr[i * 40 + k] = 0.9 * r[i] * (0.9 * r[k]);
    for (let k = 0; k < 12; k++) rs[i * 12 + k] = 0.9 * r[i] * (0.8 * s[k]);
  }
  near(threeFactorDelta(E.alpha, r, r, rr, W, est.weight_l2), E.dW_raw, 'dW_raw');
  near(threeFactorDelta(E.alpha, r, s, rs, C, est.i_weight_l2), E.dC_raw, 'dC_raw');
  near(threeFactorDelta(E.alpha, r, [1], r.map((x) => 0.9 * x), b, est.bias_weight_l2), E.db_raw, 'db_raw');
  near(mseDecoderRule(D, r, E.target, est.weight_l2), E.dD_raw, 'dD_raw');
  near(est.dt * est.anneal_const * est.learning_rate, E['per_step_increment_scale=dt*100*lr'], 'per-step scale');
});

test('engine: one stochastic_rate_network step with s_{j-1} from the input layer and an imposed noise increment', () => {
  const loaded = fromWeightsJson(PRE, 'pretrained');
  const pn = new PlasticNet(loaded.params, loaded.inputParams, loaded.weights, 1);
  const stim = stimulusControl(pn.input);
  stim.mode = 'blocks';
  stim.blockAngles = new Int32Array(5);
  const ctl = rateNetworkControl(pn.rates);
  ctl.trialStart = 0;
  ctl.noise = (out) => out.fill(0);
  readoutControl(pn.projD).learning = false;
  pn.net.simulate(pn.net.stepToMs(1)); // step 0: the initial state
  // The input layer's state at the end of step 0 is what the tick at step 1 reads as s_{j-1}.
  pn.input.s.r.set(inputLayer(E.theta, prefAngles(12)));
  pn.rates.s.r.set(r);
  ctl.noise = (out) => out.set(E.xi_noise_increment);
  pn.net.simulate(pn.net.stepToMs(1));
  near(pn.rates.s.r_raw, E.r_next_before_clipping, 'engine r before clipping');
  const clipped = Float64Array.from(E.r_next_before_clipping as number[], (x) => Math.min(Math.max(x, 0.001), 100));
  near(pn.rates.s.r, Array.from(clipped), 'engine clipped r');
});

test('engine: delta_rule_readout output, objective, broadcast and decoder step; three_factor_covariance weight step', () => {
  const loaded = fromWeightsJson(PRE, 'pretrained');
  const pn = new PlasticNet(loaded.params, loaded.inputParams, loaded.weights, 1);
  pn.rates.s.r.set(r);
  pn.rates.s.r_raw.set(r);
  const rc = readoutControl(pn.projD);
  rc.theta = new Float64Array([E.theta]);
  rc.trialStart = 0;
  rc.learning = true;
  const sent: number[] = [];
  rc.broadcast = (_step, a) => sent.push(a);
  delta_rule_readout.tickEnd!(pn.projD, pn.projD.state, 5000, new Uint32Array(0), 0);
  near(pn.readout.s.o, E.output_Dr, 'readout o');
  near(pn.readout.s.target, E.target, 'readout target');
  near(pn.readout.s.alpha[0], E.alpha, 'readout alpha');
  near(sent, [E.alpha], 'broadcast alpha-prime');
  near(pn.getWeights().D, E.D_after_one_step, 'D after one step');
  // The weight step of the modulator, with the synthetic traces of the reference.
  const st = threeFactorState(pn.projW);
  for (let row = 0; row < 40; row++) for (let s = pn.projW.rowPtr[row]; s < pn.projW.rowPtr[row + 1]; s++) st.trace[s] = 0.9 * r[pn.projW.target[s]] * (0.9 * r[row]);
  three_factor_covariance.modulate!(pn.projW, st, 5001, 'objective', E.alpha);
  near(pn.getWeights().W, E.W_after_one_step, 'W after one step');
});

test('classifier case: logistic output, targets at the boundaries, clipped log-likelihoods, decoder rule', () => {
  const Dc = rows(CL.D);
  const rc = Float64Array.from(CL.r);
  const u = rc.reduce((acc, x, i) => acc + Dc[i] * x, 0);
  near(logisticDecoder(u), CL.logistic_output, 'logistic output');
  near(CL.targets_for_thetas.thetas.map(circularClassifier), CL.targets_for_thetas.targets, 'targets');
  near(logLikelihoodObjective(1, logisticDecoder(u)), CL.alpha_target1, 'alpha, target 1');
  near(logLikelihoodObjective(0, logisticDecoder(u)), CL.alpha_target0, 'alpha, target 0');
  const lambda = makeParams('classifier').weight_l2;
  near(logLikelihoodDecoderRule(Dc, rc, 1, lambda), CL.dD_target1, 'dD, target 1');
  // The engine readout of the classification network gives the same output and objective.
  const p = makeParams('classifier');
  const pn = new PlasticNet(p, DEFAULT_INPUT_PARAMS, { W: new Float64Array(625), C: new Float64Array(300), b: new Float64Array(25), D: Dc }, 1);
  pn.rates.s.r.set(rc);
  pn.rates.s.r_raw.set(rc);
  const ctl = readoutControl(pn.projD);
  ctl.theta = new Float64Array([0.5]);
  ctl.learning = false;
  delta_rule_readout.tickEnd!(pn.projD, pn.projD.state, 1, new Uint32Array(0), 0);
  near(pn.readout.s.o, [CL.logistic_output], 'engine logistic output');
  near(pn.readout.s.alpha[0], CL.alpha_target1, 'engine alpha');
});

test('Langevin sampler step and the input it produces', () => {
  const L = U.langevin_sampler_case;
  const t = langevinStep(L.theta_prev, L.rand_var, { kappa: L.kappa, mu: 0, sigmaSampler: L.sigma_sampler, dt: L.dt });
  near(t, L.theta_new, 'theta_new');
  near(inputLayer(t, prefAngles(12)), L.input_new, 'input_new');
});

test('largest relative error over all checks stays below 1e-12', () => {
  assert.ok(worst < 1e-12, `worst relative error ${worst}`);
  console.log(`normative unit vectors: worst relative error ${worst.toExponential(2)}`);
});

test.run();
