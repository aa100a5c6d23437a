/**
 * A projection: the synapses made by one connect() call, stored as compressed sparse rows
 * over the source population (row = source neuron, per synapse: target index, weight,
 * delay in steps). One presynaptic spike walks one row and adds into the target
 * population's ring buffers; nothing is queued per synapse.
 */
import type { Population } from './population.js';
import type { SynapseModel } from './synapse.js';
import type { SpikeHistory } from './spike-history.js';
import type { EventInbox } from './event-inbox.js';

/** Receives the new weight each time a plastic synapse model updates a synapse (weight recorders). */
export interface WeightSink {
  /** Synapse `synapse` (index into the CSR arrays) of source `row` has weight `weight` after its update at `timeMs`. */
  onWeight(proj: ProjectionData, synapse: number, row: number, timeMs: number, weight: number): void;
}

/** The built connectivity and everything a synapse model's transmit loop needs. */
export class ProjectionData {
  /** Row start of each source neuron (length source.n + 1). */
  readonly rowPtr: Uint32Array;
  /** Target neuron (index within the target population) of each synapse. */
  readonly target: Uint32Array;
  /** Weight of each synapse (units of the target port). */
  readonly weight: Float64Array;
  /** Delay of each synapse in steps (>= 1). */
  readonly delay: Uint16Array;
  /** Largest and smallest delay in steps. */
  readonly maxDelay: number;
  readonly minDelay: number;

  /** Ring buffer receiving w >= 0 (and everything, for unsigned ports). */
  bufPos: Float64Array = new Float64Array(0);
  /** Ring buffer receiving w < 0. */
  bufNeg: Float64Array = new Float64Array(0);
  /** Number of slots in the target's ring buffers. */
  ringLength = 1;
  /** Target population size (stride of one ring slot). */
  nTarget: number;
  /**
   * Inputs of an event-driven target population (null for grid targets): arrivals are stored
   * with their exact time instead of being summed into ring slots.
   */
  inbox: EventInbox | null = null;
  /** Spike history of the target neurons, for plasticity that needs it. */
  postHistory: SpikeHistory | null = null;
  /** Resolution (ms). */
  readonly dt: number;
  /** The synapse model's state, created by its init(). */
  state: unknown = null;
  /**
   * Plastic models notify these after each weight update; they test `length` once per spike,
   * so a projection nobody records pays nothing.
   */
  readonly weightSinks: WeightSink[] = [];

  constructor(
    readonly id: number,
    readonly source: Population,
    readonly targetPopulation: Population,
    readonly synapse: SynapseModel,
    readonly params: Readonly<Record<string, number>>,
    /** Receptor port name, or null for routing by weight sign between the two signed ports. */
    readonly port: string | null,
    csr: { rowPtr: Uint32Array; target: Uint32Array; weight: Float64Array; delay: Uint16Array },
    dt: number,
  ) {
    this.rowPtr = csr.rowPtr;
    this.target = csr.target;
    this.weight = csr.weight;
    this.delay = csr.delay;
    this.nTarget = targetPopulation.n;
    this.dt = dt;
    let mx = 0;
    let mn = Infinity;
    for (let s = 0; s < csr.delay.length; s++) {
      const d = csr.delay[s];
      if (d > mx) mx = d;
      if (d < mn) mn = d;
    }
    this.maxDelay = mx;
    this.minDelay = csr.delay.length ? mn : 0;
  }

  /** Number of synapses. */
  get size(): number {
    return this.target.length;
  }

  /** Bytes held by the connectivity arrays (the figure behind bytes_per_synapse). */
  get byteLength(): number {
    return this.rowPtr.byteLength + this.target.byteLength + this.weight.byteLength + this.delay.byteLength;
  }

  /**
   * Per-tick synapse models (`tickEnd`): source rows of the spikes delivered since the
   * target's last tick, one entry per unit of multiplicity; see {@link notePre}.
   */
  tickPre: Uint32Array = new Uint32Array(16);
  tickPreCount = 0;

  /** Appends a delivered presynaptic spike to {@link tickPre} (the engine calls this). */
  notePre(row: number, mult: number): void {
    if (this.tickPreCount + mult > this.tickPre.length) {
      const grown = new Uint32Array(Math.max(2 * this.tickPre.length, this.tickPreCount + mult));
      grown.set(this.tickPre);
      this.tickPre = grown;
    }
    for (let m = 0; m < mult; m++) this.tickPre[this.tickPreCount++] = row;
  }

  /**
   * 1 when the target is clock-driven: its tick at step t reads slot t (the spikes seen at t),
   * whereas a grid target's update at step k reads slot k for the step it integrates to k+1.
   */
  clockTarget = 0;

  /**
   * Ring position (before adding the delay) for a spike stamped at `stamp` with `offset`.
   * A grid target consumes slot k in its update from k to k+1, so a spike stamped s over a
   * delay of d steps goes to slot s+d−1 and shows in the target's state at step s+d; a clock
   * target's tick at s+d reads slot s+d. A precise spike inside step s (offset > 0) counts as
   * stamped s+1, the end of the step in which it happened.
   */
  slotBase(stamp: number, offset: number): number {
    return (offset > 0 ? stamp : stamp - 1) + this.clockTarget + this.ringLength;
  }

