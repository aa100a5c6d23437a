/**
 * stdp_synapse: pair-based spike-timing dependent plasticity with all-to-all pairing, as
 * NEST's model of the same name (Guetig et al. 2003 weight dependence; Rubin et al. 2001;
 * Morrison et al. 2008). The weight changes only when a presynaptic spike is delivered, at
 * its stamp t_pre; the synapse delay d counts as dendritic, so a post spike at t_post is seen
 * by the synapse at t_post + d. At each presynaptic spike, in this order:
 *
 * 1. facilitation, once per post spike archived in (t_last − d, t_pre − d]:
 *    w ← Wmax·min(1, w/Wmax + lambda·(1 − w/Wmax)^mu_plus·K_plus·exp((t_last − (t_post + d))/tau_plus))
 * 2. depression with the post trace just before t_pre − d:
 *    w ← Wmax·max(0, w/Wmax − alpha·lambda·(w/Wmax)^mu_minus·K_minus(t_pre − d))
 * 3. the spike is transmitted with the new weight (times its multiplicity);
 * 4. K_plus ← K_plus·exp((t_last − t_pre)/tau_plus) + 1 and t_last ← t_pre.
 *
 * Pairs with zero time difference (t_post + d = t_pre, within NEST's eps of 1e-6 ms) count
 * neither way. tau_minus belongs to the postsynaptic neuron, whose spike archive
 * (engine/spike-history.ts) holds each spike with K_minus right after it.
 *
 * Deviations kept deliberately small and documented:
 * - K_plus and t_last are stored once per source neuron, not per synapse: every synapse of a
 *   row sees the same presynaptic spikes, so the values are identical, and the per-synapse
 *   storage stays the weight alone.
 * - An update whose increment is exactly zero (K_plus = 0 before the source's first spike, or
 *   K_minus = 0 before the target's first spike) leaves the weight bit-identical; NEST passes
 *   it through w/Wmax·Wmax, which can move the last bit.
 * - Precise (off-grid) presynaptic spikes use their precise time step·dt + offset.
 * - As in NEST, a spike event with multiplicity m updates the weight once and transmits m·w.
 */
import { defineSynapseModel } from '../engine/synapse.js';
import { registerSynapseModel } from '../engine/registry.js';
import { SimulationError } from '../engine/errors.js';

/** Per-projection state: parameters unpacked plus the per-source presynaptic trace. */
interface StdpState {
  tauPlus: number;
  lambda: number;
  alpha: number;
  muPlus: number;
  muMinus: number;
  wmax: number;
  /** Presynaptic trace right after each source's latest spike (0 before the first). */
  kPlus: Float64Array;
  /** Time (ms) of each source's latest spike; 0 before the first, as NEST initialises it. */
  tLast: Float64Array;
}

