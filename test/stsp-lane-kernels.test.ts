/**
 * The WebAssembly weight products of models/stsp-lane-kernels.ts must reproduce the JavaScript
 * loops of models/stsp_rnn.ts bit for bit. Each case runs the forward pass and the per-chunk
 * backward pass twice, with the kernels and with SPIKEFLOW_NO_WASM=1, and compares every tape
 * array, every gradient sum and the loss terms with Object.is. The random cases cover odd and
 * even sizes (the odd column and odd row of the kernels), a batch that leaves partly filled
 * lanes and two gradient chunks, zero input rows and negative weights; the last case is the
 * stsp-working-memory network itself on a generated DMS batch, in float32 as in training.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import seedrandom from 'seedrandom';
import { laneWorkspace } from '../models/stsp-lane-kernels.js';
import { StspRnn, type ChunkGradients, type Precision, type StspRnnConfig, type StspVariables, type Tape } from '../models/stsp_rnn.js';
import { updateParameters } from '../experiments/stsp-working-memory/parameters.js';
import { buildNetwork, rnnNoise } from '../experiments/stsp-working-memory/network.js';
import { generateTrial } from '../experiments/stsp-working-memory/stimulus.js';

interface Case {
  net: StspRnn;
  input: Float32Array | Float64Array;
  noise: Float32Array | Float64Array;
  target: ArrayLike<number>;
  mask: ArrayLike<number>;
  T: number;
  B: number;
}

interface Outcome {
  tape: Tape;
  chunks: ChunkGradients[];
}

function withWasm<R>(wasm: boolean, f: () => R): R {
  const saved = process.env.SPIKEFLOW_NO_WASM;
  if (wasm) delete process.env.SPIKEFLOW_NO_WASM;
  else process.env.SPIKEFLOW_NO_WASM = '1';
  try {
    return f();
  } finally {
    if (saved === undefined) delete process.env.SPIKEFLOW_NO_WASM;
    else process.env.SPIKEFLOW_NO_WASM = saved;
  }
}

function run(c: Case, wasm: boolean): Outcome {
  return withWasm(wasm, () => {
    const tape = c.net.forward(c.input, c.T, c.B, { noise: c.noise });
    return { tape, chunks: c.net.backwardChunks(tape, c.target, c.mask) };
  });
}

function assertIdentical(name: string, a: ArrayLike<number>, b: ArrayLike<number>): void {
  assert.is(a.length, b.length, `${name}: length`);
  for (let q = 0; q < a.length; q++) {
    if (!Object.is(a[q], b[q])) assert.unreachable(`${name}[${q}]: ${a[q]} with WebAssembly, ${b[q]} without`);
  }
}

function assertSameRun(c: Case): void {
  const w = run(c, true);
  const js = run(c, false);
  for (const key of ['h', 'x', 'u', 'y'] as const) assertIdentical(`tape.${key}`, w.tape[key], js.tape[key]);
  assert.is(w.chunks.length, js.chunks.length);
  w.chunks.forEach((cw, k) => {
    const cj = js.chunks[k];
    for (const key of ['gWin', 'gWrec', 'gWout', 'gB', 'gBout', 'gH0'] as const) assertIdentical(`chunk ${k} ${key}`, cw[key], cj[key]);
    assertIdentical(`chunk ${k} loss terms`, [cw.perf, cw.spike], [cj.perf, cj.spike]);
  });
}

/** A random network of N units (a fifth inhibitory) with STSP, and a batch for it. */
function randomCase(N: number, nIn: number, B: number, T: number, precision: Precision, withStp: boolean, seed: string): Case {
  const rnd = seedrandom.alea(seed);
  const nOut = 3;
  const nE = Math.ceil(0.8 * N);
  const raw = (n: number, scale: number) => new Float64Array(n).map(() => (rnd() < 0.25 ? -1 : 1) * scale * rnd());
  const cfg: StspRnnConfig = {
    nHidden: N,
    nInput: nIn,
    nOutput: nOut,
    alpha: 0.1,
    dtSec: 0.01,
    noiseRnn: 0.1,
    sign: new Float64Array(N).map((_, i) => (i < nE ? 1 : -1)),
    stp: withStp
      ? {
          dynamic: new Uint8Array(N).map((_, i) => (i % 5 === 4 ? 0 : 1)),
          U: new Float64Array(N).map((_, i) => (i % 2 === 0 ? 0.15 : 0.45)),
          alphaX: new Float64Array(N).map((_, i) => (i % 2 === 0 ? 10 / 200 : 10 / 1500)),
          alphaU: new Float64Array(N).map((_, i) => (i % 2 === 0 ? 10 / 1500 : 10 / 200)),
        }
      : null,
    maskIn: new Float64Array(nIn * N).fill(1),
    maskRec: new Float64Array(N * N).map((_, q) => (Math.floor(q / N) === q % N ? 0 : 1)),
    maskOut: new Float64Array(N * nOut).map((_, q) => (Math.floor(q / nOut) < nE ? 1 : 0)),
    spikeCost: 0.02,
    spikeRegularization: 'L2',
    weightCost: 0.01,
  };
  const vars: StspVariables = {
    h: new Float64Array(N).map(() => 0.2 * rnd()),
    w_in: raw(nIn * N, 1),
    w_rnn: raw(N * N, 0.5),
    b_rnn: new Float64Array(N).map(() => 0.3 * (rnd() - 0.5)),
    w_out: raw(N * nOut, 1),
    b_out: new Float64Array(nOut).map(() => 0.2 * (rnd() - 0.5)),
  };
  const alloc = (n: number) => (precision === 'float32' ? new Float32Array(n) : new Float64Array(n));
  // Whole steps without input let the kernels skip rows.
  const input = alloc(T * B * nIn).map((_, q) => (Math.floor(q / (B * nIn)) % 4 === 1 || rnd() < 0.3 ? 0 : 2 * rnd()));
  const noise = alloc(T * B * N).map(() => 2 * rnd() - 1);
  const target = new Float64Array(T * B * nOut);
  const mask = new Float64Array(T * B);
  for (let k = 0; k < T; k++) for (let b = 0; b < B; b++) {
    target[(k * B + b) * nOut + ((b + k) % nOut)] = 1;
    mask[k * B + b] = k % 3 === 0 ? 0 : 1;
  }
  return { net: new StspRnn(cfg, vars, { precision }), input, noise, target, mask, T, B };
}

