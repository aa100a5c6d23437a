/**
 * State recorder (NEST's multimeter): samples state variables of a set of neurons at a fixed
 * interval and streams one row per neuron and sample, `time_ms` (Float64), `node_id` (Uint32,
 * global id) and one Float64 column per variable, sorted by (time, node_id), to an Arrow file
 * in fixed-size record batches (or to memory).
 *
 * Time labels. Sampling happens in phase 4 of step k, after the updates of that step.
 * - Grid populations have then integrated up to (k+1)·dt, so the row's time is (k+1)·dt; with
 *   an interval of one step the first row is at dt, as NEST's multimeter gives V(0.1 ms)
 *   first at dt = 0.1 ms.
 * - Clock-driven populations hold the state their tick at step k computed, labelled k·dt.
 * Rows are written at times that are multiples of the interval. When one recorder mixes both
 * kinds, grid values sampled at step k−1 wait one step and are written together with the
 * clock values of step k, so rows stay sorted; close() writes a last group that only the grid
 * populations can fill.
 */
import type { Table } from 'apache-arrow';
import type { Network, Recorder } from '../engine/network.js';
import { Population, PopulationView } from '../engine/population.js';
import { SimulationError, nearestName } from '../engine/errors.js';
import { ArrowColumnWriter, type ColumnSpec } from './arrow-writer.js';
import { recorderMetadata } from './metadata.js';

/** Options of {@link recordStates}. */
export interface StateRecorderOptions {
  /**
   * State variables to record. Default: every non-internal state variable that all recorded
   * models have. Internal variables (counters, latches) are recorded when named here.
   */
  variables?: readonly string[];
  /** Sampling interval in ms, a whole multiple of dt (default dt). */
  interval?: number;
  /** Arrow file to write; omit to keep the table in memory. */
  path?: string;
  /** Rows per record batch (default 65,536). */
  batchSize?: number;
}

/** The neurons of one population that a recorder samples. */
interface Segment {
  readonly pop: Population;
  /** Local indices, ascending. */
  readonly indices: Uint32Array;
  readonly clock: boolean;
  /** For grid segments of a mixed recorder: values sampled one step early, variable-major. */
  readonly staged: Float64Array | null;
}

/** Samples state variables of populations or views at a fixed interval. */
export class StateRecorder implements Recorder {
  /** Names of the recorded variables, in column order (after time_ms and node_id). */
  readonly variables: readonly string[];
  /** Sampling interval in steps. */
  readonly intervalSteps: number;
  private readonly writer: ArrowColumnWriter;
  private readonly segments: Segment[] = [];
  private readonly net: Network;
  private readonly hasGrid: boolean;
  private readonly hasClock: boolean;
  /** Time step of the grid values held in the segments' staging buffers, or −1. */
  private stagedStep = -1;
  private closed = false;

  constructor(net: Network, targets: readonly (Population | PopulationView)[], options: StateRecorderOptions = {}) {
    if (targets.length === 0) throw new SimulationError('recorder_error', 'recordStates() needs at least one population or view.');
    this.net = net;
    const masks = new Map<Population, Uint8Array>();
    for (const t of targets) {
      if (!(t instanceof PopulationView)) {
        throw new SimulationError('recorder_error', 'recordStates(): a target is not a population or view; pass what net.create() returned.');
      }
      const pop = t.population;
      if (net.populations[pop.id] !== pop) {
        throw new SimulationError('foreign_population', `recordStates(): population '${pop.name}' belongs to another network; create it on this one.`);
      }
      let mask = masks.get(pop);
      if (mask === undefined) {
        mask = new Uint8Array(pop.n);
        masks.set(pop, mask);
      }
      for (const i of t.indices) mask[i] = 1;
    }
    const pops = [...masks.keys()].sort((a, b) => a.id - b.id);
    this.variables = resolveVariables(pops, options.variables);
    const intervalMs = options.interval ?? net.dt;
    this.intervalSteps = net.toSteps(intervalMs, 'recordStates() interval');
    if (this.intervalSteps < 1) {
      throw new SimulationError('recorder_error', `recordStates(): interval ${intervalMs} ms must be at least dt = ${net.dt} ms.`);
    }
    const hasClock = pops.some((p) => p.model.timing === 'clock');
    const hasGrid = pops.some((p) => p.model.timing !== 'clock');
    this.hasClock = hasClock;
    this.hasGrid = hasGrid;
    // Populations have contiguous, increasing global ids in creation order, so segments in
    // population order with ascending local indices give rows in node_id order.
    for (const pop of pops) {
      const mask = masks.get(pop)!;
      let count = 0;
      for (let i = 0; i < pop.n; i++) count += mask[i];
      const indices = new Uint32Array(count);
      for (let i = 0, j = 0; i < pop.n; i++) if (mask[i] === 1) indices[j++] = i;
      const clock = pop.model.timing === 'clock';
      const staged = !clock && hasClock ? new Float64Array(count * this.variables.length) : null;
      this.segments.push({ pop, indices, clock, staged });
    }
    const units: Record<string, string> = {};
    for (const v of this.variables) units[v] = pops[0].model.state[v].unit;
    const cols: ColumnSpec[] = [
      { name: 'time_ms', type: 'float64' },
      { name: 'node_id', type: 'uint32' },
      ...this.variables.map((name) => ({ name, type: 'float64' as const })),
    ];
    const meta = recorderMetadata(net, pops, {
      sorting: 'by_time',
      interval_ms: String(this.intervalSteps * net.dt),
      variable_units: JSON.stringify(units),
    });
    this.writer = new ArrowColumnWriter(cols, meta, options.path ?? null, options.batchSize);
    net.addRecorder(this);
  }

  /** Rows recorded so far (written or waiting in the current batch). */
  get count(): number {
    return this.writer.rowCount;
  }

