/**
 * Analytic checks of the WTA network core (spec §7) and of its structure procedure: the E5
 * kernel, initial rate fractions, the first learning step, the first STP update, the 5×4 grid
 * wiring, structure determinism, and the engine path (incremental input sums, forced spikes)
 * against direct re-computations written here.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Network as Sim, setSpikeTimes, type ProjectionData } from '../engine/index.js';
import { createSimulation, Network, drawWtaPairs, wtaDistance, type WtaDynamicsOptions } from '../experiments/wta-sequence/network.js';
import { SpikeTrainInput } from '../experiments/wta-sequence/input-generator.js';
import type { InputSource } from '../experiments/wta-sequence/types.js';
import { traceStateOf, setStpParams, resetTraces } from '../synapses/stp_legacy.js';
import { semStateOf } from '../synapses/sem_stdp_vt.js';
import { close } from './helpers.js';

/** One spike_generator source → the first neuron of a WTA of `k` neurons, over a per-tick synapse. */
function traceRig(opts: { dt?: number; spikes: number[]; weight?: number; params?: Record<string, number>; k?: number }) {
  const sim = new Sim({ dt: opts.dt ?? 1, seed: 1 });
  const src = sim.create('spike_generator', 1, {}, { name: 'src' });
  setSpikeTimes(src, opts.spikes);
  const wta = sim.create('wta_softmax', opts.k ?? 2, { wta: 0 }, { name: 'wta' });
  const proj = sim.connect(src, wta.slice(0, 1), 'all_to_all', { model: 'stp_legacy', sameStep: true, weight: opts.weight ?? 1, params: opts.params ?? {} });
  return { sim, wta, proj, traces: traceStateOf(proj) };
}

/** Poisson channels drawn from a named stream of the simulation. */
class PoissonInput implements InputSource {
  private readonly out: Int32Array;
  private readonly p: number;
  constructor(
    readonly nInputs: number,
    rateHz: number,
    private readonly uniform: () => number,
  ) {
    this.out = new Int32Array(nInputs);
    this.p = 1 - Math.exp(-rateHz * 0.001);
  }
  next(): Int32Array {
    let c = 0;
    for (let i = 0; i < this.nInputs; i++) if (this.uniform() < this.p) this.out[c++] = i;
    return this.out.subarray(0, c);
  }
}

test('E5 kernel: a spike of amplitude 1 at t gives Y = 0, 0.45, 0.6525, 0.732375, 0.75200625, 0.7425309375 at t+1 … t+6', () => {
  // stp = 0 freezes u = U = 1 and R = 1, so A = 1.
  const { sim, wta, traces } = traceRig({ spikes: [10], weight: 2, params: { stp: 0, U: 1 } });
  sim.simulate(11); // ticks 0..10; the spike stamped 10 enters the traces after tick 10
  assert.is(traces.Y[0], 0, 'Y(t) before the spike');
  const expected = [0, 0.45, 0.6525, 0.732375, 0.75200625, 0.7425309375];
  for (let k = 0; k < expected.length; k++) {
    sim.simulate(1); // tick 11 + k
    close(traces.Y[0], expected[k], 1e-14, `Y(t+${k + 1})`);
    // The closed form A·(0.95^k − 0.5^k) from t+1 on.
    close(traces.Y[0], Math.pow(0.95, k) - Math.pow(0.5, k), 1e-14, `closed form at t+${k + 1}`);
    // E2 and E3 at the target: u = w·Y for the connected neuron, 0 for its sibling.
    const u = wta.get('u');
    close(u[0], 2 * expected[k], 1e-13, 'u of the target');
    assert.is(u[1], 0);
    const rho = wta.get('rho');
    close(rho[0], Math.exp(u[0]) / (Math.exp(u[0]) + 1), 1e-15, 'softmax');
    close(rho[0] + rho[1], 1, 1e-15, 'fractions sum to 1');
  }
});

