/** The hand-checkable unit cases of the consolidation spec (§8), against closed forms. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Network, RandomStream } from '../../engine/index.js';
import { erfinv, kwtaShift, thresholdEstimate } from '../../models/binary_threshold.js';
import { sdeStep } from '../../models/zfactor_sde.js';
import { ZFactorMatrix, attachFactors, productGradient } from '../../synapses/zfactor.js';
import { LearningState, softminWeights, trainingError } from '../../experiments/consolidation/learning.js';
import { makePatterns } from '../../experiments/consolidation/patterns.js';
import { neuronMeasures } from '../../experiments/consolidation/measures.js';
import { cvRankQmin, dwScalingSlope } from '../../experiments/consolidation/sde-analysis.js';
import { close } from '../helpers.js';

test('threshold estimate: f = 0.5 gives half the row sum; f = 0.05 matches the closed form', () => {
  const th = new Float64Array(1);
  thresholdEstimate([0, 0.2, 0.4, 0.6], 1, 0.5, th);
  // a 1-row matrix of 4 columns: read the row as N = 4 with only row 0 evaluated
  const W4 = new Float64Array(16);
  W4.set([0, 0.2, 0.4, 0.6]);
  const t4 = new Float64Array(4);
  thresholdEstimate(W4, 4, 0.5, t4);
  close(t4[0], 0.6, 1e-15, 'θ at f = 0.5');
  const W3 = new Float64Array(9);
  W3.set([0, 1, 2]);
  const t3 = new Float64Array(3);
  thresholdEstimate(W3, 3, 0.05, t3);
  close(erfinv(0.9), 1.1630871537, 1e-10, 'erfinv(0.9)');
  close(t3[0], 0.9516025015, 1e-9, 'θ at f = 0.05');
});

test('erfinv inverts erf to 1e-12 across (-1, 1)', () => {
  // Reference erf values (Abramowitz & Stegun table 7.1, 15 digits).
  const table: [number, number][] = [
    [0.1, 0.112462916018285],
    [0.5, 0.520499877813047],
    [1.0, 0.842700792949715],
    [2.0, 0.995322265018953],
    [3.0, 0.999977909503001],
  ];
  for (const [x, e] of table) close(erfinv(e), x, 1e-11 * Math.max(1, x * x * 10), `erfinv(erf(${x}))`);
  close(erfinv(-0.520499877813047), -0.5, 1e-12, 'odd symmetry');
  assert.is(erfinv(0), 0);
});

test('product gradient: z = 3 closed form and finite differences; z = 2 one step', () => {
  const u = [2, 3, 5];
  assert.equal(productGradient(u), [15, 10, 6]);
  const eps = 1e-6;
  for (let k = 0; k < 3; k++) {
    const up = u.slice();
    up[k] += eps;
    const dn = u.slice();
    dn[k] -= eps;
    close((up[0] * up[1] * up[2] - dn[0] * dn[1] * dn[2]) / (2 * eps), productGradient(u)[k], 1e-6, `finite difference k=${k}`);
  }
  // N = 2, synapse 0 <- 1 with u = (.5, .2); G = 1, η = 0.1.
  const m = new ZFactorMatrix(2, 2, 1, new Float32Array([0, 0, 0.5, 0.2, 0.3, 0.3, 0, 0]));
  const G = new Float64Array([0, 1, 0, 0]);
  m.applyFactorGradient(G, 0.1);
  m.recomputeWeights();
  close(m.u[2], 0.52, 1e-6, 'u1');
  close(m.u[3], 0.25, 1e-6, 'u2');
  close(m.W[1], 0.13, 1e-6, 'w');
  // z = 3 through the matrix: Δu = η(15, 10, 6).
  const m3 = new ZFactorMatrix(2, 3, 1, new Float32Array([0, 0, 0, 2, 3, 5, 1, 1, 1, 0, 0, 0]));
  m3.applyFactorGradient(new Float64Array([0, 1, 0, 0]), 0.01);
  close(m3.u[3], 2.15, 1e-5, 'z3 u1');
  close(m3.u[4], 3.1, 1e-5, 'z3 u2');
  close(m3.u[5], 5.06, 1e-5, 'z3 u3');
});

test('normalise: c = 2.5, w = (1.6, 0.4), Σu² = zL, idempotent, row ratios kept', () => {
  const m = new ZFactorMatrix(3, 2, 2, new Float32Array([0, 0, 2, 2, 1, 1, /* row 1 */ 1, 1, 0, 0, 1, 1, /* row 2 */ 3, 1, 1, 2, 0, 0]));
  const ratio1 = m.W[1 * 3 + 0] / m.W[1 * 3 + 2];
  const c = m.normalize();
  close(c[0], 2.5, 1e-12, 'c');
  close(m.W[1], 1.6, 1e-6, 'w01');
  close(m.W[2], 0.4, 1e-6, 'w02');
  close(m.W[1] + m.W[2], 2, 1e-6, 'Σw = L');
  for (let i = 0; i < 3; i++) {
    let sq = 0;
    for (let q = i * 6; q < i * 6 + 6; q++) sq += m.u[q] * m.u[q];
    close(sq, 4, 1e-6, `Σu² of row ${i}`);
  }
  close(m.W[3] / m.W[5], ratio1, 1e-6, 'row ratio');
  const before = m.u.slice();
  const c2 = m.normalize();
  for (let i = 0; i < 3; i++) close(c2[i], 1, 1e-6, 'second c');
  for (let q = 0; q < before.length; q++) close(m.u[q], before[q], 1e-6, 'idempotent');
});

