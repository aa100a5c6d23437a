/**
 * The three protocols end to end at small sizes: the files each writes, the summary.json keys
 * the README documents, and same seed → same bytes (Arrow files and figures byte for byte,
 * summary.json minus the wall time).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { Command } from 'commander';
import { addSchemaOptions, parseSchemaOptions } from '../../cli/options.js';
import { writeSummary } from '../../experiments/experiment.js';
import { consolidationOptions } from '../../experiments/consolidation/options.js';
import { runConsolidation } from '../../experiments/consolidation/run.js';
import { writeFigures } from '../../experiments/consolidation/plots.js';
import { tempDir } from '../helpers.js';

const SMALL = {
  capacity: { protocol: 'capacity', N: 30, z: [1, 2], alpha: [0.2], epochs: 150, nTests: 2, recordEvery: 50 },
  'wake-sleep': { protocol: 'wake-sleep', preset: 'quick', N: 200, M: 12, sleepSteps: 40, nTests: 1, recordEvery: 10 },
  'synaptic-noise': { protocol: 'synaptic-noise', nSynapses: 20, T: 12, bootstrap: 5 },
} as const;

async function runInto(dir: string, protocol: keyof typeof SMALL, seed: number) {
  const o = consolidationOptions.parse(SMALL[protocol]);
  const r = await runConsolidation({ ...o, out: dir, seed });
  writeSummary(dir, seed, o, r);
  await writeFigures(r, dir);
  return r;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name).slice(dir.length + 1))
    .sort();
}

const KEYS: Record<keyof typeof SMALL, { table: string; keys: string[]; files: string[] }> = {
  capacity: {
    table: 'capacity_summary',
    keys: ['z', 'alpha', 'train_error', 'kappa_mean', 'rho_mean', 'density_mean', 'lq_sum_max_rel_dev', 'n_dead', 'has_nan', 'conv_epoch', 'syn_margin_mean', 'tol50_balanced', 'tol50_gauss1masked'],
    files: ['capacity/capacity_summary.arrow', 'capacity/capacity_trace.arrow', 'capacity/recall.arrow', 'capacity/weight_hist.arrow', 'capacity/dead_neurons.arrow', 'capacity/density.svg', 'capacity/weight_hist.svg', 'capacity/recall.svg'],
  },
  'wake-sleep': {
    table: 'ws_summary',
    keys: ['n_attractors', 'frac_pruned', 'prune_q1', 'prune_q4', 'radius_mean_pre', 'radius_mean_post', 'tol50_balanced_pre', 'tol50_gauss1_post', 'd_radius_r', 'selectivity_familiar', 'selectivity_novel', 'final_error'],
    files: ['wake-sleep/ws_summary.arrow', 'wake-sleep/ws_trace.arrow', 'wake-sleep/ws_patterns.arrow', 'wake-sleep/ws_radius.arrow', 'wake-sleep/ws_prune.arrow', 'wake-sleep/recall.arrow', 'wake-sleep/density.svg', 'wake-sleep/recall.svg'],
  },
  'synaptic-noise': {
    table: 'sn_summary',
    keys: ['source', 'z', 'qmin_mean', 'qmin_std', 'slope_ltd', 'slope_ltp', 'frac_alive_final'],
    files: ['synaptic-noise/sn_samples.arrow', 'synaptic-noise/sn_cv.arrow', 'synaptic-noise/sn_scaling.arrow', 'synaptic-noise/sn_summary.arrow', 'synaptic-noise/sn_population.arrow', 'synaptic-noise/cv_rank.svg', 'synaptic-noise/dw_scaling.svg'],
  },
};

for (const protocol of Object.keys(SMALL) as (keyof typeof SMALL)[]) {
  test(`${protocol}: files, summary keys, and the same bytes for the same seed`, async () => {
    const a = await tempDir();
    const b = await tempDir();
    const r = await runInto(a, protocol, 7);
    await runInto(b, protocol, 7);
    const spec = KEYS[protocol];
    for (const f of spec.files) assert.ok(existsSync(join(a, f)), `missing ${f}`);
    const summary = JSON.parse(readFileSync(join(a, 'summary.json'), 'utf8'));
    assert.is(summary.protocol, protocol);
    assert.is(summary.seed, 7);
    assert.ok(typeof summary.wall_time_s === 'number');
    assert.ok(Array.isArray(summary.warnings));
    const rows = summary[spec.table] as Record<string, unknown>[];
    assert.ok(rows.length > 0, `${spec.table} has rows`);
    for (const k of spec.keys) assert.ok(k in rows[0], `summary.json ${spec.table} lacks '${k}'`);
    const files = filesUnder(a);
    assert.equal(files, filesUnder(b));
    for (const f of files) {
      if (f === 'summary.json') continue;
      assert.ok(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), `${f} differs between two runs with the same seed`);
    }
    const strip = (p: string) => {
      const j = JSON.parse(readFileSync(p, 'utf8'));
      delete j.wall_time_s;
      return j;
    };
    assert.equal(strip(join(a, 'summary.json')), strip(join(b, 'summary.json')));
    // The summary table on disk holds what summary.json holds.
    const t = tableFromIPC(readFileSync(join(a, spec.files[0].replace(/[^/]+\.arrow$/, `${spec.table}.arrow`))));
    assert.is(t.numRows, rows.length);
    assert.ok(r.wall_time_s > 0);
  });
}

test('bad options fail with a message naming the flag', () => {
  assert.throws(() => consolidationOptions.parse({ protocol: 'dream' }), /protocol/);
  assert.throws(() => consolidationOptions.parse({ z: [0] }), /z/);
  assert.throws(() => consolidationOptions.parse({ nTests: 0 }), /nTests/);
});

test('--dt sets the SDE step and must divide the sample interval', async () => {
  const base = { protocol: 'synaptic-noise', nSynapses: 6, T: 4, z: [2], bootstrap: 1 } as const;
  const run = (dt?: number) => runConsolidation({ ...consolidationOptions.parse({ ...base, dt }), out: null, seed: 3 });
  const spec = await run();
  const fine = await run(1e-3);
  // Four samples either way (one per time unit), but the finer step draws different noise and so
  // gives different weights after the first sample.
  assert.is(spec.synapticNoise!.samples[0].nT, 4);
  assert.is(fine.synapticNoise!.samples[0].nT, 4);
  assert.not.equal(Array.from(spec.synapticNoise!.samples[0].w.slice(6)), Array.from(fine.synapticNoise!.samples[0].w.slice(6)));
  try {
    await run(3e-3);
    assert.unreachable('1/dt = 333.3 was accepted');
  } catch (e) {
    assert.match(String(e), /--dt/);
  }
});

test("the spec's flag names --N, --M and --T set N, M and T", () => {
  const cmd = addSchemaOptions(new Command('consolidation').exitOverride(), consolidationOptions);
  cmd.parse(['--N', '120', '--M', '15', '--T', '40', '--sleep-steps', '7'], { from: 'user' });
  const o = parseSchemaOptions(cmd, consolidationOptions);
  assert.is(o.N, 120);
  assert.is(o.M, 15);
  assert.is(o.T, 40);
  assert.is(o.sleepSteps, 7);
});

test.run();
