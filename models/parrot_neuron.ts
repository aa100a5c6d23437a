/**
 * parrot_neuron: repeats every incoming spike as a spike of its own, as NEST's model of the
 * same name. A spike stamped s that reaches the parrot over a delay of d steps is repeated
 * with stamp s+d (the update at s+d−1 consumes it and emits it), with its multiplicity:
 * n spikes arriving in one step leave as one spike of multiplicity n, which the spike
 * recorder writes as n rows, as NEST does.
 *
 * Weights: NEST ignores the weight of connections into a parrot. Here the ring buffer holds
 * weight × multiplicity, so connections into a parrot must have weight 1 (the default); any
 * input that is not a whole number of spikes is refused with an error instead of being
 * rounded silently. The usual use is poisson_generator → parrot_neuron, which turns the
 * generator's per-target trains into trains that can be recorded and shared.
 *
 * tau_minus is there, as on every NEST archiving neuron, so a parrot can be the postsynaptic
 * side of an stdp_synapse.
 */
import { defineNeuronModel } from '../engine/model.js';
import { registerNeuronModel } from '../engine/registry.js';
import { SimulationError } from '../engine/errors.js';

export const parrot_neuron = defineNeuronModel({
  name: 'parrot_neuron',
  doc: 'Repeats every incoming spike (with its multiplicity) after the connection delay; NEST parrot_neuron.',
  timing: 'grid',
  output: 'spike',
  // --- parameters -------------------------------------------------------------------------
  params: {
    tau_minus: { default: 20, unit: 'ms', min: 0, exclusiveMin: true, doc: 'Time constant of the post-synaptic STDP trace.' },
  },
  // --- state ------------------------------------------------------------------------------
  state: {},
  // --- buffers (receptor ports) -----------------------------------------------------------
  ports: {
    spikes: { kind: 'spike', doc: 'Spikes to repeat; weight × multiplicity must be a whole number (use weight 1).' },
  },
  // --- constants --------------------------------------------------------------------------
  prepare: () => null,
  // --- update -----------------------------------------------------------------------------
  update(ctx) {
    const { n, input } = ctx;
    const spikes = input.spikes;
    for (let i = 0; i < n; i++) {
      const x = spikes[i];
      if (x === 0) continue;
      const count = Math.round(x);
      // Sums of whole weights are exact in doubles; anything else means weights other than 1.
      if (count < 0 || Math.abs(x - count) > 1e-9 * Math.max(1, count)) {
        throw new SimulationError(
          'invalid_connection',
          `parrot_neuron neuron ${i} received ${x} spikes at step ${ctx.step}: a parrot counts weight × multiplicity, so connections into it must have weight 1 (NEST ignores these weights).`,
        );
      }
      if (count > 0) ctx.spike(i, 0, count);
    }
  },
});

registerNeuronModel(parrot_neuron);
