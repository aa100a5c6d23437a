/**
 * stp_legacy: a per-tick synapse into a clock-driven target whose input is a presynaptic
 * trace scaled by short-term plasticity, as in the stochastic WTA networks of Klampfl &
 * Maass (2013). Each tick of the target at step t reads, for every synapse of source i,
 *
 *   Y_i(t) = e_i − e2_i                                        (E1, traces before step t)
 *
 * and adds w·Y_i(t) into the target's port (E2 is the target's sum over its synapses). After
 * the tick, with y_i = 1 for the sources that spiked at t and A_i = u_i·R_i (the values before
 * this step's STP update):
 *
 *   e_i  ← e_i  + y_i·A_i − e_i·dt/tau_decay                   (E5, Euler, old value decays)
 *   e2_i ← e2_i + y_i·A_i − e2_i·dt/tau_rise
 *   s_i  ← s_i  + y_i     − s_i·dt/tau_decay
 *
 * so a spike with A = 1 at t gives Y(t+1) = 0 and Y(t+1+k) = 0.95^k − 0.5^k (dt 1 ms, 20 and
 * 2 ms). Then, for every source that spiked, with Δ = isi_i, the time since its previous
 * spike minus one step ((t − t_prev − 1)·dt; t·dt for the first spike after a reset at step 0):
 *
 *   R ← 1 + (R − u·R − 1)·exp(−Δ/D)                             (E10, with the old u)
 *   u ← u + u·(1 − u)·exp(−Δ/F)       ('legacy': U is u, so u drifts towards 1)
 *   u ← U + u·(1 − U)·exp(−Δ/F)       ('fixedU', as NEST's tsodyks synapses)
 *
 * STP values live per source (every synapse of a source shares them, the default) or per
 * synapse (then e and e2 are per synapse too, since their increment A differs by synapse;
 * s stays per source). U, D and F are set per source or per synapse with
 * {@link setStpParams}; the synapse parameters U, D, F are the uniform initial values.
 *
 * The traces belong to the projection: two projections from one source keep identical copies.
 * A source spiking twice in one step (multiplicity) adds twice to the traces and updates STP
 * twice with the same Δ. With `stp` = 0 (or after {@link setStpActive}(proj, false)) u and R
 * are frozen and A = u·R stays what it was (U after a reset).
 *
 * This file also exports the trace and STP machinery that sem_stdp_vt builds on.
 */
import { defineSynapseModel, type SynapseModel } from '../engine/synapse.js';
import { registerSynapseModel } from '../engine/registry.js';
import { SimulationError } from '../engine/errors.js';
import type { ProjectionData } from '../engine/projection.js';
import type { ParamSpec } from '../engine/params.js';

/** Presynaptic traces and STP state of one projection. */
export interface TraceState {
  /** Number of source rows and of synapses. */
  readonly nSrc: number;
  readonly nSyn: number;
  /** 1 when STP (and hence e, e2) is kept per synapse, 0 per source. */
  readonly perSynapse: number;
  /** dt/tau_decay and dt/tau_rise. */
  readonly kDecay: number;
  readonly kRise: number;
  readonly dt: number;
  /** 0: 'legacy' (U is u), 1: 'fixedU'. */
  readonly variant: number;
  /** STP dynamics on (E10 runs) or frozen. */
  stpActive: boolean;
  /** E5 traces: e and e2 per source (or per synapse), s per source. */
  readonly e: Float64Array;
  readonly e2: Float64Array;
  readonly s: Float64Array;
  /** Y = e − e2 as read by the target's latest tick (per source, or per synapse). */
  readonly Y: Float64Array;
  /** STP state and parameters (per source, or per synapse); D and F in ms. */
  readonly u: Float64Array;
  readonly R: Float64Array;
  readonly U: Float64Array;
  readonly D: Float64Array;
  readonly F: Float64Array;
  /** Step of each source's latest spike; step − 1 of the latest reset before its first. */
  readonly tPrev: Float64Array;
  /** Spikes of each source in the step being processed (scratch, zero between steps). */
  readonly y: Float64Array;
  /** Source row of each synapse. */
  readonly synRow: Uint32Array;
  /**
   * The synapses of each target neuron, `inSyn[inPtr[k] .. inPtr[k+1])` in CSR order, with the
   * index into the traces of each (its source row, or the synapse itself).
   */
  readonly inPtr: Uint32Array;
  readonly inSyn: Uint32Array;
  readonly inY: Uint32Array;
  /**
   * Per target k: Ek = Σ_i w_ki·e_i and E2k = Σ_i w_ki·e2_i over its synapses, kept up to date
   * instead of summed afresh every tick (see {@link traceInput}). Whoever changes a weight by
   * Δ must add Δ·e_i and Δ·e2_i here ({@link weightChanged}).
   */
  readonly Ek: Float64Array;
  readonly E2k: Float64Array;
}