test('initial rate fractions are 1/K, before the first tick and with w = 0 after it', () => {
  const sim = createSimulation({ seed: 3 });
  const sizes = [2, 3, 4, 5];
  const net = Network.fromStructure(sim, { gridShape: [2, 2], wtaSizes: sizes, pairs: [[0, 3], [2, 1]], nInputs: 4 });
  const expect = sizes.flatMap((k) => new Array<number>(k).fill(1 / k));
  assert.equal(Array.from(net.getRateFractions()), expect, 'before any tick');
  assert.equal(Array.from(net.neurons.get('r')), sizes.flatMap((k) => new Array<number>(k).fill(100 / k)), 'rates R_max/K');
  net.setTraining(false);
  sim.simulate(20);
  assert.equal(Array.from(net.getRateFractions()), expect, 'after 20 ticks without input');
  assert.ok(net.verifyRateFractions() <= 1e-15);
});

test('first learning step: w = S = 0, Q = 1 and a post spike with Y = 0 give η = 0.025, Δw = −0.025, S = −0.000625, Q = 0.975015625', () => {
  const sim = createSimulation({ seed: 1 });
  const net = Network.fromStructure(sim, { gridShape: [1, 1], wtaSizes: [2], pairs: [], nInputs: 1 });
  net.neurons.forceSpikes({ mode: 'replace', spikes: [[3], []] });
  sim.simulate(10); // no input spikes: Y = 0 throughout
  const W = net.getWeights();
  assert.equal(Array.from(W.post), [0, 1]);
  close(W.w[0], -0.025, 1e-17, 'w');
  close(W.S[0], -0.000625, 1e-18, 'S');
  close(W.Q[0], 0.975015625, 1e-15, 'Q');
  assert.equal([W.w[1], W.S[1], W.Q[1]], [0, 0, 1], 'the silent neuron keeps its synapse');
  // η = η*(Q − S²)/(exp(−S) + 1) at w = S = 0, Q = 1.
  assert.is((0.05 * (1 - 0)) / (Math.exp(-0) + 1), 0.025);
});

test('without variance tracking η = η*/n, n counting learning ticks from 1; S and Q stay', () => {
  const sim = createSimulation({ seed: 1 });
  const net = Network.fromStructure(sim, { gridShape: [1, 1], wtaSizes: [2], pairs: [], nInputs: 1 }, { useVarianceTracking: false });
  // The spike at step 3 is the 4th learning tick; the one at step 7 the 8th.
  net.neurons.forceSpikes({ mode: 'replace', spikes: [[3, 7], []] });
  sim.simulate(10);
  const W = net.getWeights();
  const w1 = 0 + (0.05 / 4) * (0 - 1) / Math.max(1, 0.05 / 4);
  const w2 = w1 + (0.05 / 8) * (0 - Math.exp(w1)) / Math.max(Math.exp(w1), 0.05 / 8);
  close(W.w[0], w2, 1e-16, 'w after two updates');
  assert.equal([W.S[0], W.Q[0]], [0, 1]);
  assert.is(semStateOf(net.inputProjection).learningTicks, 10);
  // In test mode nothing learns and the tick count stays.
  net.setTraining(false);
  net.neurons.forceSpikes({ mode: 'replace', spikes: [[12], []] });
  sim.simulate(5);
  close(net.getWeights().w[0], w2, 0, 'no learning in test mode');
  assert.is(semStateOf(net.inputProjection).learningTicks, 10);
});

test('STP: the first spike at step t has amplitude U and Δ = t·dt; later spikes use the interval minus one step', () => {
  for (const dt of [1, 0.5]) {
    const U = 0.3;
    const D = 50;
    const F = 20;
    const { sim, traces } = traceRig({ dt, spikes: [7 * dt, 12 * dt], params: { U, D, F } });
    sim.simulate(9 * dt); // ticks 0..8: the spike at 7 is in the traces, read at 9
    sim.simulate(dt); // tick 9
    close(traces.Y[0], (1 - dt / 20 - (1 - dt / 2)) * U, 1e-15, `amplitude U (dt ${dt})`);
    // E10 at step 7 with Δ = 7·dt, old u in R.
    const R1 = 1 + (1 - U * 1 - 1) * Math.exp(-(7 * dt) / D);
    const u1 = U + U * (1 - U) * Math.exp(-(7 * dt) / F);
    close(traces.R[0], R1, 1e-15, 'R after the first spike');
    close(traces.u[0], u1, 1e-15, 'u after the first spike');
    sim.simulate(4 * dt); // through tick 13: the spike at 12 has Δ = (12 − 7 − 1)·dt
    const R2 = 1 + (R1 - u1 * R1 - 1) * Math.exp(-(4 * dt) / D);
    const u2 = u1 + u1 * (1 - u1) * Math.exp(-(4 * dt) / F);
    close(traces.R[0], R2, 1e-15, 'R after the second spike');
    close(traces.u[0], u2, 1e-15, 'u after the second spike (legacy: U is u)');
  }
});

