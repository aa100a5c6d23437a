/**
 * static_synapse: fixed weight and delay (NEST's static_synapse). A presynaptic spike adds
 * weight × multiplicity to the target's input for the step given by the delay.
 */
import { defineSynapseModel } from '../engine/synapse.js';
import { registerSynapseModel } from '../engine/registry.js';

export const static_synapse = defineSynapseModel({
  name: 'static_synapse',
  doc: 'Synapse with constant weight and delay.',
  params: {},
  init: () => null,
  transmit(proj, _state, row, stamp, offset, mult) {
    proj.deliver(row, stamp, offset, mult);
  },
});

registerSynapseModel(static_synapse);