/** Parameters shared by stp_legacy and sem_stdp_vt. */
export const TRACE_PARAMS = {
  tau_decay: { default: 20, unit: 'ms', min: 0, exclusiveMin: true, doc: 'Decay time constant of the traces e and s.' },
  tau_rise: { default: 2, unit: 'ms', min: 0, exclusiveMin: true, doc: 'Time constant of the trace e2 (the rise of Y = e − e2).' },
  stp: { default: 1, unit: '1', min: 0, max: 1, integer: true, doc: '1: short-term plasticity updates u and R at each presynaptic spike; 0: they stay fixed.' },
  stp_variant: { default: 0, unit: '1', min: 0, max: 1, integer: true, doc: "0: 'legacy' (U is u and drifts towards 1); 1: 'fixedU' (NEST)." },
  stp_per_synapse: { default: 0, unit: '1', min: 0, max: 1, integer: true, doc: '0: one set of STP values per source; 1: per synapse.' },
  U: { default: 0.5, unit: '1', doc: 'Initial utilisation U (u starts at U); set per source or synapse with setStpParams().' },
  D: { default: 110, unit: 'ms', min: 0, exclusiveMin: true, doc: 'Depression (recovery) time constant.' },
  F: { default: 5, unit: 'ms', min: 0, exclusiveMin: true, doc: 'Facilitation time constant.' },
} satisfies Record<string, ParamSpec>;

/** Allocates the traces and STP state of a projection. */
export function createTraces(proj: ProjectionData, p: Readonly<Record<keyof typeof TRACE_PARAMS, number>>): TraceState {
  const nSrc = proj.source.n;
  const nSyn = proj.size;
  const perSynapse = p.stp_per_synapse;
  const nStp = perSynapse ? nSyn : nSrc;
  const synRow = new Uint32Array(nSyn);
  for (let r = 0; r < nSrc; r++) synRow.fill(r, proj.rowPtr[r], proj.rowPtr[r + 1]);
  const tPrev = new Float64Array(nSrc).fill(-1);
  const nT = proj.targetPopulation.n;
  const inPtr = new Uint32Array(nT + 1);
  for (let q = 0; q < nSyn; q++) inPtr[proj.target[q] + 1]++;
  for (let k = 0; k < nT; k++) inPtr[k + 1] += inPtr[k];
  const fill = inPtr.slice(0, nT);
  const inSyn = new Uint32Array(nSyn);
  const inY = new Uint32Array(nSyn);
  for (let q = 0; q < nSyn; q++) {
    const j = fill[proj.target[q]]++;
    inSyn[j] = q;
    inY[j] = perSynapse ? q : synRow[q];
  }
  return {
    nSrc,
    nSyn,
    perSynapse,
    kDecay: proj.dt / p.tau_decay,
    kRise: proj.dt / p.tau_rise,
    dt: proj.dt,
    variant: p.stp_variant,
    stpActive: p.stp === 1,
    e: new Float64Array(nStp),
    e2: new Float64Array(nStp),
    s: new Float64Array(nSrc),
    Y: new Float64Array(nStp),
    u: new Float64Array(nStp).fill(p.U),
    R: new Float64Array(nStp).fill(1),
    U: new Float64Array(nStp).fill(p.U),
    D: new Float64Array(nStp).fill(p.D),
    F: new Float64Array(nStp).fill(p.F),
    tPrev,
    y: new Float64Array(nSrc),
    synRow,
    inPtr,
    inSyn,
    inY,
    Ek: new Float64Array(nT),
    E2k: new Float64Array(nT),
  };
}

