/**
 * Populations: groups of neurons of one model, stored as structure-of-arrays (one
 * Float64Array per parameter and per state variable), and views onto parts of them.
 */
import { SimulationError, suggestion } from './errors.js';
import type { Arrivals, ForcedSpikes, NeuronModel, UpdateContext } from './model.js';
import { OutgoingFanout } from './fanout.js';
import { EventInbox } from './event-inbox.js';
import { IndexedMinHeap } from './indexed-heap.js';
import { cloneFunction, specializationEnabled } from './specialize.js';
import type { ProjectionData } from './projection.js';
import type { SpikeHistory } from './spike-history.js';
import { checkParamValue, expandValues, type ValueSpec } from './params.js';
import type { RandomStream, RandomStreams } from './rng.js';
import { newWasmMemory, wasmKernelsEnabled, type WasmMemory } from './wasm.js';

/** Anything that receives the spikes of a population (recorders, listeners). */
export interface SpikeSink {
  /** Spike of local neuron i at time step·dt + offset. */
  onSpike(pop: Population, i: number, step: number, offset: number): void;
}

/** What {@link Population.forceSpikes} takes. */
export interface ForceSpikesSpec {
  /**
   * 'replace': the population spikes exactly at the forced steps (the model's own spikes are
   * dropped); 'or': the forced spikes are added to the model's own.
   */
  mode: 'replace' | 'or';
  /**
   * One list of steps per neuron (local index), or a function from a step to the local indices
   * that spike then. Steps are the network's steps (time / dt) at which the spikes are stamped.
   */
  spikes: readonly ArrayLike<number>[] | ((step: number) => ArrayLike<number>);
}

/** A set of neurons of one population, given by local indices (a slice or a list). */
export class PopulationView {
  constructor(
    /** The population the neurons belong to. */
    readonly population: Population,
    /** Local indices (0-based within the population), ascending. */
    readonly indices: Uint32Array,
  ) {}

  /** Number of neurons in the view. */
  get size(): number {
    return this.indices.length;
  }

  /** Global node ids of the view's neurons. */
  get ids(): Uint32Array {
    const out = new Uint32Array(this.indices.length);
    for (let j = 0; j < out.length; j++) out[j] = this.population.firstId + this.indices[j];
    return out;
  }

  /** Sub-view of the neurons at positions [start, end) of this view. */
  slice(start: number, end: number = this.size): PopulationView {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > this.size || start > end) {
      throw new SimulationError('invalid_value', `slice(${start}, ${end}) is outside population '${this.population.name}' view of size ${this.size}; use 0 <= start <= end <= ${this.size}.`);
    }
    return new PopulationView(this.population, this.indices.slice(start, end));
  }

  /** Sub-view of the neurons at the given positions of this view. */
  select(positions: ArrayLike<number>): PopulationView {
    const out = new Uint32Array(positions.length);
    for (let j = 0; j < positions.length; j++) {
      const q = positions[j];
      if (!Number.isInteger(q) || q < 0 || q >= this.size) {
        throw new SimulationError('invalid_value', `select(): position ${q} is outside population '${this.population.name}' view of size ${this.size}.`);
      }
      out[j] = this.indices[q];
    }
    return new PopulationView(this.population, out);
  }

  /** Values of a parameter or state variable for the view's neurons. */
  get(name: string): Float64Array {
    const pop = this.population;
    const arr = pop.s[name] ?? pop.p[name];
    if (arr === undefined) {
      const names = [...Object.keys(pop.model.state), ...Object.keys(pop.model.params)];
      throw new SimulationError('unknown_parameter', `model '${pop.model.name}' has no parameter or state variable '${name}'.${suggestion(name, names)}`);
    }
    const out = new Float64Array(this.indices.length);
    for (let j = 0; j < out.length; j++) out[j] = arr[this.indices[j]];
    return out;
  }

  /**
   * Sets parameters or state variables of the view's neurons (numbers, one value per neuron,
   * or distributions drawn from the stream `${population}/set/${name}`).
   */
  set(values: Readonly<Record<string, ValueSpec>>): void {
    this.population.assign(this.indices, values);
  }
}

