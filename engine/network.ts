/**
 * The network: the one object users build and run. It owns the populations, projections,
 * recorders, random streams and the kernel, and implements NEST's create/connect/simulate
 * vocabulary.
 */
import os from 'node:os';
import { Dictionary, Float64, Int32, Table, Uint32, Utf8, makeData, makeVector, vectorFromArray, RecordBatch, Schema, Field, Struct } from 'apache-arrow';
import { SimulationError } from './errors.js';
import { Kernel, Phase, type EventHandler, type PhaseRank } from './kernel.js';
import { getNeuronModel, getSynapseModel } from './registry.js';
import { Population, PopulationView, type SpikeSink } from './population.js';
import { ProjectionData, buildCsr } from './projection.js';
import { SpikeHistory } from './spike-history.js';
import { generatePairs, expectedConnections, countSamePairs, type ConnectionRule } from './connect.js';
import { checkKnownKeys, checkParamValue, expandValues, type ValueSpec } from './params.js';
import { RandomStreams } from './rng.js';
import { gridPositions, type PositionSpec } from './spatial.js';
import { ENGINE_NAME, ENGINE_VERSION } from './version.js';

/** Options of a {@link Network}. */
export interface NetworkOptions {
  /** Resolution in ms (default 0.1). */
  dt?: number;
  /** Master seed (default 0). */
  seed?: number;
  /** Refuse networks whose estimated memory exceeds this many bytes (default 80% of RAM). */
  memoryLimitBytes?: number;
  /**
   * Check that every state variable is finite every this many steps (default 100, i.e. 10 ms
   * at dt 0.1: a NaN never escapes, and the check costs about 1% of a step's work).
   */
  finiteCheckInterval?: number;
}

/** Options of {@link Network.create}. */
export interface CreateOptions {
  /** Population name (default `${model}_${k}`); random streams are keyed by it. */
  name?: string;
  /** Spatial positions: a grid or explicit coordinates. */
  positions?: PositionSpec;
}

/** The synapse part of {@link Network.connect}. */
export interface SynapseSpec {
  /** Synapse model (default 'static_synapse'). */
  model?: string;
  /** Weight(s): a number, one value per connection, or a distribution (default 1). */
  weight?: ValueSpec;
  /** Delay(s) in ms, rounded to whole steps, at least dt (default dt). */
  delay?: ValueSpec;
  /** Receptor port of the target model; default by signal kind (and weight sign). */
  receptor?: string;
  /** Projection name; random streams of this projection are keyed by it. */
  name?: string;
  /**
   * The one zero-delay path: a clock-driven target's tick at step t reads the spikes that
   * this (non-clock) source stamped at t. `delay` must then be omitted.
   */
  sameStep?: boolean;
  /** Synapse-model parameters (e.g. tau_plus, lambda for stdp_synapse). */
  params?: Readonly<Record<string, number>>;
}

/** Something that samples at the end of each step (after the updates). */
export interface Recorder {
  /** Phase 4 of step k. */
  record(step: number): void;
  /** Writes out everything buffered and releases files. */
  close(): Promise<void>;
  /** Writes out complete batches; may be a no-op. */
  flush?(): void;
}

/** Counters of a run. */
export interface RunStats {
  spikes: number;
  synapticEvents: number;
}

const BYTES_PER_BUILT_SYNAPSE = 14;
const BYTES_PER_PENDING_PAIR = 18;

/** A spiking network on one event kernel. */
export class Network implements EventHandler {
  readonly dt: number;
  readonly seed: number;
  readonly streams: RandomStreams;
  readonly populations: Population[] = [];
  readonly projections: ProjectionData[] = [];
  readonly recorders: Recorder[] = [];
  readonly stats: RunStats = { spikes: 0, synapticEvents: 0 };
  private readonly kernel: Kernel;
  private readonly spikeHandler: number;
  private readonly callbackHandler: number;
  private readonly modulatorHandler: number;
  private readonly callbacks: ((step: number) => void)[] = [];
  private readonly channels: string[] = [];
  private readonly modelCounts = new Map<string, number>();
  private readonly projectionNames = new Map<string, number>();
  private nextId = 0;
  private structureChanged = true;
  private memoryEstimate = 0;
  private readonly memoryLimit: number;
  private readonly finiteCheckInterval: number;
  private lastFiniteCheck = 0;
  private closed = false;
  private readonly grid: Population[] = [];
  private readonly clocked: Population[] = [];
  private readonly eventDriven: Population[] = [];

