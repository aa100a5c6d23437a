/**
 * The task generators against the statistics of the original code
 * (../shared/data/stsp/stimulus_stats.json, spec §8): structure, shapes, masks, targets,
 * match rules and tuning tables exactly; sampled fractions and input moments statistically,
 * at batch 512 with our own streams (tolerances from spec §8).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { sharedData } from './helpers.js';
import { TASKS, updateParameters, type TaskName } from '../experiments/stsp-working-memory/parameters.js';
import { generateTrial, motionTuning, mod, rotationSteps } from '../experiments/stsp-working-memory/stimulus.js';

const data = JSON.parse(readFileSync(sharedData('stsp/stimulus_stats.json'), 'utf8'));
const round6 = (v: number) => Math.round(v * 1e6) / 1e6;
/** Tasks the file was made with the original's bugs (spec §8). */
const COMPAT = new Set(['DMC', 'DMS+DMC', 'DMS+DMRS+DMC']);

test('global constants: tuning tables, noise SDs and alpha', () => {
  const par = updateParameters({ trial_type: 'DMS' });
  for (let n = 0; n < 24; n++) for (let d = 0; d < 8; d++) assert.is(round6(motionTuning(par, n, d)), data.motion_tuning_DMS_24x8[n][d], `tuning ${n},${d}`);
  assert.ok(Math.abs(par.noise_in - data.noise_in_sd_effective) < 1e-12);
  assert.ok(Math.abs(par.noise_rnn - data.noise_rnn_effective) < 1e-12);
  assert.ok(Math.abs(par.alpha_neuron - data.alpha_neuron) < 1e-15);
  // Rule tuning of DMS+DMRS: the cue value of each rule channel under each rule.
  const p2 = updateParameters({ trial_type: 'DMS+DMRS_full_cue' });
  for (const rule of [0, 1]) {
    const t = generateTrial(p2, { batchSize: 4, seed: 3, iteration: 0, setRule: rule });
    for (let n = 0; n < 6; n++) {
      // Channel value minus its rectified noise: compare against a noiseless batch is not possible,
      // so compare the minimum over steps, which the +4 shift dominates.
      let mn = Infinity;
      for (let k = 0; k < 250; k++) for (let b = 0; b < 4; b++) mn = Math.min(mn, t.neural_input[(k * 4 + b) * 30 + 24 + n]);
      const expected = data['rule_tuning_DMS+DMRS'][n][rule];
      assert.ok(expected === 4 ? mn > 1.5 : mn === 0, `rule channel ${n} under rule ${rule}`);
    }
  }
});

