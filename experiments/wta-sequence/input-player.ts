/**
 * The input channels of the wta-sequence network as an engine population: neuron c of a
 * `wta_input_player` population spikes at step k when its {@link InputSource} lists channel c
 * for step t = k − start, where `start` is the step at which the source was attached (the
 * start of the run). Connected to the WTA population with `sameStep: true`, the spikes reach
 * the tick of the step they are stamped in (spec step 1).
 *
 * The model uses the event-driven timing for one property: its update at step k runs in phase
 * 2 and stamps its spikes k, before the ticks of that step. (A grid device stamps k + 1 from its
 * update at k, so it could never emit at the first step of a run.) It has no inputs; the source
 * is asked for every step, once and in order, while it is attached.
 */
import { defineNeuronModel } from '../../engine/model.js';
import { registerNeuronModel } from '../../engine/registry.js';
import { SimulationError } from '../../engine/errors.js';
import type { Population } from '../../engine/population.js';
import type { InputSource } from './types.js';

/** Registry name of the player model. */
export const INPUT_PLAYER = 'wta_input_player';

interface Attached {
  source: InputSource | null;
  start: number;
}

// Keyed by the population's parameter record, the object its update context carries.
const attached = new WeakMap<object, Attached>();

registerNeuronModel(
  defineNeuronModel({
    name: INPUT_PLAYER,
    doc: 'Input channels of the wta-sequence network: plays an InputSource step by step (spikes stamped at the step they belong to).',
    timing: 'event',
    output: 'spike',
    params: {},
    state: {},
    ports: {},
    prepare: () => null,
    update(ctx) {
      const a = attached.get(ctx.p);
      if (a === undefined || a.source === null) return;
      const ids = a.source.next(ctx.step - a.start);
      const n = ctx.n;
      for (let j = 0; j < ids.length; j++) {
        const c = ids[j];
        if (!(c >= 0 && c < n && Number.isInteger(c))) {
          throw new SimulationError('invalid_value', `input source returned channel ${c} at step ${ctx.step - a.start}; channels run from 0 to ${n - 1}.`);
        }
        ctx.spike(c);
      }
    },
  }),
);

/**
 * Attaches `source` to a player population from network step `start` on (its step 0), or
 * detaches it with null (the channels are then silent).
 */
export function attachInputSource(pop: Population, source: InputSource | null, start: number): void {
  if (pop.model.name !== INPUT_PLAYER) {
    throw new SimulationError('invalid_value', `attachInputSource(): '${pop.name}' is a ${pop.model.name}, not a ${INPUT_PLAYER}.`);
  }
  if (source !== null && source.nInputs !== pop.n) {
    throw new SimulationError('invalid_value', `attachInputSource(): the source has ${source.nInputs} channels, the network ${pop.n}.`);
  }
  attached.set(pop.p, { source, start });
}
