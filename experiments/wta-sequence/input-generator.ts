/**
 * Input of the wta-sequence experiment: frozen Poisson patterns embedded in Poisson noise.
 *
 * A run alternates noise phases and pattern sequences, starting with noise. Every channel
 * spikes independently per 1 ms step: with p = 1 − e^{−rNoise·dt} in noise phases; during a
 * pattern, the frozen pattern's spike is OR-ed with extra noise at p = 1 − e^{−rNoisePattern·dt}.
 * Rates are in Hz and durations in ms; probabilities and the frozen spike times use dt in s.
 *
 * Randomness and its order (this order defines reproducibility for a given seed):
 * - Stream 'patterns' (drawn once, when the frozen patterns are made): for pattern p = 0, 1, …
 *   and channel c = 0, 1, …, exponential intervals −ln(1−U)/rInput are drawn and accumulated
 *   until the sum reaches tPattern (in s); the draw that crosses it is consumed and dropped.
 * - Stream 'input' (the run's own stream; test generators get their own name):
 *   1. At the start of every noise phase: one U for its duration, T = lo + (hi − lo)·U ms.
 *      Then the plan of the sequence that follows it (2.).
 *   2. Plan of a sequence (at the start of the preceding noise phase, or at the sequence start
 *      when `useNoise` is false): the choice of the sequence, then one U for the time warp,
 *      warp = lo + (hi − lo)·U (drawn even when the range is a single value). The choice draws:
 *      'random_switching' one U (switch if U < pSwitch) and, on a switch with two or more
 *      sequences, one U that picks one of the other sequences uniformly; 'random_iterate' one U
 *      (advance cyclically if U < pSwitch); 'random_ind' one U (categorical `sprob` by
 *      inversion); 'alternating' none. The first sequence of a run is `startSequence` without
 *      any draw when that option is set; otherwise it is drawn for 'random_ind' and is
 *      sequence 0 for the other modes.
 *   3. Every step, after any phase change: one U per channel in ascending channel order,
 *      spike if U < p, where p is the noise probability of the phase. No U is drawn when that
 *      rate is 0.
 */
import { RandomStream, RandomStreams } from '../../engine/rng.js';
import { InputKind, type InputSource, type Phase } from './types.js';

/** How the next pattern sequence is chosen after a sequence. */
export type PatternMode = 'random_switching' | 'alternating' | 'random_ind' | 'random_iterate';

/** Options of {@link InputGenerator} (rates in Hz, durations in ms). */
export interface InputGeneratorOptions {
  /** Channel rate in noise phases (Hz). */
  rNoise: number;
  /** Rate of the frozen Poisson patterns (Hz). */
  rInput: number;
  /** Rate of the extra noise OR-ed into patterns (Hz). The original code's `rNoise`. */
  rNoisePattern: number;
  /** Number of frozen patterns. */
  nPatterns: number;
  /** Pattern durations (ms), one per pattern; a single value applies to all. */
  tPattern: number[];
  /** The sequences of pattern ids that are presented; a sequence's patterns run back to back. */
  patternSequences: number[][];
  /** How the sequence after a sequence is chosen. */
  patternMode: PatternMode;
  /** Switch probability for 'random_switching' and 'random_iterate'. */
  pSwitch: number;
  /** Sequence probabilities for 'random_ind' (normalised; default uniform). */
  sprob?: number[];
  /** Noise phase duration range [lo, hi] (ms), drawn uniformly. */
  tNoiseRange: [number, number];
  /** Time-warp factor range [lo, hi], drawn uniformly per sequence. */
  timeWarpRange: [number, number];
  /** Noise phases between sequences; without them sequences follow each other directly. */
  useNoise: boolean;
  /** Step (ms). */
  dt: number;
  /** The first sequence of every run (see the module comment on draw order). */
  startSequence?: number;
}