for (const name of Object.keys(data.tasks)) {
  test(`task ${name}: structure, masks, targets, match rules and sampled statistics`, () => {
    const f = data.tasks[name];
    const compat = COMPAT.has(name) ? 'masse2019' : 'none';
    const par = updateParameters({ trial_type: name as TaskName, compat });
    const B = data.batch_size_used;
    const t = generateTrial(par, { batchSize: B, seed: 11, iteration: 0, tag: 'stats' });
    const tm = generateTrial(par, { batchSize: B, seed: 11, iteration: 0, tag: 'stats-test-mode', testMode: true });
    // Exact structure.
    assert.is(par.n_input, f.n_input);
    assert.is(par.num_motion_tuned, f.num_motion_tuned);
    assert.is(par.num_rule_tuned, f.num_rule_tuned);
    assert.is(par.num_rules, f.num_rules);
    assert.is(par.num_receptive_fields, f.num_receptive_fields);
    assert.equal(par.num_rules === 1 ? par.rotation_match[0] : par.rotation_match, f.rotation_match_deg);
    assert.is(par.num_time_steps, f.num_time_steps);
    assert.is(par.num_time_steps * par.dt, f.trial_length_ms);
    assert.equal(par.rule_cue_steps, f.rule_cue_steps);
    assert.equal([par.fix_end, par.sample_end], f.sample_steps);
    assert.is(par.test_onset, f.test_onset_step);
    const shapes: Record<string, number[]> = {
      desired_output: [250, B, 3],
      train_mask: [250, B],
      sample: [B],
      test: [B],
      rule: [B],
      match: [B],
      catch: [B],
      probe: [B],
      neural_input: [250, B, par.n_input],
    };
    assert.equal(Object.keys(shapes).sort(), Object.keys(f.shapes).sort());
    for (const [k, s] of Object.entries(shapes)) {
      assert.equal(s, f.shapes[k], `shape of ${k}`);
      const len = (t as unknown as Record<string, ArrayLike<number>>)[k].length;
      assert.is(len, s.reduce((a, c) => a * c, 1), `length of ${k}`);
    }
    // Mask and targets of trial 0 (and every trial: the mask does not depend on the trial).
    const counts: Record<string, number> = {};
    const zero: number[] = [];
    for (let k = 0; k < 250; k++) {
      const m = t.train_mask[k * B];
      counts[m.toFixed(1)] = (counts[m.toFixed(1)] ?? 0) + 1;
      if (m === 0) zero.push(k);
      for (let b = 1; b < B; b++) assert.is(t.train_mask[k * B + b], m);
    }
    assert.equal(counts, f.mask_values_per_trial_counts);
    assert.equal(zero, f.mask_zero_steps);
    let fixSteps = 0;
    let respSteps = 0;
    for (let k = 0; k < 250; k++) {
      if (t.desired_output[k * B * 3] === 1) fixSteps++;
      if (t.desired_output[k * B * 3 + 1] + t.desired_output[k * B * 3 + 2] === 1) respSteps++;
    }
    assert.is(fixSteps, f.target_fixation_steps_trial0);
    assert.is(respSteps, f.target_nonzero_response_steps_trial0);
    // Match rules, exactly 1 and 0.
    for (const chk of f.match_rule_check) {
      const r = chk.rule;
      const idx = [...Array(B).keys()].filter((b) => t.rule[b] === r);
      if (chk.type === 'DMC') {
        for (const b of idx) assert.is(Math.floor(t.sample[b] / 4) === Math.floor(t.test[b] / 4), t.match[b] === 1, `DMC trial ${b}`);
        const m = idx.filter((b) => t.match[b] === 1);
        const same = m.filter((b) => t.test[b] === t.sample[b]).length / m.length;
        // Binomial SD of a fraction ¼ over ~256 trials is 0.027; 0.09 is the spec's tolerance.
        assert.ok(Math.abs(same - 0.25) <= 0.09, `P(test==sample|match) = ${same}`);
      } else {
        assert.is(rotationSteps(par, r), chk.rotation_steps);
        for (const b of idx) assert.is(t.test[b] === mod(t.sample[b] + chk.rotation_steps, 8), t.match[b] === 1, `trial ${b} rule ${r}`);
      }
    }
    // Sampled values (spec §8 tolerances).
    const frac = (a: Uint8Array) => a.reduce((s, v) => s + v, 0) / a.length;
    assert.ok(Math.abs(frac(t.match) - 0.5) <= 0.07, `match fraction ${frac(t.match)}`);
    assert.ok(Math.abs(frac(tm.match) - 0.125) <= 0.045, `test-mode match fraction ${frac(tm.match)}`);
    const sc = new Array(8).fill(0);
    for (const s of t.sample) sc[s]++;
    const chi = sc.reduce((a, c) => a + ((c - B / 8) ** 2) / (B / 8), 0);
    assert.ok(chi < 24.3, `chi-square of sample counts ${chi}`);
    if (f.rule_counts) {
      const rc = new Array(par.num_rules).fill(0);
      for (const r of t.rule) rc[r]++;
      for (const c of rc) assert.ok(Math.abs(c - B / par.num_rules) <= 40, `rule counts ${rc}`);
    }
    const nIn = par.n_input;
    let s1 = 0;
    let s2 = 0;
    let n = 0;
    for (let k = 0; k < 50; k++) for (let i = 0; i < B * nIn; i++) {
      const v = t.neural_input[k * B * nIn + i];
      s1 += v;
      s2 += v * v;
      n++;
    }
    const mean = s1 / n;
    const sd = Math.sqrt(s2 / n - mean * mean);
    assert.ok(Math.abs(mean - f.input_mean_fix_period_all_channels) <= 0.005, `fix mean ${mean} vs ${f.input_mean_fix_period_all_channels}`);
    assert.ok(Math.abs(sd - f.input_std_fix_period_all_channels) <= 0.005, `fix SD ${sd} vs ${f.input_std_fix_period_all_channels}`);
    let sm = 0;
    let nm = 0;
    for (let k = 50; k < 100; k++) for (let b = 0; b < B; b++) for (let c = 0; c < par.num_motion_tuned; c++) {
      sm += t.neural_input[(k * B + b) * nIn + c];
      nm++;
    }
    assert.ok(Math.abs(sm / nm - f.input_mean_sample_period_motion_channels) <= 0.01, `sample mean ${sm / nm} vs ${f.input_mean_sample_period_motion_channels}`);
    let mx = 0;
    for (const v of t.neural_input) mx = Math.max(mx, v);
    assert.ok(mx <= 4 + 8 * par.noise_in, `input max ${mx}`);
  });
}

