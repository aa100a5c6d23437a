/** The striatum-dms experiment (Perez et al. 2022): `spikeflow run striatum-dms`. */
import { writeDmsArrow, writeDmsSummary } from './outputs.js';
import { writeDmsPlots } from './plots.js';
import type { DmsRunResult } from './run.js';

export { runStriatumDms, dmsConfig, type DmsRunResult, type DmsBlock } from './run.js';
export { resolveDmsOptions, type DmsOptions } from './options.js';
export { writeDmsArrow, writeDmsSummary } from './outputs.js';
export { writeDmsPlots } from './plots.js';

/** Writes every output of a run into `out` (Arrow files, summary.json, SVGs); returns the file names. */
export async function writeDmsOutputs(r: DmsRunResult, out: string): Promise<string[]> {
  const files = await writeDmsArrow(r, out);
  writeDmsSummary(r, out);
  files.push('summary.json', ...(await writeDmsPlots(r, out)));
  return files;
}