  constructor(options: NetworkOptions = {}) {
    const dt = options.dt ?? 0.1;
    if (!(Number.isFinite(dt) && dt > 0)) {
      throw new SimulationError('invalid_value', `dt must be a positive number of ms, got ${dt}.`);
    }
    this.dt = dt;
    this.seed = options.seed ?? 0;
    this.streams = new RandomStreams(this.seed);
    this.memoryLimit = options.memoryLimitBytes ?? 0.8 * os.totalmem();
    this.finiteCheckInterval = options.finiteCheckInterval ?? 100;
    if (!(Number.isInteger(this.finiteCheckInterval) && this.finiteCheckInterval >= 1)) {
      throw new SimulationError('invalid_value', `finiteCheckInterval must be a whole number of steps >= 1, got ${options.finiteCheckInterval}.`);
    }
    this.kernel = new Kernel({ emit: (k) => this.emitStep(k), update: (k) => this.updateStep(k), record: (k) => this.recordStep(k) });
    this.spikeHandler = this.kernel.addHandler(this);
    this.gridBatchHandler = this.kernel.addHandler({ handle: (step) => this.deliverGridBatch(step) });
    this.callbackHandler = this.kernel.addHandler({ handle: (step, _o, a) => this.callbacks[a](step) });
    this.modulatorHandler = this.kernel.addHandler({ handle: (step, _o, a, _b, v) => this.deliverModulator(step, a, v) });
  }

  /** Current time in ms (everything before it has been simulated). */
  get time(): number {
    return this.stepToMs(this.kernel.step);
  }

  /**
   * Steps per ms when 1/dt is a whole number (the usual resolutions), else 0. Converting with
   * it, as NEST does, gives 3 steps at dt 0.1 as 0.3 ms (not 0.30000000000000004) and rounds
   * a delay of 0.15 ms to 2 steps (0.15/0.1 is 1.4999999999999998).
   */
  private get stepsPerMs(): number {
    const inv = 1 / this.dt;
    const whole = Math.round(inv);
    return whole >= 1 && Math.abs(inv - whole) < 1e-9 * whole ? whole : 0;
  }

  /** Time in ms of a step, as written to recorder files. */
  stepToMs(step: number): number {
    const spm = this.stepsPerMs;
    return spm > 0 ? step / spm : step * this.dt;
  }

  /** ms → fractional steps (times the whole steps per ms when there is such a number). */
  private msToStepsExact(ms: number): number {
    const spm = this.stepsPerMs;
    return spm > 0 ? ms * spm : ms / this.dt;
  }

  /** Current step. */
  get step(): number {
    return this.kernel.step;
  }

  /** Converts a time in ms to a whole number of steps, refusing times off the grid. */
  toSteps(ms: number, what = 'time'): number {
    if (!Number.isFinite(ms)) throw new SimulationError('invalid_value', `${what} must be a finite number of ms, got ${ms}.`);
    const steps = Math.round(this.msToStepsExact(ms));
    if (Math.abs(steps * this.dt - ms) > 1e-9 * Math.max(1, Math.abs(ms))) {
      throw new SimulationError('invalid_value', `${what} = ${ms} ms is not a multiple of dt = ${this.dt} ms; use a multiple of dt.`);
    }
    return steps;
  }

  private charge(bytes: number, what: string): void {
    if (this.memoryEstimate + bytes > this.memoryLimit) {
      const gb = (x: number) => (x / 2 ** 30).toFixed(2);
      throw new SimulationError(
        'network_too_large',
        `${what} would need about ${gb(bytes)} GiB on top of ${gb(this.memoryEstimate)} GiB already used, over the limit of ${gb(this.memoryLimit)} GiB. ` +
          'Shrink the network or raise memoryLimitBytes in the Network options.',
      );
    }
    this.memoryEstimate += bytes;
  }

  /**
   * Creates `n` neurons of `model`. Parameter and initial-state values may be numbers,
   * per-neuron arrays or distributions.
   */
  create(model: string, n: number, params: Readonly<Record<string, ValueSpec>> = {}, options: CreateOptions = {}): Population {
    this.assertOpen();
    const m = getNeuronModel(model);
    if (!Number.isInteger(n) || n < 1) {
      throw new SimulationError('empty_population', `create('${model}', ${n}): the number of neurons must be a whole number >= 1.`);
    }
    checkKnownKeys(`model '${model}'`, 'parameter or state variable', params, [...Object.keys(m.params), ...Object.keys(m.state)]);
    const perNeuron = 8 * (Object.keys(m.params).length + Object.keys(m.state).length + 4 * Object.keys(m.ports).length);
    this.charge(n * perNeuron, `create('${model}', ${n})`);
    const k = this.modelCounts.get(model) ?? 0;
    const name = options.name ?? `${model}_${k}`;
    if (this.populations.some((p) => p.name === name)) {
      throw new SimulationError('invalid_value', `a population named '${name}' already exists; pass a different { name }.`);
    }
    this.modelCounts.set(model, k + 1);
    const pop = new Population(this.populations.length, name, m, n, this.nextId, this.streams, params);
    if (options.positions) {
      const pos = gridPositions(options.positions, n, name);
      pop.positions = pos.coords;
      pop.dims = pos.dims;
    }
    this.nextId += n;
    this.populations.push(pop);
    (m.timing === 'clock' ? this.clocked : m.timing === 'event' ? this.eventDriven : this.grid).push(pop);
    this.structureChanged = true;
    return pop;
  }