/**
 * E1 and E2 for one tick: stores Y = e − e2 (learning reads it) and adds each target's
 * Σ_i w_ki·Y_i = Ek − E2k into its port slot at `base`.
 *
 * Since e and e2 evolve linearly, the weighted sums follow the same equations as the traces
 * (decay every step, w·A at a presynaptic spike, Δw·e at a weight change), which costs work
 * per spike and per learnt synapse instead of a multiply-add per synapse and tick. The result
 * equals the direct sum up to rounding (the tests check ~1e-12 after long runs); the traces
 * decay, so rounding errors do not accumulate.
 */
export function traceInput(proj: ProjectionData, st: TraceState, base: number): void {
  const buf = proj.bufPos;
  const { e, e2, Y, Ek, E2k } = st;
  const nY = Y.length;
  for (let q = 0; q < nY; q++) Y[q] = e[q] - e2[q];
  const nT = Ek.length;
  for (let k = 0; k < nT; k++) buf[base + k] += Ek[k] - E2k[k];
}

/** Keeps the weighted trace sums of {@link TraceState.Ek} right after synapse `q` of the target-major list changed by `dw`. */
export function weightChanged(st: TraceState, k: number, q: number, dw: number): void {
  const i = st.inY[q];
  st.Ek[k] += dw * st.e[i];
  st.E2k[k] += dw * st.e2[i];
}

/** E5: the trace update after the tick, with the presynaptic spikes of the step. */
export function traceUpdate(proj: ProjectionData, st: TraceState): void {
  const pre = proj.tickPre;
  const nPre = proj.tickPreCount;
  const { e, e2, s, u, R, y, kDecay, kRise, nSrc, Ek, E2k } = st;
  for (let j = 0; j < nPre; j++) y[pre[j]] += 1;
  for (let r = 0; r < nSrc; r++) s[r] = s[r] + y[r] - s[r] * kDecay;
  // The weighted sums: decay, then w·A of each presynaptic spike (A before this step's STP).
  const nT = Ek.length;
  for (let k = 0; k < nT; k++) {
    Ek[k] = Ek[k] - Ek[k] * kDecay;
    E2k[k] = E2k[k] - E2k[k] * kRise;
  }
  const { rowPtr, target, weight } = proj;
  const perSynapse = st.perSynapse === 1;
  for (let j = 0; j < nPre; j++) {
    const r = pre[j];
    const end = rowPtr[r + 1];
    if (perSynapse) {
      for (let q = rowPtr[r]; q < end; q++) {
        const wa = weight[q] * (u[q] * R[q]);
        Ek[target[q]] += wa;
        E2k[target[q]] += wa;
      }
    } else {
      const a = u[r] * R[r];
      for (let q = rowPtr[r]; q < end; q++) {
        const wa = weight[q] * a;
        Ek[target[q]] += wa;
        E2k[target[q]] += wa;
      }
    }
  }
  if (perSynapse) {
    for (let r = 0; r < nSrc; r++) {
      const yr = y[r];
      const end = rowPtr[r + 1];
      for (let q = rowPtr[r]; q < end; q++) {
        const a = yr * u[q] * R[q];
        e[q] = e[q] + a - e[q] * kDecay;
        e2[q] = e2[q] + a - e2[q] * kRise;
      }
    }
  } else {
    for (let r = 0; r < nSrc; r++) {
      const a = y[r] * u[r] * R[r];
      e[r] = e[r] + a - e[r] * kDecay;
      e2[r] = e2[r] + a - e2[r] * kRise;
    }
  }
}

/** E10: STP at the presynaptic spikes of `step`; then those sources' intervals restart. */
export function stpUpdate(proj: ProjectionData, st: TraceState, step: number): void {
  const pre = proj.tickPre;
  const nPre = proj.tickPreCount;
  const { u, R, U, D, F, tPrev, y, dt } = st;
  if (st.stpActive) {
    const legacy = st.variant === 0;
    const rowPtr = proj.rowPtr;
    for (let j = 0; j < nPre; j++) {
      const r = pre[j];
      const delta = (step - tPrev[r] - 1) * dt;
      const first = st.perSynapse ? rowPtr[r] : r;
      const last = st.perSynapse ? rowPtr[r + 1] : r + 1;
      for (let q = first; q < last; q++) {
        const uq = u[q];
        R[q] = 1 + (R[q] - uq * R[q] - 1) * Math.exp(-delta / D[q]);
        u[q] = legacy ? uq + uq * (1 - uq) * Math.exp(-delta / F[q]) : U[q] + uq * (1 - U[q]) * Math.exp(-delta / F[q]);
      }
    }
  }
  for (let j = 0; j < nPre; j++) {
    tPrev[pre[j]] = step;
    y[pre[j]] = 0;
  }
}

