/**
 * Weight recorder: rows on every weight update of a plastic projection ('change') and
 * snapshots of all weights at an interval ('interval'), in memory and through a file. The
 * rows are checked against the projection's weight array read by callbacks at the same steps
 * (a path that does not use the recorder's hook), and the two modes against each other.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import seedrandom from 'seedrandom';
import type { Table } from 'apache-arrow';
import { tableFromIPC as flechetteFromIPC } from '@uwdata/flechette';
import {
  Network,
  SimulationError,
  readArrow,
  recordSpikes,
  recordWeights,
  type ProjectionData,
  type WeightRecorderOptions,
} from '../engine/index.js';
import { tempDir } from './helpers.js';
import { TRAIN_SOURCE, addTrain } from './fixtures/train-source.js';

const DT = 0.1;
function poissonSteps(seed: string, rateHz: number, from: number, to: number): number[] {
  const rng = seedrandom.alea(seed);
  const out: number[] = [];
  for (let k = from; k <= to; k++) if (rng() < rateHz * DT * 1e-3) out.push(k);
  return out;
}

const STEPS = 3000;
const PRE = [poissonSteps('wr/pre0', 60, 1, STEPS), poissonSteps('wr/pre1', 60, 1, STEPS)];
const POST = [0, 1, 2].map((j) => poissonSteps(`wr/post${j}`, 80, 2, STEPS));

interface Built {
  net: Network;
  plastic: ProjectionData;
  fixed: ProjectionData;
}

/**
 * 2 sources → 3 neurons forced to spike at known steps (as in the STDP anchor), plastic
 * all-to-all stdp_synapse with six different weights, plus a static projection.
 */
function build(): Built {
  const net = new Network({ dt: DT, seed: 3 });
  const pre = net.create(TRAIN_SOURCE, 2, { train: PRE.map((t) => addTrain(t)) }, { name: 'pre' });
  const drv = net.create(TRAIN_SOURCE, 3, { train: POST.map((t) => addTrain(t.map((q) => q - 1))) }, { name: 'driver' });
  const post = net.create('iaf_psc_delta', 3, { E_L: 0, V_m: 0, V_reset: 0, V_th: 1e6, t_ref: 0 }, { name: 'post' });
  const plastic = net.connect(pre, post, 'all_to_all', {
    model: 'stdp_synapse',
    weight: [1, 2, 3, 4, 5, 6],
    delay: [0.1, 0.5, 1, 1.5, 2, 0.3],
    params: { lambda: 0.05, alpha: 1.1, mu_plus: 0, mu_minus: 0, Wmax: 10 },
  });
  const fixed = net.connect(pre, post, 'all_to_all', { weight: 0.25 });
  net.connect(drv, post, 'one_to_one', { weight: 2e6 });
  return { net, plastic, fixed };
}

function cols(t: Table): { time: number[]; source: number[]; target: number[]; weight: number[] } {
  const c = (n: string) => Array.from(t.getChild(n)!.toArray() as ArrayLike<number>);
  return { time: c('time_ms'), source: c('source'), target: c('target'), weight: c('weight') };
}

/** Global ids: pre 0–1, driver 2–4, post 5–7. */
const POST_FIRST = 5;

