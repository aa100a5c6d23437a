/**
 * spike_generator: emits spikes at given times, as NEST's model of the same name.
 *
 * Spike times are lists of numbers per neuron, which the numeric parameter interface cannot
 * carry, so they are given with {@link setSpikeTimes} after create(). The lists are kept by
 * this module, keyed by the population's parameter record (the object every call of
 * `prepare` and `update` receives for that population), so the engine needs nothing extra.
 *
 * Semantics (NEST):
 * - times are in ms relative to `origin`, sorted, > 0; equal times give separate spikes;
 * - by default a time must lie on the grid (within rounding noise); with
 *   `allow_offgrid_times` it is moved to the end of the step that contains it; with
 *   `precise_times` it is kept exactly: time = step·dt + offset, offset in [0, dt);
 * - a spike is sent when origin+start < t_stamp ≤ origin+stop, where t_stamp is the grid
 *   point at the end of the step containing the spike (the spike time itself if on grid);
 * - optional per-spike multiplicities;
 * - times that are already in the past when the run reaches them are skipped, as NEST does.
 *
 * Grid timing: the update at step k emits the spikes of step k+1. A precise spike inside
 * step s (offset > 0) is emitted by the update at s−1 too; the engine then delivers it to
 * grid targets as stamped s+1, the end of its step, exactly where NEST puts it. One
 * consequence: a precise time must not fall inside the step the run is about to compute
 * (0 < t < dt at the start, or the first step after a pause); such times are refused.
 */
import { defineNeuronModel } from '../engine/model.js';
import { registerNeuronModel } from '../engine/registry.js';
import { SimulationError } from '../engine/errors.js';
import type { Population, PopulationView } from '../engine/population.js';
import { deviceSteps } from './poisson_generator.js';

/** Options of {@link setSpikeTimes}. */
export interface SpikeTimesOptions {
  /**
   * Multiplicity of each spike (whole numbers >= 1): one list per neuron, parallel to its
   * times, or a single list used for every neuron. Default 1.
   */
  multiplicities?: ArrayLike<number> | readonly ArrayLike<number>[];
}

/** Spike lists of one population, as given (ms), plus the read position of every neuron. */
interface Trains {
  times: (Float64Array | null)[];
  mults: (Float64Array | null)[];
  /** Index of the next spike to look at, per neuron (NEST's position_). */
  cursor: Float64Array;
  /** Origin (steps) the cursor belongs to; NEST rewinds the list when origin changes. */
  origin: Float64Array;
}

const trainsByParams = new WeakMap<object, Trains>();

function trainsOf(p: object, n: number): Trains {
  let t = trainsByParams.get(p);
  if (t === undefined) {
    t = {
      times: new Array<Float64Array | null>(n).fill(null),
      mults: new Array<Float64Array | null>(n).fill(null),
      cursor: new Float64Array(n),
      origin: new Float64Array(n).fill(NaN),
    };
    trainsByParams.set(p, t);
  }
  return t;
}

function isNumberList(x: unknown): x is ArrayLike<number> {
  return x !== null && typeof x === 'object' && typeof (x as ArrayLike<unknown>).length === 'number' && ((x as ArrayLike<unknown>).length === 0 || typeof (x as ArrayLike<unknown>)[0] === 'number');
}

/**
 * Sets the spike times (ms, relative to each generator's origin) of the spike_generator
 * neurons in `target`: one list per neuron of the view, or a single list for all of them.
 * Replaces earlier lists and rewinds them (NEST's SetStatus of spike_times). Takes effect at
 * the next simulate().
 */
