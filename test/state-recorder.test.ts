import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import type { Table } from 'apache-arrow';
import { Network, defineNeuronModel, registerNeuronModel, recordStates, readArrow } from '../engine/index.js';
import { tempDir, close, simulationErrorMessage } from './helpers.js';

// Two tiny models whose state is the time label itself, so every row can be checked exactly:
// a grid model whose update k leaves the state of time (k+1)·dt, and a clock model whose tick
// at step k leaves the state labelled k·dt (every `period` steps).
registerNeuronModel(
  defineNeuronModel({
    name: 'test_grid_clockface',
    doc: 'Test model: after the update of step k, steps = k + 1.',
    timing: 'grid',
    output: 'none',
    params: {},
    state: { steps: { unit: '1', initial: 0, doc: 'Time of the state, in steps.' } },
    ports: {},
    prepare: () => null,
    update(ctx) {
      const s = ctx.s.steps;
      for (let i = 0; i < ctx.n; i++) s[i] = ctx.step + 1;
    },
  }),
);
registerNeuronModel(
  defineNeuronModel({
    name: 'test_tick_clockface',
    doc: 'Test model: the tick at step k sets steps = k.',
    timing: 'clock',
    output: 'none',
    params: {},
    state: { steps: { unit: '1', initial: -1, doc: 'Time of the state, in steps.' } },
    ports: {},
    prepare: () => null,
    update(ctx) {
      const s = ctx.s.steps;
      for (let i = 0; i < ctx.n; i++) s[i] = ctx.step;
    },
  }),
);

function col(t: Table, name: string): number[] {
  const c = t.getChild(name);
  if (c === null) throw new Error(`no column ${name}`);
  return Array.from(c.toArray() as ArrayLike<number>);
}

function assertSorted(t: Table): void {
  const time = col(t, 'time_ms');
  const id = col(t, 'node_id');
  for (let r = 1; r < time.length; r++) {
    const ok = time[r] > time[r - 1] || (time[r] === time[r - 1] && id[r] > id[r - 1]);
    if (!ok) throw new Error(`rows ${r - 1} and ${r} out of (time, node_id) order: (${time[r - 1]}, ${id[r - 1]}) then (${time[r]}, ${id[r]})`);
  }
}

test('first sample of a grid population is V(dt), labelled dt; the trace matches the closed form through spike, refractoriness and recovery', async () => {
  // NEST defaults with I_e = 1000 pA from t = 0: V(t) = E_L + I_e·tau_m/C_m·(1 − exp(−t/tau_m)).
  // V(0.1) = −69.602 is NEST's multimeter anchor; V crosses −55 mV inside (4.7, 4.8] ms, so the
  // spike is stamped 4.8 ms, V is held at −70 for t_ref = 2 ms (through 6.8 ms) and the same
  // charging curve restarts from 6.8 ms.
  const net = new Network({ dt: 0.1 });
  const pop = net.create('iaf_psc_delta', 1, { I_e: 1000 });
  const rec = recordStates(net, pop, { variables: ['V_m'] });
  net.simulate(10);
  await net.close();
  const t = rec.toTable();
  const time = col(t, 'time_ms');
  const V = col(t, 'V_m');
  assert.is(t.numRows, 100);
  assert.is(time[0], 0.1 * 1);
  close(V[0], -69.602, 5e-4, 'V(0.1)');
  close(V[4], -68.0492, 5e-5, 'V(0.5)');
  close(V[46], -55.0001, 5e-5, 'V(4.7)');
  const ref = (tm: number): number => {
    const k = Math.round(tm / 0.1);
    if (k <= 47) return -70 + 40 * -Math.expm1(-tm / 10);
    if (k <= 68) return -70;
    return -70 + 40 * -Math.expm1(-(tm - 6.8) / 10);
  };
  for (let r = 0; r < t.numRows; r++) {
    close(time[r], (r + 1) * 0.1, 1e-12, `time of row ${r}`);
    // Increment-form propagation vs closed form: rounding only, far below 1e-10 mV here.
    close(V[r], ref(time[r]), 1e-10, `V_m at ${time[r]} ms`);
  }
  assert.ok(V.every((v) => v < -55), 'a recorded V_m reached threshold');
  assert.equal(col(t, 'node_id'), new Array(100).fill(pop.firstId));
});

