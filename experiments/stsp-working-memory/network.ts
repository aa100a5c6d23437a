/**
 * Builds the StspRnn of a parameter set (spec §2): masks, signs, STP constants from
 * `synapse_config`, and the initial weights drawn from the seed's init stream.
 */
import { StspRnn, type Precision, type StspRnnConfig, type StspVariables } from '../../models/stsp_rnn.js';
import { unitSynapseType, type Par } from './parameters.js';
import { Draws, streams } from './random.js';

/** Masks, signs and STP constants of a parameter set. */
export function networkConfig(par: Par): StspRnnConfig {
  const N = par.n_hidden;
  const nIn = par.n_input;
  const nOut = par.n_output;
  const nExc = par.num_exc_units;
  const allExc = par.exc_inh_prop === 1;
  const sign = new Float64Array(N).map((_, i) => (allExc || i < nExc ? 1 : -1));
  const maskIn = new Float64Array(nIn * N).fill(1);
  if (par.trial_type === 'location_DMS') {
    // Channel n reaches only hidden units j with j mod 3 = its receptive field.
    for (let n = 0; n < nIn; n++) for (let j = 0; j < N; j++) maskIn[n * N + j] = j % par.num_receptive_fields === Math.floor(n / par.num_motion_tuned_per_rf) ? 1 : 0;
  }
  const maskRec = new Float64Array(N * N).fill(1);
  if (!allExc) for (let i = 0; i < N; i++) maskRec[i * N + i] = 0;
  const maskOut = new Float64Array(N * nOut).fill(1);
  if (!allExc) for (let i = nExc; i < N; i++) for (let o = 0; o < nOut; o++) maskOut[i * nOut + o] = 0;
  let stp: StspRnnConfig['stp'] = null;
  if (par.synapse_config !== 'none') {
    const dynamic = new Uint8Array(N);
    const U = new Float64Array(N);
    const alphaX = new Float64Array(N);
    const alphaU = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      const type = unitSynapseType(par.synapse_config, i, nExc);
      if (type === 'fac') {
        dynamic[i] = 1;
        U[i] = par.U_stf;
        alphaX[i] = par.dt / par.tau_fast;
        alphaU[i] = par.dt / par.tau_slow;
      } else if (type === 'dep') {
        dynamic[i] = 1;
        U[i] = par.U_std;
        alphaX[i] = par.dt / par.tau_slow;
        alphaU[i] = par.dt / par.tau_fast;
      } else {
        // Static synapses keep x = 1 and u = 0.3: efficacy 0.3.
        U[i] = 0.3;
      }
    }
    stp = { dynamic, U, alphaX, alphaU };
  }
  return {
    nHidden: N,
    nInput: nIn,
    nOutput: nOut,
    alpha: par.alpha_neuron,
    dtSec: par.dt / 1000,
    noiseRnn: par.noise_rnn,
    sign,
    stp,
    maskIn,
    maskRec,
    maskOut,
    spikeCost: par.spike_cost,
    spikeRegularization: par.spike_regularization,
    weightCost: par.weight_cost,
  };
}

/** Gamma(shape)⊙Bernoulli(p) matrix, row-major: all gamma draws first, then the mask draws. */
function gammaMatrix(d: Draws, n: number, shape: number, p: number): Float64Array {
  const w = new Float64Array(n);
  for (let q = 0; q < n; q++) w[q] = d.gamma(shape);
  if (p < 1) for (let q = 0; q < n; q++) if (d.uniform() >= p) w[q] = 0;
  return w;
}

/** Initial variables (spec §2 Initialisation) from the seed's init stream. */
export function initialVariables(par: Par, cfg: StspRnnConfig, seed: number): StspVariables {
  const N = par.n_hidden;
  const nIn = par.n_input;
  const nOut = par.n_output;
  const nExc = par.num_exc_units;
  const p = par.connection_prob;
  const d = new Draws(streams.init(seed));
  const w_in = gammaMatrix(d, nIn * N, 0.2, p / par.num_receptive_fields);
  for (let q = 0; q < w_in.length; q++) w_in[q] *= cfg.maskIn[q];
  let w_rnn: Float64Array;
  if (par.exc_inh_prop === 1) {
    w_rnn = new Float64Array(N * N);
    for (let i = 0; i < N; i++) w_rnn[i * N + i] = 0.54;
  } else {
    w_rnn = gammaMatrix(d, N * N, 0.1, p);
    if (par.balance_EI) {
      // Synapses onto inhibitory units, then from them, redrawn stronger.
      const cols = gammaMatrix(d, N * (N - nExc), 0.2, p);
      for (let i = 0; i < N; i++) for (let j = nExc; j < N; j++) w_rnn[i * N + j] = cols[i * (N - nExc) + (j - nExc)];
      const rows = gammaMatrix(d, (N - nExc) * N, 0.2, p);
      for (let i = nExc; i < N; i++) for (let j = 0; j < N; j++) w_rnn[i * N + j] = rows[(i - nExc) * N + j];
    }
    for (let q = 0; q < w_rnn.length; q++) w_rnn[q] *= cfg.maskRec[q];
    if (cfg.stp === null) for (let q = 0; q < w_rnn.length; q++) w_rnn[q] /= 3;
  }
  const w_out = gammaMatrix(d, N * nOut, 0.1, p);
  for (let q = 0; q < w_out.length; q++) w_out[q] *= cfg.maskOut[q];
  return {
    h: new Float64Array(N).fill(0.1),
    w_in,
    w_rnn,
    b_rnn: new Float64Array(N),
    w_out,
    b_out: new Float64Array(nOut),
  };
}

/** A freshly initialised network. */
export function buildNetwork(par: Par, seed: number, precision: Precision = 'float32'): StspRnn {
  const cfg = networkConfig(par);
  return new StspRnn(cfg, initialVariables(par, cfg, seed), { precision });
}

/**
 * Recurrent noise ξ `[T,B,N]` (unit normal) for trials [b0, b1) of a batch, one stream per
 * trial, for steps from `fromStep` on (earlier steps are left as they are).
 */
export function rnnNoise(par: Par, seed: number, iteration: number, tag: string, b0: number, b1: number, out: Float32Array | Float64Array, fromStep = 0): void {
  const N = par.n_hidden;
  const T = par.num_time_steps;
  const nb = b1 - b0;
  for (let b = b0; b < b1; b++) {
    const d = new Draws(streams.rnnNoise(seed, iteration, tag, b));
    for (let k = fromStep; k < T; k++) d.fillNormal(out, (k * nb + (b - b0)) * N, N, 1);
  }
}
