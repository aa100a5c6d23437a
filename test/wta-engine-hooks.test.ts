/**
 * The engine features the WTA network needs, tested on their own: per-tick synapse hooks
 * into clock-driven targets (input before the tick, learning after it with the step's pre and
 * post spikes, whatever the tick order of the clock populations), their delay rules, and
 * forced spikes on clock and grid populations.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Network,
  defineNeuronModel,
  defineSynapseModel,
  registerNeuronModel,
  registerSynapseModel,
  setSpikeTimes,
  type ProjectionData,
} from '../engine/index.js';
import { traceStateOf } from '../synapses/stp_legacy.js';
import { close, simulationErrorMessage } from './helpers.js';

// A rate unit and a rate synapse, the shape of a rate RNN: r ← (1 − a)·r + a·tanh(input).
registerNeuronModel(
  defineNeuronModel({
    name: 'test_rate_unit',
    doc: 'Leaky rate unit for the per-tick hook tests.',
    timing: 'clock',
    output: 'spike',
    params: { alpha: { default: 0.5, unit: '1', doc: 'leak per tick' }, bias: { default: 0, unit: '1', doc: 'constant input' } },
    state: { r: { unit: '1', initial: 0, doc: 'rate' } },
    ports: { rates: { kind: 'spike', doc: 'Σ w·r from rate synapses' } },
    prepare: () => null,
    update(ctx) {
      const { n, p, s, input } = ctx;
      for (let i = 0; i < n; i++) s.r[i] = (1 - p.alpha[i]) * s.r[i] + p.alpha[i] * Math.tanh(input.rates[i] + p.bias[i]);
    },
  }),
);

// Reads the presynaptic rates of the end of the previous step; counts post spikes it is shown.
const seenPost: number[][] = [];
registerSynapseModel(
  defineSynapseModel({
    name: 'test_rate_synapse',
    doc: 'w·r of the source, read at every tick of the target.',
    params: {},
    init: () => ({ prev: new Float64Array(0) }),
    tickInput(proj: ProjectionData, st: { prev: Float64Array }, _step: number, base: number) {
      const r = proj.source.s.r;
      if (st.prev.length !== r.length) st.prev = new Float64Array(r.length);
      st.prev.set(r);
      for (let row = 0; row < proj.source.n; row++) {
        for (let s = proj.rowPtr[row]; s < proj.rowPtr[row + 1]; s++) proj.bufPos[base + proj.target[s]] += proj.weight[s] * r[row];
      }
    },
    tickEnd(_proj: ProjectionData, _st: { prev: Float64Array }, step: number, post: Uint32Array, nPost: number) {
      seenPost.push([step, ...post.subarray(0, nPost)]);
    },
  }),
);

test('per-tick hooks serve rate networks: each tick reads the presynaptic state of the previous step', () => {
  const net = new Network({ dt: 1, seed: 1 });
  const a = net.create('test_rate_unit', 1, { bias: 1 }, { name: 'a' });
  const b = net.create('test_rate_unit', 2, {}, { name: 'b' });
  net.connect(a, b, 'all_to_all', { model: 'test_rate_synapse', weight: [2, -1] });
  let ra = 0;
  let rb = [0, 0];
  for (let t = 0; t < 5; t++) {
    net.simulate(1);
    // b ticks after a (creation order), yet reads a's rate of the previous step: every
    // per-tick input is computed before any population ticks.
    rb = rb.map((r, k) => 0.5 * r + 0.5 * Math.tanh([2, -1][k] * ra));
    ra = 0.5 * ra + 0.5 * Math.tanh(1);
    close(a.get('r')[0], ra, 1e-15, `a at ${t}`);
    close(b.get('r')[0], rb[0], 1e-15, `b0 at ${t}`);
    close(b.get('r')[1], rb[1], 1e-15, `b1 at ${t}`);
  }
  assert.equal(seenPost.slice(-5), [[0], [1], [2], [3], [4]], 'tickEnd after every tick, with no post spikes');
});

test("a per-tick synapse sees the spikes of a clock source in the step of their stamp, whichever population ticks first", () => {
  for (const sourceFirst of [true, false]) {
    const net = new Network({ dt: 1, seed: 1 });
    const make = (name: string) => net.create('wta_softmax', 2, { wta: 0 }, { name });
    const src = sourceFirst ? make('src') : make('tgt');
    const tgt = sourceFirst ? make('tgt') : make('src');
    const [source, target] = sourceFirst ? [src, tgt] : [tgt, src];
    source.forceSpikes({ mode: 'replace', spikes: [[5], []] });
    target.forceSpikes({ mode: 'replace', spikes: () => [] });
    const proj = net.connect(source, target, 'all_to_all', { model: 'stp_legacy', params: { stp: 0, U: 1 } });
    const tr = traceStateOf(proj);
    net.simulate(6); // ticks 0..5
    assert.is(tr.e[0], 1, `e after the spike at 5 (source first: ${sourceFirst})`);
    net.simulate(2); // ticks 6, 7
    close(tr.Y[0], 0.45, 1e-15, 'Y(t + 2)');
    close(target.get('u')[0], 0.45, 1e-15, 'u = w·Y with the default weight 1');
  }
});

test('per-tick synapses take the smallest delay only, and need a clock-driven target', () => {
  const net = new Network({ dt: 1 });
  const gen = net.create('spike_generator', 1);
  const grid = net.create('iaf_psc_delta', 1);
  const wta = net.create('wta_softmax', 2);
  assert.match(simulationErrorMessage(() => net.connect(gen, grid, 'all_to_all', { model: 'stp_legacy' })), /clock-driven target/);
  assert.match(simulationErrorMessage(() => net.connect(gen, wta, 'all_to_all', { model: 'stp_legacy', delay: 1 })), /sameStep: true/);
  assert.match(simulationErrorMessage(() => net.connect(wta, wta, 'all_to_all', { model: 'stp_legacy', delay: 2 })), /default delay of one step/);
  net.connect(gen, wta, 'all_to_all', { model: 'stp_legacy', sameStep: true });
  net.connect(wta, wta, 'all_to_all', { model: 'sem_stdp_vt' });
  assert.throws(() => registerSynapseModel(defineSynapseModel({ name: 'test_no_delivery', doc: '', params: {}, init: () => null })), /transmit\(\) or the per-tick hooks/);
});

test('forced spikes on a grid population: stamped at the forced step, own spikes dropped in replace mode', () => {
  for (const mode of ['or', 'replace'] as const) {
    const net = new Network({ dt: 1, seed: 1 });
    // Drive that makes the neuron fire by itself (about every 10 ms).
    const pop = net.create('iaf_psc_delta', 2, { I_e: 1000, E_L: -70, V_m: -70, V_th: -55, V_reset: -70, t_ref: 2, tau_m: 10, C_m: 250 }, { name: 'lif' });
    pop.forceSpikes({ mode, spikes: [[3, 4], [7]] });
    const spikes: string[] = [];
    net.addSpikeSink(pop, { onSpike: (_p, i, step) => spikes.push(`${step}:${i}`) });
    net.simulate(30);
    for (const s of ['3:0', '4:0', '7:1']) assert.ok(spikes.includes(s), `${mode}: forced ${s} in ${spikes}`);
    if (mode === 'replace') assert.equal(spikes, ['3:0', '4:0', '7:1'], 'replace: only the forced spikes');
    else assert.ok(spikes.length > 3, 'or: the own spikes too');
  }
});

test('forceSpikes validates its input', () => {
  const net = new Network({ dt: 1 });
  const wta = net.create('wta_softmax', 3);
  const gen = net.create('poisson_generator', 1);
  const ps = net.create('iaf_psc_delta_ps', 1);
  assert.match(simulationErrorMessage(() => wta.forceSpikes({ mode: 'replace', spikes: [[1], [2]] })), /3 lists/);
  assert.match(simulationErrorMessage(() => wta.forceSpikes({ mode: 'replace', spikes: [[1.5], [], []] })), /step 1.5/);
  assert.match(simulationErrorMessage(() => wta.forceSpikes({ mode: 'xor' as 'or', spikes: [[], [], []] })), /'replace' or 'or'/);
  assert.match(simulationErrorMessage(() => gen.forceSpikes({ mode: 'or', spikes: [[]] })), /only clock-driven and grid/);
  assert.match(simulationErrorMessage(() => ps.forceSpikes({ mode: 'or', spikes: [[]] })), /only clock-driven and grid/);
  wta.forceSpikes({ mode: 'or', spikes: (step) => (step === 2 ? [5] : []) });
  assert.match(simulationErrorMessage(() => net.simulate(5)), /returned neuron 5 for step 2/);
});

test('forced steps already simulated are skipped; a function is asked once per step; duplicates spike once', () => {
  const net = new Network({ dt: 1, seed: 1 });
  const wta = net.create('wta_softmax', 3, { R_max: 0 }, { name: 'w' });
  const rows: number[][] = [];
  net.addSpikeSink(wta, { onSpike: (_p, i, step) => rows.push([step, i]) });
  net.simulate(5);
  wta.forceSpikes({ mode: 'replace', spikes: [[1, 6, 6, 9], [6], []] });
  net.simulate(10);
  const asked: number[] = [];
  wta.forceSpikes({ mode: 'or', spikes: (step) => (asked.push(step), step === 17 ? [2, 2, 0] : []) });
  net.simulate(5);
  assert.equal(asked, [15, 16, 17, 18, 19]);
  assert.equal(rows, [
    [6, 0],
    [6, 1],
    [9, 0],
    [17, 0],
    [17, 2],
  ]);
});

test('sameStep input spikes reach the traces in their step; the tick of that step does not see them yet', () => {
  const net = new Network({ dt: 1, seed: 1 });
  const gen = net.create('spike_generator', 1, {}, { name: 'g' });
  setSpikeTimes(gen, [4]);
  const wta = net.create('wta_softmax', 2, {}, { name: 'w' });
  const proj = net.connect(gen, wta, 'all_to_all', { model: 'stp_legacy', sameStep: true, weight: 3, params: { stp: 0, U: 1 } });
  const tr = traceStateOf(proj);
  const u: number[] = [];
  for (let t = 0; t < 8; t++) {
    net.simulate(1);
    u.push(wta.get('u')[0]);
  }
  assert.equal(u.slice(0, 6), [0, 0, 0, 0, 0, 0], 'Y(4) and Y(5) are 0');
  close(u[6], 3 * 0.45, 1e-14, 'u at t + 2');
  // s jumps to 1 after tick 4 and decays by dt/tau_decay per step: 0.95³ after tick 7.
  close(tr.s[0], 0.95 * 0.95 * 0.95, 1e-15, 's trace');
});

test.run();
