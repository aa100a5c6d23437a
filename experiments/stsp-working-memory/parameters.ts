/**
 * Parameters of the stsp-working-memory experiment under the original snake_case keys (spec
 * §2) and {@link updateParameters}, which derives everything that depends on the task: the
 * input channels, the rules, the step ranges and the STP constants.
 */
import { SimulationError } from '../../engine/errors.js';

/** The twelve tasks of spec §3. */
export const TASKS = [
  'DMS',
  'DMRS45',
  'DMRS90',
  'DMRS90ccw',
  'DMRS180',
  'DMC',
  'DMS+DMRS',
  'DMS+DMRS_early_cue',
  'DMS+DMRS_full_cue',
  'DMS+DMC',
  'DMS+DMRS+DMC',
  'location_DMS',
] as const;
export type TaskName = (typeof TASKS)[number];

export const SYNAPSE_CONFIGS = ['full', 'fac', 'dep', 'exc_fac', 'exc_dep', 'inh_fac', 'inh_dep', 'exc_dep_inh_fac', 'none'] as const;
export type SynapseConfig = (typeof SYNAPSE_CONFIGS)[number];

/** 'masse2019' reproduces the two bugs of spec §7 marked †. */
export type Compat = 'none' | 'masse2019';

/** The settable parameters (original keys and defaults). */
export interface BasePar {
  trial_type: TaskName;
  n_hidden: number;
  n_output: number;
  exc_inh_prop: number;
  balance_EI: boolean;
  connection_prob: number;
  synapse_config: SynapseConfig;
  membrane_time_constant: number;
  noise_in_sd: number;
  noise_rnn_sd: number;
  num_motion_dirs: number;
  num_motion_tuned: number;
  tuning_height: number;
  kappa: number;
  spike_regularization: 'L1' | 'L2';
  spike_cost: number;
  weight_cost: number;
  test_cost_multiplier: number;
  mask_duration: number;
  dt: number;
  dead_time: number;
  fix_time: number;
  sample_time: number;
  delay_time: number;
  test_time: number;
  var_delay: boolean;
  catch_trial_pct: number;
  rule_cue_multiplier: number;
  num_fix_tuned: number;
  batch_size: number;
  num_iterations: number;
  iters_between_outputs: number;
  learning_rate: number;
  clip_max_grad_val: number;
  adam_beta1: number;
  adam_beta2: number;
  adam_epsilon: number;
  tau_fast: number;
  tau_slow: number;
  U_stf: number;
  U_std: number;
  compat: Compat;
}

/** Defaults of spec §2 (batch 128, 1000 iterations). */
export const DEFAULT_PAR: BasePar = {
  trial_type: 'DMS',
  n_hidden: 100,
  n_output: 3,
  exc_inh_prop: 0.8,
  balance_EI: true,
  connection_prob: 1,
  synapse_config: 'full',
  membrane_time_constant: 100,
  noise_in_sd: 0.1,
  noise_rnn_sd: 0.5,
  num_motion_dirs: 8,
  num_motion_tuned: 24,
  tuning_height: 4,
  kappa: 2,
  spike_regularization: 'L2',
  spike_cost: 0.02,
  weight_cost: 0,
  test_cost_multiplier: 2,
  mask_duration: 50,
  dt: 10,
  dead_time: 0,
  fix_time: 500,
  sample_time: 500,
  delay_time: 1000,
  test_time: 500,
  var_delay: false,
  catch_trial_pct: 0,
  rule_cue_multiplier: 1,
  num_fix_tuned: 0,
  batch_size: 128,
  num_iterations: 1000,
  iters_between_outputs: 100,
  learning_rate: 0.02,
  clip_max_grad_val: 0.1,
  adam_beta1: 0.9,
  adam_beta2: 0.999,
  adam_epsilon: 1e-8,
  tau_fast: 200,
  tau_slow: 1500,
  U_stf: 0.15,
  U_std: 0.45,
  compat: 'none',
};

