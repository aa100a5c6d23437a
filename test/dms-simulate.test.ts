/**
 * The striatum-dms protocol (experiments/striatum-dms/simulate.ts): test schedule (spec §7
 * check 6), the ε = 0 case, pattern drawing, determinism and the carry-over edge case.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ARTICLE_CONFIG, PARSER_DEFAULT_CONFIG, allSets, isTestIteration, simulateDms, type DmsConfig } from '../experiments/striatum-dms/simulate.js';

/** Expected stamps, built independently of isTestIteration: 0,5,…,45 then every 50 per phase. */
function expectedStamps(L: number): number[] {
  const out: number[] = [];
  for (let ph = 0; ph < 4; ph++) {
    for (let i = 0; i < Math.min(L, 50); i += 5) out.push(ph * L + i);
    for (let i = 50; i < L; i += 50) out.push(ph * L + i);
  }
  out.push(4 * L);
  return out;
}

test('check 6: article protocol has 77 tests stamped 0, 5, …, 45, 50, 100, …, 2000; parser defaults 53', () => {
  const a = simulateDms(ARTICLE_CONFIG, 10, 0, 1);
  const stamps = a.tests.map((t) => t.iteration);
  assert.is(stamps.length, 77);
  assert.equal(stamps, expectedStamps(500));
  assert.equal(stamps.slice(0, 12), [0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 100]);
  assert.equal(stamps.slice(-3), [1900, 1950, 2000]);
  assert.equal(a.tests.map((t) => t.phase).filter((p) => p === 'final').length, 1);
  assert.is(a.tests[19].phase, 'learning');
  assert.is(a.tests[19].iteration, 500);
  const d = simulateDms(PARSER_DEFAULT_CONFIG, 10, 0, 1);
  assert.is(d.tests.length, 53);
  assert.equal(d.tests.map((t) => t.iteration), expectedStamps(200));
  for (let i = 0; i < 600; i++) assert.is(isTestIteration(i), i < 50 ? i % 5 === 0 : i % 50 === 0);
  assert.is(a.training.iteration.length, 2000);
  assert.is(a.snapshots.map((s) => s.snapshot).join(), 'start,end_initial,end_learning,end_maintenance,end_recall');
  assert.equal(a.snapshots.map((s) => s.iteration), [0, 500, 1000, 1500, 2000]);
});

test('check 6: with ε = 0 and no noise every test accuracy is the unrewarded fraction', () => {
  for (const seed of [3, 4, 5]) {
    const cfg: DmsConfig = { ...PARSER_DEFAULT_CONFIG, epsilon: 0, noiseInput: 0 };
    const r = simulateDms(cfg, 10, 0, seed);
    const unrewarded = r.patterns.filter((p) => !p.rewarded).length / 10;
    for (const t of r.tests) assert.is(t.accuracy, unrewarded, `seed ${seed} test ${t.testIndex}`);
    for (const t of r.tests) assert.equal(Array.from(t.weights), Array.from(r.snapshots[0].weights), 'weights never change');
    assert.ok(r.snapshots[0].weights.every((w) => w >= 0 && w < 0.05));
  }
});

test('patterns: distinct subsets of size stim_by_pattern, lexicographic SETS, C(10,3) = 120; N_p > C is an error', () => {
  const sets = allSets(10, 3);
  assert.is(sets.length, 120);
  assert.equal(sets[0], [0, 1, 2]);
  assert.equal(sets[1], [0, 1, 3]);
  assert.equal(sets[119], [7, 8, 9]);
  const r = simulateDms({ ...PARSER_DEFAULT_CONFIG, numTrainingInitial: 5, numTrainingLearning: 5, numTrainingMaintenance: 5, numTrainingRecall: 5 }, 15, 0, 9);
  const keys = new Set(r.patterns.map((p) => p.inputs.join(',')));
  assert.is(keys.size, 15);
  assert.throws(() => simulateDms(PARSER_DEFAULT_CONFIG, 121, 0, 1), /exceeds/);
});

