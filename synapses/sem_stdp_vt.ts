/**
 * sem_stdp_vt: the SEM/STDP rule with variance tracking of Klampfl & Maass (2013), a per-tick
 * synapse into a clock-driven target (wta_softmax). Its input and presynaptic traces are those
 * of stp_legacy (E1, E2, E5, E10; see synapses/stp_legacy.ts). While learning is on, after
 * each tick at step t and for every synapse k ← i of a target neuron k that spiked at t:
 *
 *   η_ki = η*·(Q_ki − S_ki²)/(exp(−S_ki) + 1)          with variance tracking (E6)
 *   η_ki = η* / n                                        without; n = learning ticks so far, from 1
 *   w_ki ← w_ki + η_ki·(Y_i(t) − e^{w_ki}) / max(e^{w_ki}, η_ki)          (E7)
 *   S_ki ← S_ki + η_ki·(w_ki − S_ki),  Q_ki ← Q_ki + η_ki·(w_ki² − Q_ki)   (E8, VT only, new w)
 *
 * Y is the value the tick read (E1), and η, w, S, Q are those before the step, so the fixed
 * point is e^w = E[Y | post spike]; weights are unbounded. With w = S = 0 and Q = 1, η = 0.025.
 *
 * Update order after the tick at step t (the original's): traces (E5), learning (E6–E8), STP
 * (E10). The weight is the projection's own weight array, so getConnections() and weight
 * recorders see it; S and Q are per synapse in the state.
 */
import { defineSynapseModel, type SynapseModel } from '../engine/synapse.js';
import { registerSynapseModel } from '../engine/registry.js';
import { SimulationError } from '../engine/errors.js';
import type { ProjectionData } from '../engine/projection.js';
import { TRACE_PARAMS, checkTraceSource, createTraces, stpUpdate, traceInput, traceUpdate, type TraceState } from './stp_legacy.js';

/** State of a sem_stdp_vt projection. */
export interface SemStdpState {
  traces: TraceState;
  /** η*. */
  eta: number;
  /** 1 with variance tracking. */
  varianceTracking: number;
  /** Whether the rule runs after each tick (training) or not (testing). */
  learning: boolean;
  /** Ticks with learning on so far (the n of η* / n without variance tracking); never reset. */
  learningTicks: number;
  /** Per synapse: running mean and second moment of the weight. */
  readonly S: Float64Array;
  readonly Q: Float64Array;
  /** The synapses of each target neuron: `inSyn[inPtr[k] .. inPtr[k+1])`, in CSR order. */
  readonly inPtr: Uint32Array;
  readonly inSyn: Uint32Array;
  /** Index into the traces' Y of each entry of inSyn (the source row, or the synapse itself). */
  readonly inY: Uint32Array;
}

/** The state of a sem_stdp_vt projection, with a clear error for other models. */
export function semStateOf(proj: ProjectionData): SemStdpState {
  if (proj.synapse.name !== 'sem_stdp_vt') {
    throw new SimulationError('invalid_value', `projection '${proj.source.name}' -> '${proj.targetPopulation.name}' uses '${proj.synapse.name}', not sem_stdp_vt.`);
  }
  return proj.state as SemStdpState;
}

/** Turns learning (E6–E8) of a sem_stdp_vt projection on (training) or off (testing). */
export function setLearning(proj: ProjectionData, on: boolean): void {
  semStateOf(proj).learning = on;
}

/** E6–E8 for the synapses of the target neurons that spiked. */
function learn(proj: ProjectionData, st: SemStdpState, step: number, post: Uint32Array, nPost: number): void {
  const W = proj.weight;
  const { S, Q, inPtr, inSyn, inY } = st;
  const Y = st.traces.Y;
  const etaStar = st.eta;
  const vt = st.varianceTracking === 1;
  const fixedEta = etaStar / st.learningTicks;
  const sinks = proj.weightSinks;
  const notify = sinks.length !== 0;
  const tMs = step * proj.dt;
  for (let j = 0; j < nPost; j++) {
    const k = post[j];
    const end = inPtr[k + 1];
    for (let q = inPtr[k]; q < end; q++) {
      const s = inSyn[q];
      const y = Y[inY[q]];
      let w = W[s];
      const ew = Math.exp(w);
      if (vt) {
        const Sv = S[s];
        const Qv = Q[s];
        const eta = (etaStar * (Qv - Sv * Sv)) / (Math.exp(-Sv) + 1);
        w = w + (eta * (y - ew)) / (ew > eta ? ew : eta);
        S[s] = Sv + eta * (w - Sv);
        Q[s] = Qv + eta * (w * w - Qv);
      } else {
        w = w + (fixedEta * (y - ew)) / (ew > fixedEta ? ew : fixedEta);
      }
      W[s] = w;
      if (notify) for (let m = 0; m < sinks.length; m++) sinks[m].onWeight(proj, s, st.traces.synRow[s], tMs, w);
    }
  }
}

export const sem_stdp_vt: SynapseModel = defineSynapseModel({
  name: 'sem_stdp_vt',
  doc: 'SEM/STDP with variance tracking (Klampfl & Maass 2013): per-tick synapse into wta_softmax with presynaptic traces and short-term plasticity as stp_legacy; learns at postsynaptic spikes.',
  params: {
    ...TRACE_PARAMS,
    eta: { default: 0.05, unit: '1', min: 0, doc: 'Learning rate η*.' },
    variance_tracking: { default: 1, unit: '1', min: 0, max: 1, integer: true, doc: '1: per-synapse adaptive learning rate (E6); 0: η* / n.' },
    learning: { default: 1, unit: '1', min: 0, max: 1, integer: true, doc: 'Initial learning switch (training 1, testing 0); see setLearning().' },
  },
  plastic: true,
  init(proj, p): SemStdpState {
    checkTraceSource(proj, 'sem_stdp_vt');
    const traces = createTraces(proj, p);
    const nT = proj.targetPopulation.n;
    const m = proj.size;
    const inPtr = new Uint32Array(nT + 1);
    for (let s = 0; s < m; s++) inPtr[proj.target[s] + 1]++;
    for (let k = 0; k < nT; k++) inPtr[k + 1] += inPtr[k];
    const fill = inPtr.slice(0, nT);
    const inSyn = new Uint32Array(m);
    const inY = new Uint32Array(m);
    for (let s = 0; s < m; s++) {
      const q = fill[proj.target[s]]++;
      inSyn[q] = s;
      inY[q] = p.stp_per_synapse ? s : traces.synRow[s];
    }
    return {
      traces,
      eta: p.eta,
      varianceTracking: p.variance_tracking,
      learning: p.learning === 1,
      learningTicks: 0,
      S: new Float64Array(m),
      Q: new Float64Array(m).fill(1),
      inPtr,
      inSyn,
      inY,
    };
  },
  tickInput(proj, st, _step, base) {
    traceInput(proj, st.traces, base);
  },
  tickEnd(proj, st, step, post, nPost) {
    traceUpdate(proj, st.traces);
    if (st.learning) {
      st.learningTicks++;
      if (nPost > 0) learn(proj, st, step, post, nPost);
    }
    stpUpdate(proj, st.traces, step);
  },
});

registerSynapseModel(sem_stdp_vt);
