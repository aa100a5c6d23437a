/**
 * The shared CLI adapter of every experiment: parses flags (generated from the options
 * schema), shows progress, runs, writes summary.json and the figures, prints a short report.
 */
import { resolve } from 'node:path';
import { Command } from 'commander';
import type { z } from 'zod';
import { addSchemaOptions, parseSchemaOptions } from './options.js';
import { createProgress } from './progress.js';
import { writeSummary, type Experiment, type RunResult } from '../experiments/experiment.js';

/** Per-experiment presentation: the lines printed to stdout after a run. */
export type Report<R> = (result: R, files: string[], out: string) => string[];

/** Adds `run <name>` for an experiment to the `run` command. */
export function addExperimentCommand<S extends z.AnyZodObject, R extends RunResult>(run: Command, exp: Experiment<S, R>, report: Report<R>): Command {
  const cmd = run.command(exp.name).description(exp.description);
  addCommonOptions(cmd, exp.name, exp.defaultSeed ?? 12345);
  addSchemaOptions(cmd, exp.options);
  cmd.action(async () => {
    await runExperiment(cmd, exp, report);
  });
  return cmd;
}

/** --out, --seed, --quiet, --config. */
export function addCommonOptions(cmd: Command, name: string, defaultSeed: number): void {
  cmd
    .option('--out <dir>', 'output folder', `out/${name}`)
    .option('--seed <n>', 'master random seed', (v) => {
      const x = Number(v);
      if (!Number.isSafeInteger(x) || x < 0) throw new Error(`--seed expects a non-negative whole number, got '${v}'.`);
      return x;
    }, defaultSeed)
    .option('--quiet', 'no progress output', false)
    .option('--config <file>', 'JSON file with options (validated; flags given explicitly win)');
}

/** Runs an experiment from parsed flags. */
export async function runExperiment<S extends z.AnyZodObject, R extends RunResult>(cmd: Command, exp: Experiment<S, R>, report: Report<R>): Promise<R> {
  const common = cmd.opts() as { out: string; seed: number; quiet: boolean; config?: string };
  const options = parseSchemaOptions(cmd, exp.options, common.config);
  const out = resolve(common.out);
  const progress = createProgress(common.quiet, exp.name);
  let result: R;
  try {
    result = await exp.run({ ...options, out, seed: common.seed }, progress);
  } finally {
    progress.stop();
  }
  writeSummary(out, common.seed, options, result);
  const files = ['summary.json', ...(exp.plot ? await exp.plot(result, options, out) : [])];
  for (const line of report(result, files, out)) process.stdout.write(line + '\n');
  return result;
}
