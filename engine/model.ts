/**
 * The neuron-model interface. A model is one file that calls {@link defineNeuronModel} with
 * its parameters, state, receptor ports, precomputed constants and update function, and
 * registers the result; nothing in engine/ changes when a model is added.
 *
 * Timing rules (see docs/architecture.md):
 * - `timing: 'grid'` (NEST): the update at step k integrates from k·dt to (k+1)·dt; a spike
 *   found there is stamped k+1. Input in a port's slot k is what arrived for that update.
 * - `timing: 'clock'`: the tick at step t (every `period` steps) computes step t's spikes from
 *   the state at the end of step t−1 and stamps them at step t.
 * - `timing: 'event'`: exactly solvable models touched only by their inputs. The update at
 *   step k runs in phase 2 with the inputs arriving in [k·dt, (k+1)·dt), sorted by offset
 *   (`ctx.arrivals`), and a per-neuron agenda (`ctx.agenda`, e.g. next threshold crossing);
 *   spikes carry their exact offset and are stamped k.
 */
import type { ParamSpec, StateSpec } from './params.js';
import type { RandomStream } from './rng.js';
import type { OutgoingFanout } from './fanout.js';
import type { IndexedMinHeap } from './indexed-heap.js';
import type { WasmMemory } from './wasm.js';

/** One step's inputs of an event-driven population, sorted by offset (ms). */
export interface Arrivals {
  count: number;
  target: Uint32Array;
  weight: Float64Array;
  offset: Float64Array;
}

/**
 * The spikes forced on a population for the current update (see `Population.forceSpikes`).
 * In 'replace' mode the engine discards the model's own spikes and emits exactly `ids`, so a
 * stochastic model should skip its draws; in 'or' mode it adds the forced spikes the model did
 * not emit itself. The engine emits the forced spikes after the model's update.
 */
export interface ForcedSpikes {
  mode: 'none' | 'replace' | 'or';
  /** Local indices forced to spike in this update, ascending, without duplicates. */
  ids: Uint32Array;
  count: number;
}

/** Kind of signal a port receives. */
export type PortKind = 'spike' | 'current';

/** Declaration of a receptor port. */
export interface PortSpec {
  kind: PortKind;
  /**
   * For spike ports split by the sign of the weight, as NEST's psc and cond models do:
   * 'positive' receives w ≥ 0, 'negative' receives w < 0 (both are picked automatically when
   * a connection names no receptor).
   */
  sign?: 'positive' | 'negative';
  doc: string;
}

/** What a model's update function sees; one object per population, reused every step. */
export interface UpdateContext<P extends string = string, S extends string = string, C = unknown> {
  /** Number of neurons in the population. */
  readonly n: number;
  /** Current step k. */
  step: number;
  /** Resolution in ms. */
  readonly dt: number;
  /** Per-neuron parameter values. */
  readonly p: Readonly<Record<P, Float64Array>>;
  /** Per-neuron state variables. */
  readonly s: Readonly<Record<S, Float64Array>>;
  /** The constants returned by `prepare`. */
  readonly c: C;
  /** This step's input for each port (length n; the kernel clears it after the update). */
  readonly input: Readonly<Record<string, Float64Array>>;
  /** The full ring buffer of each port (ring length × n, slot-major), for `compile`. */
  readonly ring: Readonly<Record<string, Float64Array>>;
  /** Number of slots in the ring buffers. */
  readonly ringLength: number;
  /**
   * Whether anything is connected to each port. A port nothing connects to always reads 0,
   * so models may skip the work it would need (e.g. latching an external current).
   */
  readonly connected: Readonly<Record<string, boolean>>;
  /** The population's dynamic random stream (named `${population}/dynamics`). */
  readonly rng: RandomStream;
  /** Emits a spike of neuron i, stamped by the model's timing rule, with an optional offset in [0, dt). */
  spike(i: number, offset?: number, multiplicity?: number): void;
  /** Direct access to this population's outgoing connections, for devices. */
  readonly out: OutgoingFanout;
  /** Event-driven models: this step's inputs in time order (empty otherwise). */
  readonly arrivals: Arrivals;
  /** Event-driven models: per-neuron agenda keyed by time (ms), kept across steps. */
  readonly agenda: IndexedMinHeap;
  /** Spikes forced on this update (mode 'none' when nothing is forced). */
  readonly forced: ForcedSpikes;
  /**
   * Models with `memory: 'wasm'`: the WebAssembly memory that holds the population's state
   * variables, ring buffers and {@link scratch} (each 16-byte aligned, with room for one
   * padding element past its end, so f64x2 loops may run to an even length); null otherwise.
   */
  readonly memory: WasmMemory | null;
  /** n + 4 words of scratch space for the model (in {@link memory} when there is one). */
  readonly scratch: Int32Array;
}

