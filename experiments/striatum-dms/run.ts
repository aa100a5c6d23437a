/**
 * The striatum-dms runner (spec §3, §5): for each N_p block, `num_simu` independent
 * simulations with seeds from the prefix-stable seed list, run on a pool of worker threads
 * and merged by index (so nothing depends on the worker count), then analysed into the
 * summary. Returns results; writes files only when `out` is given, never prints.
 */
import { Worker } from 'node:worker_threads';
import type { RunHooks, RunResult } from '../experiment.js';
import { dmsConfig, simulateDms, PHASES, type DmsConfig, type DmsResult } from './simulate.js';

export { dmsConfig };
import { analyzeDms, lastIndexBefore, meanStd, weightSimilarity, type DmsAnalysis, type WeightSimilarity } from './analysis.js';
import { camelToSnake, nPatternList, phaseLengths, randomMasterSeed, seedList, testSchedule, workerCount, type DmsOptions, type DmsTestPhase } from './options.js';
import type { DmsTask } from './worker.js';
import { startModuleWorker } from '../worker-thread.js';

/** One N_p block: the simulations in index order, their weight similarities and analysis. */
export interface DmsBlock {
  nPattern: number;
  results: DmsResult[];
  /** With `--plot`: per simulation, V and spikes of the last trial of each phase. */
  traces?: DmsTrace[];
  /** similarity[s][j]: weights of test j of simulation s against its end-of-learning weights. */
  similarity: WeightSimilarity[][];
  analysis: DmsAnalysis;
  /** The per-N_p part of summary.json. */
  summary: Record<string, unknown>;
}

/** What `runStriatumDms` returns. */
export interface DmsRunResult extends RunResult {
  options: DmsOptions;
  /** Master seed (drawn when none was given). */
  seed: number;
  seeds: number[];
  lengths: [number, number, number, number];
  schedule: { iteration: number[]; phase: DmsTestPhase[] };
  blocks: DmsBlock[];
  /** summary.json's `params`: the resolved options, snake_case, master seed filled in. */
  params: Record<string, unknown>;
}


/** V and spikes of the last training trial of each phase (`--plot`), D steps each. */
export interface DmsTrace {
  /** Index into PHASES. */
  phase: Uint8Array;
  step: Int32Array;
  V: Float64Array;
  spike: Uint8Array;
}

/**
 * `simulateDms` with, when `trace` is set, the membrane potential of the last trial of each
 * phase. The lazy stepper reports only the steps it steps densely; the quiet steps between
 * them follow the exact decay V(n+k) = E_l + (V(n) − E_l)(1 − dt/τ_m)^k it jumps with, so the
 * trace is filled with that closed form. Observing does not change the simulation.
 */
export function simulateTraced(config: DmsConfig, nPattern: number, simIndex: number, seed: number, trace: boolean): { result: DmsResult; trace?: DmsTrace } {
  if (!trace) return { result: simulateDms(config, nPattern, simIndex, seed, { warn: () => {} }) };
  const D = Math.trunc(config.stimDuration / config.dt);
  const lengths = [config.numTrainingInitial, config.numTrainingLearning, config.numTrainingMaintenance, config.numTrainingRecall];
  const last = new Map<number, number>();
  let end = 0;
  lengths.forEach((L, ph) => {
    end += L;
    if (L > 0) last.set(end - 1, ph);
  });
  const rows = last.size * D;
  const tr: DmsTrace = { phase: new Uint8Array(rows), step: new Int32Array(rows), V: new Float64Array(rows), spike: new Uint8Array(rows) };
  let trial = 0;
  let row0 = -1;
  let lastJ = -1;
  let lastV = 0;
  let El = 0;
  let q = 1;
  const fill = (upTo: number) => {
    for (let j = lastJ + 1; j < upTo; j++) tr.V[row0 + j] = El + (lastV - El) * Math.pow(q, j - lastJ);
  };
  let written = 0;
  const result = simulateDms(config, nPattern, simIndex, seed, {
    warn: () => {},
    onSegment: (kind, c) => {
      if (row0 >= 0) {
        fill(D);
        row0 = -1;
      }
      c.onStep = null;
      if (kind !== 'trial') return;
      const ph = last.get(trial++);
      if (ph === undefined) return;
      row0 = written;
      written += D;
      El = c.p.El;
      q = 1 - c.p.dt / c.p.tauM;
      lastJ = -1;
      lastV = c.V;
      for (let j = 0; j < D; j++) {
        tr.phase[row0 + j] = ph;
        tr.step[row0 + j] = j;
      }
      c.onStep = (circuit, spiked, j) => {
        fill(j);
        tr.V[row0 + j] = circuit.V;
        tr.spike[row0 + j] = spiked ? 1 : 0;
        lastJ = j;
        lastV = circuit.V;
      };
    },
  });
  return { result, trace: tr };
}