test("STP 'fixedU' keeps U: u ← U + u(1 − U)e^{−Δ/F}; a reset restarts Δ and R but keeps u", () => {
  const U = 0.4;
  const { sim, traces, proj } = traceRig({ spikes: [5, 8, 30], params: { U, D: 100, F: 10, stp_variant: 1 } });
  sim.simulate(9); // spikes at 5 and 8
  const u1 = U + U * (1 - U) * Math.exp(-5 / 10);
  const u2 = U + u1 * (1 - U) * Math.exp(-2 / 10);
  close(traces.u[0], u2, 1e-15, 'u after two spikes');
  const R1 = 1 + (1 - U - 1) * Math.exp(-5 / 100);
  const R2 = 1 + (R1 - u1 * R1 - 1) * Math.exp(-2 / 100);
  close(traces.R[0], R2, 1e-15, 'R after two spikes');
  // resetState() before a run starting at step 20: the spike at 30 has Δ = 10.
  sim.simulate(11);
  resetTraces(traces, 20);
  assert.equal([traces.e[0], traces.e2[0], traces.R[0]], [0, 0, 1]);
  close(traces.u[0], u2, 0, 'u kept');
  sim.simulate(11);
  close(traces.R[0], 1 + (1 - u2 - 1) * Math.exp(-10 / 100), 1e-15, 'R with Δ = 10 after the reset');
  assert.ok(proj.size === 1);
});

test('per-synapse STP with equal values per source gives the per-source results', () => {
  const run = (perSynapse: number) => {
    const sim = new Sim({ dt: 1, seed: 5 });
    const src = sim.create('spike_generator', 3, {}, { name: 'src' });
    setSpikeTimes(src, [[3, 9, 10, 40], [5, 6, 50], [20, 21, 22, 70]]);
    const wta = sim.create('wta_softmax', 4, { wta: [0, 0, 1, 1] }, { name: 'wta' });
    const proj = sim.connect(src, wta, 'all_to_all', { model: 'sem_stdp_vt', sameStep: true, weight: { distribution: 'uniform', low: -1, high: 0 }, params: { stp_per_synapse: perSynapse } });
    const perSource = { U: [0.2, 0.7, 1.1], D: [30, 120, 80], F: [3, 9, 15] };
    const expand = (a: number[]) => (perSynapse ? Array.from(proj.target, (_t, s) => a[rowOf(proj, s)]) : a);
    setStpParams(proj, { U: expand(perSource.U), D: expand(perSource.D), F: expand(perSource.F) });
    const us: number[] = [];
    for (let t = 0; t < 100; t++) {
      sim.simulate(1);
      us.push(...wta.get('u'));
    }
    return { us, w: Array.from(proj.weight) };
  };
  const a = run(0);
  const b = run(1);
  for (let q = 0; q < a.us.length; q++) close(b.us[q], a.us[q], 1e-13 * Math.max(1, Math.abs(a.us[q])), `u sample ${q}`);
  for (let q = 0; q < a.w.length; q++) close(b.w[q], a.w[q], 1e-13, `w ${q}`);
  assert.ok(a.us.some((x) => x !== 0), 'the inputs moved u');
});