  /**
   * Delivers one spike of source `row` (stamped `stamp`, precise `offset`, multiplicity `mult`)
   * over every synapse of the row with the current weights: into ring slots for grid targets,
   * as timed arrivals (step stamp + delay, same offset) for event-driven targets.
   */
  deliver(row: number, stamp: number, offset: number, mult: number): void {
    const inbox = this.inbox;
    if (inbox === null) {
      this.addRow(row, this.slotBase(stamp, offset), mult);
      return;
    }
    const { rowPtr, target, weight, delay } = this;
    const end = rowPtr[row + 1];
    for (let s = rowPtr[row]; s < end; s++) inbox.add(stamp + delay[s], target[s], weight[s] * mult, offset);
  }

  /**
   * {@link addRow} for a row whose synapses all have the weight w (times the multiplicity):
   * the same additions, without reading the weights.
   */
  addRowUniform(row: number, base: number, w: number): void {
    const { rowPtr, target, ringLength: L, nTarget: n } = this;
    const buf = w >= 0 ? this.bufPos : this.bufNeg;
    const start = rowPtr[row];
    const end = rowPtr[row + 1];
    // Integer index arithmetic (| 0): the compiler then adds in 32 bits instead of converting
    // every index to a double and back. Ring buffers hold fewer than 2^31 values.
    const b0 = ringSlot(base, L);
    if (this.minDelay === this.maxDelay) {
      let slot = (b0 + this.maxDelay) | 0;
      if (slot >= L) slot -= L;
      const off = (slot * n) | 0;
      for (let s = start; s < end; s++) buf[(off + target[s]) | 0] += w;
      return;
    }
    const delay = this.delay;
    for (let s = start; s < end; s++) {
      let slot = (b0 + delay[s]) | 0;
      if (slot >= L) slot -= L;
      buf[(slot * n + target[s]) | 0] += w;
    }
  }

  /**
   * The plain fan-out into grid targets: adds weight·mult to every target of `row`. Static synapses use it as is;
   * plastic models update weights first, then call it or inline the same arithmetic.
   */
  addRow(row: number, base: number, mult: number): void {
    const { rowPtr, target, weight, bufPos, bufNeg, ringLength: L, nTarget: n } = this;
    const start = rowPtr[row];
    const end = rowPtr[row + 1];
    // One integer division per spike, not per synapse: every delay is below the ring length.
    // Indices in 32-bit integers (| 0), as in addRowUniform.
    const b0 = ringSlot(base, L);
    if (this.minDelay === this.maxDelay) {
      let slot = (b0 + this.maxDelay) | 0;
      if (slot >= L) slot -= L;
      const off = (slot * n) | 0;
      for (let s = start; s < end; s++) {
        const w = weight[s] * mult;
        const idx = (off + target[s]) | 0;
        if (w >= 0) bufPos[idx] += w;
        else bufNeg[idx] += w;
      }
      return;
    }
    const delay = this.delay;
    for (let s = start; s < end; s++) {
      const w = weight[s] * mult;
      let slot = (b0 + delay[s]) | 0;
      if (slot >= L) slot -= L;
      const idx = (slot * n + target[s]) | 0;
      if (w >= 0) bufPos[idx] += w;
      else bufNeg[idx] += w;
    }
  }
}

/**
 * base mod L for a whole number base >= 0: an integer division while base fits in 31 bits
 * (a floating-point remainder costs several times more), exact beyond.
 */
function ringSlot(base: number, L: number): number {
  return (base < 2147483648 ? (base | 0) % L : base % L) | 0;
}

/**
 * The weight every synapse of `proj` has, or NaN when they differ. A model whose weights never
 * change (static_synapse) may then fan out with {@link ProjectionData.addRowUniform}, which
 * reads only the targets: a third of the memory traffic of {@link ProjectionData.addRow}.
 */
export function uniformWeight(proj: ProjectionData): number {
  const w = proj.weight;
  if (w.length === 0) return NaN;
  const first = w[0];
  for (let s = 1; s < w.length; s++) if (!Object.is(w[s], first)) return NaN;
  return first;
}

/** Builds CSR arrays from connection lists in generation order (stable within each source). */
export function buildCsr(
  nSource: number,
  sources: Uint32Array,
  targets: Uint32Array,
  weights: Float64Array,
  delays: Uint16Array,
): { rowPtr: Uint32Array; target: Uint32Array; weight: Float64Array; delay: Uint16Array } {
  const m = sources.length;
  const rowPtr = new Uint32Array(nSource + 1);
  for (let s = 0; s < m; s++) rowPtr[sources[s] + 1]++;
  for (let i = 0; i < nSource; i++) rowPtr[i + 1] += rowPtr[i];
  const fill = rowPtr.slice(0, nSource);
  const target = new Uint32Array(m);
  const weight = new Float64Array(m);
  const delay = new Uint16Array(m);
  for (let s = 0; s < m; s++) {
    const pos = fill[sources[s]]++;
    target[pos] = targets[s];
    weight[pos] = weights[s];
    delay[pos] = delays[s];
  }
  return { rowPtr, target, weight, delay };
}
