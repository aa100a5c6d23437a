/**
 * The original's Recorder: runs the network for a while with an input generator, records the
 * spikes of a chosen set of neurons, the input spikes and phases and (when asked) the model
 * rates, and orders the neurons by their activation time in the pattern.
 */
import type { RandomStream, SpikeSink } from '../../engine/index.js';
import type { PopulationView } from '../../engine/population.js';
import type { Network, WeightSnapshot } from './network.js';
import { getOrder, type RunSpikes } from './analysis.js';
import type { InputSource, Phase } from './types.js';

/** An input source that also reports kinds and traces (the InputGenerator). */
export interface TracedInput extends InputSource {
  readonly kinds: ArrayLike<number>;
  readonly patternTrace: ArrayLike<number>;
  readonly phaseTimes: readonly Phase[];
  /** Steps played in the current run (0 for a fresh source). */
  readonly t?: number;
  /** Starts a new run at t = 0. */
  reset?(): void;
}

/** Options of a {@link Recorder}. */
export interface RecorderOptions {
  /** Order the recorded neurons by activation time after each run (default true). */
  orderNeurons?: boolean;
  /** Interval of weight snapshots during training runs (ms; default 10 000). */
  dtRec?: number;
}

/** Options of {@link Recorder.runNetwork}. */
export interface RunNetworkOptions {
  /** The input generator (or any traced input source) for this run. */
  inpgen: TracedInput;
  /** Duration (ms; default 5000). */
  tSim?: number;
  /** Learning on (default true). Test runs (false) start from rest (`resetState`). */
  train?: boolean;
  /** Neurons to record; else `nodeCollection`, else `readoutSize` random ones, else all. */
  idList?: ArrayLike<number>;
  nodeCollection?: PopulationView;
  readoutSize?: number;
  /** Overrides of the recorder's options for this run. */
  dtRec?: number;
  orderNeurons?: boolean;
  /** Record the model rates r_k(t) every step (needed for ordering; default true in tests). */
  recordRates?: boolean;
  /** Called with the weights at the start, every dtRec in training, and at the end (step, snapshot). */
  onWeights?: (t: number, w: WeightSnapshot) => void;
  /** Called after every tick with the step and the rate fractions, when given. */
  onTick?: (t: number, rho: Float64Array) => void;
  /** Called after every simulated second. */
  onProgress?: (doneMs: number, totalMs: number) => void;
}

/** What one run recorded. */
export interface Recording {
  /** The recorded neurons, ascending (or in activation order when ordered). */
  idList: Int32Array;
  /** Spikes of every neuron (steps from the start of the run). */
  spikes: RunSpikes;
  /** Input spikes with their kinds. */
  inputs: { steps: number[]; channels: number[]; kinds: number[] };
  phases: Phase[];
  patternTrace: Int16Array;
  /** Model rates r_k(t) in Hz, step-major, or null. */
  rates: Float64Array | null;
  steps: number;
}

class RecordingInput implements InputSource {
  readonly steps: number[] = [];
  readonly channels: number[] = [];
  readonly kinds: number[] = [];
  constructor(private readonly source: TracedInput) {}
  get nInputs(): number {
    return this.source.nInputs;
  }
  next(t: number): ArrayLike<number> {
    const ch = this.source.next(t);
    const kinds = this.source.kinds;
    for (let j = 0; j < ch.length; j++) {
      this.steps.push(t);
      this.channels.push(ch[j]);
      this.kinds.push(kinds[j]);
    }
    return ch;
  }
}

class SpikeLog implements SpikeSink {
  steps: number[] = [];
  ids: number[] = [];
  start = 0;
  onSpike(_pop: unknown, i: number, step: number): void {
    this.steps.push(step - this.start);
    this.ids.push(i);
  }
}

/** Records runs of one wta-sequence {@link Network}. */
export class Recorder {
  private options: Required<RecorderOptions>;
  private readonly log = new SpikeLog();
  private readonly sampler: RandomStream;
  private last: Recording | null = null;

  constructor(
    readonly network: Network,
    options: RecorderOptions = {},
  ) {
    this.options = { orderNeurons: true, dtRec: 10000, ...options };
    network.sim.addSpikeSink(network.neurons, this.log);
    this.sampler = network.sim.streams.stream('record');
  }

  /** Changes recorder options. */
  set(options: RecorderOptions): void {
    this.options = { ...this.options, ...options };
  }