test('a 5×4 grid with nConn 1000 connects all 380 ordered pairs; synapse counts follow the WTA sizes', () => {
  const sim = createSimulation({ seed: 13521 });
  const net = new Network(sim, { gridShape: [5, 4], kMin: 2, kMax: 10, nInputs: 100, nConn: 1000 });
  assert.is(net.pairs.length, 380);
  const keys = new Set(net.pairs.map(([a, b]) => `${a},${b}`));
  assert.is(keys.size, 380, 'distinct');
  for (const [a, b] of net.pairs) assert.ok(a !== b && a < 20 && b < 20);
  const K = net.wtaSizes;
  assert.ok(K.every((k) => k >= 2 && k <= 10 && Number.isInteger(k)));
  const N = K.reduce((x, y) => x + y, 0);
  assert.is(net.size, N);
  assert.is(net.inputProjection.size, 100 * N, 'every input reaches every neuron');
  const sumSq = K.reduce((x, y) => x + y * y, 0);
  assert.is(net.recurrentProjection!.size, N * N - sumSq, 'all neurons of I to all of J, nothing inside a WTA');
  // Ids run WTA by WTA on the 5×4 grid.
  assert.equal(net.getCircuitGrid().flat(), [...K]);
  assert.equal(net.getPosById(net.wtaStart[7]), [1, 3]);
  assert.is(net.getWtaById(N - 1), 19);
  assert.equal(net.getNodeCollections().map((v) => v.size), [...K]);
  // Recurrent STP draws are clipped to U ≥ 0, D ≥ dt, F ≥ dt; inputs U = 1, D = F = dt.
  const { U, D, F } = net.stpParams;
  for (let c = 0; c < 100; c++) assert.equal([U[c], D[c], F[c]], [1, 1, 1]);
  for (let i = 100; i < 100 + N; i++) assert.ok(U[i] >= 0 && D[i] >= 1 && F[i] >= 1);
});

test('pair marking: nConn distinct pairs, or nConn picks with repeats as parallel bundles', () => {
  const sim = createSimulation({ seed: 7 });
  const unique = drawWtaPairs(sim.streams.stream('a'), [5, 4], 0.088, 50, true);
  assert.is(unique.length, 50);
  assert.is(new Set(unique.map(([a, b]) => `${a},${b}`)).size, 50);
  // A short mean distance favours near pairs: λ = 2 (mean 0.5) reaches only distances ≤ d + 1.
  const near = drawWtaPairs(sim.streams.stream('b'), [5, 4], 2, 30, true);
  const dists = near.map(([a, b]) => wtaDistance(a, b, 4));
  assert.ok(dists.filter((d) => d <= 1.5).length >= 25, `mostly neighbours: ${dists.join(',')}`);
  const picks = drawWtaPairs(sim.streams.stream('c'), [2, 2], 0.088, 40, false);
  assert.is(picks.length, 40, 'every I ≠ J pick counts');
  assert.ok(new Set(picks.map(([a, b]) => `${a},${b}`)).size <= 12, 'only 12 ordered pairs exist');
  const sim2 = createSimulation({ seed: 7 });
  const net = Network.fromStructure(sim2, { gridShape: [2, 2], wtaSizes: [2, 3, 1, 2], pairs: [[0, 1], [0, 1], [3, 2]], nInputs: 2 });
  assert.is(net.recurrentProjection!.size, 2 * 3 * 2 + 2 * 1, 'a repeated pair adds a parallel bundle');
});

test('structure is determined by the seed alone (not by the dynamics options); other seeds differ', () => {
  const build = (seed: number, vt: boolean) => {
    const sim = createSimulation({ seed });
    const net = new Network(sim, { gridShape: [3, 3], nInputs: 10, nConn: 30, randomInitialWeights: true, useVarianceTracking: vt });
    return { sizes: net.wtaSizes, pairs: net.pairs, stp: [...net.stpParams.U, ...net.stpParams.D, ...net.stpParams.F], w: Array.from(net.getWeights().w) };
  };
  const a = build(42, true);
  assert.equal(build(42, true), a);
  assert.equal(build(42, false), a, 'the VT-off control has the same structure');
  const b = build(43, true);
  assert.not.equal(b.sizes, a.sizes);
  assert.not.equal(b.w, a.w);
  assert.ok(a.w.every((w) => w < 0 && Number.isFinite(w)), 'ln U(0,1) weights');
});

