/**
 * The synapse-model interface. A synapse model is one file (in synapses/) that declares its
 * per-connection parameters and implements the fan-out of one presynaptic spike over one row
 * of a projection; registering it needs no change in engine/. The hot loop lives in the model
 * so that each model's loop stays monomorphic and allocation-free.
 *
 * Per-tick models (`tickInput`, `tickEnd`) serve clock-driven targets whose input is a
 * function of presynaptic state every tick (trace-based synapses, rate networks): the target
 * reads its port as usual, and the synapse model learns after the tick from the pre and post
 * spikes of that step. Presynaptic spikes reach `tickEnd` in the step of their stamp whatever
 * the delay, so the engine accepts only the smallest delay there is for such connections:
 * `sameStep` from grid or event-driven sources, one step from clock-driven ones.
 */
import type { ParamSpec } from './params.js';
import type { ProjectionData } from './projection.js';

/** Full declaration of a synapse model. */
export interface SynapseModelDef<P extends string, S> {
  name: string;
  doc: string;
  /** Parameters shared by all synapses of one connect() call (weights and delays are per synapse). */
  params: Record<P, ParamSpec>;
  /**
   * Whether the target neurons must keep their spike history (pair-based plasticity). The
   * target model must then have a `tau_minus` parameter, as NEST's archiving neurons do.
   */
  needsPostHistory?: boolean;
  /** Whether weights change during a run (weight recorders subscribe to these). */
  plastic?: boolean;
  /** Cross-parameter checks; a message for the first violation, else undefined. */
  check?(p: Readonly<Record<P, number>>, weights: Float64Array): string | undefined;
  /** Allocates the model's state (per source, per synapse) once the connections exist. */
  init(proj: ProjectionData, p: Readonly<Record<P, number>>): S;
  /**
   * Delivers one spike of source `row`, stamped at `stamp` with precise `offset` (ms) and
   * multiplicity `mult`, to every synapse of that row. Use `proj.slotBase(stamp, offset)`
   * and `proj.addInput(...)` or the raw arrays. Required unless the model is a per-tick
   * model (`tickInput`/`tickEnd`), which may omit it.
   */
  transmit?(proj: ProjectionData, state: S, row: number, stamp: number, offset: number, mult: number): void;
  /**
   * Per-tick synapses into clock-driven targets (traces, rate inputs): instead of spikes
   * through ring buffers, the model computes the target's input from presynaptic state at
   * every tick of the target. Called in phase 3 of `step`, before any clock population ticks
   * (so it reads presynaptic state as of the end of step − 1): add this projection's input
   * into the slot the target's tick reads, `proj.bufPos[base + target]`.
   */
  tickInput?(proj: ProjectionData, state: S, step: number, base: number): void;
  /**
   * Per-tick synapses: called in phase 3 of `step`, after every clock population due at
   * `step` has ticked and its spikes were delivered, for each projection whose target ticked.
   * `post[0..nPost)` are the target neurons that spiked in the tick (one entry per spike
   * event, in emission order). The presynaptic spikes that arrived since the target's
   * previous tick are `proj.tickPre[0..proj.tickPreCount)` (source rows, one entry per unit
   * of multiplicity); the engine empties that list after this call.
   */
  tickEnd?(proj: ProjectionData, state: S, step: number, post: Uint32Array, nPost: number): void;
  /**
   * Modulator channels this model listens to. When given, modulate() is called only for
   * events on these channels (other projections are not visited); when omitted, for every
   * channel.
   */
  channels?: readonly string[];
  /**
   * Third-factor signal (a modulator event) arriving at `step` on `channel`. It runs in phase 1
   * of that step, before the step's spike deliveries, so spikes stamped `step` see it.
   */
  modulate?(proj: ProjectionData, state: S, step: number, channel: string, value: number): void;
}

/** A registered synapse model (type-erased). */
export type SynapseModel = SynapseModelDef<string, any>;

/** Identity function that gives a synapse-model definition full type checking. */
export function defineSynapseModel<P extends string, S>(def: SynapseModelDef<P, S>): SynapseModel {
  return def as unknown as SynapseModel;
}
