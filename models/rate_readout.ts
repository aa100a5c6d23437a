/**
 * rate_readout: the task readout of a rate network, one unit per output dimension. It holds
 * what a readout synapse model (synapses/delta_rule_readout.ts) computes after each tick of
 * the network: the output o_j, the target and the task objective α_j; its own tick does
 * nothing, it only gives that synapse model a clock-driven target whose ticks it follows.
 */
import { defineNeuronModel } from '../engine/model.js';
import { registerNeuronModel } from '../engine/registry.js';

export const rate_readout = defineNeuronModel({
  name: 'rate_readout',
  doc: 'Readout units of a rate network: output, target and objective written by a readout synapse model each step.',
  timing: 'clock',
  period: 1,
  output: 'none',
  params: {},
  state: {
    o: { unit: '1', initial: 0, doc: 'Output o_j of this dimension (from the unclipped rates).' },
    u: { unit: '1', initial: 0, doc: 'Linear part (D r̃_j) of the output.' },
    target: { unit: '1', initial: 0, doc: 'Target of this dimension at step j.' },
    alpha: { unit: '1', initial: 0, doc: 'Objective α_j from the unclipped rates (the same in every unit).' },
  },
  ports: {
    drive: { kind: 'current', doc: 'Unused: the readout synapse model writes the state directly.' },
  },
  prepare: () => null,
  update() {},
});

registerNeuronModel(rate_readout);
