/** The q_min analysis on the Kaufman et al. (2012) spine data shipped with the original code. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RandomStream } from '../../engine/index.js';
import { readKaufman } from '../../experiments/consolidation/synaptic-noise.js';
import { cvRankQmin, dwScalingSlope } from '../../experiments/consolidation/sde-analysis.js';
import { sharedData } from '../helpers.js';

test('Kaufman spines: 1087 x 48 samples, q_min near the published 1.09 +- 0.43', () => {
  const data = readKaufman(sharedData('consolidation/kaufman_2012.csv'));
  assert.is(data.nS, 1087);
  assert.is(data.nT, 48);
  const r = cvRankQmin(data, 20, new RandomStream('kaufman-test'));
  // The published value is a bootstrap mean with spread 0.43; 20 resamples (instead of 1000, to
  // keep the test short) move the mean by about 0.43/√20 ≈ 0.1, so lying within one published
  // spread checks the procedure (resampling per time column, CV rank, argmin), not the seed.
  assert.ok(Math.abs(r.qmin_mean - 1.09) < 0.43, `q_min = ${r.qmin_mean} +- ${r.qmin_std}`);
  assert.ok(r.qmin_std > 0 && r.qmin_std < 1, `spread ${r.qmin_std}`);
  const sc = dwScalingSlope(data, 1);
  // Spine-size changes grow sublinearly with size (the paper's Fig 6: slope between 0 and 1).
  assert.ok(sc.ltp.slope > 0 && sc.ltp.slope < 1, `LTP slope ${sc.ltp.slope}`);
  assert.ok(sc.ltd.slope > 0 && sc.ltd.slope < 1, `LTD slope ${sc.ltd.slope}`);
});

test.run();
