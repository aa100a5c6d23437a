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
import { LIF_INTERNAL_STATE, LIF_PARAMS, STDP_TRACE_PARAMS, V_M_STATE, resetBelowThreshold } from './lif-common.js';

export const iaf_psc_delta = defineNeuronModel({
  name: 'iaf_psc_delta',
  doc: 'Leaky integrate-and-fire neuron with delta-shaped postsynaptic potentials (voltage jumps); NEST iaf_psc_delta.',
  timing: 'grid',
  output: 'spike',
  specialize: true,
  // --- parameters -------------------------------------------------------------------------
  params: {
    ...LIF_PARAMS,
    ...STDP_TRACE_PARAMS,
  },
  // --- state ------------------------------------------------------------------------------
  state: {
    ...V_M_STATE,
    ...LIF_INTERNAL_STATE,
  },
  // --- buffers (receptor ports) -----------------------------------------------------------
  ports: {
    spikes: { kind: 'spike', doc: 'Spikes; the weight (mV) is added to V_m.' },
    currents: { kind: 'current', doc: 'Currents (pA) from devices such as dc_generator.' },
  },
  check: resetBelowThreshold,
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
