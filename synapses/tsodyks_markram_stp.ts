/**
 * tsodyks_markram_stp: Tsodyks–Markram short-term plasticity with one resource fraction x and
 * one utilisation u per presynaptic source, in the three forms the simulator needs.
 *
 * - Rate mode ({@link TsodyksMarkramStp.rateStep}, Masse et al. 2019, the STSP RNN): with the
 *   presynaptic rate h (1/s) over a step of Δ = dt/1000 s, from the old x, u,
 *     x̃ = x + d·(dt/τ_x·(1 − x) − Δ·u·x·h),   ũ = u + d·(dt/τ_u·(U − u) + Δ·U·(1 − u)·h),
 *   then x' = clamp(x̃, 0, 1), u' = clamp(ũ, 0, 1), efficacy u'·x' (d = 0: static source).
 * - Spike mode ({@link TsodyksMarkramStp.spikeStep}): the same Euler step with a spike count s
 *   instead of a rate, x ← x + dt/τ_x·(1 − x) − u·x·s, u ← u + dt/τ_u·(U − u) + U·(1 − u)·s.
 * - Event mode (the registered synapse model): between spikes x and u relax exactly,
 *   x → 1 with τ_x and u → U with τ_u; at a spike x ← x − u·x, u ← u + U·(1 − u) (both from
 *   the pre-spike values) and the spike delivers weight · u·x with the post-jump values.
 *
 * Each lane (a trial of a batch; 1 for a single network) keeps its own x and u per source.
 */
import { defineSynapseModel, type SynapseModel } from '../engine/synapse.js';
import { registerSynapseModel } from '../engine/registry.js';
import { SimulationError } from '../engine/errors.js';
import type { ProjectionData } from '../engine/projection.js';

/** Per-source STP parameters: utilisation U, time constants (ms) and whether the source is dynamic. */
export interface StpSourceParams {
  U: ArrayLike<number>;
  tauX: ArrayLike<number>;
  tauU: ArrayLike<number>;
  /** 1 (or true) for dynamic sources; static ones keep x = 1 and u = U. */
  dynamic: ArrayLike<number | boolean>;
}

/** x and u per (lane, source), lane-major, in float64; rate and spike modes on whole lanes. */
export class TsodyksMarkramStp {
  readonly nSources: number;
  readonly nLanes: number;
  readonly U: Float64Array;
  readonly tauX: Float64Array;
  readonly tauU: Float64Array;
  readonly dynamic: Uint8Array;
  /** Resource fraction, index lane·nSources + source. */
  readonly x: Float64Array;
  /** Utilisation, same layout. */
  readonly u: Float64Array;

  constructor(params: StpSourceParams, nLanes = 1) {
    const n = params.U.length;
    for (const key of ['tauX', 'tauU', 'dynamic'] as const) {
      if (params[key].length !== n) throw new SimulationError('invalid_value', `TsodyksMarkramStp: ${key} has ${params[key].length} values but U has ${n}; give one per source.`);
    }
    if (!Number.isInteger(nLanes) || nLanes < 1) throw new SimulationError('invalid_value', `TsodyksMarkramStp: nLanes must be a whole number >= 1, got ${nLanes}.`);
    this.nSources = n;
    this.nLanes = nLanes;
    this.U = Float64Array.from(params.U);
    this.tauX = Float64Array.from(params.tauX);
    this.tauU = Float64Array.from(params.tauU);
    this.dynamic = Uint8Array.from(params.dynamic, (v) => (v ? 1 : 0));
    for (let i = 0; i < n; i++) {
      if (!(this.U[i] >= 0 && this.U[i] <= 1)) throw new SimulationError('invalid_value', `TsodyksMarkramStp: U[${i}] = ${this.U[i]}; U must lie in [0, 1].`);
      if (!(this.tauX[i] > 0) || !(this.tauU[i] > 0)) throw new SimulationError('invalid_value', `TsodyksMarkramStp: source ${i} has tauX = ${this.tauX[i]}, tauU = ${this.tauU[i]}; time constants must be positive (ms).`);
    }
    this.x = new Float64Array(n * nLanes);
    this.u = new Float64Array(n * nLanes);
    this.reset();
  }

  /** x = 1 and u = U in every lane. */
  reset(): void {
    const n = this.nSources;
    this.x.fill(1);
    for (let l = 0; l < this.nLanes; l++) this.u.set(this.U, l * n);
  }

  /** Efficacy u·x of a source in a lane. */
  efficacy(lane: number, source: number): number {
    const q = lane * this.nSources + source;
    return this.u[q] * this.x[q];
  }

  /**
   * One rate-driven step of `dtMs` for lane `lane`: `rateHz[i]` is the rate of source i (1/s)
   * during the step. Dynamic sources only; the result is clamped to [0, 1].
   */
  rateStep(dtMs: number, rateHz: ArrayLike<number>, lane = 0): void {
    const { nSources: n, x, u, U, tauX, tauU, dynamic } = this;
    const delta = dtMs / 1000;
    const o = lane * n;
    for (let i = 0; i < n; i++) {
      if (dynamic[i] === 0) continue;
      const q = o + i;
      const xo = x[q];
      const uo = u[q];
      const h = rateHz[i];
      const xt = xo + ((dtMs / tauX[i]) * (1 - xo) - delta * uo * xo * h);
      const ut = uo + ((dtMs / tauU[i]) * (U[i] - uo) + delta * U[i] * (1 - uo) * h);
      x[q] = xt < 0 ? 0 : xt > 1 ? 1 : xt;
      u[q] = ut < 0 ? 0 : ut > 1 ? 1 : ut;
    }
  }

