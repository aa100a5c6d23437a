/** CLI adapter of consolidation: the protocol's seed by default, and what `run consolidation` prints. */
import type { Command } from 'commander';
import { addCommonOptions, runExperiment } from '../../cli/experiment-command.js';
import { addSchemaOptions } from '../../cli/options.js';
import { consolidation } from './index.js';
import { PROTOCOL_SEED, type Protocol } from './options.js';
import type { ConsolidationResult } from './run.js';

const num = (x: unknown, d = 3) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : 'n/a');

function report(r: ConsolidationResult, files: string[], out: string): string[] {
  const lines: string[] = [];
  if (r.capacity) {
    for (const c of r.capacity) {
      const s = c.summary;
      lines.push(
        `capacity z=${s.z} alpha=${s.alpha}: error ${num(s.train_error)}, kappa ${num(s.kappa_mean)}, rho ${num(s.rho_mean)}, density ${num(s.density_mean)}, max |sum w^(2/z) - L|/L ${num(s.lq_sum_max_rel_dev, 4)}, epochs ${s.epochs_run} (conv ${s.conv_epoch}), dead ${s.n_dead}`,
      );
    }
  }
  if (r.wakeSleep) {
    const s = r.wakeSleep.summary;
    lines.push(`wake-sleep: ${s.n_attractors} attractors; pruned ${num(s.frac_pruned)}; radius ${num(s.radius_mean_pre)} -> ${num(s.radius_mean_post)}; tol50 balanced ${num(s.tol50_balanced_pre)} -> ${num(s.tol50_balanced_post)}, gauss1 ${num(s.tol50_gauss1_pre)} -> ${num(s.tol50_gauss1_post)}; r(d_radius, radius_0) ${num(s.d_radius_r)}`);
  }
  if (r.synapticNoise) {
    for (const s of r.synapticNoise.summary) lines.push(`${s.source} z=${s.z}: q_min ${num(s.qmin_mean, 2)} +- ${num(s.qmin_std, 2)}, slope ltd ${num(s.slope_ltd)} ltp ${num(s.slope_ltp)}, alive ${num(s.frac_alive_final)}`);
  }
  for (const w of r.warnings.slice(0, 10)) lines.push(`warning: ${w}`);
  if (r.warnings.length > 10) lines.push(`(${r.warnings.length - 10} more warnings in summary.json)`);
  lines.push(`wrote ${out}/: ${[...files, ...r.files].join(', ')}`);
  return lines;
}

/** Registers `run consolidation`. */
export function register(run: Command): Command {
  const cmd = run.command(consolidation.name).description(consolidation.description);
  addCommonOptions(cmd, consolidation.name, PROTOCOL_SEED.capacity);
  addSchemaOptions(cmd, consolidation.options);
  cmd.action(async () => {
    // Without --seed each protocol uses its own seed (100, 700, 1).
    if (cmd.getOptionValueSource('seed') === 'default') cmd.setOptionValueWithSource('seed', PROTOCOL_SEED[(cmd.opts().protocol ?? 'capacity') as Protocol], 'default');
    await runExperiment(cmd, consolidation, report);
  });
  return cmd;
}
