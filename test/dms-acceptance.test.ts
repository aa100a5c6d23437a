import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveDmsOptions } from '../experiments/striatum-dms/options.js';
import { runStriatumDms } from '../experiments/striatum-dms/run.js';
import { acceptanceOf } from '../experiments/striatum-dms/acceptance.js';

// The spec's acceptance conditions are cheap (8 article-length simulations each, about 2 s per
// condition on 2 cores), so the targets (a)-(d) are checked here exactly as the acceptance
// script does, at seed 0 with 8 simulations per condition.
test('targets (a)-(d) of the spec hold with the article preset, seed 0, 8 simulations per condition', async () => {
  const runs = [];
  const conditions: { Apostpre: number; stimRecall: number; Aprepost: number }[] = [];
  for (const stimRecall of [0, 1]) for (const Apostpre of [-1, 0, 1]) conditions.push({ Apostpre, stimRecall, Aprepost: -1 });
  conditions.push({ Apostpre: -1, stimRecall: 0, Aprepost: 0 });
  for (const c of conditions) {
    const { options } = resolveDmsOptions({ preset: 'article', numSimu: 8, randomSeed: 0, nPattern: '10', workers: 2, ...c });
    runs.push(await runStriatumDms(options));
  }
  const targets = acceptanceOf(runs);
  const failed = Object.entries(targets).filter(([, ok]) => ok === false);
  assert.equal(failed, [], `failed targets: ${JSON.stringify(targets)}`);
  assert.ok(Object.values(targets).filter((v) => v === true).length >= 6, JSON.stringify(targets));
});

test.run();