  private asView(x: Population | PopulationView, role: string): PopulationView {
    if (!(x instanceof PopulationView)) {
      throw new SimulationError('foreign_population', `connect(): the ${role} is not a population or view; pass what net.create() returned.`);
    }
    if (this.populations[x.population.id] !== x.population) {
      throw new SimulationError('foreign_population', `connect(): the ${role} '${x.population.name}' belongs to another network; create it on this one.`);
    }
    if (x.size === 0) {
      throw new SimulationError('empty_population', `connect(): the ${role} view of '${x.population.name}' is empty; pass a non-empty view.`);
    }
    return x;
  }

  /**
   * Connects `pre` to `post` with a NEST connection rule and a synapse specification.
   * Returns the projection (its CSR arrays are readable).
   */
  connect(
    pre: Population | PopulationView,
    post: Population | PopulationView,
    rule: ConnectionRule | ConnectionRule['rule'] = 'all_to_all',
    syn: SynapseSpec = {},
  ): ProjectionData {
    this.assertOpen();
    const a = this.asView(pre, 'source');
    const b = this.asView(post, 'target');
    const r: ConnectionRule = typeof rule === 'string' ? ({ rule } as ConnectionRule) : rule;
    const src = a.population;
    const tgt = b.population;
    if (src.model.output === 'none') {
      throw new SimulationError('invalid_connection', `model '${src.model.name}' of '${src.name}' sends nothing; it cannot be the source of a connection.`);
    }
    const synapse = getSynapseModel(syn.model ?? 'static_synapse');
    const port = this.resolvePort(src, tgt, syn.receptor);
    const synParams: Record<string, number> = {};
    checkKnownKeys(`synapse model '${synapse.name}'`, 'parameter', syn.params ?? {}, Object.keys(synapse.params));
    for (const [key, spec] of Object.entries(synapse.params)) {
      const v = syn.params?.[key] ?? spec.default;
      checkParamValue(`synapse model '${synapse.name}'`, key, spec, v);
      synParams[key] = v;
    }
    const expected = expectedConnections(r, a.size, b.size);
    this.charge(expected * (BYTES_PER_BUILT_SYNAPSE + BYTES_PER_PENDING_PAIR), `connect('${src.name}' -> '${tgt.name}', ${r.rule})`);
    this.memoryEstimate -= expected * BYTES_PER_PENDING_PAIR;

    try {
      const baseName = syn.name ?? `${src.name}->${tgt.name}`;
      const count = this.projectionNames.get(baseName) ?? 0;
      if (syn.name !== undefined && count > 0) {
        // Its random streams are keyed by the name: two projections must not share them.
        throw new SimulationError('invalid_connection', `a projection named '${syn.name}' already exists; give each connect() its own name.`);
      }
      const projName = syn.name ?? (count === 0 ? baseName : `${baseName}#${count}`);
      if (src.positions && tgt.positions && src.dims !== tgt.dims) {
        throw new SimulationError('invalid_connection', `'${src.name}' has ${src.dims}-D positions and '${tgt.name}' ${tgt.dims}-D ones; distances need positions of the same dimension.`);
      }

      const ai = a.indices;
      const bi = b.indices;
      const sameNeuron = src === tgt ? (x: number, y: number) => ai[x] === bi[y] : () => false;
      const distance =
        src.positions && tgt.positions && src.dims === tgt.dims
          ? (x: number, y: number) => {
              let d2 = 0;
              for (let k = 0; k < src.dims; k++) {
                const diff = src.positions![ai[x] * src.dims + k] - tgt.positions![bi[y] * tgt.dims + k];
                d2 += diff * diff;
              }
              return Math.sqrt(d2);
            }
          : null;
      const sameCount = src === tgt ? countSamePairs(ai, bi) : 0;
      const pairs = generatePairs(r, { nPre: a.size, nPost: b.size, same: sameNeuron, distance, rng: () => this.streams.stream(`${projName}/wiring`), sameCount });
      const m = pairs.length;
      const sources = new Uint32Array(m);
      const targets = new Uint32Array(m);
      for (let s = 0; s < m; s++) {
        sources[s] = ai[pairs.src[s]];
        targets[s] = bi[pairs.tgt[s]];
      }
      const weights = expandValues(`${projName} weight`, syn.weight ?? 1, m, () => this.streams.stream(`${projName}/weight`));
      const delayMs = expandValues(`${projName} delay`, syn.delay ?? this.dt, m, () => this.streams.stream(`${projName}/delay`));
      const delays = new Uint16Array(m);
      if (syn.sameStep) {
        if (tgt.model.timing !== 'clock' || src.model.timing === 'clock' || syn.delay !== undefined) {
          throw new SimulationError(
            'invalid_delay',
            `${projName}: sameStep connections lead from a grid or event-driven source to a clock-driven target and take no delay; '${src.name}' is ${src.model.timing}, '${tgt.name}' is ${tgt.model.timing}${syn.delay !== undefined ? ', and a delay was given' : ''}.`,
          );
        }
        // Delay 0: the spike stamped t lands in the slot the tick at t reads.
      } else {
        for (let s = 0; s < m; s++) delays[s] = this.delaySteps(delayMs[s], projName);
      }
      if (synapse.tickInput !== undefined || synapse.tickEnd !== undefined) {
        // Per-tick models see presynaptic spikes in the step of their stamp, so only the
        // smallest delay describes what they do.
        if (tgt.model.timing !== 'clock') {
          throw new SimulationError('invalid_connection', `${projName}: synapse model '${synapse.name}' works on the ticks of a clock-driven target, but '${tgt.name}' (${tgt.model.name}) is ${tgt.model.timing}-driven.`);
        }
        const minimal = src.model.timing === 'clock' ? 1 : 0;
        if (delays.some((d) => d !== minimal)) {
          throw new SimulationError(
            'invalid_delay',
            `${projName}: synapse model '${synapse.name}' takes its presynaptic spikes in the step of their stamp; connect from '${src.name}' ${minimal === 0 ? 'with sameStep: true' : 'with the default delay of one step'}.`,
          );
        }
      }
      const check = synapse.check?.(synParams, weights);
      if (check) throw new SimulationError('invalid_value', `${projName} (${synapse.name}): ${check}`);
      const csr = buildCsr(src.n, sources, targets, weights, delays);
      const proj = new ProjectionData(this.projections.length, src, tgt, synapse, synParams, port, csr, this.dt);
      proj.state = synapse.init(proj, synParams);
      this.projections.push(proj);
      // Counted only once built, so a refused connect() does not shift later projections' streams.
      this.projectionNames.set(baseName, count + 1);
      src.outgoing.push(proj);
      this.structureChanged = true;
      return proj;
    } catch (err) {
      // A refused connect() leaves the memory estimate as it found it.
      this.memoryEstimate -= expected * BYTES_PER_BUILT_SYNAPSE;
      throw err;
    }
  }