test("mode 'change': one row per synapse per transmitted pre spike, holding the weight right after the update", async () => {
  const { net, plastic } = build();
  const wr = recordWeights(net, plastic);
  const initial = plastic.weight.slice();
  // Independent of the hook: copy the weight array after every step with a pre spike.
  const snapshots = new Map<number, Float64Array>();
  const preSteps = new Set([...PRE[0], ...PRE[1]]);
  for (const k of preSteps) net.at(k * DT, () => snapshots.set(k, plastic.weight.slice()));
  net.simulate(STEPS * DT);
  await net.close();
  const r = cols(wr.toTable());
  assert.is(r.time.length, 3 * (PRE[0].length + PRE[1].length), 'rows: 3 synapses per pre spike');
  assert.is(wr.count, r.time.length);
  let changed = 0;
  for (let row = 0; row < r.time.length; row++) {
    if (row > 0) assert.ok(r.time[row] >= r.time[row - 1], 'time never decreases');
    const step = Math.round(r.time[row] / DT);
    const src = r.source[row];
    assert.ok(PRE[src].includes(step), `row ${row}: source ${src} fired at step ${step}`);
    const j = r.target[row] - POST_FIRST;
    assert.ok(j >= 0 && j < 3, `row ${row}: target ${r.target[row]} is a post neuron`);
    // Synapse index in CSR order: source-major, targets in generation order.
    const s = src * 3 + j;
    assert.is(plastic.target[s], j);
    assert.is(r.weight[row], snapshots.get(step)![s], `row ${row}: weight equals the synapse's weight after step ${step}`);
    if (r.weight[row] !== initial[s]) changed++;
  }
  assert.ok(changed > 50, `weights actually changed (${changed} rows differ from the initial weight)`);
  // Each source's spikes come as three consecutive rows, targets in order.
  for (let row = 0; row < r.time.length; row += 3) {
    assert.equal([r.target[row], r.target[row + 1], r.target[row + 2]], [5, 6, 7]);
    assert.ok(r.source[row + 1] === r.source[row] && r.source[row + 2] === r.source[row]);
  }
  // The last row of each synapse is its final weight.
  for (let s = 0; s < 6; s++) {
    let last = NaN;
    for (let row = 0; row < r.time.length; row++) if (r.source[row] * 3 + r.target[row] - POST_FIRST === s) last = r.weight[row];
    assert.is(last, plastic.weight[s]);
  }
});

test("mode 'interval': all weights every interval from t = 0, in projection, source and connection order; agrees with 'change'", async () => {
  const { net, plastic, fixed } = build();
  const every = recordWeights(net, [fixed, plastic], { mode: 'interval', interval: 2.5 });
  const changes = recordWeights(net, plastic);
  const initial = plastic.weight.slice();
  const snapshots = new Map<number, Float64Array>();
  for (let k = 0; k < STEPS; k += 25) net.at(k * DT, () => snapshots.set(k, plastic.weight.slice()));
  net.simulate(STEPS * DT);
  await net.close();
  const r = cols(every.toTable());
  const samples = STEPS / 25;
  assert.is(r.time.length, samples * 12, `${samples} samples of 6 static and 6 plastic weights`);
  const ch = cols(changes.toTable());
  for (let q = 0; q < samples; q++) {
    const k = q * 25;
    const t = k * DT;
    for (let m = 0; m < 12; m++) {
      const row = q * 12 + m;
      assert.is(r.time[row], t);
      // Projection order: the plastic projection was created first, though passed second.
      const s = m % 6;
      assert.is(r.source[row], Math.floor(s / 3));
      assert.is(r.target[row], POST_FIRST + (s % 3));
      if (m >= 6) {
        assert.is(r.weight[row], 0.25);
        continue;
      }
      assert.is(r.weight[row], snapshots.get(k)![s]);
      // The same value from the other mode: the latest update at or before t, else the initial weight.
      let fromChanges = initial[s];
      for (let c = 0; c < ch.time.length && ch.time[c] <= t + 1e-9; c++) {
        if (ch.source[c] * 3 + ch.target[c] - POST_FIRST === s) fromChanges = ch.weight[c];
      }
      assert.is(r.weight[row], fromChanges, `synapse ${s} at ${t} ms`);
    }
  }
  const lastSample = r.weight.slice(-12, -6);
  assert.ok(lastSample.some((w, s) => w !== initial[s]), 'plastic weights moved');
});

