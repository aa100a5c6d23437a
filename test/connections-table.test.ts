/**
 * net.getConnections(): one Arrow table of every synapse with source and target (global ids,
 * Uint32), weight and delay_ms (Float64) and synapse_model (Dictionary<Utf8>), checked against
 * connectivity rebuilt by hand from the rules, against the projections' CSR arrays, and read
 * back through Arrow IPC by apache-arrow and by flechette. Also the compactness figure
 * bytes_per_synapse.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DataType, Type, tableFromIPC, tableToIPC, type Table } from 'apache-arrow';
import { tableFromIPC as flechetteFromIPC } from '@uwdata/flechette';
import { Network, defineSynapseModel, registerSynapseModel, type Population } from '../engine/index.js';

// A second synapse model, so the table holds two names in its dictionary.
registerSynapseModel(
  defineSynapseModel({
    name: 'table_scaled_synapse',
    doc: 'Static synapse whose weights act multiplied by a common factor (test model).',
    params: { scale: { default: 1, unit: '1', min: 0, doc: 'Weight factor.' } },
    init: (_proj, p) => ({ scale: p.scale }),
    transmit(proj, state, row, stamp, offset, mult) {
      proj.addRow(row, proj.slotBase(stamp, offset), mult * state.scale);
    },
  }),
);

interface Row {
  source: number;
  target: number;
  weight: number;
  delay_ms: number;
  synapse_model: string;
}

function rowsOf(t: Table): Row[] {
  const cols = ['source', 'target', 'weight', 'delay_ms', 'synapse_model'].map((n) => t.getChild(n)!);
  const out: Row[] = [];
  for (let r = 0; r < t.numRows; r++) {
    const [source, target, weight, delay_ms, synapse_model] = cols.map((c) => c.get(r));
    out.push({ source, target, weight, delay_ms, synapse_model });
  }
  return out;
}

const order = (a: Row, b: Row) => a.source - b.source || a.target - b.target || a.weight - b.weight || a.synapse_model.localeCompare(b.synapse_model);

function checkSchema(t: Table): void {
  const f = t.schema.fields;
  assert.equal(f.map((x) => x.name), ['source', 'target', 'weight', 'delay_ms', 'synapse_model']);
  for (const name of ['source', 'target']) {
    const type = t.schema.fields.find((x) => x.name === name)!.type;
    assert.ok(DataType.isInt(type) && type.bitWidth === 32 && !type.isSigned, `${name} is ${type}`);
  }
  for (const name of ['weight', 'delay_ms']) {
    const type = t.schema.fields.find((x) => x.name === name)!.type;
    assert.is(type.typeId, Type.Float);
    assert.is(String(type), 'Float64');
  }
  const dict = f[4].type;
  assert.ok(DataType.isDictionary(dict), `synapse_model is ${dict}`);
  assert.ok(DataType.isUtf8(dict.dictionary));
}

function build(): { net: Network; a: Population; b: Population; c: Population; expected: Row[] } {
  const net = new Network({ dt: 0.1, seed: 17 });
  const a = net.create('iaf_psc_delta', 5, {}, { name: 'A' }); // ids 0..4
  const b = net.create('iaf_psc_delta', 4, {}, { name: 'B' }); // ids 5..8
  const c = net.create('iaf_psc_delta', 3, {}, { name: 'C' }); // ids 9..11
  const expected: Row[] = [];
  // A -> B all-to-all, target-major weight array; delay 0.3 ms = 3 steps.
  const w = Array.from({ length: 20 }, (_, k) => 0.5 + k);
  net.connect(a, b, 'all_to_all', { weight: w, delay: 0.3 });
  for (let t = 0; t < 4; t++) for (let s = 0; s < 5; s++) expected.push({ source: s, target: 5 + t, weight: w[t * 5 + s], delay_ms: 0.3, synapse_model: 'static_synapse' });
  // B[1..2] -> A[{0, 4}] one-to-one, inhibitory, 1 ms.
  net.connect(b.slice(1, 3), a.select([0, 4]), 'one_to_one', { weight: -2, delay: 1 });
  expected.push({ source: 6, target: 0, weight: -2, delay_ms: 1, synapse_model: 'static_synapse' });
  expected.push({ source: 7, target: 4, weight: -2, delay_ms: 1, synapse_model: 'static_synapse' });
  // C -> C explicit, with the second synapse model.
  net.connect(c, c, { rule: 'explicit', sources: [2, 0, 2], targets: [1, 1, 0] }, { model: 'table_scaled_synapse', weight: [7, 8, 9], delay: [0.1, 0.2, 2.5], params: { scale: 3 } });
  expected.push({ source: 11, target: 10, weight: 7, delay_ms: 0.1, synapse_model: 'table_scaled_synapse' });
  expected.push({ source: 9, target: 10, weight: 8, delay_ms: 0.2, synapse_model: 'table_scaled_synapse' });
  expected.push({ source: 11, target: 9, weight: 9, delay_ms: 2.5, synapse_model: 'table_scaled_synapse' });
  // A -> C fixed in-degree, static again (the dictionary keeps one entry per model).
  net.connect(a, c, { rule: 'fixed_indegree', indegree: 2 }, { weight: 1.25 });
  return { net, a, b, c, expected };
}

test('schema: Uint32 ids, Float64 weight and delay_ms, Dictionary<Utf8> synapse_model', () => {
  const { net } = build();
  const t = net.getConnections();
  checkSchema(t);
  assert.is(t.schema.metadata.get('dt_ms'), '0.1');
  const empty = new Network().getConnections();
  assert.is(empty.numRows, 0);
  checkSchema(empty);
});

test('rows match the connectivity built by hand, with two synapse models', () => {
  const { net, expected } = build();
  const rows = rowsOf(net.getConnections());
  assert.is(rows.length, expected.length + 6);
  // The fixed in-degree rows are random: check their structure, then the rest exactly.
  const random = rows.filter((r) => r.target >= 9 && r.source <= 4);
  assert.is(random.length, 6);
  for (const t of [9, 10, 11]) assert.is(random.filter((r) => r.target === t).length, 2);
  assert.ok(random.every((r) => r.weight === 1.25 && r.delay_ms === 0.1 && r.synapse_model === 'static_synapse'));
  const rest = rows.filter((r) => !random.includes(r));
  assert.equal(rest.sort(order), expected.slice().sort(order));
  const dict = net.getConnections().getChild('synapse_model')!.data[0].dictionary!;
  assert.equal(Array.from({ length: dict.length }, (_, k) => dict.get(k)), ['static_synapse', 'table_scaled_synapse']);
});

test('rows follow the projections: projection order, then source, with the CSR contents', () => {
  const { net } = build();
  const rows = rowsOf(net.getConnections());
  let r = 0;
  for (const pr of net.projections) {
    let lastSource = -1;
    for (let i = 0; i < pr.source.n; i++) {
      for (let s = pr.rowPtr[i]; s < pr.rowPtr[i + 1]; s++, r++) {
        const row = rows[r];
        assert.is(row.source, pr.source.firstId + i);
        assert.ok(row.source >= lastSource);
        lastSource = row.source;
        assert.is(row.target, pr.targetPopulation.firstId + pr.target[s]);
        assert.is(row.weight, pr.weight[s]);
        // Steps become ms as NEST writes them: 3 steps at dt 0.1 is 0.3, not 3·0.1.
        assert.is(row.delay_ms, pr.delay[s] / 10);
        assert.is(row.synapse_model, pr.synapse.name);
      }
    }
  }
  assert.is(r, rows.length);
  assert.is(r, net.synapseCount);
});

test('the table survives Arrow IPC with apache-arrow and with flechette', () => {
  const { net } = build();
  const t = net.getConnections();
  const expected = rowsOf(t);
  for (const format of ['file', 'stream'] as const) {
    const bytes = tableToIPC(t, format);
    assert.equal(rowsOf(tableFromIPC(bytes)), expected);
    const f = flechetteFromIPC(bytes);
    assert.is(f.numRows, expected.length);
    const cols = ['source', 'target', 'weight', 'delay_ms', 'synapse_model'].map((n) => f.getChild(n).toArray());
    for (let k = 0; k < expected.length; k++) {
      const e = expected[k];
      assert.equal([cols[0][k], cols[1][k], cols[2][k], cols[3][k], cols[4][k]], [e.source, e.target, e.weight, e.delay_ms, e.synapse_model]);
    }
  }
});

test('bytes per synapse: CSR of static synapses stays within 16 bytes', () => {
  const net = new Network({ seed: 2 });
  const e = net.create('iaf_psc_delta', 1000);
  const i = net.create('iaf_psc_delta', 250);
  net.connect(e, e, { rule: 'fixed_indegree', indegree: 100 });
  net.connect(i, e, { rule: 'fixed_indegree', indegree: 25 });
  const m = 1000 * 125;
  assert.is(net.synapseCount, m);
  // Per synapse: target Uint32 (4) + weight Float64 (8) + delay Uint16 (2); plus one Uint32
  // row pointer per source and one extra per projection.
  const expectedBytes = 14 * m + 4 * (1001 + 251);
  assert.is(net.bytesPerSynapse, expectedBytes / m);
  assert.ok(net.bytesPerSynapse <= 16, `bytes per synapse ${net.bytesPerSynapse}`);
  let counted = 0;
  for (const pr of net.projections) counted += pr.byteLength;
  assert.is(counted, expectedBytes);
});

test.run();
