/**
 * Parameters of the normative-plasticity network (spec §2), with the original's key names.
 * `makeParams` gives the defaults of one task with overrides on top.
 */
import { SimulationError } from '../../engine/errors.js';

/** The two tasks: estimation reports (cos θ, sin θ); classification reports θ ≥ 0. */
export type Objective = 'linear' | 'classifier';

/** Network and learning parameters (the original's `params` dictionary). */
export interface NetParams {
  objective: Objective;
  N: number;
  input_dim: number;
  target_dim: number;
  T: number;
  dt: number;
  R: number;
  sigma: number;
  alpha: number;
  beta: number;
  gamma: number;
  low_r_threshold: number;
  high_r_threshold: number;
  transient: number;
  theta: number;
  learning_rate: number;
  learning_rate_bias: number;
  learning_rate_input: number;
  learning_rate_decoder: number;
  weight_l2: number;
  bias_weight_l2: number;
  i_weight_l2: number;
  anneal_const: number;
  record_res: number;
  trial_num: number;
  trial_num_2: number;
  test_num: number;
  initial_bias: number;
}

/** Stimulus parameters (the original's `input_params` dictionary). */
export interface InputParams {
  kappa_in: number;
  mu_in: number;
  sigma_sampler: number;
  switch_period: number;
}

const COMMON = {
  input_dim: 12,
  T: 1000,
  dt: 0.01,
  R: 1,
  sigma: 0.2,
  alpha: 0,
  beta: 1 / 30,
  gamma: 30,
  low_r_threshold: 0.001,
  high_r_threshold: 100,
  transient: 40,
  theta: 0.0015,
  anneal_const: 100,
  record_res: 20,
  trial_num: 0,
  trial_num_2: 260,
  test_num: 100,
};

/** Defaults of each task (spec §2 table). */
export const DEFAULT_PARAMS: Record<Objective, NetParams> = {
  linear: {
    ...COMMON,
    objective: 'linear',
    N: 40,
    target_dim: 2,
    learning_rate: 5e-6,
    learning_rate_bias: 5e-6,
    learning_rate_input: 5e-6,
    learning_rate_decoder: 5e-6,
    weight_l2: 0.5 / 25 ** 2,
    bias_weight_l2: 3 / 25 ** 2,
    i_weight_l2: 3 / 25 ** 2,
    initial_bias: 0,
  },
  classifier: {
    ...COMMON,
    objective: 'classifier',
    N: 25,
    target_dim: 1,
    learning_rate: 1e-6,
    learning_rate_bias: 1e-6,
    learning_rate_input: 1e-6,
    learning_rate_decoder: 1e-8,
    weight_l2: 3 / 40 ** 2,
    bias_weight_l2: 2 / 40,
    i_weight_l2: 25 / 40 / 10,
    initial_bias: 0.7,
  },
};

export const DEFAULT_INPUT_PARAMS: InputParams = { kappa_in: 0.75, mu_in: 0, sigma_sampler: 0.06, switch_period: 200 };

/** Keys of {@link NetParams} and {@link InputParams} that a weights file may set. */
export const NET_PARAM_KEYS = Object.keys(DEFAULT_PARAMS.linear).filter((k) => k !== 'objective') as (keyof Omit<NetParams, 'objective'>)[];
export const INPUT_PARAM_KEYS = Object.keys(DEFAULT_INPUT_PARAMS) as (keyof InputParams)[];

/** The defaults of `objective` with `overrides` on top, validated. */
export function makeParams(objective: Objective, overrides: Partial<NetParams> = {}): NetParams {
  const p: NetParams = { ...DEFAULT_PARAMS[objective], ...overrides, objective };
  validateParams(p);
  return p;
}

/** Steps per trial, T/dt rounded (a trial computes steps 1 … steps − 1). */
export function trialSteps(p: Pick<NetParams, 'T' | 'dt'>): number {
  return Math.round(p.T / p.dt);
}

/** Steps before plasticity: the largest j with j·dt ≤ transient (integer test, spec §2). */
export function transientSteps(p: Pick<NetParams, 'transient' | 'dt'>): number {
  return Math.round(p.transient / p.dt);
}

/** Throws a SimulationError naming the first invalid parameter (of the stimulus too, when given; the test blocks only when `testing`). */
export function validateParams(p: NetParams, ip: InputParams | null = null, testing = true): void {
  const bad = (key: string, v: unknown, why: string) => {
    throw new SimulationError('invalid_value', `parameter ${key} = ${v}: ${why}.`);
  };
  for (const [k, v] of Object.entries(p)) if (k !== 'objective' && !(typeof v === 'number' && Number.isFinite(v))) bad(k, v, 'must be a finite number');
  for (const k of ['N', 'input_dim', 'record_res', 'trial_num', 'trial_num_2', 'test_num'] as const) if (!Number.isInteger(p[k]) || p[k] < 0) bad(k, p[k], 'must be a whole number >= 0');
  if (p.N < 1) bad('N', p.N, 'must be at least 1');
  if (p.input_dim !== 12) bad('input_dim', p.input_dim, 'the analyses use the 12-angle grid; it must be 12');
  if (p.target_dim !== (p.objective === 'linear' ? 2 : 1)) bad('target_dim', p.target_dim, `the ${p.objective} task has ${p.objective === 'linear' ? 2 : 1} output dimension(s)`);
  if (!(p.dt > 0)) bad('dt', p.dt, 'must be > 0');
  const steps = p.T / p.dt;
  if (!(Math.abs(steps - Math.round(steps)) < 1e-6 * steps) || Math.round(steps) < 2) bad('T', p.T, `must be a whole number (>= 2) of steps dt = ${p.dt}`);
  if (!(p.sigma >= 0)) bad('sigma', p.sigma, 'must be >= 0');
  if (!(p.beta > 0 && p.gamma > 0 && p.R > 0)) bad('beta/gamma/R', `${p.beta}/${p.gamma}/${p.R}`, 'must be > 0');
  if (!(p.low_r_threshold > 0 && p.low_r_threshold < p.high_r_threshold)) bad('low_r_threshold', p.low_r_threshold, 'must lie in (0, high_r_threshold)');
  if (!(p.theta > 0 && p.theta <= 1)) bad('theta', p.theta, 'the trace rate must lie in (0, 1]');
  if (!(p.transient >= 0)) bad('transient', p.transient, 'must be >= 0');
  if (ip === null) return;
  if (!(ip.kappa_in >= 0)) bad('kappa_in', ip.kappa_in, 'must be >= 0');
  if (!(ip.sigma_sampler >= 0)) bad('sigma_sampler', ip.sigma_sampler, 'must be >= 0');
  if (!(ip.mu_in >= -Math.PI && ip.mu_in <= Math.PI)) bad('mu_in', ip.mu_in, 'must lie in [-pi, pi]');
  if (!testing) return;
  const blocks = p.T / ip.switch_period;
  if (!(ip.switch_period > 0) || Math.abs(blocks - Math.round(blocks)) > 1e-9 || Math.round(blocks) < 1) bad('switch_period', ip.switch_period, `T = ${p.T} must be a whole number of test blocks`);
  if (p.record_res < 1) bad('record_res', p.record_res, 'must be >= 1');
}