/** Defaults of the experiment (spec §3). */
export const INPUT_DEFAULTS: Readonly<InputGeneratorOptions> = Object.freeze({
  rNoise: 5,
  rInput: 5,
  rNoisePattern: 2,
  nPatterns: 1,
  tPattern: [300],
  patternSequences: [[0], [0]],
  patternMode: 'random_switching' as PatternMode,
  pSwitch: 0.5,
  tNoiseRange: [300, 500] as [number, number],
  timeWarpRange: [1, 1] as [number, number],
  useNoise: true,
  dt: 1,
});

/** Completes partial options with {@link INPUT_DEFAULTS} and checks them. */
export function resolveInputOptions(opts: Partial<InputGeneratorOptions> = {}): InputGeneratorOptions {
  const o: InputGeneratorOptions = {
    ...INPUT_DEFAULTS,
    ...opts,
    tPattern: [...(opts.tPattern ?? INPUT_DEFAULTS.tPattern)],
    patternSequences: (opts.patternSequences ?? INPUT_DEFAULTS.patternSequences).map((s) => [...s]),
    tNoiseRange: [...(opts.tNoiseRange ?? INPUT_DEFAULTS.tNoiseRange)] as [number, number],
    timeWarpRange: [...(opts.timeWarpRange ?? INPUT_DEFAULTS.timeWarpRange)] as [number, number],
  };
  if (opts.sprob) o.sprob = [...opts.sprob];
  const bad = (msg: string): never => {
    throw new RangeError(`InputGenerator: ${msg}`);
  };
  for (const k of ['rNoise', 'rInput', 'rNoisePattern'] as const) {
    if (!(Number.isFinite(o[k]) && o[k] >= 0)) bad(`${k} must be a finite rate >= 0 Hz, got ${o[k]}`);
  }
  if (!(Number.isFinite(o.dt) && o.dt > 0)) bad(`dt must be > 0 ms, got ${o.dt}`);
  if (!(Number.isInteger(o.nPatterns) && o.nPatterns >= 1)) bad(`nPatterns must be an integer >= 1, got ${o.nPatterns}`);
  if (o.tPattern.length === 1 && o.nPatterns > 1) o.tPattern = new Array<number>(o.nPatterns).fill(o.tPattern[0]);
  if (o.tPattern.length !== o.nPatterns) bad(`tPattern needs 1 or nPatterns (${o.nPatterns}) values, got ${o.tPattern.length}`);
  if (o.patternSequences.length === 0) bad('patternSequences must not be empty');
  for (const s of o.patternSequences) {
    if (s.length === 0) bad('a pattern sequence must not be empty');
    for (const p of s) if (!(Number.isInteger(p) && p >= 0 && p < o.nPatterns)) bad(`pattern id ${p} in patternSequences is not in [0, ${o.nPatterns})`);
  }
  const [wLo, wHi] = o.timeWarpRange;
  if (!(wLo > 0 && wHi >= wLo && Number.isFinite(wHi))) bad(`timeWarpRange must satisfy 0 < lo <= hi, got [${wLo}, ${wHi}]`);
  for (const t of o.tPattern) {
    // Every presentation must last at least one step, or a run without noise would not advance.
    if (!(Number.isFinite(t) && Math.floor((wLo * t) / o.dt) >= 1)) bad(`tPattern ${t} ms is shorter than one step at time warp ${wLo}`);
  }
  const [nLo, nHi] = o.tNoiseRange;
  if (!(nLo >= 0 && nHi >= nLo && Number.isFinite(nHi))) bad(`tNoiseRange must satisfy 0 <= lo <= hi, got [${nLo}, ${nHi}]`);
  if (!(o.pSwitch >= 0 && o.pSwitch <= 1)) bad(`pSwitch must be in [0, 1], got ${o.pSwitch}`);
  const modes: PatternMode[] = ['random_switching', 'alternating', 'random_ind', 'random_iterate'];
  if (!modes.includes(o.patternMode)) bad(`patternMode must be one of ${modes.join(', ')}, got '${o.patternMode}'`);
  if (o.sprob !== undefined) {
    if (o.sprob.length !== o.patternSequences.length) bad(`sprob needs one value per sequence (${o.patternSequences.length}), got ${o.sprob.length}`);
    if (!o.sprob.every((v) => v >= 0 && Number.isFinite(v)) || !(o.sprob.reduce((a, b) => a + b, 0) > 0)) bad('sprob values must be >= 0 with a positive sum');
  }
  if (o.startSequence !== undefined && !(Number.isInteger(o.startSequence) && o.startSequence >= 0 && o.startSequence < o.patternSequences.length)) {
    bad(`startSequence must be a sequence index in [0, ${o.patternSequences.length}), got ${o.startSequence}`);
  }
  return o;
}

