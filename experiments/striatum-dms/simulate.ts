/**
 * One simulation of the striatum-dms protocol (spec §3): patterns and labels, the four
 * training phases with tests before trials, and the final test. Pure: the result depends
 * only on its arguments (every random number comes from alea sub-streams of `seed`).
 */
import seedrandom from 'seedrandom';
import { DmsCircuit, MSN_DEFAULTS, type CircuitParams } from './core.js';
import { resolveDmsOptions, type DmsOptions } from './options.js';

export { DmsCircuit };

/** The original options that shape one simulation (camelCase of main_DMS.py's names). */
export interface DmsConfig {
  P: number;
  stimByPattern: number;
  Apostpre: number;
  Aprepost: number;
  /** Reward LTP factor in learning and recall. */
  homeostasy: number;
  epsilon: number;
  /** Jitter SD of pattern spikes (ms). */
  noisePattern: number;
  /** Random MSN input rate (1/ms); each cortical input gets noiseInput/P. */
  noiseInput: number;
  stopLearning: 'None' | 'number_success' | 'exponential_trace';
  numSuccessParams: number;
  pReward: number;
  stimDuration: number;
  stimOffset: number;
  /** Reward factor in the initial and maintenance phases. */
  homeostasyPost: number;
  /** η_m: probability that the pattern is presented in initial/maintenance trials. */
  stimRecall: number;
  dt: number;
  numTrainingInitial: number;
  numTrainingLearning: number;
  numTrainingMaintenance: number;
  numTrainingRecall: number;
  /** 1: redraw patterns and labels after maintenance. */
  newSet: number;
  /** 1: input spike registers are not cleared by test resets (the original's behaviour). */
  carryLastSpike?: number;
  /** Noise multiplier of the initial and maintenance phases (default 4). */
  ratioNoise?: number;
}

/** The simulation config of resolved options. */
export function dmsConfig(o: DmsOptions): DmsConfig {
  return {
    P: o.P,
    stimByPattern: o.stimByPattern,
    Apostpre: o.Apostpre,
    Aprepost: o.Aprepost,
    homeostasy: o.homeostasy,
    epsilon: o.epsilon,
    noisePattern: o.noisePattern,
    noiseInput: o.noiseInput,
    stopLearning: o.stopLearning,
    numSuccessParams: o.numSuccessParams,
    pReward: o.pReward,
    stimDuration: o.stimDuration,
    stimOffset: o.stimOffset,
    homeostasyPost: o.homeostasyPost,
    stimRecall: o.stimRecall,
    dt: o.dt,
    numTrainingInitial: o.numTrainingInitial,
    numTrainingLearning: o.numTrainingLearning,
    numTrainingMaintenance: o.numTrainingMaintenance,
    numTrainingRecall: o.numTrainingRecall,
    newSet: o.newSet,
    carryLastSpike: o.carryLastSpike,
  };
}

/** Article values of spec §4 (Apostpre −1, stim_recall 0), from the options' article preset. */
export const ARTICLE_CONFIG: DmsConfig = dmsConfig(resolveDmsOptions({ preset: 'article', Apostpre: -1, stimRecall: 0 }).options);

/** Parser defaults of main_DMS.py (spec §4), from the options schema. */
export const PARSER_DEFAULT_CONFIG: DmsConfig = dmsConfig(resolveDmsOptions({}).options);

export const PHASES = ['initial', 'learning', 'maintenance', 'recall'] as const;
export type DmsPhase = (typeof PHASES)[number] | 'final';

/** One test (all patterns, noise off, no plasticity). */
export interface DmsTest {
  testIndex: number;
  /** Global iteration counter when the test ran (before that iteration's trial). */
  iteration: number;
  phase: DmsPhase;
  accuracy: number;
  success: boolean;
  /** Weights at the test. */
  weights: Float64Array;
  /** MSN spikes per pattern. */
  spikes: Int32Array;
}

/** A pattern of one set. */
export interface DmsPattern {
  /** 0 for the first set, 1 for the set redrawn after maintenance (new_set). */
  set: number;
  pattern: number;
  inputs: number[];
  rewarded: boolean;
}

/** Weights at a phase boundary. */
export interface DmsSnapshot {
  snapshot: 'start' | 'end_initial' | 'end_learning' | 'end_maintenance' | 'end_recall';
  iteration: number;
  weights: Float64Array;
}

/** Per training trial, in iteration order. */
export interface DmsTraining {
  iteration: Int32Array;
  /** Index into PHASES. */
  phase: Uint8Array;
  pattern: Int32Array;
  presented: Uint8Array;
  msnSpikes: Int32Array;
  /** 1/0 for presented trials, NaN otherwise. */
  accuracy: Float64Array;
}

export interface DmsResult {
  nPattern: number;
  simIndex: number;
  seed: number;
  patterns: DmsPattern[];
  tests: DmsTest[];
  training: DmsTraining;
  snapshots: DmsSnapshot[];
  /** Steps run densely and steps jumped by the lazy stepper. */
  stepsDense: number;
  stepsJumped: number;
}

