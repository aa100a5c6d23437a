/** CLI adapter of normative-plasticity: what `spikeflow run normative-plasticity` prints. */
import type { Command } from 'commander';
import { addExperimentCommand } from '../../cli/experiment-command.js';
import { normativePlasticity } from './index.js';
import type { NormativeResult } from './run.js';

const num = (x: unknown, d = 4) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : 'n/a');

function report(r: NormativeResult, files: string[], out: string): string[] {
  const s = r.summary;
  const lines: string[] = [];
  if (r.ignoredKeys.length > 0) process.stderr.write(`warning: ignored parameter keys of the weights file: ${r.ignoredKeys.join(', ')}\n`);
  lines.push(`normative-plasticity (${r.params.objective}, N = ${r.params.N}): ${r.train.length} training trials, ${r.params.test_num} test trials, ${num(r.wall_time_s, 1)} s`);
  if (r.train.length > 0) lines.push(`training error (−mean α): trial 1 ${num(s.train_error_trial_1)}, trials 1-5 ${num(s.train_error_trials_1_5)}, trials 16-20 ${num(s.train_error_trials_16_20)}, last ${num(r.train[r.train.length - 1] ? -r.train[r.train.length - 1].mean_alpha : NaN)}`);
  if (r.analysis !== null) {
    if (r.params.objective === 'linear') {
      lines.push(`test: error near the mode ${num(s.err_near_mode)} vs near ±π ${num(s.err_near_pi)}; prior-weighted ${num(s.mse_prior_weighted)} vs uniform ${num(s.mse_uniform)}`);
    } else {
      lines.push(`test: accuracy ${num(s.accuracy, 3)}, d′ at 0 ${num(s.d_prime_0, 2)} vs at ±π ${num(s.d_prime_pi, 2)}`);
    }
    lines.push(`preferred angles within π/2 of the mode: ${num(s.frac_pref_within_half_pi, 3)} (chance 0.583); readout Fisher information near the mode ${num(s.fisher_readout_near_mode, 2)} vs near ±π ${num(s.fisher_readout_near_pi, 2)}`);
  }
  lines.push(`wrote ${out}/: ${files.join(', ')} and the Arrow tables in ${r.params.objective}/`);
  return lines;
}

/** Registers `run normative-plasticity`. */
export function register(run: Command): Command {
  return addExperimentCommand(run, normativePlasticity, report);
}
