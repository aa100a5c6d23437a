import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { simulationErrorMessage } from './helpers.js';
import { Network, recordSpikes } from '../engine/index.js';

test('delays convert with whole steps per ms, as NEST does: 0.15 ms at dt 0.1 is 2 steps; times print as 0.3, not 0.30000000000000004', () => {
  const net = new Network({ dt: 0.1 });
  const a = net.create('iaf_psc_delta', 1);
  const pr = net.connect(a, a, 'one_to_one', { delay: 0.15 });
  assert.is(pr.delay[0], 2);
  const pr3 = net.connect(a, a, 'one_to_one', { delay: 0.3 });
  assert.is(net.getConnections().getChild('delay_ms')!.get(1), 0.3);
  assert.is(pr3.delay[0], 3);
  net.simulate(0.3);
  assert.is(net.time, 0.3);
});

test('an explicit projection name may be used once (its random streams are keyed by it)', () => {
  const net = new Network();
  const a = net.create('iaf_psc_delta', 3);
  net.connect(a, a, 'all_to_all', { name: 'rec' });
  assert.match(simulationErrorMessage(() => net.connect(a, a, 'all_to_all', { name: 'rec' })), /a projection named 'rec' already exists/);
});

test('positions of different dimensions are named as such', () => {
  const net = new Network();
  const a = net.create('iaf_psc_delta', 4, {}, { positions: { grid: [2, 2] } });
  const b = net.create('iaf_psc_delta', 2, {}, { positions: { coords: [[0, 0, 0], [1, 1, 1]] } });
  assert.match(simulationErrorMessage(() => net.connect(a, b, { rule: 'pairwise_bernoulli', p: () => 1 })), /2-D positions and .* 3-D ones/);
});

test('a refused connect() leaves the memory estimate as it was', () => {
  // 1000×1000 all_to_all needs about 32 MB: allowed once under a 40 MB limit, and still allowed
  // after a refused connect() of the same size (a NaN weight is refused after the memory check).
  const net = new Network({ memoryLimitBytes: 40e6 });
  const a = net.create('iaf_psc_delta', 1000);
  simulationErrorMessage(() => net.connect(a, a, 'all_to_all', { weight: NaN }));
  net.connect(a, a, 'all_to_all', { weight: 1 });
  assert.is(net.synapseCount, 1e6);
});

test('a spike of multiplicity m enters the postsynaptic archive m times (NEST parrot semantics)', async () => {
  const { setSpikeTimes } = await import('../engine/index.js');
  const net = new Network({ dt: 0.1 });
  const gen = net.create('spike_generator', 1);
  const parrot = net.create('parrot_neuron', 1);
  const post = net.create('parrot_neuron', 1);
  net.connect(gen, parrot, 'one_to_one', { weight: 1 });
  // The plastic projection into `post` makes the engine archive post's own spikes.
  net.connect(parrot, post, 'one_to_one', { model: 'stdp_synapse', weight: 1, params: { Wmax: 100 } });
  net.connect(gen, parrot, 'one_to_one', { weight: 1 });
  // Three spikes at 1 ms over two connections: the parrot repeats them as one spike of
  // multiplicity 6, and so does the next parrot, whose archive must then hold 6 spikes.
  setSpikeTimes(gen, [1, 1, 1]);
  net.simulate(5);
  assert.ok(post.history !== null);
  assert.is(post.history!.size(0), 6);
  // K_minus 1 µs after six simultaneous spikes is 6·exp(−0.001/20) (each spike adds 1).
  const t = post.history!.time(0, 5);
  const k = post.history!.kValue(0, t + 0.001);
  assert.ok(Math.abs(k - 6 * Math.exp(-0.001 / 20)) < 1e-9, `K_minus ${k}`);
});

test('poisson_generator draws correct counts for means above 30 per step', () => {
  const net = new Network({ dt: 1, seed: 3 });
  const gen = net.create('poisson_generator', 1, { rate: 50000 });
  const target = net.create('iaf_psc_delta', 200, { V_th: 1e12, V_reset: 0, E_L: 0, V_m: 0, tau_m: 1e9, C_m: 1 });
  net.connect(gen, target, 'all_to_all', { weight: 1, delay: 1 });
  net.simulate(21);
  // Each target's V counts its inputs (no decay worth mentioning: tau_m = 1e9 ms). Over the
  // active steps (19 or 20, depending on the window edges) the counts are Poisson, so the
  // Fano factor is 1: with 200 samples its standard error is about 0.1, so ±0.35 is > 3 SE;
  // and the mean is 50 per active step to within 5 standard errors (5·sqrt(1000/200) = 11).
  const v = target.get('V_m');
  let sum = 0;
  let sq = 0;
  for (const x of v) {
    sum += x;
    sq += x * x;
  }
  const mean = sum / v.length;
  const variance = sq / v.length - mean * mean;
  const steps = Math.round(mean / 50);
  assert.ok(steps === 19 || steps === 20, `mean ${mean}`);
  assert.ok(Math.abs(mean - 50 * steps) < 5 * Math.sqrt((50 * steps) / 200), `mean ${mean} for ${steps} steps`);
  assert.ok(Math.abs(variance / mean - 1) < 0.35, `Fano factor ${variance / mean}`);
});

test.run();