function startWorker(): Worker {
  return startModuleWorker(import.meta.url, 'worker');
}

/**
 * Runs `tasks` on `nWorkers` threads (in-process when 1) and returns the results by task
 * index. `onDone` is called once per finished task.
 */
export async function runTasks(tasks: readonly Omit<DmsTask, 'id'>[], nWorkers: number, onDone: () => void): Promise<Array<{ result: DmsResult; trace?: DmsTrace }>> {
  const results: Array<{ result: DmsResult; trace?: DmsTrace }> = new Array(tasks.length);
  if (nWorkers <= 1 || tasks.length <= 1) {
    for (let i = 0; i < tasks.length; i++) {
      const t = tasks[i];
      results[i] = simulateTraced(t.config, t.nPattern, t.simIndex, t.seed, t.trace);
      onDone();
      // Lets progress output and signals through between simulations.
      await new Promise((r) => setImmediate(r));
    }
    return results;
  }
  const n = Math.min(nWorkers, tasks.length);
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolveAll, reject) => {
      let next = 0;
      let finished = 0;
      let failed = false;
      const feed = (w: Worker) => {
        if (next < tasks.length) {
          const id = next++;
          w.postMessage({ ...tasks[id], id });
        }
      };
      for (let k = 0; k < n; k++) {
        const w = startWorker();
        workers.push(w);
        w.on('message', (msg: { id: number; result?: DmsResult; trace?: DmsTrace; error?: string }) => {
          if (failed) return;
          if (msg.error !== undefined) {
            failed = true;
            reject(new Error(`simulation ${tasks[msg.id].simIndex} (N_p ${tasks[msg.id].nPattern}): ${msg.error}`));
            return;
          }
          results[msg.id] = { result: msg.result!, trace: msg.trace };
          finished++;
          onDone();
          if (finished === tasks.length) resolveAll();
          else feed(w);
        });
        w.on('error', (e) => {
          if (!failed) {
            failed = true;
            reject(e);
          }
        });
        w.on('exit', (code) => {
          if (!failed && finished < tasks.length && code !== 0) {
            failed = true;
            reject(new Error(`worker thread exited with code ${code}`));
          }
        });
        feed(w);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}

const SNAPSHOTS = ['start', 'end_initial', 'end_learning', 'end_maintenance', 'end_recall'] as const;

/** The per-N_p summary of spec §5 from the merged simulations and their analysis. */
function blockSummary(o: DmsOptions, x: number[], results: DmsResult[], similarity: WeightSimilarity[][], a: DmsAnalysis): Record<string, unknown> {
  const eop: Record<string, unknown> = {};
  for (const k of ['initial', 'learning', 'maintenance', 'recall'] as const) {
    const s = a.endOfPhaseAccuracy[k];
    eop[k] = { mean: s.mean, std: s.std, per_sim: s.values };
  }
  const finals = results.map((r) => r.tests[r.tests.length - 1]);
  const finalAcc = finals.map((t) => t.accuracy);
  const groups = a.groups.map((g) => ({
    sims: g.sims,
    d: g.analysis.burr.d,
    g: g.analysis.burr.g,
    t: g.analysis.burr.T,
    sse: g.analysis.burr.sse,
    degenerate: g.analysis.burr.degenerate,
    a_base: g.analysis.aBase,
    a_learn: g.analysis.aLearn,
    t_relearning: g.analysis.tRelearning,
  }));
  const avg = (xs: number[]) => (xs.length === 0 ? NaN : xs.reduce((s, v) => s + v, 0) / xs.length);
  // (c) of spec §8: every weight of every simulation at the end of maintenance.
  let nonZero = 0;
  let maxAbs = 0;
  let nWeights = 0;
  for (const r of results) {
    const w = r.snapshots.find((s) => s.snapshot === 'end_maintenance')!.weights;
    for (let i = 0; i < w.length; i++) {
      nWeights++;
      if (w[i] !== 0) nonZero++;
      maxAbs = Math.max(maxAbs, Math.abs(w[i]));
    }
  }
  const meanWeightAt: Record<string, number> = {};
  for (const snap of SNAPSHOTS) {
    let s = 0;
    let n = 0;
    for (const r of results) {
      const w = r.snapshots.find((q) => q.snapshot === snap)!.weights;
      for (let i = 0; i < w.length; i++) s += w[i];
      n += w.length;
    }
    meanWeightAt[snap] = n > 0 ? s / n : NaN;
  }
  const jEnd = lastIndexBefore(x, a.bounds.x3);
  const atEnd = (f: (s: WeightSimilarity) => number) => {
    const v = jEnd < 0 ? [] : similarity.map((sim) => f(sim[jEnd]));
    return { ...meanStd(v), per_sim: v };
  };
  const trainAcc: Record<string, number> = {};
  const presented: Record<string, number> = {};
  const spikes: Record<string, number> = {};
  for (let ph = 0; ph < 4; ph++) {
    let nTrials = 0;
    let nPres = 0;
    let nOk = 0;
    let nSp = 0;
    for (const r of results) {
      const t = r.training;
      for (let i = 0; i < t.phase.length; i++) {
        if (t.phase[i] !== ph) continue;
        nTrials++;
        nSp += t.msnSpikes[i];
        if (t.presented[i]) {
          nPres++;
          nOk += t.accuracy[i];
        }
      }
    }
    trainAcc[PHASES[ph]] = nPres > 0 ? nOk / nPres : NaN;
    presented[PHASES[ph]] = nTrials > 0 ? nPres / nTrials : NaN;
    spikes[PHASES[ph]] = nTrials > 0 ? nSp / nTrials : NaN;
  }
  return {
    n_simulations: results.length,
    end_of_phase_accuracy: eop,
    final_accuracy: { ...meanStd(finalAcc), per_sim: finalAcc },
    final_success_rate: avg(finals.map((t) => (t.success ? 1 : 0))),
    t_maintenance: a.tMaintenance.mean,
    burr_fit: {
      d: avg(groups.map((g) => g.d)),
      g: avg(groups.map((g) => g.g)),
      sse: avg(groups.map((g) => g.sse)),
      degenerate: groups.some((g) => g.degenerate),
      per_group: groups,
    },
    t_relearning: a.tRelearning.mean,
    weights_zero_end_maintenance: { all_zero: nonZero === 0, n_nonzero: nonZero, n_weights: nWeights, max_abs: maxAbs },
    mean_weight_at: meanWeightAt,
    d2_end_maintenance: atEnd((s) => s.d2),
    cosine_sim_end_maintenance: atEnd((s) => s.cosineSimCenter),
    train_accuracy: trainAcc,
    presented_fraction: presented,
    msn_spikes_per_trial: spikes,
    num_stats: o.numStats ?? results.length,
  };
}

/** Resolved options as summary.json's `params` (snake_case; execution-only keys left out). */
export function summaryParams(o: DmsOptions, seed: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    // The worker count changes nothing in the results (spec §7 check 11), so it is not a parameter.
    if (k === 'workers' || k === 'sweep') continue;
    out[camelToSnake(k)] = v === undefined ? null : v;
  }
  out.random_seed = seed;
  return out;
}

