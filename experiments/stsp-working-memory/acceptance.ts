/**
 * `npm run acceptance:stsp-working-memory`: the spec §9 c–e targets. For seeds 0, 1, 2 it
 * trains exactly 800 iterations on DMS and 1000 on DMRS90 at batch 128, each (task, seed) in
 * its own folder DIR/<task>_seed<s>/ (model.json, training curve, and the analyses the targets
 * name on 1024 fresh trials: late-delay decoding with 10 reps, and 5 reps of the shuffles of
 * standard trials at test onset), then writes DIR/acceptance.json with the per-seed values, the means and one boolean
 * per target (null while a run is missing).
 *
 * A folder that already holds a model.json of the same task, seed and iteration count is
 * analysed without retraining, so an interrupted acceptance run continues where it stopped.
 * `--available-only` analyses only such folders and trains nothing.
 *
 *   npm run acceptance:stsp-working-memory [-- --out DIR --seeds 0,1,2 --threads 2 --available-only]
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeModel, jsonText, writeAnalysis } from './run.js';
import { loadModel, modelToJSON, saveModel } from './model-io.js';
import { updateParameters, type TaskName } from './parameters.js';
import { train } from './train.js';
import { writeTrainingCurve } from './outputs.js';
import { writeTrainingCurveSvg } from './plots.js';

/** The runs of the acceptance protocol. */
export const ACCEPTANCE_RUNS: ReadonlyArray<{ task: TaskName; iterations: number }> = [
  { task: 'DMS', iterations: 800 },
  { task: 'DMRS90', iterations: 1000 },
];

/** The measures of one (task, seed) run used by the targets. */
export interface RunMeasures {
  task: string;
  seed: number;
  iterations: number;
  accuracy: number;
  shuffle_test_onset_unshuffled: number;
  shuffle_test_onset_neural: number;
  shuffle_test_onset_synaptic: number;
  decoding_neuronal_late_delay: number;
  decoding_synaptic_late_delay: number;
  train_wall_time_s: number | null;
}

const mean = (v: number[]) => (v.length > 0 ? v.reduce((a, b) => a + b, 0) / v.length : NaN);

/** Means per task and the booleans of targets c–e (null when a needed run is missing). */
export function acceptanceOf(runs: readonly RunMeasures[], seeds: readonly number[]): Record<string, unknown> {
  const of = (task: string) => runs.filter((r) => r.task === task);
  const complete = (task: string) => seeds.every((s) => of(task).some((r) => r.seed === s));
  const means: Record<string, Record<string, number>> = {};
  for (const { task } of ACCEPTANCE_RUNS) {
    const rs = of(task);
    means[task] = {
      accuracy: mean(rs.map((r) => r.accuracy)),
      shuffle_test_onset_unshuffled: mean(rs.map((r) => r.shuffle_test_onset_unshuffled)),
      shuffle_test_onset_neural: mean(rs.map((r) => r.shuffle_test_onset_neural)),
      shuffle_test_onset_synaptic: mean(rs.map((r) => r.shuffle_test_onset_synaptic)),
      neural_shuffle_hurt: mean(rs.map((r) => r.shuffle_test_onset_unshuffled - r.shuffle_test_onset_neural)),
      decoding_neuronal_late_delay: mean(rs.map((r) => r.decoding_neuronal_late_delay)),
      decoding_synaptic_late_delay: mean(rs.map((r) => r.decoding_synaptic_late_delay)),
      seeds_done: rs.length,
    };
  }
  const dms = complete('DMS');
  const both = dms && complete('DMRS90');
  const m = means;
  return {
    means,
    targets: {
      c_dms_accuracy_ge_0_95: dms ? m.DMS.accuracy >= 0.95 : null,
      c_dmrs90_accuracy_ge_0_95: complete('DMRS90') ? m.DMRS90.accuracy >= 0.95 : null,
      d_dms_synaptic_shuffle_lt_0_7: dms ? m.DMS.shuffle_test_onset_synaptic < 0.7 : null,
      d_dms_neural_shuffle_gt_0_9: dms ? m.DMS.shuffle_test_onset_neural > 0.9 : null,
      d_dmrs90_neural_hurt_gt_dms: both ? m.DMRS90.neural_shuffle_hurt > m.DMS.neural_shuffle_hurt : null,
      e_dms_synaptic_decoding_ge_0_9: dms ? m.DMS.decoding_synaptic_late_delay >= 0.9 : null,
      e_dms_neuronal_decoding_lt_0_4: dms ? m.DMS.decoding_neuronal_late_delay < 0.4 : null,
    },
  };
}

