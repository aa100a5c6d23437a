/**
 * The Arrow tables of the normative-plasticity experiment (spec §6). Time columns are in model
 * time units (metadata time_unit = model, dt = 0.01). No host or wall-clock data is written,
 * so the same seed gives the same bytes.
 */
import { join } from 'node:path';
import { ArrowColumnWriter, type ColumnSpec } from '../../recorders/index.js';
import { ENGINE_NAME, ENGINE_VERSION } from '../../engine/version.js';
import type { NetParams } from './params.js';
import type { Analysis, TestSummary } from './analysis.js';
import { SUMMARY_KEYS } from './analysis.js';
import type { TrainTrialStats } from './observers.js';
import { testRecordColumns } from './observers.js';

const BATCH = 65536;

function writer(dir: string | null, file: string, columns: readonly ColumnSpec[], seed: number, p: NetParams): ArrowColumnWriter {
  const meta = new Map([
    ['experiment', 'normative-plasticity'],
    ['objective', p.objective],
    ['seed', String(seed)],
    ['time_unit', 'model'],
    ['dt', String(p.dt)],
    ['engine', ENGINE_NAME],
    ['engine_version', ENGINE_VERSION],
  ]);
  return new ArrowColumnWriter(columns, meta, dir === null ? null : join(dir, `${file}.arrow`), BATCH);
}

const i32 = (name: string): ColumnSpec => ({ name, type: 'int32' });
const f64 = (name: string): ColumnSpec => ({ name, type: 'float64' });

/** The table of every test record, streamed while the final test runs. */
export function testRecordsWriter(dir: string | null, seed: number, p: NetParams): ArrowColumnWriter {
  return writer(dir, 'test_records', testRecordColumns(p.N, p.target_dim) as unknown as ColumnSpec[], seed, p);
}

/** Writes the tables of a finished run (everything except test_records) and closes them. */
export async function writeTables(
  dir: string,
  seed: number,
  p: NetParams,
  train: TrainTrialStats[],
  analysis: Analysis | null,
  interim: { after_trial: number; summary: TestSummary }[],
  summary: TestSummary | null,
): Promise<string[]> {
  const files: string[] = [];
  const tt = writer(dir, 'train_trials', [i32('trial'), i32('phase'), f64('mean_alpha'), f64('mean_alpha_after_transient'), f64('norm_W'), f64('norm_C'), f64('norm_b'), f64('norm_D')], seed, p);
  for (const s of train) tt.append([s.trial, s.phase, s.mean_alpha, s.mean_alpha_after_transient, s.norm_W, s.norm_C, s.norm_b, s.norm_D]);
  await tt.close();
  files.push('train_trials.arrow');
  const tb = writer(dir, 'train_alpha_blocks', [i32('trial'), i32('block'), f64('t'), f64('mean_alpha')], seed, p);
  for (const s of train) {
    const blockTime = p.T / s.block_alpha.length;
    for (let b = 0; b < s.block_alpha.length; b++) tb.append([s.trial, b, b * blockTime, s.block_alpha[b]]);
  }
  await tb.close();
  files.push('train_alpha_blocks.arrow');
  if (analysis !== null) {
    const tu = writer(dir, 'tuning', [i32('angle_index'), f64('theta'), i32('neuron'), f64('mean_rate'), f64('std_rate'), i32('n')], seed, p);
    for (const r of analysis.tuning) tu.append([r.angle_index, r.theta, r.neuron, r.mean_rate, r.std_rate, r.n]);
    await tu.close();
    const cols = ['theta', 'prior_pdf', 'n_records', 'sq_error', 'log_lik', 'accuracy', 'bias_norm', 'output_var_trace', 'det_output_cov', 'decoded_angle', 'pop_mean_rate', 'fisher_pop', 'fisher_readout', 'noise_frac_decoder'] as const;
    const pa = writer(dir, 'per_angle', [i32('angle_index'), ...cols.map(f64)], seed, p);
    for (const r of analysis.perAngle) pa.append([r.angle_index, ...cols.map((c) => r[c])]);
    await pa.close();
    const ne = writer(dir, 'neurons', [i32('neuron'), i32('preferred_index'), f64('preferred_theta'), f64('peak_rate'), { name: 'within_half_pi', type: 'bool' }], seed, p);
    for (const r of analysis.neurons) ne.append([r.neuron, r.preferred_index, r.preferred_theta, r.peak_rate, r.within_half_pi ? 1 : 0]);
    await ne.close();
    files.push('tuning.arrow', 'per_angle.arrow', 'neurons.arrow');
  }
  const it = writer(dir, 'interim_tests', [i32('after_trial'), ...SUMMARY_KEYS.map(f64)], seed, p);
  for (const r of interim) it.append([r.after_trial, ...SUMMARY_KEYS.map((k) => r.summary[k])]);
  await it.close();
  files.push('interim_tests.arrow');
  if (summary !== null) {
    const sm = writer(dir, 'summary', [{ name: 'key', type: 'dictionary', values: SUMMARY_KEYS }, f64('value')], seed, p);
    SUMMARY_KEYS.forEach((k, q) => sm.append([q, summary[k]]));
    await sm.close();
    files.push('summary.arrow');
  }
  return files;
}
