/**
 * Training (spec §4): each iteration draws a fresh batch, runs the forward and backward
 * passes (sharded over worker threads, gradients added chunk by chunk in trial order), then
 * masks, clips each variable's gradient to norm clip_max_grad_val and takes an Adam step in
 * the TF1 form. The result does not depend on the number of threads.
 */
import { Worker } from 'node:worker_threads';
import { GRAD_CHUNK, StspRnn, VARIABLE_NAMES, type ChunkGradients, type StspVariables, type VariableName } from '../../models/stsp_rnn.js';
import { buildNetwork } from './network.js';
import type { Par } from './parameters.js';
import { addCounts, getPerf, type PerfCounts } from './perf.js';
import { runShard, type ShardJob, type ShardResult } from './shard.js';
import { generateTrial, type TrialBatch } from './stimulus.js';
import { startModuleWorker } from '../worker-thread.js';

/** Adam moments and step count, per variable. */
export interface AdamState {
  t: number;
  m: Record<VariableName, Float64Array>;
  v: Record<VariableName, Float64Array>;
}

/** Fresh Adam state for a network's variables. */
export function newAdam(vars: StspVariables): AdamState {
  const m = {} as Record<VariableName, Float64Array>;
  const v = {} as Record<VariableName, Float64Array>;
  for (const k of VARIABLE_NAMES) {
    m[k] = new Float64Array(vars[k].length);
    v[k] = new Float64Array(vars[k].length);
  }
  return { t: 0, m, v };
}

/** Clips each gradient to norm ≤ c, then one Adam step (TF1 form) on every variable. */
export function adamStep(par: Par, vars: StspVariables, grads: Record<VariableName, Float64Array>, st: AdamState): void {
  const c = par.clip_max_grad_val;
  const b1 = par.adam_beta1;
  const b2 = par.adam_beta2;
  st.t++;
  const lrT = (par.learning_rate * Math.sqrt(1 - Math.pow(b2, st.t))) / (1 - Math.pow(b1, st.t));
  for (const k of VARIABLE_NAMES) {
    const g = grads[k];
    let n2 = 0;
    for (let q = 0; q < g.length; q++) n2 += g[q] * g[q];
    const scale = c / Math.max(Math.sqrt(n2), c);
    const m = st.m[k];
    const v = st.v[k];
    const w = vars[k];
    for (let q = 0; q < g.length; q++) {
      const gq = g[q] * scale;
      m[q] = b1 * m[q] + (1 - b1) * gq;
      v[q] = b2 * v[q] + (1 - b2) * gq * gq;
      w[q] -= (lrT * m[q]) / (Math.sqrt(v[q]) + par.adam_epsilon);
    }
  }
}

/** The training-batch measures of one iteration (a row of training_curve.arrow). */
export interface CurveRow {
  iteration: number;
  accuracy: number;
  accuracy_match: number;
  accuracy_non_match: number;
  loss: number;
  perf_loss: number;
  spike_loss: number;
  weight_loss: number;
  mean_h: number;
}

/** Runs shards on worker threads (or in-process with one thread). */
export class ShardPool {
  private readonly workers: Worker[] = [];
  private next = 0;
  private readonly pending = new Map<number, { resolve: (r: ShardResult) => void; reject: (e: Error) => void }>();

  constructor(
    private readonly par: Par,
    readonly threads: number,
  ) {
    if (threads > 1) {
      for (let w = 0; w < threads; w++) {
        const worker = startWorker();
        worker.on('message', (msg: { id: number; result?: ShardResult; error?: string }) => {
          const p = this.pending.get(msg.id);
          if (!p) return;
          this.pending.delete(msg.id);
          if (msg.error !== undefined) p.reject(new Error(msg.error));
          else p.resolve(msg.result!);
        });
        worker.on('error', (e) => {
          for (const p of this.pending.values()) p.reject(e);
          this.pending.clear();
        });
        worker.postMessage({ type: 'par', par });
        this.workers.push(worker);
      }
    }
  }

