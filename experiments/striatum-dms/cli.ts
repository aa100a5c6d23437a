/**
 * `spikeflow run striatum-dms`: every option in its camelCase-derived (`--stim-by-pattern`)
 * and original (`--stim_by_pattern`) spelling, `--seed` as alias of `--random_seed`, the
 * output-folder rule of spec §4, sweeps, progress on stderr and one result line per N_p
 * block on stdout.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { createProgress } from '../../cli/progress.js';
import { argString, dmsFlags, dmsOptions, parseSweep, resolveDmsOptions, sweepConditions, type DmsOptions } from './options.js';
import { runStriatumDms, type DmsRunResult } from './run.js';
import { tTest, type TTest } from './analysis.js';
import { writeDmsOutputs } from './index.js';
import { acceptanceOf } from './acceptance.js';

const BOOLEAN = new Set(['save', 'plot']);
const STRING = new Set(['saveDir', 'name', 'stopLearning', 'preset', 'nPattern']);

function describe(key: string): string {
  const field = (dmsOptions.shape as Record<string, { description?: string }>)[key];
  return field?.description ?? key;
}

function numberArg(flag: string) {
  return (v: string): number => {
    const x = Number(v);
    if (v.trim() === '' || !Number.isFinite(x)) throw new InvalidArgumentError(`${flag} expects a number, got '${v}'.`);
    return x;
  };
}

/** The options not handed to resolveDmsOptions. */
const CLI_ONLY = new Set(['out', 'quiet']);

/** Adds one commander option per spelling of each schema key. */
export function addDmsOptions(cmd: Command): Command {
  for (const key of Object.keys(dmsOptions.shape)) {
    const flags = dmsFlags(key);
    // Help lists the original spelling and names the other; both parse the same way.
    const shown = flags[flags.length - 1];
    const others = flags.filter((f) => f !== shown);
    const help = describe(key) + (others.length > 0 ? ` (also ${others.join(', ')})` : '');
    for (const flag of flags) {
      let opt: Option;
      if (BOOLEAN.has(key)) opt = new Option(flag, help);
      else if (key === 'sweep') opt = new Option(`${flag} <key=v1,v2>`, help).argParser((v: string, prev: string[] = []) => [...prev, v]);
      else if (STRING.has(key)) opt = new Option(`${flag} <value>`, help);
      else opt = new Option(`${flag} <n>`, help).argParser(numberArg(flag));
      if (flag !== shown) opt.hideHelp();
      cmd.addOption(opt);
    }
  }
  cmd
    .option('--seed <n>', 'alias of --random_seed', numberArg('--seed'))
    .option('--out <dir>', 'output folder (default: <save_dir>/<name>/<args> when --save_dir or --name is given, else out/striatum-dms)')
    .option('--quiet', 'no progress output');
  return cmd;
}

/** The options the user gave (commander attribute names) and the output folder option. */
export function collectRaw(cmd: Command): { raw: Record<string, unknown>; out?: string; quiet: boolean } {
  const all = cmd.opts() as Record<string, unknown>;
  const raw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(all)) if (v !== undefined && !CLI_ONLY.has(k)) raw[k] = v;
  return { raw, out: all.out as string | undefined, quiet: all.quiet === true };
}

/** Output folder of spec §4. */
export function outputFolder(o: DmsOptions, raw: Record<string, unknown>, out?: string): string {
  if (out !== undefined) return resolve(out);
  const given = (k: string) => Object.keys(raw).some((r) => r === k || r === k.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase()));
  if (given('saveDir') || given('name')) return resolve(o.saveDir, o.name, argString(o));
  return resolve('out/striatum-dms');
}

function report(r: DmsRunResult): string[] {
  return r.blocks.map((b) => {
    const fa = (b.summary.final_accuracy as { mean: number }).mean;
    return `${b.nPattern} patterns --- Accuracy: ${Number.isFinite(fa) ? fa.toFixed(3) : 'nan'}`;
  });
}

