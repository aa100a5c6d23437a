/**
 * Training speed of stsp-working-memory (spec §9f): DMS at batch 128, 100 units, 250 steps;
 * one full iteration is the stimulus, the forward and backward passes (on the worker threads)
 * and the Adam step. Median of 10 iterations after 3 warm-ups; prints one JSON line with the
 * wall time and the process CPU time (all threads) per iteration. `--check` exits non-zero
 * when the median wall time is above 1000 ms.
 *
 *   npm run bench:stsp-working-memory [-- --threads 2 --batch-size 128 --check]
 */
import { median } from '../experiments/stats.js';
import { buildNetwork } from '../experiments/stsp-working-memory/network.js';
import { updateParameters } from '../experiments/stsp-working-memory/parameters.js';
import { generateTrial } from '../experiments/stsp-working-memory/stimulus.js';
import { ShardPool, newAdam, trainStep } from '../experiments/stsp-working-memory/train.js';

const args = process.argv.slice(2);
const arg = (name: string, def: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const threads = arg('--threads', 2);
const batch = arg('--batch-size', 128);
const check = args.includes('--check');
const WARMUP = 3;
const MEASURED = 10;
const TARGET_MS = 1000;

const par = updateParameters({ trial_type: 'DMS', batch_size: batch });
const net = buildNetwork(par, 0);
const adam = newAdam(net.vars);
const pool = new ShardPool(par, threads);
const wall: number[] = [];
const cpu: number[] = [];
try {
  for (let it = 0; it < WARMUP + MEASURED; it++) {
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    const trials = generateTrial(par, { batchSize: batch, seed: 0, iteration: it });
    await trainStep(par, net, adam, pool, trials, 0, it);
    const w = performance.now() - w0;
    const c = process.cpuUsage(c0);
    if (it >= WARMUP) {
      wall.push(w);
      cpu.push((c.user + c.system) / 1000);
    }
  }
} finally {
  await pool.close();
}
const result = {
  name: 'stsp_working_memory_train_iteration',
  task: 'DMS',
  batch_size: batch,
  threads,
  iterations_measured: MEASURED,
  median_wall_ms: median(wall),
  median_cpu_ms: median(cpu),
  min_wall_ms: Math.min(...wall),
  target_wall_ms: TARGET_MS,
  target_ok: median(wall) <= TARGET_MS,
};
process.stdout.write(JSON.stringify(result) + '\n');
if (check && !result.target_ok) {
  process.stderr.write(`stsp-working-memory bench: median ${result.median_wall_ms.toFixed(0)} ms per iteration is above the ${TARGET_MS} ms target\n`);
  process.exit(1);
}
