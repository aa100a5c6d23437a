/**
 * Accuracy of the network's decisions (the original's `get_perf`): over the entries with
 * mask > 0 whose target is not fixation (the test period after the mask), the fraction where
 * argmax y = argmax target; also split by match and non-match target.
 */

/** Counts that add over shards. */
export interface PerfCounts {
  correct: number;
  total: number;
  correctMatch: number;
  totalMatch: number;
  correctNonMatch: number;
  totalNonMatch: number;
}

function argmax(a: ArrayLike<number>, o: number, n: number): number {
  let best = 0;
  for (let c = 1; c < n; c++) if (a[o + c] > a[o + best]) best = c;
  return best;
}

/** Counts over `[T, B, nOut]` logits and targets and a `[T, B]` mask. */
export function perfCounts(y: ArrayLike<number>, target: ArrayLike<number>, mask: ArrayLike<number>, T: number, B: number, nOut: number): PerfCounts {
  const c: PerfCounts = { correct: 0, total: 0, correctMatch: 0, totalMatch: 0, correctNonMatch: 0, totalNonMatch: 0 };
  for (let k = 0; k < T; k++) {
    for (let b = 0; b < B; b++) {
      const o = (k * B + b) * nOut;
      if (!(mask[k * B + b] > 0) || target[o] !== 0) continue;
      const want = argmax(target, o, nOut);
      const ok = argmax(y, o, nOut) === want ? 1 : 0;
      c.correct += ok;
      c.total++;
      if (want === 2) {
        c.correctMatch += ok;
        c.totalMatch++;
      } else {
        c.correctNonMatch += ok;
        c.totalNonMatch++;
      }
    }
  }
  return c;
}

/** Adds counts. */
export function addCounts(a: PerfCounts, b: PerfCounts): PerfCounts {
  return {
    correct: a.correct + b.correct,
    total: a.total + b.total,
    correctMatch: a.correctMatch + b.correctMatch,
    totalMatch: a.totalMatch + b.totalMatch,
    correctNonMatch: a.correctNonMatch + b.correctNonMatch,
    totalNonMatch: a.totalNonMatch + b.totalNonMatch,
  };
}

/** Accuracy overall and per match / non-match (NaN where there are no entries). */
export function getPerf(c: PerfCounts): { accuracy: number; accuracy_match: number; accuracy_non_match: number } {
  return { accuracy: c.correct / c.total, accuracy_match: c.correctMatch / c.totalMatch, accuracy_non_match: c.correctNonMatch / c.totalNonMatch };
}
