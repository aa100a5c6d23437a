/**
 * Devices: poisson_generator, spike_generator, parrot_neuron (NEST semantics: activity
 * windows, exact spike times, repetition with delay and multiplicity).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Network, recordSpikes, setSpikeTimes, getSpikeTimes, type Population } from '../engine/index.js';

const DT = 0.1;

/** Recorded spikes as (node_id, step) pairs, steps = round(time/dt). */
function spikesOf(rec: ReturnType<typeof recordSpikes>, dt = DT): { ids: number[]; times: number[]; steps: number[] } {
  const t = rec.toTable();
  const ids = Array.from(t.getChild('node_id')!.toArray() as Uint32Array);
  const times = Array.from(t.getChild('time_ms')!.toArray() as Float64Array);
  return { ids, times, steps: times.map((x) => Math.round(x / dt)) };
}

/** Records V_m of `pop` after every update: row j holds V at step j+1. */
function traceV(net: Network, pop: Population): Float64Array[] {
  const rows: Float64Array[] = [];
  net.addRecorder({ record: () => void rows.push(Float64Array.from(pop.s.V_m)), close: async () => {} });
  return rows;
}

/**
 * One poisson_generator at `rate` Hz into `n` parrots (all_to_all) for `tMs` ms: the parrots
 * make each target's train observable, since the generator itself cannot be recorded.
 */
async function poissonThroughParrots(
  seed: number,
  rate: number,
  n: number,
  tMs: number,
): Promise<{ parrots: Population; ids: number[]; steps: number[] }> {
  const net = new Network({ dt: DT, seed });
  const pg = net.create('poisson_generator', 1, { rate });
  const parrots = net.create('parrot_neuron', n);
  net.connect(pg, parrots, 'all_to_all');
  const rec = recordSpikes(net, parrots);
  net.simulate(tMs);
  await net.close();
  const { ids, steps } = spikesOf(rec);
  return { parrots, ids, steps };
}

// A leak-only iaf_psc_delta at rest at 0 mV that cannot fire: V stays exactly 0 until an input.
const QUIET = { E_L: 0, V_m: 0, V_reset: 0, V_th: 1e9, I_e: 0, tau_m: 10, t_ref: 0 };

test('poisson_generator through parrots: count mean and Fano factor match a Poisson process', async () => {
  const N = 400;
  const T = 2000;
  const rate = 50;
  const { parrots, ids, steps } = await poissonThroughParrots(12345, rate, N, T);
  const K = Math.round(T / DT);
  // Active updates k = 1..K−1 (origin+start < k); stamp k+1, parrot repeats one step later
  // with stamp k+2, recorded while k+2 <= K: K−2 steps of mean rate·dt per train.
  const mu = ((K - 2) * rate * DT) / 1000;
  for (const s of steps) assert.ok(s >= 3 && s <= K, `parrot spike step ${s} outside [3, ${K}]`);
  const counts = new Float64Array(N);
  for (const id of ids) counts[id - parrots.firstId]++;
  let mean = 0;
  for (const c of counts) mean += c / N;
  let v = 0;
  for (const c of counts) v += (c - mean) ** 2 / (N - 1);
  const fano = v / mean;
  // The mean of N Poisson(mu) counts has sd sqrt(mu/N) = 0.5: 4 sd = 2.0 (false alarm 6e-5).
  assert.ok(Math.abs(mean - mu) < 4 * Math.sqrt(mu / N), `mean count ${mean}, expected ${mu}`);
  // The sample Fano factor of N Poisson counts has sd about sqrt(2/(N−1)) = 0.071: 0.3 is
  // more than 4 sd, while a regular train (F = 0) or shared bursts (F >= 2) fail clearly.
  assert.ok(Math.abs(fano - 1) < 0.3, `Fano factor ${fano}`);
});

