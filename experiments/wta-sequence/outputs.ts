/**
 * The Arrow files of the wta-sequence experiment, with the experiment's own schemas (spec §5):
 * `run` is Dictionary<Utf8>, `time_ms` an Int32 count of whole milliseconds from the start of
 * the run. Rows come in run order, then time, then neuron (or channel; pre then post for
 * weights). Batch sizes are fixed and no wall-clock or host data is written, so the same seed
 * gives the same bytes.
 */
import { join } from 'node:path';
import { ArrowColumnWriter, type ColumnSpec } from '../../recorders/index.js';
import { ENGINE_NAME, ENGINE_VERSION } from '../../engine/version.js';

/** The runs of one protocol, in the order they are written. */
export const RUNS = ['before', 'train', 'test_a', 'test_b'] as const;
export type RunName = (typeof RUNS)[number];

const BATCH = 65536;

function writer(out: string | null, file: string, columns: ColumnSpec[], seed: number): ArrowColumnWriter {
  const meta = new Map([
    ['experiment', 'wta-sequence'],
    ['seed', String(seed)],
    ['dt_ms', '1'],
    ['time_unit', 'ms'],
    ['engine', ENGINE_NAME],
    ['engine_version', ENGINE_VERSION],
  ]);
  return new ArrowColumnWriter(columns, meta, out === null ? null : join(out, file), BATCH);
}

const RUN: ColumnSpec = { name: 'run', type: 'dictionary', values: RUNS };

/** All files of one protocol run (in memory when `out` is null). */
export class WtaFiles {
  readonly spikes: ArrowColumnWriter;
  readonly inputs: ArrowColumnWriter;
  readonly phases: ArrowColumnWriter;
  readonly weights: ArrowColumnWriter;
  readonly state: ArrowColumnWriter | null;

  constructor(out: string | null, seed: number, recordState: boolean) {
    this.spikes = writer(out, 'spikes.arrow', [RUN, { name: 'time_ms', type: 'int32' }, { name: 'neuron', type: 'int32' }, { name: 'wta', type: 'int16' }], seed);
    this.inputs = writer(out, 'input_spikes.arrow', [RUN, { name: 'time_ms', type: 'int32' }, { name: 'channel', type: 'int16' }, { name: 'kind', type: 'int8' }], seed);
    this.phases = writer(
      out,
      'phases.arrow',
      [RUN, { name: 'start_ms', type: 'int32' }, { name: 'end_ms', type: 'int32' }, { name: 'pattern_id', type: 'int16' }, { name: 'sequence_id', type: 'int16' }],
      seed,
    );
    this.weights = writer(
      out,
      'weights.arrow',
      [
        RUN,
        { name: 'time_ms', type: 'int32' },
        { name: 'pre', type: 'int32' },
        { name: 'post', type: 'int32' },
        { name: 'is_input', type: 'bool' },
        { name: 'w', type: 'float64' },
        { name: 'S', type: 'float64' },
        { name: 'Q', type: 'float64' },
      ],
      seed,
    );
    this.state = recordState
      ? writer(out, 'state.arrow', [RUN, { name: 'time_ms', type: 'int32' }, { name: 'neuron', type: 'int32' }, { name: 'u', type: 'float64' }, { name: 'rate_fraction', type: 'float64' }], seed)
      : null;
  }

  /** Index of a run name in the `run` dictionary. */
  static runKey(run: RunName): number {
    return RUNS.indexOf(run);
  }

  /** Closes every file (rewriting each stream as an Arrow IPC file). */
  async close(): Promise<void> {
    for (const w of [this.spikes, this.inputs, this.phases, this.weights, this.state]) if (w) await w.close();
  }
}