/** Optional observers of {@link simulateDms}. */
export interface DmsSimulateOptions {
  /** Receives warnings (non-integral step counts, clamped noise); default console.warn. */
  warn?: (msg: string) => void;
  /**
   * Called before each segment (a training trial, or one pattern of a test) once its
   * modulator level, gate, resets and pattern spikes are in place; `circuit` may be observed
   * (e.g. `onStep`) but must not be changed.
   */
  onSegment?: (kind: 'trial' | 'test', circuit: DmsCircuit) => void;
}

/** Integer ms/dt as the original's int(); warns when x/dt is not integral within 1e−9. */
export function stepsOf(ms: number, dt: number, what: string, warn: (msg: string) => void = console.warn): number {
  const r = ms / dt;
  if (Math.abs(r - Math.round(r)) > 1e-9) warn(`${what} = ${ms} ms is not a multiple of dt = ${dt} ms; truncated to ${Math.trunc(r)} steps.`);
  return Math.trunc(r);
}

/** Whether phase-local iteration i is preceded by a test (spec §3 (1)). */
export function isTestIteration(i: number): boolean {
  return i < 50 ? i % 5 === 0 : i % 50 === 0;
}

/** Jittered spike step t_k of spec §3 Timing. */
export function jitterStep(O: number, D: number, noisePattern: number, z: number, dt: number): number {
  let t = O + (noisePattern * z) / dt;
  if (t < 1) t = 1;
  else if (t > D - 1) t = D - 1;
  return Math.trunc(t);
}

/** All C(P, k) subsets of 0..P−1 in lexicographic order. */
export function allSets(P: number, k: number): number[][] {
  const out: number[][] = [];
  const cur: number[] = [];
  const rec = (start: number): void => {
    if (cur.length === k) {
      out.push(cur.slice());
      return;
    }
    for (let i = start; i <= P - (k - cur.length); i++) {
      cur.push(i);
      rec(i + 1);
      cur.pop();
    }
  };
  rec(0);
  return out;
}

/** Draws N_p distinct sets (partial Fisher–Yates) and then their labels. */
export function drawPatterns(sets: number[][], nPattern: number, pReward: number, u: () => number): { inputs: number[][]; rewarded: boolean[] } {
  const C = sets.length;
  if (nPattern > C) throw new Error(`n_pattern ${nPattern} exceeds the ${C} possible patterns.`);
  const idx = Array.from({ length: C }, (_, i) => i);
  const inputs: number[][] = [];
  for (let i = 0; i < nPattern; i++) {
    const j = i + Math.floor(u() * (C - i));
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
    inputs.push(sets[idx[i]].slice());
  }
  const rewarded: boolean[] = [];
  for (let i = 0; i < nPattern; i++) rewarded.push(u() < pReward);
  return { inputs, rewarded };
}

/** Per-step noise probability, clamped to 1 with a warning. */
function clampP(p: number, warn: (msg: string) => void): number {
  if (p > 1) {
    warn(`noise probability per step ${p} > 1; clamped to 1.`);
    return 1;
  }
  return p;
}

/** Circuit parameters of a config (spec §2 constants). */
export function circuitParams(config: DmsConfig): CircuitParams {
  return { ...MSN_DEFAULTS, P: config.P, dt: config.dt, epsilon: config.epsilon, Aprepost: config.Aprepost, Apostpre: config.Apostpre };
}

/**
 * Runs one full simulation of the protocol (spec §3). `seed` is this simulation's seed from
 * the seed list; `simIndex` only labels the result.
 */