test('poisson_generator: every target gets an independent train', async () => {
  const N = 400;
  const T = 2000;
  const { parrots, ids, steps } = await poissonThroughParrots(7, 50, N, T);
  const binSteps = 100; // 10 ms
  const B = Math.round(T / DT / binSteps);
  const bins = Array.from({ length: N }, () => new Float64Array(B));
  const pop = new Float64Array(B);
  for (let r = 0; r < ids.length; r++) {
    const b = Math.min(B - 1, Math.floor((steps[r] - 1) / binSteps));
    bins[ids[r] - parrots.firstId][b]++;
    pop[b]++;
  }
  const corr = (a: Float64Array, b: Float64Array) => {
    let ma = 0;
    let mb = 0;
    for (let i = 0; i < a.length; i++) (ma += a[i] / a.length), (mb += b[i] / b.length);
    let sab = 0;
    let saa = 0;
    let sbb = 0;
    for (let i = 0; i < a.length; i++) {
      sab += (a[i] - ma) * (b[i] - mb);
      saa += (a[i] - ma) ** 2;
      sbb += (b[i] - mb) ** 2;
    }
    return sab / Math.sqrt(saa * sbb);
  };
  let meanR = 0;
  let maxR = 0;
  for (let j = 0; j < N / 2; j++) {
    const r = corr(bins[2 * j], bins[2 * j + 1]);
    meanR += r / (N / 2);
    maxR = Math.max(maxR, Math.abs(r));
  }
  // Independent trains: r over B = 200 bins has sd 1/sqrt(B−1) = 0.071, so the mean over 200
  // disjoint pairs has sd 0.005 (bound 0.025 = 5 sd) and no |r| should reach 0.4 (5.6 sd).
  // A shared train gives r = 1.
  assert.ok(Math.abs(meanR) < 0.025, `mean pair correlation ${meanR}`);
  assert.ok(maxR < 0.4, `largest pair correlation ${maxR}`);
  // The population count per bin is Poisson with Fano factor 1 if the trains are independent
  // (N if they were one shared train); over 200 bins its estimate has sd about 0.1.
  let m = 0;
  for (const c of pop) m += c / B;
  let v = 0;
  for (const c of pop) v += (c - m) ** 2 / (B - 1);
  assert.ok(Math.abs(v / m - 1) < 0.5, `population Fano factor ${v / m}`);
});

test('poisson_generator: activity window origin+start < k <= origin+stop is exact', async () => {
  const net = new Network({ dt: DT, seed: 1 });
  // rate·dt = 50 spikes per step: an empty active step has probability e^-50.
  const pg = net.create('poisson_generator', 2, { rate: 500_000, start: 10, stop: 20, origin: [0, 5] });
  const parrots = net.create('parrot_neuron', 2);
  net.connect(pg, parrots, 'one_to_one');
  const rec = recordSpikes(net, parrots);
  net.simulate(40);
  await net.close();
  const { ids, steps } = spikesOf(rec);
  for (const [j, shift] of [[0, 0], [1, 50]]) {
    const got = [...new Set(steps.filter((_, r) => ids[r] === parrots.firstId + j))].sort((a, b) => a - b);
    // Updates k in (100, 200] (+ origin) stamp k+1; the parrot repeats after one step: k+2.
    const want = Array.from({ length: 100 }, (_, q) => 103 + q + shift);
    assert.equal(got, want, `generator ${j}`);
  }
  // Each active step carries about 50 spikes, written as one row each.
  const n0 = ids.filter((id) => id === parrots.firstId).length;
  assert.ok(Math.abs(n0 - 5000) < 4 * Math.sqrt(5000), `spikes in the window: ${n0}`);
});

test('poisson_generator: counts land in the target slot k+d (voltage of a direct target)', async () => {
  const net = new Network({ dt: DT, seed: 3 });
  // One active update, k = 101.
  const pg = net.create('poisson_generator', 1, { rate: 500_000, start: 10, stop: 10.1 });
  const nrn = net.create('iaf_psc_delta', 1, QUIET);
  net.connect(pg, nrn, 'all_to_all', { weight: 0.01, delay: 1 });
  const v = traceV(net, nrn);
  net.simulate(15);
  const at = (m: number) => v[m - 1][0];
  // Stamp k+1 = 102 over 10 steps lands in slot 111: V moves first at step 112.
  assert.is(at(111), 0);
  assert.ok(at(112) > 0.2, `V(112) = ${at(112)}`);
  const count = Math.round(at(112) / 0.01);
  assert.ok(Math.abs(at(112) - count * 0.01) < 1e-12);
  assert.ok(Math.abs(at(113) - at(112) * Math.exp(-DT / 10)) < 1e-12);
});

