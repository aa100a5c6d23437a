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
 * Storage is one ring buffer per neuron (time, K_minus, read count interleaved in a
 * Float64Array) that grows on its own, so one neuron with a long history does not enlarge the
 * others.
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
  /** Per neuron: ring of (time, K_minus, reads) triples; capacity is a power of two. */
  private readonly rings: Float64Array[];
  private readonly head: Uint32Array;
  private readonly count: Uint32Array;
  /** Incoming plastic synapses registered as readers of each neuron. */
  private readonly readers: Uint32Array;
  /** Trace value right after each neuron's latest spike, and that spike's time. */
  private readonly lastK: Float64Array;
  private readonly lastT: Float64Array;

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
    this.rings = new Array<Float64Array>(n);
    for (let i = 0; i < n; i++) this.rings[i] = new Float64Array(INITIAL_CAPACITY * STRIDE);
    this.head = new Uint32Array(n);
    this.count = new Uint32Array(n);
    this.readers = new Uint32Array(n);
    this.lastK = new Float64Array(n);
    this.lastT = new Float64Array(n).fill(-Infinity);
  }

  /**
   * Archives a spike of neuron i at time t (ms); times arrive in non-decreasing order. The
   * trace follows NEST: K ← K·exp((t_last − t)/tau_minus) + 1.
   */
  add(i: number, t: number): void {
    const lt = this.lastT[i];
    const k = lt === -Infinity ? 1 : this.lastK[i] * Math.exp((lt - t) * (1 / this.tauMinus[i])) + 1;
    this.lastK[i] = k;
    this.lastT[i] = t;
    let ring = this.rings[i];
    let mask = ring.length / STRIDE - 1;
    let h = this.head[i];
    let c = this.count[i];
    const limit = t - this.horizon - STDP_EPS;
    const readers = this.readers[i];
    while (c > 1 && ring[h * STRIDE + 2] >= readers && ring[((h + 1) & mask) * STRIDE] < limit) {
      h = (h + 1) & mask;
      c--;
    }
    if (c === mask + 1) {
      ring = this.grow(i, h, c);
      mask = ring.length / STRIDE - 1;
      h = 0;
    }
    const pos = ((h + c) & mask) * STRIDE;
    ring[pos] = t;
    ring[pos + 1] = k;
    ring[pos + 2] = 0;
    this.head[i] = h;
    this.count[i] = c + 1;
  }

  private grow(i: number, h: number, c: number): Float64Array {
    const old = this.rings[i];
    const mask = old.length / STRIDE - 1;
    const ring = new Float64Array(old.length * 2);
    for (let j = 0; j < c; j++) {
      const from = ((h + j) & mask) * STRIDE;
      ring[j * STRIDE] = old[from];
      ring[j * STRIDE + 1] = old[from + 1];
      ring[j * STRIDE + 2] = old[from + 2];
    }
    this.rings[i] = ring;
    return ring;
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
    const ring = this.rings[i];
    const mask = ring.length / STRIDE - 1;
    const h = this.head[i];
    // The comparisons are NEST's, written as differences, so boundary cases round the same way.
    let j = this.count[i] - 1;
    while (j >= 0 && !(t2 - ring[((h + j) & mask) * STRIDE] > -STDP_EPS)) j--;
    const end = j + 1;
    while (j >= 0 && !(t1 - ring[((h + j) & mask) * STRIDE] > -STDP_EPS)) {
      ring[((h + j) & mask) * STRIDE + 2]++;
      j--;
    }
    this.first = j + 1;
    // K lookup: entries within eps of t2 are simultaneous with it and do not count.
    let q = end - 1;
    while (q >= 0 && !(t2 - ring[((h + q) & mask) * STRIDE] > STDP_EPS)) q--;
    if (q >= 0) {
      const pos = ((h + q) & mask) * STRIDE;
      this.kAt = ring[pos + 1] * Math.exp((ring[pos] - t2) * (1 / this.tauMinus[i]));
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
    const ring = this.rings[i];
    return ring[((this.head[i] + j) & (ring.length / STRIDE - 1)) * STRIDE];
  }

  /** How many registered synapses have read the j-th archived spike of neuron i. */
  reads(i: number, j: number): number {
    const ring = this.rings[i];
    return ring[((this.head[i] + j) & (ring.length / STRIDE - 1)) * STRIDE + 2];
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
    const ring = this.rings[i];
    const mask = ring.length / STRIDE - 1;
    const h = this.head[i];
    for (let j = this.count[i] - 1; j >= 0; j--) {
      const pos = ((h + j) & mask) * STRIDE;
      if (t - ring[pos] > STDP_EPS) return ring[pos + 1] * Math.exp((ring[pos] - t) * (1 / this.tauMinus[i]));
    }
    return 0;
  }
}
