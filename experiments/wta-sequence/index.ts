/** The wta-sequence experiment (Klampfl & Maass 2013): `spikeflow run wta-sequence`. */
import { join } from 'node:path';
import type { Experiment } from '../experiment.js';
import { wtaOptions } from './options.js';
import { runWta, type WtaResult } from './run.js';
import { writeFigures } from './figures.js';
import { writeSummary } from '../experiment.js';

export const wtaSequence: Experiment<typeof wtaOptions, WtaResult> = {
  name: 'wta-sequence',
  description: 'Klampfl & Maass 2013: stochastic WTA circuits on a grid learn assemblies for a frozen input pattern (train, then test)',
  options: wtaOptions,
  defaultSeed: 13521,
  run: runWta,
  async plot(r, o, out) {
    const files = await writeFigures(r.main, out);
    if (r.control) {
      // The control writes its own files, summary included, into DIR/control.
      const dir = join(out, 'control');
      writeSummary(dir, r.control.seed, { ...o, varianceTracking: false }, {
        summary: { ...r.control.summary, train_wallclock_s: r.control.trainWallclockS },
        wall_time_s: r.wall_time_s,
      });
      await writeFigures(r.control, dir);
      files.push('control/');
    }
    return files;
  },
};