test('poisson_generator: it cannot be recorded directly; bad windows are refused', () => {
  const net = new Network({ dt: DT });
  const pg = net.create('poisson_generator', 1, { rate: 10 });
  assert.throws(() => recordSpikes(net, pg), /parrot_neuron/);
  assert.throws(() => net.create('poisson_generator', 1, { rate: -1 }), /rate/);
  assert.throws(() => net.create('poisson_generator', 1, { start: 5, stop: 2 }), /stop/);
  const net2 = new Network({ dt: DT });
  const g = net2.create('poisson_generator', 1, { rate: 10, start: 0.25 });
  const p = net2.create('parrot_neuron', 1);
  net2.connect(g, p);
  assert.throws(() => net2.simulate(1), /start = 0\.25 ms is not a multiple of dt/);
});

test('spike_generator: spikes exactly at the given times, with multiplicities and window', async () => {
  const net = new Network({ dt: DT });
  const sg = net.create('spike_generator', 3, { start: [0, 1, 0], stop: [1e9, 2.5, 1e9], origin: [0, 0, 10] });
  setSpikeTimes(sg, [
    [0.1, 1.0, 2.5, 2.5, 7.3],
    [0.1, 1.0, 1.1, 2.5, 2.6],
    [0.1, 0.5],
  ], { multiplicities: [[1, 1, 1, 2, 1], [1, 1, 1, 1, 1], [1, 3]] });
  assert.equal(Array.from(getSpikeTimes(sg, 0)), [0.1, 1.0, 2.5, 2.5, 7.3]);
  const rec = recordSpikes(net, sg);
  net.simulate(20);
  await net.close();
  const { ids, steps, times } = spikesOf(rec);
  const of = (j: number) => steps.filter((_, r) => ids[r] === j);
  // Neuron 0: every time, the duplicate 2.5 and its multiplicity 2 as three rows in all.
  assert.equal(of(0), [1, 10, 25, 25, 25, 73]);
  // Neuron 1: window start 1 (exclusive) < t <= stop 2.5 (inclusive).
  assert.equal(of(1), [11, 25]);
  // Neuron 2: times relative to origin 10 ms; multiplicity 3.
  assert.equal(of(2), [101, 105, 105, 105]);
  // On-grid times are written as step / (steps per ms): 73 steps is 7.3 ms exactly as parsed.
  for (let r = 0; r < times.length; r++) assert.is(times[r], steps[r] / 10, 'grid spikes carry no offset');
});

test('spike_generator: off-grid times are refused, moved to the end of their step, or kept precisely', async () => {
  const bad = new Network({ dt: DT });
  const g = bad.create('spike_generator', 1);
  setSpikeTimes(g, [1.25]);
  assert.throws(() => bad.simulate(5), /1\.25 ms .*not a multiple of dt.*allow_offgrid_times/);

  const net = new Network({ dt: DT });
  const sg = net.create('spike_generator', 2, { allow_offgrid_times: [1, 0], precise_times: [0, 1] });
  const precise = [0.25, 1.0, 3.14159, 7.3, 7.30001];
  setSpikeTimes(sg.slice(0, 1), [0.25, 1.0, 3.14159]);
  setSpikeTimes(sg.slice(1, 2), precise);
  // Precise spikes reach a grid target at the end of their step: 0.25 ms (inside step 2)
  // counts as stamp 3, and over 1 ms (10 steps) V jumps at step 13.
  const nrn = net.create('iaf_psc_delta', 1, { ...QUIET, tau_m: 1e300 });
  net.connect(sg.slice(1, 2), nrn, 'all_to_all', { weight: 1, delay: 1 });
  const v = traceV(net, nrn);
  const rec = recordSpikes(net, sg);
  net.simulate(10);
  await net.close();
  const { ids, times, steps } = spikesOf(rec);
  assert.equal(steps.filter((_, r) => ids[r] === 0), [3, 10, 32], 'allow_offgrid_times rounds up to the step end');
  const got = times.filter((_, r) => ids[r] === 1);
  assert.is(got.length, precise.length);
  for (let q = 0; q < got.length; q++) assert.ok(Math.abs(got[q] - precise[q]) < 1e-12, `precise ${got[q]} vs ${precise[q]}`);
  const at = (m: number) => v[m - 1][0];
  assert.is(at(12), 0);
  assert.is(at(13), 1);
  // 1.0 (on grid, stamp 10) arrives at 20, 3.14159 (stamp 32) at 42, 7.3 at 83, 7.30001 at 84.
  const jumps = [];
  for (let m = 2; m <= v.length; m++) if (at(m) !== at(m - 1)) jumps.push(m);
  assert.equal(jumps, [13, 20, 42, 83, 84]);
});