test('same seed, same spikes and weights; one simulate call equals several', () => {
  const run = (chunks: number[]) => {
    const sim = createSimulation({ seed: 99 });
    const net = new Network(sim, { gridShape: [2, 3], nInputs: 20, nConn: 20 });
    net.setInput(new PoissonInput(20, 20, sim.streams.stream('input').uniform));
    const spikes: number[] = [];
    sim.addSpikeSink(net.neurons, { onSpike: (_p, i, step) => spikes.push(step, i) });
    for (const c of chunks) sim.simulate(c);
    return { spikes, w: Array.from(net.getWeights().w) };
  };
  const a = run([1000]);
  assert.ok(a.spikes.length / 2 > 400, `${a.spikes.length / 2} spikes`);
  assert.equal(run([1000]), a);
  assert.equal(run([1, 399, 250, 350]), a);
});

test('incremental input sums equal Σ w·Y recomputed from weights and traces; ρ is the per-WTA softmax of u', () => {
  const sim = createSimulation({ seed: 2024 });
  const net = new Network(sim, { gridShape: [3, 2], nInputs: 30, nConn: 30, randomInitialWeights: true });
  net.setInput(new PoissonInput(30, 10, sim.streams.stream('input').uniform));
  const w0 = net.getWeights().w;
  sim.simulate(5000); // training: weights move at every post spike
  net.setTraining(false);
  sim.simulate(1);
  const W = net.getWeights();
  const Y = net.getSourceStates().Y;
  const u = new Float64Array(net.size);
  const scale = new Float64Array(net.size);
  for (let q = 0; q < W.w.length; q++) {
    u[W.post[q]] += W.w[q] * Y[W.pre[q]];
    scale[W.post[q]] += Math.abs(W.w[q] * Y[W.pre[q]]);
  }
  const ours = net.neurons.get('u');
  for (let k = 0; k < net.size; k++) close(ours[k], u[k], 1e-12 * Math.max(1, scale[k]), `u[${k}]`);
  const rho = net.neurons.get('rho');
  for (let w = 0; w < net.nWta; w++) {
    const a = net.wtaStart[w];
    const b = net.wtaStart[w + 1];
    let M = -Infinity;
    for (let k = a; k < b; k++) M = Math.max(M, ours[k]);
    let z = 0;
    for (let k = a; k < b; k++) z += Math.exp(ours[k] - M);
    for (let k = a; k < b; k++) close(rho[k], Math.exp(ours[k] - M) / z, 1e-15, `rho[${k}]`);
  }
  assert.ok(net.verifyRateFractions() <= 1e-9);
  let moved = 0;
  for (let q = 0; q < W.w.length; q++) if (W.isInput[q] === 0 && Math.abs(W.w[q] - w0[q]) > 0.1) moved++;
  assert.ok(moved > 0.5 * net.recurrentProjection!.size, `recurrent weights learnt too (${moved} moved)`);
});

test("forced spikes: 'replace' draws no neuron randomness; 'or' adds to the drawn spikes without doubling", () => {
  const run = (force: ((n: Network) => void) | null, steps: number) => {
    const sim = createSimulation({ seed: 8 });
    // No learning and no input: u = 0 and every tick has the same spike probabilities.
    const net = Network.fromStructure(sim, { gridShape: [1, 2], wtaSizes: [3, 4], pairs: [[0, 1]], nInputs: 1 }, { useStdp: false });
    force?.(net);
    const spikes: [number, number][] = [];
    sim.addSpikeSink(net.neurons, { onSpike: (_p, i, step) => spikes.push([step, i]) });
    sim.simulate(steps);
    return { spikes, net, sim };
  };
  const free = run(null, 3000).spikes;
  // 100 forced-silent steps, then free: the draws start where a fresh network's do.
  const held = run((net) => net.neurons.forceSpikes({ mode: 'replace', spikes: () => [] }), 100);
  assert.is(held.spikes.length, 0, 'nothing spiked while forced');
  held.net.neurons.forceSpikes(null);
  const after: [number, number][] = [];
  held.sim.addSpikeSink(held.net.neurons, { onSpike: (_p, i, step) => after.push([step - 100, i]) });
  held.sim.simulate(2900);
  assert.equal(after, free.filter(([t]) => t < 2900));
  // 'or': neuron 0 forced at every step below 300 spikes exactly once per step; the rest is unchanged.
  const forcedSteps = Array.from({ length: 300 }, (_, t) => t);
  const ored = run((net) => net.neurons.forceSpikes({ mode: 'or', spikes: [forcedSteps, [], [], [], [], [], []] }), 3000).spikes;
  const own0 = free.filter(([t, i]) => i === 0 && t < 300).length;
  assert.ok(own0 > 0, 'neuron 0 also fires by itself in the forced window');
  const expected = [...free.filter(([t, i]) => !(i === 0 && t < 300)), ...forcedSteps.map((t) => [t, 0] as [number, number])];
  const key = (a: [number, number]) => a[0] * 100 + a[1];
  assert.equal(ored.map(key).sort((x, y) => x - y), expected.map(key).sort((x, y) => x - y));
});

