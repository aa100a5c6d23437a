/**
 * Anchor 4: delays and min_delay invariance. A spike emitted at step n over a delay of d steps
 * is seen by the target at step n+d; voltage traces do not depend on the network's shortest
 * delay, on ring-buffer sizes, or on how the run is split into simulate() calls.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Network, recordSpikes, setSpikeTimes, type Population } from '../engine/index.js';

const DT = 0.1;

/** Records V_m of `pop` after every update: row j holds V at step j+1. */
function traceV(net: Network, pop: Population): Float64Array[] {
  const rows: Float64Array[] = [];
  net.addRecorder({ record: () => void rows.push(Float64Array.from(pop.s.V_m)), close: async () => {} });
  return rows;
}

// Leak-only iaf_psc_delta at rest at 0 mV that cannot fire: V is exactly 0 until an input.
const QUIET = { E_L: 0, V_m: 0, V_reset: 0, V_th: 1e9, I_e: 0, tau_m: 10, t_ref: 0 };
const DELAYS = [1, 2, 7, 15, 150, 4000]; // steps: 0.1 ms … 400 ms

test('a spike_generator spike at step n with delay d moves V first at step n+d', () => {
  const net = new Network({ dt: DT });
  const n = 37;
  const sg = net.create('spike_generator', 1);
  setSpikeTimes(sg, [n * DT]);
  const tg = net.create('iaf_psc_delta', DELAYS.length, QUIET);
  // One target per delay, in one network (the target ring holds the longest delay).
  net.connect(sg, tg, { rule: 'explicit', sources: DELAYS.map(() => 0), targets: DELAYS.map((_, j) => j) }, { weight: 0.5, delay: DELAYS.map((d) => d * DT) });
  const v = traceV(net, tg);
  net.simulate((n + 4000 + 5) * DT);
  DELAYS.forEach((d, j) => {
    const at = (m: number) => v[m - 1][j];
    for (let m = 1; m < n + d; m++) if (at(m) !== 0) assert.unreachable(`delay ${d}: V moved at step ${m} < ${n + d}`);
    assert.is(at(n + d), 0.5, `delay ${d}: the jump is at step n+d`);
  });
});

test('a spike emitted by a neuron at step n with delay d is seen at step n+d', async () => {
  const net = new Network({ dt: DT });
  // Fires when V reaches 20 mV under a constant drive: tau_m·I/C = 25 mV > 20 mV.
  const src = net.create('iaf_psc_delta', 1, { E_L: 0, V_m: 0, V_reset: 0, V_th: 20, I_e: 250, C_m: 100, tau_m: 10, t_ref: 1000 });
  const tg = net.create('iaf_psc_delta', DELAYS.length, QUIET);
  net.connect(src, tg, 'all_to_all', { weight: 1, delay: DELAYS.map((d) => d * DT) });
  const rec = recordSpikes(net, src);
  const v = traceV(net, tg);
  net.simulate(450);
  await net.close();
  const times = rec.toTable().getChild('time_ms')!.toArray() as Float64Array;
  assert.is(times.length, 1, 'one source spike (long refractory period)');
  const n = Math.round(times[0] / DT);
  // Closed form: V(t) = 25·(1 − e^(−t/10)) reaches 20 mV at t = 10·ln 5 = 16.09 ms, so the
  // crossing is found in the update 160 → 161 and stamped 161.
  assert.is(n, Math.ceil((10 * Math.log(5)) / DT));
  DELAYS.forEach((d, j) => {
    const at = (m: number) => v[m - 1][j];
    assert.is(at(n + d - 1), 0, `delay ${d}: nothing before step n+d`);
    assert.is(at(n + d), 1, `delay ${d}: jump of w at step n+d`);
  });
});

interface Variant {
  /** Adds an unrelated projection between two extra populations with this delay (ms). */
  sideDelay?: number;
  /** Adds a projection from a silent population into the network with this delay (ms). */
  silentInputDelay?: number;
  /** simulate() call lengths (ms), summing to T; default one call. */
  chunks?: number[];
  /** After the first chunk, adds a silent input with this delay (ms): the rings grow mid-run. */
  lateSilentInputDelay?: number;
}

const T = 200;