/**
 * Frozen Poisson patterns: per pattern and channel, the spike times (s) of one draw of a
 * Poisson train over [0, tPattern). Shared by a training generator and its test generators.
 */
export class FrozenPatterns {
  /**
   * @param nInputs channels
   * @param tPatternMs durations (ms), one per pattern
   * @param times per pattern, all channels' times (s) concatenated in channel order
   * @param offsets per pattern, nInputs + 1 offsets into `times`
   */
  constructor(
    readonly nInputs: number,
    readonly tPatternMs: readonly number[],
    readonly times: readonly Float64Array[],
    readonly offsets: readonly Int32Array[],
  ) {}

  /** Number of patterns. */
  get nPatterns(): number {
    return this.times.length;
  }

  /** Draws the patterns from `rng` in the order given in the module comment. */
  static generate(rng: RandomStream, nInputs: number, tPatternMs: readonly number[], rInput: number): FrozenPatterns {
    const times: Float64Array[] = [];
    const offsets: Int32Array[] = [];
    for (const tMs of tPatternMs) {
      const limit = tMs / 1000;
      const buf: number[] = [];
      const off = new Int32Array(nInputs + 1);
      for (let c = 0; c < nInputs; c++) {
        if (rInput > 0) {
          let s = -Math.log(1 - rng.uniform()) / rInput;
          while (s < limit) {
            buf.push(s);
            s += -Math.log(1 - rng.uniform()) / rInput;
          }
        }
        off[c + 1] = buf.length;
      }
      times.push(Float64Array.from(buf));
      offsets.push(off);
    }
    return new FrozenPatterns(nInputs, [...tPatternMs], times, offsets);
  }

  /** The frozen spike times (s) of channel `c` in pattern `p`. */
  channelTimes(p: number, c: number): Float64Array {
    const off = this.offsets[p];
    return this.times[p].subarray(off[c], off[c + 1]);
  }

  /**
   * Number of steps of pattern `p` at time warp `warp`: floor(warp·tPattern/dt).
   */
  length(p: number, warp: number, dtMs: number): number {
    return Math.floor((warp * this.tPatternMs[p]) / dtMs);
  }

  /**
   * Marks the frozen spikes of pattern `p` at warp `warp` in `mask` (step-major, τ·nInputs + c):
   * channel c spikes at pattern step τ if some frozen time s has s·warp in [τ·dt, (τ+1)·dt).
   * Spikes past the presentation's `len` steps are dropped; several times in a bin give one spike.
   */
  fillMask(p: number, warp: number, dtMs: number, len: number, mask: Uint8Array): void {
    const n = this.nInputs;
    const dt = dtMs / 1000;
    const times = this.times[p];
    const off = this.offsets[p];
    mask.fill(0, 0, len * n);
    for (let c = 0; c < n; c++) {
      for (let j = off[c]; j < off[c + 1]; j++) {
        const x = times[j] * warp;
        // floor(x/dt) can land one bin off the products tau·dt the bin test is written with.
        let tau = Math.floor(x / dt);
        while (tau > 0 && x < tau * dt) tau--;
        while (x >= (tau + 1) * dt) tau++;
        if (tau >= 0 && tau < len) mask[tau * n + c] = 1;
      }
    }
  }
}

