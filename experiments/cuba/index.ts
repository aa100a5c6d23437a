/** The CUBA demo as an experiment: `spikeflow run cuba` (and `npm start` with no arguments). */
import type { Experiment } from '../experiment.js';
import { cubaOptions } from './options.js';
import { runCuba, type CubaResult } from './run.js';
import { plotCuba } from './plots.js';

export const cuba: Experiment<typeof cubaOptions, CubaResult> = {
  name: 'cuba',
  description: 'Vogels-Abbott CUBA network (4000 LIF neurons, exponential currents): spikes to Arrow, raster and rate plots',
  options: cubaOptions,
  run: runCuba,
  plot: plotCuba,
};
