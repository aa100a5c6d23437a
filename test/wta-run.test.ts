import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from './helpers.js';
import { readArrow } from '../recorders/index.js';
import { runWta } from '../experiments/wta-sequence/run.js';
import { wtaOptions } from '../experiments/wta-sequence/options.js';

const small = { ...wtaOptions.parse({}), grid: '2x3', tTrain: 3, tTest: 2 };

test('same seed and options give byte-identical Arrow files and the same summary', async () => {
  const dir = await tempDir();
  const a = await runWta({ ...small, seed: 5, out: join(dir, 'a') });
  const b = await runWta({ ...small, seed: 5, out: join(dir, 'b') });
  const files = readdirSync(join(dir, 'a')).filter((f) => f.endsWith('.arrow')).sort();
  assert.equal(files, ['input_spikes.arrow', 'phases.arrow', 'spikes.arrow', 'weights.arrow']);
  for (const f of files) assert.ok(readFileSync(join(dir, 'a', f)).equals(readFileSync(join(dir, 'b', f))), f);
  const strip = (s: Record<string, unknown>) => JSON.stringify(s, (k, v) => (k.endsWith('wall_time_s') || k.endsWith('wallclock_s') ? undefined : v));
  assert.is(strip(a.summary), strip(b.summary));
  const c = await runWta({ ...small, seed: 6, out: join(dir, 'c') });
  assert.not.ok(readFileSync(join(dir, 'a', 'spikes.arrow')).equals(readFileSync(join(dir, 'c', 'spikes.arrow'))), 'another seed differs');
  assert.ok(c.summary.structure);
});

test('the files follow the experiment schemas, in run order', async () => {
  const dir = await tempDir();
  const r = await runWta({ ...small, seed: 2, out: dir, recordState: true, stateEvery: 10 });
  const spikes = readArrow(join(dir, 'spikes.arrow'));
  assert.equal(
    spikes.schema.fields.map((f) => `${f.name}:${f.type}`),
    ['run:Dictionary<Int32, Utf8>', 'time_ms:Int32', 'neuron:Int32', 'wta:Int16'],
  );
  const runs = spikes.getChild('run')!.toArray() as unknown as string[];
  const order = ['before', 'train', 'test_a', 'test_b'];
  let last = 0;
  for (const run of runs) {
    const k = order.indexOf(run);
    assert.ok(k >= last, 'rows in run order');
    last = k;
  }
  const weights = readArrow(join(dir, 'weights.arrow'));
  assert.equal(weights.schema.fields.map((f) => f.name), ['run', 'time_ms', 'pre', 'post', 'is_input', 'w', 'S', 'Q']);
  const state = readArrow(join(dir, 'state.arrow'));
  assert.equal(state.schema.fields.map((f) => f.name), ['run', 'time_ms', 'neuron', 'u', 'rate_fraction']);
  const phases = readArrow(join(dir, 'phases.arrow'));
  assert.ok(phases.numRows > 0);
  const inputs = readArrow(join(dir, 'input_spikes.arrow'));
  assert.equal(inputs.schema.fields.map((f) => `${f.name}:${f.type}`), ['run:Dictionary<Int32, Utf8>', 'time_ms:Int32', 'channel:Int16', 'kind:Int8']);
  // The test summaries count what the files hold.
  const testA = r.summary.test_a as Record<string, unknown>;
  assert.ok('psth_reliability_odd_even_mean' in testA && 'frac_neurons_rate_pattern_gt_2x_noise' in testA);
});

test('the default protocol at seed 13521 meets the targets of spec 8 (with variance tracking and in the control)', async () => {
  // The full protocol: 5 s before, 100 s of training, tests A and B, and the control.
  const r = await runWta({ ...wtaOptions.parse({}), seed: 13521, out: null, withControl: true });
  const acc = r.summary.acceptance as Record<string, boolean>;
  assert.equal(acc, {
    frac_gt_2x_ok: true,
    frac_lt_half_ok: true,
    reliability_ok: true,
    control_frac_ok: true,
    control_reliability_ok: true,
    wta_rate_ok: true,
  });
});

test('run wta-sequence from the command line writes every file of the contract', async () => {
  const dir = await tempDir();
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'cli', 'main.ts'), 'run', 'wta-sequence', '--grid', '2x2', '--t-train', '2', '--t-test', '1', '--out', dir, '--quiet'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  assert.is(r.status, 0, r.stderr);
  for (const f of ['spikes.arrow', 'input_spikes.arrow', 'phases.arrow', 'weights.arrow', 'summary.json', 'raster_test_a.svg', 'grid_visualization.svg', 'grid_visualization_3d.svg']) {
    assert.ok(existsSync(join(dir, f)), f);
  }
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
  assert.is(summary.seed, 13521, 'the original seed is the default');
  for (const k of ['params', 'wall_time_s', 'train_wallclock_s', 'variance_tracking', 'structure', 'before', 'test_a', 'test_b', 'wta_train_rate_hz', 'acceptance']) assert.ok(k in summary, k);
  assert.match(r.stdout, /acceptance:/);
});

test.run();
