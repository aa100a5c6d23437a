/**
 * The synapse-model interface. A synapse model is one file (in synapses/) that declares its
 * per-connection parameters and implements the fan-out of one presynaptic spike over one row
 * of a projection; registering it needs no change in engine/. The hot loop lives in the model
 * so that each model's loop stays monomorphic and allocation-free.
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
   * and `proj.addInput(...)` or the raw arrays.
   */
  transmit(proj: ProjectionData, state: S, row: number, stamp: number, offset: number, mult: number): void;
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
