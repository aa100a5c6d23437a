import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { simulationErrorMessage } from './helpers.js';
import { Network, defineNeuronModel, registerNeuronModel, recordSpikes, setSpikeTimes } from '../engine/index.js';

// A clock model that fires neuron i at every tick whose step is listed in its parameter
// `fire_at` (one step per neuron, −1 = never), and logs what its `spikes` port held at each
// tick into the state `seen_at` (the last step with input) and `total` (sum of all input).
registerNeuronModel(
  defineNeuronModel({
    name: 'test_clock_probe',
    doc: 'Clock-driven probe for the timing tests.',
    timing: 'clock',
    output: 'spike',
    params: { fire_at: { default: -1, unit: 'step', doc: 'step at which to fire', integer: true } },
    state: {
      seen_at: { unit: 'step', initial: -1, doc: 'last step with input' },
      total: { unit: '1', initial: 0, doc: 'sum of all input' },
    },
    ports: { spikes: { kind: 'spike', doc: 'input' } },
    prepare: () => null,
    update(ctx) {
      const { n, p, s, input, step } = ctx;
      for (let i = 0; i < n; i++) {
        if (input.spikes[i] !== 0) {
          s.seen_at[i] = step;
          s.total[i] += input.spikes[i];
        }
        if (p.fire_at[i] === step) ctx.spike(i);
      }
    },
  }),
);

registerNeuronModel(
  defineNeuronModel({
    name: 'test_clock_probe_p3',
    doc: 'The probe ticking every third step.',
    timing: 'clock',
    period: 3,
    output: 'spike',
    params: {},
    state: { log: { unit: '1', initial: 0, doc: 'input per tick, encoded' } },
    ports: { spikes: { kind: 'spike', doc: 'input' } },
    prepare: () => null,
    update(ctx) {
      // Encode (tick step, input) pairs as step*1000 + input for the last tick with input.
      if (ctx.input.spikes[0] !== 0) ctx.s.log[0] = ctx.step * 1000 + ctx.input.spikes[0];
    },
  }),
);

test('a clock tick at t stamps its spikes t; a grid target over delay d shows the jump at t+d, a clock target sees it in tick t+d', async () => {
  for (const d of [1, 2, 5]) {
    const net = new Network({ dt: 0.1 });
    const clk = net.create('test_clock_probe', 1, { fire_at: 10 }, { name: 'clk' });
    const grid = net.create('iaf_psc_delta', 1, { E_L: 0, V_m: 0, V_th: 100, V_reset: 0 }, { name: 'grid' });
    const probe = net.create('test_clock_probe', 1, {}, { name: 'probe' });
    net.connect(clk, grid, 'one_to_one', { weight: 1, delay: d * 0.1 });
    net.connect(clk, probe, 'one_to_one', { weight: 1, delay: d * 0.1 });
    const rec = recordSpikes(net, clk);
    const trace: number[] = [];
    for (let k = 1; k <= 20; k++) {
      net.simulate(0.1);
      trace[k] = grid.get('V_m')[0];
    }
    await net.close();
    const times = Array.from(rec.toTable().getChild('time_ms')!.toArray() as Float64Array);
    assert.equal(times, [10 * 0.1], `spike stamped at step 10 (d=${d})`);
    assert.is(trace[10 + d - 1], 0, `grid V before step ${10 + d}`);
    assert.is(trace[10 + d], 1, `grid V at step ${10 + d}`);
    assert.is(probe.get('seen_at')[0], 10 + d, `clock target tick (d=${d})`);
  }
});

test('sameStep: a spike source stamped t is read by the clock tick at t', () => {
  const net = new Network({ dt: 1 });
  const src = net.create('spike_generator', 1, {}, { name: 'src' });
  setSpikeTimes(src, [5, 9]);
  const probe = net.create('test_clock_probe', 1, {}, { name: 'probe' });
  net.connect(src, probe, 'one_to_one', { weight: 2, sameStep: true });
  net.simulate(7);
  assert.is(probe.get('seen_at')[0], 5);
  assert.is(probe.get('total')[0], 2);
  net.simulate(5);
  assert.is(probe.get('seen_at')[0], 9);
  assert.is(probe.get('total')[0], 4);
});

test('sameStep is refused into grid targets, from clock sources, and with a delay', () => {
  const net = new Network({ dt: 1 });
  const src = net.create('spike_generator', 1);
  const grid = net.create('iaf_psc_delta', 1);
  const clk = net.create('test_clock_probe', 1);  assert.match(simulationErrorMessage(() => net.connect(src, grid, 'one_to_one', { sameStep: true })), /clock-driven target/);
  assert.match(simulationErrorMessage(() => net.connect(clk, clk, 'one_to_one', { sameStep: true })), /'test_clock_probe_0' is clock/);
  assert.match(simulationErrorMessage(() => net.connect(src, clk, 'one_to_one', { sameStep: true, delay: 1 })), /a delay was given/);
});

test('a clock model with period 3 sees the input of every step since its last tick', () => {
  const net = new Network({ dt: 1 });
  const src = net.create('spike_generator', 1, {}, { name: 'src' });
  // Spikes stamped 4 and 5 arrive (delay 1) at 5 and 6; the tick at 6 sees both.
  setSpikeTimes(src, [4, 5]);
  const probe = net.create('test_clock_probe_p3', 1, {}, { name: 'probe' });
  net.connect(src, probe, 'one_to_one', { weight: 1, delay: 1 });
  net.simulate(12);
  assert.is(probe.get('log')[0], 6 * 1000 + 2);
});

test.run();