/** The spike steps of every channel of pattern `p` at warp `warp` (ascending, one per bin). */
export function patternSpikeSteps(patterns: FrozenPatterns, p: number, warp = 1, dtMs = 1): number[][] {
  const len = patterns.length(p, warp, dtMs);
  const n = patterns.nInputs;
  const mask = new Uint8Array(len * n);
  patterns.fillMask(p, warp, dtMs, len, mask);
  const out: number[][] = Array.from({ length: n }, () => []);
  for (let t = 0; t < len; t++) for (let c = 0; c < n; c++) if (mask[t * n + c]) out[c].push(t);
  return out;
}

/** Anything with a number of input channels (the wta-sequence network). */
export interface InputTarget {
  readonly nInputs: number;
}

/** Growable Int16 trace. */
class Int16Trace {
  data = new Int16Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const d = new Int16Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.length++] = v;
  }
  view(): Int16Array {
    return this.data.subarray(0, this.length);
  }
}

/**
 * Per-step input of the experiment (spec §3). Call {@link next} once per step from t = 0 of a
 * run; {@link reset} starts a new run. Traces describe the current run.
 */
export class InputGenerator implements InputSource {
  readonly nInputs: number;
  /** Resolved options. */
  readonly options: Readonly<InputGeneratorOptions>;
  /** The frozen patterns (shared with test generators made by {@link forTest}). */
  readonly patterns: FrozenPatterns;

  private readonly streams: RandomStreams;
  private readonly rng: RandomStream;
  private readonly pNoise: number;
  private readonly pPatternNoise: number;

  private step = 0;
  private phaseEnd = 0;
  private inNoise = false;
  private started = false;
  private firstPlan = true;
  // Current sequence and pattern.
  private seq = 0;
  private seqPos = 0;
  private warp = 1;
  private patId = -1;
  private patStart = 0;
  private patLen = 0;
  // Planned next sequence (decided at the start of the noise phase before it).
  private plannedSeq = 0;
  private plannedWarp = 1;
  private mask = new Uint8Array(0);

  private readonly chanBuf: Int32Array;
  private readonly kindBuf: Int8Array;
  private readonly chanViews: Int32Array[];
  private readonly kindViews: Int8Array[];
  private count = 0;

  private readonly pTrace = new Int16Trace();
  private readonly sTrace = new Int16Trace();
  private readonly phaseList: Phase[] = [];
  private readonly nextLen: number[] = [];