/** A small Brunel-like network; returns V of every neuron after every step, and its spikes. */
async function runNetwork(variant: Variant): Promise<{ v: Float64Array; spikes: Float64Array; ids: Uint32Array }> {
  const net = new Network({ dt: DT, seed: 2024 });
  const params = { E_L: 0, V_m: { distribution: 'uniform', low: 0, high: 20 } as const, V_th: 20, V_reset: 10, tau_m: 20, t_ref: 2, C_m: 250 };
  const ex = net.create('iaf_psc_delta', 80, params, { name: 'ex' });
  const inh = net.create('iaf_psc_delta', 20, params, { name: 'in' });
  const drive = net.create('poisson_generator', 1, { rate: 16000 }, { name: 'drive' });
  net.connect(drive, ex, 'all_to_all', { weight: 0.1, delay: 1.5, name: 'drive->ex' });
  net.connect(drive, inh, 'all_to_all', { weight: 0.1, delay: 1.5, name: 'drive->in' });
  for (const [pre, w] of [[ex, 0.2], [inh, -1]] as const) {
    for (const post of [ex, inh]) {
      net.connect(pre, post, { rule: 'fixed_indegree', indegree: pre === ex ? 8 : 2 }, { weight: w, delay: { distribution: 'uniform', low: 1.5, high: 3 }, name: `${pre.name}->${post.name}` });
    }
  }
  if (variant.sideDelay !== undefined) {
    const a = net.create('iaf_psc_delta', 3, { I_e: 500 }, { name: 'side_a' });
    const b = net.create('iaf_psc_delta', 3, {}, { name: 'side_b' });
    net.connect(a, b, 'all_to_all', { weight: 5, delay: variant.sideDelay, name: 'side' });
  }
  if (variant.silentInputDelay !== undefined) {
    const s = net.create('iaf_psc_delta', 2, {}, { name: 'silent' });
    net.connect(s, ex, 'all_to_all', { weight: 3, delay: variant.silentInputDelay, name: 'silent->ex' });
  }
  const vEx = traceV(net, ex);
  const vIn = traceV(net, inh);
  const rec = recordSpikes(net, [ex, inh]);
  (variant.chunks ?? [T]).forEach((c, q) => {
    if (q === 1 && variant.lateSilentInputDelay !== undefined) {
      const s = net.create('iaf_psc_delta', 2, {}, { name: 'late' });
      net.connect(s, inh, 'all_to_all', { weight: 3, delay: variant.lateSilentInputDelay, name: 'late->in' });
    }
    net.simulate(c);
  });
  await net.close();
  const steps = vEx.length;
  const v = new Float64Array(steps * 100);
  for (let k = 0; k < steps; k++) {
    v.set(vEx[k], k * 100);
    v.set(vIn[k], k * 100 + 80);
  }
  const t = rec.toTable();
  return { v, spikes: t.getChild('time_ms')!.toArray() as Float64Array, ids: t.getChild('node_id')!.toArray() as Uint32Array };
}

const bytes = (a: Float64Array | Uint32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

test('voltage traces are bitwise identical whatever min_delay, ring sizes and simulate() splits', async () => {
  const base = await runNetwork({});
  assert.is(base.v.length, (T / DT) * 100);
  // The network must be active for the comparison to mean anything.
  assert.ok(base.spikes.length > 200, `only ${base.spikes.length} spikes`);
  const variants: [string, Variant][] = [
    ['min_delay 0.1 ms (unrelated projection)', { sideDelay: 0.1 }],
    ['unrelated projection with delay 10 ms', { sideDelay: 10 }],
    ['ring buffer of the network grown to 10 ms (silent input)', { silentInputDelay: 10 }],
    ['ring buffer grown to 40 ms and min_delay 0.1 ms', { silentInputDelay: 40, sideDelay: 0.1 }],
    ['2000 calls of one step', { chunks: new Array(T / DT).fill(DT) }],
    ['uneven calls', { chunks: [0.3, 1.7, 15, 0.1, 83, 99.9] }],
    ['ring buffer grown to 25 ms in the middle of the run, with input pending', { chunks: [51.3, 148.7], lateSilentInputDelay: 25 }],
  ];
  for (const [name, variant] of variants) {
    const r = await runNetwork(variant);
    assert.ok(bytes(r.v).equals(bytes(base.v)), `${name}: voltage traces differ`);
    assert.ok(bytes(r.spikes).equals(bytes(base.spikes)) && bytes(r.ids).equals(bytes(base.ids)), `${name}: spikes differ`);
  }
});

test.run();