/** Full declaration of a neuron (or device) model. */
export interface NeuronModelDef<P extends string, S extends string, C> {
  /** Registry name (NEST's where the model exists in NEST). */
  name: string;
  /** One paragraph: what the model is and which reference it follows. */
  doc: string;
  timing: 'grid' | 'clock' | 'event';
  /** For clock models: steps between ticks (default 1). */
  period?: number;
  params: Record<P, ParamSpec>;
  state: Record<S, StateSpec<NoInfer<P>>>;
  ports: Record<string, PortSpec>;
  /** What this model sends along its connections. */
  output: 'spike' | 'current' | 'none';
  /**
   * For devices whose spikes are drawn independently for each target (poisson_generator):
   * such a source cannot be recorded; connect it to a parrot_neuron to record its trains.
   */
  independentTargets?: boolean;
  /** Cross-parameter checks; return a message for the first violation, else undefined. */
  check?(p: Readonly<Record<NoInfer<P>, number>>): string | undefined;
  /** Precomputes propagators and other constants from parameters and dt. */
  prepare(p: Readonly<Record<NoInfer<P>, Float64Array>>, dt: number, n: number): C;
  /**
   * Advances all neurons of the population by one step (grid) or one tick (clock). Give
   * either `update` (simplest) or `compile` (fastest).
   */
  update?(ctx: UpdateContext<P, S, C>): void;
  /**
   * The fast form of `update`: called with the population's context whenever it is (re)built,
   * binds the arrays it needs to constants and returns the step function. The step function
   * gets the step and `base`, the offset of this step's slot in the full ring buffers
   * `ctx.ring` (the input of port X for neuron i is `ctx.ring.X[base + i]`); the kernel clears
   * the slot afterwards, unless the step function returns true: it has then zeroed the slot
   * of every connected port itself (while reading it, which saves a second pass over memory).
   * Grid and clock models only.
   */
  compile?(ctx: UpdateContext<P, S, C>): (step: number, base: number) => void | boolean;
  /**
   * Run a separate copy of `compile` (or `update`) for each population so the JIT
   * specialises it to that population's arrays (3-4x faster hot loops). Only for functions
   * that use nothing but their argument and globals (no imports or module-level helpers).
   */
  specialize?: boolean;
  /**
   * 'wasm': keep the state variables and ring buffers in one WebAssembly memory
   * (`ctx.memory`), so a WebAssembly kernel can update them in place. `pop.s` and the ring
   * buffers are then views of that memory, replaced whenever the ring buffers are reallocated
   * (at the first simulate() and when a longer delay is connected); read them through
   * `pop.s` or `get()` rather than keeping a reference across simulate() calls.
   */
  memory?: 'wasm';
}

/** A registered neuron model (type-erased view of {@link NeuronModelDef}). */
export type NeuronModel = NeuronModelDef<string, string, any>;

/** Identity function that gives a model definition full type checking. */
export function defineNeuronModel<P extends string, S extends string, C>(def: NeuronModelDef<P, S, C>): NeuronModel {
  return def as unknown as NeuronModel;
}

/**
 * 0 when every parameter has the same value for all neurons, else −1. Models index their
 * parameter and propagator arrays with `i & mask`: a homogeneous population then reads one
 * cached value instead of streaming a whole array per parameter per step.
 */
export function uniformMask(p: Readonly<Record<string, Float64Array>>): number {
  for (const arr of Object.values(p)) if (!allIdentical(arr)) return -1;
  return 0;
}

/**
 * Whether every value of `arr` has the bits of the first. Compared as bytes (memcmp), since
 * this runs once per population before any JIT has warmed up: a JavaScript loop over every
 * parameter of every neuron took 10 ms for 4000 neurons.
 */
function allIdentical(arr: Float64Array): boolean {
  if (arr.length < 2) return true;
  const ref = new Float64Array(arr.length).fill(arr[0]);
  return Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength).equals(Buffer.from(ref.buffer));
}
