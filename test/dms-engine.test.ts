/**
 * Spec §7 check 10: the engine's dense stepping (msn_lif + striatal_stdp driven by
 * spike_generator inputs, the random input through a static synapse, rewards through the
 * `reward` modulator channel) against the lazy event-driven circuit of
 * experiments/striatum-dms/core.ts on the same spike times: identical MSN spikes, weights
 * within 1e−12.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import seedrandom from 'seedrandom';
import { Network, recordSpikes, setSpikeTimes } from '../engine/index.js';
import { DmsCircuit, MSN_DEFAULTS } from '../experiments/striatum-dms/core.js';
import { setStriatalGate, striatalState } from '../synapses/striatal_stdp.js';
import { ARTICLE_CONFIG, simulateDms, type DmsConfig } from '../experiments/striatum-dms/simulate.js';

const DT = 0.2;
const S0 = 10; // engine steps before the circuit's step 0 (a generator cannot spike at t = 0)

interface CoreRun {
  inputTrains: number[][];
  randomTrain: number[];
  msn: number[];
  w: Float64Array;
  V: number;
  jumped: number;
}

/** Runs the lazy circuit for `trials` segments with noise, patterns and per-trial rewards; logs every emitted spike. */
function runCore(P: number, w0: number[], trials: number, D: number, m: number[], gate: number[], Apostpre: number, Aprepost: number, seed: string): CoreRun {
  const rngs = Array.from({ length: P + 1 }, (_, k) => seedrandom.alea(`${seed}/noise/${k}`));
  const c = new DmsCircuit({ ...MSN_DEFAULTS, P, dt: DT, epsilon: 0.02, Aprepost, Apostpre }, Float64Array.from(w0), rngs);
  const u = seedrandom.alea(`${seed}/patterns`);
  const inputTrains: number[][] = Array.from({ length: P }, () => []);
  const randomTrain: number[] = [];
  const msn: number[] = [];
  c.setNoise(0.003, 0.004);
  for (let t = 0; t < trials; t++) {
    const base = t * D;
    c.onStep = (cc, spiked, j) => {
      for (let k = 0; k < P; k++) if (cc.s[k]) inputTrains[k].push(base + j);
      if (cc.sR) randomTrain.push(base + j);
      if (spiked) msn.push(base + j);
    };
    const inputs = [0, 1, 2].map(() => Math.floor(u() * P));
    const steps = inputs.map(() => 20 + Math.floor(u() * 4));
    c.setPattern(inputs, steps);
    c.m = m[t];
    c.g = gate[t];
    c.run(D, true);
  }
  return { inputTrains, randomTrain, msn, w: c.w, V: c.V, jumped: c.jumpedSteps };
}

/** The same network on the engine, stepped densely. */
async function runEngine(P: number, w0: number[], trials: number, D: number, m: number[], gate: number[], Apostpre: number, Aprepost: number, core: CoreRun): Promise<{ msn: number[]; w: number[]; V: number }> {
  const net = new Network({ dt: DT });
  const inputs = net.create('spike_generator', P, {}, { name: 'inputs' });
  const rnd = net.create('spike_generator', 1, {}, { name: 'random' });
  const msn = net.create('msn_lif', 1, {}, { name: 'msn' });
  const ms = (n: number): number => Math.round((S0 + n) * 10) / 50; // (S0 + n)·0.2 ms, rounded to the step grid
  setSpikeTimes(inputs, core.inputTrains.map((tr) => tr.map(ms)));
  setSpikeTimes(rnd, core.randomTrain.map(ms));
  const proj = net.connect(inputs, msn, 'all_to_all', { model: 'striatal_stdp', sameStep: true, params: { epsilon: 0.02, Apostpre, Aprepost } });
  for (let r = 0; r < P; r++) proj.weight[proj.rowPtr[r]] = w0[r];
  net.connect(rnd, msn, 'all_to_all', { weight: 1, delay: DT });
  const rec = recordSpikes(net, msn);
  for (let t = 0; t < trials; t++) {
    net.modulate(ms(t * D), 'reward', m[t]);
    // The gate is set by the protocol before the trial's first step.
    net.at(ms(t * D), () => setStriatalGate(proj, gate[t]), 0);
  }
  net.simulate(ms(trials * D));
  await net.close();
  const times = Array.from(rec.toTable().getChild('time_ms')!.toArray() as Float64Array);
  return { msn: times.map((x) => Math.round(x / DT) - S0), w: Array.from(proj.weight), V: msn.get('V_m')[0] };
}

for (const [Apostpre, Aprepost] of [
  [-1, -1],
  [1, -1],
  [0.5, 0],
]) {
  test(`check 10: engine dense stepping equals the lazy circuit (Apostpre ${Apostpre}, Aprepost ${Aprepost})`, async () => {
    const P = 10;
    const trials = 120;
    const D = 100;
    const w0 = Array.from({ length: P }, (_, k) => 0.05 + 0.03 * k);
    const m = Array.from({ length: trials }, (_, t) => (t % 3 === 0 ? 0 : 0.95));
    const gate = Array.from({ length: trials }, (_, t) => (t % 7 === 6 ? 0 : 1));
    const core = runCore(P, w0, trials, D, m, gate, Apostpre, Aprepost, `eq${Apostpre}${Aprepost}`);
    assert.ok(core.msn.length > 50, `enough MSN spikes (${core.msn.length})`);
    assert.ok(core.jumped > trials * D * 0.3, 'the circuit ran event-driven');
    const eng = await runEngine(P, w0, trials, D, m, gate, Apostpre, Aprepost, core);
    assert.equal(eng.msn, core.msn, 'identical MSN spike steps');
    for (let k = 0; k < P; k++) assert.ok(Math.abs(eng.w[k] - core.w[k]) < 1e-12, `w[${k}]: ${eng.w[k]} vs ${core.w[k]}`);
    assert.ok(Array.from(core.w).some((x, k) => Math.abs(x - w0[k]) > 0.01), 'weights moved');
    assert.ok(Math.abs(eng.V - core.V) < 1e-9);
  });
}

