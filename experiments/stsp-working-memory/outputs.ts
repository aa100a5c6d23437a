/**
 * The Arrow files of stsp-working-memory (spec §6): string columns Dictionary<Utf8>, time
 * column `t` (Int32 step, schema metadata time_unit = step, dt_ms = 10), no wall times, so
 * the same seed gives the same bytes. Files are small enough to be built in memory and
 * written in one piece.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Bool, Dictionary, Field, FixedSizeList, Float32, Float64, Int8, Int32, RecordBatch, Schema, Struct, Table, Utf8, makeData, tableToIPC, vectorFromArray, type DataType } from 'apache-arrow';
import { ENGINE_NAME, ENGINE_VERSION } from '../../engine/version.js';
import type { CurveRow } from './train.js';
import type { DecodingRow, ResponseRow, ShuffleRow, TuningRow } from './analysis.js';

/** A column: plain numbers, a dictionary of fixed strings, or fixed-size float32 lists. */
export type Column =
  | { name: string; type: 'int8' | 'int32' | 'float32' | 'float64' | 'bool'; values: ArrayLike<number> }
  | { name: string; type: 'dictionary'; dictionary: readonly string[]; values: ArrayLike<number> }
  | { name: string; type: 'list32'; size: number; values: Float32Array };

function columnData(c: Column, position: number): { type: DataType; data: ReturnType<typeof makeData> } {
  switch (c.type) {
    case 'int8': {
      const type = new Int8();
      return { type, data: makeData({ type, length: c.values.length, data: Int8Array.from(c.values) }) };
    }
    case 'int32': {
      const type = new Int32();
      return { type, data: makeData({ type, length: c.values.length, data: Int32Array.from(c.values) }) };
    }
    case 'float32': {
      const type = new Float32();
      return { type, data: makeData({ type, length: c.values.length, data: Float32Array.from(c.values) }) };
    }
    case 'float64': {
      const type = new Float64();
      return { type, data: makeData({ type, length: c.values.length, data: Float64Array.from(c.values) }) };
    }
    case 'bool': {
      const type = new Bool();
      const bits = new Uint8Array(Math.ceil(c.values.length / 8));
      for (let i = 0; i < c.values.length; i++) if (c.values[i]) bits[i >> 3] |= 1 << (i & 7);
      return { type, data: makeData({ type, length: c.values.length, data: bits }) };
    }
    case 'dictionary': {
      // Explicit dictionary id: apache-arrow's process-wide counter would make bytes differ between runs.
      const type = new Dictionary(new Utf8(), new Int32(), position);
      const dict = vectorFromArray([...c.dictionary], new Utf8());
      return { type, data: makeData({ type, length: c.values.length, data: Int32Array.from(c.values), dictionary: dict }) };
    }
    case 'list32': {
      const child = new Field('item', new Float32(), false);
      const type = new FixedSizeList(c.size, child);
      const n = c.values.length / c.size;
      const childData = makeData({ type: new Float32(), length: c.values.length, data: c.values });
      return { type, data: makeData({ type, length: n, child: childData }) };
    }
  }
}

/** Writes a table of columns (equal lengths) as an Arrow IPC file. */
export function writeArrowFile(path: string, columns: Column[], meta: Record<string, string>): void {
  const parts = columns.map((c, k) => ({ c, ...columnData(c, k) }));
  const fields = parts.map((p) => new Field(p.c.name, p.type, false));
  const metadata = new Map<string, string>([['experiment', 'stsp-working-memory'], ['engine', ENGINE_NAME], ['engine_version', ENGINE_VERSION], ...Object.entries(meta)]);
  const schema = new Schema(fields, metadata);
  const length = parts.length > 0 ? parts[0].data.length : 0;
  const batch = new RecordBatch(schema, makeData({ type: new Struct(fields), length, children: parts.map((p) => p.data) }));
  const bytes = tableToIPC(new Table(schema, [batch]), 'file');
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
}

const STEP_META = { time_unit: 'step', dt_ms: '10' };

function dict<T extends string>(values: readonly T[], all: readonly T[]): Int32Array {
  return Int32Array.from(values, (v) => all.indexOf(v));
}

export function writeTrainingCurve(path: string, rows: readonly CurveRow[], seed: number): void {
  const col = (k: keyof CurveRow) => Float64Array.from(rows, (r) => r[k]);
  writeArrowFile(
    path,
    [
      { name: 'iteration', type: 'int32', values: Int32Array.from(rows, (r) => r.iteration) },
      ...(['accuracy', 'accuracy_match', 'accuracy_non_match', 'loss', 'perf_loss', 'spike_loss', 'weight_loss', 'mean_h'] as const).map((k) => ({ name: k, type: 'float64' as const, values: col(k) })),
    ],
    { seed: String(seed) },
  );
}

const SOURCES = ['neuronal', 'synaptic'] as const;
const LABELS = ['sample', 'category'] as const;

