/**
 * The hand-derived BPTT of models/stsp_rnn.ts against central finite differences in float64
 * (spec §8 gradient check): N = 6 (5 E, 1 I), 4 inputs, 30 steps, 3 trials, full STSP,
 * weight_cost 0.01, mask values {0, 1, 2}, raw weights with |w| ≥ 1e-3 and some negative.
 * Every scalar of every variable is perturbed by ±1e-6; a variable passes when
 * ‖g − g_fd‖₂ / max(‖g‖₂, ‖g_fd‖₂) < 1e-5. The forward pass is first checked against a plain
 * re-implementation written here, which also confirms no ReLU or clamp input lies within 1e-6
 * of its kink (a finite difference across a kink would not measure the derivative).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import seedrandom from 'seedrandom';
import { StspRnn, lossOf, VARIABLE_NAMES, type StspRnnConfig, type StspVariables } from '../models/stsp_rnn.js';

const N = 6;
const NE = 5;
const NIN = 4;
const NOUT = 3;
const T = 30;
const B = 3;

function setup(withStp: boolean, seed: string) {
  const rnd = seedrandom.alea(seed);
  const sign = new Float64Array(N).map((_, i) => (i < NE ? 1 : -1));
  const dynamic = new Uint8Array(N).fill(1);
  const U = new Float64Array(N).map((_, i) => (i % 2 === 0 ? 0.15 : 0.45));
  const alphaX = new Float64Array(N).map((_, i) => (i % 2 === 0 ? 10 / 200 : 10 / 1500));
  const alphaU = new Float64Array(N).map((_, i) => (i % 2 === 0 ? 10 / 1500 : 10 / 200));
  const maskRec = new Float64Array(N * N).map((_, q) => (Math.floor(q / N) === q % N ? 0 : 1));
  const maskOut = new Float64Array(N * NOUT).map((_, q) => (Math.floor(q / NOUT) < NE ? 1 : 0));
  const cfg: StspRnnConfig = {
    nHidden: N,
    nInput: NIN,
    nOutput: NOUT,
    alpha: 0.1,
    dtSec: 0.01,
    noiseRnn: 0.2236,
    sign,
    stp: withStp ? { dynamic, U, alphaX, alphaU } : null,
    maskIn: new Float64Array(NIN * N).fill(1),
    maskRec,
    maskOut,
    spikeCost: 0.02,
    spikeRegularization: 'L2',
    weightCost: 0.01,
  };
  // Raw weights: magnitude in [1e-3 + …], about a quarter negative (ReLU-gated off).
  const raw = (n: number, scale: number) =>
    new Float64Array(n).map(() => {
      const m = 1e-3 + scale * rnd();
      return rnd() < 0.25 ? -m : m;
    });
  const vars: StspVariables = {
    h: new Float64Array(N).map(() => 0.05 + 0.2 * rnd()),
    w_in: raw(NIN * N, 1.5),
    w_rnn: raw(N * N, 1.0),
    b_rnn: new Float64Array(N).map(() => 0.3 * (rnd() - 0.3)),
    w_out: raw(N * NOUT, 1.0),
    b_out: new Float64Array(NOUT).map(() => 0.2 * (rnd() - 0.5)),
  };
  const input = new Float64Array(T * B * NIN).map(() => (rnd() < 0.3 ? 0 : 2 * rnd()));
  const noise = new Float64Array(T * B * N).map(() => {
    const u1 = 1 - rnd();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rnd());
  });
  const target = new Float64Array(T * B * NOUT);
  const mask = new Float64Array(T * B);
  for (let k = 0; k < T; k++) for (let b = 0; b < B; b++) {
    target[(k * B + b) * NOUT + (k < 20 ? 0 : 1 + ((b + k) % 2))] = 1;
    mask[k * B + b] = k < 20 ? 1 : k < 23 ? 0 : 2;
  }
  return { cfg, vars, input, noise, target, mask };
}

/** Straightforward forward pass of spec §2 returning the loss and the smallest distance to a kink. */
function reference(cfg: StspRnnConfig, v: StspVariables, input: Float64Array, noise: Float64Array, target: Float64Array, mask: Float64Array) {
  const relu = (z: number) => Math.max(0, z);
  let kink = Infinity;
  let perf = 0;
  let spike = 0;
  for (let b = 0; b < B; b++) {
    let h = Array.from(v.h);
    let x = new Array(N).fill(1);
    let u = Array.from({ length: N }, (_, i) => (cfg.stp ? cfg.stp.U[i] : 1));
    for (let k = 0; k < T; k++) {
      const p = new Array(N);
      const xn = new Array(N);
      const un = new Array(N);
      for (let i = 0; i < N; i++) {
        if (cfg.stp) {
          const s = cfg.stp;
          const xt = x[i] + (s.alphaX[i] * (1 - x[i]) - cfg.dtSec * u[i] * x[i] * h[i]);
          const ut = u[i] + (s.alphaU[i] * (s.U[i] - u[i]) + cfg.dtSec * s.U[i] * (1 - u[i]) * h[i]);
          kink = Math.min(kink, Math.abs(xt), Math.abs(1 - xt), Math.abs(ut), Math.abs(1 - ut));
          xn[i] = Math.min(1, Math.max(0, xt));
          un[i] = Math.min(1, Math.max(0, ut));
          p[i] = un[i] * xn[i] * h[i];
        } else p[i] = h[i];
      }
      const hn = new Array(N);
      for (let j = 0; j < N; j++) {
        let s = v.b_rnn[j];
        for (let c = 0; c < NIN; c++) s += input[(k * B + b) * NIN + c] * relu(v.w_in[c * N + j]) * cfg.maskIn[c * N + j];
        for (let i = 0; i < N; i++) s += p[i] * cfg.sign[i] * relu(v.w_rnn[i * N + j]) * cfg.maskRec[i * N + j];
        const a = (1 - cfg.alpha) * h[j] + cfg.alpha * s + cfg.noiseRnn * noise[(k * B + b) * N + j];
        kink = Math.min(kink, Math.abs(a));
        hn[j] = relu(a);
        spike += hn[j] * hn[j];
      }
      const y = new Array(NOUT);
      for (let o = 0; o < NOUT; o++) {
        y[o] = v.b_out[o];
        for (let j = 0; j < N; j++) y[o] += hn[j] * relu(v.w_out[j * NOUT + o]) * cfg.maskOut[j * NOUT + o];
      }
      const mx = Math.max(...y);
      const lz = mx + Math.log(y.reduce((a: number, c: number) => a + Math.exp(c - mx), 0));
      for (let o = 0; o < NOUT; o++) perf -= mask[k * B + b] * target[(k * B + b) * NOUT + o] * (y[o] - lz);
      h = hn;
      if (cfg.stp) {
        x = xn;
        u = un;
      }
    }
  }
  let w = 0;
  for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) {
    const r = relu(cfg.sign[i] * relu(v.w_rnn[i * N + j]) * cfg.maskRec[i * N + j]);
    w += r * r;
  }
  for (const arr of [v.w_in, v.w_rnn, v.w_out]) for (const z of arr) kink = Math.min(kink, Math.abs(z));
  return { loss: perf / (T * B) + (cfg.spikeCost * spike) / (T * B * N) + (cfg.weightCost * w) / (N * N), kink };
}