/** A group of neurons of one model. */
export class Population extends PopulationView {
  readonly p: Record<string, Float64Array> = {};
  readonly s: Record<string, Float64Array> = {};
  /** Model constants from prepare(); recomputed whenever parameters change. */
  c: unknown = null;
  /** Ring buffer per port: slot-major, ringLength·n values. */
  buffers: Record<string, Float64Array> = {};
  ringLength = 0;
  /** Per ring slot, the per-port views handed to the model as ctx.input. */
  private slotInputs: Record<string, Float64Array>[] = [];
  readonly outgoing: ProjectionData[] = [];
  readonly spikeSinks: SpikeSink[] = [];
  history: SpikeHistory | null = null;
  /** Event-driven models: arrivals per step, and the per-neuron agenda. */
  inbox: EventInbox | null = null;
  readonly agenda: IndexedMinHeap;
  /** Spatial positions (n × dims, row-major), if any. */
  positions: Float64Array | null = null;
  dims = 0;
  /** Set when parameters changed since prepare(). */
  dirty = true;
  /** The WebAssembly memory of models with `memory: 'wasm'` (see NeuronModelDef.memory). */
  memory: WasmMemory | null = null;
  /** The model's scratch words (ctx.scratch). */
  private scratch = new Int32Array(0);
  ctx!: UpdateContext;
  /** Ports with at least one incoming projection (set by the network before a run). */
  connectedPorts: Record<string, boolean> = {};
  /** Names of the connected ports: the only ring slots that need clearing after an update. */
  private clearPorts: string[] = [];
  /** The model's step function bound to ctx (a per-population copy when the model allows it). */
  private runUpdate: (step: number, base: number) => void | boolean = () => {};
  private readonly dynamics: RandomStream;
  /** The spikes forced on the current update; `ctx.forced` is this object. */
  private readonly forced: ForcedSpikes = { mode: 'none', ids: new Uint32Array(0), count: 0 };
  private forceFn: ((step: number) => ArrayLike<number>) | null = null;
  /** Forced (step, neuron) pairs of the list form, sorted by step then neuron, and the read position. */
  private forceSteps = new Float64Array(0);
  private forceIds = new Uint32Array(0);
  private forceCursor = 0;
  /** 'or' mode: the last step at which each neuron spiked by itself, so a forced spike is not doubled. */
  private spikeMark = new Float64Array(0);
  private emitFn: (pop: Population, i: number, offset: number, mult: number) => void = () => {};

  constructor(
    /** Index of the population in its network (creation order). */
    readonly id: number,
    readonly name: string,
    readonly model: NeuronModel,
    readonly n: number,
    /** Global id of neuron 0. */
    readonly firstId: number,
    private readonly streams: RandomStreams,
    params: Readonly<Record<string, ValueSpec>>,
  ) {
    super(null as unknown as Population, identity(n));
    (this as { population: Population }).population = this;
    this.dynamics = streams.stream(`${name}/dynamics`);
    this.agenda = new IndexedMinHeap(model.timing === 'event' ? n : 0);
    for (const [key, spec] of Object.entries(model.params)) {
      const given = params[key];
      this.p[key] = expandValues(`${name}.${key}`, given ?? spec.default, n, () => streams.stream(`${name}/param/${key}`));
      for (let i = 0; i < n; i++) checkParamValue(`population '${name}' (${model.name})`, key, spec, this.p[key][i]);
    }
    this.checkCross(this.indices);
    for (const [key, spec] of Object.entries(model.state)) {
      const arr = new Float64Array(n);
      const init = spec.initial;
      if (typeof init === 'number') arr.fill(init);
      else for (let i = 0; i < n; i++) arr[i] = init(this.p, i);
      this.s[key] = arr;
    }
    // State values given at creation override the model's initial values.
    const stateGiven: Record<string, ValueSpec> = {};
    for (const key of Object.keys(params)) if (key in model.state) stateGiven[key] = params[key];
    if (Object.keys(stateGiven).length) this.assign(this.indices, stateGiven);
  }

  /** Assigns parameters/state for the given local indices, validating every value. */
  assign(indices: Uint32Array, values: Readonly<Record<string, ValueSpec>>): void {
    const m = this.model;
    // All-or-nothing, as NEST's SetStatus: validate every value first, write, and undo the
    // writes if the cross-parameter check fails, so a rejected set() changes nothing.
    const staged: { target: Float64Array; vals: Float64Array; old: Float64Array }[] = [];
    let paramsChanged = false;
    for (const [key, spec] of Object.entries(values)) {
      const isParam = key in m.params;
      const isState = key in m.state;
      if (!isParam && !isState) {
        const names = [...Object.keys(m.params), ...Object.keys(m.state)];
        throw new SimulationError('unknown_parameter', `model '${m.name}' has no parameter or state variable '${key}'.${suggestion(key, names)}`);
      }
      const vals = expandValues(`${this.name}.${key}`, spec, indices.length, () => this.streams.stream(`${this.name}/set/${key}`));
      if (isParam) for (let j = 0; j < indices.length; j++) checkParamValue(`population '${this.name}' (${m.name})`, key, m.params[key], vals[j]);
      staged.push({ target: isParam ? this.p[key] : this.s[key], vals, old: new Float64Array(indices.length) });
      paramsChanged ||= isParam;
    }
    for (const { target, vals, old } of staged) {
      for (let j = 0; j < indices.length; j++) {
        old[j] = target[indices[j]];
        target[indices[j]] = vals[j];
      }
    }
    try {
      this.checkCross(indices);
    } catch (err) {
      for (const { target, old } of staged) for (let j = indices.length - 1; j >= 0; j--) target[indices[j]] = old[j];
      throw err;
    }
    if (paramsChanged) this.dirty = true;
    // An event-driven neuron's agenda (next threshold crossing) depends on its state and parameters.
    this.agenda.clear();
  }

