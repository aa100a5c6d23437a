/** The consolidation experiment (Iatropoulos, Gerstner & Brea 2024): `spikeflow run consolidation`. */
import type { Experiment } from '../experiment.js';
import { consolidationOptions } from './options.js';
import { runConsolidation, type ConsolidationResult } from './run.js';
import { writeFigures } from './plots.js';

export const consolidation: Experiment<typeof consolidationOptions, ConsolidationResult> = {
  name: 'consolidation',
  description: 'Iatropoulos et al. 2024: two-factor synaptic consolidation in binary attractor networks (capacity, wake-sleep, synaptic noise)',
  options: consolidationOptions,
  defaultSeed: 100,
  run: runConsolidation,
  plot: (r, _o, out) => writeFigures(r, out),
};

export { runCapacity, runWakeSleep, runSynapticNoise, runConsolidation } from './run.js';
export { recallCurve, tol50 } from './recall.js';
export { cvRankQmin, dwScalingSlope } from './sde-analysis.js';
