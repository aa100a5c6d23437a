/**
 * Worker thread of the striatum-dms runner: runs `simulateDms` for each task it receives and
 * posts the result back. A simulation depends only on its task, so which worker runs it
 * does not change the result.
 */
import { parentPort } from 'node:worker_threads';
import type { DmsConfig } from './simulate.js';
import { simulateTraced } from './run.js';

/** One simulation to run. */
export interface DmsTask {
  id: number;
  config: DmsConfig;
  nPattern: number;
  simIndex: number;
  seed: number;
  /** Record V of the last trial of each phase (`--plot`). */
  trace: boolean;
}

if (parentPort !== null) {
  const port = parentPort;
  port.on('message', (task: DmsTask) => {
    try {
      // Step-count and clamp warnings are already reported once by the option checks.
      const { result, trace } = simulateTraced(task.config, task.nPattern, task.simIndex, task.seed, task.trace);
      port.postMessage({ id: task.id, result, trace });
    } catch (e) {
      port.postMessage({ id: task.id, error: (e as Error).message ?? String(e) });
    }
  });
}
