/**
 * The stsp-working-memory experiment (Masse et al. 2019): `spikeflow run|train|analyze|simulate
 * stsp-working-memory`. The commands live in run.ts, their flags in options.ts.
 */
export { trainOptions, analyzeOptions, simulateOptions, parametersOf } from './options.js';
export { trainCommand, analyzeCommand, simulateCommand, analyzeModel } from './run.js';
export { updateParameters, TASKS } from './parameters.js';
export { generateTrial } from './stimulus.js';
export { train } from './train.js';
export const name = 'stsp-working-memory';