  private delaySteps(ms: number, what: string): number {
    const dt = this.dt;
    if (!(ms >= dt * (1 - 1e-9))) {
      throw new SimulationError('invalid_delay', `${what}: delay ${ms} ms is below the resolution dt = ${dt} ms; every delay must be at least dt.`);
    }
    const steps = Math.round(this.msToStepsExact(ms));
    if (steps > 65535) {
      throw new SimulationError('invalid_delay', `${what}: delay ${ms} ms is ${steps} steps, more than the 65535 a connection can hold; use a coarser dt or a shorter delay.`);
    }
    return steps;
  }

  private resolvePort(src: Population, tgt: Population, receptor: string | undefined): string | null {
    const ports = tgt.model.ports;
    const kind = src.model.output;
    const names = Object.keys(ports);
    if (receptor !== undefined) {
      const spec = ports[receptor];
      if (!spec) {
        throw new SimulationError('invalid_connection', `model '${tgt.model.name}' has no receptor '${receptor}'. Its receptors: ${names.join(', ') || 'none'}.`);
      }
      if (spec.kind !== kind) {
        throw new SimulationError('invalid_connection', `receptor '${receptor}' of '${tgt.model.name}' takes ${spec.kind} input, but '${src.model.name}' sends ${kind}.`);
      }
      return receptor;
    }
    const matching = names.filter((p) => ports[p].kind === kind);
    if (matching.length === 1) return matching[0];
    const signed = matching.filter((p) => ports[p].sign !== undefined);
    if (signed.length === 2 && matching.length === 2) return null;
    if (matching.length === 0) {
      throw new SimulationError('invalid_connection', `model '${tgt.model.name}' has no receptor for ${kind} input from '${src.model.name}'.`);
    }
    throw new SimulationError('invalid_connection', `model '${tgt.model.name}' has several ${kind} receptors (${matching.join(', ')}); name one with { receptor }.`);
  }

  /** Routes the spikes of `pop` to `sink` as they are delivered (recorders use this). */
  addSpikeSink(pop: Population, sink: SpikeSink): void {
    if (pop.model.independentTargets) {
      throw new SimulationError(
        'recorder_error',
        `'${pop.name}' (${pop.model.name}) draws an independent spike train for each target, so it has no spikes of its own to record; connect it to a parrot_neuron and record that.`,
      );
    }
    pop.spikeSinks.push(sink);
  }

