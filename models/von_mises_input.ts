/**
 * von_mises_input: the fixed input layer of Bredenberg, Simoncelli & Savin (2020), a
 * clock-driven population of K channels with preferred angles θ_k = −π + k·δ, where δ is the
 * float64 value (−π + 2π/K) − (−π) (numpy's arange rule: θ_{K/2} is −8.9e−16, not 0). For a
 * stimulus angle θ, channel k has rate
 *
 *   s_k(θ) = max(0, cos θ_k·cos θ + sin θ_k·sin θ).
 *
 * The angle follows one of two processes, set per trial through {@link stimulusControl}:
 * - 'langevin' (training): θ_0 is drawn from the von Mises prior (μ, κ) at the trial's first
 *   step; afterwards θ_j = θ_{j−1} − κ·sin(θ_{j−1} − μ)·σ_s²·dt + σ_s·ξ_j with ξ_j ~ N(0, dt),
 *   wrapped once into [−π, π] (±π stay).
 * - 'blocks' (testing): θ is the grid angle θ_k of the current block; the block indices are
 *   given by the caller.
 *
 * State r holds s_j and r_prev holds s_{j−1}. Per-tick synapses read r before any tick of a
 * step, so a network driven by this layer sees s_{j−1} at step j (the original's input lag).
 * Time is derived from the integer step, never by accumulating dt.
 */
import { defineNeuronModel } from '../engine/model.js';
import { registerNeuronModel } from '../engine/registry.js';
import { SimulationError } from '../engine/errors.js';
import type { Population } from '../engine/population.js';

/** Uniform on [0, 1) and standard normal draws of one random stream. */
export interface StimulusRandom {
  uniform(): number;
  normal(): number;
}

/** What the input layer does in the current trial (set by the experiment between runs). */
export interface StimulusControl {
  mode: 'langevin' | 'blocks';
  /** Kernel step of the trial's step 0. */
  trialStart: number;
  /** Prior mean μ and concentration κ; Langevin noise σ_s. */
  mu: number;
  kappa: number;
  sigmaSampler: number;
  /** Random stream of θ_0 and the Langevin increments ('langevin' mode). */
  random: StimulusRandom | null;
  /** Steps per block and the grid index of each block ('blocks' mode). */
  blockSteps: number;
  blockAngles: Int32Array;
  /** Grid index of the current block (−1 in 'langevin' mode). */
  angleIndex: number;
}

const controls = new WeakMap<Float64Array, StimulusControl>();

/** The control object of a von_mises_input population (created on first use). */
export function stimulusControl(pop: Population): StimulusControl {
  if (pop.model.name !== 'von_mises_input') {
    throw new SimulationError('invalid_value', `'${pop.name}' is a ${pop.model.name} population, not von_mises_input.`);
  }
  let c = controls.get(pop.s.theta);
  if (c === undefined) {
    c = { mode: 'blocks', trialStart: 0, mu: 0, kappa: 0.75, sigmaSampler: 0.06, random: null, blockSteps: 1, blockAngles: new Int32Array([0]), angleIndex: 0 };
    controls.set(pop.s.theta, c);
  }
  return c;
}

/** Preferred angles θ_k = −π + k·δ of K channels (numpy's arange rule for δ). */
export function prefAngles(K: number): Float64Array {
  const delta = -Math.PI + (2 * Math.PI) / K - -Math.PI;
  const out = new Float64Array(K);
  for (let k = 0; k < K; k++) out[k] = -Math.PI + k * delta;
  return out;
}

/** Channel rates s_k(θ) into `out`. */
export function inputLayer(theta: number, pref: ArrayLike<number>, out: Float64Array = new Float64Array(pref.length)): Float64Array {
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  for (let k = 0; k < pref.length; k++) {
    const v = Math.cos(pref[k]) * c + Math.sin(pref[k]) * s;
    out[k] = v > 0 ? v : 0;
  }
  return out;
}

/** One Langevin step of the stimulus angle with increment ξ ~ N(0, dt), wrapped once. */
export function langevinStep(theta: number, xi: number, p: { kappa: number; mu: number; sigmaSampler: number; dt: number }): number {
  let t = theta - p.kappa * Math.sin(theta - p.mu) * p.sigmaSampler * p.sigmaSampler * p.dt + p.sigmaSampler * xi;
  if (t < -Math.PI) t += 2 * Math.PI;
  else if (t > Math.PI) t -= 2 * Math.PI;
  return t;
}

