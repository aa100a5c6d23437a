/**
 * Training and test sessions of the normative-plasticity network: the random streams of a run,
 * the test block schedules, and `trainRun`, which runs a number of training or test trials
 * (spec §3–§4) and returns their records.
 */
import { RandomStream } from '../../engine/rng.js';
import { SimulationError } from '../../engine/errors.js';
import type { ArrowColumnWriter } from '../../recorders/arrow-writer.js';
import type { PlasticNet } from './plastic-net.js';
import { TestObserver, TestSums, TrainObserver, type TrainTrialStats } from './observers.js';

/** How test blocks pick their grid angles. */
export type TestSchedule = 'uniform' | 'balanced';

/** The random streams of one run, keyed "<seed>:<name>" (spec §5). */
export class RunStreams {
  readonly stimulus: RandomStream;
  readonly noise: RandomStream;
  readonly test: RandomStream;
  constructor(readonly seed: number) {
    this.stimulus = new RandomStream(`${seed}:stimulus`);
    this.noise = new RandomStream(`${seed}:noise`);
    this.test = new RandomStream(`${seed}:test`);
  }
  /** The stream of the interim test after training trial `trial`. */
  interim(trial: number): RandomStream {
    return new RandomStream(`${this.seed}:test:${trial}`);
  }
}

/**
 * Grid angles of test blocks: 'uniform' draws each block's index uniformly (the original);
 * 'balanced' walks through seeded random permutations of the 12 indices, so every angle is
 * covered once per 12 blocks.
 */
export class BlockSchedule {
  private perm = new Int32Array(12);
  private pos = 12;
  constructor(
    readonly kind: TestSchedule,
    private readonly rng: RandomStream,
    readonly K = 12,
  ) {
    this.perm = new Int32Array(K);
    this.pos = K;
  }
  /** The indices of the next `n` blocks. */
  next(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let b = 0; b < n; b++) {
      if (this.kind === 'uniform') {
        out[b] = this.rng.int(this.K);
        continue;
      }
      if (this.pos === this.K) {
        for (let k = 0; k < this.K; k++) this.perm[k] = k;
        this.rng.shuffle(this.perm);
        this.pos = 0;
      }
      out[b] = this.perm[this.pos++];
    }
    return out;
  }
}

/** Options of {@link trainRun}, named as the original's train_run. */
export interface TrainRunOptions {
  /** Plasticity on (training trials) or off (test trials). */
  train: boolean;
  /** Training phase 2 (`trial_num_2`) rather than phase 1; recorded in the phase column. */
  train2?: boolean;
  /** Test on the grid angles in blocks (the original's `tuning`). */
  tuning?: boolean;
  /** Stimulus from the Langevin process in real time (the original's `rt_input`). */
  rtInput?: boolean;
  trials: number;
  streams: { stimulus?: RandomStream; noise: RandomStream };
  /** Test: the block schedule (drawing from the test stream). */
  schedule?: BlockSchedule;
  /** Number of the first trial (training trials are numbered across phases, from 1). */
  firstTrial?: number;
  /** Test: table receiving every record. */
  table?: ArrowColumnWriter | null;
  onProgress?: (trialsDone: number) => void;
  /** Called after each training trial with its statistics. */
  onTrial?: (stats: TrainTrialStats) => void;
}

/** What {@link trainRun} returns. */
export interface TrainRunResult {
  train: TrainTrialStats[];
  test: TestSums | null;
  /** The decoder of the test (row-major). */
  testD: Float64Array | null;
}

/** Runs `trials` training or test trials. */
export function trainRun(pn: PlasticNet, o: TrainRunOptions): TrainRunResult {
  const first = o.firstTrial ?? 1;
  const progress = (t: number) => (o.onProgress ? (f: number) => o.onProgress!(t + f) : undefined);
  if (o.train) {
    if (o.rtInput === false) throw new SimulationError('invalid_value', 'training draws its stimulus from the Langevin process in real time; pass rtInput: true or leave it out.');
    if (pn.initial === null) pn.initial = pn.getWeights();
    const stats: TrainTrialStats[] = [];
    for (let t = 0; t < o.trials; t++) {
      const obs = new TrainObserver(pn);
      pn.runTrial({ train: true, stimulus: o.streams.stimulus, noise: o.streams.noise, observer: obs, onProgress: progress(t) });
      const s = obs.result(first + t, o.train2 ? 2 : 1);
      stats.push(s);
      o.onTrial?.(s);
      o.onProgress?.(t + 1);
    }
    return { train: stats, test: null, testD: null };
  }
  if (o.schedule === undefined) throw new SimulationError('invalid_value', 'a test needs a block schedule (new BlockSchedule(kind, stream)).');
  const sums = new TestSums(pn.params.N, pn.params.target_dim);
  const obs = new TestObserver(pn, sums, o.table ?? null);
  const nBlocks = Math.round(pn.params.T / pn.inputParams.switch_period);
  for (let t = 0; t < o.trials; t++) {
    obs.trial = first + t;
    pn.runTrial({ train: false, blockAngles: o.schedule.next(nBlocks), noise: o.streams.noise, observer: obs, onProgress: progress(t) });
    o.onProgress?.(t + 1);
  }
  return { train: [], test: sums, testD: pn.getWeights().D };
}
