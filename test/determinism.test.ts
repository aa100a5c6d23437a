/**
 * Determinism (spec sections 1, 5, 6 and anchor 7): the same seed gives byte-identical Arrow
 * files; resumed simulate() calls equal one call; what is recorded and the order in which
 * unrelated things are built do not change the dynamics, because every random draw comes from
 * a stream keyed by the master seed and a name.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC, tableToIPC, type Table } from 'apache-arrow';
import { Network, recordSpikes, recordStates, type Population, type PopulationView } from '../engine/index.js';
import { tempDir } from './helpers.js';

const T = 400;
const BATCH = 256;

interface RunOptions {
  seed?: number;
  /** simulate() durations, summing to T. */
  chunks?: number[];
  /** Record V_m of some neurons too. */
  states?: boolean;
  /** Record the spikes of this part of the cells only (default: all). */
  spikeSubset?: (cells: Population) => PopulationView;
  /** Create an unrelated population (with its own random parameters) before or after the cells. */
  other?: 'before' | 'after';
  /** Name of the recorded population (random streams are keyed by it). */
  name?: string;
}

interface RunResult {
  spikes: Buffer;
  states: Buffer | null;
  firstId: number;
  I_e: Float64Array;
  V0: Float64Array;
  connections: Table;
  spikeCount: number;
}

/**
 * A small random network: 160 iaf_psc_delta cells with I_e drawn from a normal distribution
 * and random initial V_m, random fixed-indegree excitatory and inhibitory wiring with random
 * weights and delays, and independent Poisson input from a poisson_generator.
 */
async function run(opts: RunOptions = {}): Promise<RunResult> {
  const dir = await tempDir('spikeflow-det-');
  const net = new Network({ dt: 0.1, seed: opts.seed ?? 1234 });
  const makeOther = () => net.create('iaf_psc_delta', 30, { I_e: { distribution: 'uniform', low: 0, high: 500 }, V_m: { distribution: 'uniform', low: -70, high: -60 } }, { name: 'other' });
  if (opts.other === 'before') makeOther();
  const cells = net.create(
    'iaf_psc_delta',
    160,
    { I_e: { distribution: 'normal', mean: 120, std: 60, min: 0 }, V_m: { distribution: 'uniform', low: -70, high: -55 } },
    { name: opts.name ?? 'cells' },
  );
  const V0 = cells.get('V_m');
  const noise = net.create('poisson_generator', 1, { rate: 9000 }, { name: 'noise' });
  net.connect(noise, cells, 'all_to_all', { weight: 0.2, delay: 1 });
  net.connect(cells.slice(0, 128), cells, { rule: 'fixed_indegree', indegree: 16 }, {
    weight: { distribution: 'normal', mean: 0.3, std: 0.1, min: 0 },
    delay: { distribution: 'uniform', low: 1, high: 3 },
  });
  net.connect(cells.slice(128), cells, { rule: 'fixed_indegree', indegree: 8 }, { weight: -1.2, delay: 1.5 });
  if (opts.other === 'after') makeOther();
  const spikePath = join(dir, 'spikes.arrow');
  const statePath = join(dir, 'states.arrow');
  recordSpikes(net, opts.spikeSubset ? opts.spikeSubset(cells) : cells, { path: spikePath, batchSize: BATCH, populationColumn: true });
  if (opts.states) recordStates(net, cells.select([3, 50, 129, 159]), { variables: ['V_m'], path: statePath, batchSize: BATCH });
  for (const ms of opts.chunks ?? [T]) net.simulate(ms);
  const spikeCount = net.stats.spikes;
  await net.close();
  return {
    spikes: readFileSync(spikePath),
    states: opts.states ? readFileSync(statePath) : null,
    firstId: cells.firstId,
    I_e: cells.get('I_e'),
    V0,
    connections: net.getConnections(),
    spikeCount,
  };
}

function rows(buf: Buffer): { id: number[]; time: number[]; pop: string[] } {
  const t = tableFromIPC(buf);
  return {
    id: Array.from(t.getChild('node_id')!.toArray() as Uint32Array),
    time: Array.from(t.getChild('time_ms')!.toArray() as Float64Array),
    pop: Array.from(t.getChild('population')!) as string[],
  };
}

let base: RunResult;

