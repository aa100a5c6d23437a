/**
 * The Arrow files of the striatum-dms experiment (spec §5). Rows come in N_p block order,
 * then simulation index, then test/iteration order; batch sizes are fixed and no host or
 * clock data is written, so the same options and seed give the same bytes whatever the
 * worker count.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Bool, Field, Int32, List, Schema, Table, makeData, RecordBatch, Struct, tableToIPC } from 'apache-arrow';
import { ArrowColumnWriter, type ColumnSpec } from '../../recorders/index.js';
import { ENGINE_NAME, ENGINE_VERSION } from '../../engine/version.js';
import { writeSummary } from '../experiment.js';
import type { DmsRunResult } from './run.js';

const BATCH = 65536;
const TEST_PHASES = ['initial', 'learning', 'maintenance', 'recall', 'final'] as const;
const TRAIN_PHASES = ['initial', 'learning', 'maintenance', 'recall'] as const;
const SNAPSHOTS = ['start', 'end_initial', 'end_learning', 'end_maintenance', 'end_recall', 'test'] as const;

function metadata(r: DmsRunResult): Map<string, string> {
  return new Map([
    ['experiment', 'striatum-dms'],
    ['seed', String(r.seed)],
    ['dt_ms', String(r.options.dt)],
    ['engine', ENGINE_NAME],
    ['engine_version', ENGINE_VERSION],
  ]);
}

const i32 = (name: string): ColumnSpec => ({ name, type: 'int32' });
const f64 = (name: string): ColumnSpec => ({ name, type: 'float64' });

/** Writes test_accuracy, test_accuracy_mean, weights, patterns and training .arrow into `out`; returns the file names. */
export async function writeDmsArrow(r: DmsRunResult, out: string): Promise<string[]> {
  mkdirSync(out, { recursive: true });
  const meta = metadata(r);
  const open = (file: string, cols: ColumnSpec[]) => new ArrowColumnWriter(cols, meta, join(out, file), BATCH);
  const phaseIdx = (p: string) => TEST_PHASES.indexOf(p as (typeof TEST_PHASES)[number]);

  const acc = open('test_accuracy.arrow', [
    i32('n_pattern'), i32('sim'), i32('seed'), i32('test_index'), i32('iteration'),
    { name: 'phase', type: 'dictionary', values: TEST_PHASES },
    f64('accuracy'), { name: 'success', type: 'bool' }, f64('mean_weight'), f64('norm_weight_diff'), f64('d2'), f64('scalar_prod_center'), f64('cosine_sim_center'),
  ]);
  for (const b of r.blocks) {
    b.results.forEach((res, s) => {
      res.tests.forEach((t, j) => {
        const sim = b.similarity[s][j];
        let mw = 0;
        for (let i = 0; i < t.weights.length; i++) mw += t.weights[i];
        mw = t.weights.length > 0 ? mw / t.weights.length : 0;
        acc.append([b.nPattern, s, res.seed, t.testIndex, t.iteration, phaseIdx(t.phase), t.accuracy, t.success ? 1 : 0, mw, sim.normWeightDiff, sim.d2, sim.scalarProdCenter, sim.cosineSimCenter]);
      });
    });
  }
  await acc.close();

  const mean = open('test_accuracy_mean.arrow', [
    i32('n_pattern'), i32('test_index'), i32('iteration'), { name: 'phase', type: 'dictionary', values: TEST_PHASES }, f64('mean'), f64('std'), i32('n'),
  ]);
  for (const b of r.blocks) {
    for (let j = 0; j < r.schedule.iteration.length; j++) {
      mean.append([b.nPattern, j, r.schedule.iteration[j], phaseIdx(r.schedule.phase[j]), b.analysis.mean[j], b.analysis.std[j], b.results.length]);
    }
  }
  await mean.close();

  const weights = open('weights.arrow', [
    i32('n_pattern'), i32('sim'), { name: 'snapshot', type: 'dictionary', values: SNAPSHOTS }, i32('test_index'), i32('iteration'), i32('input'), f64('weight'),
  ]);
  for (const b of r.blocks) {
    b.results.forEach((res, s) => {
      for (const snap of res.snapshots) {
        const k = SNAPSHOTS.indexOf(snap.snapshot);
        for (let i = 0; i < snap.weights.length; i++) weights.append([b.nPattern, s, k, -1, snap.iteration, i, snap.weights[i]]);
      }
      const kTest = SNAPSHOTS.indexOf('test');
      for (const t of res.tests) {
        for (let i = 0; i < t.weights.length; i++) weights.append([b.nPattern, s, kTest, t.testIndex, t.iteration, i, t.weights[i]]);
      }
    });
  }
  await weights.close();

  const training = open('training.arrow', [
    i32('n_pattern'), i32('sim'), i32('iteration'), { name: 'phase', type: 'dictionary', values: TRAIN_PHASES }, i32('pattern'), { name: 'presented', type: 'bool' }, i32('msn_spikes'), f64('accuracy'),
  ]);
  for (const b of r.blocks) {
    b.results.forEach((res, s) => {
      const t = res.training;
      for (let i = 0; i < t.iteration.length; i++) training.append([b.nPattern, s, t.iteration[i], t.phase[i], t.pattern[i], t.presented[i], t.msnSpikes[i], t.accuracy[i]]);
    });
  }
  await training.close();

  writeFileSync(join(out, 'patterns.arrow'), patternsIpc(r, meta));
  const files = ['test_accuracy.arrow', 'test_accuracy_mean.arrow', 'weights.arrow', 'patterns.arrow', 'training.arrow'];
  // --plot: V and spikes of the last trial of each phase, one file per simulation.
  for (const b of r.blocks) {
    if (b.traces === undefined) continue;
    for (const [s, tr] of b.traces.entries()) {
      const file = `traces_${b.nPattern}_${s}.arrow`;
      const w = open(file, [{ name: 'phase', type: 'dictionary', values: TRAIN_PHASES }, i32('step'), f64('t_ms'), f64('v'), { name: 'spike', type: 'bool' }]);
      for (let i = 0; i < tr.step.length; i++) w.append([tr.phase[i], tr.step[i], tr.step[i] * r.options.dt, tr.V[i], tr.spike[i]]);
      await w.close();
      files.push(file);
    }
  }
  return files;
}

