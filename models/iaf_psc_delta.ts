/**
 * iaf_psc_delta: leaky integrate-and-fire neuron whose input spikes make the membrane
 * potential jump by the synaptic weight (mV). Exact integration on the grid, as NEST's
 * model of the same name (Rotter & Diesmann 1999):
 *
 *   dV/dt = −(V − E_L)/tau_m + (I_e + I)/C_m,   V ← V + w at a spike of weight w.
 *
 * While refractory the potential is clamped at V_reset and arriving spikes are discarded
 * (NEST's default refractory_input = false). A current arriving in step k is latched and acts
 * from the update k+1 → k+2.
 */
import { defineNeuronModel } from '../engine/model.js';
import { registerNeuronModel } from '../engine/registry.js';

export const iaf_psc_delta = defineNeuronModel({
  name: 'iaf_psc_delta',
  doc: 'Leaky integrate-and-fire neuron with delta-shaped postsynaptic potentials (voltage jumps); NEST iaf_psc_delta.',
  timing: 'grid',
  output: 'spike',
  specialize: true,
  // --- parameters -------------------------------------------------------------------------
  params: {
    E_L: { default: -70, unit: 'mV', doc: 'Resting membrane potential.' },
    C_m: { default: 250, unit: 'pF', min: 0, exclusiveMin: true, doc: 'Membrane capacitance.' },
    tau_m: { default: 10, unit: 'ms', min: 0, exclusiveMin: true, doc: 'Membrane time constant.' },
    t_ref: { default: 2, unit: 'ms', min: 0, doc: 'Duration of the refractory period.' },
    V_th: { default: -55, unit: 'mV', doc: 'Spike threshold.' },
    V_reset: { default: -70, unit: 'mV', doc: 'Reset potential.' },
    I_e: { default: 0, unit: 'pA', doc: 'Constant external input current.' },
    tau_minus: { default: 20, unit: 'ms', min: 0, exclusiveMin: true, doc: 'Time constant of the post-synaptic STDP trace.' },
  },
  // --- state ------------------------------------------------------------------------------
  state: {
    V_m: { unit: 'mV', initial: (p, i) => p.E_L[i], doc: 'Membrane potential.' },
    refr: { unit: 'steps', initial: 0, internal: true, doc: 'Refractory steps left.' },
    I_in: { unit: 'pA', initial: 0, internal: true, doc: 'Current from the current port, latched for the next update.' },
  },
  // --- buffers (receptor ports) -----------------------------------------------------------
  ports: {
    spikes: { kind: 'spike', doc: 'Spikes; the weight (mV) is added to V_m.' },
    currents: { kind: 'current', doc: 'Currents (pA) from devices such as dc_generator.' },
  },
  check: (p) => (p.V_reset >= p.V_th ? `V_reset (${p.V_reset} mV) must be below V_th (${p.V_th} mV).` : undefined),
  // --- propagators ------------------------------------------------------------------------
  prepare(p, dt, n) {
    const em = new Float64Array(n); // expm1(−dt/tau_m): the increment form keeps 1e-13 accuracy at tiny dt
    const r = new Float64Array(n); // tau_m / C_m, the membrane resistance
    const refSteps = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      em[i] = Math.expm1(-dt / p.tau_m[i]);
      r[i] = p.tau_m[i] / p.C_m[i];
      refSteps[i] = Math.round(p.t_ref[i] / dt);
    }
    return { em, r, refSteps };
  },
  // --- update -----------------------------------------------------------------------------
  update(ctx) {
    const { n, p, s, c, input } = ctx;
    const V = s.V_m;
    const refr = s.refr;
    const Iin = s.I_in;
    const { em, r, refSteps } = c;
    const EL = p.E_L;
    const Ie = p.I_e;
    const Vth = p.V_th;
    const Vreset = p.V_reset;
    const spikes = input.spikes;
    const currents = input.currents;
    for (let i = 0; i < n; i++) {
      if (refr[i] === 0) {
        const vInf = EL[i] + (Ie[i] + Iin[i]) * r[i];
        V[i] = V[i] + (V[i] - vInf) * em[i] + spikes[i];
      } else {
        refr[i]--;
      }
      if (V[i] >= Vth[i]) {
        refr[i] = refSteps[i];
        V[i] = Vreset[i];
        ctx.spike(i);
      }
      Iin[i] = currents[i];
    }
  },
});

registerNeuronModel(iaf_psc_delta);