  private checkCross(indices: Uint32Array): void {
    const check = this.model.check;
    if (!check) return;
    const keys = Object.keys(this.model.params);
    const one: Record<string, number> = {};
    for (let j = 0; j < indices.length; j++) {
      const i = indices[j];
      for (const k of keys) one[k] = this.p[k][i];
      const msg = check(one);
      if (msg) throw new SimulationError('invalid_value', `population '${this.name}' (${this.model.name}), neuron ${i}: ${msg}`);
    }
  }

  /**
   * Allocates ring buffers (keeping pending input when they are resized), recomputes the
   * model's constants and builds the update context. Called by the network before a run.
   */
  prepare(dt: number, ringLength: number, step: number, emit: (pop: Population, i: number, offset: number, mult: number) => void): void {
    const n = this.n;
    this.clearPorts = Object.keys(this.model.ports).filter((port) => this.connectedPorts[port]);
    if (this.model.timing === 'event') {
      this.inbox = this.inbox === null ? new EventInbox(ringLength) : this.inbox.ringLength === ringLength ? this.inbox : this.inbox.resizedTo(ringLength, step);
    }
    if (ringLength !== this.ringLength) {
      const old = this.buffers;
      const oldL = this.ringLength;
      const alloc = this.placeArrays(ringLength);
      this.buffers = {};
      for (const port of Object.keys(this.model.ports)) {
        const buf = alloc(ringLength * n);
        const prev = old[port];
        if (prev && oldL > 0) {
          // Pending input for steps step..step+oldL−1 moves to its slot in the new ring.
          for (let k = step; k < step + oldL; k++) {
            buf.set(prev.subarray((k % oldL) * n, (k % oldL) * n + n), (k % ringLength) * n);
          }
        }
        this.buffers[port] = buf;
      }
      this.ringLength = ringLength;
      this.slotInputs = [];
      for (let slot = 0; slot < ringLength; slot++) {
        const views: Record<string, Float64Array> = {};
        for (const port of Object.keys(this.model.ports)) {
          views[port] = this.buffers[port].subarray(slot * n, slot * n + n);
        }
        this.slotInputs.push(views);
      }
    }
    if (this.dirty || this.c === null) {
      this.c = this.model.prepare(this.p, dt, n);
      this.dirty = false;
      this.agenda.clear();
    }
    const self = this;
    this.emitFn = emit;
    const forced = this.forced;
    this.ctx = {
      n,
      step,
      dt,
      p: this.p,
      s: this.s,
      c: this.c,
      input: this.slotInputs[0] ?? {},
      rng: this.dynamics,
      spike(i: number, offset = 0, mult = 1) {
        const mode = forced.mode;
        if (mode === 'none') emit(self, i, offset, mult);
        else if (mode === 'or') {
          self.spikeMark[i] = self.ctx.step;
          emit(self, i, offset, mult);
        }
      },
      out: new OutgoingFanout(this.outgoing),
      arrivals: NO_ARRIVALS,
      agenda: this.agenda,
      connected: this.connectedPorts,
      ring: this.buffers,
      ringLength: this.ringLength,
      forced,
      memory: this.memory,
      scratch: this.scratch,
    };
    const copy = this.model.specialize === true && specializationEnabled();
    const { compile, update } = this.model;
    if (compile) {
      this.runUpdate = cloneFunction(compile, copy)(this.ctx);
    } else if (update) {
      const run = cloneFunction(update, copy);
      const ctx = this.ctx;
      this.runUpdate = () => run(ctx);
    } else {
      throw new SimulationError('invalid_value', `model '${this.model.name}' defines neither update() nor compile().`);
    }
  }