/**
 * patterns.arrow as one Arrow IPC file: the List<Int32> `inputs` column is built directly
 * (offsets + values), which the fixed-width column writer does not cover; the table is small.
 */
export function patternsIpc(r: DmsRunResult, meta: Map<string, string>): Uint8Array {
  const nP: number[] = [];
  const sim: number[] = [];
  const set: number[] = [];
  const pat: number[] = [];
  const rewarded: number[] = [];
  const offsets: number[] = [0];
  const values: number[] = [];
  for (const b of r.blocks) {
    b.results.forEach((res, s) => {
      for (const p of res.patterns) {
        nP.push(b.nPattern);
        sim.push(s);
        set.push(p.set);
        pat.push(p.pattern);
        rewarded.push(p.rewarded ? 1 : 0);
        values.push(...p.inputs);
        offsets.push(values.length);
      }
    });
  }
  const n = nP.length;
  const item = new Field('item', new Int32(), false);
  const listType = new List(item);
  const fields = [
    new Field('n_pattern', new Int32(), false),
    new Field('sim', new Int32(), false),
    new Field('set', new Int32(), false),
    new Field('pattern', new Int32(), false),
    new Field('inputs', listType, false),
    new Field('rewarded', new Bool(), false),
  ];
  const schema = new Schema(fields, new Map(meta));
  const bits = new Uint8Array(Math.ceil(n / 8));
  for (let i = 0; i < n; i++) if (rewarded[i]) bits[i >> 3] |= 1 << (i & 7);
  const int = (xs: number[]) => makeData({ type: new Int32(), length: xs.length, data: Int32Array.from(xs) });
  const children = [
    int(nP),
    int(sim),
    int(set),
    int(pat),
    makeData({ type: listType, length: n, valueOffsets: Int32Array.from(offsets), child: int(values) }),
    makeData({ type: new Bool(), length: n, data: bits }),
  ];
  const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: n, children }));
  return tableToIPC(new Table(schema, [batch]), 'file');
}

/** Writes summary.json (spec §5; NaN as null). */
export function writeDmsSummary(r: DmsRunResult, out: string): string {
  return writeSummary(out, r.seed, r.params, r);
}
