/**
 * wta_softmax: stochastic winner-take-all neurons (Klampfl & Maass 2013; Nessler et al. 2013),
 * clock-driven, ticking every step. Neurons with the same `wta` parameter form one circuit;
 * the normalisation inside a circuit is its lateral inhibition, so there are no inhibitory
 * neurons, thresholds, resets or refractory periods. The tick at step t:
 *
 *   u_k = w_k0 + x_k(t)                         (E2; x_k is the port `drive`, Σ_i w_ki·Y_i(t)
 *                                                from per-tick synapses such as sem_stdp_vt)
 *   ρ_k = exp(u_k − M_w) / Σ_{j∈w} exp(u_j − M_w),  M_w = max_{j∈w} u_j          (E3)
 *   r_k = R_max·ρ_k (Hz)
 *   Z_k = 1 with probability 1 − exp(−r_k·dt)   (E4, 'exp'; dt in s)
 *                         or r_k·dt             ('linear', as NEST's port)
 *
 * The circuit's total rate is R_max whatever the input. Each neuron draws one uniform number
 * per tick from the population's dynamics stream, in index order; when the population's spikes
 * are forced in 'replace' mode (Population.forceSpikes) nothing is drawn. Spikes are stamped
 * at the tick's step (the clock-driven rule).
 *
 * Optional bias (use_priors, off by default), learnt at every tick while `learning` is 1 with
 * the same rule as the synapses but without the spike gate on the mean (E9):
 *   w_k0 ← w_k0 + η_k0·(Z_k − e^{w_k0}) / max(e^{w_k0}, η_k0),
 * η_k0 = η*·(Q_k0 − S_k0²)/(exp(−S_k0) + 1) with variance tracking (then S_k0, Q_k0 follow
 * E8), else η* / n with n the neuron's learning ticks so far.
 */
import { defineNeuronModel, uniformMask } from '../engine/model.js';
import { registerNeuronModel } from '../engine/registry.js';

// Circuit sizes of a population, counted once per `wta` array (initial values need them).
const sizesByWta = new WeakMap<Float64Array, Map<number, number>>();

/** Number of neurons in neuron i's circuit. */
function circuitSize(wta: Float64Array, i: number): number {
  let sizes = sizesByWta.get(wta);
  if (sizes === undefined) {
    sizes = new Map();
    for (let j = 0; j < wta.length; j++) sizes.set(wta[j], (sizes.get(wta[j]) ?? 0) + 1);
    sizesByWta.set(wta, sizes);
  }
  return sizes.get(wta[i])!;
}