  /** Adds a recorder that samples in phase 4 of every step. */
  addRecorder(rec: Recorder): void {
    this.assertOpen();
    this.recorders.push(rec);
  }

  /** Runs `fn` at time `tMs` (phase 5, after recorders, unless another phase is given). */
  at(tMs: number, fn: (step: number) => void, phase: PhaseRank = Phase.Callback): void {
    this.assertOpen();
    this.callbacks.push(fn);
    this.kernel.schedule(this.toSteps(tMs, 'callback time'), 0, phase, this.callbackHandler, this.callbacks.length - 1, 0, 0);
  }

  /**
   * Sends a third-factor signal on `channel` at time `tMs` to every projection whose synapse
   * model takes modulators (and lists `channel`, if it lists channels). It runs in phase 1 of
   * its step, after protocol changes and before that step's spike deliveries, so it applies
   * to plasticity computed in the same step. Events of equal time run in call order.
   */
  modulate(tMs: number, channel: string, value: number): void {
    this.assertOpen();
    if (!Number.isFinite(value)) throw new SimulationError('invalid_value', `modulator '${channel}' value must be finite, got ${value}.`);
    let id = this.channels.indexOf(channel);
    if (id < 0) {
      this.channels.push(channel);
      id = this.channels.length - 1;
    }
    const step = this.toSteps(tMs, 'modulator time');
    try {
      this.kernel.schedule(step, 0, Phase.Modulator, this.modulatorHandler, id, 0, value);
    } catch {
      throw new SimulationError(
        'invalid_value',
        `modulate('${channel}') at ${tMs} ms: the spikes of that step have already been delivered (the network is at ${this.time} ms); schedule modulators before simulate() reaches their step.`,
      );
    }
  }

  private deliverModulator(step: number, channel: number, value: number): void {
    const name = this.channels[channel];
    for (const pr of this.projections) {
      const m = pr.synapse;
      if (m.modulate !== undefined && (m.channels === undefined || m.channels.includes(name))) m.modulate(pr, pr.state, step, name, value);
    }
  }

  /** Kernel entry point for spike deliveries (phase 2). */
  handle(step: number, offset: number, popId: number, i: number, mult: number): void {
    const pop = this.populations[popId];
    this.stats.spikes += mult;
    const sinks = pop.spikeSinks;
    // A spike of multiplicity m is m spikes to a recorder, as in NEST (one row each).
    for (let q = 0; q < sinks.length; q++) for (let r = 0; r < mult; r++) sinks[q].onSpike(pop, i, step, offset);
    // A spike of multiplicity m is m spikes to the archive, as NEST's parrot_neuron records them.
    if (pop.history !== null) for (let m = 0; m < mult; m++) pop.history.add(i, step * this.dt + offset);
    const out = pop.outgoing;
    for (let q = 0; q < out.length; q++) {
      const pr = out[q];
      const syn = pr.synapse;
      if (syn.transmit !== undefined) syn.transmit(pr, pr.state, i, step, offset, mult);
      // Per-tick models read the step's presynaptic spikes in their tickEnd().
      if (syn.tickEnd !== undefined) pr.notePre(i, mult);
      this.stats.synapticEvents += pr.rowPtr[i + 1] - pr.rowPtr[i];
    }
  }

  // Spikes of the clock tick running now: stamped at this step, delivered right after the tick.
  private tickSpikes = new Float64Array(64);
  private tickCount = 0;
  // Per clock-driven population (parallel to `clocked`): its incoming projections with
  // per-tick synapse models, and the neurons that spiked in its tick of the current step.
  private tickInputs: ProjectionData[][] = [];
  private tickEnds: ProjectionData[][] = [];
  private tickSpiked: Uint32Array[] = [];
  private tickSpikedCount = new Uint32Array(0);
  // On-grid spikes of this step's grid updates (population, neuron, multiplicity), all stamped
  // k+1: one queue entry per step delivers them in emission order (a time slice, not a queue
  // entry per spike).
  private gridSpikes = new Float64Array(192);
  private gridCount = 0;
  private readonly gridBatchHandler: number = -1;

  private emit = (pop: Population, i: number, offset: number, mult: number): void => {
    if (!(offset >= 0 && offset < this.dt)) rejectOffset(pop, offset);
    if (pop.model.timing === 'clock') {
      if (2 * this.tickCount + 2 > this.tickSpikes.length) {
        const grown = new Float64Array(this.tickSpikes.length * 2);
        grown.set(this.tickSpikes);
        this.tickSpikes = grown;
      }
      this.tickSpikes[2 * this.tickCount] = i;
      this.tickSpikes[2 * this.tickCount + 1] = mult;
      this.tickCount++;
      return;
    }
    if (pop.model.timing === 'grid' && offset === 0) {
      if (3 * this.gridCount + 3 > this.gridSpikes.length) {
        const grown = new Float64Array(this.gridSpikes.length * 2);
        grown.set(this.gridSpikes);
        this.gridSpikes = grown;
      }
      const at = 3 * this.gridCount++;
      this.gridSpikes[at] = pop.id;
      this.gridSpikes[at + 1] = i;
      this.gridSpikes[at + 2] = mult;
      return;
    }
    const stamp = pop.model.timing === 'grid' ? this.kernel.step + 1 : this.kernel.step;
    this.kernel.schedule(stamp, offset, Phase.Spike, this.spikeHandler, pop.id, i, mult);
  };

