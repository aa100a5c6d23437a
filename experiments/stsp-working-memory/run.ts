/**
 * The stsp-working-memory commands without the terminal: train (then analyse), analyse a
 * saved model, simulate a saved model or the STP protocols. Each returns what it measured;
 * files go to the folders of spec §6 (DIR/summary.json, the task's files in DIR/<task>/).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { SimulationError } from '../../engine/errors.js';
import type { StspRnn } from '../../models/stsp_rnn.js';
import { TsodyksMarkramStp } from '../../synapses/tsodyks_markram_stp.js';
import {
  analysisBatches,
  batchAccuracy,
  calculateResponseMatrix,
  calculateSvms,
  calculateTuning,
  meanDecoding,
  meanHByEpoch,
  meanShuffle,
  simulateBatch,
  simulateNetwork,
  type AnalysisLevel,
  type DecodingRow,
  type ResponseRow,
  type ShuffleRow,
  type TuningRow,
} from './analysis.js';
import { loadModel, modelToJSON, saveModel } from './model-io.js';
import { parametersOf, type AnalyzeOptions, type SimulateOptions, type TrainOptions } from './options.js';
import { baseOf, type Par } from './parameters.js';
import { writeDecoding, writeResponseMatrix, writeShuffle, writeStateTrace, writeTrainingCurve, writeTuning } from './outputs.js';
import { writeDecodingSvg, writeShuffleSvg, writeTrainingCurveSvg } from './plots.js';
import { generateTrial } from './stimulus.js';
import { newAdam, train, type CurveRow } from './train.js';

/** Progress callbacks of the commands. */
export interface StspHooks {
  /** After each training iteration. */
  iteration?(row: CurveRow, done: number, total: number, secondsPerIteration: number): void;
  /** A stage of the analyses finished. */
  analysis?(label: string): void;
}

/** The analysis measures (analysis_summary.json, and part of summary.json). */
export type AnalysisSummary = Record<string, unknown>;

/** Everything the analyses produce. */
export interface AnalysisResult {
  summary: AnalysisSummary;
  decoding: DecodingRow[];
  shuffle: ShuffleRow[];
  tuning: TuningRow[];
  response: ResponseRow[] | null;
}

/**
 * analyzeModel: accuracy on fresh standard and test-mode batches, mean h by epoch, decoding,
 * tuning and the shuffles (and, at level 'full', the response matrix under silencing).
 */
export function analyzeModel(
  par: Par,
  net: StspRnn,
  o: { seed: number; level: AnalysisLevel; trials: number; progress?: (label: string) => void; steps?: number[]; shuffleSets?: Array<'standard' | 'test_mode'>; onsets?: number[] },
): AnalysisResult {
  const ao = { seed: o.seed, level: o.level, trials: o.trials, progress: o.progress, steps: o.steps, shuffleSets: o.shuffleSets };
  const batches = analysisBatches(par, net, ao);
  o.progress?.('analysis batches simulated');
  const acc = batchAccuracy(par, batches.standard);
  const accTest = batchAccuracy(par, batches.testMode).accuracy;
  const perRule = Array.from({ length: par.num_rules }, (_, r) => batchAccuracy(par, batches.standard, r).accuracy);
  const decoding = calculateSvms(par, batches.testMode, ao);
  const tuning = calculateTuning(par, batches.testMode);
  o.progress?.('tuning');
  const onsets = [par.sample_end, par.test_onset];
  const shuffle = simulateNetwork(par, net, batches.perRule, ao, o.onsets ?? onsets);
  const response = o.level === 'full' ? calculateResponseMatrix(par, net, batches.testMode, ao) : null;
  const late: [number, number] = [Math.max(0, par.delay_end - 10), par.delay_end];
  const summary: AnalysisSummary = {
    accuracy: acc.accuracy,
    accuracy_match: acc.accuracy_match,
    accuracy_non_match: acc.accuracy_non_match,
    accuracy_test_mode: accTest,
    accuracy_per_rule: perRule,
    mean_h_by_epoch: meanHByEpoch(par, batches.standard.tape),
    decoding_reps: o.level === 'full' ? 100 : 10,
    decoding_neuronal_late_delay: meanDecoding(decoding, 'neuronal', par.num_rules, late[0], late[1]),
    decoding_synaptic_late_delay: meanDecoding(decoding, 'synaptic', par.num_rules, late[0], late[1]),
  };
  // Keys name the default onsets (delay onset 100, test onset 200) whatever the delay length.
  for (const set of ['standard', 'test_mode'] as const) {
    for (const [name, onset] of [['100', onsets[0]], ['200', onsets[1]]] as const) {
      summary[`shuffle_${set}_${name}_unshuffled`] = meanShuffle(shuffle, set, onset, 'none', par.num_rules);
      summary[`shuffle_${set}_${name}_neural`] = meanShuffle(shuffle, set, onset, 'neural', par.num_rules);
      summary[`shuffle_${set}_${name}_synaptic`] = meanShuffle(shuffle, set, onset, 'synaptic', par.num_rules);
    }
  }
  return { summary, decoding, shuffle, tuning, response };
}

