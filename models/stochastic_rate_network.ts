/**
 * stochastic_rate_network: the stochastic recurrent rate network of Bredenberg, Simoncelli &
 * Savin (2020), clock-driven, one tick per step (dt = 0.01 model time units). For neuron i,
 * Euler–Maruyama:
 *
 *   r̃_j = r_{j−1} + dt·(−f⁻¹(r_{j−1})/R + x_j) + σ·ξ_j,      ξ_j ~ N(0, dt) per neuron,
 *   r_j = min(max(r̃_j, low_r_threshold), high_r_threshold),
 *
 * with the smooth ReLU f(x) = β·ln(1 + exp(a + γx)), f⁻¹(r) = (ln(exp(r/β) − 1) − a)/γ, and
 * x_j the port `drive`: the per-tick synapses' W r_{j−1} + C s_{j−1} + b, read from presynaptic
 * state as of the end of step j − 1. State r_raw keeps r̃_j (the readout's objective uses it);
 * r is the clipped rate that carries forward and feeds plasticity.
 *
 * Trials are set through {@link rateNetworkControl}: at the trial's first step (step 0) the
 * rates are set to r_0 and nothing is integrated. The noise increments come from the control's
 * `noise` function (N values per step, in neuron order), so tests can impose them.
 */
import { defineNeuronModel } from '../engine/model.js';
import { registerNeuronModel } from '../engine/registry.js';
import { SimulationError } from '../engine/errors.js';
import type { Population } from '../engine/population.js';

/** Per-trial settings of a stochastic_rate_network population. */
export interface RateNetworkControl {
  /** Kernel step of the trial's step 0. */
  trialStart: number;
  /** Initial rate r_0 of every neuron. */
  r0: number;
  /** Fills `out[0..n)` with this step's noise increments ξ ~ N(0, dt) (already scaled by √dt). */
  noise: ((out: Float64Array) => void) | null;
}

const controls = new WeakMap<Float64Array, RateNetworkControl>();

/** The control object of a stochastic_rate_network population (created on first use). */
export function rateNetworkControl(pop: Population): RateNetworkControl {
  if (pop.model.name !== 'stochastic_rate_network') {
    throw new SimulationError('invalid_value', `'${pop.name}' is a ${pop.model.name} population, not stochastic_rate_network.`);
  }
  let c = controls.get(pop.s.r);
  if (c === undefined) {
    c = { trialStart: 0, r0: 0.1, noise: null };
    controls.set(pop.s.r, c);
  }
  return c;
}

/** The smooth ReLU f(x) = β·ln(1 + exp(a + γx)), computed as written (not with log1p). */
export function reluDiff(x: number, a: number, beta: number, gamma: number): number {
  return beta * Math.log(1 + Math.exp(a + gamma * x));
}

/** Its inverse f⁻¹(r) = (ln(exp(r/β) − 1) − a)/γ. */
export function invReluDiff(r: number, a: number, beta: number, gamma: number): number {
  return (Math.log(Math.exp(r / beta) - 1) - a) / gamma;
}

export const stochastic_rate_network = defineNeuronModel({
  name: 'stochastic_rate_network',
  doc: 'Stochastic recurrent rate network with a smooth-ReLU leak, Euler–Maruyama noise and clipped rates (Bredenberg, Simoncelli & Savin 2020).',
  timing: 'clock',
  period: 1,
  output: 'current',
  params: {
    dt_model: { default: 0.01, unit: 'model time', min: 0, doc: 'Integration step in model time units.' },
    R: { default: 1, unit: '1', min: 0, doc: 'Leak resistance R.' },
    sigma: { default: 0.2, unit: '1', min: 0, doc: 'Noise amplitude σ (the increment is σ·ξ with ξ ~ N(0, dt)).' },
    alpha: { default: 0, unit: '1', doc: 'Offset a of the smooth ReLU.' },
    beta: { default: 1 / 30, unit: '1', min: 0, doc: 'Scale β of the smooth ReLU.' },
    gamma: { default: 30, unit: '1', min: 0, doc: 'Gain γ of the smooth ReLU.' },
    low_r_threshold: { default: 0.001, unit: '1', min: 0, doc: 'Lower clip bound of the rates.' },
    high_r_threshold: { default: 100, unit: '1', min: 0, doc: 'Upper clip bound of the rates.' },
  },
  state: {
    r: { unit: '1', initial: 0.1, doc: 'Clipped rate r_j.' },
    r_raw: { unit: '1', initial: 0.1, doc: 'Rate before clipping, r̃_j.' },
  },
  ports: {
    drive: { kind: 'current', doc: 'W r + C s + b from per-tick synapses (presynaptic state of the previous step).' },
  },
  check(p) {
    if (!(p.low_r_threshold < p.high_r_threshold)) return `low_r_threshold (${p.low_r_threshold}) must be below high_r_threshold (${p.high_r_threshold}).`;
    return undefined;
  },
  prepare(p, _dt, n) {
    const homogeneous = (a: Float64Array) => a.every((v) => v === a[0]);
    for (const key of ['dt_model', 'R', 'sigma', 'alpha', 'beta', 'gamma', 'low_r_threshold', 'high_r_threshold'] as const) {
      if (!homogeneous(p[key])) throw new SimulationError('invalid_value', `stochastic_rate_network: parameter ${key} must be the same for every neuron.`);
    }
    return {
      dt: p.dt_model[0],
      invR: 1 / p.R[0],
      sigma: p.sigma[0],
      a: p.alpha[0],
      invBeta: 1 / p.beta[0],
      invGamma: 1 / p.gamma[0],
      low: p.low_r_threshold[0],
      high: p.high_r_threshold[0],
      xi: new Float64Array(n),
    };
  },
  compile(ctx) {
    const { n, s, c, ring } = ctx;
    const r = s.r;
    const rRaw = s.r_raw;
    const drive = ring.drive;
    const { dt, invR, sigma, a, invBeta, invGamma, low, high, xi } = c;
    return (step, base) => {
      const ctl = controls.get(r);
      if (ctl === undefined || ctl.noise === null) throw new SimulationError('invalid_state', 'stochastic_rate_network: no noise source set; call rateNetworkControl(pop) before simulating.');
      if (step === ctl.trialStart) {
        r.fill(ctl.r0);
        rRaw.fill(ctl.r0);
        return;
      }
      ctl.noise(xi);
      for (let i = 0; i < n; i++) {
        const prev = r[i];
        // −f⁻¹(r)/R, written as the original's division forms.
        const leak = -((Math.log(Math.exp(prev * invBeta) - 1) - a) * invGamma) * invR;
        const next = prev + (leak + drive[base + i]) * dt + sigma * xi[i];
        rRaw[i] = next;
        r[i] = next < low ? low : next > high ? high : next;
      }
    };
  },
});

registerNeuronModel(stochastic_rate_network);