test('fixed bugs: the 3-rule task has 42 inputs and 3 rules; test-mode DMC judges by category', () => {
  const p = updateParameters({ trial_type: 'DMS+DMRS+DMC' });
  assert.is(p.n_input, 42);
  assert.is(p.num_rules, 3);
  assert.is(p.num_rule_tuned, 18);
  assert.equal(p.rule_kinds, ['dms', 'dms', 'dmc']);
  const dmc = updateParameters({ trial_type: 'DMC' });
  const t = generateTrial(dmc, { batchSize: 512, seed: 5, iteration: 0, testMode: true });
  for (let b = 0; b < 512; b++) assert.is(t.match[b] === 1, Math.floor(t.sample[b] / 4) === Math.floor(t.test[b] / 4));
  const f = t.match.reduce((s, v) => s + v, 0) / 512;
  // P(match) = ½ under the category rule; binomial SD 0.022 at 512 trials.
  assert.ok(Math.abs(f - 0.5) < 0.07, `DMC test-mode match fraction ${f}`);
  // Channel counts are per task, not left over from a previous one.
  assert.is(updateParameters({ trial_type: 'DMS' }).n_input, 24);
  assert.is(updateParameters({ trial_type: 'location_DMS' }).n_input, 72);
  assert.is(updateParameters({ trial_type: 'DMS' }).n_input, 24);
  assert.throws(() => updateParameters({ var_delay: true }), /var_delay/);
  assert.throws(() => updateParameters({ synapse_config: 'None' as never }), /unknown synapse_config/);
  // num_fix_tuned > 0 works: fixation channels carry +4 until the test.
  const pf = updateParameters({ num_fix_tuned: 2 });
  assert.is(pf.n_input, 26);
  const tf = generateTrial(pf, { batchSize: 8, seed: 1, iteration: 0 });
  let mn = Infinity;
  for (let k = 0; k < 200; k++) for (let b = 0; b < 8; b++) mn = Math.min(mn, tf.neural_input[(k * 8 + b) * 26 + 24]);
  assert.ok(mn > 1.5);
  assert.is(TASKS.length, 12);
});

test('location_DMS: sample in RF 0, test in RF 1 or 2', () => {
  const p = updateParameters({ trial_type: 'location_DMS' });
  const B = 64;
  const t = generateTrial(p, { batchSize: B, seed: 2, iteration: 0 });
  for (let b = 0; b < B; b++) {
    assert.ok(t.testRf[b] === 1 || t.testRf[b] === 2);
    const rfSum = (k: number, rf: number) => {
      let s = 0;
      for (let c = 0; c < 24; c++) s += t.neural_input[(k * B + b) * 72 + rf * 24 + c];
      return s;
    };
    assert.ok(rfSum(75, 0) > rfSum(75, 1) + 5);
    assert.ok(rfSum(225, t.testRf[b]) > rfSum(225, 0) + 5);
  }
});

test.run();