test('interval: samples at whole multiples of the interval, equal to the dt-resolution samples at those times', async () => {
  const net = new Network({ dt: 0.1, seed: 3 });
  const pop = net.create('iaf_psc_delta', 4, { I_e: { distribution: 'uniform', low: 300, high: 900 } });
  const fine = recordStates(net, pop, { variables: ['V_m'] });
  const coarse = recordStates(net, pop, { variables: ['V_m'], interval: 1.5 });
  net.simulate(30);
  await net.close();
  const f = fine.toTable();
  const c = coarse.toTable();
  assert.is(c.numRows, 4 * 20);
  const fTime = col(f, 'time_ms');
  const fV = col(f, 'V_m');
  const cTime = col(c, 'time_ms');
  const cV = col(c, 'V_m');
  const cId = col(c, 'node_id');
  for (let r = 0; r < c.numRows; r++) {
    const sample = Math.floor(r / 4) + 1;
    close(cTime[r], sample * 1.5, 1e-12, `time of coarse row ${r}`);
    assert.is(cId[r], r % 4);
    // The fine recorder's row of the same step and neuron: 15 steps per sample, 4 rows per step.
    const fr = (sample * 15 - 1) * 4 + (r % 4);
    assert.is(fTime[fr], cTime[r]);
    assert.is(cV[r], fV[fr]);
  }
  assert.is(c.schema.metadata.get('interval_ms'), '1.5');
  assert.is(f.schema.metadata.get('interval_ms'), '0.1');
});

test('node subset: views and lists from several populations, duplicates merged, rows sorted by (time, node_id)', async () => {
  const net = new Network({ dt: 0.1, seed: 11 });
  const a = net.create('iaf_psc_delta', 10, { I_e: { distribution: 'uniform', low: 0, high: 600 } }, { name: 'A' });
  const b = net.create('iaf_psc_delta', 6, { I_e: 500 }, { name: 'B' });
  // Listed out of order and overlapping; the recorder must give each neuron once, by id.
  const rec = recordStates(net, [b.select([4, 1]), a.slice(7, 9), a.select([2, 8]), b.slice(1, 2)], { variables: ['V_m'], interval: 0.5 });
  net.simulate(5);
  await net.close();
  const t = rec.toTable();
  const expectIds = [2, 7, 8, 10 + 1, 10 + 4];
  assert.is(t.numRows, 10 * expectIds.length);
  assertSorted(t);
  const ids = col(t, 'node_id');
  assert.equal(ids.slice(0, 5), expectIds);
  // The last sample (t = 5 ms, after the last update) equals the populations' state now.
  const V = col(t, 'V_m');
  const last = V.slice(-5);
  const now = [a.s.V_m[2], a.s.V_m[7], a.s.V_m[8], b.s.V_m[1], b.s.V_m[4]];
  assert.equal(last, now);
  const pops = JSON.parse(t.schema.metadata.get('populations')!);
  assert.equal(pops, [
    { name: 'A', first_id: 0, count: 10 },
    { name: 'B', first_id: 10, count: 6 },
  ]);
});

test('variables: default is every recordable state variable; typos get a suggestion; parameters are refused; internal ones on request', async () => {
  const net = new Network({ dt: 0.1 });
  const pop = net.create('iaf_psc_delta', 2, { I_e: 800 });
  const def = recordStates(net, pop);
  assert.equal(def.variables, ['V_m']);  assert.match(simulationErrorMessage(() => recordStates(net, pop, { variables: ['V_n'] })), /no state variable 'V_n'.*Did you mean 'V_m'/);
  assert.match(simulationErrorMessage(() => recordStates(net, pop, { variables: ['I_e'] })), /'I_e' is a parameter/);
  assert.match(simulationErrorMessage(() => recordStates(net, pop, { variables: [] })), /non-empty list/);
  assert.match(simulationErrorMessage(() => recordStates(net, pop, { variables: ['V_m', 'V_m'] })), /listed twice/);
  assert.match(simulationErrorMessage(() => recordStates(net, pop, { interval: 0.25 })), /not a multiple of dt/);
  assert.match(simulationErrorMessage(() => recordStates(net, pop, { interval: 0 })), /at least dt/);
  assert.match(simulationErrorMessage(() => recordStates(net, [])), /at least one population/);
  const other = new Network();
  assert.match(simulationErrorMessage(() => recordStates(other, pop)), /belongs to another network/);
  const internal = recordStates(net, pop, { variables: ['refr', 'V_m', 'I_in'] });
  net.simulate(20);
  await net.close();
  const t = internal.toTable();
  assert.equal(
    t.schema.fields.map((f) => f.name),
    ['time_ms', 'node_id', 'refr', 'V_m', 'I_in'],
  );
  // 800 pA drives V to threshold (V_inf = −38 mV), so the refractory counter must show up,
  // set to 20 steps (t_ref = 2 ms) by the update that resets V, then counted down by one per update.
  const refr = col(t, 'refr');
  assert.ok(refr.includes(20) && refr.includes(1));
  assert.ok(refr.every((x) => Number.isInteger(x) && x >= 0 && x <= 20));
  assert.is(JSON.parse(t.schema.metadata.get('variable_units')!).V_m, 'mV');
});

