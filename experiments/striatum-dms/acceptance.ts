/**
 * Acceptance of striatum-dms (spec §8): P 10, stim_by_pattern 3, the N_p = 10 block, seed 0,
 * `--preset article` with 8 simulations per condition, Apostpre −1/0/+1 × stim_recall 0/1
 * and the Aprepost = 0 control (Apostpre −1, stim_recall 0). Writes DIR/acceptance.json with
 * the per-condition values and one boolean per target.
 *
 *   npm run acceptance:striatum-dms [-- --out DIR] [--quiet] [--num_simu N]
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolveDmsOptions } from './options.js';
import { runStriatumDms, type DmsRunResult } from './run.js';
import { writeDmsOutputs } from './index.js';
import { ARTICLE_CONFIG, simulateDms } from './simulate.js';

interface Condition {
  Apostpre: number;
  stimRecall: number;
  Aprepost: number;
}

/** Values of the N_p = 10 block of one run that the targets use. */
export interface ConditionValues {
  Apostpre: number;
  stim_recall: number;
  Aprepost: number;
  n_simulations: number;
  end_initial: number;
  end_learning: number;
  end_maintenance: number;
  end_recall: number;
  t_maintenance: number;
  t_relearning: number;
  weights_all_zero_end_maintenance: boolean;
  max_abs_weight_end_maintenance: number;
}

/** The condition values of a run's N_p = 10 block (undefined without one). */
export function conditionValues(r: DmsRunResult): ConditionValues | undefined {
  const b = r.blocks.find((q) => q.nPattern === 10);
  if (b === undefined) return undefined;
  const eop = b.summary.end_of_phase_accuracy as Record<string, { mean: number }>;
  const wz = b.summary.weights_zero_end_maintenance as { all_zero: boolean; max_abs: number };
  return {
    Apostpre: r.options.Apostpre,
    stim_recall: r.options.stimRecall,
    Aprepost: r.options.Aprepost,
    n_simulations: b.results.length,
    end_initial: eop.initial.mean,
    end_learning: eop.learning.mean,
    end_maintenance: eop.maintenance.mean,
    end_recall: eop.recall.mean,
    t_maintenance: b.summary.t_maintenance as number,
    t_relearning: b.summary.t_relearning as number,
    weights_all_zero_end_maintenance: wz.all_zero,
    max_abs_weight_end_maintenance: wz.max_abs,
  };
}

/**
 * Targets (a)–(d) of spec §8 over whatever conditions the runs cover (N_p = 10 block, P 10,
 * stim_by_pattern 3); a target whose conditions are missing is null.
 */
export function acceptanceOf(runs: readonly DmsRunResult[]): Record<string, boolean | null> {
  const vals = runs.filter((r) => r.options.P === 10 && r.options.stimByPattern === 3).map(conditionValues).filter((v): v is ConditionValues => v !== undefined);
  const find = (Apostpre: number, stimRecall: number, Aprepost = -1) => vals.find((v) => v.Apostpre === Apostpre && v.stim_recall === stimRecall && v.Aprepost === Aprepost);
  const article = vals.filter((v) => v.Aprepost === -1);
  const ordered = (sr: number): boolean | null => {
    const [m, z, p] = [find(-1, sr), find(0, sr), find(1, sr)];
    if (!m || !z || !p) return null;
    return m.t_maintenance < z.t_maintenance && z.t_maintenance < p.t_maintenance;
  };
  const m0 = find(-1, 0);
  const z0 = find(0, 0);
  const p0 = find(1, 0);
  const ctl = find(-1, 0, 0);
  return {
    a_end_learning_ge_0_75: article.length ? article.every((v) => v.end_learning >= 0.75) : null,
    a_end_initial_in_0_35_0_6: article.length ? article.every((v) => v.end_initial >= 0.35 && v.end_initial <= 0.6) : null,
    b_t_maintenance_ordered_stim_recall_0: ordered(0),
    b_t_maintenance_ordered_stim_recall_1: ordered(1),
    b_t_maintenance_lt_20_apostpre_minus1: m0 ? m0.t_maintenance < 20 : null,
    b_t_maintenance_gt_150_apostpre_plus1: p0 ? p0.t_maintenance > 150 : null,
    c_weights_zero_end_maintenance: m0 && z0 ? m0.weights_all_zero_end_maintenance && z0.weights_all_zero_end_maintenance : null,
    d_aprepost_0_learns_less: m0 && ctl ? ctl.end_learning < m0.end_learning : null,
  };
}

function sameBytes(a: string, b: string): boolean {
  return Buffer.compare(readFileSync(a), readFileSync(b)) === 0;
}

/** summary.json without its wall-time keys. */
function summaryWithoutWallTime(path: string): string {
  return JSON.stringify(JSON.parse(readFileSync(path, 'utf8')), (k, v) => (k === 'wall_time_s' ? undefined : v));
}

