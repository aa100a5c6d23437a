/**
 * Per-neuron spike archive of a population, kept for pair-based plasticity (NEST's
 * ArchivingNode): each entry is a spike time and the post trace K_minus just after it.
 * Entries older than the horizon asked for by the plastic projections are dropped; the
 * horizon is long enough that a dropped pair would change no weight in double precision.
 */
export class SpikeHistory {
  private capacity = 8;
  private times: Float64Array;
  private kminus: Float64Array;
  private readonly head: Uint32Array;
  private readonly count: Uint32Array;
  /** Trace value right after each neuron's latest spike, and that spike's time. */
  private readonly lastK: Float64Array;
  private readonly lastT: Float64Array;

  /**
   * @param n neurons in the population
   * @param tauMinus per-neuron time constant of the post trace (ms)
   * @param horizon how long (ms) a spike must stay available after it happened
   */
  constructor(
    readonly n: number,
    private readonly tauMinus: Float64Array,
    public horizon: number,
  ) {
    this.times = new Float64Array(n * this.capacity);
    this.kminus = new Float64Array(n * this.capacity);
    this.head = new Uint32Array(n);
    this.count = new Uint32Array(n);
    this.lastK = new Float64Array(n);
    this.lastT = new Float64Array(n).fill(-Infinity);
  }

  /** Archives a spike of neuron i at time t (ms); times arrive in non-decreasing order. */
  add(i: number, t: number): void {
    const k = this.lastT[i] === -Infinity ? 1 : this.lastK[i] * Math.exp((this.lastT[i] - t) / this.tauMinus[i]) + 1;
    this.lastK[i] = k;
    this.lastT[i] = t;
    const cap = this.capacity;
    // Drop entries that no synapse can need any more.
    const oldest = t - this.horizon;
    while (this.count[i] > 0 && this.times[i * cap + this.head[i]] < oldest) {
      this.head[i] = (this.head[i] + 1) % cap;
      this.count[i]--;
    }
    if (this.count[i] === cap) this.grow();
    const c = this.capacity;
    const pos = i * c + ((this.head[i] + this.count[i]) % c);
    this.times[pos] = t;
    this.kminus[pos] = k;
    this.count[i]++;
  }

  private grow(): void {
    const old = this.capacity;
    const cap = old * 2;
    const times = new Float64Array(this.n * cap);
    const kminus = new Float64Array(this.n * cap);
    for (let i = 0; i < this.n; i++) {
      for (let j = 0; j < this.count[i]; j++) {
        const from = i * old + ((this.head[i] + j) % old);
        times[i * cap + j] = this.times[from];
        kminus[i * cap + j] = this.kminus[from];
      }
      this.head[i] = 0;
    }
    this.times = times;
    this.kminus = kminus;
    this.capacity = cap;
  }

  /** Number of archived spikes of neuron i. */
  size(i: number): number {
    return this.count[i];
  }

  /** Time of the j-th archived spike of neuron i (0 = oldest kept). */
  time(i: number, j: number): number {
    return this.times[i * this.capacity + ((this.head[i] + j) % this.capacity)];
  }

  /**
   * K_minus of neuron i at time t, counting only spikes strictly before t (so a post spike
   * at exactly t pairs with nothing: NEST ignores pairs with zero time difference).
   */
  kValue(i: number, t: number): number {
    const cap = this.capacity;
    for (let j = this.count[i] - 1; j >= 0; j--) {
      const pos = i * cap + ((this.head[i] + j) % cap);
      const tj = this.times[pos];
      if (tj < t) return this.kminus[pos] * Math.exp((tj - t) / this.tauMinus[i]);
    }
    return 0;
  }
}
