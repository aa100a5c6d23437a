/** Figures of the CUBA demo. */
import { join } from 'node:path';
import { writeSvg, rasterSpec, rateHistogramSpec } from '../plot.js';
import type { CubaResult } from './run.js';
import type { CubaOptions } from './options.js';

/** raster.svg (first neurons) and rates.svg (rate histogram). */
export async function plotCuba(r: CubaResult, o: CubaOptions, out: string): Promise<string[]> {
  await writeSvg(join(out, 'raster.svg'), rasterSpec(r.ids, r.times, { title: `CUBA network: spikes of neurons 0-${o.rasterNeurons - 1}`, maxNeurons: o.rasterNeurons }));
  await writeSvg(join(out, 'rates.svg'), rateHistogramSpec(r.rates, 'CUBA network: firing rates'));
  return ['raster.svg', 'rates.svg'];
}
