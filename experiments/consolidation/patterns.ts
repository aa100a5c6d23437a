/** Binary patterns of the consolidation experiment (spec §2), stored pattern-major. */
import type { RandomStream } from '../../engine/rng.js';

/** M patterns of N bits: bits[μ·N + j], with the active units of each pattern listed. */
export interface Patterns {
  n: number;
  m: number;
  f: number;
  bits: Uint8Array;
  /** Active units of pattern μ: act[actPtr[μ] .. actPtr[μ+1]). */
  act: Uint32Array;
  actPtr: Uint32Array;
}

/** Builds the active lists of a bit matrix. */
export function makePatterns(bits: Uint8Array, n: number, m: number, f: number): Patterns {
  const actPtr = new Uint32Array(m + 1);
  for (let mu = 0; mu < m; mu++) {
    let c = 0;
    for (let j = 0; j < n; j++) c += bits[mu * n + j];
    actPtr[mu + 1] = actPtr[mu] + c;
  }
  const act = new Uint32Array(actPtr[m]);
  for (let mu = 0, q = 0; mu < m; mu++) for (let j = 0; j < n; j++) if (bits[mu * n + j] === 1) act[q++] = j;
  return { n, m, f, bits, act, actPtr };
}

/**
 * Bernoulli patterns: each bit is 1 with probability f (pattern by pattern, unit by unit); a
 * neuron silent in every pattern gets its row (its bit in every pattern) redrawn until it is not.
 */
export function bernoulliPatterns(n: number, m: number, f: number, rng: RandomStream): Patterns {
  const bits = new Uint8Array(n * m);
  for (let mu = 0; mu < m; mu++) for (let j = 0; j < n; j++) bits[mu * n + j] = rng.uniform() < f ? 1 : 0;
  for (let j = 0; j < n; j++) {
    for (;;) {
      let any = false;
      for (let mu = 0; mu < m; mu++) if (bits[mu * n + j] === 1) any = true;
      if (any) break;
      for (let mu = 0; mu < m; mu++) bits[mu * n + j] = rng.uniform() < f ? 1 : 0;
    }
  }
  return makePatterns(bits, n, m, f);
}

/** Exact patterns: round(f·N) ones per pattern, placed by a Fisher–Yates shuffle. */
export function exactPatterns(n: number, m: number, f: number, rng: RandomStream): Patterns {
  const bits = new Uint8Array(n * m);
  const k = Math.round(f * n);
  const idx = new Uint32Array(n);
  for (let mu = 0; mu < m; mu++) {
    for (let j = 0; j < n; j++) idx[j] = j;
    rng.shuffle(idx);
    for (let q = 0; q < k; q++) bits[mu * n + idx[q]] = 1;
  }
  return makePatterns(bits, n, m, f);
}

/** The patterns with the given indices, in that order. */
export function selectPatterns(p: Patterns, which: readonly number[]): Patterns {
  const bits = new Uint8Array(p.n * which.length);
  which.forEach((mu, q) => bits.set(p.bits.subarray(mu * p.n, (mu + 1) * p.n), q * p.n));
  return makePatterns(bits, p.n, which.length, p.f);
}

/** Each pattern's bits permuted (novel patterns with the same activity). */
export function permutedPatterns(p: Patterns, rng: RandomStream): Patterns {
  const bits = p.bits.slice();
  const n = p.n;
  for (let mu = 0; mu < p.m; mu++) rng.shuffle(bits, mu * n, n);
  return makePatterns(bits, n, p.m, p.f);
}
