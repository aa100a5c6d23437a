/** Runs one benchmark case in a fresh process (so peak memory is its own) and prints its JSON. */
import { CASES, measure } from './cases.js';

const [name, duration, seed, dt] = process.argv.slice(2);
const c = CASES.find((x) => x.name === name);
if (!c) {
  process.stderr.write(`unknown benchmark '${name}'; known: ${CASES.map((x) => x.name).join(', ')}\n`);
  process.exit(2);
}
const rec = measure(c, { durationMs: Number(duration), seed: Number(seed), dt: Number(dt) });
process.stdout.write(`RESULT ${JSON.stringify(rec)}\n`);
