/** Writes the figures of a finished wta-sequence run (spec §5). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gridVisualization3dSvg, gridVisualizationSvg, rasterSvg } from './plots.js';
import type { ProtocolResult } from './run.js';
import { RUNS } from './outputs.js';

/** raster_<run>.svg for every run, grid_visualization.svg and grid_visualization_3d.svg. */
export async function writeFigures(p: ProtocolResult, out: string): Promise<string[]> {
  mkdirSync(out, { recursive: true });
  const files: string[] = [];
  for (const run of RUNS) {
    const r = p.runs[run];
    const title =
      run === 'train'
        ? `Training, last ${r.steps / 1000} s (from ${r.windowStart / 1000} s): neurons ordered by activation time in test A`
        : `Test '${run}': neurons ordered by activation time in test A`;
    const svg = await rasterSvg({
      spikeSteps: r.spikes.steps,
      neuronIds: r.spikes.ids,
      order: p.order,
      inputSteps: r.inputs.steps,
      inputChannels: r.inputs.channels,
      inputKinds: r.inputs.kinds,
      phases: r.phases,
      title,
      tMs: r.steps,
    });
    writeFileSync(join(out, `raster_${run}.svg`), svg);
    files.push(`raster_${run}.svg`);
  }
  writeFileSync(join(out, 'grid_visualization.svg'), await gridVisualizationSvg({ gridShape: p.gridShape, wtaSizes: p.wtaSizes }));
  writeFileSync(join(out, 'grid_visualization_3d.svg'), await gridVisualization3dSvg({ gridShape: p.gridShape, wtaSizes: p.wtaSizes }));
  files.push('grid_visualization.svg', 'grid_visualization_3d.svg');
  return files;
}
