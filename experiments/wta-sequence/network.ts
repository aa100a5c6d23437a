/**
 * The wta-sequence network (spec §2 and §4): a grid of stochastic WTA circuits linked by
 * sparse, distance-dependent bundles, with every synapse learning by SEM/STDP with variance
 * tracking and carrying short-term plasticity.
 *
 * Engine mapping:
 * - one clock-driven `wta_softmax` population, named 'neurons' (its draws come from the
 *   stream 'neurons/dynamics'), ticking every step; neuron ids run WTA by WTA, and since it is
 *   created first, neuron k has the global id k;
 * - the input channels are a `wta_input_player` population ('inputs') that plays an
 *   {@link InputSource}, connected to every neuron with `sameStep: true`;
 * - two `sem_stdp_vt` projections, 'input' (channels → neurons) and 'recurrent' (neurons →
 *   neurons, the marked WTA pairs), whose per-tick hooks compute u = Σ w·Y before each tick and
 *   apply traces, learning and STP after it.
 *
 * Source index (weights, STP parameters): c < nInputs is input channel c, nInputs + k is
 * neuron k. Structure draws come from the stream 'structure', in this order: WTA sizes, pair
 * marking, pConn thinning, STP parameters (all U, then all D, then all F), initial weights.
 *
 * Class defaults differ from the experiment's in two places (the CLI never reads them):
 * gridShape [10, 5] and nInputs 50.
 */
import { Network as Simulation } from '../../engine/network.js';
import { SimulationError } from '../../engine/errors.js';
import type { Population, PopulationView } from '../../engine/population.js';
import type { ProjectionData } from '../../engine/projection.js';
import type { RandomStream } from '../../engine/rng.js';
import '../../engine/index.js';
import { resetTraces, setStpActive, setStpParams, isiAt, type TraceState } from '../../synapses/stp_legacy.js';
import { semStateOf, setLearning, synapseMoments, type SemStdpState } from '../../synapses/sem_stdp_vt.js';
import { INPUT_PLAYER, attachInputSource } from './input-player.js';
import type { InputSource } from './types.js';
import { gridVisualization3dSvg, gridVisualizationSvg } from './plots.js';

/** Options of {@link createSimulation}. */
export interface SimulationOptions {
  seed: number;
  /** Resolution in ms (default 1; the model's equations assume 1 ms). */
  dt?: number;
}

/** The engine network the wta-sequence model lives in (the original's nest_init). */
export function createSimulation(options: SimulationOptions): Simulation {
  return new Simulation({ seed: options.seed, dt: options.dt ?? 1 });
}

/** Mean and standard deviation of a normal draw. */
export interface MeanSd {
  mean: number;
  sd: number;
}

/** Dynamics and learning options shared by {@link Network} and {@link Network.fromStructure}. */
export interface WtaDynamicsOptions {
  /** Total rate of a circuit (Hz, default 100). */
  rMax?: number;
  /** η* (default 0.05). */
  eta?: number;
  /** Trace time constants (ms, default 20 and 2). */
  tauDecay?: number;
  tauRise?: number;
  /** Variance tracking (default true). */
  useVarianceTracking?: boolean;
  /** Synaptic learning in training runs (default true). */
  useStdp?: boolean;
  /** Short-term plasticity (default true); off gives every spike the amplitude 1. */
  useStp?: boolean;
  /** Learnt biases (default false). */
  usePriors?: boolean;
  /** Spike probability per step (default 'exp'). */
  spikeProbability?: 'exp' | 'linear';
  /** STP rule (default 'legacy'). */
  stpVariant?: 'legacy' | 'fixedU';
  /** STP values per source (default) or per synapse. */
  stpScope?: 'source' | 'synapse';
  /** Input STP: U = 1, D = F clipped to dt (default 'legacyClipped'), or none (amplitude 1). */
  inputStp?: 'legacyClipped' | 'none';
  /** STP keeps running in test runs (default true); false freezes u and R there. */
  stpInTest?: boolean;
  /** Initial weights ln U(0,1) instead of 0 (default false). */
  randomInitialWeights?: boolean;
}