/** How each rule decides a match. */
export type RuleKind = 'dms' | 'dmc';

/** The parameters with everything derived from them. */
export interface Par extends BasePar {
  /** Channels per receptive field (`num_motion_tuned` of a 1-RF task). */
  num_motion_tuned_per_rf: number;
  num_receptive_fields: number;
  num_rule_tuned: number;
  num_rules: number;
  n_input: number;
  /** Per rule: 'dms' (rotation match) or 'dmc' (category match). */
  rule_kinds: RuleKind[];
  /** Per rule: rotation of the matching direction (degrees). */
  rotation_match: number[];
  /** [start, end) step pairs of the rule cue, or null. */
  rule_cue_steps: Array<[number, number]> | null;
  num_time_steps: number;
  dead_end: number;
  fix_end: number;
  sample_end: number;
  delay_end: number;
  test_onset: number;
  mask_steps: number;
  alpha_neuron: number;
  noise_in: number;
  noise_rnn: number;
  /** Number of excitatory units (the first ones). */
  num_exc_units: number;
}

/** Whether a synapse config puts facilitating/depressing STP on unit i, or none. */
export function unitSynapseType(config: SynapseConfig, i: number, nExc: number): 'fac' | 'dep' | 'static' {
  const exc = i < nExc;
  const even = i % 2 === 0;
  switch (config) {
    case 'full':
      return even ? 'fac' : 'dep';
    case 'fac':
      return 'fac';
    case 'dep':
      return 'dep';
    case 'exc_fac':
      return exc ? 'fac' : 'static';
    case 'exc_dep':
      return exc ? 'dep' : 'static';
    case 'inh_fac':
      return exc ? 'static' : 'fac';
    case 'inh_dep':
      return exc ? 'static' : 'dep';
    case 'exc_dep_inh_fac':
      return exc ? 'dep' : 'fac';
    case 'none':
      return 'static';
  }
}

/**
 * Derives the task-dependent quantities (spec §2, §3). Pure; throws a SimulationError naming
 * the problem for settings the model cannot run.
 */
