/**
 * iaf_psc_alpha: leaky integrate-and-fire neuron with alpha-shaped postsynaptic currents,
 * integrated exactly on the grid (Rotter & Diesmann 1999), as NEST's model of the same name:
 *
 *   dV/dt = −(V − E_L)/tau_m + (I_syn_ex + I_syn_in + I_e + I)/C_m,
 *   dI_syn_X/dt = dI_syn_X − I_syn_X/tau_syn_X,   d(dI_syn_X)/dt = −dI_syn_X/tau_syn_X,
 *   dI_syn_X ← dI_syn_X + (e/tau_syn_X)·w at a spike of weight w (pA),
 *
 * so that a spike of weight w gives the current w·(t/tau)·e^{1 − t/tau}, which peaks at w pA
 * at t = tau_syn. Update order per step (NEST's): V advances with the currents of the
 * previous step, then the currents advance and this step's spikes are added, then the
 * threshold is checked, then the current-port input is latched for the next update. While
 * refractory V is clamped at V_reset; the synaptic currents keep evolving.
 *
 * NEST's V_min (lower bound of V, −∞ by default) is not provided.
 */
import { defineNeuronModel } from '../engine/model.js';
import { registerNeuronModel } from '../engine/registry.js';
import { LIF_INTERNAL_STATE, LIF_PARAMS, STDP_TRACE_PARAMS, V_M_STATE, resetBelowThreshold } from './lif-common.js';
import { currentToVoltagePropagator } from './iaf_psc_exp.js';

/**
 * ψ(x) = (1 − e^{−x}(1 + x))/x², with ψ(0) = 1/2. Near 0 the closed form cancels
 * catastrophically, so |x| < 1 uses the Taylor series Σ (−1)^k (k+1)/(k+2)! x^k (21 terms
 * leave a remainder below 1e-19).
 */
function psi(x: number): number {
  if (Math.abs(x) < 1) {
    let sum = 0;
    for (let k = 20; k >= 0; k--) sum = sum * x + SERIES[k];
    return sum;
  }
  return (1 - Math.exp(-x) * (1 + x)) / (x * x);
}

const SERIES = (() => {
  const a = new Float64Array(21);
  let fact = 2; // (k+2)!
  for (let k = 0; k <= 20; k++) {
    a[k] = ((k % 2 === 0 ? 1 : -1) * (k + 1)) / fact;
    fact *= k + 3;
  }
  return a;
})();

/**
 * Response of V (mV) at time h to a unit "dI" (the current starts at 0 with slope 1 pA/ms,
 * I(s) = s·e^{−s/tau_syn}):
 *
 *   (1/C)·∫₀ʰ e^{−(h−s)/tau_m}·s·e^{−s/tau_syn} ds = (h²/C)·e^{−h/tau_m}·ψ(x),
 *   x = h·(1/tau_syn − 1/tau_m).
 *
 * For |x| >= 1 it is evaluated as (h²/C)·(e^{−h/tau_m} − e^{−h/tau_syn}·(1 + x))/x², which
 * cannot overflow for either sign of x; the series covers the nearly singular range.
 */
export function slopeToVoltagePropagator(h: number, tauSyn: number, tauM: number, C: number): number {
  const x = (h * (tauM - tauSyn)) / (tauSyn * tauM);
  if (Math.abs(x) < 1) return ((h * h) / C) * Math.exp(-h / tauM) * psi(x);
  return ((h * h) / C) * ((Math.exp(-h / tauM) - Math.exp(-h / tauSyn) * (1 + x)) / (x * x));
}

