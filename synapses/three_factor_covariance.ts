/**
 * three_factor_covariance: the reward-gated Hebbian covariance rule of Bredenberg, Simoncelli
 * & Savin (2020), a per-tick synapse into a clock-driven rate population. Every synapse
 * post ← pre keeps a slow trace of the product of the two rates,
 *
 *   Ā ← (1 − ϑ)·Ā + ϑ·r_post·r_pre          (after each tick, with the clipped rates),
 *
 * and a global modulator on channel 'objective' carrying α′_j (the task objective of step j)
 * changes the weight by
 *
 *   Δw = α′·(r_post·r_pre − Ā) − λ·w,     w ← w + dt·anneal_const·η·Δw.
 *
 * Used for the recurrent weights W (pre = the network), the input weights C (pre = the input
 * layer) and the bias b (pre = a constant_rate source of 1). Each tick, the projection adds
 * w·r_pre into the target's port with the presynaptic rates of the previous step.
 *
 * The modulator of step j arrives in phase 1 of step j + 1, before the next tick, so it sees
 * the rates and traces of step j. While `learning` is on and the trial is past its transient,
 * the trace update of step j waits for that modulator and runs fused with the weight update
 * (one pass over the synapses); if the modulator does not come, the next tick reports it.
 */
import { defineSynapseModel, type SynapseModel } from '../engine/synapse.js';
import { registerSynapseModel } from '../engine/registry.js';
import { SimulationError } from '../engine/errors.js';
import type { ProjectionData } from '../engine/projection.js';

/** State of a three_factor_covariance projection. */
export interface ThreeFactorState {
  /** Per-synapse trace Ā, in CSR order. */
  readonly trace: Float64Array;
  /** Presynaptic and postsynaptic rates (the populations' state `r`). */
  readonly pre: Float64Array;
  readonly post: Float64Array;
  /** Trace rate ϑ, weight decay λ and the per-step factor dt·anneal_const·η. */
  readonly traceRate: number;
  readonly lambda: number;
  readonly scale: number;
  /** Steps from the trial start during which no modulator comes (plasticity from transient + 1). */
  readonly transientSteps: number;
  /** Kernel step of the trial's step 0 (traces start at step 1). */
  trialStart: number;
  /** Whether modulators are expected past the transient (training) or not (testing). */
  learning: boolean;
  /** Step whose trace update waits for its modulator, or −1. */
  pendingStep: number;
  /**
   * Whether the projection is all-to-all in generation order (row `pre` holds targets
   * 0 … nPost − 1 at pre·nPost + post), so the hot loops index without the target array.
   */
  readonly dense: boolean;
}

/** Whether synapse pre·nPost + post of a CSR projection connects pre → post for every pair. */
export function isDense(proj: ProjectionData): boolean {
  const nPost = proj.targetPopulation.n;
  if (proj.size !== proj.source.n * nPost) return false;
  for (let row = 0; row <= proj.source.n; row++) if (proj.rowPtr[row] !== row * nPost) return false;
  for (let s = 0; s < proj.size; s++) if (proj.target[s] !== s % nPost) return false;
  return true;
}

/** The state of a three_factor_covariance projection, with a clear error for other models. */
export function threeFactorState(proj: ProjectionData): ThreeFactorState {
  if (proj.synapse.name !== 'three_factor_covariance') {
    throw new SimulationError('invalid_value', `projection '${proj.source.name}' -> '${proj.targetPopulation.name}' uses '${proj.synapse.name}', not three_factor_covariance.`);
  }
  return proj.state as ThreeFactorState;
}

/** Starts a trial at kernel step `trialStart`: traces back to 0, learning on or off. */
export function beginThreeFactorTrial(proj: ProjectionData, trialStart: number, learning: boolean): void {
  const st = threeFactorState(proj);
  st.trace.fill(0);
  st.trialStart = trialStart;
  st.learning = learning;
  st.pendingStep = -1;
}

/**
 * The raw update of the rule for one weight matrix (row-major, `post` rows × `pre` columns):
 * out = α′·(post·preᵀ − trace) − λ·w.
 */
export function threeFactorDelta(
  alpha: number,
  post: ArrayLike<number>,
  pre: ArrayLike<number>,
  trace: ArrayLike<number>,
  w: ArrayLike<number>,
  lambda: number,
  out: Float64Array = new Float64Array(post.length * pre.length),
): Float64Array {
  const m = pre.length;
  for (let i = 0; i < post.length; i++) {
    for (let k = 0; k < m; k++) out[i * m + k] = alpha * (post[i] * pre[k] - trace[i * m + k]) - lambda * w[i * m + k];
  }
  return out;
}

