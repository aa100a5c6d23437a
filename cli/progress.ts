/**
 * Progress reporting for long runs: a bar on stderr when it is a terminal, one plain line per
 * reporting interval otherwise, nothing with --quiet. Results never go to stderr.
 */
import cliProgress from 'cli-progress';
import type { RunHooks } from '../experiments/experiment.js';

/** Progress hooks plus a stop() to call when the run ends. */
export interface ProgressReporter extends RunHooks {
  stop(): void;
}

/** Creates the reporter suited to stderr and the --quiet flag. */
export function createProgress(quiet: boolean, name: string): ProgressReporter {
  if (quiet) return { progress() {}, stop() {} };
  if (process.stderr.isTTY) {
    let bar: cliProgress.SingleBar | null = null;
    return {
      progress(done, total, label) {
        if (bar === null) {
          bar = new cliProgress.SingleBar(
            { stream: process.stderr, format: `${name} [{bar}] {percentage}% | {value}/{total} {label} | eta {eta_formatted}`, hideCursor: true },
            cliProgress.Presets.shades_classic,
          );
          bar.start(Math.round(total), 0, { label });
        }
        // The label may change during a run (e.g. the case being trained); the bar shows the latest.
        bar.update(Math.round(done), { label });
      },
      stop() {
        bar?.stop();
      },
    };
  }
  let lastTenth = -1;
  return {
    progress(done, total, label) {
      const tenth = Math.floor((10 * done) / total);
      if (tenth !== lastTenth) {
        lastTenth = tenth;
        process.stderr.write(`${name}: ${Math.round(done)}/${Math.round(total)} ${label} (${Math.round((100 * done) / total)}%)\n`);
      }
    },
    stop() {},
  };
}