export const wta_softmax = defineNeuronModel({
  name: 'wta_softmax',
  doc: 'Stochastic WTA neuron: softmax of the membrane potentials within its circuit times R_max gives its rate; spikes are drawn every tick (Klampfl & Maass 2013).',
  timing: 'clock',
  period: 1,
  output: 'spike',
  specialize: true,
  // --- parameters -------------------------------------------------------------------------
  params: {
    wta: { default: 0, unit: '1', min: 0, integer: true, doc: 'Index of the WTA circuit the neuron belongs to.' },
    R_max: { default: 100, unit: 'Hz', min: 0, doc: 'Total firing rate of a circuit.' },
    linear_prob: { default: 0, unit: '1', min: 0, max: 1, integer: true, doc: "Spike probability per tick: 0 'exp' (1 − exp(−r·dt)), 1 'linear' (r·dt)." },
    use_priors: { default: 0, unit: '1', min: 0, max: 1, integer: true, doc: '1: learn the bias w_k0 (E9).' },
    learning: { default: 1, unit: '1', min: 0, max: 1, integer: true, doc: 'Bias learning on (training) or off (testing); only with use_priors.' },
    eta: { default: 0.05, unit: '1', min: 0, doc: 'Learning rate η* of the bias.' },
    variance_tracking: { default: 1, unit: '1', min: 0, max: 1, integer: true, doc: '1: adaptive bias learning rate; 0: η* / n.' },
  },
  // --- state ------------------------------------------------------------------------------
  state: {
    u: { unit: '1', initial: 0, doc: 'Membrane potential u_k of the latest tick (E2).' },
    rho: { unit: '1', initial: (p, i) => 1 / circuitSize(p.wta, i), doc: 'Rate fraction ρ_k within the circuit (E3); sums to 1 per circuit (1/K before the first tick).' },
    r: { unit: 'Hz', initial: (p, i) => p.R_max[i] / circuitSize(p.wta, i), doc: 'Instantaneous firing rate R_max·ρ_k.' },
    w0: { unit: '1', initial: 0, doc: 'Bias w_k0 (learnt only with use_priors).' },
    S0: { unit: '1', initial: 0, doc: 'Running mean of the bias (variance tracking).' },
    Q0: { unit: '1', initial: 1, doc: 'Running second moment of the bias (variance tracking).' },
    n_learn: { unit: '1', initial: 0, internal: true, doc: 'Learning ticks so far (bias without variance tracking).' },
  },
  // --- buffers (receptor ports) -----------------------------------------------------------
  ports: {
    drive: { kind: 'spike', doc: 'Synaptic part of u_k for this tick: Σ w·Y from per-tick synapses (a plain spike adds its weight for one tick).' },
  },
  // --- constants: circuit membership ------------------------------------------------------
  prepare(p, dt, n) {
    const ids = [...new Set(Array.from(p.wta))].sort((a, b) => a - b);
    const index = new Map(ids.map((w, g) => [w, g]));
    const gPtr = new Uint32Array(ids.length + 1);
    for (let i = 0; i < n; i++) gPtr[index.get(p.wta[i])! + 1]++;
    for (let g = 0; g < ids.length; g++) gPtr[g + 1] += gPtr[g];
    const fill = gPtr.slice(0, ids.length);
    const gMem = new Uint32Array(n);
    for (let i = 0; i < n; i++) gMem[fill[index.get(p.wta[i])!]++] = i;
    // The largest spike probability of each neuron (at ρ = 1): a uniform draw at or above it
    // means no spike without computing P (ρ ≤ 1, so P ≤ pMax; exp is monotonic).
    const pMax = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const x = p.R_max[i] * (dt / 1000);
      pMax[i] = p.linear_prob[i] === 1 ? x : 1 - Math.exp(-x);
    }
    return { nGroups: ids.length, gPtr, gMem, dtSec: dt / 1000, pMax, mask: uniformMask(p), z: new Uint8Array(n) };
  },
  // --- tick -------------------------------------------------------------------------------
  compile(ctx) {
    const { n, p, s, c, ring, rng, forced } = ctx;
    const U = s.u;
    const rho = s.rho;
    const rate = s.r;
    const w0 = s.w0;
    const S0 = s.S0;
    const Q0 = s.Q0;
    const nLearn = s.n_learn;
    const drive = ring.drive;
    const { nGroups, gPtr, gMem, dtSec, pMax, mask, z } = c;
    const Rmax = p.R_max;
    const linear = p.linear_prob;
    const priors = p.use_priors;
    const learning = p.learning;
    const eta = p.eta;
    const vt = p.variance_tracking;
    const uniform = rng.uniform;
    // Parameters change only between runs (the model is compiled again then).
    let learnBias = false;
    for (let i = 0; i < n; i++) if (priors[i & mask] === 1 && learning[i & mask] === 1) learnBias = true;
    return (_step, base) => {
      for (let i = 0; i < n; i++) U[i] = w0[i] + drive[base + i];
      for (let g = 0; g < nGroups; g++) {
        const a = gPtr[g];
        const b = gPtr[g + 1];
        let M = -Infinity;
        for (let q = a; q < b; q++) if (U[gMem[q]] > M) M = U[gMem[q]];
        let sum = 0;
        for (let q = a; q < b; q++) {
          const ex = Math.exp(U[gMem[q]] - M);
          rho[gMem[q]] = ex;
          sum += ex;
        }
        for (let q = a; q < b; q++) {
          const k = gMem[q];
          rho[k] = rho[k] / sum;
          rate[k] = Rmax[k & mask] * rho[k];
        }
      }
      const replace = forced.mode === 'replace';
      if (!replace) {
        for (let i = 0; i < n; i++) {
          const j = i & mask;
          const draw = uniform();
          let spike = false;
          if (draw < pMax[j]) {
            const x = rate[i] * dtSec;
            spike = draw < (linear[j] === 1 ? x : 1 - Math.exp(-x));
          }
          if (spike) ctx.spike(i);
          if (learnBias) z[i] = spike ? 1 : 0;
        }
      }
      if (!learnBias) return;
      // Z of this tick: the forced set replaces or joins the drawn spikes.
      if (replace) z.fill(0);
      for (let q = 0; q < forced.count; q++) z[forced.ids[q]] = 1;
      for (let i = 0; i < n; i++) {
        const j = i & mask;
        if (priors[j] !== 1 || learning[j] !== 1) continue;
        nLearn[i] += 1;
        const w = w0[i];
        const ew = Math.exp(w);
        if (vt[j] === 1) {
          const Sv = S0[i];
          const Qv = Q0[i];
          const e0 = (eta[j] * (Qv - Sv * Sv)) / (Math.exp(-Sv) + 1);
          const wn = w + (e0 * (z[i] - ew)) / (ew > e0 ? ew : e0);
          w0[i] = wn;
          S0[i] = Sv + e0 * (wn - Sv);
          Q0[i] = Qv + e0 * (wn * wn - Qv);
        } else {
          const e0 = eta[j] / nLearn[i];
          w0[i] = w + (e0 * (z[i] - ew)) / (ew > e0 ? ew : e0);
        }
      }
    };
  },
});

registerNeuronModel(wta_softmax);