/** Options of the {@link Network} constructor (random structure). */
export interface WtaNetworkOptions extends WtaDynamicsOptions {
  /** Grid [rows, cols] (class default [10, 5]). */
  gridShape?: [number, number];
  /** WTA sizes ~ UniformInt[kMin, kMax] (default 2, 10). */
  kMin?: number;
  kMax?: number;
  /** Input channels (class default 50). */
  nInputs?: number;
  /** Rate of the exponential bundle distance, per grid unit (default 0.088). */
  lambda?: number;
  /** Number of WTA pairs to connect (default 1000, capped at all ordered pairs when unique). */
  nConn?: number;
  /** Count distinct pairs (default true); false counts every pick, repeats add parallel bundles. */
  uniqueWtaPairs?: boolean;
  /** Probability of keeping each recurrent synapse of a bundle (default 1). */
  pConn?: number;
  /** Recurrent STP draws, clipped to U ≥ 0, D ≥ dt, F ≥ dt (defaults 0.5 ± 0.25, 110 ± 55 ms, 5 ± 2.5 ms). */
  stpU?: MeanSd;
  stpD?: MeanSd;
  stpF?: MeanSd;
}

/** A fixed structure for {@link Network.fromStructure}. */
export interface WtaStructure {
  gridShape: [number, number];
  /** Neurons per WTA, WTA index w = i·cols + j. */
  wtaSizes: number[];
  /** Connected ordered WTA pairs [I, J] (all of I to all of J); a repeated pair adds a parallel bundle. */
  pairs: [number, number][];
  nInputs: number;
  /**
   * U, D (ms) and F (ms) per source (nInputs + N values; inputs first). Omitted: inputs get
   * U = 1, D = F = dt and neurons are drawn as in the constructor.
   */
  stpParams?: { U: ArrayLike<number>; D: ArrayLike<number>; F: ArrayLike<number> };
}

/** One row per synapse, ordered by source index, then target neuron. */
export interface WeightSnapshot {
  /** Source index (c, or nInputs + k). */
  pre: Int32Array;
  /** Target neuron. */
  post: Int32Array;
  isInput: Uint8Array;
  w: Float64Array;
  S: Float64Array;
  Q: Float64Array;
}

/** Per-source trace and STP values (source scope), indexed by source index. */
export interface SourceStates {
  e: Float64Array;
  e2: Float64Array;
  s: Float64Array;
  /** Y = e − e2 as read by the latest tick. */
  Y: Float64Array;
  u: Float64Array;
  R: Float64Array;
  /** Interval (ms) a spike at the next step would use in E10. */
  isi: Float64Array;
}

const STRUCTURE_DEFAULTS = {
  gridShape: [10, 5] as [number, number],
  kMin: 2,
  kMax: 10,
  nInputs: 50,
  lambda: 0.088,
  nConn: 1000,
  uniqueWtaPairs: true,
  pConn: 1,
  stpU: { mean: 0.5, sd: 0.25 },
  stpD: { mean: 110, sd: 55 },
  stpF: { mean: 5, sd: 2.5 },
};

const DYNAMICS_DEFAULTS: Required<WtaDynamicsOptions> = {
  rMax: 100,
  eta: 0.05,
  tauDecay: 20,
  tauRise: 2,
  useVarianceTracking: true,
  useStdp: true,
  useStp: true,
  usePriors: false,
  spikeProbability: 'exp',
  stpVariant: 'legacy',
  stpScope: 'source',
  inputStp: 'legacyClipped',
  stpInTest: true,
  randomInitialWeights: false,
};

/** Euclidean distance between WTA positions a and b on a grid with `cols` columns. */
export function wtaDistance(a: number, b: number, cols: number): number {
  const di = Math.floor(a / cols) - Math.floor(b / cols);
  const dj = (a % cols) - (b % cols);
  return Math.sqrt(di * di + dj * dj);
}