export const iaf_psc_alpha = defineNeuronModel({
  name: 'iaf_psc_alpha',
  doc: 'Leaky integrate-and-fire neuron with alpha-shaped postsynaptic currents, exact integration; NEST iaf_psc_alpha.',
  timing: 'grid',
  output: 'spike',
  specialize: true,
  // --- parameters -------------------------------------------------------------------------
  params: {
    ...LIF_PARAMS,
    ...STDP_TRACE_PARAMS,
    tau_syn_ex: { default: 2, unit: 'ms', min: 0, exclusiveMin: true, doc: 'Rise time (time to peak) of the excitatory postsynaptic current.' },
    tau_syn_in: { default: 2, unit: 'ms', min: 0, exclusiveMin: true, doc: 'Rise time (time to peak) of the inhibitory postsynaptic current.' },
  },
  // --- state ------------------------------------------------------------------------------
  state: {
    ...V_M_STATE,
    I_syn_ex: { unit: 'pA', initial: 0, doc: 'Excitatory postsynaptic current.' },
    I_syn_in: { unit: 'pA', initial: 0, doc: 'Inhibitory postsynaptic current (negative for inhibitory weights).' },
    dI_syn_ex: { unit: 'pA/ms', initial: 0, doc: 'Auxiliary variable of the excitatory alpha current.' },
    dI_syn_in: { unit: 'pA/ms', initial: 0, doc: 'Auxiliary variable of the inhibitory alpha current.' },
    ...LIF_INTERNAL_STATE,
  },
  // --- buffers (receptor ports) -----------------------------------------------------------
  ports: {
    ex: { kind: 'spike', sign: 'positive', doc: 'Spikes with weight >= 0 (pA): peak amplitude of the excitatory alpha current.' },
    in: { kind: 'spike', sign: 'negative', doc: 'Spikes with weight < 0 (pA): peak amplitude of the inhibitory alpha current.' },
    currents: { kind: 'current', doc: 'Currents (pA) from devices such as dc_generator.' },
  },
  check: resetBelowThreshold,
  // --- propagators ------------------------------------------------------------------------
  prepare(p, dt, n) {
    const em = new Float64Array(n);
    const r = new Float64Array(n);
    const p11ex = new Float64Array(n); // decay of I and dI over one step
    const p11in = new Float64Array(n);
    const p21ex = new Float64Array(n); // dI → I
    const p21in = new Float64Array(n);
    const p31ex = new Float64Array(n); // dI → V
    const p31in = new Float64Array(n);
    const p32ex = new Float64Array(n); // I → V
    const p32in = new Float64Array(n);
    const initEx = new Float64Array(n); // e/tau_syn: normalises the peak current to the weight
    const initIn = new Float64Array(n);
    const refSteps = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const tm = p.tau_m[i];
      const C = p.C_m[i];
      const te = p.tau_syn_ex[i];
      const ti = p.tau_syn_in[i];
      em[i] = Math.expm1(-dt / tm);
      r[i] = tm / C;
      p11ex[i] = Math.exp(-dt / te);
      p11in[i] = Math.exp(-dt / ti);
      p21ex[i] = dt * p11ex[i];
      p21in[i] = dt * p11in[i];
      p31ex[i] = slopeToVoltagePropagator(dt, te, tm, C);
      p31in[i] = slopeToVoltagePropagator(dt, ti, tm, C);
      p32ex[i] = currentToVoltagePropagator(dt, te, tm, C);
      p32in[i] = currentToVoltagePropagator(dt, ti, tm, C);
      initEx[i] = Math.E / te;
      initIn[i] = Math.E / ti;
      refSteps[i] = Math.round(p.t_ref[i] / dt);
    }
    return { em, r, p11ex, p11in, p21ex, p21in, p31ex, p31in, p32ex, p32in, initEx, initIn, refSteps };
  },
  // --- update -----------------------------------------------------------------------------
  update(ctx) {
    const { n, p, s, c, input } = ctx;
    const V = s.V_m;
    const Iex = s.I_syn_ex;
    const Iinh = s.I_syn_in;
    const dIex = s.dI_syn_ex;
    const dIinh = s.dI_syn_in;
    const refr = s.refr;
    const Iin = s.I_in;
    const { em, r, p11ex, p11in, p21ex, p21in, p31ex, p31in, p32ex, p32in, initEx, initIn, refSteps } = c;
    const EL = p.E_L;
    const Ie = p.I_e;
    const Vth = p.V_th;
    const Vreset = p.V_reset;
    const spEx = input.ex;
    const spIn = input.in;
    const currents = input.currents;
    for (let i = 0; i < n; i++) {
      if (refr[i] === 0) {
        const vInf = EL[i] + (Ie[i] + Iin[i]) * r[i];
        V[i] =
          V[i] + (V[i] - vInf) * em[i] + p31ex[i] * dIex[i] + p32ex[i] * Iex[i] + p31in[i] * dIinh[i] + p32in[i] * Iinh[i];
      } else {
        refr[i]--;
      }
      Iex[i] = p21ex[i] * dIex[i] + p11ex[i] * Iex[i];
      dIex[i] = dIex[i] * p11ex[i] + initEx[i] * spEx[i];
      Iinh[i] = p21in[i] * dIinh[i] + p11in[i] * Iinh[i];
      dIinh[i] = dIinh[i] * p11in[i] + initIn[i] * spIn[i];
      if (V[i] >= Vth[i]) {
        refr[i] = refSteps[i];
        V[i] = Vreset[i];
        ctx.spike(i);
      }
      Iin[i] = currents[i];
    }
  },
});

registerNeuronModel(iaf_psc_alpha);