test('round trip through a file: several batches, same rows as in memory, readable by apache-arrow and flechette, recorder metadata', async () => {
  const dir = await tempDir();
  const { net, plastic } = build();
  const path = join(dir, 'weights.arrow');
  const pathInterval = join(dir, 'sub', 'weights-interval.arrow');
  const opts: WeightRecorderOptions = { path, batchSize: 7 };
  const onFile = recordWeights(net, undefined, opts); // default: every plastic projection
  const inMemory = recordWeights(net, plastic);
  const intervalFile = recordWeights(net, plastic, { mode: 'interval', interval: 10, path: pathInterval, batchSize: 5 });
  net.simulate(STEPS * DT);
  await net.close();
  const mem = cols(inMemory.toTable());
  const fromFile = readArrow(path);
  assert.ok(fromFile.batches.length > 10, `${fromFile.batches.length} record batches`);
  assert.ok(fromFile.batches.slice(0, -1).every((b) => b.numRows === 7), 'full batches of 7 rows');
  assert.equal(cols(fromFile), mem);
  assert.equal(fromFile.schema.fields.map((f) => `${f.name}:${f.type}`), ['time_ms:Float64', 'source:Uint32', 'target:Uint32', 'weight:Float64']);
  const f = flechetteFromIPC(readFileSync(path));
  assert.equal(Array.from(f.getChild('weight').toArray() as Float64Array), mem.weight);
  assert.equal(Array.from(f.getChild('source').toArray() as Uint32Array), mem.source);
  const meta = Object.fromEntries(fromFile.schema.metadata);
  assert.is(meta.dt_ms, '0.1');
  assert.is(meta.seed, '3');
  assert.is(meta.units, 'ms');
  assert.is(meta.sorting, 'by_time');
  assert.is(meta.mode, 'change');
  assert.ok(meta.engine && meta.engine_version);
  assert.equal(JSON.parse(meta.populations), [
    { name: 'pre', first_id: 0, count: 2 },
    { name: 'post', first_id: 5, count: 3 },
  ]);
  assert.equal(JSON.parse(meta.projections), [{ id: plastic.id, source: 'pre', target: 'post', synapse_model: 'stdp_synapse', count: 6 }]);
  const iv = readArrow(pathInterval);
  assert.is(iv.numRows, (STEPS / 100) * 6);
  assert.is(Object.fromEntries(iv.schema.metadata).interval_ms, '10');
  assert.is(Object.fromEntries(iv.schema.metadata).mode, 'interval');
  assert.throws(() => onFile.toTable(), /read the file/);
});

test('recording weights does not change the dynamics', async () => {
  const run = async (record: boolean) => {
    const { net, plastic } = build();
    if (record) {
      recordWeights(net, plastic);
      recordWeights(net, plastic, { mode: 'interval', interval: 0.1 });
    }
    const spikes = recordSpikes(net, net.populations[2]);
    net.simulate(STEPS * DT);
    await net.close();
    return { w: Array.from(plastic.weight), spikes: cols2(spikes.toTable()) };
  };
  const cols2 = (t: Table) => Array.from(t.getChild('time_ms')!.toArray() as ArrayLike<number>);
  const a = await run(false);
  const b = await run(true);
  assert.equal(b, a);
});

test('errors name the problem and the fix', () => {
  const { net, plastic, fixed } = build();
  const bad = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: unknown) => e instanceof SimulationError && re.test(e.message), String(re));
  bad(() => recordWeights(net, fixed), /never change; record it with \{ mode: 'interval' \}/);
  bad(() => recordWeights(net, plastic, { mode: 'interval' }), /needs \{ interval \}/);
  bad(() => recordWeights(net, plastic, { mode: 'interval', interval: 0.25 }), /not a multiple of dt/);
  bad(() => recordWeights(net, plastic, { interval: 1 }), /applies to mode 'interval' only/);
  bad(() => recordWeights(net, [plastic, plastic]), /listed twice/);
  bad(() => recordWeights(net, plastic, { mode: 'sometimes' as 'change' }), /mode must be/);
  const other = build();
  bad(() => recordWeights(net, other.plastic), /does not belong to this network/);
  const empty = new Network({ dt: DT });
  bad(() => recordWeights(empty), /no projection to record/);
});

test.run();
