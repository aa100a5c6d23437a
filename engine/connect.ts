/**
 * Connection rules (NEST's vocabulary). Each rule turns a pre view and a post view into
 * parallel lists of (source position, target position) pairs, drawing from the projection's
 * own random stream. Positions index the views; the network maps them to neurons.
 */
import { SimulationError, suggestion } from './errors.js';
import type { RandomStream } from './rng.js';

/** How to wire two views. */
export type ConnectionRule =
  | { rule: 'all_to_all'; allow_autapses?: boolean; allow_multapses?: boolean }
  | { rule: 'one_to_one'; allow_autapses?: boolean; allow_multapses?: boolean }
  | { rule: 'fixed_indegree'; indegree: number; allow_autapses?: boolean; allow_multapses?: boolean }
  | { rule: 'fixed_outdegree'; outdegree: number; allow_autapses?: boolean; allow_multapses?: boolean }
  | { rule: 'fixed_total_number'; N: number; allow_autapses?: boolean; allow_multapses?: boolean }
  | {
      rule: 'pairwise_bernoulli';
      /** A probability, or a function of the distance between the two neurons (needs positions). */
      p: number | ((distance: number) => number);
      allow_autapses?: boolean;
      allow_multapses?: boolean;
    }
  | { rule: 'explicit'; sources: ArrayLike<number>; targets: ArrayLike<number>; allow_autapses?: boolean; allow_multapses?: boolean };

/** Names of all rules, for error messages. */
export const RULE_NAMES = ['all_to_all', 'one_to_one', 'fixed_indegree', 'fixed_outdegree', 'fixed_total_number', 'pairwise_bernoulli', 'explicit'] as const;

/** What a rule needs to know about the two views. */
export interface RuleInput {
  nPre: number;
  nPost: number;
  /** Whether pre position a and post position b are the same neuron. */
  same(a: number, b: number): boolean;
  /** Distance between pre position a and post position b, if both have positions. */
  distance: ((a: number, b: number) => number) | null;
  rng: () => RandomStream;
}

/** Growable pair of Uint32 lists. */
export class PairList {
  src: Uint32Array;
  tgt: Uint32Array;
  length = 0;
  constructor(capacity = 1024) {
    this.src = new Uint32Array(Math.max(16, capacity));
    this.tgt = new Uint32Array(Math.max(16, capacity));
  }
  push(a: number, b: number): void {
    if (this.length === this.src.length) {
      const cap = this.src.length * 2;
      const s = new Uint32Array(cap);
      s.set(this.src);
      const t = new Uint32Array(cap);
      t.set(this.tgt);
      this.src = s;
      this.tgt = t;
    }
    this.src[this.length] = a;
    this.tgt[this.length] = b;
    this.length++;
  }
}

function checkCount(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new SimulationError('invalid_connection', `${name} must be a non-negative whole number, got ${value}.`);
  }
  return value;
}

/** Expected number of connections of a rule, for the memory check before anything is allocated. */
export function expectedConnections(rule: ConnectionRule, nPre: number, nPost: number): number {
  switch (rule.rule) {
    case 'all_to_all':
      return nPre * nPost;
    case 'one_to_one':
      return nPre;
    case 'fixed_indegree':
      return rule.indegree * nPost;
    case 'fixed_outdegree':
      return rule.outdegree * nPre;
    case 'fixed_total_number':
      return rule.N;
    case 'pairwise_bernoulli':
      return typeof rule.p === 'number' ? rule.p * nPre * nPost : nPre * nPost;
    case 'explicit':
      return rule.sources.length;
    default:
      return 0;
  }
}