  /** Keeps the loads of {@link touchRows} observable, so the compiler cannot drop them. */
  private touched = 0;

  /**
   * Reads one target index per cache line of every row the batch will deliver. The rows lie
   * scattered in memory much larger than the cache; loading them here, independently of each
   * other, lets their cache misses overlap instead of stalling each row's fan-out in turn.
   */
  private touchRows(spikes: Float64Array, count: number): void {
    let sum = 0;
    for (let j = 0; j < count; j++) {
      const out = this.populations[spikes[3 * j]].outgoing;
      const i = spikes[3 * j + 1];
      for (let q = 0; q < out.length; q++) {
        const { rowPtr, target } = out[q];
        const end = rowPtr[i + 1];
        for (let s = rowPtr[i]; s < end; s += 16) sum += target[s];
      }
    }
    this.touched += sum;
  }

  private deliverGridBatch(step: number): void {
    const spikes = this.gridSpikes;
    const count = this.gridCount;
    this.touchRows(spikes, count);
    for (let j = 0; j < count; j++) this.handle(step, 0, spikes[3 * j], spikes[3 * j + 1], spikes[3 * j + 2]);
    this.gridCount = 0;
  }

  private emitStep(k: number): void {
    const ev = this.eventDriven;
    for (let q = 0; q < ev.length; q++) ev[q].update(k);
  }

  /**
   * Phase 3: the per-tick synapse inputs of the clock populations due at k, then their ticks,
   * each followed by the delivery of its spikes (stamped k, so a grid target over a one-step
   * delay must get them before its own update at k), then the per-tick synapse updates
   * (tickEnd), then the grid updates.
   */
  private updateStep(k: number): void {
    const clocked = this.clocked;
    // Per-tick inputs of every tick first: each reads presynaptic state as it was at the end of
    // step k − 1, whatever the order in which the clock populations tick.
    for (let q = 0; q < clocked.length; q++) {
      const pop = clocked[q];
      const inputs = this.tickInputs[q];
      if (inputs.length === 0 || k % (pop.model.period ?? 1) !== 0) continue;
      const base = (k % pop.ringLength) * pop.n;
      for (let j = 0; j < inputs.length; j++) inputs[j].synapse.tickInput!(inputs[j], inputs[j].state, k, base);
    }
    for (let q = 0; q < clocked.length; q++) {
      const pop = clocked[q];
      if (k % (pop.model.period ?? 1) !== 0) continue;
      this.tickCount = 0;
      pop.update(k);
      const spikes = this.tickSpikes;
      if (this.tickEnds[q].length > 0) {
        if (this.tickSpiked[q].length < this.tickCount) this.tickSpiked[q] = new Uint32Array(2 * this.tickCount);
        const spiked = this.tickSpiked[q];
        for (let j = 0; j < this.tickCount; j++) spiked[j] = spikes[2 * j];
        this.tickSpikedCount[q] = this.tickCount;
      }
      for (let j = 0; j < this.tickCount; j++) this.handle(k, 0, pop.id, spikes[2 * j], spikes[2 * j + 1]);
      this.tickCount = 0;
    }
    // Learning after every tick of the step: a per-tick projection then has all presynaptic
    // spikes stamped k, whichever clock population fired them and in whatever order they tick.
    for (let q = 0; q < clocked.length; q++) {
      const ends = this.tickEnds[q];
      if (ends.length === 0 || k % (clocked[q].model.period ?? 1) !== 0) continue;
      for (let j = 0; j < ends.length; j++) {
        const pr = ends[j];
        pr.synapse.tickEnd!(pr, pr.state, k, this.tickSpiked[q], this.tickSpikedCount[q]);
        pr.tickPreCount = 0;
      }
    }
    const grid = this.grid;
    for (let q = 0; q < grid.length; q++) grid[q].update(k);
    if (this.gridCount > 0) this.kernel.schedule(k + 1, 0, Phase.Spike, this.gridBatchHandler, 0, 0, 0);
    if ((k + 1) % this.finiteCheckInterval === 0) {
      for (const pop of this.populations) pop.checkFinite(this.lastFiniteCheck * this.dt, (k + 1) * this.dt);
      this.lastFiniteCheck = k + 1;
    }
  }

