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
 * On a dense projection that pass also adds step j + 1's input w·r_pre with the new weights
 * (the rates are still those of step j), so the tick's own input pass is skipped. The target's
 * inputs are then summed in modulator order instead of tick order; the two agree when every
 * per-tick input of the target is dense (as in the normative-plasticity network), otherwise
 * they can differ in the last bit.
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
  /** Step whose input the fused modulator pass has already added, or −1. */
  inputStep: number;
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
  st.inputStep = -1;
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

/**
 * buf[base + i] += Σ_row w[row·nPost + i]·pre[row] for a dense projection, four rows per pass
 * over the targets. Each target's sum is accumulated in row order, as a row-by-row loop would,
 * so the result is bit-identical to it; the blocking only saves loads and stores of buf.
 */
function addDenseInput(w: Float64Array, pre: Float64Array, buf: Float64Array, base: number, nPre: number, nPost: number): void {
  let row = 0;
  for (; row + 4 <= nPre; row += 4) {
    const x0 = pre[row];
    const x1 = pre[row + 1];
    const x2 = pre[row + 2];
    const x3 = pre[row + 3];
    const o0 = row * nPost;
    const o1 = o0 + nPost;
    const o2 = o1 + nPost;
    const o3 = o2 + nPost;
    for (let i = 0; i < nPost; i++) {
      let acc = buf[base + i];
      acc += w[o0 + i] * x0;
      acc += w[o1 + i] * x1;
      acc += w[o2 + i] * x2;
      acc += w[o3 + i] * x3;
      buf[base + i] = acc;
    }
  }
  for (; row < nPre; row++) {
    const x = pre[row];
    const o = row * nPost;
    for (let i = 0; i < nPost; i++) buf[base + i] += w[o + i] * x;
  }
}

/**
 * One pass over a dense projection: the trace update of the pending step, the weight update
 * with objective α and the next step's input with the new weights (added to buf as
 * {@link addDenseInput} would, bit for bit). Four presynaptic rows per pass over the targets.
 */
function fusedDenseUpdate(st: ThreeFactorState, w: Float64Array, buf: Float64Array, base: number, nPre: number, nPost: number, alpha: number): void {
  const { trace, pre, post, traceRate, lambda, scale } = st;
  const keep = 1 - traceRate;
  let row = 0;
  for (; row + 4 <= nPre; row += 4) {
    const x0 = pre[row];
    const x1 = pre[row + 1];
    const x2 = pre[row + 2];
    const x3 = pre[row + 3];
    const o0 = row * nPost;
    const o1 = o0 + nPost;
    const o2 = o1 + nPost;
    const o3 = o2 + nPost;
    for (let i = 0; i < nPost; i++) {
      const y = post[i];
      let acc = buf[base + i];
      const e0 = y * x0;
      const a0 = keep * trace[o0 + i] + traceRate * e0;
      trace[o0 + i] = a0;
      const v0 = w[o0 + i];
      const n0 = v0 + scale * (alpha * (e0 - a0) - lambda * v0);
      w[o0 + i] = n0;
      acc += n0 * x0;
      const e1 = y * x1;
      const a1 = keep * trace[o1 + i] + traceRate * e1;
      trace[o1 + i] = a1;
      const v1 = w[o1 + i];
      const n1 = v1 + scale * (alpha * (e1 - a1) - lambda * v1);
      w[o1 + i] = n1;
      acc += n1 * x1;
      const e2 = y * x2;
      const a2 = keep * trace[o2 + i] + traceRate * e2;
      trace[o2 + i] = a2;
      const v2 = w[o2 + i];
      const n2 = v2 + scale * (alpha * (e2 - a2) - lambda * v2);
      w[o2 + i] = n2;
      acc += n2 * x2;
      const e3 = y * x3;
      const a3 = keep * trace[o3 + i] + traceRate * e3;
      trace[o3 + i] = a3;
      const v3 = w[o3 + i];
      const n3 = v3 + scale * (alpha * (e3 - a3) - lambda * v3);
      w[o3 + i] = n3;
      acc += n3 * x3;
      buf[base + i] = acc;
    }
  }
  for (; row < nPre; row++) {
    const x = pre[row];
    const o = row * nPost;
    for (let i = 0; i < nPost; i++) {
      const e = post[i] * x;
      const a = keep * trace[o + i] + traceRate * e;
      trace[o + i] = a;
      const v = w[o + i];
      const n = v + scale * (alpha * (e - a) - lambda * v);
      w[o + i] = n;
      buf[base + i] += n * x;
    }
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
      inputStep: -1,
      dense: isDense(proj),
    };
  },
  tickInput(proj, st, step, base) {
    // A modulator delivered earlier in this step already added this step's input (fused).
    if (st.inputStep === step) return;
    const { rowPtr, target, weight, bufPos } = proj;
    const pre = st.pre;
    const nPre = proj.source.n;
    if (st.dense) {
      addDenseInput(weight, pre, bufPos, base, nPre, proj.nTarget);
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
  modulate(proj, st, step, _channel, alpha) {
    const { rowPtr, target, weight } = proj;
    const { trace, pre, post, traceRate, lambda, scale } = st;
    const keep = 1 - traceRate;
    const fused = st.pendingStep >= 0;
    st.pendingStep = -1;
    const nPre = proj.source.n;
    if (st.dense && fused) {
      // The modulator of step j comes at step j + 1 = `step`, whose input reads the rates of
      // step j (those `pre` still holds) and the weights updated here: add it in the same pass.
      const base = (step % proj.ringLength) * proj.nTarget;
      fusedDenseUpdate(st, weight, proj.bufPos, base, nPre, proj.nTarget, alpha);
      st.inputStep = step;
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