test('the kernels are available, so the comparisons below exercise them', () => {
  assert.ok(laneWorkspace(7, 5) !== null);
});

test('odd sizes, float64, STSP: WebAssembly products equal the JavaScript loops bit for bit', () => {
  assertSameRun(randomCase(7, 5, 19, 25, 'float64', true, 'odd'));
});

test('even sizes, float32, STSP: WebAssembly products equal the JavaScript loops bit for bit', () => {
  assertSameRun(randomCase(12, 6, 18, 25, 'float32', true, 'even'));
});

test('sizes ≡ 2 and 3 (mod 4), without STSP: WebAssembly products equal the JavaScript loops bit for bit', () => {
  assertSameRun(randomCase(10, 3, 6, 20, 'float64', false, 'mod4'));
  assertSameRun(randomCase(11, 2, 5, 20, 'float32', true, 'mod4b'));
});

test('stsp-working-memory network on a DMS batch (float32): WebAssembly products equal the JavaScript loops bit for bit', () => {
  const B = 20;
  const par = updateParameters({ trial_type: 'DMS', batch_size: B });
  const trials = generateTrial(par, { batchSize: B, seed: 1, iteration: 0 });
  const T = trials.numSteps;
  const noise = new Float32Array(T * B * par.n_hidden);
  rnnNoise(par, 1, 0, 'train', 0, B, noise);
  const net = buildNetwork(par, 1);
  assertSameRun({ net, input: trials.neural_input, noise, target: trials.desired_output, mask: trials.train_mask, T, B });
});

test.run();