  /** Phase 4 of step k. */
  record(step: number): void {
    const I = this.intervalSteps;
    if (!this.hasClock) {
      if ((step + 1) % I === 0) this.writeGroup(step + 1, true, false);
      return;
    }
    if (step % I === 0) this.writeGroup(step, true, this.stagedStep === step);
    if (this.hasGrid && (step + 1) % I === 0) this.stageGrid(step + 1);
  }

  /** Copies the grid segments' current values, labelled with time step `t`. */
  private stageGrid(t: number): void {
    const vars = this.variables;
    const nv = vars.length;
    for (const seg of this.segments) {
      if (seg.clock) continue;
      const idx = seg.indices;
      const m = idx.length;
      const staged = seg.staged!;
      for (let v = 0; v < nv; v++) {
        const arr = seg.pop.s[vars[v]];
        const base = v * m;
        for (let j = 0; j < m; j++) staged[base + j] = arr[idx[j]];
      }
    }
    this.stagedStep = t;
  }

  /**
   * Writes the rows of time step `t`: with `withLive`, the current values of every segment
   * that samples now (all of them in a recorder without clock populations, else the clock
   * ones); with `withStaged`, the staged grid values.
   */
  private writeGroup(t: number, withLive: boolean, withStaged: boolean): void {
    const w = this.writer;
    const cols = w.buffers;
    const time = this.net.stepToMs(t);
    const vars = this.variables;
    const nv = vars.length;
    const mixed = this.hasClock;
    for (const seg of this.segments) {
      const live = !mixed || seg.clock;
      if (live ? !withLive : !withStaged) continue;
      const idx = seg.indices;
      const m = idx.length;
      const first = seg.pop.firstId;
      const s = seg.pop.s;
      const staged = seg.staged;
      let j = 0;
      while (j < m) {
        // Fill up to the end of the current batch with plain column loops, then commit.
        const c0 = w.cursor;
        const rows = Math.min(m - j, w.batchSize - c0);
        const times = cols[0] as Float64Array;
        const ids = cols[1] as Uint32Array;
        for (let r = 0; r < rows; r++) {
          times[c0 + r] = time;
          ids[c0 + r] = first + idx[j + r];
        }
        for (let v = 0; v < nv; v++) {
          const out = cols[2 + v] as Float64Array;
          if (live) {
            const arr = s[vars[v]];
            for (let r = 0; r < rows; r++) out[c0 + r] = arr[idx[j + r]];
          } else {
            const base = v * m + j;
            for (let r = 0; r < rows; r++) out[c0 + r] = staged![base + r];
          }
        }
        w.commitRows(rows);
        j += rows;
      }
    }
    if (withStaged) this.stagedStep = -1;
  }

  /**
   * Writes the rows recorded so far as a (possibly short) batch. Grid rows of a mixed
   * recorder that wait for their clock partners stay back, so the order is kept.
   */
  flush(): void {
    this.writer.flush();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.stagedStep >= 0) this.writeGroup(this.stagedStep, false, true);
    await this.writer.close();
  }

  /** In-memory mode: the recorded rows (after close). */
  toTable(): Table {
    return this.writer.toTable();
  }
}

/** Checks the requested variables against every recorded model, or picks the default set. */
function resolveVariables(pops: readonly Population[], requested: readonly string[] | undefined): string[] {
  if (requested === undefined) {
    const common = Object.keys(pops[0].model.state).filter(
      (v) => !pops[0].model.state[v].internal && pops.every((p) => v in p.model.state && !p.model.state[v].internal),
    );
    if (common.length === 0) {
      throw new SimulationError('recorder_error', `recordStates(): the recorded models (${modelList(pops)}) share no recordable state variable; name the variables with { variables }.`);
    }
    return common;
  }
  if (!Array.isArray(requested) || requested.length === 0) {
    throw new SimulationError('recorder_error', 'recordStates(): variables must be a non-empty list of state-variable names, e.g. { variables: [\'V_m\'] }.');
  }
  const seen = new Set<string>();
  for (const v of requested) {
    if (seen.has(v)) throw new SimulationError('recorder_error', `recordStates(): variable '${v}' is listed twice.`);
    seen.add(v);
    if (v === 'time_ms' || v === 'node_id') {
      throw new SimulationError('recorder_error', `recordStates(): '${v}' is always a column; list only state variables.`);
    }
    for (const p of pops) {
      const m = p.model;
      if (v in m.state) continue;
      const recordable = Object.keys(m.state).filter((k) => !m.state[k].internal);
      const near = nearestName(v, Object.keys(m.state));
      const hint =
        v in m.params
          ? ` '${v}' is a parameter of '${m.name}', not a state variable; read it with population.get('${v}').`
          : near !== undefined
            ? ` Did you mean '${near}'?`
            : '';
      throw new SimulationError(
        'unknown_parameter',
        `recordStates(): model '${m.name}' (population '${p.name}') has no state variable '${v}'.${hint} Recordable: ${recordable.join(', ') || 'none'}.`,
      );
    }
  }
  return [...requested];
}

function modelList(pops: readonly Population[]): string {
  return [...new Set(pops.map((p) => p.model.name))].join(', ');
}

/**
 * Records state variables of `targets` every `interval` ms (see {@link StateRecorder}).
 *
 * @example
 * const vm = recordStates(net, pop.slice(0, 10), { variables: ['V_m'], interval: 1, path: 'out/vm.arrow' });
 */
export function recordStates(
  net: Network,
  targets: Population | PopulationView | readonly (Population | PopulationView)[],
  options: StateRecorderOptions = {},
): StateRecorder {
  const list = Array.isArray(targets) ? targets : [targets as Population | PopulationView];
  return new StateRecorder(net, list, options);
}