  private recordStep(k: number): void {
    const recs = this.recorders;
    for (let q = 0; q < recs.length; q++) recs[q].record(k);
  }

  /** Sizes ring buffers, attaches spike histories and computes model constants. */
  private prepare(): void {
    const k = this.kernel.step;
    if (this.structureChanged) {
      const maxDelay = new Array<number>(this.populations.length).fill(0);
      const historyHorizon = new Array<number>(this.populations.length).fill(-1);
      for (const pr of this.projections) {
        const t = pr.targetPopulation.id;
        maxDelay[t] = Math.max(maxDelay[t], pr.maxDelay);
        if (pr.synapse.needsPostHistory) {
          // The archive keeps unread spikes by access count; the horizon only bounds the
          // depression lookups (see engine/spike-history.ts).
          historyHorizon[t] = Math.max(historyHorizon[t], pr.maxDelay * this.dt);
        }
      }
      for (const pop of this.populations) {
        pop.connectedPorts = Object.fromEntries(Object.keys(pop.model.ports).map((port) => [port, false]));
      }
      for (const pr of this.projections) {
        const ports = pr.targetPopulation.model.ports;
        for (const port of Object.keys(ports)) {
          if (pr.port === port || (pr.port === null && ports[port].kind === pr.source.model.output && ports[port].sign !== undefined)) {
            pr.targetPopulation.connectedPorts[port] = true;
          }
        }
      }
      for (const pop of this.populations) {
        // Clock targets read one slot further ahead (see ProjectionData.slotBase) and, with a
        // period above one, gather the slots of the steps since their last tick.
        const L = Math.max(2, maxDelay[pop.id] + 1 + (pop.model.timing === 'clock' ? 1 : 0), pop.model.timing === 'clock' ? (pop.model.period ?? 1) + 1 : 0);
        // create() charged 4 ring slots per port; long delays need more, checked before allocating.
        const charged = Math.max(4, pop.ringLength);
        if (L > charged) this.charge((L - charged) * pop.n * Object.keys(pop.model.ports).length * 8, `the ring buffers of '${pop.name}' (longest incoming delay ${L - 1} steps)`);
        pop.prepare(this.dt, L, k, this.emit);
        const h = historyHorizon[pop.id];
        if (h >= 0) {
          if (!pop.p.tau_minus) {
            throw new SimulationError('invalid_connection', `'${pop.name}' (${pop.model.name}) is the target of plastic synapses that need a post-synaptic trace, but the model has no tau_minus parameter.`);
          }
          if (pop.history === null) pop.history = new SpikeHistory(pop.n, pop.p.tau_minus, h);
          else pop.history.horizon = h;
        }
      }
      for (const pr of this.projections) {
        const tgt = pr.targetPopulation;
        const ports = tgt.model.ports;
        if (pr.port === null) {
          const names = Object.keys(ports).filter((p) => ports[p].kind === pr.source.model.output);
          const pos = names.find((p) => ports[p].sign === 'positive')!;
          const neg = names.find((p) => ports[p].sign === 'negative')!;
          pr.bufPos = tgt.buffers[pos];
          pr.bufNeg = tgt.buffers[neg];
        } else {
          pr.bufPos = tgt.buffers[pr.port];
          pr.bufNeg = tgt.buffers[pr.port];
        }
        pr.ringLength = tgt.ringLength;
        pr.postHistory = tgt.history;
        pr.inbox = tgt.inbox;
        pr.clockTarget = tgt.model.timing === 'clock' ? 1 : 0;
        if (tgt.inbox !== null && pr.source.model.independentTargets) {
          throw new SimulationError(
            'invalid_connection',
            `'${pr.source.name}' (${pr.source.model.name}) draws its output per target and cannot drive the event-driven '${tgt.name}' (${tgt.model.name}) directly; put a parrot_neuron in between.`,
          );
        }
      }
      this.tickInputs = this.clocked.map((pop) => this.projections.filter((pr) => pr.targetPopulation === pop && pr.synapse.tickInput !== undefined));
      this.tickEnds = this.clocked.map((pop) => this.projections.filter((pr) => pr.targetPopulation === pop && pr.synapse.tickEnd !== undefined));
      this.tickSpiked = this.clocked.map((pop, q) => this.tickSpiked[q] ?? new Uint32Array(pop.n));
      this.tickSpikedCount = new Uint32Array(this.clocked.length);
      this.structureChanged = false;
    } else {
      for (const pop of this.populations) if (pop.dirty) pop.prepare(this.dt, pop.ringLength, k, this.emit);
    }
  }