/** Trains (or reuses) and analyses one run. */
export async function acceptanceRun(out: string, task: TaskName, seed: number, iterations: number, o: { threads: number; trials: number; availableOnly: boolean; log: (s: string) => void }): Promise<RunMeasures | null> {
  const dir = join(out, `${task}_seed${seed}`);
  const modelPath = join(dir, 'model.json');
  let par = updateParameters({ trial_type: task, batch_size: 128, num_iterations: iterations });
  let net;
  let trainWall: number | null = null;
  const reusable = existsSync(modelPath) ? loadModel(modelPath) : null;
  if (reusable && reusable.iterations === iterations && reusable.seed === seed && reusable.par.trial_type === task && reusable.par.batch_size === 128) {
    o.log(`${task} seed ${seed}: reusing ${modelPath}`);
    par = reusable.par;
    net = reusable.net;
  } else {
    if (o.availableOnly) return null;
    mkdirSync(dir, { recursive: true });
    const r = await train(par, {
      seed,
      iterations,
      threads: o.threads,
      onIteration(row, spi) {
        if ((row.iteration + 1) % 100 === 0) o.log(`${task} seed ${seed} Iter. ${row.iteration + 1} | Accuracy ${row.accuracy.toFixed(4)} | Perf loss ${row.perf_loss.toFixed(4)} | ${spi.toFixed(2)} s/it`);
      },
    });
    saveModel(modelPath, modelToJSON(par, r.net, seed, r.iterations, r.adam));
    writeTrainingCurve(join(dir, 'training_curve.arrow'), r.curve, seed);
    await writeTrainingCurveSvg(join(dir, 'training_curve.svg'), r.curve, task);
    net = r.net;
    trainWall = r.trainWallTimeS;
  }
  o.log(`${task} seed ${seed}: analysing`);
  // Only what the targets name: late-delay decoding, and shuffles of standard trials at test onset.
  const late = Array.from({ length: 10 }, (_, i) => par.delay_end - 10 + i);
  const a = analyzeModel(par, net, { seed, level: 'quick', trials: o.trials, steps: late, shuffleSets: ['standard'], onsets: [par.test_onset], progress: (l) => o.log(`${task} seed ${seed}: ${l}`) });
  await writeAnalysis(dir, par, seed, a);
  const s = a.summary as Record<string, number | number[]>;
  const r0 = (k: string) => (s[k] as number[])[0];
  return {
    task,
    seed,
    iterations,
    accuracy: s.accuracy as number,
    shuffle_test_onset_unshuffled: r0('shuffle_standard_200_unshuffled'),
    shuffle_test_onset_neural: r0('shuffle_standard_200_neural'),
    shuffle_test_onset_synaptic: r0('shuffle_standard_200_synaptic'),
    decoding_neuronal_late_delay: r0('decoding_neuronal_late_delay'),
    decoding_synaptic_late_delay: r0('decoding_synaptic_late_delay'),
    train_wall_time_s: trainWall,
  };
}

async function main(argv: string[]): Promise<void> {
  const get = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const out = resolve(get('--out') ?? 'out/stsp-working-memory-acceptance');
  const seeds = (get('--seeds') ?? '0,1,2').split(',').map(Number);
  const threads = Number(get('--threads') ?? 2);
  const trials = Number(get('--analysis-trials') ?? 1024);
  const availableOnly = argv.includes('--available-only');
  if (seeds.some((s) => !Number.isSafeInteger(s) || s < 0)) throw new Error(`--seeds expects non-negative whole numbers separated by commas, got '${get('--seeds')}'.`);
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const t0 = performance.now();
  const runs: RunMeasures[] = [];
  for (const seed of seeds) {
    for (const { task, iterations } of ACCEPTANCE_RUNS) {
      const r = await acceptanceRun(out, task, seed, iterations, { threads, trials, availableOnly, log });
      if (r) runs.push(r);
      // Written after every run, so a partial protocol leaves its numbers.
      mkdirSync(out, { recursive: true });
      writeFileSync(join(out, 'acceptance.json'), jsonText({ seeds, runs, ...acceptanceOf(runs, seeds), wall_time_s: (performance.now() - t0) / 1000 }));
    }
  }
  const acc = acceptanceOf(runs, seeds);
  process.stdout.write(jsonText(acc));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`acceptance:stsp-working-memory: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
