/**
 * zfactor_sde: independent z-factor synapses driven by intrinsic noise (Iatropoulos, Gerstner &
 * Brea 2024, Figs 5–6), clock-driven: one tick is one Euler–Maruyama step of length `dt_model`
 * (model time units; the kernel's step count is the step index). Each neuron of the
 * population is one synapse w = u_1⋯u_z. Per step, with two standard normals ξ1, ξ2 per
 * synapse (the same for every z), s = Π_{k≥2} u_k (1 for z = 1) and the homeostatic term
 * homeo = 1 − mean(w^(2/z))/w0 over the synapses alive (w > 0) at the previous step:
 *
 *   u1 += σ_u[(1−k)ξ1 + k·s·ξ2]√dt + b·σ_u[(1−k) + k·s]dt + 10·homeo·u1·dt
 *   u_k += (u1_new − u2)·dt/τ_u + 10·homeo·u_k·dt/τ_u        for k ≥ 2
 *
 * (the relaxation uses u2 for every k ≥ 2, as the original). Synapses dead at the previous
 * step get all factors set to 0; factors are clipped at 0 and w = Π u. Normals are polar
 * Box–Muller draws from the population's dynamics stream, ξ1 then ξ2, in synapse order.
 */
import { defineNeuronModel } from '../engine/model.js';
import { registerNeuronModel } from '../engine/registry.js';
import { SimulationError } from '../engine/errors.js';

/** Largest number of factors the model supports. */
export const SDE_MAX_Z = 5;

/**
 * One Euler–Maruyama step of `count` synapses with z factors stored factor-major in `u`
 * (u[k·count + s]); `w` holds the weights of the previous step and is overwritten.
 * `normal()` supplies the draws (ξ1, ξ2 per synapse, in synapse order).
 */
export function sdeStep(
  u: Float64Array,
  w: Float64Array,
  count: number,
  z: number,
  prm: { dt: number; sigma: number; tau: number; k: number; b: number; w0: number },
  normal: () => number,
): void {
  const { dt, sigma, tau, k, b, w0 } = prm;
  const q = 2 / z;
  let sum = 0;
  let nAlive = 0;
  for (let s = 0; s < count; s++) {
    if (w[s] > 0) {
      sum += Math.pow(w[s], q);
      nAlive++;
    }
  }
  const homeo = nAlive > 0 ? 1 - sum / nAlive / w0 : 0;
  const sqdt = Math.sqrt(dt);
  for (let s = 0; s < count; s++) {
    const x1 = normal();
    const x2 = normal();
    if (!(w[s] > 0)) {
      for (let f = 0; f < z; f++) u[f * count + s] = 0;
      continue;
    }
    let slow = 1;
    for (let f = 1; f < z; f++) slow *= u[f * count + s];
    const u1 = u[s];
    let u1n = u1 + sigma * ((1 - k) * x1 + k * slow * x2) * sqdt + b * sigma * ((1 - k) + k * slow) * dt + 10 * homeo * u1 * dt;
    if (z >= 2) {
      const u2 = u[count + s];
      for (let f = 1; f < z; f++) {
        const uk = u[f * count + s];
        const next = uk + ((u1n - u2) * dt) / tau + (10 * homeo * uk * dt) / tau;
        u[f * count + s] = next > 0 ? next : 0;
      }
    }
    u1n = u1n > 0 ? u1n : 0;
    u[s] = u1n;
  }
  for (let s = 0; s < count; s++) {
    let p = 1;
    for (let f = 0; f < z; f++) p *= u[f * count + s];
    w[s] = p;
  }
}

export const zfactor_sde = defineNeuronModel({
  name: 'zfactor_sde',
  doc: 'Independent z-factor synapses under intrinsic noise with slow factor relaxation and homeostatic scaling, one Euler–Maruyama step per tick (Iatropoulos et al. 2024).',
  timing: 'clock',
  period: 1,
  output: 'none',
  params: {
    z: { default: 2, unit: '1', min: 1, max: SDE_MAX_Z, integer: true, doc: 'Number of factors per synapse.' },
    dt_model: { default: 5e-3, unit: 'model time', min: 0, exclusiveMin: true, doc: 'Euler–Maruyama step.' },
    sigma_u: { default: 0.05, unit: '1', min: 0, doc: 'Noise amplitude σ_u of the fast factor.' },
    tau_u: { default: 30, unit: 'model time', min: 0, exclusiveMin: true, doc: 'Relaxation time τ_u of the slow factors.' },
    k: { default: 0.5, unit: '1', min: 0, max: 1, doc: 'Share of the multiplicative noise.' },
    b: { default: 0.1, unit: '1', doc: 'Drift bias of the noise.' },
    w0: { default: 1, unit: '1', min: 0, exclusiveMin: true, doc: 'Homeostatic target of mean w^(2/z).' },
  },
  state: {
    w: { unit: '1', initial: 1, doc: 'Weight Π_k u_k.' },
    u1: { unit: '1', initial: 1, doc: 'Factor 1 (fast).' },
    u2: { unit: '1', initial: 1, doc: 'Factor 2 (slow; unused below z = 2).' },
    u3: { unit: '1', initial: 1, doc: 'Factor 3 (slow; unused below z = 3).' },
    u4: { unit: '1', initial: 1, doc: 'Factor 4 (slow; unused below z = 4).' },
    u5: { unit: '1', initial: 1, doc: 'Factor 5 (slow; unused below z = 5).' },
  },
  ports: {},
  prepare(p, _dt, n) {
    for (const key of Object.keys(p) as (keyof typeof p)[]) {
      for (let i = 1; i < n; i++) {
        if (p[key][i] !== p[key][0]) throw new SimulationError('invalid_value', `zfactor_sde: parameter '${String(key)}' must be the same for all synapses of a population (homeostasis couples them).`);
      }
    }
    const z = p.z[0];
    return {
      z,
      u: new Float64Array(z * n),
      prm: { dt: p.dt_model[0], sigma: p.sigma_u[0], tau: p.tau_u[0], k: p.k[0], b: p.b[0], w0: p.w0[0] },
    };
  },
  update(ctx) {
    const { n, s, c, rng } = ctx;
    const { z, u, prm } = c;
    const fac = [s.u1, s.u2, s.u3, s.u4, s.u5];
    for (let f = 0; f < z; f++) u.set(fac[f], f * n);
    sdeStep(u, s.w, n, z, prm, () => rng.normal());
    for (let f = 0; f < z; f++) fac[f].set(u.subarray(f * n, (f + 1) * n));
  },
});

registerNeuronModel(zfactor_sde);
