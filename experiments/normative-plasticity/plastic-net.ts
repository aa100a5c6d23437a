/**
 * PlasticNet: the normative-plasticity network on the engine (spec §5). Populations, in tick
 * order: the input layer (von_mises_input), a constant-1 source for the bias, the rate network
 * (stochastic_rate_network) and its readout (rate_readout). W, C and b are
 * three_factor_covariance projections into the network; D is the delta_rule_readout projection
 * to the readout, which broadcasts the objective α′ as the 'objective' modulator after every
 * learning step. One kernel step is one model step; a trial is T/dt steps, step 0 the initial
 * state.
 */
import { Network } from '../../engine/network.js';
import { RandomStream } from '../../engine/rng.js';
import { SimulationError } from '../../engine/errors.js';
import type { Population } from '../../engine/population.js';
import type { ProjectionData } from '../../engine/projection.js';
import '../../engine/index.js';
import { stimulusControl, type StimulusControl } from '../../models/von_mises_input.js';
import { rateNetworkControl, type RateNetworkControl } from '../../models/stochastic_rate_network.js';
import { beginThreeFactorTrial } from '../../synapses/three_factor_covariance.js';
import { readoutControl, type ReadoutControl } from '../../synapses/delta_rule_readout.js';
import { transientSteps, trialSteps, type InputParams, type NetParams, type Objective } from './params.js';
import { fromWeightsJson, toWeightsJson } from './weights-json.js';
import { trainRun, type TrainRunOptions, type TrainRunResult } from './sessions.js';

/** Row-major parameters: W (N×N, [post][pre]), C (N×12), b (N), D (target_dim×N). */
export interface Weights {
  W: Float64Array;
  C: Float64Array;
  b: Float64Array;
  D: Float64Array;
}

/** Receives every step of a trial after the step's plasticity-free part (recorders). */
export interface TrialObserver {
  /** Step j of the trial (0 … T/dt − 1) has been computed. */
  step(j: number): void;
}

/** What one trial does. */
export interface TrialSpec {
  /** Training (plasticity on, Langevin stimulus) or testing (no plasticity, grid blocks). */
  train: boolean;
  /** Test: the grid index of each block (T/switch_period entries). */
  blockAngles?: Int32Array;
  /** Random stream of the trial's network noise (and, training, of nothing else). */
  noise: RandomStream;
  /** Training: the stimulus stream (θ_0 and the Langevin increments). */
  stimulus?: RandomStream;
  observer?: TrialObserver;
  /** Called with the trial's computed fraction now and then (progress bars). */
  onProgress?: (fraction: number) => void;
}

/** Initial weights as the original draws them, from the "<seed>:init" stream. */
export function initialWeights(p: NetParams, seed: number): Weights {
  const rng = new RandomStream(`${seed}:init`);
  const uni = (n: number, a: number) => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = rng.uniformRange(-a, a);
    return out;
  };
  const W = uni(p.N * p.N, 0.3 / Math.sqrt(p.N));
  const C = uni(p.N * p.input_dim, 0.5 / Math.sqrt(p.input_dim));
  const D = uni(p.target_dim * p.N, 1 / p.N);
  const b = new Float64Array(p.N).fill(p.initial_bias);
  return { W, C, b, D };
}

