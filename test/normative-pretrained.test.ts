/**
 * normative-plasticity acceptance (b): the original's pretrained estimation network
 * (../shared/data/normative/pretrained_network_cr_weights.json), loaded as `--load` does and
 * tested for 8 balanced trials (every grid angle covered in 40 blocks), shows resources going
 * to likely stimuli: lower error near the prior mode than near ±π, prior-weighted error below
 * the uniform average, more than 60% of neurons preferring angles within π/2 of the mode, and
 * higher readout Fisher information near the mode.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sharedData } from './helpers.js';
import { loadWeightsFile } from '../experiments/normative-plasticity/weights-json.js';
import { PlasticNet } from '../experiments/normative-plasticity/plastic-net.js';
import { BlockSchedule, RunStreams, trainRun } from '../experiments/normative-plasticity/sessions.js';
import { analyze } from '../experiments/normative-plasticity/analysis.js';

test('pretrained network, 8 balanced test trials (seed 120994): the four signatures of efficient coding', () => {
  const loaded = loadWeightsFile(sharedData('normative/pretrained_network_cr_weights.json'));
  assert.is(loaded.params.objective, 'linear');
  assert.is(loaded.params.N, 40);
  const seed = 120994;
  const pn = new PlasticNet(loaded.params, loaded.inputParams, loaded.weights, seed);
  const streams = new RunStreams(seed);
  const res = trainRun(pn, { train: false, tuning: true, trials: 8, streams: { noise: streams.test }, schedule: new BlockSchedule('balanced', streams.test) });
  const a = analyze(res.test!, res.testD!, pn.params, pn.inputParams);
  // Every angle is covered: 40 balanced blocks hold each grid angle 3 or 4 times.
  for (const r of a.perAngle) assert.ok(r.n_records >= 3 * 950, `angle ${r.angle_index}: ${r.n_records} settled records`);
  const s = a.summary;
  console.log(`pretrained: err near mode ${s.err_near_mode.toFixed(4)} vs near pi ${s.err_near_pi.toFixed(4)}; prior-weighted ${s.mse_prior_weighted.toFixed(4)} vs uniform ${s.mse_uniform.toFixed(4)}; frac within pi/2 ${s.frac_pref_within_half_pi.toFixed(3)}; Fisher readout ${s.fisher_readout_near_mode.toFixed(2)} vs ${s.fisher_readout_near_pi.toFixed(2)}`);
  assert.ok(s.err_near_mode < s.err_near_pi, `err_near_mode ${s.err_near_mode} < err_near_pi ${s.err_near_pi}`);
  assert.ok(s.mse_prior_weighted < s.mse_uniform, `mse_prior_weighted ${s.mse_prior_weighted} < mse_uniform ${s.mse_uniform}`);
  assert.ok(s.frac_pref_within_half_pi > 0.6, `frac_pref_within_half_pi ${s.frac_pref_within_half_pi} > 0.6`);
  assert.ok(s.fisher_readout_near_mode > s.fisher_readout_near_pi, `fisher near mode ${s.fisher_readout_near_mode} > near pi ${s.fisher_readout_near_pi}`);
});

test.run();