/**
 * WTA sizes ~ UniformInt[kMin, kMax], one draw per grid position in index order.
 */
export function drawWtaSizes(rng: RandomStream, npos: number, kMin: number, kMax: number): number[] {
  const sizes: number[] = [];
  for (let w = 0; w < npos; w++) sizes.push(kMin + Math.floor(rng.uniform() * (kMax - kMin + 1)));
  return sizes;
}

/**
 * The pair-marking loop of spec §2: draw d ~ Exp(mean 1/λ); the candidates are all ordered
 * pairs (I, J), I = J included, with d − 1 < dist(I, J) ≤ d + 1, in (I, J) lexicographic
 * order (none: draw again); pick one uniformly; I ≠ J marks I → J. Runs until `nConn` pairs
 * count: distinct ones (capped at all ordered pairs) with `unique`, every I ≠ J pick without.
 * Returns the pairs in lexicographic order (repeats adjacent).
 */
export function drawWtaPairs(rng: RandomStream, gridShape: [number, number], lambda: number, nConn: number, unique: boolean): [number, number][] {
  const [rows, cols] = gridShape;
  const npos = rows * cols;
  const goal = unique ? Math.min(nConn, npos * (npos - 1)) : nConn;
  const dist = new Float64Array(npos * npos);
  for (let a = 0; a < npos; a++) for (let b = 0; b < npos; b++) dist[a * npos + b] = wtaDistance(a, b, cols);
  const count = new Uint32Array(npos * npos);
  let counted = 0;
  let draws = 0;
  const maxDraws = 1e7;
  while (counted < goal) {
    if (++draws > maxDraws) {
      throw new SimulationError('invalid_value', `WTA pairs: ${maxDraws} distance draws reached only ${counted} of ${goal} pairs; lower nConn or lambda.`);
    }
    const d = -Math.log(1 - rng.uniform()) / lambda;
    let nCand = 0;
    for (let q = 0; q < npos * npos; q++) if (d - 1 < dist[q] && dist[q] <= d + 1) nCand++;
    if (nCand === 0) continue;
    let pick = Math.floor(rng.uniform() * nCand);
    let chosen = -1;
    for (let q = 0; q < npos * npos; q++) {
      if (d - 1 < dist[q] && dist[q] <= d + 1 && pick-- === 0) {
        chosen = q;
        break;
      }
    }
    const I = Math.floor(chosen / npos);
    const J = chosen % npos;
    if (I === J) continue;
    if (unique) {
      if (count[chosen] === 0) {
        count[chosen] = 1;
        counted++;
      }
    } else {
      count[chosen]++;
      counted++;
    }
  }
  const pairs: [number, number][] = [];
  for (let q = 0; q < npos * npos; q++) for (let r = 0; r < count[q]; r++) pairs.push([Math.floor(q / npos), q % npos]);
  return pairs;
}

/** The wta-sequence network on an engine {@link Simulation}. */
export class Network {
  /** The engine network. */
  readonly sim: Simulation;
  /** The WTA neurons (one clock-driven population). */
  readonly neurons: Population;
  /** The input channels. */
  readonly inputs: Population;
  /** Projections: input channels → neurons, and neurons → neurons (null without pairs). */
  readonly inputProjection: ProjectionData;
  readonly recurrentProjection: ProjectionData | null;
  readonly gridShape: [number, number];
  readonly wtaSizes: readonly number[];
  /** Connected WTA pairs [I, J], lexicographic, repeats for parallel bundles. */
  readonly pairs: readonly [number, number][];
  readonly nInputs: number;
  /** Number of neurons. */
  readonly size: number;
  /** WTA of each neuron, and first neuron of each WTA (length nWta + 1). */
  readonly wtaOf: Int32Array;
  readonly wtaStart: Int32Array;
  /**
   * STP parameters per source index as set: U, D (ms), F (ms). In synapse scope a neuron's
   * entries are the means over its outgoing synapses (0 without any).
   */
  readonly stpParams: { U: Float64Array; D: Float64Array; F: Float64Array };
  readonly options: Readonly<Required<WtaDynamicsOptions>>;
  private trainingMode = true;