  /**
   * Returns the allocator for the ring buffers. For models with `memory: 'wasm'` it first
   * lays out a fresh WebAssembly memory (state variables, the rings, scratch), moves the state
   * into it and returns an allocator of the ring regions; otherwise plain arrays.
   */
  private placeArrays(ringLength: number): (len: number) => Float64Array {
    const n = this.n;
    if (this.model.memory !== 'wasm' || !wasmKernelsEnabled()) {
      if (this.scratch.length < n + 4) this.scratch = new Int32Array(n + 4);
      return (len) => new Float64Array(len);
    }
    // Every region starts 16-byte aligned and has room for one element past its end, which an
    // f64x2 loop over an odd n touches.
    const region = (elements: number, bytesPer: number) => (elements * bytesPer + 16 + 15) & ~15;
    const stateKeys = Object.keys(this.s);
    const nPorts = Object.keys(this.model.ports).length;
    const total = stateKeys.length * region(n, 8) + nPorts * region(ringLength * n, 8) + region(n + 4, 4);
    const memory = newWasmMemory(total);
    if (memory === null) {
      if (this.scratch.length < n + 4) this.scratch = new Int32Array(n + 4);
      return (len) => new Float64Array(len);
    }
    let at = 0;
    for (const key of stateKeys) {
      const view = new Float64Array(memory.buffer, at, n);
      view.set(this.s[key]);
      this.s[key] = view;
      at += region(n, 8);
    }
    this.scratch = new Int32Array(memory.buffer, at, n + 4);
    at += region(n + 4, 4);
    this.memory = memory;
    return (len) => {
      const view = new Float64Array(memory.buffer, at, len);
      at += region(len, 8);
      return view;
    };
  }

  /**
   * Forces spikes on this population (clock-driven and grid models): from the next update on,
   * the neurons spike at the given steps, instead of (`'replace'`) or besides (`'or'`) their
   * own spikes. A clock population's forced spike at step t comes from its tick at t; a grid
   * population's from its update at t − 1 (stamped t, as its own spikes are). The model sees
   * the forcing in `ctx.forced` (a stochastic model skips its draws in 'replace' mode). Steps
   * already simulated are ignored. `null` ends the forcing.
   */
  forceSpikes(spec: ForceSpikesSpec | null): void {
    const what = `forceSpikes() on '${this.name}' (${this.model.name})`;
    this.forceFn = null;
    this.forceSteps = new Float64Array(0);
    this.forceIds = new Uint32Array(0);
    this.forceCursor = 0;
    if (spec === null) {
      this.forced.mode = 'none';
      this.forced.count = 0;
      return;
    }
    if (this.model.timing === 'event' || this.model.output !== 'spike' || this.model.independentTargets) {
      throw new SimulationError('invalid_value', `${what}: only clock-driven and grid neuron models that emit spikes can be forced.`);
    }
    if (spec.mode !== 'replace' && spec.mode !== 'or') {
      throw new SimulationError('invalid_value', `${what}: mode must be 'replace' or 'or', got '${String(spec.mode)}'.`);
    }
    if (typeof spec.spikes === 'function') {
      this.forceFn = spec.spikes;
    } else {
      const lists = spec.spikes;
      if (!Array.isArray(lists) || lists.length !== this.n) {
        throw new SimulationError('invalid_value', `${what}: give one list of steps per neuron (${this.n} lists) or a function from step to neuron indices.`);
      }
      const pairs: [number, number][] = [];
      for (let i = 0; i < this.n; i++) {
        const steps = lists[i];
        for (let j = 0; j < steps.length; j++) {
          const st = steps[j];
          if (!(Number.isInteger(st) && st >= 0)) throw new SimulationError('invalid_value', `${what}: neuron ${i}: step ${st} is not a whole number >= 0.`);
          pairs.push([st, i]);
        }
      }
      pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      this.forceSteps = Float64Array.from(pairs, (q) => q[0]);
      this.forceIds = Uint32Array.from(pairs, (q) => q[1]);
    }
    this.forced.mode = spec.mode;
    this.forced.count = 0;
    if (this.forced.ids.length < this.n) this.forced.ids = new Uint32Array(this.n);
    if (this.spikeMark.length < this.n) this.spikeMark = new Float64Array(this.n).fill(-1);
  }

