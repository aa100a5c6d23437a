/**
 * The benchmark networks of spec section 9, built on a given Network. They are shared by
 * the benchmarks (bench/run.ts) and the CUBA demo (experiments/cuba), so the demo runs
 * exactly what is measured.
 */
import type { Network, Population } from '../engine/index.js';

/** Sizes of the Vogels-Abbott network. */
export const VA = { n: 4000, nE: 3200, p: 0.02 } as const;

/**
 * Refractory period of the Brian2 variants. Brian2 stamps a spike with the start of the step
 * whose update crossed the threshold and holds the potential while t − lastspike < 5 ms, i.e.
 * for 49 updates at dt = 0.1 ms; NEST's t_ref counts whole updates after the spike, so 4.9 ms
 * gives the same 49. (With 5 ms the COBA rate drops by about 0.6 Hz.)
 */
const BRIAN2_T_REF = 4.9;

/** A built benchmark network: its populations and what to record. */
export interface BuiltNetwork {
  /** Every neuron, in one population or several. */
  populations: Population[];
  /** Number of neurons. */
  n: number;
}

/**
 * Vogels-Abbott CUBA (Brian2's CUBA example): iaf_psc_exp with E_L = −49 mV (above
 * threshold), exponential currents (tau_e 5 ms, tau_i 10 ms). Brian2 writes the currents in
 * voltage units (jumps of 1.62 and −9 mV in dv/dt = (ge + gi − (v − E_L))/tau_m); with
 * dV/dt = −(V − E_L)/tau_m + I/C_m the same input is I = ge·C_m/tau_m, so the weights in pA
 * are the jumps times C_m/tau_m = 12.5 pF/ms.
 */
export function buildCuba(net: Network): BuiltNetwork {
  const tauM = 20;
  const cm = 250;
  const scale = cm / tauM;
  const pop = net.create(
    'iaf_psc_exp',
    VA.n,
    {
      E_L: -49,
      V_th: -50,
      V_reset: -60,
      tau_m: tauM,
      C_m: cm,
      t_ref: BRIAN2_T_REF,
      tau_syn_ex: 5,
      tau_syn_in: 10,
      V_m: { distribution: 'uniform', low: -60, high: -50 },
    },
    { name: 'cuba' },
  );
  wireVogelsAbbott(net, pop, 1.62 * scale, -9 * scale);
  return { populations: [pop], n: VA.n };
}

/**
 * Vogels-Abbott COBA (the Brian2 variant): iaf_cond_exp integrated with forward Euler at dt
 * as the Brian2 script does, conductances in units of g_L (we 0.6, wi 6.7), E_L −60 mV,
 * constant drive 20 mV (I_e = 20 mV·g_L), V0 ~ N(−55, 5) mV. With C_m = 200 pF and
 * tau_m = 20 ms, g_L = 10 nS.
 */
export function buildCoba(net: Network): BuiltNetwork {
  const gL = 10;
  const pop = net.create(
    'iaf_cond_exp',
    VA.n,
    {
      E_L: -60,
      V_th: -50,
      V_reset: -60,
      C_m: 200,
      g_L: gL,
      t_ref: BRIAN2_T_REF,
      E_ex: 0,
      E_in: -80,
      tau_syn_ex: 5,
      tau_syn_in: 10,
      I_e: 20 * gL,
      integrator: 1,
      V_m: { distribution: 'normal', mean: -55, std: 5 },
    },
    { name: 'coba' },
  );
  wireVogelsAbbott(net, pop, 0.6 * gL, -6.7 * gL);
  return { populations: [pop], n: VA.n };
}

/**
 * Brette et al. 2007 benchmark 4: event-driven integrate-and-fire with voltage jumps
 * (0.25 mV excitatory, −2.25 mV inhibitory), E_L −49 mV, off-grid spike times.
 */
export function buildBrette4(net: Network): BuiltNetwork {
  const pop = net.create(
    'iaf_psc_delta_ps',
    VA.n,
    {
      E_L: -49,
      V_th: -50,
      V_reset: -60,
      tau_m: 20,
      t_ref: 5,
      V_m: { distribution: 'uniform', low: -60, high: -50 },
    },
    { name: 'brette4' },
  );
  wireVogelsAbbott(net, pop, 0.25, -2.25);
  return { populations: [pop], n: VA.n };
}

/** Pairwise Bernoulli p = 0.02 without autapses, E rows first, delay = dt. */
function wireVogelsAbbott(net: Network, pop: Population, we: number, wi: number): void {
  const exc = pop.slice(0, VA.nE);
  const inh = pop.slice(VA.nE);
  const rule = { rule: 'pairwise_bernoulli', p: VA.p, allow_autapses: false } as const;
  net.connect(exc, pop, rule, { weight: we, delay: net.dt, name: 'E' });
  net.connect(inh, pop, rule, { weight: wi, delay: net.dt, name: 'I' });
}

/** Parameters of NEST's brunel_delta_nest example. */
export const BRUNEL = {
  nE: 10000,
  nI: 2500,
  CE: 1000,
  CI: 250,
  J: 0.1,
  g: 5,
  delay: 1.5,
  eta: 2,
  tauM: 20,
  theta: 20,
} as const;

/**
 * Brunel 2000 balanced network (brunel_delta_nest): iaf_psc_delta, fixed in-degree 1000 E /
 * 250 I (autapses and multapses allowed, NEST's defaults), Poisson drive eta·nu_thr·CE =
 * 20 kHz per neuron with weight J. With `plastic`, E→E uses stdp_synapse (w0 = J,
 * Wmax = 3J, lambda 0.01, alpha 1.1, mu 0, tau_plus = tau_minus = 20 ms).
 */
export function buildBrunel(net: Network, plastic = false): BuiltNetwork {
  const b = BRUNEL;
  const neuron = { C_m: 1, tau_m: b.tauM, t_ref: 2, E_L: 0, V_reset: 0, V_m: 0, V_th: b.theta, tau_minus: 20 };
  const exc = net.create('iaf_psc_delta', b.nE, neuron, { name: 'E' });
  const inh = net.create('iaf_psc_delta', b.nI, neuron, { name: 'I' });
  const nuThr = b.theta / (b.J * b.CE * b.tauM); // spikes per ms
  const rateHz = 1000 * b.eta * nuThr * b.CE;
  const noise = net.create('poisson_generator', 1, { rate: rateHz }, { name: 'noise' });
  const ee = plastic
    ? { model: 'stdp_synapse', weight: b.J, delay: b.delay, params: { Wmax: 3 * b.J, lambda: 0.01, alpha: 1.1, mu_plus: 0, mu_minus: 0, tau_plus: 20 } }
    : { weight: b.J, delay: b.delay };
  net.connect(exc, exc, { rule: 'fixed_indegree', indegree: b.CE }, { ...ee, name: 'EE' });
  net.connect(exc, inh, { rule: 'fixed_indegree', indegree: b.CE }, { weight: b.J, delay: b.delay, name: 'EI' });
  net.connect(inh, exc, { rule: 'fixed_indegree', indegree: b.CI }, { weight: -b.g * b.J, delay: b.delay, name: 'IE' });
  net.connect(inh, inh, { rule: 'fixed_indegree', indegree: b.CI }, { weight: -b.g * b.J, delay: b.delay, name: 'II' });
  net.connect(noise, exc, 'all_to_all', { weight: b.J, delay: b.delay, name: 'noiseE' });
  net.connect(noise, inh, 'all_to_all', { weight: b.J, delay: b.delay, name: 'noiseI' });
  return { populations: [exc, inh], n: b.nE + b.nI };
}
