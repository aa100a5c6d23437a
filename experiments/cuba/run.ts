/**
 * The CUBA demo: the Vogels-Abbott current-based network of the benchmarks (bench/networks.ts),
 * simulated with every spike streamed to an Arrow file. Returns results; prints nothing.
 */
import { join } from 'node:path';
import { Network, recordSpikes, readArrow } from '../../engine/index.js';
import { buildCuba, VA } from '../../bench/networks.js';
import type { CommonOptions, RunHooks, RunResult } from '../experiment.js';
import type { CubaOptions } from './options.js';
import { firingStats } from './analysis.js';

/** What a CUBA run returns. */
export interface CubaResult extends RunResult {
  summary: {
    spikes: number;
    mean_rate_hz: number;
    rate_exc_hz: number;
    rate_inh_hz: number;
    cv_isi: number;
    synaptic_events: number;
    synapses: number;
    sim_wall_time_s: number;
  };
  /** Spike columns, for the plots. */
  ids: Uint32Array;
  times: Float64Array;
  rates: Float64Array;
  /** Path of spikes.arrow, or null in memory mode. */
  spikesPath: string | null;
}

/** Builds, runs and analyses the CUBA network. */
export async function runCuba(o: CubaOptions & CommonOptions, hooks: RunHooks = {}): Promise<CubaResult> {
  const wall0 = performance.now();
  const net = new Network({ dt: o.dt, seed: o.seed });
  const built = buildCuba(net);
  const spikesPath = o.out === null ? null : join(o.out, 'spikes.arrow');
  const rec = recordSpikes(net, built.populations, { path: spikesPath ?? undefined, batchSize: o.batchSize });
  const sim0 = performance.now();
  net.simulate(o.durationMs, { onProgress: (done, total) => hooks.progress?.(done, total, 'ms') });
  const simWall = (performance.now() - sim0) / 1000;
  await net.close();
  const table = spikesPath === null ? rec.toTable() : readArrow(spikesPath);
  const ids = table.getChild('node_id')!.toArray() as Uint32Array;
  const times = table.getChild('time_ms')!.toArray() as Float64Array;
  const all = firingStats(ids, times, 0, VA.n, o.durationMs);
  const exc = firingStats(ids, times, 0, VA.nE, o.durationMs);
  const inh = firingStats(ids, times, VA.nE, VA.n - VA.nE, o.durationMs);
  return {
    summary: {
      spikes: all.spikes,
      mean_rate_hz: all.mean_rate_hz,
      rate_exc_hz: exc.mean_rate_hz,
      rate_inh_hz: inh.mean_rate_hz,
      cv_isi: all.cv_isi,
      synaptic_events: net.stats.synapticEvents,
      synapses: net.synapseCount,
      sim_wall_time_s: simWall,
    },
    wall_time_s: (performance.now() - wall0) / 1000,
    ids,
    times,
    rates: all.rates,
    spikesPath,
  };
}
