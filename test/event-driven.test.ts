import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Network, recordSpikes } from '../engine/index.js';
import { close } from './helpers.js';

// A neuron driven above threshold by I_e crosses V_th at t = tau·ln((V0 − V∞)/(V_th − V∞))
// after each reset; with tau 10 ms, V∞ 20 mV, V_th 15 mV and V0 = V_reset = 0 that is
// 10·ln 4 ms, and successive spikes are t_ref + 10·ln 4 apart.
const DRIFT = { E_L: 0, V_reset: 0, V_m: 0, V_th: 15, tau_m: 10, C_m: 250, I_e: 500, t_ref: 2 };
const T_CROSS = 10 * Math.log(4);

async function spikeTimes(net: Network, run: () => void, pops: Parameters<typeof recordSpikes>[1]) {
  const rec = recordSpikes(net, pops);
  run();
  await net.close();
  const t = rec.toTable();
  return { ids: Array.from(t.getChild('node_id')!.toArray() as Uint32Array), times: Array.from(t.getChild('time_ms')!.toArray() as Float64Array) };
}

test('drift-driven spikes land at the closed-form, off-grid times', async () => {
  const net = new Network({ dt: 0.1 });
  const pop = net.create('iaf_psc_delta_ps', 1, DRIFT);
  const { times } = await spikeTimes(net, () => net.simulate(100), pop);
  const expected: number[] = [];
  for (let t = T_CROSS; t <= 100; t += 2 + T_CROSS) expected.push(t);
  assert.is(times.length, expected.length);
  times.forEach((t, k) => close(t, expected[k], 1e-9, `spike ${k}`));
  assert.ok(times.some((t) => Math.abs(t / 0.1 - Math.round(t / 0.1)) > 1e-3), 'spike times are off the grid');
});

test('an input arrives exactly at spike time + delay, keeping its offset; a jump over threshold fires at that instant', async () => {
  const net = new Network({ dt: 0.1 });
  const src = net.create('iaf_psc_delta_ps', 1, DRIFT, { name: 'src' });
  // At rest (no drift: I_e = 0, V = E_L = 0) a 20 mV jump crosses V_th = 15 at once.
  const dst = net.create('iaf_psc_delta_ps', 1, { ...DRIFT, I_e: 0 }, { name: 'dst' });
  net.connect(src, dst, 'one_to_one', { weight: 20, delay: 1.3 });
  const { ids, times } = await spikeTimes(net, () => net.simulate(16), [src, dst]);
  assert.equal(ids, [0, 1]);
  close(times[0], T_CROSS, 1e-9, 'source spike');
  close(times[1], T_CROSS + 1.3, 1e-9, 'target spike at arrival');
});

test('a subthreshold input moves V by exactly the weight on top of the free decay', () => {
  const net = new Network({ dt: 0.1 });
  const src = net.create('iaf_psc_delta_ps', 1, DRIFT, { name: 'src' });
  const dst = net.create('iaf_psc_delta_ps', 1, { ...DRIFT, I_e: 0, V_m: 10 }, { name: 'dst' });
  net.connect(src, dst, 'one_to_one', { weight: 2, delay: 1 });
  net.simulate(20);
  // dst decays from 10 mV towards 0 until the input at T_CROSS + 1, then jumps by 2 mV.
  const ta = T_CROSS + 1;
  close(dst.get('V_m')[0], 10 * Math.exp(-ta / 10) + 2, 1e-12, 'V after the input');
  close(dst.get('t_last')[0], ta, 1e-12, 'time of the last event');
});

test('inputs during refractoriness are discarded', async () => {
  const net = new Network({ dt: 0.1 });
  // src spikes at T_CROSS; dst (same drift) too, and is refractory for 2 ms; an input 1 ms later is lost.
  const src = net.create('iaf_psc_delta_ps', 1, DRIFT, { name: 'src' });
  const dst = net.create('iaf_psc_delta_ps', 1, DRIFT, { name: 'dst' });
  net.connect(src, dst, 'one_to_one', { weight: 100, delay: 1 });
  const { ids, times } = await spikeTimes(net, () => net.simulate(30.5), [src, dst]);
  const dstTimes = times.filter((_, k) => ids[k] === 1);
  assert.equal(dstTimes.length, 2);
  close(dstTimes[0], T_CROSS, 1e-9, 'own drift spike');
  close(dstTimes[1], 2 * T_CROSS + 2, 1e-9, 'next drift spike: the input at T_CROSS + 1 was discarded');
});

test('grid targets see an off-grid spike at the first grid point at or after spike time + delay', () => {
  const net = new Network({ dt: 0.1 });
  const src = net.create('iaf_psc_delta_ps', 1, DRIFT, { name: 'src' });
  const grid = net.create('iaf_psc_delta', 1, { E_L: 0, V_m: 0, V_th: 100, V_reset: 0 }, { name: 'grid' });
  net.connect(src, grid, 'one_to_one', { weight: 1, delay: 1 });
  // T_CROSS = 13.86 ms lies in step 138; with the 10-step delay the jump shows from step 149.
  const trace: number[] = [];
  for (let k = 1; k <= 152; k++) {
    net.simulate(0.1);
    trace.push(grid.get('V_m')[0]);
  }
  assert.is(trace[147], 0, 'V at 14.8 ms');
  assert.is(trace[148], 1, 'V at 14.9 ms');
});

test('event-driven and specialised/generic update code give identical spikes', async () => {
  const run = async () => {
    const net = new Network({ dt: 0.1, seed: 7 });
    const pop = net.create('iaf_psc_delta_ps', 400, { E_L: -49, V_th: -50, V_reset: -60, tau_m: 20, t_ref: 5, V_m: { distribution: 'uniform', low: -60, high: -50 } });
    net.connect(pop.slice(0, 320), pop, { rule: 'pairwise_bernoulli', p: 0.1, allow_autapses: false }, { weight: 0.25 });
    net.connect(pop.slice(320), pop, { rule: 'pairwise_bernoulli', p: 0.1, allow_autapses: false }, { weight: -2.25 });
    return spikeTimes(net, () => net.simulate(200), pop);
  };
  const a = await run();
  process.env.SPIKEFLOW_NO_SPECIALIZE = '1';
  let b;
  try {
    b = await run();
  } finally {
    delete process.env.SPIKEFLOW_NO_SPECIALIZE;
  }
  assert.ok(a.times.length > 100);
  assert.equal(a, b);
});

test.run();
