/**
 * Training speed of the normative-plasticity estimation network (spec §9 e): one training
 * trial of T = 1000 time units (99,999 computed steps) of the 40-neuron network with all its
 * plasticity, median of 3 after a 1000-step warm-up. Prints one JSON line with wall and CPU
 * seconds; the target is at most 2 s of wall time on a 2-core machine. CPU time is reported
 * too because a loaded machine stretches wall time.
 *
 *   npm run bench:normative-plasticity [-- --trials 3]
 */
import { RandomStream } from '../engine/rng.js';
import { DEFAULT_INPUT_PARAMS, makeParams } from '../experiments/normative-plasticity/params.js';
import { PlasticNet, initialWeights } from '../experiments/normative-plasticity/plastic-net.js';
import { median } from '../experiments/stats.js';

const args = process.argv.slice(2);
const at = args.indexOf('--trials');
const trials = at >= 0 ? Number(args[at + 1]) : 3;
const seed = 120994;

// Warm-up: 1000 steps with plasticity on (transient shortened so the learning path compiles too).
const warmParams = makeParams('linear', { T: 10, transient: 5 });
const warm = new PlasticNet(warmParams, { ...DEFAULT_INPUT_PARAMS, switch_period: 10 }, initialWeights(warmParams, seed), seed);
warm.runTrial({ train: true, stimulus: new RandomStream('warm:stimulus'), noise: new RandomStream('warm:noise') });

const p = makeParams('linear');
const pn = new PlasticNet(p, DEFAULT_INPUT_PARAMS, initialWeights(p, seed), seed);
const stimulus = new RandomStream(`${seed}:stimulus`);
const noise = new RandomStream(`${seed}:noise`);
const wall: number[] = [];
const cpu: number[] = [];
for (let t = 0; t < trials; t++) {
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  pn.runTrial({ train: true, stimulus, noise });
  wall.push((performance.now() - w0) / 1000);
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1e6);
}
const result = {
  name: 'normative_plasticity_train_trial',
  neurons: p.N,
  steps: pn.trialSteps - 1,
  trials,
  wall_s: wall,
  cpu_s: cpu,
  median_wall_s: median(wall),
  median_cpu_s: median(cpu),
  target_wall_s: 2,
  met: median(wall) <= 2,
};
process.stdout.write(JSON.stringify(result) + '\n');
