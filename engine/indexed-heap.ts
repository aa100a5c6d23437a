/**
 * Binary min-heap over the neurons of one population, one entry per neuron, keyed by a time
 * (e.g. the next threshold crossing of an event-driven neuron). Keys change in place, so
 * rescheduling a neuron after each input costs O(log n) and allocates nothing.
 */
export class IndexedMinHeap {
  private readonly heap: Uint32Array;
  private readonly pos: Int32Array;
  private readonly key: Float64Array;
  private size = 0;
  /** Set by the owner once every neuron has its key (models use it to build lazily). */
  initialized = false;

  constructor(readonly n: number) {
    this.heap = new Uint32Array(n);
    this.pos = new Int32Array(n).fill(-1);
    this.key = new Float64Array(n);
  }

  /** Number of scheduled neurons. */
  get length(): number {
    return this.size;
  }

  /** Smallest key, or Infinity when empty. */
  peekKey(): number {
    return this.size === 0 ? Infinity : this.key[this.heap[0]];
  }

  /** Neuron with the smallest key (undefined behaviour when empty). */
  peek(): number {
    return this.heap[0];
  }

  /** Sets neuron i's key (Infinity removes it). */
  set(i: number, k: number): void {
    if (k === Infinity) {
      this.remove(i);
      return;
    }
    const p = this.pos[i];
    if (p < 0) {
      const at = this.size++;
      this.heap[at] = i;
      this.pos[i] = at;
      this.key[i] = k;
      this.up(at);
      return;
    }
    const old = this.key[i];
    this.key[i] = k;
    if (k < old) this.up(p);
    else if (k > old) this.down(p);
  }

  /** Removes neuron i if scheduled. */
  remove(i: number): void {
    const p = this.pos[i];
    if (p < 0) return;
    const last = --this.size;
    this.pos[i] = -1;
    if (p === last) return;
    const moved = this.heap[last];
    this.heap[p] = moved;
    this.pos[moved] = p;
    this.up(p);
    this.down(this.pos[moved]);
  }

  /** Removes every entry. */
  clear(): void {
    for (let j = 0; j < this.size; j++) this.pos[this.heap[j]] = -1;
    this.size = 0;
    this.initialized = false;
  }

  // Ties are broken by neuron index so the order never depends on insertion history.
  private less(a: number, b: number): boolean {
    const ka = this.key[a];
    const kb = this.key[b];
    return ka < kb || (ka === kb && a < b);
  }

  private up(p: number): void {
    const h = this.heap;
    const item = h[p];
    while (p > 0) {
      const parent = (p - 1) >> 1;
      if (!this.less(item, h[parent])) break;
      h[p] = h[parent];
      this.pos[h[p]] = p;
      p = parent;
    }
    h[p] = item;
    this.pos[item] = p;
  }

  private down(p: number): void {
    const h = this.heap;
    const item = h[p];
    const n = this.size;
    for (;;) {
      let c = 2 * p + 1;
      if (c >= n) break;
      if (c + 1 < n && this.less(h[c + 1], h[c])) c++;
      if (!this.less(h[c], item)) break;
      h[p] = h[c];
      this.pos[h[p]] = p;
      p = c;
    }
    h[p] = item;
    this.pos[item] = p;
  }
}
