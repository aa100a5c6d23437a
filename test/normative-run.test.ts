/**
 * normative-plasticity runs (short trials so the suite stays fast): the same seed gives
 * byte-identical Arrow tables and saved weights and an equal summary.json apart from wall
 * time; the summary holds every acceptance key; saved weights load back through --load;
 * `run normative-plasticity` works from the command line; bad input fails with a clear error.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from './helpers.js';
import { runNormative } from '../experiments/normative-plasticity/run.js';
import { normativeOptions } from '../experiments/normative-plasticity/options.js';
import { writeSummary } from '../experiments/experiment.js';
import { readArrow } from '../recorders/read.js';
import { SUMMARY_KEYS } from '../experiments/normative-plasticity/analysis.js';

const SHORT = { T: 200, trialNum2: 2, testNum: 1, testEvery: 1, interimTestNum: 1, testSchedule: 'balanced' as const };

async function runTo(dir: string, extra: Record<string, unknown> = {}) {
  const o = { ...normativeOptions.parse({ ...SHORT, ...extra }), out: dir, seed: 5, saveWeights: join(dir, 'weights.json') };
  const r = await runNormative(o);
  // The saved-weights path names the run's own folder; everything else must match.
  writeSummary(dir, 5, { ...o, saveWeights: 'weights.json', out: '.' }, r);
  return r;
}

test('same seed: identical Arrow tables and weights, summary.json equal apart from wall time', async () => {
  const a = await tempDir();
  const b = await tempDir();
  const ra = await runTo(a);
  await runTo(b);
  const files = readdirSync(join(a, 'linear')).filter((f) => f.endsWith('.arrow')).sort();
  assert.equal(files, ['interim_tests.arrow', 'neurons.arrow', 'per_angle.arrow', 'summary.arrow', 'test_records.arrow', 'train_alpha_blocks.arrow', 'train_trials.arrow', 'tuning.arrow']);
  for (const f of files) assert.ok(readFileSync(join(a, 'linear', f)).equals(readFileSync(join(b, 'linear', f))), `${f} differs`);
  assert.ok(readFileSync(join(a, 'weights.json')).equals(readFileSync(join(b, 'weights.json'))), 'weights differ');
  const sa = JSON.parse(readFileSync(join(a, 'summary.json'), 'utf8'));
  const sb = JSON.parse(readFileSync(join(b, 'summary.json'), 'utf8'));
  delete sa.wall_time_s;
  delete sb.wall_time_s;
  assert.equal(sa, sb);
  for (const k of [...SUMMARY_KEYS, 'seed', 'params', 'train_error', 'train_error_trial_1', 'train_error_trials_1_5', 'train_error_trials_16_20', 'interim_tests']) assert.ok(k in sa, `summary.json lacks ${k}`);
  assert.is(sa.train_error.length, 2);
  assert.is(sa.train_error_trials_16_20, null, 'too few trials gives null');
  assert.is(sa.interim_tests.length, 2);
  // The test records: 200 time units / 0.2 per record, one trial; FSL columns of N and 2.
  const rec = readArrow(join(a, 'linear', 'test_records.arrow'));
  assert.is(rec.numRows, 1000);
  assert.is(rec.schema.metadata.get('time_unit'), 'model');
  const r0 = rec.getChild('r')!.get(0)!;
  assert.is(r0.length, 40);
  assert.is(r0.get(0), 0.1, 'record 0 is the initial state');
  assert.is(rec.getChild('settled')!.get(49), false);
  assert.is(rec.getChild('settled')!.get(50), true);
  const trials = readArrow(join(a, 'linear', 'train_trials.arrow'));
  assert.equal(Array.from(trials.getChild('mean_alpha')!.toArray() as Float64Array), ra.train.map((s) => s.mean_alpha));
});

test('saved weights load back with --load and test identically to the trained network', async () => {
  const a = await tempDir();
  const r = await runTo(a, { trialNum2: 1, testEvery: 0 });
  const b = await tempDir();
  const o = { ...normativeOptions.parse({ T: 200, testNum: 1, testSchedule: 'balanced' }), load: join(a, 'weights.json'), out: b, seed: 5 };
  const l = await runNormative(o);
  assert.is(l.train.length, 0);
  // The loaded network's test draws the same test stream as the trained one's final test.
  assert.equal(l.analysis!.summary, r.analysis!.summary);
});

test('run normative-plasticity from the command line (classification) writes the tables and plots', async () => {
  const out = await tempDir();
  const res = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'cli', 'main.ts'), 'run', 'normative-plasticity', '--objective', 'classifier', '--T', '200', '--trial-num-2', '1', '--test-num', '1', '--out', out, '--quiet'], { cwd: ROOT, encoding: 'utf8' });
  assert.is(res.status, 0, res.stderr);
  assert.is(res.stderr, '', 'nothing on stderr with --quiet');
  assert.match(res.stdout, /normative-plasticity \(classifier, N = 25\)/);
  const files = readdirSync(join(out, 'classifier'));
  for (const f of ['test_records.arrow', 'per_angle.arrow', 'tuning_curves.svg', 'preferred_angles.svg', 'accuracy_per_angle.svg', 'fisher_information.svg', 'learning_curve.svg']) assert.ok(files.includes(f), `missing ${f}`);
  const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
  assert.is(s.objective, 'classifier');
  assert.type(s.wall_time_s, 'number');
});

test('bad input: clear errors for wrong weight shapes, missing keys and unknown tasks', async () => {
  const dir = await tempDir();
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ 'W[post][pre]': [[0, 0], [0, 0]], 'C[neuron][input]': [[0]], b: [0, 0], 'D[out][neuron]': [[0, 0]] }));
  const o = { ...normativeOptions.parse({ testNum: 0 }), out: null, seed: 1 };
  let msg = '';
  try {
    await runNormative({ ...o, load: bad });
  } catch (e) {
    msg = (e as Error).message;
  }
  assert.match(msg, /'C\[neuron\]\[input\]' has 1 rows, expected 2/);
  writeFileSync(bad, JSON.stringify({ b: [] }));
  try {
    await runNormative({ ...o, load: bad });
  } catch (e) {
    msg = (e as Error).message;
  }
  assert.match(msg, /missing key 'W\[post\]\[pre\]'/);
  const parsed = normativeOptions.safeParse({ objective: 'regression' });
  assert.ok(!parsed.success);
  const mismatch = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'cli', 'main.ts'), 'run', 'normative-plasticity', '--load', join(ROOT, '..', 'shared', 'data', 'normative', 'pretrained_network_cr_weights.json'), '--objective', 'classifier', '--out', dir, '--quiet'], { cwd: ROOT, encoding: 'utf8' });
  assert.is.not(mismatch.status, 0);
  assert.match(mismatch.stderr, /a linear network, but --objective classifier was given/);
});

test.run();
