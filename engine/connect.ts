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
  /**
   * Number of (pre, post) position pairs that are the same neuron. Optional: counted with
   * `same` when absent (quadratic, so callers that know the views should pass it).
   */
  sameCount?: number;
}

/** Counts the pairs (a, b) with pre[a] === post[b] for two index lists into one population. */
export function countSamePairs(pre: ArrayLike<number>, post: ArrayLike<number>): number {
  let max = 0;
  for (let b = 0; b < post.length; b++) if (post[b] > max) max = post[b];
  const mult = new Uint32Array(max + 1);
  for (let b = 0; b < post.length; b++) mult[post[b]]++;
  let count = 0;
  for (let a = 0; a < pre.length; a++) if (pre[a] <= max) count += mult[pre[a]];
  return count;
}

/** Fields each rule accepts besides `rule` and the two flags. */
const RULE_FIELDS: Record<ConnectionRule['rule'], string[]> = {
  all_to_all: [],
  one_to_one: [],
  fixed_indegree: ['indegree'],
  fixed_outdegree: ['outdegree'],
  fixed_total_number: ['N'],
  pairwise_bernoulli: ['p'],
  explicit: ['sources', 'targets'],
};

/**
 * Rejects an unknown rule, unknown or missing fields (a misspelt `allow_autapse` would
 * otherwise be ignored silently) and flags that are not booleans.
 */
export function validateRule(rule: ConnectionRule): void {
  if (rule === null || typeof rule !== 'object') {
    throw new SimulationError('invalid_connection', `a connection rule must be a rule name or an object { rule, ... }, got ${String(rule)}.`);
  }
  const name = String((rule as { rule: unknown }).rule);
  if (!(name in RULE_FIELDS)) {
    throw new SimulationError('invalid_connection', `unknown connection rule '${name}'.${suggestion(name, [...RULE_NAMES])}`);
  }
  const fields = RULE_FIELDS[name as ConnectionRule['rule']];
  const allowed = ['rule', ...fields, 'allow_autapses', 'allow_multapses'];
  for (const key of Object.keys(rule)) {
    if (!allowed.includes(key)) {
      throw new SimulationError('invalid_connection', `connection rule '${name}' has no field '${key}'.${suggestion(key, allowed.slice(1))}`);
    }
  }
  const r = rule as unknown as Record<string, unknown>;
  for (const key of fields) {
    if (r[key] === undefined) {
      throw new SimulationError('invalid_connection', `connection rule '${name}' needs the field '${key}'.`);
    }
  }
  for (const flag of ['allow_autapses', 'allow_multapses']) {
    if (r[flag] !== undefined && typeof r[flag] !== 'boolean') {
      throw new SimulationError('invalid_connection', `${flag} must be true or false, got ${String(r[flag])}.`);
    }
  }
  switch (rule.rule) {
    case 'fixed_indegree':
      checkCount('indegree', rule.indegree);
      break;
    case 'fixed_outdegree':
      checkCount('outdegree', rule.outdegree);
      break;
    case 'fixed_total_number':
      checkCount('N', rule.N);
      break;
    case 'pairwise_bernoulli':
      if (typeof rule.p === 'number') {
        if (!(rule.p >= 0 && rule.p <= 1)) throw new SimulationError('invalid_connection', `pairwise_bernoulli p must be in [0, 1], got ${rule.p}.`);
      } else if (typeof rule.p !== 'function') {
        throw new SimulationError('invalid_connection', `pairwise_bernoulli p must be a probability or a function of distance, got ${String(rule.p)}.`);
      }
      break;
    case 'explicit':
      for (const key of ['sources', 'targets'] as const) {
        const list = rule[key] as unknown;
        if (list === null || typeof list !== 'object' || typeof (list as ArrayLike<number>).length !== 'number') {
          throw new SimulationError('invalid_connection', `explicit ${key} must be an array of view positions, got ${String(list)}.`);
        }
      }
      break;
  }
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
  // Called before anything else by the network, so a malformed rule fails here rather than
  // turning the estimate into NaN (which would disable the memory check).
  validateRule(rule);
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
  validateRule(rule);
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
      // Views may overlap at any positions (a slice against a shifted slice), so the
      // autapse pairs are counted, not assumed to lie on the diagonal.
      let possible = nPre * nPost;
      if (!autapses) possible -= io.sameCount ?? countSameByScan(nPre, nPost, same);
      if (total > 0 && possible === 0) {
        throw new SimulationError('invalid_connection', `fixed_total_number N = ${total}: every candidate pair is an autapse; set allow_autapses: true or use views that differ.`);
      }
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

function countSameByScan(nPre: number, nPost: number, same: (a: number, b: number) => boolean): number {
  let count = 0;
  for (let a = 0; a < nPre; a++) for (let b = 0; b < nPost; b++) if (same(a, b)) count++;
  return count;
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
