/**
 * Multi-seed acceptance of wta-sequence (spec §8 item 2): the protocol with variance tracking
 * and its control, at seed 13521 and four further fixed seeds. Writes
 * DIR/acceptance.json with the per-seed values, the means and one boolean per target.
 *
 *   npm run acceptance:wta-sequence [-- --out DIR] [--quiet]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { wtaOptions } from './options.js';
import { runWta } from './run.js';

/** The seeds: the original's, then four more fixed ones. */
export const ACCEPTANCE_SEEDS = [13521, 1, 2, 3, 4] as const;

/** Per-seed measures of test A (main and control) and the training rates. */
export interface SeedMeasures {
  seed: number;
  frac_gt_2x: number;
  frac_lt_half: number;
  reliability: number;
  n_presentations: number;
  control_frac_gt_2x: number;
  control_reliability: number;
  wta_train_rate_min_hz: number;
  wta_train_rate_max_hz: number;
}

/** Runs every seed and evaluates the targets. */
export async function acceptance(out: string | null, log: (line: string) => void = () => {}): Promise<Record<string, unknown>> {
  const perSeed: SeedMeasures[] = [];
  for (const seed of ACCEPTANCE_SEEDS) {
    const o = { ...wtaOptions.parse({}), withControl: true, out: out === null ? null : join(out, `seed_${seed}`), seed };
    const r = await runWta(o);
    const a = r.summary.test_a as Record<string, number>;
    const c = r.summary.control as Record<string, number>;
    const rates = r.summary.wta_train_rate_hz as number[];
    const m: SeedMeasures = {
      seed,
      frac_gt_2x: a.frac_neurons_rate_pattern_gt_2x_noise,
      frac_lt_half: a.frac_neurons_rate_pattern_lt_half_noise,
      reliability: a.psth_reliability_odd_even_mean,
      n_presentations: a.n_pattern_presentations,
      control_frac_gt_2x: c.frac_neurons_rate_pattern_gt_2x_noise,
      control_reliability: c.psth_reliability_odd_even_mean,
      wta_train_rate_min_hz: Math.min(...rates),
      wta_train_rate_max_hz: Math.max(...rates),
    };
    perSeed.push(m);
    log(`seed ${seed}: >2x ${m.frac_gt_2x.toFixed(3)}, <half ${m.frac_lt_half.toFixed(3)}, reliability ${m.reliability.toFixed(3)}; control >2x ${m.control_frac_gt_2x.toFixed(3)}, reliability ${m.control_reliability.toFixed(3)}; WTA rates ${m.wta_train_rate_min_hz.toFixed(1)}-${m.wta_train_rate_max_hz.toFixed(1)} Hz`);
  }
  const mean = (k: keyof SeedMeasures, seeds: SeedMeasures[] = perSeed) => seeds.reduce((s, m) => s + (m[k] as number), 0) / seeds.length;
  const main = perSeed[0];
  const further = perSeed.slice(1);
  const targets = {
    frac_gt_2x_ok: main.frac_gt_2x >= 0.25,
    frac_lt_half_ok: main.frac_lt_half >= 0.35,
    reliability_ok: main.n_presentations >= 6 && main.reliability >= 0.6 && mean('reliability', further) >= 0.6,
    control_frac_ok: main.control_frac_gt_2x < 0.05,
    control_reliability_ok: !(main.control_reliability >= 0.2),
    wta_rate_ok: perSeed.every((m) => m.wta_train_rate_min_hz >= 90 && m.wta_train_rate_max_hz <= 110),
  };
  const keys: (keyof SeedMeasures)[] = ['frac_gt_2x', 'frac_lt_half', 'reliability', 'control_frac_gt_2x', 'control_reliability'];
  return {
    experiment: 'wta-sequence',
    seeds: [...ACCEPTANCE_SEEDS],
    per_seed: perSeed,
    mean_all_seeds: Object.fromEntries(keys.map((k) => [k, mean(k)])),
    mean_further_seeds: Object.fromEntries(keys.map((k) => [k, mean(k, further)])),
    targets,
    all_ok: Object.values(targets).every(Boolean),
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const outIdx = args.indexOf('--out');
  const out = resolve(outIdx >= 0 ? args[outIdx + 1] : 'out/wta-sequence/acceptance');
  const quiet = args.includes('--quiet');
  mkdirSync(out, { recursive: true });
  const result = await acceptance(out, quiet ? () => {} : (l) => process.stderr.write(l + '\n'));
  const path = join(out, 'acceptance.json');
  writeFileSync(path, JSON.stringify(result, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n');
  process.stdout.write(`${JSON.stringify(result.targets)}\nwrote ${path}\n`);
}

if (process.argv[1] && resolve(process.argv[1]).endsWith('acceptance.ts')) {
  main().catch((e: Error) => {
    process.stderr.write(`acceptance: ${e.message}\n`);
    process.exit(1);
  });
}
