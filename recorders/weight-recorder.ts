/**
 * Weight recorder: rows of `time_ms` (Float64), `source` and `target` (Uint32, global ids) and
 * `weight` (Float64), streamed to an Arrow file in fixed-size record batches (or kept in
 * memory), with the recorders' common schema metadata.
 *
 * Two modes:
 * - `change` (NEST's weight_recorder): one row each time a plastic synapse model updates a
 *   synapse, i.e. for every presynaptic spike the synapse transmits, with the weight after the
 *   update and the spike's time. Rows come in delivery order, so time never decreases.
 * - `interval`: every weight of the recorded projections at steps that are multiples of the
 *   interval, sampled in phase 4 of step k (after the spikes stamped k were delivered) and
 *   labelled k·dt; rows by projection, then source, then connection order. The first sample
 *   (k = 0) holds the initial weights.
 *
 * Recording reads weights only; it never changes the dynamics.
 */
import type { Table } from 'apache-arrow';
import type { Network, Recorder } from '../engine/network.js';
import type { Population } from '../engine/population.js';
import { ProjectionData, type WeightSink } from '../engine/projection.js';
import { SimulationError } from '../engine/errors.js';
import { ArrowColumnWriter, type ColumnSpec } from './arrow-writer.js';
import { recorderMetadata } from './metadata.js';

/** Options of {@link recordWeights}. */
export interface WeightRecorderOptions {
  /** 'change' (default): a row per weight update; 'interval': all weights every `interval` ms. */
  mode?: 'change' | 'interval';
  /** Sampling interval in ms for mode 'interval', a whole multiple of dt. */
  interval?: number;
  /** Arrow file to write; omit to keep the table in memory. */
  path?: string;
  /** Rows per record batch (default 65,536). */
  batchSize?: number;
}

const COLUMNS: readonly ColumnSpec[] = [
  { name: 'time_ms', type: 'float64' },
  { name: 'source', type: 'uint32' },
  { name: 'target', type: 'uint32' },
  { name: 'weight', type: 'float64' },
];

/** Records the weights of one or more projections, on change or at an interval. */
export class WeightRecorder implements Recorder, WeightSink {
  readonly mode: 'change' | 'interval';
  /** Sampling interval in steps (mode 'interval'), else 0. */
  readonly intervalSteps: number;
  readonly projections: readonly ProjectionData[];
  private readonly writer: ArrowColumnWriter;
  private readonly net: Network;
  private closed = false;

  constructor(net: Network, projections: readonly ProjectionData[], options: WeightRecorderOptions = {}) {
    const mode = options.mode ?? 'change';
    if (mode !== 'change' && mode !== 'interval') {
      throw new SimulationError('recorder_error', `recordWeights(): mode must be 'change' or 'interval', got '${String(mode)}'.`);
    }
    this.mode = mode;
    this.net = net;
    if (projections.length === 0) {
      throw new SimulationError('recorder_error', 'recordWeights(): no projection to record; pass what net.connect() returned (by default every plastic projection is recorded, and this network has none).');
    }
    const seen = new Set<ProjectionData>();
    for (const pr of projections) {
      if (!(pr instanceof ProjectionData) || net.projections[pr.id] !== pr) {
        throw new SimulationError('foreign_population', 'recordWeights(): a projection does not belong to this network; pass what this network\'s connect() returned.');
      }
      if (seen.has(pr)) throw new SimulationError('recorder_error', `recordWeights(): projection ${pr.id} (${pr.source.name} -> ${pr.targetPopulation.name}) is listed twice.`);
      seen.add(pr);
      if (mode === 'change' && !pr.synapse.plastic) {
        throw new SimulationError(
          'recorder_error',
          `recordWeights(): projection ${pr.id} (${pr.source.name} -> ${pr.targetPopulation.name}) uses ${pr.synapse.name}, whose weights never change; record it with { mode: 'interval' } or leave it out.`,
        );
      }
    }
    // Interval rows follow projection creation order whatever order they were passed in.
    this.projections = [...projections].sort((a, b) => a.id - b.id);
    if (mode === 'interval') {
      if (options.interval === undefined) {
        throw new SimulationError('recorder_error', "recordWeights(): mode 'interval' needs { interval } in ms (a multiple of dt).");
      }
      this.intervalSteps = net.toSteps(options.interval, 'recordWeights() interval');
      if (this.intervalSteps < 1) {
        throw new SimulationError('recorder_error', `recordWeights(): interval ${options.interval} ms must be at least dt = ${net.dt} ms.`);
      }
    } else {
      if (options.interval !== undefined) {
        throw new SimulationError('recorder_error', "recordWeights(): { interval } applies to mode 'interval' only; add mode: 'interval' or drop the interval.");
      }
      this.intervalSteps = 0;
    }
    const pops: Population[] = [];
    for (const pr of this.projections) {
      if (!pops.includes(pr.source)) pops.push(pr.source);
      if (!pops.includes(pr.targetPopulation)) pops.push(pr.targetPopulation);
    }
    pops.sort((a, b) => a.id - b.id);
    const extra: Record<string, string> = {
      sorting: 'by_time',
      mode,
      projections: JSON.stringify(
        this.projections.map((pr) => ({ id: pr.id, source: pr.source.name, target: pr.targetPopulation.name, synapse_model: pr.synapse.name, count: pr.size })),
      ),
    };
    if (mode === 'interval') extra.interval_ms = String(this.intervalSteps * net.dt);
    this.writer = new ArrowColumnWriter(COLUMNS, recorderMetadata(net, pops, extra), options.path ?? null, options.batchSize);
    if (mode === 'change') for (const pr of this.projections) pr.weightSinks.push(this);
    net.addRecorder(this);
  }