  /** Builds a network with a random structure drawn from the stream 'structure'. */
  constructor(sim: Simulation, options?: WtaNetworkOptions);
  /** @internal used by {@link Network.fromStructure}. */
  constructor(sim: Simulation, options: WtaDynamicsOptions, structure: WtaStructure);
  constructor(sim: Simulation, options: WtaNetworkOptions = {}, fixed?: WtaStructure) {
    const o = { ...DYNAMICS_DEFAULTS, ...definedOnly(options) } as Required<WtaDynamicsOptions>;
    this.options = o;
    this.sim = sim;
    const dt = sim.dt;
    const rng = sim.streams.stream('structure');
    let structure: WtaStructure;
    let pConn = 1;
    let draws: { U: MeanSd; D: MeanSd; F: MeanSd } = { U: STRUCTURE_DEFAULTS.stpU, D: STRUCTURE_DEFAULTS.stpD, F: STRUCTURE_DEFAULTS.stpF };
    if (fixed) {
      structure = fixed;
    } else {
      const s = { ...STRUCTURE_DEFAULTS, ...definedOnly(options) };
      checkStructureOptions(s);
      const npos = s.gridShape[0] * s.gridShape[1];
      const wtaSizes = drawWtaSizes(rng, npos, s.kMin, s.kMax);
      const pairs = drawWtaPairs(rng, s.gridShape, s.lambda, s.nConn, s.uniqueWtaPairs);
      structure = { gridShape: s.gridShape, wtaSizes, pairs, nInputs: s.nInputs };
      pConn = s.pConn;
      draws = { U: s.stpU, D: s.stpD, F: s.stpF };
    }
    checkStructure(structure);
    this.gridShape = [structure.gridShape[0], structure.gridShape[1]];
    this.wtaSizes = [...structure.wtaSizes];
    this.pairs = structure.pairs.map(([a, b]) => [a, b] as [number, number]).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    this.nInputs = structure.nInputs;
    const nWta = this.wtaSizes.length;
    this.wtaStart = new Int32Array(nWta + 1);
    for (let w = 0; w < nWta; w++) this.wtaStart[w + 1] = this.wtaStart[w] + this.wtaSizes[w];
    const N = this.wtaStart[nWta];
    this.size = N;
    this.wtaOf = new Int32Array(N);
    for (let w = 0; w < nWta; w++) this.wtaOf.fill(w, this.wtaStart[w], this.wtaStart[w + 1]);

    this.neurons = sim.create(
      'wta_softmax',
      N,
      {
        wta: this.wtaOf,
        R_max: o.rMax,
        linear_prob: o.spikeProbability === 'linear' ? 1 : 0,
        use_priors: o.usePriors ? 1 : 0,
        eta: o.eta,
        variance_tracking: o.useVarianceTracking ? 1 : 0,
        learning: 1,
      },
      { name: 'neurons' },
    );
    this.inputs = sim.create(INPUT_PLAYER, this.nInputs, {}, { name: 'inputs' });

    // Recurrent synapses, ordered by source neuron, then target; pConn thins them.
    const recPre: number[] = [];
    const recPost: number[] = [];
    const bundles: number[][] = Array.from({ length: nWta }, () => []);
    for (const [I, J] of this.pairs) bundles[I].push(J);
    for (let pre = 0; pre < N; pre++) {
      const targets = bundles[this.wtaOf[pre]];
      for (let j = 0; j < targets.length; ) {
        // Repeats of one pair are adjacent: emit each target neuron once per repeat.
        let reps = 1;
        while (j + reps < targets.length && targets[j + reps] === targets[j]) reps++;
        const J = targets[j];
        for (let post = this.wtaStart[J]; post < this.wtaStart[J + 1]; post++) {
          for (let r = 0; r < reps; r++) {
            if (pConn < 1 && !(rng.uniform() < pConn)) continue;
            recPre.push(pre);
            recPost.push(post);
          }
        }
        j += reps;
      }
    }

    // STP parameters: per source, or per synapse (input synapses, then recurrent ones).
    const perSynapse = o.stpScope === 'synapse';
    const nSrc = this.nInputs + N;
    const U = new Float64Array(nSrc);
    const D = new Float64Array(nSrc);
    const F = new Float64Array(nSrc);
    let recStp: { U: Float64Array; D: Float64Array; F: Float64Array } | null = null;
    if (structure.stpParams) {
      if (perSynapse) throw new SimulationError('invalid_value', "Network.fromStructure(): stpParams are per source; they cannot be combined with stpScope 'synapse'.");
      for (const key of ['U', 'D', 'F'] as const) {
        if (structure.stpParams[key].length !== nSrc) {
          throw new SimulationError('invalid_value', `Network.fromStructure(): stpParams.${key} needs one value per source (${nSrc} = ${this.nInputs} inputs + ${N} neurons), got ${structure.stpParams[key].length}.`);
        }
      }
      U.set(structure.stpParams.U);
      D.set(structure.stpParams.D);
      F.set(structure.stpParams.F);
    } else {
      for (let c = 0; c < this.nInputs; c++) {
        U[c] = 1;
        D[c] = dt;
        F[c] = dt;
      }
      const n = perSynapse ? recPre.length : N;
      const dU = new Float64Array(n);
      const dD = new Float64Array(n);
      const dF = new Float64Array(n);
      for (let q = 0; q < n; q++) dU[q] = Math.max(0, rng.normal(draws.U.mean, draws.U.sd));
      for (let q = 0; q < n; q++) dD[q] = Math.max(dt, rng.normal(draws.D.mean, draws.D.sd));
      for (let q = 0; q < n; q++) dF[q] = Math.max(dt, rng.normal(draws.F.mean, draws.F.sd));
      if (perSynapse) {
        recStp = { U: dU, D: dD, F: dF };
        // The per-source summary holds each neuron's mean over its outgoing synapses.
        const cnt = new Float64Array(N);
        for (let q = 0; q < n; q++) {
          const i = this.nInputs + recPre[q];
          cnt[recPre[q]]++;
          U[i] += dU[q];
          D[i] += dD[q];
          F[i] += dF[q];
        }
        for (let k = 0; k < N; k++) {
          const i = this.nInputs + k;
          if (cnt[k] > 0) {
            U[i] /= cnt[k];
            D[i] /= cnt[k];
            F[i] /= cnt[k];
          }
        }
      } else {
        U.set(dU, this.nInputs);
        D.set(dD, this.nInputs);
        F.set(dF, this.nInputs);
      }
    }
    this.stpParams = { U, D, F };

    const nIn = this.nInputs * N;
    const weights = new Float64Array(nIn + recPre.length);
    if (o.randomInitialWeights) {
      for (let q = 0; q < weights.length; q++) {
        let x = rng.uniform();
        while (x === 0) x = rng.uniform();
        weights[q] = Math.log(x);
      }
    }

    const synParams = (input: boolean) => ({
      tau_decay: o.tauDecay,
      tau_rise: o.tauRise,
      stp: o.useStp && !(input && o.inputStp === 'none') ? 1 : 0,
      stp_variant: o.stpVariant === 'fixedU' ? 1 : 0,
      stp_per_synapse: perSynapse ? 1 : 0,
      eta: o.eta,
      variance_tracking: o.useVarianceTracking ? 1 : 0,
      learning: o.useStdp ? 1 : 0,
    });
    const inPre = new Int32Array(nIn);
    const inPost = new Int32Array(nIn);
    for (let c = 0, q = 0; c < this.nInputs; c++) {
      for (let k = 0; k < N; k++, q++) {
        inPre[q] = c;
        inPost[q] = k;
      }
    }
    this.inputProjection = sim.connect(this.inputs, this.neurons, { rule: 'explicit', sources: inPre, targets: inPost }, {
      model: 'sem_stdp_vt',
      sameStep: true,
      weight: weights.subarray(0, nIn),
      name: 'input',
      params: synParams(true),
    });
    this.recurrentProjection =
      recPre.length === 0
        ? null
        : sim.connect(this.neurons, this.neurons, { rule: 'explicit', sources: recPre, targets: recPost }, {
            model: 'sem_stdp_vt',
            weight: weights.subarray(nIn),
            name: 'recurrent',
            params: synParams(false),
          });

    // Amplitude 1 where there is no STP: u = U = 1, R = 1, frozen.
    const ones = (n: number) => new Float64Array(n).fill(1);
    const inStp = this.inputProjection.params.stp === 1;
    const nInStp = perSynapse ? nIn : this.nInputs;
    setStpParams(this.inputProjection, {
      U: inStp ? expand(U.subarray(0, this.nInputs), perSynapse, this.inputProjection) : ones(nInStp),
      D: inStp ? expand(D.subarray(0, this.nInputs), perSynapse, this.inputProjection) : ones(nInStp),
      F: inStp ? expand(F.subarray(0, this.nInputs), perSynapse, this.inputProjection) : ones(nInStp),
    });
    if (!inStp) for (const key of ['U', 'D', 'F'] as const) this.stpParams[key].fill(1, 0, this.nInputs);
    const rec = this.recurrentProjection;
    if (rec !== null) {
      const nRecStp = perSynapse ? rec.size : N;
      if (!o.useStp) setStpParams(rec, { U: ones(nRecStp), D: ones(nRecStp), F: ones(nRecStp) });
      else if (recStp !== null) setStpParams(rec, recStp);
      else setStpParams(rec, { U: U.subarray(this.nInputs), D: D.subarray(this.nInputs), F: F.subarray(this.nInputs) });
    }
    if (!o.useStp) for (const key of ['U', 'D', 'F'] as const) this.stpParams[key].fill(1, this.nInputs);
    this.setTraining(true);
  }