test('spike_generator: refuses bad lists; past times are skipped; origin rewinds the list', async () => {
  const net = new Network({ dt: DT });
  const sg = net.create('spike_generator', 1);
  assert.throws(() => setSpikeTimes(sg, [2, 1]), /non-descending/);
  assert.throws(() => setSpikeTimes(sg, [0, 1]), /> 0 ms/);
  assert.throws(() => setSpikeTimes(sg, [1, NaN]), /finite/);
  assert.throws(() => setSpikeTimes(sg, [[1], [2]]), /2 spike-time lists for 1/);
  assert.throws(() => setSpikeTimes(sg, [1, 2], { multiplicities: [1] }), /2 spike times but 1 multiplicities/);
  assert.throws(() => setSpikeTimes(sg, [1], { multiplicities: [0.5] }), /whole numbers/);
  const other = net.create('parrot_neuron', 1);
  assert.throws(() => setSpikeTimes(other, [1]), /not a spike_generator/);
  assert.throws(() => net.create('spike_generator', 1, { precise_times: 1, allow_offgrid_times: 1 }), /cannot both be 1/);

  setSpikeTimes(sg, [1, 2]);
  const rec = recordSpikes(net, sg);
  net.simulate(5);
  // Set during a pause: 3 ms is in the past and skipped (NEST), 6 and 8 ms are sent.
  setSpikeTimes(sg, [3, 6, 8]);
  net.simulate(5);
  // A new origin rewinds the list: all of it is sent again, relative to 10 ms.
  sg.set({ origin: 10 });
  net.simulate(10);
  await net.close();
  assert.equal(spikesOf(rec).steps, [10, 20, 60, 80, 130, 160, 180]);

  const early = new Network({ dt: DT });
  const pg = early.create('spike_generator', 1, { precise_times: 1 });
  setSpikeTimes(pg, [0.05]);
  assert.throws(() => early.simulate(1), /0\.05 ms lies inside the step/);
});

test('parrot_neuron: repeats each spike after the delay, with multiplicity; chains add delays', async () => {
  const net = new Network({ dt: DT });
  const sg = net.create('spike_generator', 1);
  setSpikeTimes(sg, [1.0, 2.0, 2.0, 4.0], { multiplicities: [1, 2, 1, 3] });
  const p1 = net.create('parrot_neuron', 1);
  const p2 = net.create('parrot_neuron', 1);
  net.connect(sg, p1, 'all_to_all', { delay: 1.5 });
  net.connect(p1, p2, 'all_to_all', { delay: 0.1 });
  const rec = recordSpikes(net, [p1, p2]);
  net.simulate(10);
  await net.close();
  const { ids, steps } = spikesOf(rec);
  // Spike at t with delay d: parrot spike at t + d; three spikes arriving together (2 + 1 at
  // 2.0 ms) leave as one spike of multiplicity 3, recorded as three rows.
  assert.equal(steps.filter((_, r) => ids[r] === p1.firstId), [25, 35, 35, 35, 55, 55, 55]);
  assert.equal(steps.filter((_, r) => ids[r] === p2.firstId), [26, 36, 36, 36, 56, 56, 56]);
  assert.is(net.stats.spikes, 7 + 7 + 7, 'spikes counted with multiplicity');
});

test('parrot_neuron: a connection weight other than 1 is an error, not a silent rescaling', () => {
  const net = new Network({ dt: DT });
  const sg = net.create('spike_generator', 1);
  setSpikeTimes(sg, [1.0]);
  const p = net.create('parrot_neuron', 1);
  net.connect(sg, p, 'all_to_all', { weight: 0.5 });
  assert.throws(() => net.simulate(5), /weight 1/);
});

test.run();