  /** Rows recorded so far (written or waiting in the current batch). */
  get count(): number {
    return this.writer.rowCount;
  }

  onWeight(proj: ProjectionData, synapse: number, row: number, timeMs: number, weight: number): void {
    if (this.closed) return;
    const w = this.writer;
    const [time, source, target, value] = w.buffers;
    const c = w.cursor;
    time[c] = timeMs;
    source[c] = proj.source.firstId + row;
    target[c] = proj.targetPopulation.firstId + proj.target[synapse];
    value[c] = weight;
    w.commit();
  }

  /** Phase 4 of step k: in mode 'interval', all weights at multiples of the interval. */
  record(step: number): void {
    if (this.closed || this.intervalSteps === 0 || step % this.intervalSteps !== 0) return;
    const w = this.writer;
    const cols = w.buffers;
    const t = this.net.stepToMs(step);
    for (const pr of this.projections) {
      const { rowPtr, target, weight } = pr;
      const srcFirst = pr.source.firstId;
      const tgtFirst = pr.targetPopulation.firstId;
      const nRows = pr.source.n;
      let row = 0;
      let s = 0;
      const m = pr.size;
      while (s < m) {
        // Fill up to the end of the current batch with plain column loops, then commit.
        const c0 = w.cursor;
        const rows = Math.min(m - s, w.batchSize - c0);
        const time = cols[0] as Float64Array;
        const source = cols[1] as Uint32Array;
        const tgt = cols[2] as Uint32Array;
        const value = cols[3] as Float64Array;
        for (let r = 0; r < rows; r++, s++) {
          while (row < nRows && rowPtr[row + 1] <= s) row++;
          time[c0 + r] = t;
          source[c0 + r] = srcFirst + row;
          tgt[c0 + r] = tgtFirst + target[s];
          value[c0 + r] = weight[s];
        }
        w.commitRows(rows);
      }
    }
  }

  /** Writes the rows recorded so far as a (possibly short) batch. */
  flush(): void {
    this.writer.flush();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const pr of this.projections) {
      const k = pr.weightSinks.indexOf(this);
      if (k >= 0) pr.weightSinks.splice(k, 1);
    }
    await this.writer.close();
  }

  /** In-memory mode: the recorded rows (after close). */
  toTable(): Table {
    return this.writer.toTable();
  }
}

/**
 * Records the weights of `projections` (default: every plastic projection of `net` that
 * exists now), see {@link WeightRecorder}.
 *
 * @example
 * const conn = net.connect(pre, post, 'all_to_all', { model: 'stdp_synapse', weight: 0.5, params: { Wmax: 15 } });
 * const wr = recordWeights(net, conn, { path: 'out/weights.arrow' });
 */
export function recordWeights(
  net: Network,
  projections?: ProjectionData | readonly ProjectionData[],
  options: WeightRecorderOptions = {},
): WeightRecorder {
  const list =
    projections === undefined
      ? net.projections.filter((pr) => pr.synapse.plastic === true)
      : projections instanceof ProjectionData
        ? [projections]
        : projections;
  return new WeightRecorder(net, list, options);
}
