/**
 * The wta-sequence protocol (spec §3): build the grid, a 5 s test before learning, training,
 * then tests A and B with learning off; optionally the same with variance tracking off as a
 * control. Writes the experiment's Arrow files while it runs and returns the measures; prints
 * nothing.
 */
import { join } from 'node:path';
import type { RandomStreams } from '../../engine/index.js';
import type { CommonOptions, RunHooks, RunResult } from '../experiment.js';
import { createSimulation, Network } from './network.js';
import { InputGenerator } from './input-generator.js';
import { WtaFiles, type RunName } from './outputs.js';
import {
  linearReadout,
  stateTraceFromSpikes,
  summarizeTestRun,
  wtaTotalRates,
} from './analysis.js';
import type { Phase } from './types.js';
import { Recorder, type Recording } from './recorder.js';
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

/** The recorded activity of one run, as the figures need it. */
export type RunRecord = Pick<Recording, 'spikes' | 'inputs' | 'phases' | 'steps'> & {
  /** First step of the recorded window (training keeps only its last test-length window). */
  windowStart: number;
};

/** What `run wta-sequence` returns. */
export interface WtaResult extends RunResult {
  main: ProtocolResult;
  control: ProtocolResult | null;
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
  const recorder = new Recorder(net, { dtRec: o.dtRec });
  const streams: RandomStreams = sim.streams;
  const trainGen = new InputGenerator({ nInputs: net.nInputs }, streams);
  const gens: Record<RunName, InputGenerator> = {
    before: trainGen.forTest(0, 'input/before'),
    train: trainGen,
    test_a: trainGen.forTest(0, 'input/test_a'),
    test_b: trainGen.forTest(1, 'input/test_b'),
  };
  const testSteps = Math.round(o.tTest * 1000);
  const trainSteps = Math.round(o.tTrain * 1000);
  const runs = {} as Record<RunName, RunRecord>;
  const blocks: Record<string, unknown> = {};
  const recordings: Partial<Record<RunName, Recording>> = {};
  let trainWall = 0;
  let trainRates: Float64Array = new Float64Array(0);

  for (const run of ['before', 'train', 'test_a', 'test_b'] as const) {
    const train = run === 'train';
    const key = WtaFiles.runKey(run);
    const t0 = performance.now();
    let reported = 0;
    const rec = recorder.runNetwork({
      inpgen: gens[run],
      tSim: train ? trainSteps : testSteps,
      train,
      onWeights: (t, w) => {
        for (let s = 0; s < w.w.length; s++) files.weights.append([key, t, w.pre[s], w.post[s], w.isInput[s], w.w[s], w.S[s], w.Q[s]]);
      },
      onTick:
        files.state === null
          ? undefined
          : (t, rho) => {
              if (t % o.stateEvery !== 0) return;
              const u = net.neurons.s.u;
              for (let k = 0; k < net.size; k++) files.state!.append([key, t, k, u[k], rho[k]]);
            },
      onProgress: (done) => {
        progress((done - reported) / 1000);
        reported = done;
      },
    });
    if (train) trainWall = (performance.now() - t0) / 1000;
    recordings[run] = rec;
    const steps = rec.steps;
    for (const p of rec.phases) files.phases.append([key, p.start, p.end, p.patternId, p.sequenceId]);
    for (let j = 0; j < rec.spikes.steps.length; j++) files.spikes.append([key, rec.spikes.steps[j], rec.spikes.ids[j], net.wtaOf[rec.spikes.ids[j]]]);
    for (let j = 0; j < rec.inputs.steps.length; j++) files.inputs.append([key, rec.inputs.steps[j], rec.inputs.channels[j], rec.inputs.kinds[j]]);
    if (train) {
      trainRates = wtaTotalRates(rec.spikes, net.wtaOf, net.nWta, steps);
      // Keep the last test-length window of training for the raster.
      runs.train = windowOf(rec, Math.max(0, steps - testSteps), steps);
    } else {
      const weights = net.getWeights();
      const wIn: number[] = [];
      const wRec: number[] = [];
      for (let s = 0; s < weights.w.length; s++) (weights.isInput[s] ? wIn : wRec).push(weights.w[s]);
      blocks[run] = summarizeTestRun({
        spikes: rec.spikes,
        inputSpikes: { steps: Int32Array.from(rec.inputs.steps), ids: Int32Array.from(rec.inputs.channels) },
        nNeurons: net.size,
        nInputs: net.nInputs,
        wtaOf: net.wtaOf,
        nWta: net.nWta,
        patternTrace: rec.patternTrace,
        phases: rec.phases,
        rates: rec.rates!,
        spikeProbability: o.spikeProb,
        wInput: wIn,
        wRecurrent: wRec,
      });
      runs[run] = { spikes: rec.spikes, inputs: rec.inputs, phases: rec.phases, steps, windowStart: 0 };
    }
  }
  await files.close();

  const a = recordings.test_a!;
  const b = recordings.test_b!;
  const order = recorder.getOrder(a);
  const statesA = stateTraceFromSpikes(a.spikes, net.size, a.steps);
  const statesB = stateTraceFromSpikes(b.spikes, net.size, b.steps);
  const readout = linearReadout(statesA, a.patternTrace, statesB, b.patternTrace, net.size, 20);
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

function windowOf(rec: Recording, from: number, to: number): RunRecord {
  const steps: number[] = [];
  const ids: number[] = [];
  for (let j = 0; j < rec.spikes.steps.length; j++) {
    if (rec.spikes.steps[j] >= from) {
      steps.push(rec.spikes.steps[j] - from);
      ids.push(rec.spikes.ids[j]);
    }
  }
  const inp = { steps: [] as number[], channels: [] as number[], kinds: [] as number[] };
  for (let j = 0; j < rec.inputs.steps.length; j++) {
    if (rec.inputs.steps[j] >= from) {
      inp.steps.push(rec.inputs.steps[j] - from);
      inp.channels.push(rec.inputs.channels[j]);
      inp.kinds.push(rec.inputs.kinds[j]);
    }
  }
  const ph = rec.phases.filter((p) => p.end > from).map((p) => ({ ...p, start: Math.max(0, p.start - from), end: p.end - from }));
  return { spikes: { steps: Int32Array.from(steps), ids: Int32Array.from(ids) }, inputs: inp, phases: ph, steps: to - from, windowStart: from };
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