/** Generates the connection pairs of `rule`. */
export function generatePairs(rule: ConnectionRule, io: RuleInput): PairList {
  const { nPre, nPost, same } = io;
  const autapses = rule.allow_autapses ?? true;
  const multapses = rule.allow_multapses ?? true;
  switch (rule.rule) {
    case 'all_to_all': {
      const out = new PairList(nPre * nPost);
      for (let b = 0; b < nPost; b++) {
        for (let a = 0; a < nPre; a++) if (autapses || !same(a, b)) out.push(a, b);
      }
      return out;
    }
    case 'one_to_one': {
      if (nPre !== nPost) {
        throw new SimulationError('invalid_connection', `one_to_one needs views of equal size, got ${nPre} sources and ${nPost} targets; slice them to the same size.`);
      }
      const out = new PairList(nPre);
      for (let a = 0; a < nPre; a++) if (autapses || !same(a, a)) out.push(a, a);
      return out;
    }
    case 'fixed_indegree': {
      const k = checkCount('indegree', rule.indegree);
      const rng = io.rng();
      const out = new PairList(k * nPost);
      for (let b = 0; b < nPost; b++) {
        drawDistinct(k, nPre, multapses, (a) => autapses || !same(a, b), rng, `fixed_indegree ${k} for target ${b}`, (a) => out.push(a, b));
      }
      return out;
    }
    case 'fixed_outdegree': {
      const k = checkCount('outdegree', rule.outdegree);
      const rng = io.rng();
      const out = new PairList(k * nPre);
      for (let a = 0; a < nPre; a++) {
        drawDistinct(k, nPost, multapses, (b) => autapses || !same(a, b), rng, `fixed_outdegree ${k} for source ${a}`, (b) => out.push(a, b));
      }
      return out;
    }
    case 'fixed_total_number': {
      const total = checkCount('N', rule.N);
      const rng = io.rng();
      const out = new PairList(total);
      const seen = multapses ? null : new Set<number>();
      let possible = nPre * nPost;
      if (!autapses) for (let a = 0; a < Math.min(nPre, nPost); a++) if (same(a, a)) possible--;
      if (!multapses && total > possible) {
        throw new SimulationError('invalid_connection', `fixed_total_number N = ${total} exceeds the ${possible} distinct pairs available without multapses; lower N or set allow_multapses: true.`);
      }
      while (out.length < total) {
        const a = rng.int(nPre);
        const b = rng.int(nPost);
        if (!autapses && same(a, b)) continue;
        if (seen) {
          const key = a * nPost + b;
          if (seen.has(key)) continue;
          seen.add(key);
        }
        out.push(a, b);
      }
      return out;
    }
    case 'pairwise_bernoulli': {
      const rng = io.rng();
      const p = rule.p;
      if (typeof p === 'number') {
        if (!(p >= 0 && p <= 1)) throw new SimulationError('invalid_connection', `pairwise_bernoulli p must be in [0, 1], got ${p}.`);
        const out = new PairList(Math.ceil(p * nPre * nPost * 1.1) + 16);
        if (p === 0) return out;
        // Geometric skipping over the pre-major list of candidate pairs: the same distribution
        // as one Bernoulli draw per pair, with one draw per connection.
        const total = nPre * nPost;
        const logq = Math.log1p(-p);
        let idx = -1;
        for (;;) {
          idx += p === 1 ? 1 : 1 + Math.floor(Math.log(1 - rng.uniform()) / logq);
          if (idx >= total) break;
          const a = Math.floor(idx / nPost);
          const b = idx - a * nPost;
          if (autapses || !same(a, b)) out.push(a, b);
        }
        return out;
      }
      if (!io.distance) {
        throw new SimulationError('invalid_connection', 'pairwise_bernoulli with a distance-dependent p needs positions on both populations; create them with { positions: ... }.');
      }
      const out = new PairList();
      for (let a = 0; a < nPre; a++) {
        for (let b = 0; b < nPost; b++) {
          if (!autapses && same(a, b)) continue;
          const prob = p(io.distance(a, b));
          if (!(prob >= 0 && prob <= 1)) {
            throw new SimulationError('invalid_connection', `pairwise_bernoulli p(distance) returned ${prob} for pair (${a}, ${b}); it must return a probability in [0, 1].`);
          }
          if (rng.uniform() < prob) out.push(a, b);
        }
      }
      return out;
    }
    case 'explicit': {
      const { sources, targets } = rule;
      if (sources.length !== targets.length) {
        throw new SimulationError('invalid_connection', `explicit connections need equal-length lists, got ${sources.length} sources and ${targets.length} targets.`);
      }
      const out = new PairList(sources.length);
      const seen = multapses ? null : new Set<number>();
      for (let j = 0; j < sources.length; j++) {
        const a = sources[j];
        const b = targets[j];
        if (!Number.isInteger(a) || a < 0 || a >= nPre) throw new SimulationError('invalid_connection', `explicit source ${a} (entry ${j}) is outside the pre view of size ${nPre}.`);
        if (!Number.isInteger(b) || b < 0 || b >= nPost) throw new SimulationError('invalid_connection', `explicit target ${b} (entry ${j}) is outside the post view of size ${nPost}.`);
        if (!autapses && same(a, b)) continue;
        if (seen) {
          const key = a * nPost + b;
          if (seen.has(key)) continue;
          seen.add(key);
        }
        out.push(a, b);
      }
      return out;
    }
    default: {
      const name = String((rule as { rule: unknown }).rule);
      throw new SimulationError('invalid_connection', `unknown connection rule '${name}'.${suggestion(name, [...RULE_NAMES])}`);
    }
  }
}

/**
 * Draws k partners from n candidates (with or without repetition) that pass `ok`, in the
 * order drawn.
 */
function drawDistinct(
  k: number,
  n: number,
  multapses: boolean,
  ok: (x: number) => boolean,
  rng: RandomStream,
  what: string,
  take: (x: number) => void,
): void {
  if (k === 0) return;
  let eligible = 0;
  for (let x = 0; x < n && eligible <= k; x++) if (ok(x)) eligible++;
  if (eligible === 0 || (!multapses && eligible < k)) {
    throw new SimulationError('invalid_connection', `${what}: only ${eligible} eligible partners; lower the degree, or allow multapses/autapses.`);
  }
  if (multapses) {
    let got = 0;
    while (got < k) {
      const x = rng.int(n);
      if (!ok(x)) continue;
      take(x);
      got++;
    }
    return;
  }
  const chosen = new Set<number>();
  while (chosen.size < k) {
    const x = rng.int(n);
    if (!ok(x) || chosen.has(x)) continue;
    chosen.add(x);
    take(x);
  }
}
