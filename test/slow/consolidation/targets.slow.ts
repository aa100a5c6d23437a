/**
 * The single-seed acceptance targets of the consolidation spec (§9 a–c), at the acceptance
 * preset with each protocol's own seed, judged from summary.json by the same functions as
 * `npm run acceptance:consolidation`. Tens of minutes on 2 cores: `npm run test:slow`.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSummary } from '../../../experiments/experiment.js';
import { consolidationOptions, PROTOCOL_SEED, type Protocol } from '../../../experiments/consolidation/options.js';
import { runConsolidation } from '../../../experiments/consolidation/run.js';
import { capacityTargets, synapticNoiseTargets, wakeSleepTargets } from '../../../experiments/consolidation/targets.js';
import { tempDir } from '../../helpers.js';

async function summaryOf(protocol: Protocol): Promise<Record<string, unknown>> {
  const dir = await tempDir('consolidation-slow-');
  const o = consolidationOptions.parse({ protocol });
  const seed = PROTOCOL_SEED[protocol];
  const r = await runConsolidation({ ...o, out: dir, seed });
  writeSummary(dir, seed, o, r);
  return JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
}

function assertAll(targets: Record<string, boolean>, values: unknown): void {
  const failed = Object.entries(targets).filter(([, ok]) => !ok).map(([k]) => k);
  assert.equal(failed, [], `targets missed: ${failed.join(', ')}; measured ${JSON.stringify(values)}`);
}

test('(a) capacity, N = 100, alpha = 0.2, z = 1..4', async () => {
  const s = await summaryOf('capacity');
  const rows = s.capacity_summary as Record<string, unknown>[];
  assertAll(capacityTargets(rows), rows.map((r) => ({ z: r.z, err: r.train_error, kappa: r.kappa_mean, rho: r.rho_mean, density: r.density_mean, lq: r.lq_sum_max_rel_dev })));
});

test('(b) wake-sleep, N = 400, f = 0.05, z = 2, M = 80', async () => {
  const s = await summaryOf('wake-sleep');
  const row = (s.ws_summary as Record<string, unknown>[])[0];
  assertAll(wakeSleepTargets(row), row);
});

test('(c) synaptic noise, 500 synapses, T = 300', async () => {
  const s = await summaryOf('synaptic-noise');
  const rows = s.sn_summary as Record<string, unknown>[];
  assertAll(synapticNoiseTargets(rows), rows);
});

test.run();
