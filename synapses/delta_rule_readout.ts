/**
 * delta_rule_readout: the task readout of a rate network with its own delta-rule plasticity
 * (Bredenberg, Simoncelli & Savin 2020), a per-tick synapse from a stochastic_rate_network to
 * a rate_readout population; weight w of synapse neuron i → output k is D[k][i]. After each
 * network tick at trial step j it computes, from the unclipped rates r̃_j,
 *
 *   estimation (objective 0):     o = D r̃, target z = (cos θ_j, sin θ_j), α = −‖z − o‖²
 *   classification (objective 1): o = σ(g·D r̃), target t = [θ_j ≥ 0 or θ_j ≤ −π],
 *                                 α = t·ln ô + (1 − t)·ln(1 − ô), ô = o clipped to [1e−4, 1 − 1e−4]
 *
 * and writes o, D r̃, the target and α into the readout's state. While learning and past the
 * transient it then recomputes the objective α′ from the clipped rates r_j with the current
 * D, updates the decoder with the delta rule (not gated by α′)
 *
 *   estimation:     ΔD = −(D r − z) rᵀ − λ D
 *   classification: ΔD = g·(t − σ(g·D r)) rᵀ − λ D        (σ not clipped)
 *   D ← D + dt·anneal_const·η·ΔD,
 *
 * and broadcasts α′ through the control's `broadcast` (the experiment sends it as the
 * 'objective' modulator of the three-factor synapses).
 */
import { defineSynapseModel, type SynapseModel } from '../engine/synapse.js';
import { registerSynapseModel } from '../engine/registry.js';
import { SimulationError } from '../engine/errors.js';
import type { ProjectionData } from '../engine/projection.js';
import { isDense } from './three_factor_covariance.js';

/** Bounds of the output inside the log-likelihood. */
export const OUTPUT_CLIP = 1e-4;

/** The classification target: 1 on the upper half circle (θ ≥ 0) and at θ ≤ −π, else 0. */
export function circularClassifier(theta: number): number {
  return theta >= 0 || theta <= -Math.PI ? 1 : 0;
}

/** The estimation objective −‖z − o‖². */
export function mseObjective(z: ArrayLike<number>, o: ArrayLike<number>): number {
  let sum = 0;
  for (let k = 0; k < z.length; k++) {
    const d = z[k] - o[k];
    sum += d * d;
  }
  return -sum;
}

/** The classification objective t·ln ô + (1 − t)·ln(1 − ô), with ô = o clipped to [1e−4, 1 − 1e−4]. */
export function logLikelihoodObjective(t: number, o: number): number {
  const c = o < OUTPUT_CLIP ? OUTPUT_CLIP : o > 1 - OUTPUT_CLIP ? 1 - OUTPUT_CLIP : o;
  return t * Math.log(c) + (1 - t) * Math.log(1 - c);
}

/** The logistic output σ(g·u) = 1/(1 + exp(−g·u)). */
export function logisticDecoder(u: number, gain = 100): number {
  return 1 / (1 + Math.exp(-gain * u));
}

/** Estimation decoder update ΔD = −(D r − z) rᵀ − λ D for row-major D (dims × N). */
export function mseDecoderRule(D: ArrayLike<number>, r: ArrayLike<number>, z: ArrayLike<number>, lambda: number): Float64Array {
  const n = r.length;
  const out = new Float64Array(D.length);
  for (let k = 0; k < z.length; k++) {
    let u = 0;
    for (let i = 0; i < n; i++) u += D[k * n + i] * r[i];
    for (let i = 0; i < n; i++) out[k * n + i] = -(u - z[k]) * r[i] - lambda * D[k * n + i];
  }
  return out;
}

/** Classification decoder update ΔD = g·(t − σ(g·D r)) rᵀ − λ D for D of one row. */
export function logLikelihoodDecoderRule(D: ArrayLike<number>, r: ArrayLike<number>, t: number, lambda: number, gain = 100): Float64Array {
  const n = r.length;
  let u = 0;
  for (let i = 0; i < n; i++) u += D[i] * r[i];
  const err = gain * (t - logisticDecoder(u, gain));
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = err * r[i] - lambda * D[i];
  return out;
}

