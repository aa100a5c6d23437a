/**
 * The wta-sequence protocol (spec §3): build the grid, a 5 s test before learning, training,
 * then tests A and B with learning off; optionally the same with variance tracking off as a
 * control. Writes the experiment's Arrow files while it runs and returns the measures; prints
 * nothing.
 */
import { join } from 'node:path';
import type { RandomStreams, SpikeSink } from '../../engine/index.js';
import type { CommonOptions, RunHooks, RunResult } from '../experiment.js';
import { createSimulation, Network } from './network.js';
import { InputGenerator } from './input-generator.js';
import { WtaFiles, type RunName } from './outputs.js';
import {
  getOrder,
  linearReadout,
  stateTraceFromSpikes,
  summarizeTestRun,
  wtaTotalRates,
  type RunSpikes,
} from './analysis.js';
import type { InputSource, Phase } from './types.js';
import { gridShape, type WtaOptions } from './options.js';

/** Everything one protocol run measured, for summary.json and the figures. */
export interface ProtocolResult {
  summary: Record<string, unknown>;
  /** Per run: spikes, input spikes, phases, length in steps (for the rasters). */
  runs: Record<RunName, RunRecord>;
  /** Neuron ids ordered by activation time in test A. */
  order: Int32Array;
  gridShape: [number, number];
  wtaSizes: number[];
  trainWallclockS: number;
  seed: number;
}

/** The recorded activity of one run. */
export interface RunRecord {
  spikes: RunSpikes;
  inputs: { steps: number[]; channels: number[]; kinds: number[] };
  phases: Phase[];
  steps: number;
  /** First step of the recorded window (training keeps only its last test-length window). */
  windowStart: number;
}

/** What `run wta-sequence` returns. */
export interface WtaResult extends RunResult {
  main: ProtocolResult;
  control: ProtocolResult | null;
}

/** Records what an input source plays, step by step. */
class RecordingInput implements InputSource {
  readonly steps: number[] = [];
  readonly channels: number[] = [];
  readonly kinds: number[] = [];
  constructor(private readonly gen: InputGenerator) {}
  get nInputs(): number {
    return this.gen.nInputs;
  }
  next(t: number): ArrayLike<number> {
    const ch = this.gen.next(t);
    const kinds = this.gen.kinds;
    for (let j = 0; j < ch.length; j++) {
      this.steps.push(t);
      this.channels.push(ch[j]);
      this.kinds.push(kinds[j]);
    }
    return ch;
  }
}

/** Collects the network's spikes of the current run (steps relative to the run start). */
class SpikeLog implements SpikeSink {
  steps: number[] = [];
  ids: number[] = [];
  start = 0;
  onSpike(_pop: unknown, i: number, step: number): void {
    this.steps.push(step - this.start);
    this.ids.push(i);
  }
  reset(start: number): void {
    this.steps = [];
    this.ids = [];
    this.start = start;
  }
}

/** Runs the experiment (and its control when asked). */
export async function runWta(o: WtaOptions & CommonOptions, hooks: RunHooks = {}): Promise<WtaResult> {
  if (o.kMin > o.kMax) throw new RangeError(`kMin (${o.kMin}) must not exceed kMax (${o.kMax}).`);
  const wall0 = performance.now();
  const totalS = (o.withControl ? 2 : 1) * (o.tTrain + 3 * o.tTest);
  let doneS = 0;
  const progress = (s: number) => {
    doneS += s;
    hooks.progress?.(Math.min(doneS, totalS), totalS, 's simulated');
  };
  const main = await runProtocol(o, o.varianceTracking, o.out, progress);
  const control = o.withControl ? await runProtocol(o, false, o.out === null ? null : join(o.out, 'control'), progress) : null;
  const a = main.summary.test_a as Record<string, number>;
  const trainRates = main.summary.wta_train_rate_hz as number[];
  const acceptance = {
    frac_gt_2x_ok: a.frac_neurons_rate_pattern_gt_2x_noise >= 0.25,
    frac_lt_half_ok: a.frac_neurons_rate_pattern_lt_half_noise >= 0.35,
    reliability_ok: a.n_pattern_presentations >= 6 && a.psth_reliability_odd_even_mean >= 0.6,
    control_frac_ok: control ? (control.summary.test_a as Record<string, number>).frac_neurons_rate_pattern_gt_2x_noise < 0.05 : null,
    control_reliability_ok: control ? !((control.summary.test_a as Record<string, number>).psth_reliability_odd_even_mean >= 0.2) : null,
    wta_rate_ok: trainRates.every((r) => r >= 90 && r <= 110),
  };
  return {
    summary: {
      ...main.summary,
      train_wallclock_s: main.trainWallclockS,
      ...(control ? { control: control.summary.test_a } : {}),
      acceptance,
    },
    wall_time_s: (performance.now() - wall0) / 1000,
    main,
    control,
  };
}