test('WTA totals stay at R_max: every circuit fires about 100 Hz whatever the input', () => {
  for (const spikeProbability of ['exp', 'linear'] as const) {
    const sim = createSimulation({ seed: 5 });
    const net = new Network(sim, { gridShape: [2, 2], nInputs: 20, nConn: 12, spikeProbability });
    net.setInput(new PoissonInput(20, 5, sim.streams.stream('input').uniform));
    const counts = new Float64Array(net.nWta);
    sim.addSpikeSink(net.neurons, { onSpike: (_p, i) => counts[net.wtaOf[i]]++ });
    sim.simulate(20000);
    // Per step a WTA spikes K times Bernoulli(P_k) with Σ P_k ∈ [0.0952, 0.1] ('exp') or = 0.1
    // ('linear'): over 20 s the count has mean 1904..2000 and sd < 45, so 1700..2200 is more
    // than 4 sd away on either side.
    for (let w = 0; w < net.nWta; w++) assert.ok(counts[w] > 1700 && counts[w] < 2200, `${spikeProbability}: WTA ${w}: ${counts[w]} spikes in 20 s`);
    if (spikeProbability === 'linear') {
      // Σ P_k = 0.1 exactly: the mean over the WTAs is within 3 sd (22) of 2000.
      const mean = counts.reduce((a, b) => a + b, 0) / net.nWta;
      assert.ok(Math.abs(mean - 2000) < 70, `linear mean ${mean}`);
    }
  }
});

test("input STP: 'legacyClipped' (U = 1, D = F = dt) depletes at back-to-back spikes, 'none' keeps amplitude 1; stpInTest false freezes u and R", () => {
  // Input spikes at 10, 11, 12; the e trace of the channel after tick 12 holds the three amplitudes.
  const ampl = (o: WtaDynamicsOptions, train = true) => {
    const sim = createSimulation({ seed: 1 });
    const net = Network.fromStructure(sim, { gridShape: [1, 1], wtaSizes: [2], pairs: [], nInputs: 1 }, o);
    net.setTraining(train);
    net.setInput(new SpikeTrainInput({ nInputs: 1, spikeSteps: [[10, 11, 12]] }));
    sim.simulate(13);
    const st = net.getSourceStates();
    return { e: st.e[0], u: st.u[0], R: st.R[0] };
  };
  const kd = 1 / 20;
  // legacyClipped: A1 = 1; after it R = 1 − e^{−10}; A2 = R; then R = 1 + (R − R − 1)·e^0 = 0, so A3 = 0.
  const R1 = 1 + (1 - 1 - 1) * Math.exp(-10);
  const eClipped = (1 * (1 - kd) + R1) * (1 - kd) + 0;
  close(ampl({}).e, eClipped, 1e-15, 'legacyClipped');
  const eNone = (1 * (1 - kd) + 1) * (1 - kd) + 1;
  close(ampl({ inputStp: 'none' }).e, eNone, 1e-15, "'none'");
  close(ampl({ useStp: false }).e, eNone, 1e-15, 'useStp false');
  // Test mode with stpInTest false: A = u·R stays 1 (the state after construction).
  close(ampl({ stpInTest: false }, false).e, eNone, 1e-15, 'frozen in test');
  assert.equal([ampl({ stpInTest: false }, false).R, ampl({}, false).R], [1, 0], 'R frozen, or depleted with STP on in test');
});