export function setSpikeTimes(
  target: Population | PopulationView,
  times: ArrayLike<number> | readonly ArrayLike<number>[],
  options: SpikeTimesOptions = {},
): void {
  const pop = target.population;
  if (pop.model !== spike_generator) {
    throw new SimulationError('invalid_value', `setSpikeTimes(): '${pop.name}' is a ${pop.model.name}, not a spike_generator.`);
  }
  const idx = target.indices;
  const m = idx.length;
  const perNeuron = (x: ArrayLike<number> | readonly ArrayLike<number>[], what: string): ArrayLike<number>[] => {
    if (isNumberList(x)) return new Array<ArrayLike<number>>(m).fill(x);
    const lists = x as readonly ArrayLike<number>[];
    if (lists.length !== m) {
      throw new SimulationError('invalid_value', `setSpikeTimes(): got ${lists.length} ${what} lists for ${m} generators of '${pop.name}'; give one list per generator or a single list for all.`);
    }
    return lists.map((l, j) => {
      if (!isNumberList(l)) throw new SimulationError('invalid_value', `setSpikeTimes(): ${what} list ${j} for '${pop.name}' is not a list of numbers.`);
      return l;
    });
  };
  const timeLists = perNeuron(times, 'spike-time');
  const multLists = options.multiplicities === undefined ? null : perNeuron(options.multiplicities, 'multiplicity');
  // Validate everything before changing anything, so a rejected call leaves the old lists.
  const newTimes: Float64Array[] = [];
  const newMults: (Float64Array | null)[] = [];
  for (let j = 0; j < m; j++) {
    const id = pop.firstId + idx[j];
    const src = timeLists[j];
    const t = new Float64Array(src.length);
    for (let q = 0; q < src.length; q++) {
      const v = src[q];
      if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
        throw new SimulationError('invalid_value', `setSpikeTimes(): spike time ${q} of node ${id} ('${pop.name}') is ${v}; spike times must be finite and > 0 ms.`);
      }
      if (q > 0 && v < t[q - 1]) {
        throw new SimulationError('invalid_value', `setSpikeTimes(): spike times of node ${id} ('${pop.name}') must be sorted in non-descending order (${t[q - 1]} ms is followed by ${v} ms).`);
      }
      t[q] = v;
    }
    newTimes.push(t);
    if (multLists === null) {
      newMults.push(null);
      continue;
    }
    const ms = multLists[j];
    if (ms.length !== src.length) {
      throw new SimulationError('invalid_value', `setSpikeTimes(): node ${id} ('${pop.name}') has ${src.length} spike times but ${ms.length} multiplicities; give one per spike.`);
    }
    const mu = new Float64Array(ms.length);
    for (let q = 0; q < ms.length; q++) {
      const v = ms[q];
      if (!Number.isInteger(v) || v < 1) {
        throw new SimulationError('invalid_value', `setSpikeTimes(): multiplicity ${q} of node ${id} ('${pop.name}') is ${v}; multiplicities must be whole numbers >= 1.`);
      }
      mu[q] = v;
    }
    newMults.push(mu);
  }
  const trains = trainsOf(pop.p, pop.n);
  for (let j = 0; j < m; j++) {
    const i = idx[j];
    trains.times[i] = newTimes[j];
    trains.mults[i] = newMults[j];
    trains.cursor[i] = 0;
  }
  // The grid conversion depends on dt and the flags, so it happens in prepare().
  pop.dirty = true;
}

/** The spike times (ms) set for local neuron i of a spike_generator population. */
export function getSpikeTimes(pop: Population, i: number): Float64Array {
  const t = trainsByParams.get(pop.p)?.times[i];
  return t ? t.slice() : new Float64Array(0);
}

