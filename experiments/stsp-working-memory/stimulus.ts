/**
 * The trials of the twelve tasks (spec §3): inputs `[T,B,n_in]`, one-hot targets `[T,B,3]`
 * and the loss mask `[T,B]`, all time-major. Trial draws come from one stream per batch and
 * the input noise from one stream per trial, so a trial does not depend on the batch split.
 */
import type { Par } from './parameters.js';
import { Draws, streams } from './random.js';

/** One generated batch (field names as in the original's trial_info). */
export interface TrialBatch {
  batchSize: number;
  numSteps: number;
  nInput: number;
  neural_input: Float32Array;
  desired_output: Float32Array;
  train_mask: Float32Array;
  sample: Int8Array;
  /** Test direction (−1 on catch trials). */
  test: Int8Array;
  rule: Int8Array;
  match: Uint8Array;
  catch: Uint8Array;
  /** All 0, kept for shape parity with the original's trial_info. */
  probe: Uint8Array;
  /** Receptive field of the test (location_DMS; 0 otherwise). */
  testRf: Int8Array;
}

export interface GenerateOptions {
  batchSize: number;
  testMode?: boolean;
  /** Forces every trial's rule. */
  setRule?: number;
  /** Names the random streams: master seed, batch index and a tag (e.g. 'train', 'analysis'). */
  seed: number;
  iteration: number;
  tag?: string;
}

/** Tuning of motion channel `pref` (per-RF index) to direction index `dir`. */
export function motionTuning(par: Par, pref: number, dir: number): number {
  const prefRad = (2 * Math.PI * pref) / par.num_motion_tuned_per_rf;
  const dirRad = (2 * Math.PI * dir) / par.num_motion_dirs;
  return par.tuning_height * Math.exp(par.kappa * (Math.cos(dirRad - prefRad) - 1));
}

/** Non-negative modulo. */
export const mod = (a: number, n: number): number => ((a % n) + n) % n;

/** Steps by which the matching direction is rotated from the sample under rule `r`. */
export function rotationSteps(par: Par, r: number): number {
  return Math.trunc((par.num_motion_dirs * par.rotation_match[r]) / 360);
}

/** Whether `test` matches `sample` under rule `r` (the compat DMC test-mode bug included when asked). */
export function isMatch(par: Par, r: number, sample: number, test: number, testMode: boolean): boolean {
  const half = par.num_motion_dirs / 2;
  if (par.rule_kinds[r] === 'dmc' && !(testMode && par.compat === 'masse2019')) return Math.floor(sample / half) === Math.floor(test / half);
  return test === mod(sample + rotationSteps(par, r), par.num_motion_dirs);
}

/** Generates one batch of trials. */
export function generateTrial(par: Par, o: GenerateOptions): TrialBatch {
  const B = o.batchSize;
  const T = par.num_time_steps;
  const nIn = par.n_input;
  const nDir = par.num_motion_dirs;
  const half = nDir / 2;
  const tag = o.tag ?? 'train';
  const testMode = o.testMode ?? false;
  const out: TrialBatch = {
    batchSize: B,
    numSteps: T,
    nInput: nIn,
    neural_input: new Float32Array(T * B * nIn),
    desired_output: new Float32Array(T * B * par.n_output),
    train_mask: new Float32Array(T * B),
    sample: new Int8Array(B),
    test: new Int8Array(B),
    rule: new Int8Array(B),
    match: new Uint8Array(B),
    catch: new Uint8Array(B),
    probe: new Uint8Array(B),
    testRf: new Int8Array(B),
  };
  if (o.setRule !== undefined && !(Number.isInteger(o.setRule) && o.setRule >= 0 && o.setRule < par.num_rules)) {
    throw new Error(`setRule ${o.setRule} is not a rule of ${par.trial_type} (0..${par.num_rules - 1}).`);
  }
  const draws = new Draws(streams.trials(o.seed, o.iteration, tag));
  for (let b = 0; b < B; b++) {
    const rule = o.setRule ?? (par.num_rules > 1 ? draws.int(par.num_rules) : 0);
    const sample = draws.int(nDir);
    let match = draws.bernoulli(0.5);
    const isCatch = draws.uniform() < par.catch_trial_pct ? 1 : 0;
    const testRf = par.num_receptive_fields > 1 ? 1 + draws.int(par.num_receptive_fields - 1) : 0;
    let test: number;
    if (testMode) {
      test = draws.int(nDir);
      match = isMatch(par, rule, sample, test, true) ? 1 : 0;
    } else if (par.rule_kinds[rule] === 'dmc') {
      const cat = Math.floor(sample / half);
      const other = 1 - cat;
      test = match ? cat * half + draws.int(half) : other * half + draws.int(half);
    } else {
      const target = mod(sample + rotationSteps(par, rule), nDir);
      if (match) test = target;
      else {
        // Uniform over the other seven directions.
        const k = draws.int(nDir - 1);
        test = k < target ? k : k + 1;
      }
    }
    out.rule[b] = rule;
    out.sample[b] = sample;
    out.match[b] = isCatch ? 0 : match;
    out.catch[b] = isCatch;
    out.test[b] = isCatch ? -1 : test;
    out.testRf[b] = testRf;
  }
  fillInputs(par, o, out);
  fillTargets(par, out);
  return out;
}