export function writeDecoding(path: string, rows: readonly DecodingRow[], seed: number): void {
  writeArrowFile(
    path,
    [
      { name: 'source', type: 'dictionary', dictionary: SOURCES, values: dict(rows.map((r) => r.source), SOURCES) },
      { name: 'label', type: 'dictionary', dictionary: LABELS, values: dict(rows.map((r) => r.label), LABELS) },
      { name: 'rule', type: 'int8', values: rows.map((r) => r.rule) },
      { name: 'rep', type: 'int32', values: rows.map((r) => r.rep) },
      { name: 't', type: 'int32', values: rows.map((r) => r.t) },
      { name: 'accuracy', type: 'float64', values: rows.map((r) => r.accuracy) },
    ],
    { ...STEP_META, seed: String(seed) },
  );
}

const SETS = ['standard', 'test_mode'] as const;
const GROUPS = ['all', 'exc_fac', 'exc_dep', 'inh_fac', 'inh_dep'] as const;
const KINDS = ['none', 'neural', 'synaptic'] as const;

export function writeShuffle(path: string, rows: readonly ShuffleRow[], seed: number): void {
  writeArrowFile(
    path,
    [
      { name: 'trial_set', type: 'dictionary', dictionary: SETS, values: dict(rows.map((r) => r.trial_set), SETS) },
      { name: 'group', type: 'dictionary', dictionary: GROUPS, values: dict(rows.map((r) => r.group), GROUPS) },
      { name: 'kind', type: 'dictionary', dictionary: KINDS, values: dict(rows.map((r) => r.kind), KINDS) },
      { name: 'rule', type: 'int8', values: rows.map((r) => r.rule) },
      { name: 'onset_step', type: 'int32', values: rows.map((r) => r.onset_step) },
      { name: 'rep', type: 'int32', values: rows.map((r) => r.rep) },
      { name: 'accuracy', type: 'float64', values: rows.map((r) => r.accuracy) },
    ],
    { ...STEP_META, seed: String(seed) },
  );
}

export function writeTuning(path: string, rows: readonly TuningRow[], seed: number): void {
  writeArrowFile(
    path,
    [
      { name: 'source', type: 'dictionary', dictionary: SOURCES, values: dict(rows.map((r) => r.source), SOURCES) },
      { name: 'unit', type: 'int32', values: rows.map((r) => r.unit) },
      { name: 'rule', type: 'int8', values: rows.map((r) => r.rule) },
      { name: 't', type: 'int32', values: rows.map((r) => r.t) },
      { name: 'pev', type: 'float64', values: rows.map((r) => r.pev) },
      { name: 'pref_dir_rad', type: 'float64', values: rows.map((r) => r.pref_dir_rad) },
    ],
    { ...STEP_META, seed: String(seed) },
  );
}

export function writeResponseMatrix(path: string, rows: readonly ResponseRow[], seed: number): void {
  writeArrowFile(
    path,
    [
      { name: 'silenced_unit', type: 'int32', values: rows.map((r) => r.silenced_unit) },
      { name: 'unit', type: 'int32', values: rows.map((r) => r.unit) },
      { name: 'sample', type: 'int8', values: rows.map((r) => r.sample) },
      { name: 'test', type: 'int8', values: rows.map((r) => r.test) },
      { name: 'mean_rate', type: 'float32', values: rows.map((r) => r.mean_rate) },
    ],
    { seed: String(seed) },
  );
}

/** state_trace.arrow: one row per (trial, step) with h, x, u and the logits. */
export function writeStateTrace(path: string, d: { T: number; B: number; N: number; nOut: number; h: ArrayLike<number>; x: ArrayLike<number>; u: ArrayLike<number>; y: ArrayLike<number>; sample: ArrayLike<number>; test: ArrayLike<number>; match: ArrayLike<number> }, seed: number): void {
  const { T, B, N, nOut } = d;
  const rows = T * B;
  const trial = new Int32Array(rows);
  const t = new Int32Array(rows);
  const sample = new Int8Array(rows);
  const test = new Int8Array(rows);
  const match = new Uint8Array(rows);
  const h = new Float32Array(rows * N);
  const x = new Float32Array(rows * N);
  const u = new Float32Array(rows * N);
  const y = new Float32Array(rows * nOut);
  let r = 0;
  for (let b = 0; b < B; b++) {
    for (let k = 0; k < T; k++, r++) {
      trial[r] = b;
      t[r] = k;
      sample[r] = d.sample[b];
      test[r] = d.test[b];
      match[r] = d.match[b];
      const src = ((k + 1) * B + b) * N;
      for (let i = 0; i < N; i++) {
        h[r * N + i] = d.h[src + i];
        x[r * N + i] = d.x[src + i];
        u[r * N + i] = d.u[src + i];
      }
      for (let o = 0; o < nOut; o++) y[r * nOut + o] = d.y[(k * B + b) * nOut + o];
    }
  }
  writeArrowFile(
    path,
    [
      { name: 'trial', type: 'int32', values: trial },
      { name: 't', type: 'int32', values: t },
      { name: 'sample', type: 'int8', values: sample },
      { name: 'test', type: 'int8', values: test },
      { name: 'match', type: 'bool', values: match },
      { name: 'h', type: 'list32', size: N, values: h },
      { name: 'syn_x', type: 'list32', size: N, values: x },
      { name: 'syn_u', type: 'list32', size: N, values: u },
      { name: 'y', type: 'list32', size: nOut, values: y },
    ],
    { ...STEP_META, seed: String(seed) },
  );
}
