/**
 * Model registries. Built-in models register themselves from models/ and synapses/; users
 * register their own the same way, from outside the package.
 */
import { SimulationError, suggestion } from './errors.js';
import type { NeuronModel } from './model.js';
import type { SynapseModel } from './synapse.js';

const neuronModels = new Map<string, NeuronModel>();
const synapseModels = new Map<string, SynapseModel>();

function checkName(kind: string, name: string, taken: Map<string, unknown>): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new SimulationError('invalid_value', `${kind} name '${name}' is not valid; use letters, digits and underscores.`);
  }
  if (taken.has(name)) {
    throw new SimulationError('invalid_value', `a ${kind} named '${name}' is already registered; choose another name.`);
  }
}

/** Registers a neuron model under its name. */
export function registerNeuronModel(model: NeuronModel): NeuronModel {
  checkName('neuron model', model.name, neuronModels);
  for (const [k, spec] of Object.entries(model.params)) {
    if (!Number.isFinite(spec.default)) throw new SimulationError('invalid_value', `model '${model.name}': default of parameter '${k}' must be finite.`);
  }
  if (model.timing === 'clock' && model.period !== undefined && !(Number.isInteger(model.period) && model.period >= 1)) {
    throw new SimulationError('invalid_value', `model '${model.name}': period must be a whole number of steps >= 1.`);
  }
  if (!model.update && !model.compile) {
    throw new SimulationError('invalid_value', `model '${model.name}' needs an update(ctx) or a compile(ctx) function.`);
  }
  if (model.timing === 'event' && !model.update) {
    throw new SimulationError('invalid_value', `event-driven model '${model.name}' must define update(ctx) (it reads ctx.arrivals each step).`);
  }
  neuronModels.set(model.name, model);
  return model;
}

/** Registers a synapse model under its name. */
export function registerSynapseModel(model: SynapseModel): SynapseModel {
  checkName('synapse model', model.name, synapseModels);
  if (!model.transmit && !model.tickInput && !model.tickEnd) {
    throw new SimulationError('invalid_value', `synapse model '${model.name}' needs transmit() or the per-tick hooks tickInput()/tickEnd().`);
  }
  synapseModels.set(model.name, model);
  return model;
}

/** The neuron model called `name`, or a clear error with the nearest registered name. */
export function getNeuronModel(name: string): NeuronModel {
  const m = neuronModels.get(name);
  if (!m) {
    throw new SimulationError('unknown_model', `unknown neuron model '${name}'.${suggestion(name, [...neuronModels.keys()])}`);
  }
  return m;
}

/** The synapse model called `name`, or a clear error with the nearest registered name. */
export function getSynapseModel(name: string): SynapseModel {
  const m = synapseModels.get(name);
  if (!m) {
    throw new SimulationError('unknown_model', `unknown synapse model '${name}'.${suggestion(name, [...synapseModels.keys()])}`);
  }
  return m;
}

/** Names of all registered neuron models. */
export function neuronModelNames(): string[] {
  return [...neuronModels.keys()];
}

/** Names of all registered synapse models. */
export function synapseModelNames(): string[] {
  return [...synapseModels.keys()];
}