/** Writes the analysis files into `dir`. */
export async function writeAnalysis(dir: string, par: Par, seed: number, a: AnalysisResult): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'analysis_summary.json'), jsonText(a.summary));
  writeDecoding(join(dir, 'decoding.arrow'), a.decoding, seed);
  writeShuffle(join(dir, 'shuffle.arrow'), a.shuffle, seed);
  writeTuning(join(dir, 'tuning.arrow'), a.tuning, seed);
  await writeDecodingSvg(join(dir, 'decoding.svg'), a.decoding, par.trial_type);
  await writeShuffleSvg(join(dir, 'shuffle.svg'), a.shuffle, par.trial_type);
  const files = ['analysis_summary.json', 'decoding.arrow', 'decoding.svg', 'shuffle.arrow', 'shuffle.svg', 'tuning.arrow'];
  if (a.response) {
    writeResponseMatrix(join(dir, 'response_matrix.arrow'), a.response, seed);
    files.push('response_matrix.arrow');
  }
  return files;
}

/** JSON with NaN and infinities as null. */
export function jsonText(o: unknown): string {
  return JSON.stringify(o, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n';
}

/** What `train` (and `run`) returns. */
export interface TrainCommandResult {
  par: Par;
  summary: Record<string, unknown>;
  files: string[];
  taskDir: string;
  wallTimeS: number;
}

/**
 * Trains a network (resuming if asked), writes model.json and the training curve into
 * DIR/<task>/, runs the analyses and writes summary.json into DIR.
 */
export async function trainCommand(o: TrainOptions & { out: string; seed: number }, hooks: StspHooks = {}): Promise<TrainCommandResult> {
  const t0 = performance.now();
  let par = parametersOf(o);
  let resume: Parameters<typeof train>[1]['resume'];
  if (o.resume !== undefined) {
    const path = o.resume.endsWith('.json') ? o.resume : join(o.resume, 'model.json');
    if (!existsSync(path)) throw new SimulationError('invalid_value', `--resume: no model at '${path}'; give the folder of a finished train run.`);
    const m = loadModel(path);
    if (m.par.trial_type !== par.trial_type) throw new SimulationError('invalid_value', `--resume: the model was trained on ${m.par.trial_type}, not ${par.trial_type}; pass --task ${m.par.trial_type}.`);
    par = { ...m.par, batch_size: par.batch_size, num_iterations: par.num_iterations, learning_rate: par.learning_rate };
    resume = { net: m.net, adam: m.adam ?? newAdam(m.net.vars), startIteration: m.iterations };
  }
  const total = par.num_iterations;
  const result = await train(par, {
    seed: o.seed,
    iterations: total,
    threads: o.threads,
    stopAtAccuracy: o.stopAtAccuracy ?? null,
    resume,
    onIteration(row, spi) {
      hooks.iteration?.(row, row.iteration - (resume?.startIteration ?? 0) + 1, total, spi);
    },
  });
  const taskDir = join(o.out, par.trial_type);
  mkdirSync(taskDir, { recursive: true });
  saveModel(join(taskDir, 'model.json'), modelToJSON(par, result.net, o.seed, result.iterations, result.adam));
  writeTrainingCurve(join(taskDir, 'training_curve.arrow'), result.curve, o.seed);
  await writeTrainingCurveSvg(join(taskDir, 'training_curve.svg'), result.curve, par.trial_type);
  const files = ['model.json', 'training_curve.arrow', 'training_curve.svg'];
  let analysis: AnalysisSummary = {};
  if (o.analysis !== 'none') {
    const a = analyzeModel(par, result.net, { seed: o.seed, level: o.analysis, trials: o.analysisTrials, progress: hooks.analysis });
    files.push(...(await writeAnalysis(taskDir, par, o.seed, a)));
    analysis = a.summary;
  }
  const ran = result.curve.length;
  const wall = (performance.now() - t0) / 1000;
  const summary = {
    task: par.trial_type,
    iterations: result.iterations,
    batch_size: par.batch_size,
    train_wall_time_s: result.trainWallTimeS,
    iteration_wall_time_s: ran > 0 ? result.trainWallTimeS / ran : null,
    final_training_accuracy: ran > 0 ? result.curve[ran - 1].accuracy : null,
    ...analysis,
  };
  writeFileSync(join(o.out, 'summary.json'), jsonText({ ...summary, seed: o.seed, params: baseOf(par), wall_time_s: wall }));
  return { par, summary, files: files.map((f) => `${par.trial_type}/${f}`), taskDir, wallTimeS: wall };
}

/**
 * Re-runs the analyses on a saved model; files go next to the model (or into `out`), and
 * summary.json one folder up from them.
 */
export async function analyzeCommand(o: AnalyzeOptions & { out?: string; seed: number }, hooks: StspHooks = {}): Promise<{ summary: AnalysisSummary; dir: string; files: string[] }> {
  const t0 = performance.now();
  const m = loadModel(resolve(o.model));
  const dir = o.out !== undefined ? join(resolve(o.out), m.par.trial_type) : dirname(resolve(o.model));
  const a = analyzeModel(m.par, m.net, { seed: o.seed, level: o.analysis, trials: o.analysisTrials, progress: hooks.analysis });
  const files = await writeAnalysis(dir, m.par, o.seed, a);
  const summary = { task: m.par.trial_type, iterations: m.iterations, batch_size: m.par.batch_size, model_seed: m.seed, ...a.summary };
  writeFileSync(join(dirname(dir), 'summary.json'), jsonText({ ...summary, seed: o.seed, params: baseOf(m.par), wall_time_s: (performance.now() - t0) / 1000 }));
  return { summary: a.summary, dir, files };
}

/** Simulates a saved model on fresh standard trials (state_trace.arrow), or writes the STP protocols. */
export function simulateCommand(o: SimulateOptions & { out: string; seed: number }): string[] {
  mkdirSync(o.out, { recursive: true });
  if (o.stpTraces) {
    writeFileSync(join(o.out, 'stp_traces.json'), jsonText(stpProtocols()));
    return ['stp_traces.json'];
  }
  if (o.model === undefined) throw new SimulationError('invalid_value', 'simulate needs --model PATH/model.json (or --stp-traces).');
  const m = loadModel(resolve(o.model));
  const trials = generateTrial(m.par, { batchSize: o.trials, seed: o.seed, iteration: 0, tag: 'simulate' });
  const tape = simulateBatch(m.par, m.net, trials, o.seed, 'simulate');
  writeStateTrace(join(o.out, 'state_trace.arrow'), { T: tape.T, B: tape.B, N: m.par.n_hidden, nOut: m.par.n_output, h: tape.h, x: tape.x, u: tape.u, y: tape.y, sample: trials.sample, test: trials.test, match: trials.match }, o.seed);
  return ['state_trace.arrow'];
}

/** The STP protocols of spec §8 (spike-driven at 0.05 ms and rate-driven at 10 ms), simulated in float64. */
export function stpProtocols(): Record<string, unknown> {
  const partA: Record<string, unknown> = {};
  for (const [name, U, tauX, tauU] of [['std', 0.45, 1500, 200], ['stf', 0.15, 200, 1500]] as const) {
    const dt = 0.05;
    const stp = new TsodyksMarkramStp({ U: [U], tauX: [tauX], tauU: [tauU], dynamic: [1] });
    const spikes = [0, 1, 2, 3, 4].map((j) => 10374 + 399 * j);
    const time: number[] = [];
    const x: number[] = [];
    const u: number[] = [];
    const after: Array<Record<string, number>> = [];
    const s = new Float64Array(1);
    const sample = (steps: number) => {
      if (steps % 200 === 0) {
        time.push(steps * dt);
        x.push(stp.x[0]);
        u.push(stp.u[0]);
      }
    };
    sample(0);
    for (let k = 0; k < 50000; k++) {
      s[0] = spikes.includes(k) ? 1 : 0;
      stp.spikeStep(dt, s);
      if (s[0] === 1) after.push({ t_ms: (k + 1) * dt, x: stp.x[0], u: stp.u[0], ux_over_U: (stp.x[0] * stp.u[0]) / U });
      sample(k + 1);
    }
    partA[name] = { U, alpha_std: dt / tauX, alpha_stf: dt / tauU, delta_t_ms: dt, spike_times_ms: spikes.map((k) => k * dt), time_ms: time, x, u, efficacy_ux_over_U: x.map((v, i) => (v * u[i]) / U), just_after_each_spike: after };
  }
  const partB: Record<string, unknown> = {};
  for (const [name, U, tauX, tauU] of [['facilitating', 0.15, 200, 1500], ['depressing', 0.45, 1500, 200]] as const) {
    const traces: Record<string, unknown> = {};
    for (const rate of [2, 5, 10, 20, 40]) {
      const stp = new TsodyksMarkramStp({ U: [U], tauX: [tauX], tauU: [tauU], dynamic: [1] });
      const sx: number[] = [];
      const su: number[] = [];
      for (let k = 0; k < 150; k++) {
        stp.rateStep(10, [k >= 50 && k <= 99 ? rate : 0]);
        sx.push(stp.x[0]);
        su.push(stp.u[0]);
      }
      traces[`rate_${rate}`] = { syn_x: sx, syn_u: su, efficacy_x_times_u: sx.map((v, i) => v * su[i]) };
    }
    partB[name] = { params: { alpha_stf: 10 / tauU, alpha_std: 10 / tauX, U }, traces };
  }
  return { partA_spike_driven: partA, partB_rate_driven_rnn_cell: partB };
}
