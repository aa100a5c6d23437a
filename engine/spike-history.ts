/**
 * Per-neuron spike archive of a population, kept for pair-based plasticity (NEST's
 * ArchivingNode). Each entry holds a spike time, the post trace K_minus just after that spike,
 * and how many incoming plastic synapses have read the entry so far.
 *
 * What is kept, and why that is exact. A synapse from source r with delay d reads the entries
 * in (t_last − d, t_pre − d] at each presynaptic spike (facilitation), then K_minus just before
 * t_pre − d (depression). So an entry is needed only by
 * - facilitation of synapses that have not read it yet: every synapse reads every entry once,
 *   whenever its source next fires, however late that is (the pair it stands for is owed to
 *   the synapse and may be large). Entries therefore carry an access counter and are kept
 *   until all registered readers of the neuron have read them, as NEST does. A synapse counts
 *   as a reader from its source's first spike on: before that its pre trace K_plus is exactly
 *   0, so every entry it would read contributes exactly nothing, and entries dropped earlier
 *   cannot change its weight. (No time horizon is used for facilitation: a source that fired
 *   just before a post spike and then fell silent still owes that pair, whatever its age.)
 * - depression lookups: a later presynaptic spike asks for K_minus at t_pre − d ≥ t − D, where
 *   t is the time of the newest archived spike and D the longest delay of the plastic
 *   projections onto this population (the `horizon`). Only the newest entry strictly before
 *   that time is used, so an entry may go once its successor lies more than D + eps before t.
 * Both conditions hold for the oldest entries first, so pruning pops from the front, and it
 * never removes something a weight update could still read: dropping is exact, not merely
 * below rounding.
 *
 * Storage: one ring per neuron of (time, K_minus, read count) triples, all rings in one
 * Float64Array pool at per-neuron offsets. A read is then one dependent load into the pool
 * (the offset arrays stay in cache), where separate arrays per neuron cost three (array slot,
 * array object, backing store) on every synaptic event. A ring that fills moves to a segment
 * twice its size at the end of the pool, so one neuron with a long history does not enlarge
 * the others; abandoned segments are reclaimed when the pool is reallocated.
 */

/**
 * Tolerance (ms) of spike-time comparisons, NEST's stdp_eps: times closer than this count as
 * equal, so float noise in t − d never moves a post spike across a window boundary.
 */
export const STDP_EPS = 1e-6;

const STRIDE = 3;
const INITIAL_CAPACITY = 4;

/** The spike archives of the neurons of one population. */
export class SpikeHistory {
  /** All rings: neuron i's ring starts at off[i] and holds cap[i] triples (a power of two). */
  private pool: Float64Array;
  /** Float64 slots of the pool in use by segments (live or abandoned). */
  private poolUsed: number;
  private readonly off: Float64Array;
  private readonly cap: Uint32Array;
  private readonly head: Uint32Array;
  private readonly count: Uint32Array;
  /** Incoming plastic synapses registered as readers of each neuron. */
  private readonly readers: Uint32Array;
  /** Per neuron, the latest spike's time and the trace right after it (interleaved). */
  private readonly last: Float64Array;

  /** Position (0 = oldest kept) of the first entry found by the last {@link read}. */
  first = 0;
  /** K_minus just before the time t2 of the last {@link read} (0 without an earlier spike). */
  kAt = 0;