  /** Runs the shards of one batch and returns their results in shard order. */
  async run(jobs: ShardJob[]): Promise<ShardResult[]> {
    if (this.workers.length === 0) return jobs.map((j) => runShard(this.par, j));
    return Promise.all(
      jobs.map(
        (job, s) =>
          new Promise<ShardResult>((resolve, reject) => {
            const id = this.next++;
            this.pending.set(id, { resolve, reject });
            this.workers[s % this.workers.length].postMessage({ type: 'job', id, job }, [job.input.buffer as ArrayBuffer, job.target.buffer as ArrayBuffer, job.mask.buffer as ArrayBuffer]);
          }),
      ),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

function startWorker(): Worker {
  return startModuleWorker(import.meta.url, 'worker');
}

/** Copies trials [b0, b1) of a time-major `[T, B, width]` array. */
export function sliceTrials(src: Float32Array, T: number, B: number, width: number, b0: number, b1: number): Float32Array {
  const nb = b1 - b0;
  const out = new Float32Array(T * nb * width);
  for (let k = 0; k < T; k++) out.set(src.subarray((k * B + b0) * width, (k * B + b1) * width), k * nb * width);
  return out;
}

/** Splits B trials into `threads` shards on chunk boundaries. */
export function shardBounds(B: number, threads: number): Array<[number, number]> {
  const nChunks = Math.ceil(B / GRAD_CHUNK);
  const out: Array<[number, number]> = [];
  let c = 0;
  for (let s = 0; s < threads; s++) {
    const n = Math.floor(nChunks / threads) + (s < nChunks % threads ? 1 : 0);
    if (n === 0) continue;
    out.push([c * GRAD_CHUNK, Math.min(B, (c + n) * GRAD_CHUNK)]);
    c += n;
  }
  return out;
}

/** One training iteration on a generated batch: gradients, Adam step, the batch's measures. */
export async function trainStep(par: Par, net: StspRnn, adam: AdamState, pool: ShardPool, trials: TrialBatch, seed: number, iteration: number): Promise<CurveRow> {
  const B = trials.batchSize;
  const T = trials.numSteps;
  const jobs: ShardJob[] = shardBounds(B, pool.threads).map(([b0, b1]) => ({
    vars: net.vars,
    seed,
    iteration,
    batchSize: B,
    b0,
    b1,
    input: sliceTrials(trials.neural_input, T, B, par.n_input, b0, b1),
    target: sliceTrials(trials.desired_output, T, B, par.n_output, b0, b1),
    mask: sliceTrials(trials.train_mask, T, B, 1, b0, b1),
  }));
  const results = await pool.run(jobs);
  const chunks: ChunkGradients[] = results.flatMap((r) => r.chunks);
  const g = net.gradientsFromChunks(chunks);
  let counts: PerfCounts = results[0].counts;
  for (let s = 1; s < results.length; s++) counts = addCounts(counts, results[s].counts);
  let sumH = 0;
  for (const r of results) for (const v of r.sumH) sumH += v;
  if (!Number.isFinite(g.loss)) throw new Error(`training diverged at iteration ${iteration}: the loss is ${g.loss}; lower --lr or raise --spike-cost.`);
  adamStep(par, net.vars, g, adam);
  const perf = getPerf(counts);
  return {
    iteration,
    ...perf,
    loss: g.loss,
    perf_loss: g.perf_loss,
    spike_loss: g.spike_loss,
    weight_loss: g.weight_loss,
    mean_h: sumH / (T * B * par.n_hidden),
  };
}

/** Options of {@link train}. */
export interface TrainOptions {
  seed: number;
  iterations: number;
  threads: number;
  /** Stop once the training-batch accuracy reaches this value (null: never). */
  stopAtAccuracy?: number | null;
  /** Continue from this network and Adam state (iterations are counted from `startIteration`). */
  resume?: { net: StspRnn; adam: AdamState; startIteration: number };
  onIteration?(row: CurveRow, secondsPerIteration: number): void;
}

export interface TrainResult {
  net: StspRnn;
  adam: AdamState;
  curve: CurveRow[];
  /** Iterations run in total (including resumed ones). */
  iterations: number;
  trainWallTimeS: number;
}

/** Trains a network on `par`'s task. */
export async function train(par: Par, o: TrainOptions): Promise<TrainResult> {
  const net = o.resume?.net ?? buildNetwork(par, o.seed, 'float32');
  const adam = o.resume?.adam ?? newAdam(net.vars);
  const start = o.resume?.startIteration ?? 0;
  const pool = new ShardPool(par, o.threads);
  const curve: CurveRow[] = [];
  const t0 = performance.now();
  let it = start;
  try {
    // The next batch is generated while the threads work on the current one.
    let nextTrials = generateTrial(par, { batchSize: par.batch_size, seed: o.seed, iteration: it });
    for (; it < start + o.iterations; it++) {
      const trials = nextTrials;
      const stepP = trainStep(par, net, adam, pool, trials, o.seed, it);
      if (it + 1 < start + o.iterations) nextTrials = generateTrial(par, { batchSize: par.batch_size, seed: o.seed, iteration: it + 1 });
      const row = await stepP;
      curve.push(row);
      o.onIteration?.(row, (performance.now() - t0) / 1000 / (it - start + 1));
      if (o.stopAtAccuracy != null && row.accuracy >= o.stopAtAccuracy) {
        it++;
        break;
      }
    }
  } finally {
    await pool.close();
  }
  return { net, adam, curve, iterations: it, trainWallTimeS: (performance.now() - t0) / 1000 };
}