test('msn_lif on the engine: check 1 thresholds (0.44 fires, 0.4375 gives exactly −45 and does not)', async () => {
  for (const [w, fires, v] of [
    [0.44, true, -45],
    [0.4375, false, -45],
    [0.43, false, -45.6],
  ] as const) {
    const net = new Network({ dt: DT });
    const src = net.create('spike_generator', 1);
    const msn = net.create('msn_lif', 1);
    setSpikeTimes(src, [1]);
    net.connect(src, msn, 'all_to_all', { weight: w, delay: DT });
    const rec = recordSpikes(net, msn);
    net.simulate(1.2); // ticks up to step 5: the spike stamped 5 reaches the tick at step 6
    assert.is(msn.get('V_m')[0], -80);
    net.simulate(0.2);
    assert.ok(Math.abs(msn.get('V_m')[0] - v) < 1e-12, `V for w ${w}: ${msn.get('V_m')[0]}`);
    await net.close();
    assert.is(rec.toTable().numRows, fires ? 1 : 0);
  }
});

test('check 10 over the whole protocol: simulateDms (lazy) and the engine replaying its trials and tests densely agree', async () => {
  // Shortened article protocol (60 iterations per phase: tests at 0, 5, …, 50 and the final
  // one) with stim_recall 0.5 and number_success gating, so trials, tests with their resets,
  // carried spike registers, rewards and gates all occur.
  const cfg: DmsConfig = {
    ...ARTICLE_CONFIG,
    stimRecall: 0.5,
    noiseInput: 0.02,
    stopLearning: 'number_success',
    numSuccessParams: 2,
    numTrainingInitial: 60,
    numTrainingLearning: 60,
    numTrainingMaintenance: 60,
    numTrainingRecall: 60,
  };
  const P = cfg.P;
  const D = 500;
  const segs: { kind: 'trial' | 'test'; start: number; m: number; g: number }[] = [];
  const inputTrains: number[][] = Array.from({ length: P }, () => []);
  const randomTrain: number[] = [];
  const msnCore: number[] = [];
  let start = 0;
  const res = simulateDms(cfg, 10, 0, 4242, {
    onSegment(kind, c) {
      if (segs.length > 0) start += D;
      const base = start;
      segs.push({ kind, start: base, m: c.m, g: kind === 'test' ? 0 : c.g });
      c.onStep = (cc, spiked, j) => {
        for (let k = 0; k < P; k++) if (cc.s[k]) inputTrains[k].push(base + j);
        if (cc.sR) randomTrain.push(base + j);
        if (spiked) msnCore.push(base + j);
      };
    },
  });
  const total = start + D;
  const net = new Network({ dt: DT });
  const inputs = net.create('spike_generator', P);
  const rnd = net.create('spike_generator', 1);
  const msn = net.create('msn_lif', 1);
  const ms = (n: number): number => Math.round((S0 + n) * 10) / 50;
  setSpikeTimes(inputs, inputTrains.map((tr) => tr.map(ms)));
  setSpikeTimes(rnd, randomTrain.map(ms));
  const proj = net.connect(inputs, msn, 'all_to_all', { model: 'striatal_stdp', sameStep: true, params: { epsilon: cfg.epsilon, Apostpre: cfg.Apostpre, Aprepost: cfg.Aprepost } });
  const w0 = res.snapshots[0].weights;
  for (let r = 0; r < P; r++) proj.weight[proj.rowPtr[r]] = w0[r];
  net.connect(rnd, msn, 'all_to_all', { weight: 1, delay: DT });
  const st = striatalState(proj);
  for (const sg of segs) {
    net.modulate(ms(sg.start), 'reward', sg.m);
    net.at(
      ms(sg.start),
      () => {
        setStriatalGate(proj, sg.g);
        if (sg.kind === 'test') {
          // Test reset (spec §3): MSN and traces; spike registers carry over (default).
          msn.set({ V_m: -80, rho: Number.MAX_VALUE });
          st.x.fill(0);
          st.y.fill(0);
          st.sPost.fill(0);
        }
      },
      0,
    );
  }
  const rec = recordSpikes(net, msn);
  const testW: number[][] = [];
  for (const sg of segs) if (sg.kind === 'test') net.at(ms(sg.start), () => testW.push(Array.from(proj.weight)), 0);
  net.simulate(ms(total));
  await net.close();
  const times = Array.from(rec.toTable().getChild('time_ms')!.toArray() as Float64Array).map((x) => Math.round(x / DT) - S0);
  assert.ok(segs.filter((x) => x.kind === 'test').length === 450 && segs.length === 690, `segments ${segs.length}`);
  assert.ok(msnCore.length > 100, `MSN spikes ${msnCore.length}`);
  assert.equal(times, msnCore, 'identical MSN spikes over the protocol');
  const wEnd = res.snapshots[4].weights;
  for (let k = 0; k < P; k++) assert.ok(Math.abs(proj.weight[k] - wEnd[k]) < 1e-12, `w[${k}]`);
  // Weights at every test (the engine reads them at the test's first step, before any change).
  let q = 0;
  for (const t of res.tests) {
    for (let k = 0; k < P; k += 1) {
      if (Math.abs(testW[q * 10][k] - t.weights[k]) >= 1e-12) assert.unreachable(`test ${t.testIndex} w[${k}]`);
    }
    q++;
  }
  assert.ok(res.stepsJumped > res.stepsDense, 'simulateDms ran event-driven');
});

test.run();
