import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from './helpers.js';
import { readArrow } from '../recorders/index.js';

function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'cli', 'main.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('run cuba writes spikes.arrow, the SVG plots and summary.json; same seed gives the same bytes', async () => {
  const dir = await tempDir();
  const a = cli(['run', 'cuba', '--duration-ms', '30', '--out', join(dir, 'a'), '--seed', '3', '--quiet']);
  assert.is(a.status, 0, a.stderr);
  assert.is(a.stderr, '', '--quiet prints no progress');
  assert.match(a.stdout, /mean rate/);
  for (const f of ['spikes.arrow', 'raster.svg', 'rates.svg', 'summary.json']) assert.ok(existsSync(join(dir, 'a', f)), f);
  assert.match(readFileSync(join(dir, 'a', 'raster.svg'), 'utf8'), /^<svg/);
  const summary = JSON.parse(readFileSync(join(dir, 'a', 'summary.json'), 'utf8'));
  for (const key of ['spikes', 'mean_rate_hz', 'seed', 'params', 'wall_time_s']) assert.ok(key in summary, key);
  assert.is(summary.seed, 3);
  assert.is(summary.params.durationMs, 30);
  const table = readArrow(join(dir, 'a', 'spikes.arrow'));
  assert.is(table.numRows, summary.spikes);

  // Without a terminal and without --quiet, progress goes to stderr as plain lines.
  const b = cli(['run', 'cuba', '--duration-ms', '30', '--out', join(dir, 'b'), '--seed', '3']);
  assert.is(b.status, 0, b.stderr);
  assert.match(b.stderr, /cuba: 30\/30 ms \(100%\)/);
  assert.ok(readFileSync(join(dir, 'a', 'spikes.arrow')).equals(readFileSync(join(dir, 'b', 'spikes.arrow'))), 'byte-identical spikes');
  const strip = (s: Record<string, unknown>) => Object.fromEntries(Object.entries(s).filter(([k]) => !k.endsWith('wall_time_s')));
  assert.equal(strip(JSON.parse(readFileSync(join(dir, 'b', 'summary.json'), 'utf8'))), strip(summary));
});

test('bad flags and config files fail with a message naming the option', async () => {
  const dir = await tempDir();
  let r = cli(['run', 'cuba', '--duration-ms', 'abc', '--out', dir]);
  assert.is(r.status, 1);
  assert.match(r.stderr, /--duration-ms expects a number/);
  r = cli(['run', 'cuba', '--dt', '-1', '--out', dir]);
  assert.is(r.status, 1);
  assert.match(r.stderr, /--dt.*greater than 0/);
  const cfg = join(dir, 'cfg.json');
  writeFileSync(cfg, JSON.stringify({ durationMs: 20, rasterNeuron: 3 }));
  r = cli(['run', 'cuba', '--config', cfg, '--out', dir]);
  assert.is(r.status, 1);
  assert.match(r.stderr, /rasterNeuron/);
  r = cli(['run', 'nosuch']);
  assert.is(r.status, 1);
  assert.match(r.stderr, /unknown command 'nosuch'/);
});

test('a config file supplies options; explicit flags win', async () => {
  const dir = await tempDir();
  const cfg = join(dir, 'cfg.json');
  writeFileSync(cfg, JSON.stringify({ durationMs: 10, rasterNeurons: 50 }));
  const r = cli(['run', 'cuba', '--config', cfg, '--raster-neurons', '20', '--out', join(dir, 'o'), '--quiet']);
  assert.is(r.status, 0, r.stderr);
  const summary = JSON.parse(readFileSync(join(dir, 'o', 'summary.json'), 'utf8'));
  assert.is(summary.params.durationMs, 10);
  assert.is(summary.params.rasterNeurons, 20);
});

test('models lists the registered models and a model\'s parameters', () => {
  let r = cli(['models']);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /iaf_psc_delta/);
  assert.match(r.stdout, /static_synapse/);
  r = cli(['models', 'iaf_psc_delta']);
  assert.match(r.stdout, /tau_m = 10 ms/);
});

test.run();
