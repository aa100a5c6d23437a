/**
 * Anchor 6: multiplicity. Several synapses from one source onto one target, several sources
 * hitting one target in the same step, and spikes of multiplicity > 1 all add up; checked on
 * iaf_psc_delta voltage jumps computed by hand.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Network, recordSpikes, setSpikeTimes, type Population } from '../engine/index.js';

const DT = 0.1;
const TAU = 10;
/** Decay of V over one step (E_L = 0, no current). */
const P = Math.exp(-DT / TAU);

/** Records V_m of `pop` after every update: row j holds V at step j+1. */
function traceV(net: Network, pop: Population): Float64Array[] {
  const rows: Float64Array[] = [];
  net.addRecorder({ record: () => void rows.push(Float64Array.from(pop.s.V_m)), close: async () => {} });
  return rows;
}

// Leak-only iaf_psc_delta at rest at 0 mV that cannot fire.
const QUIET = { E_L: 0, V_m: 0, V_reset: 0, V_th: 1e9, I_e: 0, tau_m: TAU, t_ref: 0 };

/**
 * Expected V at steps 1..steps from the jumps (step → total weight that shows at that step):
 * V(m) = V(m−1)·e^(−dt/tau) + jump(m).
 */
function expectedV(steps: number, jumps: Record<number, number>): Float64Array {
  const v = new Float64Array(steps + 1);
  for (let m = 1; m <= steps; m++) v[m] = v[m - 1] * P + (jumps[m] ?? 0);
  return v;
}

function assertTrace(trace: Float64Array[], j: number, want: Float64Array, what: string): void {
  for (let m = 1; m < want.length; m++) {
    const got = trace[m - 1][j];
    // The engine propagates in increment form (V + V·expm1), the reference in product form:
    // they differ by rounding only, far below 1e-12 mV for these few-mV values.
    if (!(Math.abs(got - want[m]) <= 1e-12)) assert.unreachable(`${what}: V at step ${m} is ${got}, expected ${want[m]}`);
  }
}

test('several synapses from one source onto one target all add up', () => {
  const net = new Network({ dt: DT });
  const sg = net.create('spike_generator', 1);
  setSpikeTimes(sg, [2.0]); // stamp 20
  const tg = net.create('iaf_psc_delta', 3, QUIET);
  // Target 0: explicit multapses, two of them with a different delay and sign.
  const proj = net.connect(
    sg,
    tg.slice(0, 1),
    { rule: 'explicit', sources: [0, 0, 0, 0, 0], targets: [0, 0, 0, 0, 0], allow_multapses: true },
    { weight: [0.5, 1.25, 2, -0.75, 0.125], delay: [1, 1, 1, 0.3, 0.3] },
  );
  assert.is(proj.size, 5);
  // Target 1: a rule that draws the single source five times.
  net.connect(sg, tg.slice(1, 2), { rule: 'fixed_indegree', indegree: 5, allow_multapses: true }, { weight: 0.4, delay: 1 });
  // Target 2: the same pair connected by three separate connect() calls.
  for (const w of [0.25, 0.5, 1]) net.connect(sg, tg.slice(2, 3), 'all_to_all', { weight: w, delay: 0.5 });
  const conns = net.getConnections();
  assert.is(conns.numRows, 5 + 5 + 3);
  const v = traceV(net, tg);
  net.simulate(5);
  // Delay 0.3 ms: stamp 20 + 3 → step 23; delay 1 ms → step 30.
  assertTrace(v, 0, expectedV(50, { 23: -0.75 + 0.125, 30: 0.5 + 1.25 + 2 }), 'explicit multapses');
  assertTrace(v, 1, expectedV(50, { 30: 5 * 0.4 }), 'fixed_indegree multapses');
  assertTrace(v, 2, expectedV(50, { 25: 0.25 + 0.5 + 1 }), 'three projections');
});

test('several sources hitting one target in the same step all add up', async () => {
  const net = new Network({ dt: DT });
  // Four generators spiking together at 2.0 ms, one of them with multiplicity 3.
  const sg = net.create('spike_generator', 4);
  setSpikeTimes(sg, [2.0], { multiplicities: [[1], [1], [3], [1]] });
  // Three identical neurons driven to threshold together: V = 25·(1 − e^(−t/10)) reaches
  // 20 mV in the update 160 → 161, so they spike with stamp 161.
  const src = net.create('iaf_psc_delta', 3, { E_L: 0, V_m: 0, V_reset: 0, V_th: 20, I_e: 250, C_m: 100, tau_m: 10, t_ref: 1000 });
  const tg = net.create('iaf_psc_delta', 1, QUIET);
  net.connect(sg, tg, 'all_to_all', { weight: [0.7, -0.2, 1.1, 0.4], delay: 1 });
  net.connect(src, tg, 'all_to_all', { weight: [0.3, 0.3, -0.1], delay: 0.2 });
  // The generators hit again in step 163 (2.0 ms + 14.3 ms), together with the neurons.
  net.connect(sg, tg, 'all_to_all', { weight: 0.05, delay: 14.3 });
  const rec = recordSpikes(net, src);
  const v = traceV(net, tg);
  net.simulate(20);
  await net.close();
  const stamps = Array.from(rec.toTable().getChild('time_ms')!.toArray() as Float64Array, (t) => Math.round(t / DT));
  assert.equal(stamps, [161, 161, 161]);
  assertTrace(
    v,
    0,
    expectedV(200, {
      30: 0.7 - 0.2 + 3 * 1.1 + 0.4,
      163: 0.3 + 0.3 - 0.1 + 0.05 * (1 + 1 + 3 + 1),
    }),
    'sources in one step',
  );
});

