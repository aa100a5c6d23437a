/**
 * normative-plasticity acceptance (c), training from scratch (long: about 160 training trials
 * of 100,000 steps for estimation and 100 plus 88 test trials for classification; run with
 * `npm run test:slow`). Same runs and targets as `npm run acceptance:normative-plasticity`.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { classificationAcceptance, estimationAcceptance } from '../../../experiments/normative-plasticity/acceptance.js';

test('estimation, seeds 1-8, 20 trials: trials 16-20 at least 25% below trial 1 on average, and below trials 1-5 on every seed', async () => {
  const r = await estimationAcceptance(null, (line) => console.log(line));
  const t = r.targets as Record<string, boolean>;
  assert.ok(t.reduction_at_least_25pct, `relative reduction ${r.relative_reduction}`);
  assert.ok(t.every_seed_16_20_below_1_5, 'a seed did not improve from trials 1-5 to 16-20');
});

test('classification, 100 trials: mean interim accuracy after trials 80, 90 and 100 above 0.8', async () => {
  const r = await classificationAcceptance(null, (line) => console.log(line));
  assert.ok((r.targets as Record<string, boolean>).accuracy_above_0_8, `mean accuracy ${r.mean_accuracy_after_80_90_100}`);
});

test.run();
