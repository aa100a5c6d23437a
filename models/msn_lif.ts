/**
 * msn_lif: the medium spiny neuron of Perez et al. (Cell Reports 2022), "MSN_Yim": a
 * clock-driven Euler LIF ticking every step. Its input port `drive` holds J(n), the weighted
 * presynaptic spikes of step n − 1 (delta synapses with a one-step delay; per-tick synapses
 * such as striatal_stdp add into it before the tick). The tick at step n:
 *
 *   Ṽ = V(n−1) + (dt/τ_m)(E_L − V(n−1)) + R·J(n)      (= the original's (dt/τ_m)(E_L − V + R·I), I = (τ_m/dt)·J)
 *   if ρ ≤ t_ref: Ṽ = E_r                              (reset step: its input is lost)
 *   ρ ← ρ + dt
 *   spike iff Ṽ > V_th (strict); then ρ = 0 and V(n) = V_th, else V(n) = Ṽ.
 *
 * With the defaults (τ_m = 200/12.5, R = 1000/12.5) a spike of weight w moves V by 80·w mV one
 * step later, and from rest a volley fires iff Σw > 0.4375. ρ starts at Number.MAX_VALUE, the
 * finite stand-in for ∞ (no reset step before the first spike; MAX_VALUE + dt stays
 * MAX_VALUE). Writing the drive as R·J keeps threshold cases exact: from rest, Σw = 0.4375
 * gives exactly −45 mV, which does not fire.
 */
import { defineNeuronModel, uniformMask } from '../engine/model.js';
import { registerNeuronModel } from '../engine/registry.js';

export const msn_lif = defineNeuronModel({
  name: 'msn_lif',
  doc: 'Euler LIF medium spiny neuron of Perez et al. 2022 (MSN_Yim), clock-driven: one-step delta input, reset step that discards input, strict threshold, stored V = V_th on a spike.',
  timing: 'clock',
  period: 1,
  output: 'spike',
  params: {
    tau_m: { default: 200 / 12.5, unit: 'ms', min: 0, exclusiveMin: true, doc: 'Membrane time constant.' },
    R: { default: 1000 / 12.5, unit: 'mV', doc: 'Gain: voltage jump per unit of input weight.' },
    E_L: { default: -80, unit: 'mV', doc: 'Resting potential.' },
    E_r: { default: -80, unit: 'mV', doc: 'Reset potential (held during reset steps).' },
    V_th: { default: -45, unit: 'mV', doc: 'Threshold (strict: V > V_th fires).' },
    t_ref: { default: 0, unit: 'ms', min: 0, doc: 'Refractory window Δ_abs: steps with ρ ≤ t_ref are reset steps.' },
  },
  state: {
    V_m: { unit: 'mV', initial: (p, i) => p.E_L[i], doc: 'Membrane potential (V_th in the step of a spike).' },
    rho: { unit: 'ms', initial: Number.MAX_VALUE, doc: 'Time since the last spike (Number.MAX_VALUE, standing for ∞, before the first).' },
  },
  ports: { drive: { kind: 'spike', doc: 'Weighted presynaptic spikes J of the previous step.' } },
  prepare(p, dt) {
    return { dt, mask: uniformMask(p) };
  },
  update(ctx) {
    const { n, p, s, input, c } = ctx;
    const { dt, mask } = c;
    const V = s.V_m;
    const rho = s.rho;
    const J = input.drive;
    for (let i = 0; i < n; i++) {
      const j = i & mask;
      const El = p.E_L[j];
      const v = V[i];
      let vt = v + (dt / p.tau_m[j]) * (El - v) + p.R[j] * J[i];
      if (rho[i] <= p.t_ref[j]) vt = p.E_r[j];
      rho[i] += dt;
      if (vt > p.V_th[j]) {
        rho[i] = 0;
        V[i] = p.V_th[j];
        ctx.spike(i);
      } else {
        V[i] = vt;
      }
    }
  },
});

registerNeuronModel(msn_lif);