function fillInputs(par: Par, o: GenerateOptions, t: TrialBatch): void {
  const { batchSize: B, numSteps: T, nInput: nIn, neural_input: x } = t;
  const tag = o.tag ?? 'train';
  const perRf = par.num_motion_tuned_per_rf;
  const nDir = par.num_motion_dirs;
  // 1. Noise, one stream per trial.
  for (let b = 0; b < B; b++) {
    const d = new Draws(streams.inputNoise(o.seed, o.iteration, tag, b));
    for (let k = 0; k < T; k++) d.fillNormal(x, (k * B + b) * nIn, nIn, par.noise_in);
  }
  const tuning = new Float64Array(perRf * nDir);
  for (let n = 0; n < perRf; n++) for (let dir = 0; dir < nDir; dir++) tuning[n * nDir + dir] = motionTuning(par, n, dir);
  const ruleBase = par.num_motion_tuned + par.num_fix_tuned;
  for (let b = 0; b < B; b++) {
    // 2. Motion: sample in RF 0, test in its RF.
    for (let k = par.fix_end; k < par.sample_end; k++) {
      const row = (k * B + b) * nIn;
      for (let n = 0; n < perRf; n++) x[row + n] += tuning[n * nDir + t.sample[b]];
    }
    if (t.catch[b] === 0) {
      const off = t.testRf[b] * perRf;
      for (let k = par.test_onset; k < T; k++) {
        const row = (k * B + b) * nIn + off;
        for (let n = 0; n < perRf; n++) x[row + n] += tuning[n * nDir + t.test[b]];
      }
    }
    // 3. Rule cue.
    if (par.rule_cue_steps !== null) {
      for (const [s, e] of par.rule_cue_steps) {
        for (let k = s; k < Math.min(e, T); k++) {
          const row = (k * B + b) * nIn + ruleBase;
          for (let n = 0; n < par.num_rule_tuned; n++) if (n % par.num_rules === t.rule[b]) x[row + n] += par.tuning_height * par.rule_cue_multiplier;
        }
      }
    }
    // 4. Fixation channels until test onset.
    for (let k = 0; k < par.test_onset; k++) {
      const row = (k * B + b) * nIn + par.num_motion_tuned;
      for (let n = 0; n < par.num_fix_tuned; n++) x[row + n] += par.tuning_height;
    }
  }
  // 5. The whole tensor is rectified.
  for (let i = 0; i < x.length; i++) if (x[i] < 0) x[i] = 0;
}

function fillTargets(par: Par, t: TrialBatch): void {
  const { batchSize: B, numSteps: T } = t;
  const nOut = par.n_output;
  const y = t.desired_output;
  const m = t.train_mask;
  for (let k = 0; k < T; k++) {
    const mask = k < par.dead_end ? 0 : k < par.test_onset ? 1 : k < par.test_onset + par.mask_steps ? 0 : par.test_cost_multiplier;
    for (let b = 0; b < B; b++) {
      m[k * B + b] = mask;
      const choice = k < par.test_onset || t.catch[b] === 1 ? 0 : t.match[b] === 1 ? 2 : 1;
      y[(k * B + b) * nOut + choice] = 1;
    }
  }
}
