/**
 * static_synapse: fixed weight and delay (NEST's static_synapse). A presynaptic spike adds
 * weight × multiplicity to the target's input for the step given by the delay.
 */
import { defineSynapseModel } from '../engine/synapse.js';
import { registerSynapseModel } from '../engine/registry.js';
import { uniformWeight } from '../engine/projection.js';

export const static_synapse = defineSynapseModel({
  name: 'static_synapse',
  doc: 'Synapse with constant weight and delay.',
  params: {},
  // The weights are fixed, so whether they are all equal is known once: the common case of one
  // weight per connect() call then fans out without reading the weight array.
  init: (proj) => ({ weight: uniformWeight(proj) }),
  transmit(proj, state, row, stamp, offset, mult) {
    if (proj.inbox === null && state.weight === state.weight) proj.addRowUniform(row, proj.slotBase(stamp, offset), state.weight * mult);
    else proj.deliver(row, stamp, offset, mult);
  },
});

registerSynapseModel(static_synapse);
