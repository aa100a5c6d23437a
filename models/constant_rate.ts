/**
 * constant_rate: a clock-driven source whose rate r is a fixed value (default 1). Per-tick
 * synapses from it turn their weights into a learnable bias of the target (the b of a rate
 * network, treated as weights from a constant-1 input).
 */
import { defineNeuronModel } from '../engine/model.js';
import { registerNeuronModel } from '../engine/registry.js';

export const constant_rate = defineNeuronModel({
  name: 'constant_rate',
  doc: 'Clock-driven source with a constant rate; its per-tick synapses act as a bias of their targets.',
  timing: 'clock',
  period: 1,
  output: 'current',
  params: {
    rate: { default: 1, unit: '1', doc: 'The constant rate.' },
  },
  state: {
    r: { unit: '1', initial: (p, i) => p.rate[i], doc: 'The rate (equal to the parameter).' },
  },
  ports: {},
  prepare: () => null,
  update(ctx) {
    const { n, p, s } = ctx;
    for (let i = 0; i < n; i++) s.r[i] = p.rate[i];
  },
});

registerNeuronModel(constant_rate);