/** Runs every condition, the determinism check and the timing; returns the acceptance.json body. */
export async function acceptance(out: string, opts: { numSimu?: number; log?: (line: string) => void } = {}): Promise<Record<string, unknown>> {
  const log = opts.log ?? (() => {});
  const numSimu = opts.numSimu ?? 8;
  const conditions: Condition[] = [];
  for (const stimRecall of [0, 1]) for (const Apostpre of [-1, 0, 1]) conditions.push({ Apostpre, stimRecall, Aprepost: -1 });
  conditions.push({ Apostpre: -1, stimRecall: 0, Aprepost: 0 });
  const runs: DmsRunResult[] = [];
  const folders: string[] = [];
  for (const c of conditions) {
    const folder = `Apostpre=${c.Apostpre}_stim_recall=${c.stimRecall}_Aprepost=${c.Aprepost}`;
    const raw = { preset: 'article', numSimu, randomSeed: 0, nPattern: '10', Apostpre: c.Apostpre, stimRecall: c.stimRecall, Aprepost: c.Aprepost };
    const { options } = resolveDmsOptions(raw);
    const r = await runStriatumDms(options);
    await writeDmsOutputs(r, join(out, folder));
    runs.push(r);
    folders.push(folder);
    const v = conditionValues(r)!;
    log(`${folder}: end initial ${v.end_initial.toFixed(3)}, learning ${v.end_learning.toFixed(3)}, maintenance ${v.end_maintenance.toFixed(3)}, T_maintenance ${v.t_maintenance.toFixed(1)}, T_relearning ${v.t_relearning}, weights zero ${v.weights_all_zero_end_maintenance} (${r.wall_time_s.toFixed(1)} s)`);
  }
  const targets: Record<string, boolean | null> = acceptanceOf(runs);

  // (e): the baseline condition again with one and with two worker threads.
  const base = { preset: 'article', numSimu: 4, randomSeed: 0, nPattern: '10', Apostpre: -1, stimRecall: 0 };
  const dirs = [1, 2].map((w) => join(out, `determinism_workers_${w}`));
  for (const [i, w] of [1, 2].entries()) {
    const { options } = resolveDmsOptions({ ...base, workers: w });
    await writeDmsOutputs(await runStriatumDms(options), dirs[i]);
  }
  const arrows = readdirSync(dirs[0]).filter((f) => f.endsWith('.arrow')).sort();
  const identical = arrows.every((f) => existsSync(join(dirs[1], f)) && sameBytes(join(dirs[0], f), join(dirs[1], f)));
  const summariesEqual = summaryWithoutWallTime(join(dirs[0], 'summary.json')) === summaryWithoutWallTime(join(dirs[1], 'summary.json'));
  targets.e_workers_1_2_identical = identical && summariesEqual && arrows.length === 5;
  log(`determinism: ${arrows.length} Arrow files identical ${identical}, summaries equal ${summariesEqual}`);

  // (f): one article-length simulation, in this process (best of three).
  const times: number[] = [];
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    simulateDms(ARTICLE_CONFIG, 10, 0, 12345 + k, { warn: () => {} });
    times.push((performance.now() - t0) / 1000);
  }
  const wall = Math.min(...times);
  targets.f_article_simulation_le_1_5_s = wall <= 1.5;
  log(`article-length simulation: ${times.map((t) => t.toFixed(3)).join(', ')} s`);

  // (g): the files of the baseline condition.
  const need = ['test_accuracy.arrow', 'test_accuracy_mean.arrow', 'weights.arrow', 'summary.json', 'accuracy_10.svg'];
  const baseDir = join(out, folders[0]);
  const summary = JSON.parse(readFileSync(join(baseDir, 'summary.json'), 'utf8')) as { n_pattern: Record<string, Record<string, unknown>> };
  const s10 = summary.n_pattern['10'];
  targets.g_outputs_written = need.every((f) => existsSync(join(baseDir, f))) && ['end_of_phase_accuracy', 't_maintenance', 't_relearning'].every((k) => k in s10);

  return {
    setup: { preset: 'article', P: 10, stim_by_pattern: 3, n_pattern: 10, random_seed: 0, num_simu: numSimu },
    conditions: runs.map((r, i) => ({ folder: folders[i], ...conditionValues(r)! })),
    determinism: { arrow_files: arrows, identical, summaries_equal_except_wall_time: summariesEqual },
    article_simulation_wall_s: { best: wall, all: times },
    targets,
    all_passed: Object.values(targets).every((v) => v === true),
  };
}

async function main(argv: string[]): Promise<void> {
  const at = argv.indexOf('--out');
  const out = resolve(at >= 0 ? argv[at + 1] : 'out/striatum-dms-acceptance');
  const ns = argv.indexOf('--num_simu');
  const quiet = argv.includes('--quiet');
  const log = (line: string) => {
    if (!quiet) process.stderr.write(line + '\n');
  };
  mkdirSync(out, { recursive: true });
  const body = await acceptance(out, { numSimu: ns >= 0 ? Number(argv[ns + 1]) : undefined, log });
  writeFileSync(join(out, 'acceptance.json'), JSON.stringify(body, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n');
  const t = body.targets as Record<string, boolean | null>;
  process.stdout.write(`| condition | end initial | end learning | end maintenance | T_maintenance | T_relearning | weights 0 at end maint. |\n|---|---|---|---|---|---|---|\n`);
  for (const c of body.conditions as ConditionValues[]) {
    process.stdout.write(`| Apostpre ${c.Apostpre}, stim_recall ${c.stim_recall}, Aprepost ${c.Aprepost} | ${c.end_initial.toFixed(3)} | ${c.end_learning.toFixed(3)} | ${c.end_maintenance.toFixed(3)} | ${c.t_maintenance.toFixed(1)} | ${c.t_relearning} | ${c.weights_all_zero_end_maintenance} |\n`);
  }
  process.stdout.write(`\n${Object.entries(t).map(([k, v]) => `${k}: ${v}`).join('\n')}\nwrote ${join(out, 'acceptance.json')}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`acceptance:striatum-dms: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
