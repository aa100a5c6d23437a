/**
 * Input store of an event-driven population: for each arrival step (a ring over the longest
 * incoming delay), the list of (target, weight, offset) arrivals. The population takes one
 * step's list sorted by offset, so inputs are applied in exact time order.
 */
export class EventInbox {
  private target: Uint32Array[];
  private weight: Float64Array[];
  private offset: Float64Array[];
  private count: Uint32Array;
  /** Sorted copy of the slot being processed. */
  readonly sorted = { count: 0, target: new Uint32Array(64), weight: new Float64Array(64), offset: new Float64Array(64) };
  private order = new Uint32Array(64);

  constructor(readonly ringLength: number) {
    this.target = Array.from({ length: ringLength }, () => new Uint32Array(16));
    this.weight = Array.from({ length: ringLength }, () => new Float64Array(16));
    this.offset = Array.from({ length: ringLength }, () => new Float64Array(16));
    this.count = new Uint32Array(ringLength);
  }

  /** Adds an arrival at `step` (absolute) and `offset` (ms in [0, dt)). */
  add(step: number, target: number, weight: number, offset: number): void {
    const slot = step % this.ringLength;
    const c = this.count[slot];
    if (c === this.target[slot].length) this.grow(slot);
    this.target[slot][c] = target;
    this.weight[slot][c] = weight;
    this.offset[slot][c] = offset;
    this.count[slot] = c + 1;
  }

  private grow(slot: number): void {
    const cap = this.target[slot].length * 2;
    const t = new Uint32Array(cap);
    t.set(this.target[slot]);
    const w = new Float64Array(cap);
    w.set(this.weight[slot]);
    const o = new Float64Array(cap);
    o.set(this.offset[slot]);
    this.target[slot] = t;
    this.weight[slot] = w;
    this.offset[slot] = o;
  }

  /**
   * Moves the arrivals of `step` into {@link sorted}, ordered by offset and, at equal offsets,
   * by arrival order (which is the kernel's delivery order), and empties the slot.
   */
  take(step: number): EventInbox['sorted'] {
    const slot = step % this.ringLength;
    const n = this.count[slot];
    const out = this.sorted;
    if (out.target.length < n) {
      let cap = out.target.length;
      while (cap < n) cap *= 2;
      out.target = new Uint32Array(cap);
      out.weight = new Float64Array(cap);
      out.offset = new Float64Array(cap);
      this.order = new Uint32Array(cap);
    }
    const tg = this.target[slot];
    const wt = this.weight[slot];
    const of = this.offset[slot];
    let inOrder = true;
    for (let j = 1; j < n && inOrder; j++) if (of[j] < of[j - 1]) inOrder = false;
    if (inOrder) {
      out.target.set(tg.subarray(0, n));
      out.weight.set(wt.subarray(0, n));
      out.offset.set(of.subarray(0, n));
    } else {
      const order = this.order.subarray(0, n);
      for (let j = 0; j < n; j++) order[j] = j;
      order.sort((a, b) => of[a] - of[b] || a - b);
      for (let j = 0; j < n; j++) {
        const q = order[j];
        out.target[j] = tg[q];
        out.weight[j] = wt[q];
        out.offset[j] = of[q];
      }
    }
    out.count = n;
    this.count[slot] = 0;
    return out;
  }

  /** Copies pending arrivals into a ring of another length (when delays change between runs). */
  resizedTo(ringLength: number, fromStep: number): EventInbox {
    const next = new EventInbox(ringLength);
    for (let k = fromStep; k < fromStep + this.ringLength; k++) {
      const slot = k % this.ringLength;
      for (let j = 0; j < this.count[slot]; j++) next.add(k, this.target[slot][j], this.weight[slot][j], this.offset[slot][j]);
    }
    return next;
  }
}
