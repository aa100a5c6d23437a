/**
 * Acceptance of consolidation (spec §9 a–d): the three protocols at the acceptance preset with
 * their own seeds (100, 700, 1), the targets judged by targets.ts, and the same-seed check (d)
 * on a quick capacity run. Writes DIR/acceptance.json (default out/consolidation-acceptance)
 * with the measured values and one boolean per target; each protocol's tables and figures go
 * to DIR/<protocol>/.
 *
 *   npm run acceptance:consolidation [-- --out DIR] [--quiet]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeSummary } from '../experiment.js';
import { consolidationOptions, PROTOCOL_SEED, PROTOCOLS } from './options.js';
import { runConsolidation } from './run.js';
import { writeFigures } from './plots.js';
import { capacityTargets, synapticNoiseTargets, wakeSleepTargets } from './targets.js';

const args = process.argv.slice(2);
const k = args.indexOf('--out');
const out = resolve(k >= 0 ? args[k + 1] : 'out/consolidation-acceptance');
const quiet = args.includes('--quiet');
const log = (s: string) => {
  if (!quiet) process.stderr.write(s + '\n');
};

const body: Record<string, unknown> = {};
const targets: Record<string, boolean> = {};
for (const protocol of PROTOCOLS) {
  const seed = PROTOCOL_SEED[protocol];
  const opts = consolidationOptions.parse({ protocol });
  const dir = join(out, protocol);
  log(`${protocol}: running (seed ${seed}) ...`);
  const r = await runConsolidation({ ...opts, out: dir, seed }, { progress: (d, t, label) => log(`${protocol}: ${Math.round(d)}/${Math.round(t)} ${label}`) });
  writeSummary(dir, seed, opts, r);
  await writeFigures(r, dir);
  const s = r.summary;
  if (protocol === 'capacity') {
    const rows = s.capacity_summary as Record<string, unknown>[];
    body.capacity = rows.map((x) => ({ z: x.z, train_error: x.train_error, kappa_mean: x.kappa_mean, rho_mean: x.rho_mean, density_mean: x.density_mean, lq_sum_max_rel_dev: x.lq_sum_max_rel_dev, n_dead: x.n_dead, has_nan: x.has_nan, epochs_run: x.epochs_run, conv_epoch: x.conv_epoch }));
    Object.assign(targets, capacityTargets(rows));
  } else if (protocol === 'wake-sleep') {
    const row = (s.ws_summary as Record<string, unknown>[])[0];
    body.wake_sleep = row;
    Object.assign(targets, wakeSleepTargets(row));
  } else {
    const rows = s.sn_summary as Record<string, unknown>[];
    body.synaptic_noise = rows;
    Object.assign(targets, synapticNoiseTargets(rows));
  }
  body[`wall_time_s_${protocol.replace('-', '_')}`] = r.wall_time_s;
}

// (d) The same seed gives identical results: two quick capacity runs, summary.json minus wall time.
const quick = consolidationOptions.parse({ protocol: 'capacity', preset: 'quick', nTests: 5 });
const strip = (p: string) => {
  const j = JSON.parse(readFileSync(p, 'utf8'));
  delete j.wall_time_s;
  return JSON.stringify(j);
};
const runs: string[] = [];
for (const rep of ['a', 'b']) {
  const dir = join(out, 'determinism', rep);
  const r = await runConsolidation({ ...quick, out: dir, seed: 100 });
  writeSummary(dir, 100, quick, r);
  runs.push(strip(join(dir, 'summary.json')));
}
targets.same_seed_same_summary = runs[0] === runs[1];

body.targets = targets;
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'acceptance.json'), JSON.stringify(body, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n');
process.stdout.write(`${Object.entries(targets).map(([name, ok]) => `${name}: ${ok}`).join('\n')}\nwrote ${join(out, 'acceptance.json')}\n`);