  /**
   * Advances the network by `durationMs` (a multiple of dt). Resumable: two calls of T/2
   * give the same result as one call of T.
   */
  simulate(durationMs: number, options: { onProgress?: (doneMs: number, totalMs: number) => void; progressEveryMs?: number } = {}): void {
    this.assertOpen();
    const steps = this.toSteps(durationMs, 'simulate() duration');
    if (steps < 0) throw new SimulationError('invalid_value', `simulate() duration must be >= 0, got ${durationMs} ms.`);
    this.prepare();
    const start = this.kernel.step;
    const end = start + steps;
    const cb = options.onProgress;
    if (!cb) {
      this.kernel.run(end);
    } else {
      const every = Math.max(1, Math.round((options.progressEveryMs ?? durationMs / 100) / this.dt));
      this.kernel.run(end, (k) => {
        const done = k + 1 - start;
        if (done % every === 0 || k + 1 === end) cb(done * this.dt, durationMs);
      });
    }
    // Every run ends checked, whatever the interval: no NaN leaves simulate() unreported.
    if (this.lastFiniteCheck < end) {
      for (const pop of this.populations) pop.checkFinite(this.lastFiniteCheck * this.dt, end * this.dt);
      this.lastFiniteCheck = end;
    }
  }

  /** Flushes and closes every recorder; the network cannot run afterwards. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const r of this.recorders) await r.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new SimulationError('invalid_state', 'this network was closed; build a new Network to simulate again.');
  }

  /** Bytes held by all built connection arrays, divided by the number of synapses. */
  get bytesPerSynapse(): number {
    let bytes = 0;
    let n = 0;
    for (const pr of this.projections) {
      bytes += pr.byteLength;
      n += pr.size;
    }
    return n === 0 ? 0 : bytes / n;
  }

  /** Total number of synapses. */
  get synapseCount(): number {
    let n = 0;
    for (const pr of this.projections) n += pr.size;
    return n;
  }

  /** The population with global node id `id`, and the local index. */
  locate(id: number): { population: Population; index: number } {
    for (const p of this.populations) if (id >= p.firstId && id < p.firstId + p.n) return { population: p, index: id - p.firstId };
    throw new SimulationError('invalid_value', `no neuron has global id ${id}; ids run from 0 to ${this.nextId - 1}.`);
  }

  /**
   * All connections as an Arrow table: source and target (global ids, Uint32), weight
   * (Float64), delay_ms (Float64), synapse_model (Dictionary<Utf8>); in projection order,
   * then by source, then in generation order.
   */
  getConnections(): Table {
    const total = this.synapseCount;
    const source = new Uint32Array(total);
    const target = new Uint32Array(total);
    const weight = new Float64Array(total);
    const delay = new Float64Array(total);
    const modelKey = new Int32Array(total);
    const modelNames: string[] = [];
    let o = 0;
    for (const pr of this.projections) {
      let key = modelNames.indexOf(pr.synapse.name);
      if (key < 0) {
        modelNames.push(pr.synapse.name);
        key = modelNames.length - 1;
      }
      const first = pr.source.firstId;
      const tFirst = pr.targetPopulation.firstId;
      for (let i = 0; i < pr.source.n; i++) {
        for (let s = pr.rowPtr[i]; s < pr.rowPtr[i + 1]; s++, o++) {
          source[o] = first + i;
          target[o] = tFirst + pr.target[s];
          weight[o] = pr.weight[s];
          delay[o] = this.stepToMs(pr.delay[s]);
          modelKey[o] = key;
        }
      }
    }
    // Explicit dictionary id: apache-arrow's default comes from a process-wide counter.
    const dictType = new Dictionary(new Utf8(), new Int32(), 0);
    const fields = [
      new Field('source', new Uint32(), false),
      new Field('target', new Uint32(), false),
      new Field('weight', new Float64(), false),
      new Field('delay_ms', new Float64(), false),
      new Field('synapse_model', dictType, false),
    ];
    const schema = new Schema(fields, new Map([['dt_ms', String(this.dt)], ['engine', ENGINE_NAME], ['engine_version', ENGINE_VERSION]]));
    const dictionary = makeVector(vectorFromArray(modelNames, new Utf8()).data[0]);
    const children = [
      makeData({ type: new Uint32(), length: total, data: source }),
      makeData({ type: new Uint32(), length: total, data: target }),
      makeData({ type: new Float64(), length: total, data: weight }),
      makeData({ type: new Float64(), length: total, data: delay }),
      makeData({ type: dictType, length: total, data: modelKey, dictionary }),
    ];
    const data = makeData({ type: new Struct(fields), length: total, children });
    return new Table(schema, [new RecordBatch(schema, data)]);
  }
}

/** The error of a spike emitted outside its step; out of line, as emit runs for every spike. */
function rejectOffset(pop: Population, offset: number): never {
  throw new SimulationError('invalid_value', `model '${pop.model.name}' emitted a spike with offset ${offset} ms; offsets must lie in [0, dt).`);
}