/**
 * Starts the traces afresh before a run that begins at `step`: e, e2, s = 0, R = 1 and the
 * spike intervals restart (a source's first spike at step t then has Δ = (t − step)·dt);
 * u keeps its value (in 'legacy' it is also U).
 */
export function resetTraces(st: TraceState, step: number): void {
  st.e.fill(0);
  st.e2.fill(0);
  st.Ek.fill(0);
  st.E2k.fill(0);
  st.s.fill(0);
  st.Y.fill(0);
  st.R.fill(1);
  st.tPrev.fill(step - 1);
}

/** The interval Δ (ms) that a spike of source row `r` at `step` would use in E10. */
export function isiAt(st: TraceState, r: number, step: number): number {
  return (step - st.tPrev[r] - 1) * st.dt;
}

/** The trace state of a projection made with stp_legacy or sem_stdp_vt. */
export function traceStateOf(proj: ProjectionData): TraceState {
  const st = proj.state as { traces?: TraceState } | null;
  if (st === null || st.traces === undefined) {
    throw new SimulationError('invalid_value', `projection '${proj.source.name}' -> '${proj.targetPopulation.name}' uses '${proj.synapse.name}', which keeps no presynaptic traces; use stp_legacy or sem_stdp_vt.`);
  }
  return st.traces;
}

/**
 * Sets U, D and F (ms) of a projection, one value per source row (or per synapse with
 * `stp_per_synapse`), and starts u at U. Values are taken as given: U is not clipped (U > 1
 * is legal in the legacy model), D and F must be positive.
 */
export function setStpParams(proj: ProjectionData, values: { U: ArrayLike<number>; D: ArrayLike<number>; F: ArrayLike<number> }): void {
  const st = traceStateOf(proj);
  const n = st.u.length;
  const unit = st.perSynapse ? 'synapse' : 'source';
  for (const key of ['U', 'D', 'F'] as const) {
    const arr = values[key];
    if (arr.length !== n) throw new SimulationError('invalid_value', `setStpParams(): ${key} has ${arr.length} values; the projection needs one per ${unit} (${n}).`);
    for (let q = 0; q < n; q++) {
      const v = arr[q];
      if (!Number.isFinite(v) || (key !== 'U' && !(v > 0))) {
        throw new SimulationError('invalid_value', `setStpParams(): ${key}[${q}] = ${v}; ${key === 'U' ? 'U must be finite' : `${key} must be a positive number of ms`}.`);
      }
    }
  }
  st.U.set(values.U);
  st.u.set(values.U);
  st.D.set(values.D);
  st.F.set(values.F);
}

/** Turns the STP dynamics (E10) of a projection on or off; off freezes u and R. */
export function setStpActive(proj: ProjectionData, on: boolean): void {
  traceStateOf(proj).stpActive = on;
}

/** Every synapse's source row must be a spiking source that delivers its own spikes. */
export function checkTraceSource(proj: ProjectionData, model: string): void {
  const src = proj.source.model;
  if (src.output !== 'spike' || src.independentTargets) {
    throw new SimulationError(
      'invalid_connection',
      `${model} from '${proj.source.name}' (${src.name}): the source does not emit one spike train through its synapses, so there is no presynaptic trace to keep; put a parrot_neuron in between.`,
    );
  }
}

/** State of an stp_legacy projection. */
export interface StpLegacyState {
  traces: TraceState;
}

export const stp_legacy: SynapseModel = defineSynapseModel({
  name: 'stp_legacy',
  doc: 'Per-tick synapse into a clock-driven target: input w·(e − e2) from presynaptic traces with short-term plasticity (Klampfl & Maass 2013; legacy or fixed-U STP, per source or per synapse). Weights are fixed.',
  params: TRACE_PARAMS,
  init(proj, p): StpLegacyState {
    checkTraceSource(proj, 'stp_legacy');
    return { traces: createTraces(proj, p) };
  },
  tickInput(proj, st, _step, base) {
    traceInput(proj, st.traces, base);
  },
  tickEnd(proj, st, step) {
    traceUpdate(proj, st.traces);
    stpUpdate(proj, st.traces, step);
  },
});

registerSynapseModel(stp_legacy);