/** One protocol: build, test before, train, test A and B. */
async function runProtocol(o: WtaOptions & CommonOptions, vt: boolean, out: string | null, progress: (s: number) => void): Promise<ProtocolResult> {
  const sim = createSimulation({ seed: o.seed });
  const net = new Network(sim, {
    gridShape: gridShape(o),
    kMin: o.kMin,
    kMax: o.kMax,
    nInputs: o.nInputs,
    useVarianceTracking: vt,
    stpVariant: o.stpVariant,
    spikeProbability: o.spikeProb,
    stpInTest: o.stpInTest,
  });
  const files = new WtaFiles(out, o.seed, o.recordState);
  const log = new SpikeLog();
  sim.addSpikeSink(net.neurons, log);
  const streams: RandomStreams = sim.streams;
  const trainGen = new InputGenerator({ nInputs: net.nInputs }, streams);
  const gens: Record<RunName, InputGenerator> = {
    before: trainGen.forTest(0, 'input/before'),
    train: trainGen,
    test_a: trainGen.forTest(0, 'input/test_a'),
    test_b: trainGen.forTest(1, 'input/test_b'),
  };
  const rMax = net.options.rMax;
  const testSteps = Math.round(o.tTest * 1000);
  const trainSteps = Math.round(o.tTrain * 1000);
  const runs = {} as Record<RunName, RunRecord>;
  const blocks: Record<string, unknown> = {};
  const rates: Partial<Record<RunName, Float64Array>> = {};
  let trainWall = 0;
  let trainRates: Float64Array = new Float64Array(0);

  for (const run of ['before', 'train', 'test_a', 'test_b'] as const) {
    const train = run === 'train';
    const steps = train ? trainSteps : testSteps;
    const key = WtaFiles.runKey(run);
    net.setTraining(train);
    // Every test starts from rest (traces cleared, STP recovered; u keeps its value).
    if (!train) net.resetState();
    const input = new RecordingInput(gens[run]);
    net.setInput(input);
    log.reset(sim.step);
    writeWeights(files, key, 0, net);
    const r = train ? null : new Float64Array(steps * net.size);
    const t0 = performance.now();
    let t = 0;
    while (t < steps) {
      if (r !== null || files.state !== null) {
        // Tests (and state recording) read the rate fractions after every tick.
        sim.simulate(1);
        const rho = net.getRateFractions();
        if (r !== null) for (let k = 0; k < rho.length; k++) r[t * net.size + k] = rMax * rho[k];
        if (files.state !== null && t % o.stateEvery === 0) writeState(files, key, t, net, rho);
        t++;
        if (t % 1000 === 0) progress(1);
      } else {
        const chunk = Math.min(1000, steps - t, o.dtRec - (t % o.dtRec) || o.dtRec);
        sim.simulate(chunk);
        t += chunk;
        if (t % 1000 === 0) progress(1);
        if (t % o.dtRec === 0 && t < steps) writeWeights(files, key, t, net);
      }
    }
    if (train) trainWall = (performance.now() - t0) / 1000;
    progress((steps % 1000) / 1000);
    writeWeights(files, key, steps, net);
    net.setInput(null);
    const gen = gens[run];
    const phases = gen.phaseTimes.filter((p) => p.start < steps).map((p) => ({ ...p, end: Math.min(p.end, steps) }));
    for (const p of phases) files.phases.append([key, p.start, p.end, p.patternId, p.sequenceId]);
    for (let j = 0; j < log.steps.length; j++) files.spikes.append([key, log.steps[j], log.ids[j], net.wtaOf[log.ids[j]]]);
    for (let j = 0; j < input.steps.length; j++) files.inputs.append([key, input.steps[j], input.channels[j], input.kinds[j]]);
    const spikes: RunSpikes = { steps: Int32Array.from(log.steps), ids: Int32Array.from(log.ids) };
    const inputSpikes: RunSpikes = { steps: Int32Array.from(input.steps), ids: Int32Array.from(input.channels) };
    if (train) {
      trainRates = wtaTotalRates(spikes, net.wtaOf, net.nWta, steps);
      // Keep the last test-length window of training for the raster.
      const from = Math.max(0, steps - testSteps);
      runs.train = windowOf(spikes, input, phases, from, steps);
    } else {
      rates[run] = r!;
      const weights = net.getWeights();
      const wIn: number[] = [];
      const wRec: number[] = [];
      for (let s = 0; s < weights.w.length; s++) (weights.isInput[s] ? wIn : wRec).push(weights.w[s]);
      blocks[run] = summarizeTestRun({
        spikes,
        inputSpikes,
        nNeurons: net.size,
        nInputs: net.nInputs,
        wtaOf: net.wtaOf,
        nWta: net.nWta,
        patternTrace: gen.patternTrace.subarray(0, steps),
        phases,
        rates: r!,
        spikeProbability: o.spikeProb,
        wInput: wIn,
        wRecurrent: wRec,
      });
      runs[run] = { spikes, inputs: { steps: input.steps, channels: input.channels, kinds: input.kinds }, phases, steps, windowStart: 0 };
    }
  }
  await files.close();

  const a = runs.test_a;
  const order = getOrder(rates.test_a!, net.size, a.phases).order;
  const statesA = stateTraceFromSpikes(a.spikes, net.size, a.steps);
  const statesB = stateTraceFromSpikes(runs.test_b.spikes, net.size, runs.test_b.steps);
  const readout = linearReadout(statesA, gens.test_a.patternTrace.subarray(0, a.steps), statesB, gens.test_b.patternTrace.subarray(0, runs.test_b.steps), net.size, 20);
  const structure = structureBlock(net);
  return {
    summary: {
      variance_tracking: vt,
      structure,
      before: blocks.before,
      test_a: blocks.test_a,
      test_b: blocks.test_b,
      wta_train_rate_hz: Array.from(trainRates),
      readout_pattern_vs_noise_corr: readout.r,
    },
    runs,
    order,
    gridShape: net.gridShape,
    wtaSizes: [...net.wtaSizes],
    trainWallclockS: trainWall,
    seed: o.seed,
  };
}