  /**
   * A network with a fixed structure (no structure draws unless `stpParams` or random initial
   * weights are asked for).
   */
  static fromStructure(sim: Simulation, structure: WtaStructure, options: WtaDynamicsOptions = {}): Network {
    return new Network(sim, options, structure);
  }

  /** The projections of the network (input first). */
  get projections(): ProjectionData[] {
    return this.recurrentProjection === null ? [this.inputProjection] : [this.inputProjection, this.recurrentProjection];
  }

  /** Number of WTA circuits. */
  get nWta(): number {
    return this.wtaSizes.length;
  }

  /** Whether the network is in training mode. */
  get training(): boolean {
    return this.trainingMode;
  }

  /**
   * Training (learning on, if useStdp; STP on) or test mode (learning off; STP on unless
   * stpInTest is false). Takes effect at the next step.
   */
  setTraining(on: boolean): void {
    this.trainingMode = on;
    const o = this.options;
    for (const pr of this.projections) {
      setLearning(pr, on && o.useStdp);
      const hasStp = pr.params.stp === 1;
      setStpActive(pr, hasStp && (on || o.stpInTest));
    }
    if (o.usePriors) this.neurons.set({ learning: on ? 1 : 0 });
  }

  /**
   * Starts a run afresh (as the original does before each test): traces e, e2, s = 0, R = 1
   * and spike intervals from the current step; u keeps its value.
   */
  resetState(): void {
    for (const pr of this.projections) resetTraces(semStateOf(pr).traces, this.sim.step);
  }