  /**
   * One spike-driven Euler step of `dtMs` for lane `lane`: `spikes[i]` is the number of spikes
   * of source i in the step. Updates read the old x, u; the result is clamped to [0, 1].
   */
  spikeStep(dtMs: number, spikes: ArrayLike<number>, lane = 0): void {
    const { nSources: n, x, u, U, tauX, tauU, dynamic } = this;
    const o = lane * n;
    for (let i = 0; i < n; i++) {
      if (dynamic[i] === 0) continue;
      const q = o + i;
      const xo = x[q];
      const uo = u[q];
      const s = spikes[i];
      const xt = xo + (dtMs / tauX[i]) * (1 - xo) - uo * xo * s;
      const ut = uo + (dtMs / tauU[i]) * (U[i] - uo) + U[i] * (1 - uo) * s;
      x[q] = xt < 0 ? 0 : xt > 1 ? 1 : xt;
      u[q] = ut < 0 ? 0 : ut > 1 ? 1 : ut;
    }
  }

  /**
   * Event mode: relaxes source i of lane `lane` exactly over `elapsedMs` since its last
   * update, applies the jump of one spike and returns the post-jump efficacy u·x.
   */
  spikeEvent(source: number, elapsedMs: number, lane = 0): number {
    const q = lane * this.nSources + source;
    if (this.dynamic[source] === 0) return this.u[q] * this.x[q];
    const U = this.U[source];
    const ex = Math.exp(-elapsedMs / this.tauX[source]);
    const eu = Math.exp(-elapsedMs / this.tauU[source]);
    const xr = 1 + (this.x[q] - 1) * ex;
    const ur = U + (this.u[q] - U) * eu;
    const xn = xr - ur * xr;
    const un = ur + U * (1 - ur);
    this.x[q] = xn;
    this.u[q] = un;
    return un * xn;
  }
}

/** State of a tsodyks_markram_stp projection: one STP pair per source row, and its last spike time. */
export interface TsodyksMarkramState {
  stp: TsodyksMarkramStp;
  lastSpikeMs: Float64Array;
  /** The weights of the row being delivered, kept while they are scaled by the efficacy. */
  savedRow: Float64Array;
}

/** The event-mode STP state of a projection made with tsodyks_markram_stp. */
export function tsodyksMarkramStateOf(proj: ProjectionData): TsodyksMarkramState {
  const st = proj.state as Partial<TsodyksMarkramState> | null;
  if (st === null || st.stp === undefined) {
    throw new SimulationError('invalid_value', `projection '${proj.source.name}' -> '${proj.targetPopulation.name}' uses '${proj.synapse.name}', not tsodyks_markram_stp.`);
  }
  return st as TsodyksMarkramState;
}

export const tsodyks_markram_stp: SynapseModel = defineSynapseModel({
  name: 'tsodyks_markram_stp',
  doc: 'Tsodyks-Markram short-term plasticity per source (Masse et al. 2019 form): exact relaxation of x to 1 (tau_x) and u to U (tau_u) between spikes; at a spike x -= u x, u += U (1 - u), and the spike delivers weight * u x with the post-jump values.',
  params: {
    U: { default: 0.45, unit: '1', min: 0, max: 1, doc: 'Utilisation increment and resting value of u.' },
    tau_x: { default: 1500, unit: 'ms', min: 0, exclusiveMin: true, doc: 'Recovery time constant of the resources x.' },
    tau_u: { default: 200, unit: 'ms', min: 0, exclusiveMin: true, doc: 'Decay time constant of the utilisation u.' },
  },
  init(proj, p): TsodyksMarkramState {
    const n = proj.source.n;
    const stp = new TsodyksMarkramStp({ U: new Float64Array(n).fill(p.U), tauX: new Float64Array(n).fill(p.tau_x), tauU: new Float64Array(n).fill(p.tau_u), dynamic: new Uint8Array(n).fill(1) });
    let longest = 0;
    for (let r = 0; r < n; r++) longest = Math.max(longest, proj.rowPtr[r + 1] - proj.rowPtr[r]);
    return { stp, lastSpikeMs: new Float64Array(n), savedRow: new Float64Array(longest) };
  },
  transmit(proj, st, row, stamp, offset, mult) {
    const t = stamp * proj.dt + offset;
    let eff = 0;
    for (let m = 0; m < mult; m++) {
      eff += st.stp.spikeEvent(row, t - st.lastSpikeMs[row]);
      st.lastSpikeMs[row] = t;
    }
    // The fan-out with the row's weights scaled by the summed efficacy of this step's spikes.
    const { rowPtr, weight } = proj;
    const start = rowPtr[row];
    const end = rowPtr[row + 1];
    const saved = st.savedRow;
    for (let s = start; s < end; s++) {
      saved[s - start] = weight[s];
      weight[s] *= eff;
    }
    proj.deliver(row, stamp, offset, 1);
    for (let s = start; s < end; s++) weight[s] = saved[s - start];
  },
});

registerSynapseModel(tsodyks_markram_stp);
