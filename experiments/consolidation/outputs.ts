/**
 * Arrow tables of the consolidation experiment (spec §6): Float64 measures, Int32 counts and
 * indices, Dictionary<Utf8> labels, Bool flags; the parameters go into the schema metadata as
 * JSON and `t` columns are in model time units. Rows keep the order the run produced them in,
 * and nothing host- or time-dependent is written, so the same seed gives the same bytes.
 */
import { join } from 'node:path';
import { ArrowColumnWriter, type ColumnSpec } from '../../recorders/index.js';
import { ENGINE_NAME, ENGINE_VERSION } from '../../engine/version.js';

/** A column of a consolidation table: its Arrow type and, for labels, the fixed values. */
export type Col = { name: string; type: 'float64' | 'int32' | 'bool' } | { name: string; type: 'dictionary'; values: readonly string[] };

/** Writes `rows` (objects keyed by column name) as DIR/<file>.arrow; NaN stays NaN in Float64 columns. */
export async function writeTable(dir: string, file: string, cols: readonly Col[], rows: readonly Record<string, unknown>[], params: object, seed: number): Promise<string> {
  const meta = new Map([
    ['experiment', 'consolidation'],
    ['table', file],
    ['seed', String(seed)],
    ['params', JSON.stringify(params)],
    ['time_unit', 'model'],
    ['engine', ENGINE_NAME],
    ['engine_version', ENGINE_VERSION],
  ]);
  const path = join(dir, `${file}.arrow`);
  const w = new ArrowColumnWriter(cols as readonly ColumnSpec[], meta, path, 65536);
  const values = new Array<number>(cols.length);
  for (const row of rows) {
    cols.forEach((c, k) => {
      const v = row[c.name];
      if (c.type === 'dictionary') {
        const idx = c.values.indexOf(String(v));
        if (idx < 0) throw new Error(`table ${file}: column ${c.name} has no label '${String(v)}' (labels: ${c.values.join(', ')}).`);
        values[k] = idx;
      } else if (c.type === 'bool') values[k] = v ? 1 : 0;
      else values[k] = typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : NaN;
    });
    w.append(values);
  }
  await w.close();
  return path;
}

const f64 = (name: string): Col => ({ name, type: 'float64' });
const i32 = (name: string): Col => ({ name, type: 'int32' });
const dict = (name: string, values: readonly string[]): Col => ({ name, type: 'dictionary', values });

export const STAGES = ['final', 'pre', 'post'] as const;
export const NOISE_LABELS = ['bernoulli', 'balanced', 'gauss', 'gauss1', 'gauss1masked'] as const;

/** Column lists of every table. */
export const TABLES = {
  capacity_summary: (keys: readonly string[]): Col[] =>
    keys.map((k) => (k === 'has_nan' ? { name: k, type: 'bool' as const } : ['z', 'n', 'm', 'epochs_run', 'conv_epoch', 'n_dead', 'n_zero_weights'].includes(k) ? i32(k) : f64(k))),
  capacity_trace: [i32('z'), f64('alpha'), i32('epoch'), dict('phase', ['A', 'B']), f64('error'), f64('l0'), f64('kappa_mean'), f64('rho_mean'), f64('theta_mean'), f64('lq_sum_mean')],
  recall: [i32('z'), f64('alpha'), dict('stage', STAGES), dict('noise_type', NOISE_LABELS), f64('p'), f64('level'), f64('recall_rate'), f64('bit_error0')],
  weight_hist: [i32('z'), f64('alpha'), dict('stage', STAGES), dict('kind', ['alive', 'pruned', 'zero']), f64('bin_lo'), f64('bin_hi'), i32('count')],
  dead_neurons: [i32('z'), f64('alpha'), i32('neuron'), i32('epoch')],
  ws_trace: [dict('stage', ['wake', 'sleep']), i32('step'), f64('l0_mean'), f64('l0_std'), f64('error'), f64('kappa_mean'), f64('rho_mean'), f64('theta_mean'), f64('eta')],
  ws_patterns: [i32('pattern'), { name: 'attractor', type: 'bool' }, f64('radius_pre'), f64('radius_post'), f64('d_radius')] as Col[],
  ws_radius: [i32('pattern'), i32('sleep_step'), f64('radius')],
  ws_prune: [i32('quartile'), f64('w_lo'), f64('w_hi'), i32('n'), f64('frac_pruned')],
  sn_samples: [i32('z'), i32('sample'), f64('t'), i32('synapse'), f64('w')],
  sn_cv: [dict('source', ['sim', 'kaufman']), i32('z'), f64('q'), f64('cv_rank_mean'), f64('cv_rank_std')],
  sn_scaling: [dict('source', ['sim', 'kaufman']), i32('z'), dict('sign', ['ltd', 'ltp']), f64('w'), f64('dw_avg')],
  sn_summary: [dict('source', ['sim', 'kaufman']), i32('z'), f64('qmin_mean'), f64('qmin_std'), f64('slope_ltd'), f64('slope_ltp'), f64('frac_alive_final'), f64('r2_vs_kaufman')],
  sn_population: [i32('z'), i32('sample'), f64('frac_alive'), f64('w_mean'), f64('w_std')],
};
