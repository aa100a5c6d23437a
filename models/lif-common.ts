/**
 * Declarations shared by NEST's integrate-and-fire models (iaf_psc_delta, iaf_psc_exp,
 * iaf_psc_alpha, iaf_psc_delta_ps): the same names, defaults and units, written once so the
 * models cannot drift apart. Each model spreads them into its own tables.
 */
import type { ParamSpec, StateSpec } from '../engine/params.js';

/** Membrane parameters with NEST's defaults. */
export const LIF_PARAMS = {
  E_L: { default: -70, unit: 'mV', doc: 'Resting membrane potential.' },
  C_m: { default: 250, unit: 'pF', min: 0, exclusiveMin: true, doc: 'Membrane capacitance.' },
  tau_m: { default: 10, unit: 'ms', min: 0, exclusiveMin: true, doc: 'Membrane time constant.' },
  t_ref: { default: 2, unit: 'ms', min: 0, doc: 'Duration of the refractory period.' },
  V_th: { default: -55, unit: 'mV', doc: 'Spike threshold.' },
  V_reset: { default: -70, unit: 'mV', doc: 'Reset potential.' },
  I_e: { default: 0, unit: 'pA', doc: 'Constant external input current.' },
} satisfies Record<string, ParamSpec>;

/** The post-synaptic trace time constant that pair-based STDP reads from the target neuron. */
export const STDP_TRACE_PARAMS = {
  tau_minus: { default: 20, unit: 'ms', min: 0, exclusiveMin: true, doc: 'Time constant of the post-synaptic STDP trace.' },
} satisfies Record<string, ParamSpec>;

/** Refractory counter and the latched current-port input of the grid models. */
export const LIF_INTERNAL_STATE = {
  refr: { unit: 'steps', initial: 0, internal: true, doc: 'Refractory steps left.' },
  I_in: { unit: 'pA', initial: 0, internal: true, doc: 'Current from the current port, latched for the next update.' },
} satisfies Record<string, StateSpec>;

/** The membrane potential, starting at E_L. */
export const V_M_STATE = {
  V_m: { unit: 'mV', initial: (p: Readonly<Record<'E_L', Float64Array>>, i: number) => p.E_L[i], doc: 'Membrane potential.' },
};

/** NEST's check that the reset lies below the threshold. */
export function resetBelowThreshold(p: Readonly<Record<'V_reset' | 'V_th', number>>): string | undefined {
  return p.V_reset >= p.V_th ? `V_reset (${p.V_reset} mV) must be below V_th (${p.V_th} mV).` : undefined;
}