  /** Forgets the last recording. */
  resetRecorders(): void {
    this.last = null;
    this.log.steps = [];
    this.log.ids = [];
  }

  /** Runs the network for `tSim` ms and returns what was recorded. */
  runNetwork(o: RunNetworkOptions): Recording {
    const net = this.network;
    const sim = net.sim;
    const steps = Math.round(o.tSim ?? 5000);
    const train = o.train ?? true;
    const dtRec = Math.round(o.dtRec ?? this.options.dtRec);
    const recordRates = o.recordRates ?? !train;
    net.setTraining(train);
    if (!train) net.resetState();
    // A source used by an earlier run starts a new one (its random stream continues).
    if (o.inpgen.t !== undefined && o.inpgen.t > 0) o.inpgen.reset?.();
    const input = new RecordingInput(o.inpgen);
    net.setInput(input);
    this.log.steps = [];
    this.log.ids = [];
    this.log.start = sim.step;
    o.onWeights?.(0, net.getWeights());
    const rMax = net.options.rMax;
    const rates = recordRates ? new Float64Array(steps * net.size) : null;
    const perStep = recordRates || o.onTick !== undefined;
    let t = 0;
    while (t < steps) {
      if (perStep) {
        sim.simulate(1);
        const rho = net.getRateFractions();
        if (rates !== null) for (let k = 0; k < rho.length; k++) rates[t * net.size + k] = rMax * rho[k];
        o.onTick?.(t, rho);
        t++;
      } else {
        // Whole seconds at a time, cut at weight snapshots.
        const chunk = Math.min(1000 - (t % 1000), steps - t, train ? dtRec - (t % dtRec) : Infinity);
        sim.simulate(chunk);
        t += chunk;
      }
      if (t % 1000 === 0 || t === steps) o.onProgress?.(t, steps);
      if (train && t % dtRec === 0 && t < steps) o.onWeights?.(t, net.getWeights());
    }
    o.onWeights?.(steps, net.getWeights());
    net.setInput(null);
    const phases = o.inpgen.phaseTimes.filter((p) => p.start < steps).map((p) => ({ ...p, end: Math.min(p.end, steps) }));
    const recording: Recording = {
      idList: this.chooseIds(o),
      spikes: { steps: Int32Array.from(this.log.steps), ids: Int32Array.from(this.log.ids) },
      inputs: { steps: input.steps, channels: input.channels, kinds: input.kinds },
      phases,
      patternTrace: Int16Array.from({ length: steps }, (_, k) => o.inpgen.patternTrace[k]),
      rates,
      steps,
    };
    if ((o.orderNeurons ?? this.options.orderNeurons) && rates !== null) recording.idList = this.orderOf(recording, recording.idList);
    this.last = recording;
    return recording;
  }

  /** The recorded neurons ordered by activation time in the last (or given) recording. */
  getOrder(recording: Recording | null = this.last): Int32Array {
    if (recording === null || recording.rates === null) throw new Error('getOrder() needs a recording with rates (a test run, or recordRates: true).');
    return this.orderOf(recording, recording.idList);
  }

  /** Largest deviation of a WTA's rate fractions from summing to 1 (throws above 1e-9). */
  verifyRateFractions(): number {
    return this.network.verifyRateFractions();
  }

  private orderOf(rec: Recording, ids: Int32Array): Int32Array {
    const all = getOrder(rec.rates!, this.network.size, rec.phases).order;
    const keep = new Set(ids);
    return Int32Array.from(Array.from(all).filter((k) => keep.has(k)));
  }

  private chooseIds(o: RunNetworkOptions): Int32Array {
    const n = this.network.size;
    if (o.idList) return Int32Array.from(o.idList).sort();
    if (o.nodeCollection) return Int32Array.from(o.nodeCollection.indices).sort();
    if (o.readoutSize !== undefined) {
      const k = Math.min(n, o.readoutSize);
      const pool = Array.from({ length: n }, (_, i) => i);
      // Partial Fisher-Yates on the 'record' stream, then sorted.
      for (let i = 0; i < k; i++) {
        const j = i + this.sampler.int(n - i);
        [pool[i], pool[j]] = [pool[j], pool[i]];
      }
      return Int32Array.from(pool.slice(0, k)).sort();
    }
    return Int32Array.from({ length: n }, (_, i) => i);
  }
}
