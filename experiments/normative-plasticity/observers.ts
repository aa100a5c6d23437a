/**
 * Per-step observers of training and test trials: the per-trial objective statistics of
 * training, and the test records (every record_res steps) with the per-angle sums the
 * analyses need. Nothing allocates per step.
 */
import type { ArrowColumnWriter } from '../../recorders/arrow-writer.js';
import type { PlasticNet, TrialObserver } from './plastic-net.js';

/** Steps per learning-curve block (10 time units at dt = 0.01). */
export const ALPHA_BLOCK_TIME = 10;

/** Objective statistics of one training trial (steps 1 … T/dt − 1; step 0 excluded). */
export interface TrainTrialStats {
  trial: number;
  phase: number;
  mean_alpha: number;
  mean_alpha_after_transient: number;
  norm_W: number;
  norm_C: number;
  norm_b: number;
  norm_D: number;
  /** Mean α of each block of ALPHA_BLOCK_TIME time units. */
  block_alpha: Float64Array;
}

/** Accumulates α over a training trial. */
export class TrainObserver implements TrialObserver {
  private sum = 0;
  private sumAfter = 0;
  private count = 0;
  private countAfter = 0;
  readonly blockSum: Float64Array;
  readonly blockCount: Float64Array;
  readonly blockSteps: number;

  constructor(private readonly pn: PlasticNet) {
    this.blockSteps = Math.max(1, Math.round(ALPHA_BLOCK_TIME / pn.params.dt));
    const nBlocks = Math.ceil(pn.trialSteps / this.blockSteps);
    this.blockSum = new Float64Array(nBlocks);
    this.blockCount = new Float64Array(nBlocks);
  }

  step(j: number): void {
    if (j < 1) return;
    const a = this.pn.readout.s.alpha[0];
    this.sum += a;
    this.count++;
    if (j > this.pn.transientSteps) {
      this.sumAfter += a;
      this.countAfter++;
    }
    const blk = Math.floor(j / this.blockSteps);
    this.blockSum[blk] += a;
    this.blockCount[blk]++;
  }

  /** The statistics of the finished trial. */
  result(trial: number, phase: number): TrainTrialStats {
    const w = this.pn.getWeights();
    const norm = (a: Float64Array) => Math.sqrt(a.reduce((s, x) => s + x * x, 0));
    const block = new Float64Array(this.blockSum.length);
    for (let k = 0; k < block.length; k++) block[k] = this.blockCount[k] > 0 ? this.blockSum[k] / this.blockCount[k] : NaN;
    return {
      trial,
      phase,
      mean_alpha: this.sum / this.count,
      mean_alpha_after_transient: this.countAfter > 0 ? this.sumAfter / this.countAfter : NaN,
      norm_W: norm(w.W),
      norm_C: norm(w.C),
      norm_b: norm(w.b),
      norm_D: norm(w.D),
      block_alpha: block,
    };
  }
}

/**
 * Per-angle sums over the settled test records (the first `settle` steps after each block
 * start are excluded): counts, Σr, Σrrᵀ (upper triangle, mirrored on read), Σo, Σooᵀ, the
 * squared error, log-likelihood and correct classifications, and Σu, Σu² of u = D r (first
 * output, pre-sigmoid).
 */
export class TestSums {
  readonly K = 12;
  readonly count: Float64Array;
  readonly sumR: Float64Array;
  readonly sumRR: Float64Array;
  readonly sumO: Float64Array;
  readonly sumOO: Float64Array;
  readonly sqErr: Float64Array;
  readonly logLik: Float64Array;
  readonly correct: Float64Array;
  readonly sumU: Float64Array;
  readonly sumUU: Float64Array;
  constructor(
    readonly N: number,
    readonly dims: number,
  ) {
    const K = this.K;
    this.count = new Float64Array(K);
    this.sumR = new Float64Array(K * N);
    this.sumRR = new Float64Array(K * N * N);
    this.sumO = new Float64Array(K * dims);
    this.sumOO = new Float64Array(K * dims * dims);
    this.sqErr = new Float64Array(K);
    this.logLik = new Float64Array(K);
    this.correct = new Float64Array(K);
    this.sumU = new Float64Array(K);
    this.sumUU = new Float64Array(K);
  }
}