  /**
   * @param n neurons in the population
   * @param tauMinus per-neuron time constant of the post trace (ms); read live, so parameter
   *   changes between runs apply to later spikes
   * @param horizon longest delay (ms) of the plastic projections onto this population
   */
  constructor(
    readonly n: number,
    private readonly tauMinus: Float64Array,
    public horizon: number,
  ) {
    this.pool = new Float64Array(n * INITIAL_CAPACITY * STRIDE);
    this.poolUsed = this.pool.length;
    this.off = new Float64Array(n);
    for (let i = 0; i < n; i++) this.off[i] = i * INITIAL_CAPACITY * STRIDE;
    this.cap = new Uint32Array(n).fill(INITIAL_CAPACITY);
    this.head = new Uint32Array(n);
    this.count = new Uint32Array(n);
    this.readers = new Uint32Array(n);
    this.last = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) this.last[2 * i] = -Infinity;
  }

  /**
   * Archives a spike of neuron i at time t (ms); times arrive in non-decreasing order. The
   * trace follows NEST: K ← K·exp((t_last − t)/tau_minus) + 1.
   */
  add(i: number, t: number): void {
    const last = this.last;
    const lt = last[2 * i];
    const k = lt === -Infinity ? 1 : last[2 * i + 1] * Math.exp((lt - t) * (1 / this.tauMinus[i])) + 1;
    last[2 * i] = t;
    last[2 * i + 1] = k;
    let pool = this.pool;
    let base = this.off[i];
    let mask = this.cap[i] - 1;
    let h = this.head[i];
    let c = this.count[i];
    const limit = t - this.horizon - STDP_EPS;
    const readers = this.readers[i];
    while (c > 1 && pool[base + h * STRIDE + 2] >= readers && pool[base + ((h + 1) & mask) * STRIDE] < limit) {
      h = (h + 1) & mask;
      c--;
    }
    this.head[i] = h;
    this.count[i] = c;
    if (c === mask + 1) {
      this.grow(i);
      pool = this.pool;
      base = this.off[i];
      mask = this.cap[i] - 1;
      h = 0;
    }
    const pos = base + ((h + c) & mask) * STRIDE;
    pool[pos] = t;
    pool[pos + 1] = k;
    pool[pos + 2] = 0;
    this.count[i] = c + 1;
  }

  /** Moves neuron i's ring, unwrapped, to a segment of twice the capacity. */
  private grow(i: number): void {
    const oldCap = this.cap[i];
    const newCap = oldCap * 2;
    const need = newCap * STRIDE;
    if (this.poolUsed + need > this.pool.length) this.repack(need);
    const pool = this.pool;
    const from = this.off[i];
    const to = this.poolUsed;
    const mask = oldCap - 1;
    const h = this.head[i];
    const c = this.count[i];
    for (let j = 0; j < c; j++) {
      const src = from + ((h + j) & mask) * STRIDE;
      const dst = to + j * STRIDE;
      pool[dst] = pool[src];
      pool[dst + 1] = pool[src + 1];
      pool[dst + 2] = pool[src + 2];
    }
    this.off[i] = to;
    this.cap[i] = newCap;
    this.head[i] = 0;
    this.poolUsed = to + need;
  }

  /** Reallocates the pool with only the live segments, leaving room for `extra` more slots. */
  private repack(extra: number): void {
    let live = 0;
    for (let i = 0; i < this.n; i++) live += this.cap[i] * STRIDE;
    const pool = new Float64Array(2 * (live + extra));
    let at = 0;
    for (let i = 0; i < this.n; i++) {
      const len = this.cap[i] * STRIDE;
      pool.set(this.pool.subarray(this.off[i], this.off[i] + len), at);
      this.off[i] = at;
      at += len;
    }
    this.pool = pool;
    this.poolUsed = at;
  }

  /**
   * Registers one more plastic synapse onto neuron i as a reader of its archive. Call it at
   * the synapse's first read (its source's first spike), together with that read.
   */
  register(i: number): void {
    this.readers[i]++;
  }

  /**
   * One synapse's read at a presynaptic spike: finds the entries of neuron i with
   * t1 < t ≤ t2 (NEST's get_history, with eps tolerance), marks them as read, and computes
   * K_minus just before t2 (NEST's get_K_value: the newest spike with t < t2 − eps, decayed
   * to t2). Returns the number of entries found; they are at positions
   * {@link first} … first + count − 1 (see {@link time}); the K value is left in {@link kAt}.
   * Scans from the newest entry back, so the cost is the entries after t1.
   */
  read(i: number, t1: number, t2: number): number {
    // The comparisons are NEST's, written as differences, so boundary cases round the same way.
    const pool = this.pool;
    const base = this.off[i];
    const mask = this.cap[i] - 1;
    const h = this.head[i];
    let j = this.count[i] - 1;
    while (j >= 0 && !(t2 - pool[base + ((h + j) & mask) * STRIDE] > -STDP_EPS)) j--;
    const end = j + 1;
    while (j >= 0 && !(t1 - pool[base + ((h + j) & mask) * STRIDE] > -STDP_EPS)) {
      pool[base + ((h + j) & mask) * STRIDE + 2]++;
      j--;
    }
    this.first = j + 1;
    // K lookup: entries within eps of t2 are simultaneous with it and do not count.
    let q = end - 1;
    while (q >= 0 && !(t2 - pool[base + ((h + q) & mask) * STRIDE] > STDP_EPS)) q--;
    if (q >= 0) {
      const pos = base + ((h + q) & mask) * STRIDE;
      this.kAt = pool[pos + 1] * Math.exp((pool[pos] - t2) * (1 / this.tauMinus[i]));
    } else {
      this.kAt = 0;
    }
    return end - this.first;
  }

  /** Number of archived spikes of neuron i. */
  size(i: number): number {
    return this.count[i];
  }

  /** Time of the j-th archived spike of neuron i (0 = oldest kept). */
  time(i: number, j: number): number {
    return this.pool[this.off[i] + ((this.head[i] + j) & (this.cap[i] - 1)) * STRIDE];
  }

  /** How many registered synapses have read the j-th archived spike of neuron i. */
  reads(i: number, j: number): number {
    return this.pool[this.off[i] + ((this.head[i] + j) & (this.cap[i] - 1)) * STRIDE + 2];
  }

  /** Registered reader synapses of neuron i. */
  readerCount(i: number): number {
    return this.readers[i];
  }

  /**
   * K_minus of neuron i at time t, counting only spikes more than eps before t (a post spike
   * at exactly t pairs with nothing: NEST ignores pairs with zero time difference).
   * Read-only (it marks nothing as read).
   */
  kValue(i: number, t: number): number {
    const pool = this.pool;
    const base = this.off[i];
    const mask = this.cap[i] - 1;
    const h = this.head[i];
    for (let j = this.count[i] - 1; j >= 0; j--) {
      const pos = base + ((h + j) & mask) * STRIDE;
      if (t - pool[pos] > STDP_EPS) return pool[pos + 1] * Math.exp((pool[pos] - t) * (1 / this.tauMinus[i]));
    }
    return 0;
  }
}
