import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { copyFileSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import type { Table } from 'apache-arrow';
import { ArrowColumnWriter, readArrow } from '../engine/index.js';
import { ROOT, tempDir } from './helpers.js';
import { buildCrashNetwork, CHUNK_MS, CRASH_BATCH } from './fixtures/crash-child.js';

const SEED = 2024;

interface Report {
  chunk: number;
  spikes: number;
  states: number;
}

/**
 * Runs the child until its reports prove that at least `minBatches` batches of each recorder
 * are on disk, then kills it with SIGKILL. Returns the last report seen and the lower bounds of
 * flushed rows the reports establish.
 */
function runAndKill(dir: string, minBatches: number): Promise<{ last: Report; spikesFlushed: number; statesFlushed: number; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/fixtures/crash-child.ts'), dir, String(SEED)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let prev: Report | null = null;
    let last: Report | null = null;
    let spikesFlushed = 0;
    let statesFlushed = 0;
    let killed = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`crash child gave no usable report within 60 s; stderr: ${err}`));
    }, 60_000);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (err += d));
    child.stdout.on('data', (d: string) => {
      out += d;
      let nl: number;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        if (killed) continue;
        prev = last;
        last = JSON.parse(line) as Report;
        // State rows are committed when sampled, so every full batch of them is on disk once
        // the line is printed. Spike rows of the last step of a chunk are committed in the
        // next chunk, so only the previous report's spikes are known to be committed.
        statesFlushed = Math.floor(last.states / CRASH_BATCH) * CRASH_BATCH;
        spikesFlushed = prev === null ? 0 : Math.floor(prev.spikes / CRASH_BATCH) * CRASH_BATCH;
        if (spikesFlushed >= minBatches * CRASH_BATCH && statesFlushed >= minBatches * CRASH_BATCH) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (!killed) reject(new Error(`crash child exited by itself (code ${code}, signal ${signal}); stderr: ${err}`));
      else resolve({ last: last!, spikesFlushed, statesFlushed, signal });
    });
  });
}

function columns(t: Table): Record<string, ArrayLike<number>> {
  const out: Record<string, ArrayLike<number>> = {};
  for (const f of t.schema.fields) {
    const c = t.getChild(f.name)!;
    // Dictionary columns compare by their string values.
    out[f.name] = f.typeId === -1 ? (Array.from(c) as unknown as ArrayLike<number>) : (c.toArray() as ArrayLike<number>);
  }
  return out;
}

function assertPrefix(got: Table, ref: Table, what: string): void {
  assert.equal(got.schema.fields.map((f) => f.name), ref.schema.fields.map((f) => f.name), `${what}: columns`);
  assert.ok(ref.numRows >= got.numRows, `${what}: reference shorter than the crash file`);
  const a = columns(got);
  const b = columns(ref);
  for (const name of Object.keys(a)) {
    const x = a[name];
    const y = b[name];
    for (let r = 0; r < x.length; r++) {
      if (!Object.is(x[r], y[r])) throw new Error(`${what}: column ${name}, row ${r}: crash file has ${x[r]}, reference ${y[r]}`);
    }
  }
}