test('learnt bias (usePriors): w_k0 ← w_k0 + η_k0(Z − e^w)/max(e^w, η_k0) every training tick, S_k0 and Q_k0 without the spike gate', () => {
  const sim = createSimulation({ seed: 1 });
  const net = Network.fromStructure(sim, { gridShape: [1, 1], wtaSizes: [2], pairs: [], nInputs: 1 }, { usePriors: true });
  net.neurons.forceSpikes({ mode: 'replace', spikes: [[0, 1, 2, 3], []] });
  sim.simulate(4);
  let w = [0, 0];
  let S = [0, 0];
  let Q = [1, 1];
  const u: number[][] = [];
  for (let t = 0; t < 4; t++) {
    u.push([...w]);
    const z = [1, 0];
    for (let k = 0; k < 2; k++) {
      const eta = (0.05 * (Q[k] - S[k] * S[k])) / (Math.exp(-S[k]) + 1);
      const ew = Math.exp(w[k]);
      w[k] = w[k] + (eta * (z[k] - ew)) / Math.max(ew, eta);
      S[k] = S[k] + eta * (w[k] - S[k]);
      Q[k] = Q[k] + eta * (w[k] * w[k] - Q[k]);
    }
  }
  const got = { w0: net.neurons.get('w0'), S0: net.neurons.get('S0'), Q0: net.neurons.get('Q0') };
  for (let k = 0; k < 2; k++) {
    close(got.w0[k], w[k], 1e-16, `w0[${k}]`);
    close(got.S0[k], S[k], 1e-16, `S0[${k}]`);
    close(got.Q0[k], Q[k], 1e-15, `Q0[${k}]`);
  }
  assert.ok(w[1] < -0.07, 'the silent neuron lost bias');
  // u = w0 + Σ w·Y (no input here): the tick at 3 used the bias learnt up to step 2.
  close(net.neurons.get('u')[1], u[3][1], 1e-16, 'u uses the bias');
  net.setTraining(false);
  sim.simulate(3);
  close(net.neurons.get('w0')[1], w[1], 0, 'no bias learning in test mode');
});

test("stpScope 'synapse': one draw per recurrent synapse (clipped), input values per synapse; the network runs", () => {
  const sim = createSimulation({ seed: 11 });
  const net = new Network(sim, { gridShape: [2, 2], nInputs: 5, nConn: 12, stpScope: 'synapse' });
  const rec = traceStateOf(net.recurrentProjection!);
  const inp = traceStateOf(net.inputProjection);
  assert.is(rec.perSynapse, 1);
  assert.is(rec.U.length, net.recurrentProjection!.size);
  assert.equal(Array.from(inp.U), new Array(inp.U.length).fill(1));
  assert.equal(Array.from(inp.D), new Array(inp.D.length).fill(1));
  for (let q = 0; q < rec.U.length; q++) assert.ok(rec.U[q] >= 0 && rec.D[q] >= 1 && rec.F[q] >= 1);
  // Synapses of one source draw their own values.
  const row0 = net.recurrentProjection!.rowPtr;
  assert.ok(rec.U[row0[0]] !== rec.U[row0[0] + 1]);
  // The per-source summary of neuron 0 is the mean over its synapses.
  let m = 0;
  for (let q = row0[0]; q < row0[1]; q++) m += rec.U[q];
  close(net.stpParams.U[5], m / (row0[1] - row0[0]), 1e-15, 'mean U of neuron 0');
  net.setInput(new SpikeTrainInput({ nInputs: 5, spikeSteps: [[3], [8], [20], [], [40]] }));
  sim.simulate(500);
  assert.ok(net.verifyRateFractions() <= 1e-9);
});

/** Source row of synapse s. */
function rowOf(proj: ProjectionData, s: number): number {
  let r = 0;
  while (proj.rowPtr[r + 1] <= s) r++;
  return r;
}

test.run();
