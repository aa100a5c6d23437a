/** The figures of stsp-working-memory, rendered through the project's vega-lite path. */
import type { TopLevelSpec } from 'vega-lite';
import { writeSvg } from '../plot.js';
import type { CurveRow } from './train.js';
import type { DecodingRow, ShuffleRow } from './analysis.js';

/** Training accuracy and loss against iteration. */
export function trainingCurveSpec(rows: readonly CurveRow[], task: string): TopLevelSpec {
  const values = rows.flatMap((r) => [
    { iteration: r.iteration, measure: 'accuracy', value: r.accuracy },
    { iteration: r.iteration, measure: 'perf loss', value: r.perf_loss },
  ]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `${task}: training batch`,
    width: 420,
    height: 160,
    data: { values },
    mark: { type: 'line', strokeWidth: 1 },
    encoding: {
      x: { field: 'iteration', type: 'quantitative' },
      y: { field: 'value', type: 'quantitative', scale: { type: 'symlog' } },
      color: { field: 'measure', type: 'nominal' },
    },
  };
}

/** Mean decoding accuracy over reps against step, per source (and rule). */
export function decodingSpec(rows: readonly DecodingRow[], task: string): TopLevelSpec {
  const acc = new Map<string, { source: string; rule: number; t: number; s: number; n: number }>();
  for (const r of rows) {
    if (!Number.isFinite(r.accuracy)) continue;
    const key = `${r.source}/${r.rule}/${r.t}`;
    const e = acc.get(key) ?? { source: r.source, rule: r.rule, t: r.t, s: 0, n: 0 };
    e.s += r.accuracy;
    e.n++;
    acc.set(key, e);
  }
  const values = [...acc.values()].map((e) => ({ source: e.source, rule: `rule ${e.rule}`, time_ms: e.t * 10, accuracy: e.s / e.n }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `${task}: sample decoding (test-mode trials)`,
    width: 420,
    height: 160,
    data: { values },
    mark: { type: 'line', point: false },
    encoding: {
      x: { field: 'time_ms', type: 'quantitative', title: 'time (ms)' },
      y: { field: 'accuracy', type: 'quantitative', scale: { domain: [0, 1] } },
      color: { field: 'source', type: 'nominal' },
      strokeDash: { field: 'rule', type: 'nominal' },
    },
  };
}

/** Mean accuracy after restarting at each onset, intact or shuffled. */
export function shuffleSpec(rows: readonly ShuffleRow[], task: string): TopLevelSpec {
  const acc = new Map<string, { set: string; onset: number; kind: string; rule: number; s: number; n: number }>();
  for (const r of rows) {
    if (r.group !== 'all') continue;
    const key = `${r.trial_set}/${r.onset_step}/${r.kind}/${r.rule}`;
    const e = acc.get(key) ?? { set: r.trial_set, onset: r.onset_step, kind: r.kind, rule: r.rule, s: 0, n: 0 };
    e.s += r.accuracy;
    e.n++;
    acc.set(key, e);
  }
  const values = [...acc.values()].map((e) => ({ condition: `${e.set}, onset ${e.onset}, rule ${e.rule}`, kind: e.kind, accuracy: e.s / e.n }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `${task}: shuffling the state across trials`,
    data: { values },
    mark: 'bar',
    encoding: {
      y: { field: 'condition', type: 'nominal', title: null },
      yOffset: { field: 'kind', type: 'nominal' },
      x: { field: 'accuracy', type: 'quantitative', scale: { domain: [0, 1] } },
      color: { field: 'kind', type: 'nominal' },
    },
  };
}

export async function writeTrainingCurveSvg(path: string, rows: readonly CurveRow[], task: string): Promise<void> {
  await writeSvg(path, trainingCurveSpec(rows, task));
}
export async function writeDecodingSvg(path: string, rows: readonly DecodingRow[], task: string): Promise<void> {
  await writeSvg(path, decodingSpec(rows, task));
}
export async function writeShuffleSvg(path: string, rows: readonly ShuffleRow[], task: string): Promise<void> {
  await writeSvg(path, shuffleSpec(rows, task));
}
