/**
 * Files the engine writes must read back identically with apache-arrow (the library that
 * wrote them) and with @uwdata/flechette, an independent implementation of the Arrow IPC
 * format: same columns, same types, bit-identical values, same schema metadata, in both the
 * IPC file form (after close) and the IPC stream form (after flush, before close).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC as arrowFromIPC, tableToIPC, type Table as ArrowTable } from 'apache-arrow';
import { tableFromIPC as flechetteFromIPC, Type, Precision, type Table as FlechetteTable } from '@uwdata/flechette';
import { Network, recordSpikes, recordStates, readArrow } from '../engine/index.js';
import { tempDir } from './helpers.js';

/** Column kinds the engine writes. */
type Kind = 'uint32' | 'float64' | 'dict-utf8';

/** A network with two named populations, a spike recorder (with population column), a state recorder. */
function build(dir: string) {
  const net = new Network({ dt: 0.1, seed: 77 });
  const E = net.create('iaf_psc_delta', 80, { I_e: { distribution: 'uniform', low: 340, high: 480 } }, { name: 'exc' });
  const I = net.create('iaf_psc_delta', 20, { I_e: { distribution: 'uniform', low: 340, high: 480 } }, { name: 'inh' });
  net.connect(E, E, { rule: 'fixed_indegree', indegree: 8 }, { weight: 0.5, delay: { distribution: 'uniform', low: 0.5, high: 2 } });
  net.connect(E, I, { rule: 'fixed_indegree', indegree: 8 }, { weight: 0.5, delay: 1 });
  net.connect(I, E, { rule: 'fixed_indegree', indegree: 4 }, { weight: -2, delay: 1.2 });
  const spikes = recordSpikes(net, [E, I], { path: join(dir, 'spikes.arrow'), populationColumn: true, batchSize: 100 });
  const states = recordStates(net, [E.slice(0, 3), I.slice(18)], { variables: ['V_m', 'refr'], interval: 0.5, path: join(dir, 'states.arrow'), batchSize: 250 });
  return { net, spikes, states };
}

function arrowKind(t: ArrowTable, name: string): Kind {
  const f = t.schema.fields.find((x) => x.name === name)!;
  const ty = f.type as { typeId: number; bitWidth?: number; isSigned?: boolean; precision?: number; dictionary?: { typeId: number } };
  if (ty.typeId === 2 && ty.bitWidth === 32 && ty.isSigned === false) return 'uint32';
  if (ty.typeId === 3 && ty.precision === 2) return 'float64';
  if (ty.typeId === -1 && ty.dictionary?.typeId === 5) return 'dict-utf8';
  throw new Error(`apache-arrow: column ${name} has an unexpected type ${String(f.type)}`);
}

function flechetteKind(t: FlechetteTable, name: string): Kind {
  const f = t.schema.fields.find((x) => x.name === name)!;
  const ty = f.type as { typeId: number; bitWidth?: number; signed?: boolean; precision?: number; dictionary?: { typeId: number } };
  if (ty.typeId === Type.Int && ty.bitWidth === 32 && ty.signed === false) return 'uint32';
  if (ty.typeId === Type.Float && ty.precision === Precision.DOUBLE) return 'float64';
  if (ty.typeId === Type.Dictionary && ty.dictionary?.typeId === Type.Utf8) return 'dict-utf8';
  throw new Error(`flechette: column ${name} has an unexpected type ${JSON.stringify(f.type)}`);
}

/**
 * Reads `bytes` with both libraries and checks they agree on everything; returns the
 * apache-arrow table for further checks.
 */