  /**
   * @param target provides the number of input channels
   * @param streams the simulation's random streams; patterns come from 'patterns', the run
   *   from `options.stream` (default 'input')
   * @param options experiment options (defaults {@link INPUT_DEFAULTS}); `patterns` reuses
   *   existing frozen patterns instead of drawing new ones
   */
  constructor(
    target: InputTarget,
    streams: RandomStreams,
    options: Partial<InputGeneratorOptions> & { patterns?: FrozenPatterns; stream?: string } = {},
  ) {
    const { patterns, stream, ...rest } = options;
    const n = target.nInputs;
    if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`InputGenerator: nInputs must be an integer >= 0, got ${n}`);
    this.nInputs = n;
    this.options = Object.freeze(resolveInputOptions(rest));
    this.streams = streams;
    const o = this.options;
    if (patterns) {
      if (patterns.nInputs !== n || patterns.nPatterns !== o.nPatterns) {
        throw new RangeError(`InputGenerator: shared patterns have ${patterns.nPatterns} patterns × ${patterns.nInputs} channels, expected ${o.nPatterns} × ${n}`);
      }
      for (let p = 0; p < o.nPatterns; p++) {
        if (patterns.tPatternMs[p] !== o.tPattern[p]) throw new RangeError(`InputGenerator: shared pattern ${p} lasts ${patterns.tPatternMs[p]} ms, expected ${o.tPattern[p]} ms`);
      }
      this.patterns = patterns;
    } else {
      this.patterns = FrozenPatterns.generate(streams.stream('patterns'), n, o.tPattern, o.rInput);
    }
    this.rng = streams.stream(stream ?? 'input');
    const dtS = o.dt / 1000;
    this.pNoise = 1 - Math.exp(-o.rNoise * dtS);
    this.pPatternNoise = 1 - Math.exp(-o.rNoisePattern * dtS);
    this.chanBuf = new Int32Array(n);
    this.kindBuf = new Int8Array(n);
    // One view per possible count, so a step hands out its spikes without allocating.
    this.chanViews = Array.from({ length: n + 1 }, (_, k) => this.chanBuf.subarray(0, k));
    this.kindViews = Array.from({ length: n + 1 }, (_, k) => this.kindBuf.subarray(0, k));
    this.reset();
  }

  /**
   * A test generator (spec §3): the same frozen patterns, mode 'alternating', pSwitch 1,
   * starting with sequence itest % (number of sequences). It draws from its own stream,
   * `streamName` (default `input/test<itest>`); give two test runs with the same itest
   * distinct names if their noise should differ.
   */
  forTest(itest: number, streamName = `input/test${itest}`, overrides: Partial<InputGeneratorOptions> = {}): InputGenerator {
    const nSeq = this.options.patternSequences.length;
    return new InputGenerator({ nInputs: this.nInputs }, this.streams, {
      ...this.options,
      patternMode: 'alternating',
      pSwitch: 1,
      startSequence: ((itest % nSeq) + nSeq) % nSeq,
      ...overrides,
      patterns: this.patterns,
      stream: streamName,
    });
  }

  /** Starts a new run at t = 0 (with a noise phase). The random stream continues. */
  reset(): void {
    this.step = 0;
    this.phaseEnd = 0;
    this.started = false;
    this.firstPlan = true;
    this.inNoise = false;
    this.seq = this.options.startSequence ?? 0;
    this.count = 0;
    this.pTrace.length = 0;
    this.sTrace.length = 0;
    this.phaseList.length = 0;
    this.nextLen.length = 0;
  }

  /** Steps generated in the current run. */
  get t(): number {
    return this.step;
  }

  /**
   * The channels spiking at step t (ascending). `t` must be the next step of the run
   * (0, 1, 2, …). The returned array is reused by the next call.
   */
  next(t: number): Int32Array {
    if (t !== this.step) throw new RangeError(`InputGenerator.next: expected step ${this.step}, got ${t} (steps must be consecutive from 0; call reset() for a new run)`);
    while (!this.started || t === this.phaseEnd) this.advancePhase();
    const n = this.nInputs;
    const u = this.rng.uniform;
    const chans = this.chanBuf;
    const kinds = this.kindBuf;
    let k = 0;
    if (this.inNoise) {
      const p = this.pNoise;
      if (p > 0) {
        for (let c = 0; c < n; c++) {
          if (u() < p) {
            chans[k] = c;
            kinds[k++] = InputKind.Noise;
          }
        }
      }
      this.pTrace.push(-1);
      this.sTrace.push(-1);
    } else {
      const p = this.pPatternNoise;
      const row = (t - this.patStart) * n;
      const mask = this.mask;
      for (let c = 0; c < n; c++) {
        const noise = p > 0 && u() < p;
        if (mask[row + c]) {
          chans[k] = c;
          kinds[k++] = InputKind.Pattern;
        } else if (noise) {
          chans[k] = c;
          kinds[k++] = InputKind.PatternNoise;
        }
      }
      this.pTrace.push(this.patId);
      this.sTrace.push(this.seq);
    }
    this.count = k;
    this.step = t + 1;
    return this.chanViews[k];
  }

  /** Kinds (see `InputKind`) of the channels returned by the last {@link next}, index for index. */
  get kinds(): Int8Array {
    return this.kindViews[this.count];
  }

  /** Pattern id per step of the run so far (−1 = noise). */
  get patternTrace(): Int16Array {
    return this.pTrace.view();
  }

  /** Sequence id per step of the run so far (−1 = noise). */
  get sequenceTrace(): Int16Array {
    return this.sTrace.view();
  }

  /**
   * Phases of the run begun so far: noise phases and single pattern presentations, each
   * [start, end) in steps. The last one may end after the last step generated.
   */
  get phaseTimes(): readonly Phase[] {
    return this.phaseList;
  }

  /**
   * Per phase (index for index with {@link phaseTimes}), the length in steps of the next
   * pattern presentation: its own for a pattern phase, the following one for a noise phase.
   */
  get nextPatternLength(): readonly number[] {
    return this.nextLen;
  }

  /** Whether the step last generated is in a noise phase. */
  get isNoise(): boolean {
    return this.inNoise;
  }

  private advancePhase(): void {
    const o = this.options;
    if (!this.started) {
      this.started = true;
      if (o.useNoise) {
        this.startNoise();
        return;
      }
      this.planSequence();
      this.startSequence();
      return;
    }
    if (this.inNoise) {
      this.startSequence();
      return;
    }
    const seq = o.patternSequences[this.seq];
    if (this.seqPos + 1 < seq.length) {
      this.startPattern(this.seqPos + 1);
      return;
    }
    if (o.useNoise) {
      this.startNoise();
    } else {
      this.planSequence();
      this.startSequence();
    }
  }

  private startNoise(): void {
    const o = this.options;
    const [lo, hi] = o.tNoiseRange;
    const T = lo + (hi - lo) * this.rng.uniform();
    const len = Math.floor(T / o.dt);
    this.planSequence();
    if (len <= 0) {
      // A zero-length noise phase leaves nothing to record: the sequence starts right away.
      this.startSequence();
      return;
    }
    this.inNoise = true;
    const start = this.step;
    this.phaseEnd = start + len;
    this.phaseList.push({ start, end: start + len, patternId: -1, sequenceId: -1 });
    const firstPattern = o.patternSequences[this.plannedSeq][0];
    this.nextLen.push(this.patterns.length(firstPattern, this.plannedWarp, o.dt));
  }

  /** Chooses the next sequence and its warp (draw order: module comment, item 2). */
  private planSequence(): void {
    const o = this.options;
    const nSeq = o.patternSequences.length;
    const u = this.rng.uniform;
    let s = this.seq;
    if (this.firstPlan && o.startSequence !== undefined) {
      s = o.startSequence;
    } else if (o.patternMode === 'random_ind') {
      s = this.drawCategorical();
    } else if (this.firstPlan) {
      s = 0;
    } else if (o.patternMode === 'alternating') {
      s = (s + 1) % nSeq;
    } else if (o.patternMode === 'random_iterate') {
      if (u() < o.pSwitch) s = (s + 1) % nSeq;
    } else {
      // random_switching: another sequence, uniformly among the others.
      if (u() < o.pSwitch && nSeq > 1) {
        const j = Math.floor(u() * (nSeq - 1));
        s = j >= s ? j + 1 : j;
      }
    }
    this.firstPlan = false;
    this.plannedSeq = s;
    const [wLo, wHi] = o.timeWarpRange;
    this.plannedWarp = wLo + (wHi - wLo) * u();
  }

  private drawCategorical(): number {
    const o = this.options;
    const nSeq = o.patternSequences.length;
    const w = o.sprob ?? new Array<number>(nSeq).fill(1);
    let total = 0;
    for (const v of w) total += v;
    let x = this.rng.uniform() * total;
    for (let i = 0; i < nSeq; i++) {
      x -= w[i];
      if (x < 0 && w[i] > 0) return i;
    }
    // Rounding left x at or just above 0: the last sequence with weight.
    for (let i = nSeq - 1; i >= 0; i--) if (w[i] > 0) return i;
    return 0;
  }

  private startSequence(): void {
    this.seq = this.plannedSeq;
    this.warp = this.plannedWarp;
    this.startPattern(0);
  }

  private startPattern(pos: number): void {
    const o = this.options;
    this.inNoise = false;
    this.seqPos = pos;
    const pid = o.patternSequences[this.seq][pos];
    const len = this.patterns.length(pid, this.warp, o.dt);
    const need = len * this.nInputs;
    if (this.mask.length < need) this.mask = new Uint8Array(need);
    this.patterns.fillMask(pid, this.warp, o.dt, len, this.mask);
    this.patId = pid;
    this.patStart = this.step;
    this.patLen = len;
    this.phaseEnd = this.step + len;
    this.phaseList.push({ start: this.step, end: this.step + len, patternId: pid, sequenceId: this.seq });
    this.nextLen.push(len);
  }

  /** Time warp of the current (or last) sequence. */
  get timeWarp(): number {
    return this.warp;
  }

  /** Length in steps of the current (or last) pattern presentation. */
  get currentPatternLength(): number {
    return this.patLen;
  }
}