  /** Plays `source` from the current step on (its t = 0), or silences the inputs with null. */
  setInput(source: InputSource | null): void {
    attachInputSource(this.inputs, source, this.sim.step);
  }

  /** The grid of WTA sizes as an SVG heatmap (the original's visualizeCircuits). */
  visualizeCircuits(): Promise<string> {
    return gridVisualizationSvg({ gridShape: this.gridShape, wtaSizes: this.wtaSizes });
  }

  /** The WTA sizes as isometric bars on the real grid (the original's 3-D bar chart), as SVG. */
  visualizeCircuits3dBarchart(): Promise<string> {
    return gridVisualization3dSvg({ gridShape: this.gridShape, wtaSizes: this.wtaSizes });
  }

  /** Number of neurons of each WTA on the grid, [row][col]. */
  getCircuitGrid(): number[][] {
    const [rows, cols] = this.gridShape;
    return Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => this.wtaSizes[i * cols + j]));
  }

  /** The neurons of each WTA as population views, in WTA order. */
  getNodeCollections(): PopulationView[] {
    const out: PopulationView[] = [];
    for (let w = 0; w < this.nWta; w++) out.push(this.neurons.slice(this.wtaStart[w], this.wtaStart[w + 1]));
    return out;
  }

  /** Grid position [row, col] of neuron `id`. */
  getPosById(id: number): [number, number] {
    const w = this.getWtaById(id);
    return [Math.floor(w / this.gridShape[1]), w % this.gridShape[1]];
  }

  /** WTA index of neuron `id`. */
  getWtaById(id: number): number {
    if (!(Number.isInteger(id) && id >= 0 && id < this.size)) {
      throw new SimulationError('invalid_value', `no neuron ${id}; neurons run from 0 to ${this.size - 1}.`);
    }
    return this.wtaOf[id];
  }

  /** Grid distance of every connected pair, in {@link pairs} order. */
  pairDistances(): number[] {
    return this.pairs.map(([a, b]) => wtaDistance(a, b, this.gridShape[1]));
  }

  /** Rate fractions ρ_k of the latest tick (a copy). */
  getRateFractions(): Float64Array {
    return this.neurons.s.rho.slice();
  }

  /**
   * Checks that the rate fractions of every WTA sum to 1 within `tol` (default 1e-9); returns
   * the largest deviation, throws naming the WTA otherwise.
   */
  verifyRateFractions(tol = 1e-9): number {
    const rho = this.neurons.s.rho;
    let worst = 0;
    for (let w = 0; w < this.nWta; w++) {
      let sum = 0;
      for (let k = this.wtaStart[w]; k < this.wtaStart[w + 1]; k++) sum += rho[k];
      const dev = Math.abs(sum - 1);
      if (!(dev <= tol)) throw new Error(`rate fractions of WTA ${w} sum to ${sum}, not 1 (tolerance ${tol}).`);
      if (dev > worst) worst = dev;
    }
    return worst;
  }

  /** Every synapse's source index, target, weight, S and Q, ordered by source index then target. */
  getWeights(): WeightSnapshot {
    const prs = this.projections;
    let total = 0;
    for (const pr of prs) total += pr.size;
    const out: WeightSnapshot = {
      pre: new Int32Array(total),
      post: new Int32Array(total),
      isInput: new Uint8Array(total),
      w: new Float64Array(total),
      S: new Float64Array(total),
      Q: new Float64Array(total),
    };
    let o = 0;
    for (const pr of prs) {
      const st = synapseMoments(pr);
      const input = pr === this.inputProjection;
      const offset = input ? 0 : this.nInputs;
      for (let r = 0; r < pr.source.n; r++) {
        for (let s = pr.rowPtr[r]; s < pr.rowPtr[r + 1]; s++, o++) {
          out.pre[o] = offset + r;
          out.post[o] = pr.target[s];
          out.isInput[o] = input ? 1 : 0;
          out.w[o] = pr.weight[s];
          out.S[o] = st.S[s];
          out.Q[o] = st.Q[s];
        }
      }
    }
    return out;
  }

  /**
   * Trace and STP values per source index (source scope; in synapse scope u and R are those
   * of each source's first synapse). Neurons without outgoing synapses read 0 (R, u: 1).
   */
  getSourceStates(): SourceStates {
    const nSrc = this.nInputs + this.size;
    const out: SourceStates = {
      e: new Float64Array(nSrc),
      e2: new Float64Array(nSrc),
      s: new Float64Array(nSrc),
      Y: new Float64Array(nSrc),
      u: new Float64Array(nSrc).fill(1),
      R: new Float64Array(nSrc).fill(1),
      isi: new Float64Array(nSrc),
    };
    const step = this.sim.step;
    for (const pr of this.projections) {
      const tr: TraceState = semStateOf(pr).traces;
      const offset = pr === this.inputProjection ? 0 : this.nInputs;
      for (let r = 0; r < tr.nSrc; r++) {
        const q = tr.perSynapse ? pr.rowPtr[r] : r;
        const has = !tr.perSynapse || pr.rowPtr[r + 1] > q;
        out.s[offset + r] = tr.s[r];
        out.isi[offset + r] = isiAt(tr, r, step);
        if (!has) continue;
        out.e[offset + r] = tr.e[q];
        out.e2[offset + r] = tr.e2[q];
        out.Y[offset + r] = tr.Y[q];
        out.u[offset + r] = tr.u[q];
        out.R[offset + r] = tr.R[q];
      }
    }
    return out;
  }

  /** The learning state of a projection (input or recurrent). */
  synapseState(which: 'input' | 'recurrent'): SemStdpState | null {
    const pr = which === 'input' ? this.inputProjection : this.recurrentProjection;
    return pr === null ? null : semStateOf(pr);
  }
}