test('parrot_neuron: spikes arriving together leave as one spike of that multiplicity', async () => {
  const net = new Network({ dt: DT });
  const sg = net.create('spike_generator', 2);
  // Generator 0: three separate spikes at 2.0 ms, one of multiplicity 4 at 3.0 ms.
  // Generator 1: multiplicity 2 at 2.0 ms.
  setSpikeTimes(sg, [[2.0, 2.0, 2.0, 3.0], [2.0]], { multiplicities: [[1, 1, 1, 4], [2]] });
  const parrots = net.create('parrot_neuron', 2);
  net.connect(sg, parrots, 'one_to_one', { delay: 0.1 });
  const tg = net.create('iaf_psc_delta', 1, QUIET);
  net.connect(parrots, tg, 'all_to_all', { weight: [0.25, -0.5], delay: 0.1 });
  const rec = recordSpikes(net, parrots);
  const v = traceV(net, tg);
  net.simulate(5);
  await net.close();
  const t = rec.toTable();
  const ids = Array.from(t.getChild('node_id')!.toArray() as Uint32Array, (id) => id - parrots.firstId);
  const steps = Array.from(t.getChild('time_ms')!.toArray() as Float64Array, (x) => Math.round(x / DT));
  // One row per spike: 3 + 2 at 2.1 ms (sorted by node id), 4 at 3.1 ms.
  assert.equal(steps, [21, 21, 21, 21, 21, 31, 31, 31, 31]);
  assert.equal(ids, [0, 0, 0, 1, 1, 0, 0, 0, 0]);
  // Downstream the multiplicity scales the weight: 3·0.25 − 2·0.5 at step 22, 4·0.25 at 32.
  assertTrace(v, 0, expectedV(50, { 22: 3 * 0.25 - 2 * 0.5, 32: 4 * 0.25 }), 'parrot output');
});

test('poisson_generator → parrot over three synapses: the parrot repeats every count', async () => {
  const net = new Network({ dt: DT, seed: 99 });
  const pg = net.create('poisson_generator', 1, { rate: 20_000 }); // 2 spikes per step and synapse
  const parrot = net.create('parrot_neuron', 1);
  net.connect(pg, parrot, { rule: 'explicit', sources: [0, 0, 0], targets: [0, 0, 0] });
  const tg = net.create('iaf_psc_delta', 1, { ...QUIET, tau_m: 1e300 }); // no leak: V counts
  net.connect(parrot, tg, 'all_to_all', { weight: 1, delay: 0.1 });
  const rec = recordSpikes(net, parrot);
  const v = traceV(net, tg);
  const T = 100;
  net.simulate(T);
  await net.close();
  const steps = Array.from(rec.toTable().getChild('time_ms')!.toArray() as Float64Array, (x) => Math.round(x / DT));
  const K = T / DT;
  // Per parrot stamp, the recorded rows equal the jump of the target one step later.
  const rows = new Float64Array(K + 2);
  for (const s of steps) rows[s]++;
  for (let m = 2; m <= K; m++) {
    const jump = v[m - 1][0] - v[m - 2][0];
    if (jump !== rows[m - 1]) assert.unreachable(`step ${m}: target jump ${jump}, parrot rows at ${m - 1}: ${rows[m - 1]}`);
  }
  // Three independent Poisson(2) counts per step: mean 6 over the K − 2 = 998 steps that
  // reach the recorder (see devices.test.ts). sd of the total = sqrt(6·998) = 77; 4 sd = 310.
  const expected = 6 * (K - 2);
  assert.ok(Math.abs(steps.length - expected) < 4 * Math.sqrt(expected), `${steps.length} parrot spikes, expected ${expected}`);
  let multi = 0;
  for (const r of rows) if (r > 1) multi++;
  assert.ok(multi > K / 2, 'most parrot spikes carry multiplicity > 1');
});

test.run();
