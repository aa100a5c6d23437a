/**
 * dc_generator: a device that injects a constant current (pA) into its targets' current
 * ports, NEST's dc_generator. Each target receives amplitude × connection weight.
 *
 * Activity follows NEST's rule for current-emitting devices: the update at step k emits iff
 * t_min < k + 2 <= t_max, with t_min = (origin + start)/dt and t_max = (origin + stop)/dt in
 * steps. The current emitted in update k reaches a target over a delay of d steps in ring
 * slot k + d; NEST's neurons latch it there and integrate it in the update k+d+1 → k+d+2.
 * So with start = 0 and a delay of dt, update 0 emits, the target latches in update 1 and
 * integrates from update 2 on: V(dt) and V(2·dt) are still at rest and V(3·dt) is the first
 * sample that moved (NEST's reference values).
 *
 * `stop` has no infinite default because parameter values must be finite: the default
 * 1e300 ms means "never stops".
 */
import { defineNeuronModel } from '../engine/model.js';
import { registerNeuronModel } from '../engine/registry.js';
import { SimulationError } from '../engine/errors.js';

/** Default of `stop`: far beyond any run, standing for NEST's +∞. */
export const DC_NEVER_STOPS = 1e300;

export const dc_generator = defineNeuronModel({
  name: 'dc_generator',
  doc: 'Device injecting a constant current into the current port of its targets, active for start < t <= stop; NEST dc_generator.',
  timing: 'grid',
  output: 'current',
  specialize: true,
  params: {
    amplitude: { default: 0, unit: 'pA', doc: 'Amplitude of the current.' },
    start: { default: 0, unit: 'ms', min: 0, doc: 'Activation time, relative to origin (on the dt grid).' },
    stop: { default: DC_NEVER_STOPS, unit: 'ms', doc: 'Deactivation time, relative to origin (on the dt grid); the default means never.' },
    origin: { default: 0, unit: 'ms', min: 0, doc: 'Global offset added to start and stop (on the dt grid).' },
  },
  state: {
    I: { unit: 'pA', initial: 0, doc: 'Current emitted in the last update (0 while inactive).' },
  },
  ports: {},
  check: (p) => (p.stop < p.start ? `stop (${p.stop} ms) must be >= start (${p.start} ms).` : undefined),
  prepare(p, dt, n) {
    const tMin = new Float64Array(n);
    const tMax = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      tMin[i] = gridSteps(p.origin[i] + p.start[i], dt, 'origin + start', i);
      const stop = p.stop[i];
      tMax[i] = stop >= DC_NEVER_STOPS ? Infinity : gridSteps(p.origin[i] + stop, dt, 'origin + stop', i);
    }
    return { tMin, tMax };
  },
  update(ctx) {
    const { n, p, s, c, step } = ctx;
    const amp = p.amplitude;
    const I = s.I;
    const { tMin, tMax } = c;
    const k2 = step + 2;
    for (let i = 0; i < n; i++) {
      if (tMin[i] < k2 && k2 <= tMax[i]) {
        I[i] = amp[i];
        ctx.out.addScaled(i, step, amp[i]);
      } else {
        I[i] = 0;
      }
    }
  },
});

/** Whole number of steps in `ms`, which must lie on the dt grid (NEST refuses off-grid device times). */
function gridSteps(ms: number, dt: number, what: string, i: number): number {
  const steps = Math.round(ms / dt);
  if (Math.abs(steps * dt - ms) > 1e-9 * Math.max(1, Math.abs(ms))) {
    throw new SimulationError('invalid_value', `dc_generator ${i}: ${what} = ${ms} ms is not a multiple of dt = ${dt} ms; use times on the grid.`);
  }
  return steps;
}

registerNeuronModel(dc_generator);
