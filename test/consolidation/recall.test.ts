/** Recall runs on the engine against a synchronous update written out here, and the tol50 rule. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RandomStream } from '../../engine/index.js';
import { ZFactorMatrix } from '../../synapses/zfactor.js';
import { thresholdEstimate } from '../../models/binary_threshold.js';
import { RecallNetwork, tol50, recallCurve } from '../../experiments/consolidation/recall.js';
import { exactPatterns } from '../../experiments/consolidation/patterns.js';

/** s ← H(W s − θ), `steps` times, for one column (float64 sums in index order). */
function reference(W: Float32Array, theta: Float64Array, s0: Uint8Array, n: number, steps: number): Uint8Array {
  let s = s0.slice();
  for (let t = 0; t < steps; t++) {
    const next = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      let h = 0;
      for (let j = 0; j < n; j++) if (s[j] === 1) h += W[i * n + j];
      next[i] = h - theta[i] > 0 ? 1 : 0;
    }
    s = next;
  }
  return s;
}

test('the engine network iterates every column as the synchronous update does, for any step count', () => {
  const rng = new RandomStream('recall-ref');
  const n = 30;
  const cols = 5;
  const u = new Float32Array(n * n * 2);
  for (let q = 0; q < u.length; q++) u[q] = rng.uniform() < 0.2 ? 1e-20 : rng.uniform();
  const mat = new ZFactorMatrix(n, 2, 3, u);
  mat.zeroDiagonal();
  const theta = new Float64Array(n);
  thresholdEstimate(mat.W, n, 0.5, theta);
  for (let i = 0; i < n; i++) theta[i] += 0.3 * (rng.uniform() - 0.5);
  const init = new Uint8Array(n * cols);
  for (let q = 0; q < init.length; q++) init[q] = rng.uniform() < 0.5 ? 1 : 0;
  const net = new RecallNetwork(n, cols, 0.5);
  for (const steps of [0, 1, 2, 3, 7, 49, 50]) {
    const got = Array.from(net.run(mat, theta, init, steps));
    for (let c = 0; c < cols; c++) {
      const want = Array.from(reference(mat.W, theta, init.subarray(c * n, (c + 1) * n), n, steps));
      assert.equal(got.slice(c * n, (c + 1) * n), want, `column ${c} after ${steps} steps`);
    }
  }
});

test('tol50 picks the level whose recall is closest to 0.5, the first on ties', () => {
  const pts = [0, 0.1, 0.2, 0.3].map((level, k) => ({ p: level, level, recall_rate: [1, 0.7, 0.3, 0][k], bit_error0: 0 }));
  assert.is(tol50(pts), 0.1);
  assert.ok(Number.isNaN(tol50([])));
});

test('recall of clean cues is perfect for a network that stores its patterns; noise lowers it', () => {
  // Hebbian outer-product weights of 3 sparse patterns over 60 units store them as fixed points.
  const n = 60;
  const pats = exactPatterns(n, 3, 0.2, new RandomStream('hebb'));
  const u = new Float32Array(n * n);
  for (let mu = 0; mu < 3; mu++) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) u[i * n + j] += pats.bits[mu * n + i] * pats.bits[mu * n + j];
  for (let q = 0; q < u.length; q++) if (u[q] === 0) u[q] = 1e-20;
  const mat = new ZFactorMatrix(n, 1, 1, u);
  mat.zeroDiagonal();
  const theta = new Float64Array(n).fill(0.5 * Math.round(0.2 * n));
  const curve = recallCurve(mat, theta, pats, 'balanced', [0, 0.02, 0.19], {}, 10, new RandomStream('noise'));
  assert.is(curve[0].recall_rate, 1);
  assert.is(curve[0].bit_error0, 0);
  assert.ok(curve[2].recall_rate < curve[0].recall_rate, `recall at p = 0.19 (${curve[2].recall_rate}) should fall below 1`);
  assert.ok(curve[2].bit_error0 > 0);
});

test.run();
