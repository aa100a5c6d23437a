/**
 * Acceptance runs of normative-plasticity (spec §9 c): training from scratch.
 * - Estimation: 20 training trials on each of the seeds 1–8 (fixed in advance), one
 *   subfolder per seed; the mean error of trials 16–20 over seeds must be at least 25% below
 *   the mean trial-1 error, and on every seed trials 16–20 must beat trials 1–5.
 * - Classification (seed 1): 100 training trials with an 8-trial balanced interim test every 10
 *   trials, then an 8-trial balanced test; the mean accuracy of the interim tests after trials
 *   80, 90 and 100 must exceed 0.8.
 * Writes DIR/acceptance.json (per-seed values, aggregates, one boolean per target).
 *
 *   npm run acceptance:normative-plasticity [-- --out DIR] [--only estimation|classification] [--quiet]
 *     [--seeds 1,2] [--resume]   (estimation seeds to run; reuse seed folders already finished)
 */
import { mkdirSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { normativeOptions } from './options.js';
import { runNormative } from './run.js';
import { readArrow } from '../../recorders/read.js';

/** The estimation seeds, fixed in advance. */
export const ESTIMATION_SEEDS = [1, 2, 3, 4, 5, 6, 7, 8] as const;
/** The classification seed and budget. */
export const CLASSIFICATION = { seed: 1, trials: 100, testEvery: 10, interimTestNum: 8, testNum: 8 } as const;

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** A seed's 20 training errors from a finished seed folder, or null. */
function finishedSeed(out: string, seed: number): number[] | null {
  const path = join(out, 'estimation', `seed_${seed}`, 'linear', 'train_trials.arrow');
  if (!existsSync(path)) return null;
  const t = readArrow(path);
  if (t.numRows !== 20) return null;
  return Array.from(t.getChild('mean_alpha')!.toArray() as Float64Array, (a) => -a);
}

/**
 * Estimation: 20 training trials on each seed (default 1–8). With `resume`, seeds whose
 * folder already holds 20 training trials are read back instead of run again, so the seeds
 * can run in separate processes and a final call gathers them.
 */
export async function estimationAcceptance(
  out: string | null,
  log: (line: string) => void = () => {},
  seeds: readonly number[] = ESTIMATION_SEEDS,
  resume = false,
): Promise<Record<string, unknown>> {
  const perSeed: { seed: number; train_error: number[]; trial_1: number; trials_1_5: number; trials_16_20: number; improved: boolean }[] = [];
  for (const seed of seeds) {
    let err = resume && out !== null ? finishedSeed(out, seed) : null;
    if (err === null) {
      const o = { ...normativeOptions.parse({}), objective: 'linear' as const, trialNum2: 20, testNum: 0, plots: false, out: out === null ? null : join(out, 'estimation', `seed_${seed}`), seed };
      const r = await runNormative(o);
      err = r.summary.train_error as number[];
    }
    const m = { seed, train_error: err, trial_1: err[0], trials_1_5: mean(err.slice(0, 5)), trials_16_20: mean(err.slice(15, 20)), improved: mean(err.slice(15, 20)) < mean(err.slice(0, 5)) };
    perSeed.push(m);
    log(`estimation seed ${seed}: trial 1 ${m.trial_1.toFixed(4)}, trials 1-5 ${m.trials_1_5.toFixed(4)}, trials 16-20 ${m.trials_16_20.toFixed(4)}${m.improved ? '' : '  (MISS: 16-20 not below 1-5)'}`);
  }
  const t1 = mean(perSeed.map((m) => m.trial_1));
  const t1620 = mean(perSeed.map((m) => m.trials_16_20));
  const reduction = 1 - t1620 / t1;
  return {
    seeds: [...seeds],
    per_seed: perSeed,
    mean_error_trial_1: t1,
    mean_error_trials_16_20: t1620,
    relative_reduction: reduction,
    targets: { reduction_at_least_25pct: reduction >= 0.25, every_seed_16_20_below_1_5: perSeed.every((m) => m.improved) },
  };
}

/** Classification: 100 trials, interim tests every 10, the final 8-trial test. */
export async function classificationAcceptance(out: string | null, log: (line: string) => void = () => {}): Promise<Record<string, unknown>> {
  const c = CLASSIFICATION;
  const o = {
    ...normativeOptions.parse({}),
    objective: 'classifier' as const,
    trialNum2: c.trials,
    testNum: c.testNum,
    testSchedule: 'balanced' as const,
    testEvery: c.testEvery,
    interimTestNum: c.interimTestNum,
    plots: false,
    out: out === null ? null : join(out, 'classification'),
    seed: c.seed,
  };
  const r = await runNormative(o);
  const interim = r.interim.map((x) => ({ after_trial: x.after_trial, accuracy: x.summary.accuracy }));
  for (const x of interim) log(`classification: accuracy after trial ${x.after_trial}: ${x.accuracy.toFixed(3)}`);
  const last = interim.filter((x) => x.after_trial >= 80).map((x) => x.accuracy);
  const m = mean(last);
  const final = r.analysis?.summary.accuracy ?? NaN;
  log(`classification: mean interim accuracy after trials 80, 90, 100: ${m.toFixed(3)}; final ${c.testNum}-trial test: ${final.toFixed(3)}`);
  return {
    seed: c.seed,
    budget_trials: c.trials,
    budget_steps: c.trials * 1e5,
    interim,
    mean_accuracy_after_80_90_100: m,
    final_test_accuracy: final,
    d_prime_0: r.analysis?.summary.d_prime_0,
    d_prime_pi: r.analysis?.summary.d_prime_pi,
    train_error: r.summary.train_error,
    targets: { accuracy_above_0_8: m > 0.8 },
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const out = resolve(at('--out') ?? 'out/normative-plasticity-acceptance');
  const only = at('--only');
  if (only !== undefined && only !== 'estimation' && only !== 'classification') throw new Error(`--only takes estimation or classification, got '${only}'.`);
  const quiet = args.includes('--quiet');
  const resume = args.includes('--resume');
  const seedArg = at('--seeds');
  const seeds = seedArg === undefined ? ESTIMATION_SEEDS : seedArg.split(',').map(Number);
  if (!seeds.every((x) => Number.isSafeInteger(x) && x >= 0)) throw new Error(`--seeds takes a comma-separated list of seeds, got '${seedArg}'.`);
  const log = (line: string) => {
    if (!quiet) process.stderr.write(line + '\n');
  };
  mkdirSync(out, { recursive: true });
  const path = join(out, 'acceptance.json');
  // Each part may run in its own process; the file gathers whichever parts have finished.
  const result: Record<string, unknown> = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : {};
  if (only !== 'classification') {
    result.estimation = await estimationAcceptance(out, log, seeds, resume);
    const prev: Record<string, unknown> = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : {};
    writeFileSync(path, JSON.stringify({ ...prev, estimation: result.estimation }, null, 2) + '\n');
  }
  if (only !== 'estimation') {
    result.classification = await classificationAcceptance(out, log);
    const prev: Record<string, unknown> = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : {};
    writeFileSync(path, JSON.stringify({ ...prev, classification: result.classification }, null, 2) + '\n');
  }
  process.stdout.write(readFileSync(path, 'utf8'));
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  main().catch((e) => {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  });
}