/** Per-trial settings and wiring of a delta_rule_readout projection. */
export interface ReadoutControl {
  /** Kernel step of the trial's step 0. */
  trialStart: number;
  /** Decoder learning and objective broadcasts past the transient (training). */
  learning: boolean;
  /** The stimulus angle θ_j (the input layer's `theta` state; entry 0 is read). */
  theta: Float64Array | null;
  /** Receives α′_j after step j while learning past the transient. */
  broadcast: ((step: number, alphaPrime: number) => void) | null;
}

/** State of a delta_rule_readout projection. */
export interface ReadoutState {
  readonly control: ReadoutControl;
  readonly dims: number;
  readonly objective: number;
  readonly gain: number;
  readonly lambda: number;
  readonly scale: number;
  readonly transientSteps: number;
  readonly rRaw: Float64Array;
  readonly r: Float64Array;
  readonly out: { o: Float64Array; u: Float64Array; target: Float64Array; alpha: Float64Array };
  /** D r of the clipped rates, per output. */
  readonly uClipped: Float64Array;
  /** Target of the current step, per output. */
  readonly z: Float64Array;
  /** Delta-rule error term per output. */
  readonly err: Float64Array;
  /** All-to-all in generation order (synapse i·dims + k is neuron i → output k). */
  readonly dense: boolean;
}

/** The control of a delta_rule_readout projection, with a clear error for other models. */
export function readoutControl(proj: ProjectionData): ReadoutControl {
  if (proj.synapse.name !== 'delta_rule_readout') {
    throw new SimulationError('invalid_value', `projection '${proj.source.name}' -> '${proj.targetPopulation.name}' uses '${proj.synapse.name}', not delta_rule_readout.`);
  }
  return (proj.state as ReadoutState).control;
}