for (const withStp of [true, false]) {
  test(`BPTT gradients match central finite differences (${withStp ? 'full STSP' : 'no STSP'})`, () => {
    const { cfg, vars, input, noise, target, mask } = setup(withStp, withStp ? 'grad-stp' : 'grad-nostpe');
    const net = new StspRnn(cfg, vars, { precision: 'float64' });
    const tape = net.forward(input, T, B, { noise });
    const ref = reference(cfg, vars, input, noise, target, mask);
    const loss = lossOf(net, tape, target, mask);
    assert.ok(Math.abs(loss - ref.loss) < 1e-12 * Math.max(1, Math.abs(ref.loss)), `forward loss ${loss} vs reference ${ref.loss}`);
    assert.ok(ref.kink > 1e-5, `an input lies ${ref.kink} from a kink; change the setup`);
    const g = net.backward(tape, target, mask);
    assert.ok(Math.abs(g.loss - ref.loss) < 1e-12, `loss reported by backward ${g.loss} vs ${ref.loss}`);
    // Some active excitatory and inhibitory traffic, so the check covers every path.
    let active = 0;
    for (let q = B * N; q < tape.h.length; q++) if (tape.h[q] > 0) active++;
    assert.ok(active > 0.3 * T * B * N && active < T * B * N, `active fraction ${active / (T * B * N)}`);
    const eps = 1e-6;
    for (const name of VARIABLE_NAMES) {
      const arr = vars[name];
      const fd = new Float64Array(arr.length);
      for (let q = 0; q < arr.length; q++) {
        const keep = arr[q];
        arr[q] = keep + eps;
        const lp = reference(cfg, vars, input, noise, target, mask).loss;
        arr[q] = keep - eps;
        const lm = reference(cfg, vars, input, noise, target, mask).loss;
        arr[q] = keep;
        fd[q] = (lp - lm) / (2 * eps);
      }
      const an = g[name];
      let diff = 0;
      let na = 0;
      let nf = 0;
      for (let q = 0; q < arr.length; q++) {
        diff += (an[q] - fd[q]) ** 2;
        na += an[q] ** 2;
        nf += fd[q] ** 2;
      }
      const rel = Math.sqrt(diff) / Math.max(Math.sqrt(na), Math.sqrt(nf));
      assert.ok(na > 0, `${name}: gradient is all zero`);
      assert.ok(rel < 1e-5, `${name}: relative error ${rel}`);
    }
  });
}

test('forward: float32 tape follows the float64 one; engine scheduling equals the plain loop', () => {
  const { cfg, vars, input, noise } = setup(true, 'grad-stp');
  const n64 = new StspRnn(cfg, vars, { precision: 'float64' });
  const n32 = new StspRnn(cfg, vars, { precision: 'float32' });
  const a = n64.forward(input, T, B, { noise });
  const b = n64.forwardDirect(input, T, B, { noise });
  assert.equal(Array.from(a.h), Array.from(b.h));
  const c = n32.forward(input, T, B, { noise });
  let mx = 0;
  for (let q = 0; q < a.h.length; q++) mx = Math.max(mx, Math.abs(a.h[q] - c.h[q]));
  assert.ok(mx < 1e-4, `float32 vs float64 h: ${mx}`);
});

test.run();