/**
 * A draw from the von Mises distribution (μ, κ) on [−π, π) by Best & Fisher's (1979)
 * rejection method, from uniform draws on [0, 1).
 */
export function sampleVonMises(mu: number, kappa: number, uniform: () => number): number {
  if (kappa < 1e-8) return -Math.PI + 2 * Math.PI * uniform();
  const a = 1 + Math.sqrt(1 + 4 * kappa * kappa);
  const b = (a - Math.sqrt(2 * a)) / (2 * kappa);
  const r = (1 + b * b) / (2 * b);
  for (;;) {
    const u1 = uniform();
    const z = Math.cos(Math.PI * u1);
    const f = (1 + r * z) / (r + z);
    const c = kappa * (r - f);
    const u2 = uniform();
    if (c * (2 - c) - u2 > 0 || Math.log(c / u2) + 1 - c >= 0) {
      const u3 = uniform();
      let t = mu + (u3 > 0.5 ? Math.acos(f) : -Math.acos(f));
      // Into [−π, π).
      t = t - 2 * Math.PI * Math.floor((t + Math.PI) / (2 * Math.PI));
      return t;
    }
  }
}

export const von_mises_input = defineNeuronModel({
  name: 'von_mises_input',
  doc: 'Fixed rectified-cosine input layer over a circular stimulus that follows a von Mises Langevin process (training) or a block schedule of grid angles (testing) (Bredenberg et al. 2020).',
  timing: 'clock',
  period: 1,
  output: 'current',
  params: {
    dt_model: { default: 0.01, unit: 'model time', min: 0, doc: 'Step of the Langevin process in model time units.' },
  },
  state: {
    r: { unit: '1', initial: 0, doc: 'Channel rate s_k(θ_j) of the current step.' },
    r_prev: { unit: '1', initial: 0, doc: 'Channel rate s_k(θ_{j−1}) of the previous step.' },
    theta: { unit: 'rad', initial: 0, doc: 'Stimulus angle θ_j (the same in every channel).' },
  },
  ports: {},
  prepare(p, _dt, n) {
    return { pref: prefAngles(n), dtModel: p.dt_model[0] };
  },
  compile(ctx) {
    const { n, s, c } = ctx;
    const r = s.r;
    const rPrev = s.r_prev;
    const th = s.theta;
    const pref = c.pref;
    const cosPref = new Float64Array(n);
    const sinPref = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      cosPref[k] = Math.cos(pref[k]);
      sinPref[k] = Math.sin(pref[k]);
    }
    const sqrtDt = Math.sqrt(c.dtModel);
    const lp = { kappa: 0, mu: 0, sigmaSampler: 0, dt: c.dtModel };
    return (step) => {
      const ctl = controls.get(th);
      if (ctl === undefined) throw new SimulationError('invalid_state', 'von_mises_input: no stimulus set; call stimulusControl(pop) before simulating.');
      const j = step - ctl.trialStart;
      let theta: number;
      if (ctl.mode === 'blocks') {
        const b = Math.floor(j / ctl.blockSteps);
        if (b >= ctl.blockAngles.length) throw new SimulationError('invalid_state', `von_mises_input: step ${j} of the trial lies past its ${ctl.blockAngles.length} blocks.`);
        ctl.angleIndex = ctl.blockAngles[b];
        theta = pref[ctl.angleIndex];
      } else {
        const rnd = ctl.random;
        if (rnd === null) throw new SimulationError('invalid_state', 'von_mises_input: the Langevin process needs a random stream.');
        ctl.angleIndex = -1;
        if (j === 0) {
          theta = sampleVonMises(ctl.mu, ctl.kappa, rnd.uniform);
        } else {
          lp.kappa = ctl.kappa;
          lp.mu = ctl.mu;
          lp.sigmaSampler = ctl.sigmaSampler;
          theta = langevinStep(th[0], sqrtDt * rnd.normal(), lp);
        }
      }
      const ct = Math.cos(theta);
      const st = Math.sin(theta);
      for (let k = 0; k < n; k++) {
        rPrev[k] = j === 0 ? 0 : r[k];
        const v = cosPref[k] * ct + sinPref[k] * st;
        r[k] = v > 0 ? v : 0;
        th[k] = theta;
      }
    };
  },
});

registerNeuronModel(von_mises_input);