/** Per-source values repeated for every synapse of the source (synapse scope). */
function expand(perSource: Float64Array, perSynapse: boolean, pr: ProjectionData): Float64Array {
  if (!perSynapse) return perSource;
  const out = new Float64Array(pr.size);
  for (let r = 0; r < pr.source.n; r++) out.fill(perSource[r], pr.rowPtr[r], pr.rowPtr[r + 1]);
  return out;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function checkStructureOptions(s: typeof STRUCTURE_DEFAULTS): void {
  const int = (name: string, v: number, min: number) => {
    if (!(Number.isInteger(v) && v >= min)) throw new SimulationError('invalid_value', `Network: ${name} must be a whole number >= ${min}, got ${v}.`);
  };
  int('kMin', s.kMin, 1);
  int('kMax', s.kMax, s.kMin);
  int('nConn', s.nConn, 0);
  if (!(s.lambda > 0)) throw new SimulationError('invalid_value', `Network: lambda must be > 0, got ${s.lambda}.`);
  if (!(s.pConn >= 0 && s.pConn <= 1)) throw new SimulationError('invalid_value', `Network: pConn must be in [0, 1], got ${s.pConn}.`);
  for (const [k, d] of [['stpU', s.stpU], ['stpD', s.stpD], ['stpF', s.stpF]] as const) {
    if (!(Number.isFinite(d.mean) && d.sd >= 0)) throw new SimulationError('invalid_value', `Network: ${k} needs a finite mean and sd >= 0.`);
  }
}

function checkStructure(s: WtaStructure): void {
  const [rows, cols] = s.gridShape;
  if (!(Number.isInteger(rows) && Number.isInteger(cols) && rows >= 1 && cols >= 1)) {
    throw new SimulationError('invalid_value', `Network: gridShape must be two whole numbers >= 1, got [${s.gridShape}].`);
  }
  const npos = rows * cols;
  if (s.wtaSizes.length !== npos) throw new SimulationError('invalid_value', `Network: ${s.wtaSizes.length} WTA sizes for a ${rows}x${cols} grid; give ${npos}.`);
  for (const k of s.wtaSizes) if (!(Number.isInteger(k) && k >= 1)) throw new SimulationError('invalid_value', `Network: WTA size ${k} is not a whole number >= 1.`);
  if (!(Number.isInteger(s.nInputs) && s.nInputs >= 1)) throw new SimulationError('invalid_value', `Network: nInputs must be a whole number >= 1, got ${s.nInputs}.`);
  for (const [a, b] of s.pairs) {
    if (!(Number.isInteger(a) && Number.isInteger(b) && a >= 0 && b >= 0 && a < npos && b < npos) || a === b) {
      throw new SimulationError('invalid_value', `Network: WTA pair [${a}, ${b}] is not two different WTAs of the ${npos} on the grid.`);
    }
  }
}
