import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './helpers.js';

function bench(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'run.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
  });
}

test('--json prints one object per benchmark with the documented fields', () => {
  const r = bench(['--only', 'cuba,brette4', '--duration', '20', '--json']);
  assert.is(r.status, 0, r.stderr);
  const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(rows.map((x) => x.name), ['cuba', 'brette4']);
  for (const row of rows) {
    for (const key of ['name', 'build_s', 'wall_s_per_bio_s', 'cpu_s_per_bio_s', 'syn_events_per_s', 'spikes', 'rate_hz', 'peak_rss_mb', 'bytes_per_synapse']) {
      assert.ok(key in row, `${row.name}: ${key}`);
    }
    assert.ok(row.spikes > 0 && row.bytes_per_synapse > 12 && row.bytes_per_synapse <= 16, JSON.stringify(row));
  }
});

test('--repeat N reports the median of N runs and lists each run', () => {
  const r = bench(['--only', 'brette4', '--duration', '10', '--repeat', '3', '--json']);
  assert.is(r.status, 0, r.stderr);
  const row = JSON.parse(r.stdout.trim());
  assert.is(row.repeats, 3);
  assert.is(row.cpu_s_per_bio_s_runs.length, 3);
  const sorted = [...row.cpu_s_per_bio_s_runs].sort((a: number, b: number) => a - b);
  assert.is(row.cpu_s_per_bio_s, sorted[1]);
  const bad = bench(['--only', 'brette4', '--repeat', '0']);
  assert.is(bad.status, 1);
  assert.match(bad.stderr, /--repeat must be a whole number >= 1, got '0'/);
});

test('the table lists every benchmark that ran', () => {
  const r = bench(['--only', 'brette4', '--duration', '10']);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /\| brette4 /);
  assert.match(r.stdout, /syn events\/s/);
});

test('a missing Brian2 folder or Python fails with a clear message', () => {
  let r = bench(['--only', 'cuba', '--duration', '10', '--vs', 'brian2', '--brian2-dir', '/nonexistent/brian2']);
  assert.is(r.status, 1);
  assert.match(r.stderr, /Brian2 script folder '\/nonexistent\/brian2' does not exist; pass --brian2-dir/);
  r = bench(['--only', 'cuba', '--duration', '10', '--vs', 'brian2', '--python', '/nonexistent/python3']);
  assert.is(r.status, 1);
  assert.match(r.stderr, /cannot run '\/nonexistent\/python3'/);
  r = bench(['--only', 'nosuch']);
  assert.is(r.status, 1);
  assert.match(r.stderr, /unknown benchmark 'nosuch'; known: cuba, coba, brette4, brunel, brunel_stdp/);
});

test.run();
