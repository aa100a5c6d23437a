/**
 * poisson_generator: a device that sends every target its own, independent Poisson spike
 * train of rate `rate`, as NEST's model of the same name.
 *
 * Activity window (NEST's StimulationDevice for spike emitters): the update at step k is
 * active when origin+start < k·dt ≤ origin+stop, and what it draws is stamped k+1. Spikes
 * therefore carry times in (origin+start+dt, origin+stop+dt]; with a delay of d steps they
 * reach the target's update at step k+d.
 *
 * Per active step and per synapse one Poisson count with mean rate·dt/1000 is drawn and
 * added as count·weight, so two synapses, even onto the same neuron, never share spikes.
 * The trains exist only at the targets: to record one, connect the generator to a
 * parrot_neuron (weight 1) and record the parrot.
 */
import { defineNeuronModel } from '../engine/model.js';
import { registerNeuronModel } from '../engine/registry.js';
import { SimulationError } from '../engine/errors.js';

/** Largest finite double: NEST's stop = +∞ default, since parameters here must be finite. */
const NEVER = Number.MAX_VALUE;

/**
 * Whole number of steps for a device time (start, stop, origin), which NEST requires to be a
 * multiple of the resolution. The tolerance matches Network.toSteps.
 */
export function deviceSteps(ms: number, dt: number, what: string): number {
  if (ms >= NEVER) return Infinity;
  const steps = Math.round(ms / dt);
  if (Math.abs(steps * dt - ms) > 1e-9 * Math.max(1, Math.abs(ms))) {
    throw new SimulationError('invalid_value', `${what} = ${ms} ms is not a multiple of dt = ${dt} ms; use a multiple of dt.`);
  }
  return steps;
}

export const poisson_generator = defineNeuronModel({
  name: 'poisson_generator',
  doc: 'Independent Poisson spike trains, one per outgoing synapse; NEST poisson_generator.',
  timing: 'grid',
  output: 'spike',
  independentTargets: true,
  // --- parameters -------------------------------------------------------------------------
  params: {
    rate: { default: 0, unit: 'Hz', min: 0, doc: 'Mean firing rate of each train.' },
    start: { default: 0, unit: 'ms', min: 0, doc: 'Activation time, relative to origin (exclusive).' },
    stop: { default: NEVER, unit: 'ms', min: 0, doc: 'Deactivation time, relative to origin (inclusive); default: never.' },
    origin: { default: 0, unit: 'ms', min: 0, doc: 'Global offset added to start and stop.' },
  },
  // --- state ------------------------------------------------------------------------------
  state: {},
  // --- buffers (receptor ports) -----------------------------------------------------------
  ports: {},
  check: (p) => (p.stop < p.start ? `stop (${p.stop} ms) must not be before start (${p.start} ms).` : undefined),
  // --- constants --------------------------------------------------------------------------
  prepare(p, dt, n) {
    const lambda = new Float64Array(n); // mean count per step and synapse
    const first = new Float64Array(n); // window as update steps: first < k <= last
    const last = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      lambda[i] = (p.rate[i] * dt) / 1000;
      const origin = deviceSteps(p.origin[i], dt, `poisson_generator origin`);
      first[i] = origin + deviceSteps(p.start[i], dt, `poisson_generator start`);
      last[i] = origin + deviceSteps(p.stop[i], dt, `poisson_generator stop`);
    }
    return { lambda, first, last };
  },
  // --- update -----------------------------------------------------------------------------
  update(ctx) {
    const { n, step: k, c, out, rng } = ctx;
    const { lambda, first, last } = c;
    for (let i = 0; i < n; i++) {
      if (lambda[i] > 0 && k > first[i] && k <= last[i]) out.addPoisson(i, k, lambda[i], rng.uniform);
    }
  },
});

registerNeuronModel(poisson_generator);