function bothReaders(bytes: Uint8Array, what: string, expect: { columns: [string, Kind][]; metadataKeys: string[] }): ArrowTable {
  const a = arrowFromIPC(bytes);
  const f = flechetteFromIPC(bytes);
  assert.equal(a.schema.fields.map((x) => x.name), expect.columns.map((c) => c[0]), `${what}: apache-arrow columns`);
  assert.equal(f.schema.fields.map((x) => x.name), expect.columns.map((c) => c[0]), `${what}: flechette columns`);
  assert.is(f.numRows, a.numRows, `${what}: row count`);
  assert.ok(a.numRows > 0, `${what}: no rows`);
  for (const [name, kind] of expect.columns) {
    assert.is(arrowKind(a, name), kind, `${what}: apache-arrow type of ${name}`);
    assert.is(flechetteKind(f, name), kind, `${what}: flechette type of ${name}`);
    const av = a.getChild(name)!;
    const fv = f.getChild(name);
    if (kind === 'dict-utf8') {
      assert.equal(Array.from(fv), Array.from(av), `${what}: values of ${name}`);
    } else {
      const x = av.toArray() as Uint32Array | Float64Array;
      const y = fv.toArray() as Uint32Array | Float64Array;
      assert.is(y.constructor, x.constructor, `${what}: array type of ${name}`);
      // Bit-identical: compare the bytes, so NaN payloads and −0 count too.
      assert.ok(Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength)), `${what}: values of ${name}`);
    }
  }
  const am = Object.fromEntries(a.schema.metadata);
  const fm = Object.fromEntries(f.schema.metadata ?? new Map());
  assert.equal(fm, am, `${what}: schema metadata`);
  for (const key of expect.metadataKeys) assert.ok(typeof am[key] === 'string' && am[key].length > 0, `${what}: metadata key ${key}`);
  return a;
}

const RECORDER_KEYS = ['dt_ms', 'seed', 'engine', 'engine_version', 'sorting', 'units', 'populations'];
const SPIKE_COLUMNS: [string, Kind][] = [
  ['node_id', 'uint32'],
  ['time_ms', 'float64'],
  ['population', 'dict-utf8'],
];
const STATE_COLUMNS: [string, Kind][] = [
  ['time_ms', 'float64'],
  ['node_id', 'uint32'],
  ['V_m', 'float64'],
  ['refr', 'float64'],
];

test('recorder files: stream form after flush and file form after close read the same with apache-arrow and flechette', async () => {
  const dir = await tempDir();
  const { net, spikes, states } = build(dir);
  net.simulate(150);
  spikes.flush();
  states.flush();
  // Stream form: no end-of-stream marker yet, a short last batch from the flush.
  const sStream = readFileSync(join(dir, 'spikes.arrow'));
  const vStream = readFileSync(join(dir, 'states.arrow'));
  assert.is.not(sStream.subarray(0, 6).toString('latin1'), 'ARROW1');
  const sa = bothReaders(sStream, 'spikes (stream)', { columns: SPIKE_COLUMNS, metadataKeys: RECORDER_KEYS });
  const va = bothReaders(vStream, 'states (stream)', { columns: STATE_COLUMNS, metadataKeys: [...RECORDER_KEYS, 'interval_ms'] });
  assert.is(sa.numRows, spikes.count);
  assert.is(va.numRows, states.count);
  assert.ok(sa.batches.length >= 3, 'spike stream should hold several batches');
  net.simulate(50);
  await net.close();
  const sFile = readFileSync(join(dir, 'spikes.arrow'));
  const vFile = readFileSync(join(dir, 'states.arrow'));
  assert.is(sFile.subarray(0, 6).toString('latin1'), 'ARROW1');
  const sf = bothReaders(sFile, 'spikes (file)', { columns: SPIKE_COLUMNS, metadataKeys: RECORDER_KEYS });
  const vf = bothReaders(vFile, 'states (file)', { columns: STATE_COLUMNS, metadataKeys: [...RECORDER_KEYS, 'interval_ms'] });
  // The closed file continues the stream that was read before.
  assert.ok(sf.numRows > sa.numRows && vf.numRows > va.numRows);
  const prefix = (t: ArrowTable, name: string, n: number) => Array.from(t.getChild(name)!.toArray() as ArrayLike<number>).slice(0, n);
  assert.equal(prefix(sf, 'time_ms', sa.numRows), prefix(sa, 'time_ms', sa.numRows));
  assert.equal(prefix(vf, 'V_m', va.numRows), prefix(va, 'V_m', va.numRows));
  // The metadata says what the files hold.
  const m = sf.schema.metadata;
  assert.is(m.get('sorting'), 'by_time');
  assert.is(m.get('units'), 'ms');
  assert.is(m.get('dt_ms'), '0.1');
  assert.is(m.get('seed'), '77');
  assert.equal(JSON.parse(m.get('populations')!), [
    { name: 'exc', first_id: 0, count: 80 },
    { name: 'inh', first_id: 80, count: 20 },
  ]);
  // Dictionary column: each node's population name, as the flechette reader decodes it too.
  const ids = sf.getChild('node_id')!.toArray() as Uint32Array;
  const popNames = Array.from(flechetteFromIPC(sFile).getChild('population')) as string[];
  assert.ok(popNames.includes('exc') && popNames.includes('inh'));
  for (let r = 0; r < ids.length; r++) assert.is(popNames[r], ids[r] < 80 ? 'exc' : 'inh');
  // And the project's own reader agrees with both.
  const own = readArrow(join(dir, 'states.arrow'));
  assert.equal(Array.from(own.getChild('refr')!.toArray() as Float64Array), Array.from(vf.getChild('refr')!.toArray() as Float64Array));
  assert.equal(JSON.parse(vf.schema.metadata.get('variable_units')!), { V_m: 'mV', refr: 'steps' });
});

