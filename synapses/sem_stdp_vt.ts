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
 * recorders see it (learning also keeps a target-major copy, next to S and Q, so a spiking
 * neuron's synapses are read in sequence); weights change only through this rule.
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
  /**
   * Per synapse, in the target-major order of `traces.inSyn` (entry q is synapse inSyn[q]):
   * the weight (a copy of proj.weight, which learning keeps equal), its running mean S and
   * second moment Q. Learning walks a spiking neuron's synapses in this order, so it reads
   * them sequentially.
   */
  readonly wT: Float64Array;
  readonly S: Float64Array;
  readonly Q: Float64Array;
}

/** S and Q of every synapse in the projection's CSR order (copies). */
export function synapseMoments(proj: ProjectionData): { S: Float64Array; Q: Float64Array } {
  const st = semStateOf(proj);
  const inSyn = st.traces.inSyn;
  const S = new Float64Array(inSyn.length);
  const Q = new Float64Array(inSyn.length);
  for (let q = 0; q < inSyn.length; q++) {
    S[inSyn[q]] = st.S[q];
    Q[inSyn[q]] = st.Q[q];
  }
  return { S, Q };
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
  const { S, Q, wT } = st;
  const { Y, inPtr, inSyn, inY, e, e2, Ek, E2k } = st.traces;
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
      const i = inY[q];
      const y = Y[i];
      const w0 = wT[q];
      let w = w0;
      const ew = Math.exp(w);
      if (vt) {
        const Sv = S[q];
        const Qv = Q[q];
        const eta = (etaStar * (Qv - Sv * Sv)) / (Math.exp(-Sv) + 1);
        w = w + (eta * (y - ew)) / (ew > eta ? ew : eta);
        S[q] = Sv + eta * (w - Sv);
        Q[q] = Qv + eta * (w * w - Qv);
      } else {
        w = w + (fixedEta * (y - ew)) / (ew > fixedEta ? ew : fixedEta);
      }
      wT[q] = w;
      const s = inSyn[q];
      W[s] = w;
      // The traces already hold this step's spikes: keep Σ w·e and Σ w·e2 of neuron k right.
      const dw = w - w0;
      Ek[k] += dw * e[i];
      E2k[k] += dw * e2[i];
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
    const m = proj.size;
    const wT = new Float64Array(m);
    for (let q = 0; q < m; q++) wT[q] = proj.weight[traces.inSyn[q]];
    return {
      traces,
      eta: p.eta,
      varianceTracking: p.variance_tracking,
      learning: p.learning === 1,
      learningTicks: 0,
      wT,
      S: new Float64Array(m),
      Q: new Float64Array(m).fill(1),
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
