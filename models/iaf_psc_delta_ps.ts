/**
 * iaf_psc_delta_ps: leaky integrate-and-fire neuron with voltage jumps, simulated
 * event-driven with exact (off-grid) spike times, like NEST's iaf_psc_delta_ps:
 *
 *   dV/dt = −(V − E_L)/tau_m + I_e/C_m,   V ← V + w at an input of weight w (mV).
 *
 * Between events the solution is closed-form, so a neuron is touched only when an input
 * arrives or when its next threshold crossing (kept in the population's agenda) falls into
 * the current step. A crossing caused by an input happens at the input's time; a crossing by
 * drift (when V∞ = E_L + I_e·tau_m/C_m lies above V_th) at
 * t = t0 + tau_m·ln((V0 − V∞)/(V_th − V∞)). After a spike the potential is clamped at
 * V_reset for t_ref and inputs arriving then are discarded.
 *
 * State V_m holds the potential at time t_last (the neuron's last event), not at the current
 * time: event-driven neurons are not advanced between events.
 */
import { defineNeuronModel } from '../engine/model.js';
import { registerNeuronModel } from '../engine/registry.js';
import { LIF_PARAMS, V_M_STATE, resetBelowThreshold } from './lif-common.js';

export const iaf_psc_delta_ps = defineNeuronModel({
  name: 'iaf_psc_delta_ps',
  doc: 'Event-driven leaky integrate-and-fire neuron with voltage jumps and exact off-grid spike times; NEST iaf_psc_delta_ps.',
  timing: 'event',
  output: 'spike',
  specialize: true,
  // --- parameters -------------------------------------------------------------------------
  params: {
    ...LIF_PARAMS,
  },
  // --- state ------------------------------------------------------------------------------
  state: {
    V_m: { unit: 'mV', initial: (p, i) => p.E_L[i], doc: 'Membrane potential at t_last.' },
    t_last: { unit: 'ms', initial: 0, internal: true, doc: 'Time at which V_m is valid (end of refractoriness after a spike).' },
  },
  // --- buffers (receptor ports) -----------------------------------------------------------
  ports: {
    spikes: { kind: 'spike', doc: 'Spikes; the weight (mV) is added to V_m at the exact arrival time.' },
  },
  check: resetBelowThreshold,
  // --- propagators ------------------------------------------------------------------------
  prepare(p, _dt, n) {
    const vInf = new Float64Array(n);
    for (let i = 0; i < n; i++) vInf[i] = p.E_L[i] + (p.I_e[i] * p.tau_m[i]) / p.C_m[i];
    return { vInf };
  },
  // --- update -----------------------------------------------------------------------------
  update(ctx) {
    const { n, p, s, c, dt, arrivals, agenda } = ctx;
    const V = s.V_m;
    const tLast = s.t_last;
    const { vInf } = c;
    const tau = p.tau_m;
    const Vth = p.V_th;
    const Vreset = p.V_reset;
    const tref = p.t_ref;
    const t0 = ctx.step * dt;
    const tEnd = t0 + dt;

    /** Next drift crossing of neuron i after its last event, or Infinity. */
    const crossing = (i: number): number => {
      const vi = vInf[i];
      if (vi <= Vth[i]) return Infinity;
      return tLast[i] + tau[i] * Math.log((V[i] - vi) / (Vth[i] - vi));
    };
    const fire = (i: number, t: number): void => {
      // Offsets stay inside [0, dt) even when rounding puts t a hair outside the step.
      const off = Math.min(Math.max(t - t0, 0), dt * (1 - 1e-12));
      ctx.spike(i, off);
      V[i] = Vreset[i];
      tLast[i] = t + tref[i];
      agenda.set(i, crossing(i));
    };
    if (!agenda.initialized) {
      for (let i = 0; i < n; i++) {
        if (V[i] >= Vth[i]) agenda.set(i, Math.max(tLast[i], t0));
        else agenda.set(i, crossing(i));
      }
      agenda.initialized = true;
    }
    const { count, target, weight, offset } = arrivals;
    for (let a = 0; a < count; a++) {
      const ta = t0 + offset[a];
      // Crossings due before (or at) this input happen first.
      while (agenda.length > 0 && agenda.peekKey() <= ta) fire(agenda.peek(), agenda.peekKey());
      const i = target[a];
      if (ta < tLast[i]) continue; // refractory: the input is discarded
      const vi = vInf[i];
      V[i] = vi + (V[i] - vi) * Math.exp(-(ta - tLast[i]) / tau[i]) + weight[a];
      tLast[i] = ta;
      if (V[i] >= Vth[i]) fire(i, ta);
      else agenda.set(i, crossing(i));
    }
    while (agenda.length > 0 && agenda.peekKey() < tEnd) fire(agenda.peek(), agenda.peekKey());
  },
});

registerNeuronModel(iaf_psc_delta_ps);