test('clock populations are labelled k·dt, grid populations (k+1)·dt; a mixed recorder stays sorted and complete', async () => {
  const run = async (chunks: number[], intervalMs: number): Promise<Table> => {
    const net = new Network({ dt: 0.5 });
    const g = net.create('test_grid_clockface', 3);
    const c = net.create('test_tick_clockface', 2);
    const g2 = net.create('test_grid_clockface', 2);
    const rec = recordStates(net, [g2, c, g], { variables: ['steps'], interval: intervalMs });
    for (const ms of chunks) net.simulate(ms);
    await net.close();
    return rec.toTable();
  };
  for (const interval of [0.5, 1.5]) {
    const I = Math.round(interval / 0.5);
    const t = await run([10], interval);
    assertSorted(t);
    const time = col(t, 'time_ms');
    const id = col(t, 'node_id');
    const steps = col(t, 'steps');
    for (let r = 0; r < t.numRows; r++) {
      // Each row's state is the state of its time label, in both timing rules.
      assert.is(steps[r], Math.round(time[r] / 0.5), `row ${r} (node ${id[r]}, t = ${time[r]})`);
      assert.is(Math.round(time[r] / 0.5) % I, 0);
    }
    // Over 20 steps: clock rows at steps 0, I, .. ≤ 19; grid rows at I, 2I, .. ≤ 20.
    const clockSamples = Math.floor(19 / I) + 1;
    const gridSamples = Math.floor(20 / I);
    const byNode = (n: number) => id.filter((x) => x === n).length;
    for (const n of [0, 1, 2, 5, 6]) assert.is(byNode(n), gridSamples, `grid node ${n}`);
    for (const n of [3, 4]) assert.is(byNode(n), clockSamples, `clock node ${n}`);
    assert.is(time[0], 0);
    assert.equal(id.slice(0, 2), [3, 4]);
    // Splitting the run moves no row.
    const split = await run([3.5, 0.5, 6], interval);
    assert.equal(col(split, 'time_ms'), time);
    assert.equal(col(split, 'node_id'), id);
    assert.equal(col(split, 'steps'), steps);
  }
});

test('file mode: every batch but the last is full, the file equals the in-memory table, metadata is complete', async () => {
  const dir = await tempDir();
  const path = join(dir, 'states.arrow');
  const net = new Network({ dt: 0.1, seed: 5 });
  const pop = net.create('iaf_psc_delta', 5, { I_e: { distribution: 'normal', mean: 500, std: 200 } });
  const file = recordStates(net, pop, { path, batchSize: 7 });
  const mem = recordStates(net, pop, { batchSize: 7 });
  net.simulate(2);
  assert.throws(() => mem.toTable(), /close the recorder/);
  assert.is(file.count, 100);
  await net.close();
  const a = readArrow(path);
  const b = mem.toTable();
  assert.equal(a.batches.map((x) => x.numRows), [...new Array(14).fill(7), 2]);
  assert.equal(b.batches.map((x) => x.numRows), [...new Array(14).fill(7), 2]);
  for (const name of ['time_ms', 'node_id', 'V_m']) assert.equal(col(a, name), col(b, name), name);
  assert.instance(a.getChild('time_ms')!.toArray(), Float64Array);
  assert.instance(a.getChild('node_id')!.toArray(), Uint32Array);
  const m = a.schema.metadata;
  assert.is(m.get('sorting'), 'by_time');
  assert.is(m.get('dt_ms'), '0.1');
  assert.is(m.get('seed'), '5');
  assert.is(m.get('units'), 'ms');
  assert.ok(m.get('engine') && m.get('engine_version'));
  assert.throws(() => file.toTable(), /read the file/);
});

test.run();