export const delta_rule_readout: SynapseModel = defineSynapseModel({
  name: 'delta_rule_readout',
  doc: 'Linear or logistic task readout of a rate network with a delta-rule decoder; broadcasts the task objective for three-factor plasticity (Bredenberg et al. 2020).',
  params: {
    objective: { default: 0, unit: '1', min: 0, max: 1, integer: true, doc: '0: estimation (linear output, squared error); 1: classification (logistic output, log-likelihood).' },
    gain: { default: 100, unit: '1', min: 0, doc: 'Gain g of the logistic output.' },
    learning_rate: { default: 5e-6, unit: '1', min: 0, doc: 'Decoder learning rate η_D.' },
    anneal_const: { default: 100, unit: '1', min: 0, doc: 'Constant learning-rate multiplier.' },
    dt_model: { default: 0.01, unit: 'model time', min: 0, doc: 'Step in model time units.' },
    weight_l2: { default: 8e-4, unit: '1', min: 0, doc: 'Decoder weight decay λ.' },
    transient_steps: { default: 4000, unit: 'steps', min: 0, integer: true, doc: 'Steps of each trial before learning (it applies from step transient_steps + 1).' },
  },
  plastic: true,
  init(proj, p): ReadoutState {
    const src = proj.source.s;
    const tgt = proj.targetPopulation.s;
    if (src.r === undefined || src.r_raw === undefined || tgt.o === undefined) {
      throw new SimulationError('invalid_connection', `delta_rule_readout leads from a stochastic_rate_network to a rate_readout; got '${proj.source.model.name}' -> '${proj.targetPopulation.model.name}'.`);
    }
    const dims = proj.targetPopulation.n;
    if (p.objective === 1 && dims !== 1) throw new SimulationError('invalid_connection', `delta_rule_readout: classification has one output, the readout has ${dims}.`);
    if (p.objective === 0 && dims !== 2) throw new SimulationError('invalid_connection', `delta_rule_readout: estimation reports (cos θ, sin θ), so the readout needs 2 units, it has ${dims}.`);
    return {
      control: { trialStart: 0, learning: false, theta: null, broadcast: null },
      dims,
      objective: p.objective,
      gain: p.gain,
      lambda: p.weight_l2,
      scale: p.dt_model * p.anneal_const * p.learning_rate,
      transientSteps: p.transient_steps,
      rRaw: src.r_raw,
      r: src.r,
      out: { o: tgt.o, u: tgt.u, target: tgt.target, alpha: tgt.alpha },
      uClipped: new Float64Array(dims),
      z: new Float64Array(dims),
      err: new Float64Array(dims),
      dense: isDense(proj),
    };
  },
  tickEnd(proj, st, step) {
    const ctl = st.control;
    if (ctl.theta === null) throw new SimulationError('invalid_state', 'delta_rule_readout: no stimulus angle bound; set readoutControl(proj).theta.');
    const theta = ctl.theta[0];
    const { rowPtr, target, weight } = proj;
    const { dims, rRaw, r, z, out, uClipped, gain } = st;
    const u = out.u;
    const classify = st.objective === 1;
    if (classify) z[0] = circularClassifier(theta);
    else {
      z[0] = Math.cos(theta);
      z[1] = Math.sin(theta);
    }
    u.fill(0);
    uClipped.fill(0);
    const n = proj.source.n;
    if (dims === 2 && st.dense) {
      // Row i holds D[0][i], D[1][i]: two running sums instead of the target array.
      let u0 = 0;
      let u1 = 0;
      let c0 = 0;
      let c1 = 0;
      for (let i = 0; i < n; i++) {
        const x = rRaw[i];
        const y = r[i];
        const w0 = weight[2 * i];
        const w1 = weight[2 * i + 1];
        u0 += w0 * x;
        u1 += w1 * x;
        c0 += w0 * y;
        c1 += w1 * y;
      }
      u[0] = u0;
      u[1] = u1;
      uClipped[0] = c0;
      uClipped[1] = c1;
    } else for (let i = 0; i < n; i++) {
      const x = rRaw[i];
      const y = r[i];
      const end = rowPtr[i + 1];
      for (let s = rowPtr[i]; s < end; s++) {
        u[target[s]] += weight[s] * x;
        uClipped[target[s]] += weight[s] * y;
      }
    }
    let alpha: number;
    let alphaPrime: number;
    const err = st.err;
    if (classify) {
      const o = logisticDecoder(u[0], gain);
      out.o[0] = o;
      alpha = logLikelihoodObjective(z[0], o);
      const oc = logisticDecoder(uClipped[0], gain);
      alphaPrime = logLikelihoodObjective(z[0], oc);
      err[0] = gain * (z[0] - oc);
    } else {
      let a = 0;
      let ac = 0;
      for (let k = 0; k < dims; k++) {
        out.o[k] = u[k];
        const d = z[k] - u[k];
        a += d * d;
        const dc = z[k] - uClipped[k];
        ac += dc * dc;
        err[k] = -(uClipped[k] - z[k]);
      }
      alpha = -a;
      alphaPrime = -ac;
    }
    for (let k = 0; k < dims; k++) {
      out.target[k] = z[k];
      out.alpha[k] = alpha;
    }
    if (!ctl.learning || step - ctl.trialStart <= st.transientSteps) return;
    const { lambda, scale } = st;
    if (dims === 2 && st.dense) {
      const e0 = err[0];
      const e1 = err[1];
      for (let i = 0; i < n; i++) {
        const y = r[i];
        const w0 = weight[2 * i];
        weight[2 * i] = w0 + scale * (e0 * y - lambda * w0);
        const w1 = weight[2 * i + 1];
        weight[2 * i + 1] = w1 + scale * (e1 * y - lambda * w1);
      }
    } else for (let i = 0; i < n; i++) {
      const y = r[i];
      const end = rowPtr[i + 1];
      for (let s = rowPtr[i]; s < end; s++) {
        const w = weight[s];
        weight[s] = w + scale * (err[target[s]] * y - lambda * w);
      }
    }
    if (ctl.broadcast === null) throw new SimulationError('invalid_state', 'delta_rule_readout: learning is on but nothing broadcasts the objective; set readoutControl(proj).broadcast.');
    ctl.broadcast(step, alphaPrime);
  },
});

registerSynapseModel(delta_rule_readout);
