/**
 * striatal_stdp: the reward-modulated, gated STDP of Perez et al. (Cell Reports 2022), a
 * per-tick synapse into a clock-driven target (msn_lif). Per presynaptic neuron a trace x,
 * per target a trace y, and one-step spike registers s (pre) and s_post. At the tick of step n,
 * with right-hand sides from the end of step n − 1:
 *
 *   J(n)  += w(n−1)·s(n−1)                                   (input, before learning)
 *   w(n)   = clip(w + g·ε·[A_prepost·s_post·x + A_postpre·y·s + m·s], w_min, w_max)
 *   x(n)   = x·e^{−dt/τ₊} + s,   y(n) = y·e^{−dt/τ₋} + s_post
 *
 * All terms are summed and clipped once. m is the level of the modulator channel `reward`
 * in force at step n (a modulator event at step n applies to step n's update); g is the
 * plasticity gate (setStriatalGate). Pre and post in the same step do not pair. Discrete
 * kernel: pre at k, post at k+j gives ε·A_prepost·e^{−(j−1)dt/τ₊}; post then pre
 * ε·A_postpre·e^{−(j−1)dt/τ₋}. Connect from non-clock sources with `sameStep: true` (the
 * registers hold the spikes stamped at the tick's step).
 */
import { defineSynapseModel, type SynapseModel } from '../engine/synapse.js';
import { registerSynapseModel } from '../engine/registry.js';
import { SimulationError } from '../engine/errors.js';
import type { ProjectionData } from '../engine/projection.js';

/** State of a striatal_stdp projection. */
export interface StriatalStdpState {
  /** Presynaptic traces and registers, per source row. */
  readonly x: Float64Array;
  readonly sPre: Uint8Array;
  /** Postsynaptic traces and registers, per target neuron. */
  readonly y: Float64Array;
  readonly sPost: Uint8Array;
  readonly dPlus: number;
  readonly dMinus: number;
  /** Reward-modulator level m. */
  m: number;
  /** Plasticity gate g. */
  g: number;
}

function stateOf(proj: ProjectionData): StriatalStdpState {
  if (proj.synapse.name !== 'striatal_stdp') {
    throw new SimulationError('invalid_value', `projection '${proj.source.name}' -> '${proj.targetPopulation.name}' uses '${proj.synapse.name}', not striatal_stdp.`);
  }
  return proj.state as StriatalStdpState;
}

/** Sets the plasticity gate g of a striatal_stdp projection (0 freezes the weights). */
export function setStriatalGate(proj: ProjectionData, g: number): void {
  stateOf(proj).g = g;
}

/** The traces and registers of a striatal_stdp projection (live arrays). */
export function striatalState(proj: ProjectionData): StriatalStdpState {
  return stateOf(proj);
}

export const striatal_stdp: SynapseModel = defineSynapseModel({
  name: 'striatal_stdp',
  doc: 'Reward-modulated gated STDP of Perez et al. 2022 (striatal MSN): one-step pre/post registers, exponential traces, reward LTP m·s from the `reward` modulator channel, one clip per step; per-tick synapse into msn_lif.',
  params: {
    epsilon: { default: 0.02, unit: '1', min: 0, doc: 'Learning rate ε.' },
    Aprepost: { default: -1, unit: '1', doc: 'Amplitude for pre before post (Δt > 0).' },
    Apostpre: { default: -1, unit: '1', doc: 'Amplitude for post before pre (Δt < 0).' },
    tauPlus: { default: 20, unit: 'ms', min: 0, exclusiveMin: true, doc: 'Presynaptic trace time constant τ₊.' },
    tauMinus: { default: 20, unit: 'ms', min: 0, exclusiveMin: true, doc: 'Postsynaptic trace time constant τ₋.' },
    wMin: { default: 0, unit: '1', doc: 'Lower weight bound.' },
    wMax: { default: 2, unit: '1', doc: 'Upper weight bound.' },
    gate: { default: 1, unit: '1', min: 0, doc: 'Initial plasticity gate g (see setStriatalGate).' },
  },
  plastic: true,
  channels: ['reward'],
  check(p) {
    return p.wMin > p.wMax ? `wMin (${p.wMin}) must not exceed wMax (${p.wMax}).` : undefined;
  },
  init(proj, p): StriatalStdpState {
    return {
      x: new Float64Array(proj.source.n),
      sPre: new Uint8Array(proj.source.n),
      y: new Float64Array(proj.targetPopulation.n),
      sPost: new Uint8Array(proj.targetPopulation.n),
      dPlus: Math.exp(-proj.dt / p.tauPlus),
      dMinus: Math.exp(-proj.dt / p.tauMinus),
      m: 0,
      g: p.gate,
    };
  },
  modulate(_proj, st, _step, _channel, value) {
    st.m = value;
  },
  tickInput(proj, st, step, base) {
    const { rowPtr, target, weight, bufPos } = proj;
    const { x, sPre, y, sPost, dPlus, dMinus, m } = st;
    const nRows = sPre.length;
    // Input of the registers with the weights of step n − 1.
    for (let r = 0; r < nRows; r++) {
      if (sPre[r] === 0) continue;
      for (let s = rowPtr[r]; s < rowPtr[r + 1]; s++) bufPos[base + target[s]] += weight[s];
    }
    const gEps = st.g * proj.params.epsilon;
    if (gEps !== 0) {
      const App = proj.params.Aprepost;
      const Apo = proj.params.Apostpre;
      const wMin = proj.params.wMin;
      const wMax = proj.params.wMax;
      const sinks = proj.weightSinks;
      const tMs = step * proj.dt;
      for (let r = 0; r < nRows; r++) {
        const si = sPre[r];
        for (let s = rowPtr[r]; s < rowPtr[r + 1]; s++) {
          const t = target[s];
          const sp = sPost[t];
          if (si === 0 && sp === 0) continue;
          let wn = weight[s] + gEps * (App * sp * x[r] + Apo * y[t] * si + m * si);
          if (wn < wMin) wn = wMin;
          else if (wn > wMax) wn = wMax;
          weight[s] = wn;
          for (let q = 0; q < sinks.length; q++) sinks[q].onWeight(proj, s, r, tMs, wn);
        }
      }
    }
    for (let r = 0; r < nRows; r++) x[r] = x[r] * dPlus + sPre[r];
    for (let t = 0; t < y.length; t++) y[t] = y[t] * dMinus + sPost[t];
  },
  tickEnd(proj, st, _step, post, nPost) {
    // Registers of this step; same-step spikes of one source merge.
    st.sPre.fill(0);
    const pre = proj.tickPre;
    for (let j = 0; j < proj.tickPreCount; j++) st.sPre[pre[j]] = 1;
    st.sPost.fill(0);
    for (let j = 0; j < nPost; j++) st.sPost[post[j]] = 1;
  },
});

registerSynapseModel(striatal_stdp);
