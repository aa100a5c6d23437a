/**
 * One thread's share of a training iteration: recurrent noise for its trials, the forward
 * pass on the engine kernel, the backward pass as per-chunk sums, and its accuracy counts.
 * The same function runs in-process (one thread) and in the worker threads.
 */
import { GRAD_CHUNK, StspRnn, type ChunkGradients, type StspVariables } from '../../models/stsp_rnn.js';
import { networkConfig, rnnNoise } from './network.js';
import type { Par } from './parameters.js';
import { perfCounts, type PerfCounts } from './perf.js';

/** What a shard needs besides the network's parameters. */
export interface ShardJob {
  vars: StspVariables;
  seed: number;
  iteration: number;
  /** Whole batch size (normalises the loss) and this shard's trials [b0, b1). */
  batchSize: number;
  b0: number;
  b1: number;
  /** This shard's input `[T, b1−b0, n_in]`, targets `[T, b1−b0, 3]` and mask `[T, b1−b0]`. */
  input: Float32Array;
  target: Float32Array;
  mask: Float32Array;
}

export interface ShardResult {
  chunks: ChunkGradients[];
  counts: PerfCounts;
  /** Σh per gradient chunk (added in trial order by the caller, like the gradients). */
  sumH: number[];
}

/** Runs one shard with the network of `par`. */
export function runShard(par: Par, job: ShardJob): ShardResult {
  const cfg = networkConfig(par);
  const net = new StspRnn(cfg, job.vars, { precision: 'float32' });
  const T = par.num_time_steps;
  const nb = job.b1 - job.b0;
  const noise = new Float32Array(T * nb * par.n_hidden);
  rnnNoise(par, job.seed, job.iteration, 'train', job.b0, job.b1, noise);
  const tape = net.forward(job.input, T, nb, { noise });
  const chunks = net.backwardChunks(tape, job.target, job.mask, [0, nb], job.batchSize);
  const counts = perfCounts(tape.y, job.target, job.mask, T, nb, par.n_output);
  const N = par.n_hidden;
  const sumH: number[] = [];
  for (let c0 = 0; c0 < nb; c0 += GRAD_CHUNK) {
    const c1 = Math.min(nb, c0 + GRAD_CHUNK);
    let s = 0;
    for (let k = 1; k <= T; k++) for (let q = (k * nb + c0) * N; q < (k * nb + c1) * N; q++) s += tape.h[q];
    sumH.push(s);
  }
  return { chunks, counts, sumH };
}
