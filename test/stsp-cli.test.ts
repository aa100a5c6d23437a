/**
 * The stsp-working-memory command line: `train` writes model.json, the training curve (Arrow
 * + SVG) and summary.json with the documented keys; the same seed gives the same bytes
 * (summary minus wall times, Arrow files and the model); `simulate` writes state traces and
 * the STP protocols (which match stp_traces.json); bad flags are named.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, sharedData, tempDir } from './helpers.js';
import { readArrow } from '../recorders/read.js';

function cli(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'cli', 'main.ts'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
}

const WALL = ['wall_time_s', 'train_wall_time_s', 'iteration_wall_time_s'];
const withoutWall = (s: Record<string, unknown>) => Object.fromEntries(Object.entries(s).filter(([k]) => !WALL.includes(k)));

test('train: files, summary keys, progress lines, and the same bytes for the same seed', async () => {
  const dirs = [await tempDir(), await tempDir()];
  const args = ['train', 'stsp-working-memory', '--task', 'DMS', '--iterations', '2', '--batch-size', '16', '--analysis', 'none', '--seed', '7'];
  const r0 = cli([...args, '--out', dirs[0]]);
  assert.is(r0.status, 0, r0.stderr);
  // Not a terminal: one plain progress line at the last iteration.
  assert.match(r0.stderr, /DMS Iter\. 2 \| Accuracy [0-9.]+ \| Perf loss/);
  const r1 = cli([...args, '--out', dirs[1], '--quiet']);
  assert.is(r1.status, 0, r1.stderr);
  assert.is(r1.stderr, '');
  for (const f of ['model.json', 'training_curve.arrow', 'training_curve.svg']) assert.ok(existsSync(join(dirs[0], 'DMS', f)), f);
  const s0 = JSON.parse(readFileSync(join(dirs[0], 'summary.json'), 'utf8'));
  const s1 = JSON.parse(readFileSync(join(dirs[1], 'summary.json'), 'utf8'));
  for (const k of ['task', 'seed', 'params', 'iterations', 'batch_size', 'wall_time_s', 'train_wall_time_s', 'iteration_wall_time_s']) assert.ok(k in s0, k);
  assert.is(s0.seed, 7);
  assert.is(s0.params.batch_size, 16);
  assert.equal(withoutWall(s0), withoutWall(s1));
  assert.equal(readFileSync(join(dirs[0], 'DMS', 'training_curve.arrow')), readFileSync(join(dirs[1], 'DMS', 'training_curve.arrow')));
  assert.equal(readFileSync(join(dirs[0], 'DMS', 'model.json')), readFileSync(join(dirs[1], 'DMS', 'model.json')));
  const curve = readArrow(join(dirs[0], 'DMS', 'training_curve.arrow'));
  assert.equal(curve.schema.fields.map((f) => f.name), ['iteration', 'accuracy', 'accuracy_match', 'accuracy_non_match', 'loss', 'perf_loss', 'spike_loss', 'weight_loss', 'mean_h']);
  assert.is(curve.numRows, 2);
  const model = JSON.parse(readFileSync(join(dirs[0], 'DMS', 'model.json'), 'utf8'));
  assert.is(model.format, 'stsp-rnn-model');
  assert.is(model.version, 1);
  assert.equal(model.variables.w_rnn.shape, [100, 100]);
  assert.is(model.adam.t, 2);

  // Resume continues the iteration count with the saved Adam state.
  const r2 = cli(['train', 'stsp-working-memory', '--task', 'DMS', '--iterations', '1', '--batch-size', '16', '--analysis', 'none', '--seed', '7', '--quiet', '--resume', join(dirs[0], 'DMS'), '--out', dirs[1]]);
  assert.is(r2.status, 0, r2.stderr);
  const resumed = JSON.parse(readFileSync(join(dirs[1], 'DMS', 'model.json'), 'utf8'));
  assert.is(resumed.iterations, 3);
  assert.is(resumed.adam.t, 3);

  // simulate: one row per (trial, step) with h, x, u as lists of N values.
  const r3 = cli(['simulate', 'stsp-working-memory', '--model', join(dirs[0], 'DMS', 'model.json'), '--trials', '2', '--out', dirs[0], '--quiet']);
  assert.is(r3.status, 0, r3.stderr);
  const st = readArrow(join(dirs[0], 'state_trace.arrow'));
  assert.is(st.numRows, 500);
  assert.equal(st.schema.fields.map((f) => f.name), ['trial', 't', 'sample', 'test', 'match', 'h', 'syn_x', 'syn_u', 'y']);
  assert.is(st.schema.metadata.get('time_unit'), 'step');
  const h0 = st.getChild('h')!.get(0)!;
  assert.is(h0.length, 100);
});

test('simulate --stp-traces writes the §8 protocols, equal to the original traces', async () => {
  const dir = await tempDir();
  const r = cli(['simulate', 'stsp-working-memory', '--stp-traces', '--out', dir, '--quiet']);
  assert.is(r.status, 0, r.stderr);
  const ours = JSON.parse(readFileSync(join(dir, 'stp_traces.json'), 'utf8'));
  const ref = JSON.parse(readFileSync(sharedData('stsp/stp_traces.json'), 'utf8'));
  const round6 = (v: number) => Math.round(v * 1e6) / 1e6;
  for (const kind of ['std', 'stf']) {
    const a = ours.partA_spike_driven[kind];
    const b = ref.partA_spike_driven[kind];
    assert.equal(a.time_ms, b.time_ms);
    for (let i = 0; i < b.x.length; i++) assert.ok(Math.abs(round6(a.x[i]) - b.x[i]) <= 1e-9 || Math.abs(a.x[i] - b.x[i]) <= 5e-7 + 1e-9, `${kind} x[${i}]`);
  }
  for (const kind of ['facilitating', 'depressing']) {
    const a = ours.partB_rate_driven_rnn_cell[kind].traces.rate_20.efficacy_x_times_u;
    const b = ref.partB_rate_driven_rnn_cell[kind].traces.rate_20.efficacy_x_times_u;
    for (let i = 0; i < b.length; i++) assert.ok(Math.abs(round6(a[i]) - b[i]) <= 1e-9 || Math.abs(a[i] - b[i]) <= 5e-7 + 1e-9, `${kind} efficacy[${i}]`);
  }
});

test('bad input is named with its fix', () => {
  const a = cli(['train', 'stsp-working-memory', '--task', 'XYZ', '--quiet']);
  assert.is.not(a.status, 0);
  assert.match(a.stderr, /task/);
  const c = cli(['analyze', 'stsp-working-memory', '--model', '/nonexistent/model.json', '--quiet']);
  assert.is.not(c.status, 0);
  assert.match(c.stderr, /cannot read the model/);
});

test.run();