export function simulateDms(config: DmsConfig, nPattern: number, simIndex: number, seed: number, options: DmsSimulateOptions = {}): DmsResult {
  const warn = options.warn ?? console.warn;
  const onSegment = options.onSegment;
  const P = config.P;
  const dt = config.dt;
  const D = stepsOf(config.stimDuration, dt, 'stim_duration', warn);
  const O = stepsOf(config.stimOffset, dt, 'stim_offset', warn);
  if (O < 1 || O > D - 1) throw new Error(`stim_offset must be between one step and stim_duration − one step (got ${O} of ${D} steps).`);
  const stream = (name: string): (() => number) => seedrandom.alea(`${seed}/${name}`);
  const uInit = stream('init');
  const uPat = stream('patterns');
  const uTrial = stream('trials');
  const noiseRng: (() => number)[] = [];
  for (let k = 0; k < P; k++) noiseRng.push(stream(`noise/input/${k}`));
  noiseRng.push(stream('noise/msn'));

  const sets = allSets(P, config.stimByPattern);
  if (nPattern > sets.length) throw new Error(`n_pattern ${nPattern} exceeds C(${P}, ${config.stimByPattern}) = ${sets.length}.`);
  const w0 = new Float64Array(P);
  for (let k = 0; k < P; k++) w0[k] = 0.05 * uInit();
  const circuit = new DmsCircuit(circuitParams(config), w0, noiseRng);

  let { inputs, rewarded } = drawPatterns(sets, nPattern, config.pReward, uPat);
  const patterns: DmsPattern[] = inputs.map((inp, i) => ({ set: 0, pattern: i, inputs: inp, rewarded: rewarded[i] }));

  const lengths = [config.numTrainingInitial, config.numTrainingLearning, config.numTrainingMaintenance, config.numTrainingRecall];
  const total = lengths.reduce((a, b) => a + b, 0);
  const training: DmsTraining = {
    iteration: new Int32Array(total),
    phase: new Uint8Array(total),
    pattern: new Int32Array(total),
    presented: new Uint8Array(total),
    msnSpikes: new Int32Array(total),
    accuracy: new Float64Array(total),
  };
  const tests: DmsTest[] = [];
  const snapshots: DmsSnapshot[] = [{ snapshot: 'start', iteration: 0, weights: Float64Array.from(circuit.w) }];
  const clearRegisters = (config.carryLastSpike ?? 1) === 0;
  const ratioNoise = config.ratioNoise ?? 4;
  const sbp = config.stimByPattern;
  const testSteps = new Int32Array(sbp).fill(O - 1);
  const trialSteps = new Int32Array(sbp);
  const success = new Int32Array(nPattern);
  let err = 0;
  let pIn = 0;
  let pR = 0;

  const runTest = (iteration: number, phase: DmsPhase): void => {
    const g = circuit.g;
    circuit.g = 0;
    const spikes = new Int32Array(nPattern);
    let correct = 0;
    for (let q = 0; q < nPattern; q++) {
      circuit.resetForTest(clearRegisters);
      circuit.setPattern(inputs[q], testSteps);
      onSegment?.('test', circuit);
      const n = circuit.run(D, false);
      spikes[q] = n;
      if (n >= 1 === rewarded[q]) correct++;
    }
    circuit.g = g;
    tests.push({ testIndex: tests.length, iteration, phase, accuracy: correct / nPattern, success: correct === nPattern, weights: Float64Array.from(circuit.w), spikes });
  };

  let iteration = 0;
  for (let ph = 0; ph < 4; ph++) {
    const phase = PHASES[ph];
    const quietPhase = ph === 0 || ph === 2;
    const H = quietPhase ? config.homeostasyPost : config.homeostasy;
    const ratio = quietPhase ? ratioNoise : 1;
    if (ph === 3 && config.newSet === 1) {
      ({ inputs, rewarded } = drawPatterns(sets, nPattern, config.pReward, uPat));
      inputs.forEach((inp, i) => patterns.push({ set: 1, pattern: i, inputs: inp, rewarded: rewarded[i] }));
      success.fill(0);
    }
    pIn = clampP((dt * ratio * config.noiseInput) / P, warn);
    pR = clampP(dt * ratio * config.noiseInput, warn);
    circuit.setNoise(pIn, pR);
    for (let i = 0; i < lengths[ph]; i++) {
      // (1) Test before the trial; noise is re-armed afterwards.
      if (isTestIteration(i)) {
        runTest(iteration, phase);
        circuit.setNoise(pIn, pR);
      }
      // (2) pattern, (3) jitter, always drawn.
      const pat = Math.floor(uTrial() * nPattern);
      for (let k = 0; k < sbp; k++) {
        const u1 = uTrial();
        const u2 = uTrial();
        const z = Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
        trialSteps[k] = jitterStep(O, D, config.noisePattern, z, dt) - 1;
      }
      // (4) modulator and gate.
      const r = rewarded[pat] ? 1 : 0;
      circuit.m = H * r;
      if (config.stopLearning === 'number_success') circuit.g = success[pat] > config.numSuccessParams ? 0 : 1;
      else if (config.stopLearning === 'exponential_trace') circuit.g = err;
      else circuit.g = 1;
      // (5) presentation.
      const stim = quietPhase ? uTrial() < config.stimRecall : true;
      // (6) the trial.
      if (stim) circuit.setPattern(inputs[pat], trialSteps);
      else circuit.patCount = 0;
      onSegment?.('trial', circuit);
      const n = circuit.run(D, true);
      // (7) train accuracy.
      const t = iteration;
      training.iteration[t] = iteration;
      training.phase[t] = ph;
      training.pattern[t] = pat;
      training.presented[t] = stim ? 1 : 0;
      training.msnSpikes[t] = n;
      training.accuracy[t] = NaN;
      if (stim) {
        const ok = n >= 1 === rewarded[pat];
        training.accuracy[t] = ok ? 1 : 0;
        // (8) stop-learning state.
        if (config.stopLearning === 'number_success') success[pat] = ok ? success[pat] + 1 : 0;
        else if (config.stopLearning === 'exponential_trace') err = (err + (ok ? 0 : 1)) * Math.exp(-dt);
      }
      circuit.m = 0;
      iteration++;
    }
    snapshots.push({ snapshot: `end_${phase}` as DmsSnapshot['snapshot'], iteration, weights: Float64Array.from(circuit.w) });
  }
  runTest(iteration, 'final');
  return {
    nPattern,
    simIndex,
    seed,
    patterns,
    tests,
    training,
    snapshots,
    stepsDense: circuit.denseSteps,
    stepsJumped: circuit.jumpedSteps,
  };
}