test('same seed, same code: byte-identical spike and state files', async () => {
  base = await run({ states: true });
  const again = await run({ states: true });
  // The network must actually do something (about 4000 spikes, some 60 Hz per cell: over 15
  // batches); otherwise identical files prove nothing.
  const n = rows(base.spikes).id.length;
  assert.ok(n > 4 * BATCH, `only ${n} spikes`);
  assert.ok(base.spikes.equals(again.spikes), 'spike files differ');
  assert.ok(base.states!.equals(again.states!), 'state files differ');
  // The connection table too, written the way users save it.
  assert.ok(Buffer.from(tableToIPC(base.connections, 'file')).equals(Buffer.from(tableToIPC(again.connections, 'file'))), 'connection tables differ');
});

test('different seed: different files', async () => {
  const other = await run({ seed: 1235, states: true });
  assert.not.ok(other.spikes.equals(base.spikes));
  assert.not.ok(other.states!.equals(base.states!));
  assert.not.equal(Array.from(other.I_e), Array.from(base.I_e));
});

test('simulate(T) once equals simulate(T/2) twice, and any other split, byte for byte after close', async () => {
  for (const chunks of [
    [T / 2, T / 2],
    [0.1, 99.9, 0.3, T - 100.3],
  ]) {
    const split = await run({ states: true, chunks });
    assert.ok(split.spikes.equals(base.spikes), `spike files differ for chunks ${chunks}`);
    assert.ok(split.states!.equals(base.states!), `state files differ for chunks ${chunks}`);
  }
});

test('recording states or only a subset of the spikes does not change the spikes', async () => {
  const noStates = await run({});
  assert.ok(noStates.spikes.equals(base.spikes), 'adding a state recorder changed the spike file');
  const sub = await run({ spikeSubset: (c) => c.select([0, 7, 64, 130, 131, 159]) });
  const want = new Set([0, 7, 64, 130, 131, 159].map((i) => i + base.firstId));
  const all = rows(base.spikes);
  const got = rows(sub.spikes);
  const keep = all.id.map((id, r) => (want.has(id) ? r : -1)).filter((r) => r >= 0);
  assert.ok(keep.length > 20, 'the subset fired too little to compare');
  assert.equal(got.id, keep.map((r) => all.id[r]));
  assert.equal(got.time, keep.map((r) => all.time[r]));
  assert.ok(sub.spikeCount === base.spikeCount, 'the network emitted a different number of spikes');
});

test('an unrelated population created before or after leaves the draws and the dynamics unchanged; a renamed one does not', async () => {
  const before = await run({ other: 'before' });
  const after = await run({ other: 'after' });
  assert.is(before.firstId, 30);
  assert.is(after.firstId, 0);
  // Parameter and initial-state draws, wiring, weights and delays, spikes: all the same up to
  // the shift of global ids.
  for (const r of [before, after]) {
    assert.equal(Array.from(r.I_e), Array.from(base.I_e));
    assert.equal(Array.from(r.V0), Array.from(base.V0));
  }
  const local = (res: RunResult) => {
    const c = res.connections;
    const src = c.getChild('source')!.toArray() as Uint32Array;
    const tgt = c.getChild('target')!.toArray() as Uint32Array;
    const w = c.getChild('weight')!.toArray() as Float64Array;
    const d = c.getChild('delay_ms')!.toArray() as Float64Array;
    const out: string[] = [];
    // The noise generator is created right after the cells, so its id moves with them.
    const noiseId = res.firstId + 160;
    for (let r = 0; r < src.length; r++) {
      const s = src[r] >= res.firstId && src[r] < res.firstId + 160 ? String(src[r] - res.firstId) : src[r] === noiseId ? 'noise' : `x${src[r]}`;
      out.push(`${s}>${tgt[r] - res.firstId}:${w[r]}:${d[r]}`);
    }
    return out.sort();
  };
  const ref = local(base);
  assert.equal(local(before), ref);
  assert.equal(local(after), ref);
  const baseRows = rows(base.spikes);
  for (const r of [before, after]) {
    const x = rows(r.spikes);
    assert.equal(x.id.map((id) => id - r.firstId), baseRows.id.map((id) => id - base.firstId));
    assert.equal(x.time, baseRows.time);
  }
  const renamed = await run({ name: 'cells_renamed' });
  assert.not.equal(Array.from(renamed.I_e), Array.from(base.I_e));
});

test.run();