test('pruning is absorbing: a factor set to -1 is clipped, never revives, l0 never rises', () => {
  const rng = new RandomStream('prune');
  const n = 6;
  const u = new Float32Array(n * n * 2);
  for (let q = 0; q < u.length; q++) u[q] = 0.1 * (0.7 + 0.6 * rng.uniform());
  const m = new ZFactorMatrix(n, 2, 0.5, u);
  m.zeroDiagonal();
  m.computeMasks();
  m.normalize();
  m.u[(0 * n + 1) * 2] = -1;
  m.clip();
  assert.is(m.u[(0 * n + 1) * 2], 1e-20 > 0 ? Math.fround(1e-20) : 0);
  m.computeMasks();
  assert.is(m.alive[1], 0, 'pruned synapse leaves the mask');
  let l0 = m.density();
  const G = new Float64Array(n * n);
  for (let t = 0; t < 1000; t++) {
    for (let q = 0; q < G.length; q++) G[q] = rng.uniform() - 0.3;
    m.computeMasks();
    m.applyFactorGradient(G, 0.05);
    m.clip();
    m.normalize();
    assert.ok(!(m.W[1] > 1e-10), `synapse 0<-1 revived at update ${t}`);
    const d = m.density();
    assert.ok(d <= l0, `l0 rose from ${l0} to ${d} at update ${t}`);
    l0 = d;
  }
});

test('a neuron that loses all inputs is reported dead, frozen, never NaN', () => {
  const m = new ZFactorMatrix(3, 2, 1, new Float32Array([0, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 0]));
  m.computeMasks();
  const G = new Float64Array(9);
  G[1] = -100;
  G[2] = -100;
  m.applyFactorGradient(G, 1);
  m.clip();
  m.normalize();
  assert.equal(m.deadRows(), [0]);
  for (let q = 0; q < m.u.length; q++) assert.ok(Number.isFinite(m.u[q]));
  const frozen = m.u.slice(0, 6);
  m.computeMasks();
  m.applyFactorGradient(new Float64Array(9).fill(1), 1);
  m.clip();
  m.normalize();
  assert.equal(Array.from(m.u.slice(0, 6)), Array.from(frozen));
});