test('new_set redraws patterns after maintenance; trained patterns then come from the new set', () => {
  const cfg: DmsConfig = { ...PARSER_DEFAULT_CONFIG, newSet: 1, numTrainingInitial: 20, numTrainingLearning: 20, numTrainingMaintenance: 20, numTrainingRecall: 20 };
  const r = simulateDms(cfg, 10, 0, 2);
  assert.is(r.patterns.length, 20);
  assert.equal(r.patterns.map((p) => p.set), [...Array(10).fill(0), ...Array(10).fill(1)]);
  const a = r.patterns.slice(0, 10).map((p) => p.inputs.join(',')).join(';');
  const b = r.patterns.slice(10).map((p) => p.inputs.join(',')).join(';');
  assert.ok(a !== b);
});

test('determinism: same seed gives identical results; another seed differs', () => {
  const cfg: DmsConfig = { ...ARTICLE_CONFIG, numTrainingInitial: 100, numTrainingLearning: 100, numTrainingMaintenance: 100, numTrainingRecall: 100 };
  const flat = (seed: number): string => {
    const r = simulateDms(cfg, 10, 0, seed);
    return JSON.stringify({
      t: r.tests.map((t) => [t.iteration, t.accuracy, Array.from(t.weights)]),
      tr: [r.training.pattern, r.training.presented, r.training.msnSpikes, r.training.accuracy].map((a) => Array.from(a)),
      p: r.patterns,
    });
  };
  assert.is(flat(7), flat(7));
  assert.ok(flat(7) !== flat(8));
});

test('training record: accuracy NaN exactly when not presented; presented always in learning/recall, never with η_m = 0 elsewhere', () => {
  const r = simulateDms({ ...ARTICLE_CONFIG, numTrainingInitial: 50, numTrainingLearning: 50, numTrainingMaintenance: 50, numTrainingRecall: 50 }, 10, 0, 11);
  const tr = r.training;
  for (let i = 0; i < 200; i++) {
    assert.is(tr.iteration[i], i);
    assert.is(tr.presented[i], tr.phase[i] === 1 || tr.phase[i] === 3 ? 1 : 0);
    assert.is(Number.isNaN(tr.accuracy[i]), tr.presented[i] === 0);
  }
  const r2 = simulateDms({ ...ARTICLE_CONFIG, stimRecall: 1, numTrainingInitial: 20, numTrainingLearning: 1, numTrainingMaintenance: 1, numTrainingRecall: 1 }, 10, 0, 11);
  assert.ok(Array.from(r2.training.presented).every((p) => p === 1));
});

test('stop_learning number_success with threshold 0: a pattern stops learning after one correct trial', () => {
  // ε large and no noise: a correct evaluation freezes that pattern's learning (g = 0),
  // so only errors move weights; the run must differ from stop_learning None.
  const base: DmsConfig = { ...PARSER_DEFAULT_CONFIG, noiseInput: 0, numTrainingInitial: 10, numTrainingLearning: 60, numTrainingMaintenance: 10, numTrainingRecall: 10 };
  const a = simulateDms({ ...base, stopLearning: 'number_success', numSuccessParams: 0 }, 10, 0, 4);
  const b = simulateDms(base, 10, 0, 4);
  assert.ok(JSON.stringify(Array.from(a.snapshots[2].weights)) !== JSON.stringify(Array.from(b.snapshots[2].weights)));
  // exponential_trace starts with err = 0, hence g = 0: with η_m = 0 no initial trial is
  // evaluated, so noise spikes change no weight in the initial phase (they do with None).
  const noisy: DmsConfig = { ...base, noiseInput: 0.01 };
  const e = simulateDms({ ...noisy, stopLearning: 'exponential_trace' }, 10, 0, 4);
  assert.equal(Array.from(e.snapshots[1].weights), Array.from(e.snapshots[0].weights));
  const n = simulateDms(noisy, 10, 0, 4);
  assert.ok(Array.from(n.snapshots[1].weights).some((w, k) => w !== n.snapshots[0].weights[k]));
  assert.ok(Array.from(e.snapshots[2].weights).some((w, k) => w !== e.snapshots[0].weights[k]), 'learning errors open the gate');
});

test.run();
