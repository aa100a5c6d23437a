/**
 * The toy replay of spec §7: a deterministic trace of the original step function (two WTAs of
 * two neurons, one input channel, forced output spikes) replayed through the engine. Every
 * compared value must satisfy |ours − ref| ≤ 1e-6·max(1, |ref|); the reference stores about
 * 8 significant digits, so the expected error is ~1e-8.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { sharedData } from './helpers.js';
import { createSimulation, Network } from '../experiments/wta-sequence/network.js';
import { SpikeTrainInput } from '../experiments/wta-sequence/input-generator.js';

interface ToyData {
  group_map: number[];
  W_map: number[][];
  stp_params_per_source: { U: number[]; D_s: number[]; F_s: number[] };
  input_spike_steps: number[];
  output_spike_steps: number[][];
  u_trace: number[][];
  Y_trace: number[][];
  rate_trace_hz: number[][];
  W_every_50ms: { t_ms: number; W: number[][] }[];
  final_S: number[][];
  final_Q: number[][];
}

/** Initial u per source (spec §7); the JSON holds the end-of-run values. */
const U0 = [1.0, 0.52589349, 0.51766516, 0.22322067, 0.69854613];

class Compare {
  worst = 0;
  count = 0;
  check(ours: number, ref: number, what: string): void {
    const err = Math.abs(ours - ref) / Math.max(1, Math.abs(ref));
    this.count++;
    if (err > this.worst) this.worst = err;
    if (!(err <= 1e-6)) throw new Error(`${what}: ours ${ours}, reference ${ref} (relative error ${err} > 1e-6)`);
  }
}

test('toy replay: u, Y, rates every step, W every 50 ms, final S, Q and u match the original to 1e-6', () => {
  const d = JSON.parse(readFileSync(sharedData('wta/toy_forced_2wta_k2.json'), 'utf8')) as ToyData;
  const sim = createSimulation({ seed: 1 });
  const net = Network.fromStructure(
    sim,
    {
      gridShape: [1, 2],
      wtaSizes: [2, 2],
      pairs: [
        [0, 1],
        [1, 0],
      ],
      nInputs: 1,
      stpParams: { U: U0, D: d.stp_params_per_source.D_s.map((x) => x * 1000), F: d.stp_params_per_source.F_s.map((x) => x * 1000) },
    },
    { eta: 0.05, useVarianceTracking: true, stpVariant: 'legacy', stpScope: 'source' },
  );
  // The structure is the toy's: group map and existence mask.
  assert.equal(Array.from(net.wtaOf), d.group_map);
  const W0 = net.getWeights();
  const mask = d.W_map.map((row) => row.map(() => 0));
  for (let q = 0; q < W0.w.length; q++) mask[W0.post[q]][W0.pre[q]] += 1;
  assert.equal(mask, d.W_map);
  assert.equal(Array.from(W0.w), new Array(W0.w.length).fill(0), 'w starts at 0');
  assert.equal(Array.from(net.stpParams.D.subarray(0, 1)), [1], 'input D = 1 ms');

  net.neurons.forceSpikes({ mode: 'replace', spikes: d.output_spike_steps });
  net.setInput(new SpikeTrainInput({ nInputs: 1, spikeSteps: [d.input_spike_steps] }));
  const cmp = new Compare();
  const fired = d.output_spike_steps.map(() => [] as number[]);
  sim.addSpikeSink(net.neurons, { onSpike: (_p, i, step) => fired[i].push(step) });
  let snap = 0;
  for (let t = 0; t < 1000; t++) {
    sim.simulate(1);
    const u = net.neurons.s.u;
    const rho = net.neurons.s.rho;
    const Y = net.getSourceStates().Y;
    for (let k = 0; k < 4; k++) {
      cmp.check(u[k], d.u_trace[t][k], `u[${k}] at step ${t}`);
      cmp.check(100 * rho[k], d.rate_trace_hz[t][k], `rate[${k}] at step ${t}`);
    }
    for (let i = 0; i < 5; i++) cmp.check(Y[i], d.Y_trace[t][i], `Y[${i}] at step ${t}`);
    if (snap < d.W_every_50ms.length && d.W_every_50ms[snap].t_ms === t + 1) {
      const W = net.getWeights();
      for (let q = 0; q < W.w.length; q++) cmp.check(W.w[q], d.W_every_50ms[snap].W[W.post[q]][W.pre[q]], `w[${W.post[q]}][${W.pre[q]}] after ${t + 1} ms`);
      snap++;
    }
  }
  assert.is(snap, 20, 'all 20 weight snapshots compared');
  // Compared only where a synapse exists (W_map = 1); the rest is the original's shadow state.
  const W = net.getWeights();
  for (let q = 0; q < W.w.length; q++) {
    cmp.check(W.S[q], d.final_S[W.post[q]][W.pre[q]], `final S[${W.post[q]}][${W.pre[q]}]`);
    cmp.check(W.Q[q], d.final_Q[W.post[q]][W.pre[q]], `final Q[${W.post[q]}][${W.pre[q]}]`);
  }
  const u = net.getSourceStates().u;
  for (let i = 0; i < 5; i++) cmp.check(u[i], d.stp_params_per_source.U[i], `final u of source ${i}`);
  // 'replace' mode: the neurons spiked exactly at the forced steps.
  assert.equal(fired, d.output_spike_steps);
  assert.ok(cmp.count > 4 * 1000 * 2 + 5 * 1000, `compared ${cmp.count} values`);
  assert.ok(cmp.worst < 1e-6);
});

test.run();
