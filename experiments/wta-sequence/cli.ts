/** CLI adapter of wta-sequence: what `spikeflow run wta-sequence` prints. */
import type { Command } from 'commander';
import { addExperimentCommand } from '../../cli/experiment-command.js';
import { wtaSequence } from './index.js';
import type { WtaResult } from './run.js';

const pct = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : 'n/a');
const num = (x: unknown, d = 3) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : 'n/a');

function report(r: WtaResult, files: string[], out: string): string[] {
  const s = r.summary;
  const a = s.test_a as Record<string, number>;
  const acc = s.acceptance as Record<string, boolean | null>;
  const st = s.structure as Record<string, number>;
  const lines = [
    `wta-sequence: ${st.tsize} neurons in ${(s.structure as { wta_sizes: number[] }).wta_sizes.length} WTAs, ${st.n_recurrent_synapses} recurrent and ${st.n_input_synapses} input synapses; training took ${num(r.main.trainWallclockS, 2)} s`,
    `test A: ${pct(a.frac_neurons_rate_pattern_gt_2x_noise)} of neurons > 2x noise rate in the pattern (target >= 25%), ${pct(a.frac_neurons_rate_pattern_lt_half_noise)} < half (>= 35%), odd/even PSTH reliability ${num(a.psth_reliability_odd_even_mean)} (>= 0.6)`,
  ];
  if (r.control) {
    const c = r.control.summary.test_a as Record<string, number>;
    lines.push(`control (no variance tracking): ${pct(c.frac_neurons_rate_pattern_gt_2x_noise)} > 2x (target < 5%), reliability ${num(c.psth_reliability_odd_even_mean)} (< 0.2)`);
  }
  lines.push(`acceptance: ${Object.entries(acc).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  lines.push(`wrote ${out}/: spikes.arrow, input_spikes.arrow, phases.arrow, weights.arrow, ${files.join(', ')}`);
  return lines;
}

/** Registers `run wta-sequence`. */
export function register(run: Command): Command {
  return addExperimentCommand(run, wtaSequence, report);
}