/** Column layout of the test_records table. */
export function testRecordColumns(N: number, dims: number) {
  return [
    { name: 'trial', type: 'int32' },
    { name: 'step', type: 'int32' },
    { name: 'angle_index', type: 'int32' },
    { name: 't', type: 'float64' },
    { name: 'theta', type: 'float64' },
    { name: 'target', type: 'fsl_float64', size: dims },
    { name: 'o', type: 'fsl_float64', size: dims },
    { name: 'r', type: 'fsl_float64', size: N },
    { name: 'settled', type: 'bool' },
  ] as const;
}

/** Records a test trial every record_res steps into the sums (and the table, if given). */
export class TestObserver implements TrialObserver {
  trial = 0;
  private readonly D: Float64Array;
  private readonly settleSteps: number;
  private readonly blockSteps: number;
  private readonly stepsPerUnit: number;

  constructor(
    private readonly pn: PlasticNet,
    readonly sums: TestSums,
    private readonly table: ArrowColumnWriter | null,
    settleTime = 10,
  ) {
    this.D = pn.getWeights().D;
    this.settleSteps = Math.round(settleTime / pn.params.dt);
    this.blockSteps = Math.round(pn.inputParams.switch_period / pn.params.dt);
    const inv = 1 / pn.params.dt;
    this.stepsPerUnit = Math.abs(inv - Math.round(inv)) < 1e-9 * inv ? Math.round(inv) : 0;
  }

  step(j: number): void {
    const pn = this.pn;
    if (j % pn.params.record_res !== 0) return;
    const N = this.sums.N;
    const dims = this.sums.dims;
    const k = pn.stimulus.angleIndex;
    const r = pn.rates.s.r;
    const o = pn.readout.s.o;
    const target = pn.readout.s.target;
    const theta = pn.input.s.theta[0];
    const settled = j % this.blockSteps >= this.settleSteps;
    const tab = this.table;
    if (tab !== null) {
      const c = tab.cursor;
      const b = tab.buffers;
      b[0][c] = this.trial;
      b[1][c] = j;
      b[2][c] = k;
      b[3][c] = this.stepsPerUnit > 0 ? j / this.stepsPerUnit : j * pn.params.dt;
      b[4][c] = theta;
      for (let d = 0; d < dims; d++) {
        b[5][c * dims + d] = target[d];
        b[6][c * dims + d] = o[d];
      }
      b[7].set(r, c * N);
      b[8][c] = settled ? 1 : 0;
      tab.commit();
    }
    if (!settled) return;
    const s = this.sums;
    s.count[k]++;
    const baseR = k * N;
    const baseRR = k * N * N;
    for (let i = 0; i < N; i++) {
      const x = r[i];
      s.sumR[baseR + i] += x;
      const row = baseRR + i * N;
      for (let l = i; l < N; l++) s.sumRR[row + l] += x * r[l];
    }
    let err = 0;
    for (let d = 0; d < dims; d++) {
      s.sumO[k * dims + d] += o[d];
      for (let e = 0; e < dims; e++) s.sumOO[(k * dims + d) * dims + e] += o[d] * o[e];
      const diff = target[d] - o[d];
      err += diff * diff;
    }
    s.sqErr[k] += err;
    if (dims === 1) {
      const t = target[0];
      const oc = o[0] < 1e-4 ? 1e-4 : o[0] > 1 - 1e-4 ? 1 - 1e-4 : o[0];
      s.logLik[k] += t * Math.log(oc) + (1 - t) * Math.log(1 - oc);
      if ((o[0] > 0.5 ? 1 : 0) === t) s.correct[k]++;
    }
    let u = 0;
    for (let i = 0; i < N; i++) u += this.D[i] * r[i];
    s.sumU[k] += u;
    s.sumUU[k] += u * u;
  }
}