test('SIGKILL mid-run: the partial files open and hold every flushed batch, each complete and equal to an uninterrupted run', async () => {
  const dir = await tempDir('spikeflow-crash-');
  const { last, spikesFlushed, statesFlushed, signal } = await runAndKill(dir, 3);
  assert.is(signal, 'SIGKILL');
  const paths = { spikes: join(dir, 'spikes.arrow'), states: join(dir, 'states.arrow') };
  // The files are still IPC streams (the rewrite to the file form happens only on close).
  for (const p of Object.values(paths)) assert.is.not(readFileSync(p).subarray(0, 6).toString('latin1'), 'ARROW1');
  const spikes = readArrow(paths.spikes);
  const states = readArrow(paths.states);
  assert.ok(spikes.numRows >= spikesFlushed, `spike file has ${spikes.numRows} rows, the child reported ${spikesFlushed} flushed`);
  assert.ok(states.numRows >= statesFlushed, `state file has ${states.numRows} rows, the child reported ${statesFlushed} flushed`);
  for (const [name, t] of [['spikes', spikes], ['states', states]] as const) {
    assert.ok(t.batches.length > 0, `${name}: no batch`);
    for (const b of t.batches) assert.is(b.numRows, CRASH_BATCH, `${name}: a batch is incomplete`);
    assert.is(t.numRows % CRASH_BATCH, 0);
  }
  assert.is(spikes.schema.metadata.get('seed'), String(SEED));
  assert.is(states.schema.metadata.get('sorting'), 'by_time');

  // Reference: the same network run in-process without interruption until it has more rows
  // than the crash files (the child may have run a few chunks past its last report).
  const ref = buildCrashNetwork(SEED, null);
  let chunks = 0;
  while (ref.spikes.count <= spikes.numRows || ref.states.count <= states.numRows) {
    ref.net.simulate(CHUNK_MS);
    chunks++;
    if (chunks > last.chunk + 1000) throw new Error('reference run never reached the crash file length');
  }
  await ref.net.close();
  assertPrefix(spikes, ref.spikes.toTable(), 'spikes');
  assertPrefix(states, ref.states.toTable(), 'states');
});

test('a stream cut anywhere reads back as exactly the complete batches before the cut', async () => {
  const dir = await tempDir('spikeflow-trunc-');
  const path = join(dir, 'stream.arrow');
  const cut = join(dir, 'cut.arrow');
  const B = 50;
  const w = new ArrowColumnWriter(
    [
      { name: 'node_id', type: 'uint32' },
      { name: 'time_ms', type: 'float64' },
      { name: 'population', type: 'dictionary', values: ['E', 'I'] },
    ],
    new Map([['sorting', 'by_time']]),
    path,
    B,
  );
  // File size after the schema, then after each batch (the writer is never closed).
  const sizes = [statSync(path).size];
  for (let r = 0; r < 4 * B; r++) {
    w.append([r % 7, r * 0.1, r % 2]);
    if ((r + 1) % B === 0) sizes.push(statSync(path).size);
  }
  const full = readArrow(path);
  assert.is(full.numRows, 4 * B);
  assert.is(full.schema.metadata.get('sorting'), 'by_time');
  const expectTime = full.getChild('time_ms')!.toArray() as Float64Array;
  for (let k = 0; k < 4; k++) {
    const start = sizes[k];
    const end = sizes[k + 1];
    // Cut at the batch boundary, in the message prefix, in the metadata, in the body, and one
    // byte short of the batch's end (batch 0 also carries the dictionary message).
    for (const at of [start, start + 3, start + 40, Math.floor((start + end) / 2), end - 1]) {
      copyFileSync(path, cut);
      truncateSync(cut, at);
      const t = readArrow(cut);
      assert.is(t.batches.length, k, `cut at byte ${at} inside batch ${k}`);
      assert.is(t.numRows, k * B);
      assert.equal(t.schema.fields.map((f) => f.name), ['node_id', 'time_ms', 'population']);
      assert.is(t.schema.metadata.get('sorting'), 'by_time');
      assert.equal(Array.from(t.getChild('time_ms')!.toArray() as Float64Array), Array.from(expectTime.subarray(0, k * B)));
      if (k > 0) assert.equal(Array.from(t.getChild('population')!).slice(0, 4), ['E', 'I', 'E', 'I']);
    }
  }
  // A cut inside the schema leaves nothing to read: a clear error, not an empty table.
  copyFileSync(path, cut);
  truncateSync(cut, Math.floor(sizes[0] / 2));
  assert.throws(() => readArrow(cut), /not an Arrow file or stream/);
  truncateSync(cut, 0);
  assert.throws(() => readArrow(cut), /not an Arrow file or stream/);
  // Closing turns the same stream into the file form with the same rows.
  await w.close();
  const closed = readArrow(path);
  assert.is(readFileSync(path).subarray(0, 6).toString('latin1'), 'ARROW1');
  assert.equal(Array.from(closed.getChild('time_ms')!.toArray() as Float64Array), Array.from(expectTime));
});

test.run();
