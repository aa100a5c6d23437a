/** CLI adapter of the CUBA demo: what `spikeflow run cuba` prints. */
import type { Command } from 'commander';
import { addExperimentCommand } from '../../cli/experiment-command.js';
import { cuba } from './index.js';
import type { CubaResult } from './run.js';

function report(r: CubaResult, files: string[], out: string): string[] {
  const s = r.summary;
  return [
    `CUBA network: ${s.synapses} synapses, ${s.spikes} spikes in ${r.summary.synaptic_events} synaptic events`,
    `mean rate ${s.mean_rate_hz.toFixed(2)} Hz (E ${s.rate_exc_hz.toFixed(2)} Hz, I ${s.rate_inh_hz.toFixed(2)} Hz), CV(ISI) ${s.cv_isi.toFixed(2)}`,
    `wall time ${s.sim_wall_time_s.toFixed(3)} s for the simulation (${r.wall_time_s.toFixed(2)} s in all), ${(s.synaptic_events / s.sim_wall_time_s / 1e6).toFixed(2)}e6 synaptic events per second`,
    `wrote ${out}/: spikes.arrow, ${files.join(', ')}`,
  ];
}

/** Registers `run cuba`. */
export function register(run: Command): Command {
  return addExperimentCommand(run, cuba, report);
}