export function updateParameters(overrides: Partial<BasePar> = {}): Par {
  const b: BasePar = { ...DEFAULT_PAR, ...overrides };
  const bad = (msg: string) => new SimulationError('invalid_value', `stsp-working-memory: ${msg}`);
  if (!(TASKS as readonly string[]).includes(b.trial_type)) throw bad(`unknown task '${b.trial_type}'; use one of ${TASKS.join(', ')}.`);
  if (!(SYNAPSE_CONFIGS as readonly string[]).includes(b.synapse_config)) throw bad(`unknown synapse_config '${b.synapse_config}'; use one of ${SYNAPSE_CONFIGS.join(', ')}.`);
  if (b.var_delay) throw bad('var_delay is not supported (it was broken in the original); use a fixed delay_time.');
  if (b.num_motion_dirs !== 8) throw bad(`num_motion_dirs must be 8 (the tasks' rotations and categories assume 8 directions), got ${b.num_motion_dirs}.`);
  if (!(b.exc_inh_prop > 0 && b.exc_inh_prop <= 1)) throw bad(`exc_inh_prop must lie in (0, 1], got ${b.exc_inh_prop}.`);
  for (const k of ['dead_time', 'fix_time', 'sample_time', 'delay_time', 'test_time', 'mask_duration'] as const) {
    if (!(b[k] >= 0) || !Number.isFinite(b[k])) throw bad(`${k} must be a non-negative number of ms, got ${b[k]}.`);
  }
  if (b.mask_duration > b.test_time) throw bad(`mask_duration (${b.mask_duration} ms) must not exceed test_time (${b.test_time} ms).`);
  const steps = (ms: number) => Math.floor(ms / b.dt);
  const task = b.trial_type;
  // The original turned the 3-rule task into DMS+DMRS_early_cue (its branches were tested in
  // the wrong order); compat mode keeps that.
  const effective: TaskName = task === 'DMS+DMRS+DMC' && b.compat === 'masse2019' ? 'DMS+DMRS_early_cue' : task;
  let rotation: number[] = [0];
  let kinds: RuleKind[] = ['dms'];
  let numRuleTuned = 0;
  let cue: 'none' | 'mid_delay' | 'early' | 'full' = 'none';
  let rfs = 1;
  switch (effective) {
    case 'DMS':
      break;
    case 'DMRS45':
      rotation = [45];
      break;
    case 'DMRS90':
      rotation = [90];
      break;
    case 'DMRS90ccw':
      rotation = [-90];
      break;
    case 'DMRS180':
      rotation = [180];
      break;
    case 'DMC':
      kinds = ['dmc'];
      break;
    case 'DMS+DMRS':
      rotation = [0, 90];
      kinds = ['dms', 'dms'];
      numRuleTuned = 6;
      cue = 'mid_delay';
      break;
    case 'DMS+DMRS_early_cue':
      rotation = [0, 90];
      kinds = ['dms', 'dms'];
      numRuleTuned = 6;
      cue = 'early';
      break;
    case 'DMS+DMRS_full_cue':
      rotation = [0, 90];
      kinds = ['dms', 'dms'];
      numRuleTuned = 6;
      cue = 'full';
      break;
    case 'DMS+DMC':
      rotation = [0, 0];
      kinds = ['dms', 'dmc'];
      numRuleTuned = 12;
      cue = 'full';
      break;
    case 'DMS+DMRS+DMC':
      rotation = [0, 90, 0];
      kinds = ['dms', 'dms', 'dmc'];
      numRuleTuned = 18;
      cue = 'full';
      break;
    case 'location_DMS':
      rfs = 3;
      break;
  }
  const deadEnd = steps(b.dead_time);
  const fixEnd = steps(b.dead_time + b.fix_time);
  const sampleEnd = steps(b.dead_time + b.fix_time + b.sample_time);
  const delayEnd = steps(b.dead_time + b.fix_time + b.sample_time + b.delay_time);
  const total = steps(b.dead_time + b.fix_time + b.sample_time + b.delay_time + b.test_time);
  let cueSteps: Array<[number, number]> | null = null;
  if (cue === 'mid_delay') {
    const on = steps(b.dead_time + b.fix_time + b.sample_time + b.delay_time / 2);
    cueSteps = [[on, on + steps(250)]];
  } else if (cue === 'early') cueSteps = [[deadEnd, fixEnd]];
  else if (cue === 'full') cueSteps = [[0, total]];
  const alpha = b.dt / b.membrane_time_constant;
  const perRf = b.num_motion_tuned;
  return {
    ...b,
    num_motion_tuned: perRf * rfs,
    num_motion_tuned_per_rf: perRf,
    num_receptive_fields: rfs,
    num_rule_tuned: numRuleTuned,
    num_rules: kinds.length,
    n_input: perRf * rfs + b.num_fix_tuned + numRuleTuned,
    rule_kinds: kinds,
    rotation_match: rotation,
    rule_cue_steps: cueSteps,
    num_time_steps: total,
    dead_end: deadEnd,
    fix_end: fixEnd,
    sample_end: sampleEnd,
    delay_end: delayEnd,
    test_onset: delayEnd,
    mask_steps: steps(b.mask_duration),
    alpha_neuron: alpha,
    noise_in: Math.sqrt(2 / alpha) * b.noise_in_sd,
    noise_rnn: Math.sqrt(2 * alpha) * b.noise_rnn_sd,
    num_exc_units: Math.round(b.exc_inh_prop * b.n_hidden),
  };
}

/** The settable keys of a derived parameter set (what model.json stores as `par`). */
export function baseOf(par: Par): BasePar {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(DEFAULT_PAR)) out[k] = (par as unknown as Record<string, unknown>)[k];
  // num_motion_tuned is stored per receptive field, as it is set.
  out.num_motion_tuned = par.num_motion_tuned_per_rf;
  return out as unknown as BasePar;
}
