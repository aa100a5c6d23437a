/** The normative-plasticity experiment (Bredenberg, Simoncelli & Savin 2020): `spikeflow run normative-plasticity`. */
import { join } from 'node:path';
import type { Experiment } from '../experiment.js';
import { normativeOptions } from './options.js';
import { runNormative, type NormativeResult } from './run.js';
import { writePlots } from './plots.js';

export const normativePlasticity: Experiment<typeof normativeOptions, NormativeResult> = {
  name: 'normative-plasticity',
  description: 'Bredenberg et al. 2020: a stochastic rate network learns a circular stimulus with a reward-gated three-factor rule (estimation or classification)',
  options: normativeOptions,
  defaultSeed: 120994,
  run: runNormative,
  async plot(r, o, out) {
    if (!o.plots) return [];
    const dir = join(out, r.params.objective);
    const files = await writePlots(dir, r.params, r.train, r.analysis);
    return files.map((f) => `${r.params.objective}/${f}`);
  },
};
