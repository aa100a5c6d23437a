/**
 * The striatum-dms spike sources on the engine (models/dms_sources.ts): Bernoulli trains from
 * geometric gaps (rate, re-arming when p changes, p = 0 and p = 1), pattern spikes at a set
 * step, and spec §7 check 3 on the engine with these sources: pattern → msn_lif and
 * striatal_stdp, with the reward from the `reward` modulator channel.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Network, recordSpikes } from '../engine/index.js';

const DT = 0.2;

/** Closes the network and returns the recorded spike steps. */
async function stepsOf(rec: ReturnType<typeof recordSpikes>, net: Network): Promise<{ steps: number[] }> {
  await net.close();
  const times = Array.from(rec.toTable().getChild('time_ms')!.toArray() as Float64Array);
  return { steps: times.map((x) => Math.round(x / DT)) };
}

test('bernoulli_source: per-step rate p, silent at p = 0, re-armed when p changes, every step at p = 1', async () => {
  const net = new Network({ dt: DT, seed: 5 });
  const src = net.create('bernoulli_source', 4, { p: 0.01 });
  const rec = recordSpikes(net, src);
  net.simulate(20000); // 100 000 steps
  src.set({ p: 0 });
  net.simulate(2000); // steps 100 000 … 109 999: silent
  src.set({ p: 1 });
  net.simulate(2); // 10 steps, all spiking
  src.set({ p: 0.01 });
  net.simulate(20000);
  const { steps } = await stepsOf(rec, net);
  const first = steps.filter((k) => k < 100000).length;
  // 4 × 100 000 steps at p = 0.01: mean 4000, SD ≈ 63; ±4 SD (fixed seed).
  assert.ok(Math.abs(first - 4000) < 4 * 63, `spikes in the first part: ${first}`);
  assert.is(steps.filter((k) => k >= 100000 && k < 110000).length, 0, 'p = 0 is silent');
  assert.is(steps.filter((k) => k >= 110000 && k < 110010).length, 40, 'p = 1 spikes every step');
  const last = steps.filter((k) => k >= 110010).length;
  assert.ok(Math.abs(last - 4000) < 4 * 63, `spikes after re-arming: ${last}`);
});

test('bernoulli_source: the first spike after arming at step a falls at a + G − 1 with P(G = 1) = p', async () => {
  // With p = 0.5 half of the 2000 trains spike in their first step (SD ≈ 22; ±4 SD).
  const net = new Network({ dt: DT, seed: 9 });
  const src = net.create('bernoulli_source', 2000, { p: 0.5 });
  const rec = recordSpikes(net, src);
  net.simulate(DT);
  const { steps } = await stepsOf(rec, net);
  assert.ok(steps.every((k) => k === 0));
  assert.ok(Math.abs(steps.length - 1000) < 4 * 22.4, `first-step spikes: ${steps.length}`);
});

test('pattern_source → msn_lif and striatal_stdp: check 3 on the engine (reward +0.019, MSN spike, then −0.02)', async () => {
  for (const rewarded of [true, false]) {
    const net = new Network({ dt: DT });
    const pat = net.create('pattern_source', 3, {}, { name: 'pattern' });
    const msn = net.create('msn_lif', 1, {}, { name: 'msn' });
    const proj = net.connect(pat, msn, 'all_to_all', { model: 'striatal_stdp', params: { epsilon: 0.02, Apostpre: -1, Aprepost: -1 } });
    const w0 = [0.2, 0.15, 0.1];
    for (let r = 0; r < 3; r++) proj.weight[proj.rowPtr[r]] = w0[r];
    pat.set({ at_step: 25 });
    if (rewarded) net.modulate(0, 'reward', 0.95);
    const rec = recordSpikes(net, msn);
    net.simulate(26 * DT); // ticks 0 … 25
    assert.equal(Array.from(proj.weight), w0, 'no change before the spike reaches the MSN');
    net.simulate(DT); // tick 26: MSN spikes, reward LTP
    const after1 = Array.from(proj.weight);
    net.simulate(DT); // tick 27: pre→post LTD
    const after2 = Array.from(proj.weight);
    net.simulate(2);
    const { steps } = await stepsOf(rec, net);
    assert.equal(steps, [26]);
    const want1 = rewarded ? [0.219, 0.169, 0.119] : w0;
    const want2 = rewarded ? [0.199, 0.149, 0.099] : [0.18, 0.13, 0.08];
    want1.forEach((w, k) => assert.ok(Math.abs(after1[k] - w) < 1e-12, `step 26, rewarded=${rewarded}: ${after1}`));
    want2.forEach((w, k) => assert.ok(Math.abs(after2[k] - w) < 1e-12, `step 27, rewarded=${rewarded}: ${after2}`));
    want2.forEach((w, k) => assert.ok(Math.abs(proj.weight[k] - w) < 1e-12, 'no later change'));
  }
});

test.run();