test('zero field counts half in the error; k-WTA: N = 10, f = 0.2 gives dθ = 2.5 and 2 active', () => {
  const pats = makePatterns(new Uint8Array([1, 0]), 2, 1, 0.5);
  const m = new ZFactorMatrix(2, 1, 1, new Float32Array([0, 1, 1, 0]));
  const h = new Float64Array([0, 0]);
  close(trainingError(m, pats, h), 0.5, 0, 'error at h = 0');
  const hs = Array.from({ length: 10 }, (_, i) => i - 4.5);
  const d = kwtaShift(hs, 10, 0.2, new Float64Array(10));
  close(d, 2.5, 0, 'dθ');
  assert.is(hs.filter((x) => x - d > 0).length, 2);
  // The engine model: fields (0..9) − 4.5 through a zfactor projection, with and without k-WTA.
  const net = new Network({ dt: 1 });
  const pop = net.create('binary_threshold', 10, { kwta: 1, f: 0.2 });
  pop.set({ theta: Array.from({ length: 10 }, (_, i) => 4.5 - i) });
  const proj = net.connect(pop, pop, { rule: 'one_to_one', allow_autapses: true }, { model: 'zfactor', delay: 1 });
  attachFactors(proj, new ZFactorMatrix(10, 1, 1));
  net.simulate(1);
  assert.equal(Array.from(pop.get('s')), [0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
});

test('soft-min: Σ|m| = 1, one-hot at argmin|h| as β grows, shifted equals plain', () => {
  const h = [0.3, -0.2, 0.5, -0.9, 0.25];
  const out = new Float64Array(5);
  softminWeights(h, 0.4, 3, out);
  close(out.reduce((a, b) => a + Math.abs(b), 0), 1, 1e-14, 'Σ|m|');
  let plainTotal = 0;
  const plain = h.map((x) => Math.exp((-3 * Math.abs(x)) / 0.4));
  for (const p of plain) plainTotal += p;
  h.forEach((x, k) => close(out[k], (plain[k] * Math.sign(x)) / plainTotal, 1e-14, `m_${k}`));
  softminWeights(h, 0.4, 1e4, out);
  assert.equal(Array.from(out), [0, -1, 0, 0, 0]);
  // The phase-B rule gives Δθ = −η_θ Σ m.
  const ls = new LearningState(1, 5);
  ls.h.set(h);
  const mat = new ZFactorMatrix(1, 1, 1, new Float32Array([0]));
  mat.dead[0] = 0;
  ls.phaseB(mat, makePatterns(new Uint8Array([1, 0, 1, 0, 1]), 1, 5, 0.5), 3, 0.1);
  softminWeights(h, h.reduce((a, b) => a + Math.abs(b), 0) / 5, 3, out);
  close(ls.dTheta[0], -0.1 * out.reduce((a, b) => a + b, 0), 1e-14, 'Δθ');
});

test('mean-u rescale keeps sgn h, κ, ρ, L23, L24 and sets mean surviving u to 0.1', () => {
  const rng = new RandomStream('rescale');
  const n = 12;
  const z = 2;
  const u = new Float32Array(n * n * z);
  for (let q = 0; q < u.length; q++) u[q] = rng.uniform() < 0.3 ? 1e-20 : 0.5 + rng.uniform();
  const m = new ZFactorMatrix(n, z, 3, u);
  m.zeroDiagonal();
  m.computeMasks();
  const bits = new Uint8Array(n * 4);
  for (let q = 0; q < bits.length; q++) bits[q] = rng.uniform() < 0.5 ? 1 : 0;
  const pats = makePatterns(bits, n, 4, 0.5);
  const theta = new Float64Array(n);
  thresholdEstimate(m.W, n, 0.5, theta);
  for (let i = 0; i < n; i++) theta[i] += rng.uniform() - 0.5;
  const a = neuronMeasures(m, theta, pats);
  m.rescaleToMeanU(theta);
  const b = neuronMeasures(m, theta, pats);
  for (let i = 0; i < n; i++) {
    close(b.error[i], a.error[i], 0, 'error (signs of h)');
    for (const key of ['kappa', 'rho', 'l23', 'l24'] as const) close(b[key][i], a[key][i], 1e-5 * Math.abs(a[key][i]) + 1e-9, `${key} of neuron ${i}`);
    let s = 0;
    let alive = 0;
    for (let j = 0; j < n; j++) {
      if (m.W[i * n + j] > 1e-10) alive++;
      for (let k = 0; k < z; k++) s += m.u[(i * n + j) * z + k];
    }
    close(s / (z * alive), 0.1, 1e-6, `mean u of row ${i}`);
  }
});

test('SDE step without noise: z = 1 gives 0.51875; z = 2 gives (0.51875, 0.500628125)', () => {
  const prm = { dt: 5e-3, sigma: 0, tau: 30, k: 0.5, b: 0, w0: 1 };
  const zero = () => 0;
  const u1 = new Float64Array([0.5]);
  const w1 = new Float64Array([0.5]);
  sdeStep(u1, w1, 1, 1, prm, zero);
  close(u1[0], 0.51875, 1e-14, 'z = 1');
  const u2 = new Float64Array([0.5, 0.5]);
  const w2 = new Float64Array([0.25]);
  sdeStep(u2, w2, 1, 2, prm, zero);
  close(u2[0], 0.51875, 1e-14, 'z = 2 u1');
  close(u2[1], 0.500628125, 1e-14, 'z = 2 u2');
  // Through the engine model: one tick is one step.
  const net = new Network({ dt: 1 });
  const pop = net.create('zfactor_sde', 1, { z: 1, sigma_u: 0, b: 0 }, { name: 'sde' });
  pop.set({ u1: 0.5, w: 0.5 });
  net.simulate(1);
  close(pop.get('u1')[0], 0.51875, 1e-14, 'engine z = 1');
});

test('q_min of w1 = 1 + a(t), w2 = 1 − a(t) is 1; |Δw| = 0.3 w^0.5 gives slope 0.5', () => {
  const nT = 50;
  const w = new Float64Array(nT * 2);
  for (let t = 0; t < nT; t++) {
    const a = 0.5 * Math.sin(t * 0.7);
    w[t * 2] = 1 + a;
    w[t * 2 + 1] = 1 - a;
  }
  const r = cvRankQmin({ nT, nS: 2, w }, 1, new RandomStream('q'));
  close(r.qmin_mean, 1, 1e-12, 'q_min');
  // Synapses at log-spaced sizes; each step moves by ±0.3·w^0.5 alternately.
  const nS = 400;
  const nT2 = 3;
  const w2 = new Float64Array(nT2 * nS);
  for (let s = 0; s < nS; s++) {
    const x = Math.pow(10, -2 + (3 * s) / nS);
    const sign = s % 2 === 0 ? 1 : -1;
    w2[s] = x;
    w2[nS + s] = x + sign * 0.3 * Math.sqrt(x);
    w2[2 * nS + s] = w2[nS + s];
  }
  const sc = dwScalingSlope({ nT: nT2, nS, w: w2 }, 1);
  // Moving averages over 10 neighbours of a power law keep its slope to within a few 1e-3.
  close(sc.ltp.slope, 0.5, 0.01, 'LTP slope');
  close(sc.ltd.slope, 0.5, 0.01, 'LTD slope');
});

test('the fused clip-normalise pass equals clip then normalise, bit for bit', () => {
  const rng = new RandomStream('fused');
  for (const z of [1, 2, 3]) {
    const n = 9;
    const u = new Float32Array(n * n * z);
    for (let q = 0; q < u.length; q++) u[q] = rng.uniform() < 0.2 ? -0.1 : rng.uniform();
    const a = new ZFactorMatrix(n, z, 2, u.slice());
    a.computeMasks();
    for (let q = 0; q < u.length; q++) a.u[q] += 0.05 * (rng.uniform() - 0.5);
    const b = a.clone();
    a.clip();
    const ca = a.normalize();
    const cb = b.clipNormalize();
    assert.equal(Array.from(b.u), Array.from(a.u), `factors, z = ${z}`);
    assert.equal(Array.from(b.W), Array.from(a.W), `weights, z = ${z}`);
    assert.equal(Array.from(cb), Array.from(ca), `c, z = ${z}`);
    assert.equal(Array.from(b.dead), Array.from(a.dead), `dead rows, z = ${z}`);
  }
});

test.run();
