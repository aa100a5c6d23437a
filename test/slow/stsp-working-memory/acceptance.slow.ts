/**
 * Spec §9 c–e (hours on 2 cores): seeds 0, 1, 2; 800 DMS and 1000 DMRS90 iterations at batch
 * 128; accuracy on 1024 fresh trials, test-onset shuffles of standard trials and late-delay
 * decoding. Models already trained under out/stsp-working-memory-acceptance (by
 * `npm run acceptance:stsp-working-memory`) are reused.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { ROOT } from '../../helpers.js';
import { ACCEPTANCE_RUNS, acceptanceOf, acceptanceRun, type RunMeasures } from '../../../experiments/stsp-working-memory/acceptance.js';

test('DMS and DMRS90 reach the accuracy, shuffle and decoding targets (mean of 3 seeds)', async () => {
  const out = join(ROOT, 'out', 'stsp-working-memory-acceptance');
  const seeds = [0, 1, 2];
  const runs: RunMeasures[] = [];
  for (const seed of seeds) {
    for (const { task, iterations } of ACCEPTANCE_RUNS) {
      const r = await acceptanceRun(out, task, seed, iterations, { threads: 2, trials: 1024, availableOnly: false, log: (s) => process.stderr.write(`${s}\n`) });
      runs.push(r!);
    }
  }
  const { targets, means } = acceptanceOf(runs, seeds) as { targets: Record<string, boolean>; means: unknown };
  for (const [k, v] of Object.entries(targets)) assert.ok(v === true, `${k}: ${JSON.stringify(means)}`);
});

test.run();
