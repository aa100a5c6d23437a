/**
 * Public API of the simulator: build networks, run them, record them.
 * Importing this module registers every built-in neuron and synapse model.
 */
import '../models/index.js';
import '../synapses/index.js';

export { Network, type NetworkOptions, type CreateOptions, type SynapseSpec, type Recorder, type RunStats } from './network.js';
export { Population, PopulationView, type SpikeSink, type ForceSpikesSpec } from './population.js';
export { ProjectionData } from './projection.js';
export { SimulationError, type ErrorCode } from './errors.js';
export { defineNeuronModel, type NeuronModel, type NeuronModelDef, type UpdateContext, type PortSpec, type ForcedSpikes } from './model.js';
export { defineSynapseModel, type SynapseModel, type SynapseModelDef } from './synapse.js';
export { registerNeuronModel, registerSynapseModel, getNeuronModel, getSynapseModel, neuronModelNames, synapseModelNames } from './registry.js';
export { Phase, type PhaseRank } from './kernel.js';
export { RandomStream, RandomStreams } from './rng.js';
export type { ConnectionRule } from './connect.js';
export type { Distribution, ValueSpec, ParamSpec, StateSpec } from './params.js';
export type { PositionSpec } from './spatial.js';
export { SpikeHistory } from './spike-history.js';
export { ENGINE_NAME, ENGINE_VERSION } from './version.js';
export * from '../recorders/index.js';
export { setSpikeTimes, getSpikeTimes, type SpikeTimesOptions } from '../models/spike_generator.js';
export { STDP_EPS } from './spike-history.js';
export type { WeightSink } from './projection.js';
