/**
 * Device-side access to a population's outgoing connections. Spiking neurons emit spikes
 * through the kernel; devices whose output is drawn or computed per target (dc_generator's
 * current, poisson_generator's independent trains) write into the targets' ring buffers
 * directly, one pass over the row per step, with no queue entries.
 */
import type { ProjectionData } from './projection.js';
import { poissonInversion, poissonPtrs } from './rng.js';

/** The outgoing projections of one population, with device-level delivery. */
export class OutgoingFanout {
  constructor(readonly projections: ProjectionData[]) {}

  /**
   * Adds `amount`·w to every target of source i, as output of the update from `step`
   * (NEST stamps it step+1, so with delay d it is consumed by the target's update at step+d).
   */
  addScaled(i: number, step: number, amount: number): void {
    for (let q = 0; q < this.projections.length; q++) {
      const pr = this.projections[q];
      pr.addRow(i, pr.slotBase(step + 1, 0), amount);
    }
  }

  /**
   * For every target of source i, draws an independent Poisson count with mean `lambda`
   * and adds count·w (NEST's poisson_generator: one independent train per target).
   */
  addPoisson(i: number, step: number, lambda: number, uniform: () => number): void {
    const expMinus = Math.exp(-lambda);
    for (let q = 0; q < this.projections.length; q++) {
      const pr = this.projections[q];
      const { rowPtr, target, weight, delay, bufPos, bufNeg, ringLength: L, nTarget: n } = pr;
      const b0 = pr.slotBase(step + 1, 0) % L;
      const end = rowPtr[i + 1];
      for (let s = rowPtr[i]; s < end; s++) {
        // Inversion needs exp(−lambda) > 0; above 30 per step the rejection sampler takes over.
        const k = lambda < 30 ? poissonInversion(uniform, lambda, expMinus) : poissonPtrs(uniform, lambda);
        if (k === 0) continue;
        const w = weight[s] * k;
        let slot = b0 + delay[s];
        if (slot >= L) slot -= L;
        const idx = slot * n + target[s];
        if (w >= 0) bufPos[idx] += w;
        else bufNeg[idx] += w;
      }
    }
  }
}
