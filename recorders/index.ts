/** Recorders: spikes, states, weights; and the reader for their files. */
export { SpikeRecorder, recordSpikes, type SpikeRecorderOptions } from './spike-recorder.js';
export { ArrowColumnWriter, DEFAULT_BATCH_SIZE, type ColumnSpec } from './arrow-writer.js';
export { readArrow } from './read.js';
export { recorderMetadata } from './metadata.js';
export { StateRecorder, recordStates, type StateRecorderOptions } from './state-recorder.js';
export { WeightRecorder, recordWeights, type WeightRecorderOptions } from './weight-recorder.js';
