/**
 * The WebAssembly kernels of the capacity epoch (fields, G = m·Xᵀ, factor update) must reproduce the
 * JavaScript loops bit for bit. Each case trains two copies of one network, one with the kernels
 * and one without, through forced phase-A and phase-B epochs and natural ones, and compares every
 * array after each epoch. Sizes that are not a multiple of the 16-row block exercise the padding
 * rows; a large η prunes synapses, and one row made dead checks that frozen rows stay untouched.
 * The largest size also splits the rows over two threads.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CAPACITY_RATES, initCapacity } from '../../experiments/consolidation/capacity.js';
import { LearningState, capacityEpoch, sleepStep } from '../../experiments/consolidation/learning.js';
import { selectPatterns } from '../../experiments/consolidation/patterns.js';
import type { ZFactorMatrix } from '../../synapses/zfactor.js';

interface Copy {
  mat: ZFactorMatrix;
  theta: Float64Array;
  ls: LearningState;
}

function same(name: string, a: ArrayLike<number>, b: ArrayLike<number>, when: string): void {
  assert.is(a.length, b.length, `${name} length`);
  for (let q = 0; q < a.length; q++) {
    if (!Object.is(a[q], b[q])) assert.unreachable(`${name}[${q}] at ${when}: ${a[q]} with the kernels, ${b[q]} without`);
  }
}

function assertSame(x: Copy, y: Copy, when: string): void {
  same('u', x.mat.u, y.mat.u, when);
  same('W', x.mat.W, y.mat.W, when);
  same('alive', x.mat.alive, y.mat.alive, when);
  same('dead', x.mat.dead, y.mat.dead, when);
  same('theta', x.theta, y.theta, when);
  same('h', x.ls.h, y.ls.h, when);
  same('G', x.ls.G, y.ls.G, when);
  same('dTheta', x.ls.dTheta, y.ls.dTheta, when);
  same('hBar', x.ls.hBar, y.ls.hBar, when);
}

/** A copy of the capacity network of size n; `deadRow` has its inputs removed. */
function build(n: number, z: number, wasm: boolean, deadRow: number | null, threads = 1): Copy & { pats: ReturnType<typeof initCapacity>['pats'] } {
  const { mat, theta, pats } = initCapacity(n, 0.2, z, 0.5, 100 + z);
  if (deadRow !== null) {
    mat.u.fill(0, deadRow * n * z, (deadRow + 1) * n * z);
    mat.recomputeWeights();
    mat.computeMasks();
  }
  const ls = new LearningState(n, pats.m, { wasm, z, threads });
  assert.is(ls.kernels !== null && ls.kernels.updates(mat), wasm, 'kernels in use');
  if (wasm) assert.is(ls.kernels!.waitForThreads(), threads, 'threads in use');
  return { mat, theta, pats, ls };
}

const PRUNING_ETA: Record<number, number> = { 1: 0.02, 2: 0.2, 3: 0.5 };

for (const z of [1, 2, 3]) {
  test(`capacity epochs, z = ${z}: the WebAssembly kernels equal the JavaScript loops bit for bit`, () => {
    for (const [n, deadRow, threads] of [
      [37, 5, 1],
      [48, null, 1],
      [67, 40, 2],
    ] as const) {
      const fast = build(n, z, true, deadRow, threads);
      const slow = build(n, z, false, deadRow);
      // η far above the protocol's, so synapses are pruned within the test.
      const prm = { eta: PRUNING_ETA[z], etaTheta: CAPACITY_RATES[z].etaTheta, beta: 100 };
      const schedule: ('A' | 'B' | undefined)[] = [...Array(8).fill('A'), ...Array(12).fill('B'), ...Array(10).fill(undefined)];
      schedule.forEach((force, e) => {
        const a = capacityEpoch(fast.mat, fast.theta, fast.pats, fast.ls, prm, e, force);
        const b = capacityEpoch(slow.mat, slow.theta, slow.pats, slow.ls, prm, e, force);
        assert.equal(a, b, `epoch ${e} report`);
        assertSame(fast, slow, `N = ${n}, epoch ${e}`);
      });
      if (deadRow !== null) assert.is(fast.mat.dead[deadRow], 1, 'the emptied row is dead');
      let alive = 0;
      for (let s = 0; s < fast.mat.alive.length; s++) alive += fast.mat.alive[s];
      assert.ok(alive < n * (n - 1), 'some synapses pruned');
      // Sleep steps on a subset of the patterns and of the rows.
      const replay = selectPatterns(fast.pats, [0, 2, 3]);
      const rows = new Uint8Array(n).map((_, i) => (i % 3 === 0 ? 0 : 1));
      fast.ls.close();
      const sleepFast = { ...fast, ls: new LearningState(n, replay.m, { wasm: true, z, threads }) };
      sleepFast.ls.kernels!.waitForThreads();
      const sleepSlow = { ...slow, ls: new LearningState(n, replay.m, { wasm: false, z }) };
      for (let t = 0; t < 5; t++) {
        sleepStep(sleepFast.mat, sleepFast.theta, replay, sleepFast.ls, 20, 0.05, rows, t);
        sleepStep(sleepSlow.mat, sleepSlow.theta, replay, sleepSlow.ls, 20, 0.05, rows, t);
        assertSame(sleepFast, sleepSlow, `N = ${n}, sleep step ${t}`);
      }
      sleepFast.ls.close();
    }
  });
}

test.run();