export const stdp_synapse = defineSynapseModel({
  name: 'stdp_synapse',
  doc: 'Pair-based STDP with all-to-all pairing and power-law weight dependence; NEST stdp_synapse. tau_minus is a parameter of the target neuron.',
  params: {
    tau_plus: { default: 20, unit: 'ms', min: 0, exclusiveMin: true, doc: 'Time constant of the presynaptic trace K_plus.' },
    // Non-negative steps and exponents keep w/Wmax inside [0, 1], where every power is defined.
    lambda: { default: 0.01, unit: '1', min: 0, doc: 'Step size (learning rate) of facilitation.' },
    alpha: { default: 1, unit: '1', min: 0, doc: 'Ratio of the depression step to the facilitation step.' },
    mu_plus: { default: 1, unit: '1', min: 0, doc: 'Weight-dependence exponent of facilitation (0 additive, 1 multiplicative).' },
    mu_minus: { default: 1, unit: '1', min: 0, doc: 'Weight-dependence exponent of depression (0 additive, 1 multiplicative).' },
    Wmax: { default: 100, unit: 'weight', doc: 'Maximum weight magnitude; must have the sign of the weights.' },
  },
  needsPostHistory: true,
  plastic: true,
  check(p, weights) {
    if (p.Wmax === 0) return 'Wmax must not be 0 (weights are normalised by it); give the largest weight the synapse may reach, with the sign of the weights.';
    // NEST's rule: weight and Wmax have the same sign, 0 counting as positive.
    const positive = p.Wmax >= 0;
    for (let s = 0; s < weights.length; s++) {
      if (weights[s] >= 0 !== positive) {
        return `weight ${weights[s]} of connection ${s} and Wmax = ${p.Wmax} have different signs; stdp_synapse needs weights and Wmax of the same sign (use a negative Wmax for inhibitory weights).`;
      }
      // Beyond Wmax, (1 − w/Wmax)^mu_plus is undefined for fractional mu_plus.
      if (Math.abs(weights[s]) > Math.abs(p.Wmax)) {
        return `weight ${weights[s]} of connection ${s} exceeds Wmax = ${p.Wmax} in magnitude; start the weights within [0, Wmax].`;
      }
    }
    return undefined;
  },
  init(proj, p): StdpState {
    const src = proj.source.model;
    if (src.output !== 'spike' || src.independentTargets) {
      throw new SimulationError(
        'invalid_connection',
        `stdp_synapse from '${proj.source.name}' (${src.name}): the source does not emit one spike train through its synapses, so there are no presynaptic spikes to learn from; ` +
          'connect it to a parrot_neuron and make the plastic connection from that.',
      );
    }
    const post = proj.targetPopulation;
    if (post.p.tau_minus === undefined) {
      throw new SimulationError(
        'invalid_connection',
        `stdp_synapse onto '${post.name}' (${post.model.name}): the target model has no tau_minus parameter, so it keeps no postsynaptic trace; use a model that has one (e.g. iaf_psc_delta).`,
      );
    }
    return {
      tauPlus: p.tau_plus,
      lambda: p.lambda,
      alpha: p.alpha,
      muPlus: p.mu_plus,
      muMinus: p.mu_minus,
      wmax: p.Wmax,
      kPlus: new Float64Array(proj.source.n),
      tLast: new Float64Array(proj.source.n),
    };
  },
  transmit(proj, st, row, stamp, offset, mult) {
    const hist = proj.postHistory;
    if (hist === null) throw new Error('stdp_synapse: the target population has no spike archive; Network.prepare() must run first.');
    const { tauPlus, lambda, alpha, muPlus, muMinus, wmax } = st;
    const dt = proj.dt;
    const tPre = stamp * dt + offset;
    const tLast = st.tLast[row];
    const kPlus = st.kPlus[row];
    // A source that never fired has K_plus = 0: its synapses become readers of the archive now.
    const firstSpike = kPlus === 0;
    const { rowPtr, target, weight, delay } = proj;
    const sinks = proj.weightSinks;
    const notify = sinks.length !== 0;
    const depressStep = alpha * lambda;
    const end = rowPtr[row + 1];
    for (let s = rowPtr[row]; s < end; s++) {
      const i = target[s];
      const dMs = delay[s] * dt;
      if (firstSpike) hist.register(i);
      const found = hist.read(i, tLast - dMs, tPre - dMs);
      let w = weight[s];
      if (!firstSpike) {
        const first = hist.first;
        for (let j = 0; j < found; j++) {
          const minusDt = tLast - (hist.time(i, first + j) + dMs);
          const x = w / wmax;
          const norm = x + lambda * (muPlus === 0 ? 1 : muPlus === 1 ? 1 - x : Math.pow(1 - x, muPlus)) * (kPlus * Math.exp(minusDt / tauPlus));
          w = norm < 1 ? norm * wmax : wmax;
        }
      }
      const kMinus = hist.kAt;
      if (kMinus !== 0) {
        const x = w / wmax;
        const norm = x - depressStep * (muMinus === 0 ? 1 : muMinus === 1 ? x : Math.pow(x, muMinus)) * kMinus;
        w = norm > 0 ? norm * wmax : 0;
      }
      weight[s] = w;
      if (notify) for (let q = 0; q < sinks.length; q++) sinks[q].onWeight(proj, s, row, tPre, w);
    }
    // Every weight of the row is final before any input is written, so the spike goes out
    // with the new weights through the projection's own path (ring slots or timed arrivals).
    proj.deliver(row, stamp, offset, mult);
    st.kPlus[row] = kPlus * Math.exp((tLast - tPre) / tauPlus) + 1;
    st.tLast[row] = tPre;
  },
});

registerSynapseModel(stdp_synapse);