/** Runs the command with parsed flags. */
export async function runDmsCommand(cmd: Command): Promise<void> {
  const { raw, out, quiet } = collectRaw(cmd);
  const { options, warnings } = resolveDmsOptions(raw);
  for (const w of warnings) process.stderr.write(`striatum-dms: warning: ${w}\n`);
  const dir = outputFolder(options, raw, out);
  if (options.sweep.length === 0) {
    const progress = createProgress(quiet, 'striatum-dms');
    let r: DmsRunResult;
    try {
      r = await runStriatumDms(options, progress);
    } finally {
      progress.stop();
    }
    await writeDmsOutputs(r, dir);
    for (const line of report(r)) process.stdout.write(line + '\n');
    return;
  }
  const conditions = sweepConditions(options, parseSweep(options.sweep));
  const rows: Array<{ args: Record<string, unknown>; result: DmsRunResult }> = [];
  for (const [i, c] of conditions.entries()) {
    const progress = createProgress(quiet, `striatum-dms ${c.folder} (${i + 1}/${conditions.length})`);
    let r: DmsRunResult;
    try {
      r = await runStriatumDms(c.options, progress);
    } finally {
      progress.stop();
    }
    await writeDmsOutputs(r, join(dir, c.folder));
    rows.push({ args: c.args, result: r });
    for (const line of report(r)) process.stdout.write(`${c.folder}: ${line}\n`);
  }
  mkdirSync(dir, { recursive: true });
  const body = {
    conditions: rows.flatMap(({ args, result }, i) =>
      result.blocks.map((b) => ({
        args,
        folder: conditions[i].folder,
        n_pattern: b.nPattern,
        t_maintenance: b.summary.t_maintenance,
        end_of_phase_accuracy: b.summary.end_of_phase_accuracy,
        weights_zero_end_maintenance: b.summary.weights_zero_end_maintenance,
        t_test_vs_apostpre_minus1: tTestsAgainstReference(rows, i, b.nPattern),
      })),
    ),
    acceptance: acceptanceOf(rows.map(({ result }) => result)),
  };
  writeFileSync(join(dir, 'sweep_summary.json'), JSON.stringify(body, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n');
}

/**
 * Student t-tests of a sweep condition against the condition that differs only in
 * Apostpre = −1 (spec §5): T_maintenance over the analysis groups (`--num_stats`) and each
 * end-of-phase accuracy over simulations. Null when the sweep has no such reference or the
 * condition is the reference.
 */
export function tTestsAgainstReference(rows: ReadonlyArray<{ args: Record<string, unknown>; result: DmsRunResult }>, i: number, nPattern: number): Record<string, TTest> | null {
  const me = rows[i];
  if (me.result.options.Apostpre === -1) return null;
  const others = Object.entries(me.args).filter(([k]) => k !== 'Apostpre');
  const ref = rows.find((r) => r.result.options.Apostpre === -1 && others.every(([k, v]) => r.args[k] === v));
  if (ref === undefined) return null;
  const block = (r: DmsRunResult) => r.blocks.find((b) => b.nPattern === nPattern);
  const a = block(me.result);
  const b = block(ref.result);
  if (a === undefined || b === undefined) return null;
  const out: Record<string, TTest> = {
    t_maintenance: tTest(a.analysis.tMaintenance.values, b.analysis.tMaintenance.values),
  };
  for (const k of ['initial', 'learning', 'maintenance', 'recall'] as const) {
    out[`end_${k}_accuracy`] = tTest(a.analysis.endOfPhaseAccuracy[k].values, b.analysis.endOfPhaseAccuracy[k].values);
  }
  return out;
}

/** Registers `run striatum-dms`. */
export function register(run: Command): Command {
  const cmd = run.command('striatum-dms').description('Perez et al. 2022: one MSN with reward-modulated STDP learns, forgets and relearns a delayed-match-to-sample task (DMS- vs DLS-like plasticity)');
  addDmsOptions(cmd);
  cmd.action(async () => {
    await runDmsCommand(cmd);
  });
  return cmd;
}