/** Options of {@link SpikeTrainInput}. */
export interface SpikeTrainInputOptions {
  /** Number of channels. */
  nInputs: number;
  /** Per channel, the steps at which it spikes (any order; repeats give one spike). */
  spikeSteps: ReadonlyArray<ArrayLike<number>>;
}

/**
 * Replays fixed input spike steps through the {@link InputSource} interface (for forced
 * replays of recorded traces). Every spike has kind `InputKind.Noise`.
 */
export class SpikeTrainInput implements InputSource {
  readonly nInputs: number;
  private readonly evStep: Int32Array;
  private readonly evChan: Int32Array;
  private ptr = 0;
  private step = 0;
  private readonly chanBuf: Int32Array;
  private readonly kindBuf: Int8Array;
  private readonly chanViews: Int32Array[];
  private count = 0;

  constructor(opts: SpikeTrainInputOptions) {
    const { nInputs, spikeSteps } = opts;
    if (!(Number.isInteger(nInputs) && nInputs >= 0)) throw new RangeError(`SpikeTrainInput: nInputs must be an integer >= 0, got ${nInputs}`);
    if (spikeSteps.length !== nInputs) throw new RangeError(`SpikeTrainInput: spikeSteps has ${spikeSteps.length} channels, nInputs is ${nInputs}`);
    const keys: number[] = [];
    for (let c = 0; c < nInputs; c++) {
      const s = spikeSteps[c];
      for (let j = 0; j < s.length; j++) {
        const t = s[j];
        if (!(Number.isSafeInteger(t) && t >= 0)) throw new RangeError(`SpikeTrainInput: channel ${c} has spike step ${t}; steps must be integers >= 0`);
        keys.push(t * nInputs + c);
      }
    }
    keys.sort((a, b) => a - b);
    const uniq = keys.filter((v, i) => i === 0 || v !== keys[i - 1]);
    this.nInputs = nInputs;
    this.evStep = new Int32Array(uniq.length);
    this.evChan = new Int32Array(uniq.length);
    for (let i = 0; i < uniq.length; i++) {
      this.evStep[i] = Math.floor(uniq[i] / nInputs);
      this.evChan[i] = uniq[i] % nInputs;
    }
    this.chanBuf = new Int32Array(nInputs);
    this.kindBuf = new Int8Array(nInputs);
    this.chanViews = Array.from({ length: nInputs + 1 }, (_, k) => this.chanBuf.subarray(0, k));
  }

  /** The channels spiking at step t; steps must be consecutive from 0. */
  next(t: number): Int32Array {
    if (t !== this.step) throw new RangeError(`SpikeTrainInput.next: expected step ${this.step}, got ${t} (call reset() for a new run)`);
    let k = 0;
    while (this.ptr < this.evStep.length && this.evStep[this.ptr] === t) this.chanBuf[k++] = this.evChan[this.ptr++];
    this.count = k;
    this.step = t + 1;
    return this.chanViews[k];
  }

  /** Kinds of the last step's spikes (all `InputKind.Noise`). */
  get kinds(): Int8Array {
    return this.kindBuf.subarray(0, this.count);
  }

  /** Replays from step 0 again. */
  reset(): void {
    this.ptr = 0;
    this.step = 0;
    this.count = 0;
  }
}
