/**
 * Spike recorder: one row per spike with `node_id` (Uint32, global id) and `time_ms`
 * (Float64, precise times included), optionally `population` (Dictionary<Utf8>), sorted by
 * (time, node_id), streamed to an Arrow file in fixed-size record batches (SONATA's spike
 * layout). Recording does not touch the dynamics.
 */
import type { Network, Recorder } from '../engine/network.js';
import { Population, PopulationView, type SpikeSink } from '../engine/population.js';
import { SimulationError } from '../engine/errors.js';
import { ArrowColumnWriter, type ColumnSpec } from './arrow-writer.js';
import { recorderMetadata } from './metadata.js';
import type { Table } from 'apache-arrow';

/** Options of {@link recordSpikes}. */
export interface SpikeRecorderOptions {
  /** Arrow file to write; omit to keep the table in memory. */
  path?: string;
  /** Rows per record batch (default 65,536). */
  batchSize?: number;
  /** Add a `population` column (default false). */
  populationColumn?: boolean;
}

/** Records the spikes of one or more populations or views. */
export class SpikeRecorder implements Recorder, SpikeSink {
  private readonly writer: ArrowColumnWriter;
  private readonly masks = new Map<Population, Uint8Array | null>();
  private readonly popKey = new Map<Population, number>();
  // The same two maps as arrays indexed by population id, for onSpike (called per spike).
  private readonly maskById: (Uint8Array | null | undefined)[] = [];
  private readonly keyById: number[] = [];
  private readonly withPopulation: boolean;
  // Rows of steps not yet final (a step is final once the next one has begun).
  private stStep = new Float64Array(256);
  private stTime = new Float64Array(256);
  private stId = new Uint32Array(256);
  private stPop = new Int32Array(256);
  private staged = 0;
  private order = new Uint32Array(256);
  private readonly net: Network;

  constructor(net: Network, targets: readonly (Population | PopulationView)[], options: SpikeRecorderOptions = {}) {
    if (targets.length === 0) throw new SimulationError('recorder_error', 'recordSpikes() needs at least one population or view.');
    this.net = net;
    const pops: Population[] = [];
    for (const t of targets) {
      const pop = t.population;
      if (!pops.includes(pop)) pops.push(pop);
      if (t instanceof Population) this.masks.set(pop, null);
      else if (this.masks.get(pop) !== null) {
        const mask = this.masks.get(pop) ?? new Uint8Array(pop.n);
        for (const i of t.indices) mask[i] = 1;
        this.masks.set(pop, mask);
      }
    }
    pops.sort((a, b) => a.id - b.id);
    pops.forEach((p, k) => this.popKey.set(p, k));
    for (const p of pops) {
      while (this.keyById.length <= p.id) {
        this.keyById.push(-1);
        this.maskById.push(undefined);
      }
      this.keyById[p.id] = this.popKey.get(p)!;
      this.maskById[p.id] = this.masks.get(p);
    }
    this.withPopulation = options.populationColumn ?? false;
    const cols: ColumnSpec[] = [
      { name: 'node_id', type: 'uint32' },
      { name: 'time_ms', type: 'float64' },
    ];
    if (this.withPopulation) cols.push({ name: 'population', type: 'dictionary', values: pops.map((p) => p.name) });
    const meta = recorderMetadata(net, pops, { sorting: 'by_time' });
    this.writer = new ArrowColumnWriter(cols, meta, options.path ?? null, options.batchSize);
    for (const p of pops) net.addSpikeSink(p, this);
    net.addRecorder(this);
  }

  /** Number of spikes recorded so far. */
  get count(): number {
    return this.writer.rowCount + this.staged;
  }

  onSpike(pop: Population, i: number, step: number, offset: number): void {
    const mask = this.maskById[pop.id];
    if (mask === undefined || (mask !== null && mask[i] === 0)) return;
    if (this.staged === this.stStep.length) this.growStage();
    const r = this.staged++;
    this.stStep[r] = step;
    this.stTime[r] = this.net.stepToMs(step) + offset;
    this.stId[r] = pop.firstId + i;
    this.stPop[r] = this.keyById[pop.id];
  }

  private growStage(): void {
    const cap = this.stStep.length * 2;
    const g = <T extends Float64Array | Uint32Array | Int32Array>(a: T, m: (n: number) => T) => {
      const b = m(cap);
      b.set(a);
      return b;
    };
    this.stStep = g(this.stStep, (n) => new Float64Array(n));
    this.stTime = g(this.stTime, (n) => new Float64Array(n));
    this.stId = g(this.stId, (n) => new Uint32Array(n));
    this.stPop = g(this.stPop, (n) => new Int32Array(n));
  }

  /** Phase 4 of step k: spikes of steps before k are final; move them to the writer in order. */
  record(step: number): void {
    this.commitBefore(step);
  }

  private commitBefore(step: number): void {
    const n = this.staged;
    if (n === 0) return;
    let m = 0;
    while (m < n && this.stStep[m] < step) m++;
    if (m !== 0) this.commitFirst(m);
  }

  /**
   * Moves the first `m` staged rows to the writer in (time, node_id) order. Separate from
   * {@link commitBefore}, which runs every step, so that each is compiled on its own feedback.
   */
  private commitFirst(m: number): void {
    const n = this.staged;
    // Rows arrive in kernel order, which is (time, node_id) except across sources that share
    // a time; sort only when needed.
    let sorted = true;
    for (let r = 1; r < m && sorted; r++) {
      const dtm = this.stTime[r] - this.stTime[r - 1];
      if (dtm < 0 || (dtm === 0 && this.stId[r] < this.stId[r - 1])) sorted = false;
    }
    if (this.order.length < m) this.order = new Uint32Array(Math.max(m, 2 * this.order.length));
    const order = this.order;
    for (let r = 0; r < m; r++) order[r] = r;
    if (!sorted) order.subarray(0, m).sort((a, b) => this.stTime[a] - this.stTime[b] || this.stId[a] - this.stId[b]);
    const w = this.writer;
    // Indexed rather than destructured: no iterator for the compiler to inline.
    const cols = w.buffers;
    const ids = cols[0];
    const times = cols[1];
    const popCol = cols[2];
    for (let q = 0; q < m; q++) {
      const r = order[q];
      const c = w.cursor;
      ids[c] = this.stId[r];
      times[c] = this.stTime[r];
      if (this.withPopulation) popCol[c] = this.stPop[r];
      w.commit();
    }
    this.stStep.copyWithin(0, m, n);
    this.stTime.copyWithin(0, m, n);
    this.stId.copyWithin(0, m, n);
    this.stPop.copyWithin(0, m, n);
    this.staged = n - m;
  }

  /** Writes out the complete rows recorded so far as a (possibly short) batch. */
  flush(): void {
    this.commitBefore(Infinity);
    this.writer.flush();
  }

  async close(): Promise<void> {
    this.commitBefore(Infinity);
    await this.writer.close();
  }

  /** In-memory mode: the recorded spikes (after close). */
  toTable(): Table {
    return this.writer.toTable();
  }
}

/** Records the spikes of `targets` (see {@link SpikeRecorder}). */
export function recordSpikes(
  net: Network,
  targets: Population | PopulationView | readonly (Population | PopulationView)[],
  options: SpikeRecorderOptions = {},
): SpikeRecorder {
  const list = Array.isArray(targets) ? targets : [targets as Population | PopulationView];
  return new SpikeRecorder(net, list, options);
}