/** Frobenius norm. */
export function frobenius(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

/** The network of spec §2 on one engine Network. */
export class PlasticNet {
  readonly net: Network;
  readonly input: Population;
  readonly bias: Population;
  readonly rates: Population;
  readonly readout: Population;
  readonly projW: ProjectionData;
  readonly projC: ProjectionData;
  readonly projB: ProjectionData;
  readonly projD: ProjectionData;
  /** Initial parameters of the latest training (the original's `*_old`). */
  initial: Weights | null = null;
  private readonly stim: StimulusControl;
  private readonly rateCtl: RateNetworkControl;
  private readonly readCtl: ReadoutControl;
  private readonly steps: number;
  private readonly transient: number;
  private noiseStream: RandomStream | null = null;
  private observer: TrialObserver | null = null;

  constructor(
    readonly params: NetParams,
    readonly inputParams: InputParams,
    weights: Weights,
    readonly seed: number,
  ) {
    const p = params;
    checkWeights(weights, p);
    this.steps = trialSteps(p);
    this.transient = transientSteps(p);
    const net = new Network({ dt: p.dt, seed, finiteCheckInterval: 1000 });
    this.net = net;
    this.input = net.create('von_mises_input', p.input_dim, { dt_model: p.dt }, { name: 'input' });
    this.bias = net.create('constant_rate', 1, { rate: 1 }, { name: 'bias' });
    this.rates = net.create(
      'stochastic_rate_network',
      p.N,
      { dt_model: p.dt, R: p.R, sigma: p.sigma, alpha: p.alpha, beta: p.beta, gamma: p.gamma, low_r_threshold: p.low_r_threshold, high_r_threshold: p.high_r_threshold },
      { name: 'network' },
    );
    this.readout = net.create('rate_readout', p.target_dim, {}, { name: 'readout' });
    const common = { trace_rate: p.theta, anneal_const: p.anneal_const, dt_model: p.dt, transient_steps: this.transient };
    this.projW = net.connect(this.rates, this.rates, 'all_to_all', {
      model: 'three_factor_covariance',
      weight: 0,
      name: 'W',
      params: { ...common, learning_rate: p.learning_rate, weight_l2: p.weight_l2 },
    });
    this.projC = net.connect(this.input, this.rates, 'all_to_all', {
      model: 'three_factor_covariance',
      weight: 0,
      name: 'C',
      params: { ...common, learning_rate: p.learning_rate_input, weight_l2: p.i_weight_l2 },
    });
    this.projB = net.connect(this.bias, this.rates, 'all_to_all', {
      model: 'three_factor_covariance',
      weight: 0,
      name: 'b',
      params: { ...common, learning_rate: p.learning_rate_bias, weight_l2: p.bias_weight_l2 },
    });
    this.projD = net.connect(this.rates, this.readout, 'all_to_all', {
      model: 'delta_rule_readout',
      weight: 0,
      name: 'D',
      params: {
        objective: p.objective === 'linear' ? 0 : 1,
        gain: 100,
        learning_rate: p.learning_rate_decoder,
        anneal_const: p.anneal_const,
        dt_model: p.dt,
        weight_l2: p.weight_l2,
        transient_steps: this.transient,
      },
    });
    this.setWeights(weights);
    this.stim = stimulusControl(this.input);
    this.stim.mu = this.inputParams.mu_in;
    this.stim.kappa = this.inputParams.kappa_in;
    this.stim.sigmaSampler = this.inputParams.sigma_sampler;
    this.stim.blockSteps = Math.round(this.inputParams.switch_period / p.dt);
    this.rateCtl = rateNetworkControl(this.rates);
    this.rateCtl.r0 = 0.1;
    const sqrtDt = Math.sqrt(p.dt);
    this.rateCtl.noise = (out) => this.noiseStream!.fillNormal(out, sqrtDt);
    this.readCtl = readoutControl(this.projD);
    this.readCtl.theta = this.input.s.theta;
    this.readCtl.broadcast = (step, alphaPrime) => net.modulate(net.stepToMs(step + 1), 'objective', alphaPrime);
    // Per-step observers (recorders) run in the engine's record phase, after the step's ticks.
    net.addRecorder({
      record: (step) => {
        if (this.observer !== null) this.observer.step(step - this.rateCtl.trialStart);
      },
      close: async () => {},
    });
  }

  /** A network from a weights JSON object of the original's shape (see weights-json.ts). */
  static fromWeightsJson(json: unknown, seed: number, objective?: Objective): PlasticNet {
    const l = fromWeightsJson(json, 'weights', objective);
    const pn = new PlasticNet(l.params, l.inputParams, l.weights, seed);
    pn.initial = l.initial;
    return pn;
  }

  /** The current parameters as a weights JSON object of the original's shape. */
  toWeightsJson(): Record<string, unknown> {
    return toWeightsJson(this.params, this.inputParams, this.getWeights(), this.initial);
  }

  /** Runs training or test trials (the original's train_run); see {@link trainRun}. */
  trainRun(options: TrainRunOptions): TrainRunResult {
    return trainRun(this, options);
  }

  /** Steps per trial (T/dt). */
  get trialSteps(): number {
    return this.steps;
  }

  /** Steps of the plasticity-free lead-in (plasticity from step transientSteps + 1). */
  get transientSteps(): number {
    return this.transient;
  }

  /** The stimulus process of the input layer (θ_j is `input.s.theta[0]`). */
  get stimulus(): StimulusControl {
    return this.stim;
  }

  /** A copy of the current parameters, row-major. */
  getWeights(): Weights {
    const p = this.params;
    const W = new Float64Array(p.N * p.N);
    const C = new Float64Array(p.N * p.input_dim);
    const b = new Float64Array(p.N);
    const D = new Float64Array(p.target_dim * p.N);
    eachSynapse(this.projW, (s, pre, post) => (W[post * p.N + pre] = this.projW.weight[s]));
    eachSynapse(this.projC, (s, pre, post) => (C[post * p.input_dim + pre] = this.projC.weight[s]));
    eachSynapse(this.projB, (s, _pre, post) => (b[post] = this.projB.weight[s]));
    eachSynapse(this.projD, (s, pre, post) => (D[post * p.N + pre] = this.projD.weight[s]));
    return { W, C, b, D };
  }

  /** Sets all parameters from row-major arrays. */
  setWeights(w: Weights): void {
    const p = this.params;
    checkWeights(w, p);
    eachSynapse(this.projW, (s, pre, post) => (this.projW.weight[s] = w.W[post * p.N + pre]));
    eachSynapse(this.projC, (s, pre, post) => (this.projC.weight[s] = w.C[post * p.input_dim + pre]));
    eachSynapse(this.projB, (s, _pre, post) => (this.projB.weight[s] = w.b[post]));
    eachSynapse(this.projD, (s, pre, post) => (this.projD.weight[s] = w.D[post * p.N + pre]));
  }

  /** Runs one trial (T/dt steps from the initial state r_0 = 0.1). */
  runTrial(spec: TrialSpec): void {
    const start = this.net.step;
    const stim = this.stim;
    stim.trialStart = start;
    if (spec.train) {
      if (spec.stimulus === undefined) throw new SimulationError('invalid_value', 'a training trial needs a stimulus stream.');
      stim.mode = 'langevin';
      stim.random = { uniform: spec.stimulus.uniform, normal: () => spec.stimulus!.normal() };
    } else {
      const blocks = spec.blockAngles;
      const nBlocks = Math.ceil(this.steps / stim.blockSteps);
      if (blocks === undefined || blocks.length !== nBlocks) {
        throw new SimulationError('invalid_value', `a test trial needs ${nBlocks} block angles, got ${blocks?.length ?? 0}.`);
      }
      stim.mode = 'blocks';
      stim.random = null;
      stim.blockAngles = blocks;
    }
    this.rateCtl.trialStart = start;
    this.noiseStream = spec.noise;
    for (const pr of [this.projW, this.projC, this.projB]) beginThreeFactorTrial(pr, start, spec.train);
    this.readCtl.trialStart = start;
    this.readCtl.learning = spec.train;
    this.observer = spec.observer ?? null;
    try {
      const cb = spec.onProgress;
      const total = this.net.stepToMs(this.steps);
      if (cb === undefined) this.net.simulate(total);
      else this.net.simulate(total, { onProgress: (done) => cb(done / total), progressEveryMs: total / 50 });
    } finally {
      this.observer = null;
      this.noiseStream = null;
    }
  }
}

/** Calls f(synapse, pre, post) for every synapse of a projection. */
function eachSynapse(pr: ProjectionData, f: (s: number, pre: number, post: number) => void): void {
  for (let row = 0; row < pr.source.n; row++) for (let s = pr.rowPtr[row]; s < pr.rowPtr[row + 1]; s++) f(s, row, pr.target[s]);
}

/** Throws naming the first array whose size does not fit the parameters. */
export function checkWeights(w: Weights, p: NetParams): void {
  const want: [keyof Weights, number, string][] = [
    ['W', p.N * p.N, `${p.N}x${p.N}`],
    ['C', p.N * p.input_dim, `${p.N}x${p.input_dim}`],
    ['b', p.N, `${p.N}`],
    ['D', p.target_dim * p.N, `${p.target_dim}x${p.N}`],
  ];
  for (const [k, n, shape] of want) {
    if (w[k].length !== n) throw new SimulationError('invalid_value', `${k} has ${w[k].length} values; N = ${p.N} needs ${shape}.`);
    for (let i = 0; i < n; i++) if (!Number.isFinite(w[k][i])) throw new SimulationError('invalid_value', `${k}[${i}] is ${w[k][i]}; every weight must be finite.`);
  }
}
