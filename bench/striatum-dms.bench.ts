/**
 * Wall time of one article-length striatum-dms simulation (spec §8 (f): ≤ 1.5 s on a 2-core
 * machine): P 10, stim_by_pattern 3, N_p 10, article values, 4 phases × 500 iterations plus
 * 77 tests (about 1.04 M steps of 0.2 ms). Prints one JSON line.
 *
 *   npm run bench:striatum-dms [-- --repeat 5]
 */
import { ARTICLE_CONFIG, simulateDms } from '../experiments/striatum-dms/simulate.js';

const args = process.argv.slice(2);
const at = args.indexOf('--repeat');
const repeat = at >= 0 ? Number(args[at + 1]) : 3;
const times: number[] = [];
let last: ReturnType<typeof simulateDms> | undefined;
for (let r = 0; r < repeat; r++) {
  const t0 = performance.now();
  last = simulateDms(ARTICLE_CONFIG, 10, 0, 12345 + r);
  times.push((performance.now() - t0) / 1000);
}
const res = last!;
console.log(
  JSON.stringify({
    name: 'striatum_dms_article_simulation',
    steps: res.stepsDense + res.stepsJumped,
    dense_steps: res.stepsDense,
    tests: res.tests.length,
    wall_s: times[0],
    wall_s_all: times,
    final_accuracy: res.tests[res.tests.length - 1].accuracy,
  }),
);