/**
 * Runs every N_p block of the options (spec §3) and analyses it (spec §5). With
 * `out`, writes the Arrow files, summary.json and the figures there (see outputs.ts, plots.ts).
 */
export async function runStriatumDms(options: DmsOptions & { out?: string | null }, hooks: RunHooks = {}): Promise<DmsRunResult> {
  const t0 = performance.now();
  const seed = options.randomSeed ?? randomMasterSeed();
  const seeds = seedList(seed, options.numSimu);
  const blocksNp = nPatternList(options.P, options.stimByPattern, options.nPattern);
  const lengths = phaseLengths(options);
  const schedule = testSchedule(lengths);
  const config = dmsConfig(options);
  const tasks = blocksNp.flatMap((nPattern) => seeds.map((s, k) => ({ config, nPattern, simIndex: k, seed: s, trace: options.plot })));
  let done = 0;
  hooks.progress?.(0, tasks.length, 'simulations');
  const all = await runTasks(tasks, workerCount(options), () => hooks.progress?.(++done, tasks.length, 'simulations'));
  const x = schedule.iteration;
  const blocks: DmsBlock[] = blocksNp.map((nPattern, b) => {
    const slice = all.slice(b * seeds.length, (b + 1) * seeds.length);
    const results = slice.map((q) => q.result);
    const traces = options.plot ? slice.map((q) => q.trace!) : undefined;
    const similarity = results.map((r) => {
      const ref = r.snapshots.find((s) => s.snapshot === 'end_learning')!.weights;
      return r.tests.map((t) => weightSimilarity(t.weights, ref));
    });
    const analysis = analyzeDms({ x, accuracy: results.map((r) => r.tests.map((t) => t.accuracy)), lengths, numStats: options.numStats, ratioRecall: options.ratioRecall });
    return { nPattern, results, traces, similarity, analysis, summary: blockSummary(options, x, results, similarity, analysis) };
  });
  const params = summaryParams(options, seed);
  const summary: Record<string, unknown> = {
    seeds,
    test_iterations: x,
    n_pattern: Object.fromEntries(blocks.map((b) => [String(b.nPattern), b.summary])),
  };
  return { options, seed, seeds, lengths, schedule, blocks, params, summary, wall_time_s: (performance.now() - t0) / 1000 };
}