function windowOf(spikes: RunSpikes, input: RecordingInput, phases: Phase[], from: number, to: number): RunRecord {
  const steps: number[] = [];
  const ids: number[] = [];
  for (let j = 0; j < spikes.steps.length; j++) {
    if (spikes.steps[j] >= from) {
      steps.push(spikes.steps[j] - from);
      ids.push(spikes.ids[j]);
    }
  }
  const inp = { steps: [] as number[], channels: [] as number[], kinds: [] as number[] };
  for (let j = 0; j < input.steps.length; j++) {
    if (input.steps[j] >= from) {
      inp.steps.push(input.steps[j] - from);
      inp.channels.push(input.channels[j]);
      inp.kinds.push(input.kinds[j]);
    }
  }
  const ph = phases.filter((p) => p.end > from).map((p) => ({ ...p, start: Math.max(0, p.start - from), end: p.end - from }));
  return { spikes: { steps: Int32Array.from(steps), ids: Int32Array.from(ids) }, inputs: inp, phases: ph, steps: to - from, windowStart: from };
}

function writeWeights(files: WtaFiles, key: number, t: number, net: Network): void {
  const w = net.getWeights();
  for (let s = 0; s < w.w.length; s++) files.weights.append([key, t, w.pre[s], w.post[s], w.isInput[s], w.w[s], w.S[s], w.Q[s]]);
}

function writeState(files: WtaFiles, key: number, t: number, net: Network, rho: Float64Array): void {
  const u = net.neurons.s.u;
  for (let k = 0; k < net.size; k++) files.state!.append([key, t, k, u[k], rho[k]]);
}

/** The `structure` block of summary.json. */
function structureBlock(net: Network): Record<string, unknown> {
  const dist = net.pairDistances();
  const hist: number[] = [];
  for (const d of dist) {
    const b = Math.floor(d);
    while (hist.length <= b) hist.push(0);
    hist[b]++;
  }
  const mean = (a: ArrayLike<number>, from: number) => {
    let s = 0;
    for (let i = from; i < a.length; i++) s += a[i];
    return a.length > from ? s / (a.length - from) : NaN;
  };
  // STP parameters are per source: inputs first, then the neurons (the recurrent sources).
  const first = net.nInputs;
  return {
    tsize: net.size,
    wta_sizes: [...net.wtaSizes],
    n_wta_pairs_connected: net.pairs.length,
    n_recurrent_synapses: net.recurrentProjection?.size ?? 0,
    n_input_synapses: net.inputProjection.size,
    conn_distance_hist: hist,
    stp_mean_u: mean(net.stpParams.U, first),
    stp_mean_d_ms: mean(net.stpParams.D, first),
    stp_mean_f_ms: mean(net.stpParams.F, first),
  };
}