test('getConnections() written with tableToIPC (file and stream) reads the same with both libraries', async () => {
  const dir = await tempDir();
  const { net } = build(dir);
  const conns = net.getConnections();
  assert.is(conns.numRows, 80 * 8 + 20 * 8 + 80 * 4);
  for (const format of ['file', 'stream'] as const) {
    const bytes = tableToIPC(conns, format);
    const path = join(dir, `connections.${format}.arrow`);
    writeFileSync(path, bytes);
    const a = bothReaders(readFileSync(path), `connections (${format})`, {
      columns: [
        ['source', 'uint32'],
        ['target', 'uint32'],
        ['weight', 'float64'],
        ['delay_ms', 'float64'],
        ['synapse_model', 'dict-utf8'],
      ],
      metadataKeys: ['dt_ms', 'engine', 'engine_version'],
    });
    assert.equal(Array.from(flechetteFromIPC(bytes).getChild('synapse_model')).slice(0, 3), ['static_synapse', 'static_synapse', 'static_synapse']);
    // Weights as given at connect(): 0.5 from exc, −2 from inh.
    const src = a.getChild('source')!.toArray() as Uint32Array;
    const w = a.getChild('weight')!.toArray() as Float64Array;
    for (let r = 0; r < src.length; r++) assert.is(w[r], src[r] < 80 ? 0.5 : -2);
  }
  await net.close();
});

test('a recorder that got no rows still closes to a valid file with its schema and metadata', async () => {
  const dir = await tempDir();
  const net = new Network({ dt: 0.1, seed: 9 });
  const quiet = net.create('iaf_psc_delta', 5, {}, { name: 'quiet' });
  const path = join(dir, 'none.arrow');
  recordSpikes(net, quiet, { path, populationColumn: true });
  net.simulate(20);
  await net.close();
  const bytes = readFileSync(path);
  assert.is(bytes.subarray(0, 6).toString('latin1'), 'ARROW1');
  const a = arrowFromIPC(bytes);
  const f = flechetteFromIPC(bytes);
  const own = readArrow(path);
  for (const t of [a, f, own]) {
    assert.is(t.numRows, 0);
    assert.equal(t.schema.fields.map((x) => x.name), ['node_id', 'time_ms', 'population']);
    assert.is(t.schema.metadata?.get('populations'), JSON.stringify([{ name: 'quiet', first_id: 0, count: 5 }]));
  }
  assert.is(flechetteKind(f, 'population'), 'dict-utf8');
});

test.run();