function updateTraces(proj: ProjectionData, st: ThreeFactorState): void {
  const { rowPtr, target } = proj;
  const { trace, pre, post, traceRate } = st;
  const keep = 1 - traceRate;
  const nPre = proj.source.n;
  for (let row = 0; row < nPre; row++) {
    const x = pre[row];
    const end = rowPtr[row + 1];
    for (let s = rowPtr[row]; s < end; s++) trace[s] = keep * trace[s] + traceRate * (post[target[s]] * x);
  }
}

export const three_factor_covariance: SynapseModel = defineSynapseModel({
  name: 'three_factor_covariance',
  doc: 'Reward-gated Hebbian covariance rule (Bredenberg et al. 2020): per-tick rate synapse; the modulator on channel "objective" scales the deviation of r_post·r_pre from its slow trace.',
  params: {
    trace_rate: { default: 0.0015, unit: '1', min: 0, max: 1, doc: 'Trace rate ϑ per step.' },
    learning_rate: { default: 5e-6, unit: '1', min: 0, doc: 'Learning rate η.' },
    anneal_const: { default: 100, unit: '1', min: 0, doc: 'Constant learning-rate multiplier.' },
    dt_model: { default: 0.01, unit: 'model time', min: 0, doc: 'Step in model time units (the update is dt·anneal_const·η·Δw).' },
    weight_l2: { default: 8e-4, unit: '1', min: 0, doc: 'Weight decay λ.' },
    transient_steps: { default: 4000, unit: 'steps', min: 0, integer: true, doc: 'Steps of each trial before plasticity (it applies from step transient_steps + 1).' },
  },
  plastic: true,
  channels: ['objective'],
  init(proj, p): ThreeFactorState {
    const pre = proj.source.s.r;
    const post = proj.targetPopulation.s.r;
    if (pre === undefined || post === undefined) {
      throw new SimulationError('invalid_connection', `three_factor_covariance connects rate populations (state 'r'); '${proj.source.name}' or '${proj.targetPopulation.name}' has none.`);
    }
    return {
      trace: new Float64Array(proj.size),
      pre,
      post,
      traceRate: p.trace_rate,
      lambda: p.weight_l2,
      scale: p.dt_model * p.anneal_const * p.learning_rate,
      transientSteps: p.transient_steps,
      trialStart: 0,
      learning: false,
      pendingStep: -1,
      dense: isDense(proj),
    };
  },
  tickInput(proj, st, _step, base) {
    const { rowPtr, target, weight, bufPos } = proj;
    const pre = st.pre;
    const nPre = proj.source.n;
    if (st.dense) {
      const nPost = proj.nTarget;
      for (let row = 0; row < nPre; row++) {
        const x = pre[row];
        const o = row * nPost;
        for (let i = 0; i < nPost; i++) bufPos[base + i] += weight[o + i] * x;
      }
      return;
    }
    for (let row = 0; row < nPre; row++) {
      const x = pre[row];
      const end = rowPtr[row + 1];
      for (let s = rowPtr[row]; s < end; s++) bufPos[base + target[s]] += weight[s] * x;
    }
  },
  tickEnd(proj, st, step) {
    if (st.pendingStep >= 0) {
      throw new SimulationError(
        'invalid_state',
        `three_factor_covariance ('${proj.source.name}' -> '${proj.targetPopulation.name}'): no 'objective' modulator arrived for step ${st.pendingStep}; while learning, a readout must broadcast one after every step past the transient.`,
      );
    }
    const j = step - st.trialStart;
    if (j < 1 || !st.learning) return;
    if (j > st.transientSteps) {
      st.pendingStep = step;
      return;
    }
    updateTraces(proj, st);
  },
  modulate(proj, st, _step, _channel, alpha) {
    const { rowPtr, target, weight } = proj;
    const { trace, pre, post, traceRate, lambda, scale } = st;
    const keep = 1 - traceRate;
    const fused = st.pendingStep >= 0;
    st.pendingStep = -1;
    const nPre = proj.source.n;
    if (st.dense && fused) {
      const nPost = proj.nTarget;
      for (let row = 0; row < nPre; row++) {
        const x = pre[row];
        const o = row * nPost;
        for (let i = 0; i < nPost; i++) {
          const e = post[i] * x;
          const a = keep * trace[o + i] + traceRate * e;
          trace[o + i] = a;
          const w = weight[o + i];
          weight[o + i] = w + scale * (alpha * (e - a) - lambda * w);
        }
      }
      return;
    }
    for (let row = 0; row < nPre; row++) {
      const x = pre[row];
      const end = rowPtr[row + 1];
      for (let s = rowPtr[row]; s < end; s++) {
        const e = post[target[s]] * x;
        const a = fused ? keep * trace[s] + traceRate * e : trace[s];
        trace[s] = a;
        const w = weight[s];
        weight[s] = w + scale * (alpha * (e - a) - lambda * w);
      }
    }
  },
});

registerSynapseModel(three_factor_covariance);
