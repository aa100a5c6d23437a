/**
 * The shared Fisher–Yates shuffle: the draws it makes and the order it makes them in, against a
 * reference written out here, and that a sub-range shuffle leaves the rest alone.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RandomStream, shuffleInPlace } from '../engine/rng.js';

test('shuffle swaps position i with int(i + 1), from the last position down', () => {
  // A scripted int() makes the expected result hand-checkable: [0,1,2,3,4] with draws
  // int(5)=1, int(4)=3, int(3)=0, int(2)=1 → swap(4,1) [0,4,2,3,1], swap(3,3), swap(2,0)
  // [2,4,0,3,1], swap(1,1).
  const draws = [1, 3, 0, 1];
  const asked: number[] = [];
  const a = [0, 1, 2, 3, 4];
  shuffleInPlace(a, (n) => (asked.push(n), draws.shift()!));
  assert.equal(asked, [5, 4, 3, 2]);
  assert.equal(a, [2, 4, 0, 3, 1]);
});

test('RandomStream.shuffle on a sub-range permutes only that range, reproducibly', () => {
  const a = Int32Array.from({ length: 20 }, (_, i) => i);
  new RandomStream('shuffle-test').shuffle(a, 5, 10);
  for (let i = 0; i < 5; i++) assert.is(a[i], i);
  for (let i = 15; i < 20; i++) assert.is(a[i], i);
  assert.equal([...a.slice(5, 15)].sort((x, y) => x - y), [5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
  assert.not.equal([...a.slice(5, 15)], [5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
  // The same stream name gives the same permutation; the reference is the loop written out.
  const ref = Int32Array.from({ length: 20 }, (_, i) => i);
  const s = new RandomStream('shuffle-test');
  for (let i = 9; i > 0; i--) {
    const j = s.int(i + 1);
    [ref[5 + i], ref[5 + j]] = [ref[5 + j], ref[5 + i]];
  }
  assert.equal([...a], [...ref]);
});

test.run();
