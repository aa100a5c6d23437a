/**
 * One run of the normative-plasticity experiment (spec §4 schedule): train `trial_num` trials,
 * test, train `trial_num_2` trials (with interim tests every `--test-every` trials), test
 * again; or, with `--load`, only the final test of the loaded network. Returns the results
 * without touching the terminal; tables go to DIR/<objective>/.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CommonOptions, RunHooks, RunResult } from '../experiment.js';
import { DEFAULT_INPUT_PARAMS, makeParams, trialSteps, validateParams, type InputParams, type NetParams, type Objective } from './params.js';
import { PlasticNet, initialWeights } from './plastic-net.js';
import { loadWeightsFile } from './weights-json.js';
import { BlockSchedule, RunStreams, trainRun } from './sessions.js';
import { analyze, SUMMARY_KEYS, type Analysis, type TestSummary } from './analysis.js';
import { testRecordsWriter, writeTables } from './outputs.js';
import { toWeightsJson } from './weights-json.js';
import type { TrainTrialStats } from './observers.js';
import type { NormativeOptions } from './options.js';

/** What a run returns (summary.json measures plus what the plots need). */
export interface NormativeResult extends RunResult {
  params: NetParams;
  inputParams: InputParams;
  train: TrainTrialStats[];
  analysis: Analysis | null;
  testD: Float64Array | null;
  interim: { after_trial: number; summary: TestSummary }[];
  /** Parameter keys of a --load file that were ignored. */
  ignoredKeys: string[];
  /** Folder of the tables (DIR/<objective>), or null in memory. */
  dir: string | null;
}

const meanOf = (xs: number[]) => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

/** The training-error measures of summary.json from the per-trial objectives. */
export function trainErrorSummary(train: TrainTrialStats[]): Record<string, number | number[] | null> {
  const err = train.map((s) => -s.mean_alpha);
  return {
    train_error: err,
    train_error_trial_1: err.length >= 1 ? err[0] : null,
    train_error_trials_1_5: err.length >= 5 ? meanOf(err.slice(0, 5)) : null,
    train_error_trials_16_20: err.length >= 20 ? meanOf(err.slice(15, 20)) : null,
  };
}

/** Runs the experiment. */
export async function runNormative(o: NormativeOptions & CommonOptions, hooks: RunHooks = {}): Promise<NormativeResult> {
  const t0 = performance.now();
  let params: NetParams;
  let inputParams: InputParams;
  let weights;
  let ignoredKeys: string[] = [];
  const loaded = o.load !== undefined ? loadWeightsFile(o.load, o.objective as Objective | undefined) : null;
  const schedule = { trial_num: o.trialNum, trial_num_2: o.trialNum2, test_num: o.testNum };
  const flagged: Partial<NetParams> = {};
  if (o.sigma !== undefined) flagged.sigma = o.sigma;
  if (o.T !== undefined) flagged.T = o.T;
  if (loaded !== null) {
    params = makeParams(loaded.params.objective, { ...loaded.params, ...schedule, ...flagged });
    inputParams = { ...loaded.inputParams };
    weights = loaded.weights;
    ignoredKeys = loaded.ignoredKeys;
  } else {
    params = makeParams((o.objective ?? 'linear') as Objective, { ...schedule, ...flagged });
    inputParams = { ...DEFAULT_INPUT_PARAMS };
    weights = initialWeights(params, o.seed);
  }
  if (o.kappa !== undefined) inputParams.kappa_in = o.kappa;
  if (o.mu !== undefined) inputParams.mu_in = o.mu;
  validateParams(params, inputParams, params.test_num > 0 || (loaded === null && o.testEvery > 0));
  const pn = new PlasticNet(params, inputParams, weights, o.seed);
  const streams = new RunStreams(o.seed);
  const dir = o.out === null ? null : join(o.out, params.objective);

  const training = loaded === null;
  const nTrain = training ? params.trial_num + params.trial_num_2 : 0;
  const nTests = training ? (params.trial_num > 0 ? 2 : 1) * params.test_num : params.test_num;
  const nInterim = training && o.testEvery > 0 ? Math.floor(params.trial_num_2 / o.testEvery) * o.interimTestNum : 0;
  const total = nTrain + nTests + nInterim;
  let done = 0;
  const progress = (base: number) => (t: number) => hooks.progress?.(base + t, total, `trials (of ${trialSteps(params)} steps)`);

  const train: TrainTrialStats[] = [];
  const interim: { after_trial: number; summary: TestSummary }[] = [];
  const extra: Record<string, unknown> = {};
  const testSchedule = new BlockSchedule(o.testSchedule, streams.test);
  if (training && params.trial_num > 0) {
    train.push(...trainRun(pn, { train: true, rtInput: true, trials: params.trial_num, streams, firstTrial: 1, onProgress: progress(done) }).train);
    done += params.trial_num;
    const first = trainRun(pn, { train: false, tuning: true, trials: params.test_num, streams: { noise: streams.test }, schedule: testSchedule, onProgress: progress(done) });
    done += params.test_num;
    if (first.test !== null && params.test_num > 0) extra.test_after_phase_1 = analyze(first.test, first.testD!, params, inputParams).summary;
  }
  if (training) {
    for (let t = 0; t < params.trial_num_2; t++) {
      const trialNo = params.trial_num + t + 1;
      train.push(...trainRun(pn, { train: true, train2: true, rtInput: true, trials: 1, streams, firstTrial: trialNo, onProgress: progress(done) }).train);
      done += 1;
      if (o.testEvery > 0 && (t + 1) % o.testEvery === 0) {
        const st = streams.interim(trialNo);
        const r = trainRun(pn, { train: false, tuning: true, trials: o.interimTestNum, streams: { noise: st }, schedule: new BlockSchedule('balanced', st), onProgress: progress(done) });
        done += o.interimTestNum;
        interim.push({ after_trial: trialNo, summary: analyze(r.test!, r.testD!, params, inputParams).summary });
      }
    }
  }
  let analysis: Analysis | null = null;
  let testD: Float64Array | null = null;
  const table = params.test_num > 0 ? testRecordsWriter(dir, o.seed, params) : null;
  if (params.test_num > 0) {
    const fin = trainRun(pn, { train: false, tuning: true, trials: params.test_num, streams: { noise: streams.test }, schedule: testSchedule, table, onProgress: progress(done) });
    done += params.test_num;
    testD = fin.testD;
    analysis = analyze(fin.test!, fin.testD!, params, inputParams);
  }
  if (table !== null) await table.close();
  if (dir !== null) await writeTables(dir, o.seed, params, train, analysis, interim, analysis?.summary ?? null);
  if (o.saveWeights !== undefined) {
    mkdirSync(dirname(o.saveWeights), { recursive: true });
    writeFileSync(o.saveWeights, JSON.stringify(toWeightsJson(params, inputParams, pn.getWeights(), pn.initial)) + '\n');
  }
  const measures: Record<string, number> = {};
  for (const k of SUMMARY_KEYS) measures[k] = analysis === null ? NaN : analysis.summary[k];
  const summary: Record<string, unknown> = {
    objective: params.objective,
    ...measures,
    ...trainErrorSummary(train),
    interim_tests: interim.map((r) => ({ after_trial: r.after_trial, ...r.summary })),
    ...extra,
    net_params: params,
    input_params: inputParams,
  };
  if (loaded !== null) summary.loaded_from = o.load;
  return {
    summary,
    wall_time_s: (performance.now() - t0) / 1000,
    params,
    inputParams,
    train,
    analysis,
    testD,
    interim,
    ignoredKeys,
    dir,
  };
}