  /** Fills `forced` with the neurons forced to spike at stamp `key`, ascending, without duplicates. */
  private collectForced(key: number): void {
    const f = this.forced;
    const ids = f.ids;
    let c = 0;
    if (this.forceFn !== null) {
      const got = this.forceFn(key);
      if (got.length > 0) {
        for (let j = 0; j < got.length; j++) {
          const i = got[j];
          if (!(Number.isInteger(i) && i >= 0 && i < this.n)) {
            throw new SimulationError('invalid_value', `forceSpikes() on '${this.name}': the function returned neuron ${i} for step ${key}; indices run from 0 to ${this.n - 1}.`);
          }
          // A neuron listed twice still spikes once.
          if (this.spikeMark[i] !== -2 - key) {
            this.spikeMark[i] = -2 - key;
            if (c === ids.length) break;
            ids[c++] = i;
          }
        }
        ids.subarray(0, c).sort();
      }
    } else {
      const steps = this.forceSteps;
      let q = this.forceCursor;
      while (q < steps.length && steps[q] < key) q++;
      while (q < steps.length && steps[q] === key) {
        const i = this.forceIds[q++];
        if (c === 0 || ids[c - 1] !== i) ids[c++] = i;
      }
      this.forceCursor = q;
    }
    f.count = c;
  }

  /** Emits the forced spikes after the model's update of step k. */
  private emitForced(k: number): void {
    const f = this.forced;
    const or = f.mode === 'or';
    for (let j = 0; j < f.count; j++) {
      const i = f.ids[j];
      if (or && this.spikeMark[i] === k) continue;
      this.emitFn(this, i, 0, 1);
    }
  }

  /** Runs the model's update for step k, then clears the ring slot it consumed. */
  update(k: number): void {
    const ctx = this.ctx as { step: number; input: Record<string, Float64Array>; arrivals: Arrivals };
    ctx.step = k;
    const forcing = this.forced.mode !== 'none';
    // The stamp of what this update emits: the tick's own step, or k + 1 for a grid update.
    if (forcing) this.collectForced(this.model.timing === 'clock' ? k : k + 1);
    if (this.inbox !== null) {
      ctx.arrivals = this.inbox.take(k);
      this.runUpdate(k, 0);
      return;
    }
    const inputs = this.slotInputs[k % this.ringLength];
    const period = this.model.timing === 'clock' ? (this.model.period ?? 1) : 1;
    if (period > 1) {
      // A clock model ticking every `period` steps sees all input of the steps since its last tick.
      for (let back = 1; back < period; back++) {
        const older = this.slotInputs[(k - back + this.ringLength * period) % this.ringLength];
        for (const port in inputs) {
          const dst = inputs[port];
          const src = older[port];
          for (let i = 0; i < dst.length; i++) dst[i] += src[i];
          src.fill(0);
        }
      }
    }
    ctx.input = inputs;
    const cleared = this.runUpdate(k, (k % this.ringLength) * this.n);
    if (forcing) this.emitForced(k);
    if (cleared === true) return;
    const clear = this.clearPorts;
    for (let q = 0; q < clear.length; q++) inputs[clear[q]].fill(0);
  }

  /**
   * Throws if a state variable is not finite, naming neuron, variable and the time window
   * (ms) since the previous check.
   */
  checkFinite(fromMs: number, toMs: number): void {
    const s = this.s;
    for (const key in s) if (!allFinite(s[key])) this.reportNonFinite(key, fromMs, toMs);
  }

  /**
   * The error path of {@link checkFinite}, kept out of it so the optimising compiler, which
   * compiles checkFinite early in every run, does not also compile the message building.
   */
  private reportNonFinite(key: string, fromMs: number, toMs: number): void {
    const arr = this.s[key];
    for (let i = 0; i < arr.length; i++) {
      if (!Number.isFinite(arr[i])) {
        throw new SimulationError(
          'non_finite_state',
          `population '${this.name}' (${this.model.name}): neuron ${i} (global id ${this.firstId + i}) has ${key} = ${arr[i]} at t = ${fmtMs(toMs)} ms (it was finite at t = ${fmtMs(fromMs)} ms). ` +
            'Check the parameters (time constants, weights) and reduce dt or the input strength.',
        );
      }
    }
  }
}

/** Whether every value is finite: a NaN or an infinity makes the sum non-finite. */
function allFinite(arr: Float64Array): boolean {
  // Four independent sums: a single running sum waits for each addition to finish.
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const len = arr.length;
  let i = 0;
  for (; i + 3 < len; i += 4) {
    s0 += arr[i];
    s1 += arr[i + 1];
    s2 += arr[i + 2];
    s3 += arr[i + 3];
  }
  for (; i < len; i++) s0 += arr[i];
  return Number.isFinite(s0 + s1 + s2 + s3);
}

/** A step time for messages, without the float noise of step·dt (0.30000000000000004). */
function fmtMs(t: number): number {
  return Number(t.toPrecision(12));
}

const NO_ARRIVALS: Arrivals = { count: 0, target: new Uint32Array(0), weight: new Float64Array(0), offset: new Float64Array(0) };

function identity(n: number): Uint32Array {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}