export const spike_generator = defineNeuronModel({
  name: 'spike_generator',
  doc: 'Emits spikes at given times (set with setSpikeTimes), on the grid or precise; NEST spike_generator.',
  timing: 'grid',
  output: 'spike',
  // --- parameters -------------------------------------------------------------------------
  params: {
    start: { default: 0, unit: 'ms', min: 0, doc: 'Activation time, relative to origin (exclusive).' },
    stop: { default: Number.MAX_VALUE, unit: 'ms', min: 0, doc: 'Deactivation time, relative to origin (inclusive); default: never.' },
    origin: { default: 0, unit: 'ms', min: 0, doc: 'Global offset added to start, stop and every spike time.' },
    precise_times: { default: 0, unit: '1', min: 0, max: 1, integer: true, doc: '1: keep off-grid times exactly (spike offsets).' },
    allow_offgrid_times: { default: 0, unit: '1', min: 0, max: 1, integer: true, doc: '1: move off-grid times to the end of their step instead of refusing them.' },
  },
  // --- state ------------------------------------------------------------------------------
  state: {},
  // --- buffers (receptor ports) -----------------------------------------------------------
  ports: {},
  check: (p) => {
    if (p.stop < p.start) return `stop (${p.stop} ms) must not be before start (${p.start} ms).`;
    if (p.precise_times === 1 && p.allow_offgrid_times === 1) return 'precise_times and allow_offgrid_times cannot both be 1.';
    return undefined;
  },
  // --- constants: the spike lists on the grid ---------------------------------------------
  prepare(p, dt, n) {
    const trains = trainsOf(p, n);
    const rowPtr = new Uint32Array(n + 1);
    for (let i = 0; i < n; i++) rowPtr[i + 1] = rowPtr[i] + (trains.times[i]?.length ?? 0);
    const total = rowPtr[n];
    const step = new Float64Array(total); // our stamp s: the spike is at s·dt + offset
    const offset = new Float64Array(total);
    const mult = new Float64Array(total);
    const origin = new Float64Array(n);
    const first = new Float64Array(n);
    const last = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      origin[i] = deviceSteps(p.origin[i], dt, 'spike_generator origin');
      first[i] = origin[i] + deviceSteps(p.start[i], dt, 'spike_generator start');
      last[i] = origin[i] + deviceSteps(p.stop[i], dt, 'spike_generator stop');
      if (origin[i] !== trains.origin[i]) {
        trains.cursor[i] = 0;
        trains.origin[i] = origin[i];
      }
      const t = trains.times[i];
      if (t === null) continue;
      const mu = trains.mults[i];
      const precise = p.precise_times[i] === 1;
      const offgrid = p.allow_offgrid_times[i] === 1;
      for (let q = 0, r = rowPtr[i]; q < t.length; q++, r++) {
        const ms = t[q];
        const nearest = Math.round(ms / dt);
        const onGrid = Math.abs(nearest * dt - ms) <= (precise ? 4 * Number.EPSILON : 1e-9) * Math.max(1, ms);
        if (onGrid) {
          step[r] = nearest;
        } else if (precise) {
          let s = Math.floor(ms / dt);
          let o = ms - s * dt;
          if (o < 0) {
            s--;
            o += dt;
          } else if (o >= dt) {
            s++;
            o -= dt;
          }
          step[r] = s;
          offset[r] = o;
        } else if (offgrid) {
          step[r] = Math.ceil(ms / dt);
        } else {
          throw new SimulationError(
            'invalid_value',
            `spike_generator: spike time ${ms} ms (neuron ${i}) is not a multiple of dt = ${dt} ms; set allow_offgrid_times: 1 to move it to the end of its step, or precise_times: 1 to keep it exactly.`,
          );
        }
        mult[r] = mu === null ? 1 : mu[q];
      }
    }
    return { rowPtr, step, offset, mult, origin, first, last, cursor: trains.cursor };
  },
  // --- update -----------------------------------------------------------------------------
  update(ctx) {
    const { n, step: k, c } = ctx;
    const { rowPtr, step, offset, mult, origin, first, last, cursor } = c;
    for (let i = 0; i < n; i++) {
      const end = rowPtr[i + 1];
      let r = rowPtr[i] + cursor[i];
      for (; r < end; r++) {
        const s = origin[i] + step[r];
        if (s > k + 1) break;
        // NEST's stamp of a spike inside step s is s+1 (the end of its step).
        const stamp = offset[r] > 0 ? s + 1 : s;
        const active = stamp > first[i] && stamp <= last[i];
        if (s <= k) {
          if (s === k && offset[r] > 0 && active) {
            const t = Number((s * ctx.dt + offset[r]).toPrecision(12));
            throw new SimulationError(
              'invalid_value',
              `spike_generator neuron ${i}: the precise spike at ${t} ms lies inside the step that starts now and can no longer be sent; set precise spike times at least dt after the current time.`,
            );
          }
          continue; // in the past, as in NEST
        }
        if (active) ctx.spike(i, offset[r], mult[r]);
      }
      cursor[i] = r - rowPtr[i];
    }
  },
});

registerNeuronModel(spike_generator);
