/**
 * The pure equations of the model (spec §5), under the original's names. The engine models
 * compute the same expressions in their hot loops; these forms serve tests and analyses.
 */
export { reluDiff, invReluDiff } from '../../models/stochastic_rate_network.js';
export { prefAngles, inputLayer, langevinStep, sampleVonMises } from '../../models/von_mises_input.js';
export { threeFactorDelta } from '../../synapses/three_factor_covariance.js';
export {
  circularClassifier,
  mseObjective,
  logLikelihoodObjective,
  logisticDecoder,
  mseDecoderRule,
  logLikelihoodDecoderRule,
} from '../../synapses/delta_rule_readout.js';
import { invReluDiff } from '../../models/stochastic_rate_network.js';
import type { NetParams } from './params.js';

/** The drift −f⁻¹(r)/R + W r + C s + b of the network SDE, for row-major W (N×N) and C (N×K). */
export function drift(
  p: Pick<NetParams, 'alpha' | 'beta' | 'gamma' | 'R'>,
  W: ArrayLike<number>,
  C: ArrayLike<number>,
  b: ArrayLike<number>,
  r: ArrayLike<number>,
  s: ArrayLike<number>,
): Float64Array {
  const N = r.length;
  const K = s.length;
  const out = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    let rec = 0;
    for (let k = 0; k < N; k++) rec += W[i * N + k] * r[k];
    let inp = 0;
    for (let k = 0; k < K; k++) inp += C[i * K + k] * s[k];
    out[i] = -invReluDiff(r[i], p.alpha, p.beta, p.gamma) / p.R + rec + inp + b[i];
  }
  return out;
}

/** The von Mises density on [−π, π). */
export function vonMisesPdf(theta: number, mu: number, kappa: number): number {
  return Math.exp(kappa * Math.cos(theta - mu)) / (2 * Math.PI * besselI0(kappa));
}

/** Modified Bessel function I₀ by its power series (converges for every x; |x| here is small). */
export function besselI0(x: number): number {
  const q = (x * x) / 4;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return sum;
}
