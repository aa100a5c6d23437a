/**
 * iaf_cond_exp against independent re-implementations written here:
 * - integrator 0 (accurate): a classic RK4 with 200 substeps per dt on the full system
 *   (V, g_ex, g_in, NEST's cap of V at V_th inside the derivative), in NEST's update order;
 * - integrator 1 (forward Euler at dt, Brian2 COBA): the same Euler step written out, for a
 *   small recurrent COBA network, which must agree to 1e-12.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Network, defineNeuronModel, registerNeuronModel, recordSpikes } from '../engine/index.js';

// A periodic spike train (test helper): stamps first, first + period, ... (count spikes).
registerNeuronModel(
  defineNeuronModel({
    name: 'cond_test_train',
    doc: 'Periodic spike train on the grid (test helper).',
    timing: 'grid',
    output: 'spike',
    params: {
      first: { default: 1, unit: 'steps', min: 1, integer: true, doc: 'Stamp of the first spike.' },
      period: { default: 10, unit: 'steps', min: 1, integer: true, doc: 'Steps between spikes.' },
      count: { default: 1, unit: '1', min: 0, integer: true, doc: 'Number of spikes.' },
    },
    state: {},
    ports: {},
    prepare: () => null,
    update(ctx) {
      const stamp = ctx.step + 1;
      for (let i = 0; i < ctx.n; i++) {
        const j = stamp - ctx.p.first[i];
        if (j >= 0 && j % ctx.p.period[i] === 0 && j / ctx.p.period[i] < ctx.p.count[i]) ctx.spike(i);
      }
    },
  }),
);

interface Train {
  first: number;
  period: number;
  count: number;
  weight: number;
  delay: number; // steps
}

/** Input arriving in each update k (the ring slot k), per sign. */
function arrivals(trains: Train[], steps: number): { ex: Float64Array; inh: Float64Array } {
  const ex = new Float64Array(steps + 1);
  const inh = new Float64Array(steps + 1);
  for (const tr of trains) {
    for (let j = 0; j < tr.count; j++) {
      const slot = tr.first + j * tr.period + tr.delay - 1; // stamp s over d steps: slot s + d − 1
      if (slot > steps) continue;
      if (tr.weight >= 0) ex[slot] += tr.weight;
      else inh[slot] += -tr.weight;
    }
  }
  return { ex, inh };
}

interface CondParams {
  V_th: number;
  V_reset: number;
  t_ref: number;
  g_L: number;
  C_m: number;
  E_ex: number;
  E_in: number;
  E_L: number;
  tau_syn_ex: number;
  tau_syn_in: number;
  I_e: number;
}

const NEST_DEFAULTS: CondParams = {
  V_th: -55, V_reset: -60, t_ref: 2, g_L: 16.6667, C_m: 250, E_ex: 0, E_in: -85, E_L: -70, tau_syn_ex: 0.2, tau_syn_in: 2, I_e: 0,
};

/** Reference: RK4 with M substeps per dt on (V, g_ex, g_in), NEST's update order. */
function reference(p: CondParams, dt: number, steps: number, inp: { ex: Float64Array; inh: Float64Array }, M = 200) {
  const V: number[] = [p.E_L];
  const spikes: number[] = [];
  let v = p.E_L;
  let ge = 0;
  let gi = 0;
  let refr = 0;
  const refSteps = Math.round(p.t_ref / dt);
  const h = dt / M;
  const f = (y: number[], refractory: boolean): number[] => {
    const vv = refractory ? p.V_reset : Math.min(y[0], p.V_th);
    const dv = refractory ? 0 : (-p.g_L * (vv - p.E_L) - y[1] * (vv - p.E_ex) - y[2] * (vv - p.E_in) + p.I_e) / p.C_m;
    return [dv, -y[1] / p.tau_syn_ex, -y[2] / p.tau_syn_in];
  };
  for (let k = 0; k < steps; k++) {
    let y = [v, ge, gi];
    for (let m = 0; m < M; m++) {
      const k1 = f(y, refr > 0);
      const k2 = f(y.map((x, j) => x + (h / 2) * k1[j]), refr > 0);
      const k3 = f(y.map((x, j) => x + (h / 2) * k2[j]), refr > 0);
      const k4 = f(y.map((x, j) => x + h * k3[j]), refr > 0);
      y = y.map((x, j) => x + (h / 6) * (k1[j] + 2 * k2[j] + 2 * k3[j] + k4[j]));
    }
    [v, ge, gi] = y;
    ge += inp.ex[k];
    gi += inp.inh[k];
    if (refr > 0) {
      refr--;
      v = p.V_reset;
    } else if (v >= p.V_th) {
      refr = refSteps;
      v = p.V_reset;
      spikes.push(k + 1);
    }
    V.push(v);
  }
  return { V, spikes };
}

function simulate(p: CondParams & { integrator?: number }, dt: number, steps: number, trains: Train[]) {
  const net = new Network({ dt });
  const pop = net.create('iaf_cond_exp', 1, { ...p });
  for (const tr of trains) {
    const src = net.create('cond_test_train', 1, { first: tr.first, period: tr.period, count: tr.count });
    net.connect(src, pop, 'all_to_all', { weight: tr.weight, delay: tr.delay * dt });
  }
  const rec = recordSpikes(net, pop);
  const V = [pop.get('V_m')[0]];
  const ge = [0];
  for (let k = 0; k < steps; k++) {
    net.simulate(dt);
    V.push(pop.get('V_m')[0]);
    ge.push(pop.get('g_ex')[0]);
  }
  return { V, ge, net, rec };
}

async function spikeSteps(net: Network, rec: ReturnType<typeof recordSpikes>): Promise<number[]> {
  await net.close();
  return Array.from(rec.toTable().getChild('time_ms')!.toArray() as Float64Array, (t) => Math.round(t / net.dt));
}

const TRAINS: Train[] = [
  { first: 10, period: 37, count: 30, weight: 60, delay: 1 },
  { first: 12, period: 11, count: 60, weight: 6, delay: 3 },
  { first: 25, period: 53, count: 15, weight: -40, delay: 2 },
];

for (const dt of [0.1, 0.5]) {
  test(`accurate integrator, subthreshold conductance input (dt = ${dt} ms): V within 1e-5 mV of RK4 with 200 substeps`, () => {
    const p = { ...NEST_DEFAULTS, V_th: 100 };
    const steps = Math.round(100 / dt);
    const sim = simulate(p, dt, steps, TRAINS.map((t) => ({ ...t, first: Math.ceil(t.first * (0.1 / dt)), period: Math.max(1, Math.round(t.period * (0.1 / dt))) })));
    const ref = reference(p, dt, steps, arrivals(TRAINS.map((t) => ({ ...t, first: Math.ceil(t.first * (0.1 / dt)), period: Math.max(1, Math.round(t.period * (0.1 / dt))) })), steps));
    let maxErr = 0;
    let excursion = 0;
    for (let k = 0; k <= steps; k++) {
      maxErr = Math.max(maxErr, Math.abs(sim.V[k] - ref.V[k]));
      excursion = Math.max(excursion, Math.abs(sim.V[k] - p.E_L));
    }
    assert.ok(excursion > 2, `the input must move V by millivolts (max excursion ${excursion} mV)`);
    // The integrator bounds the local error by 1e-6 mV per substep; the leak (tau about 15 ms)
    // forgets old errors, so the global error stays at a few 1e-6 mV (measured 5.6e-7 at
    // dt 0.1 and 3.1e-6 at dt 0.5). The reference changes by 1e-12 (dt 0.1) and 1.1e-10 mV
    // (dt 0.5) when its substeps are doubled. One plain RK4 step per dt would be off by 8e-4
    // and 3 mV here (tau_syn_ex = 0.2 ms), so the bound discriminates.
    assert.ok(maxErr <= 1e-5, `max |V − V_ref| = ${maxErr} mV`);
  });
}

test('accurate integrator with spikes: same spike steps as the reference, V clamped while refractory, exact conductance decay', async () => {
  const dt = 0.1;
  const p = { ...NEST_DEFAULTS, I_e: 600 };
  const steps = 2000;
  const trains: Train[] = [
    { first: 5, period: 17, count: 100, weight: 40, delay: 1 },
    { first: 9, period: 41, count: 40, weight: -30, delay: 1 },
  ];
  const sim = simulate(p, dt, steps, trains);
  const ref = reference(p, dt, steps, arrivals(trains, steps));
  const spikes = await spikeSteps(sim.net, sim.rec);
  assert.ok(ref.spikes.length >= 10, `reference spikes: ${ref.spikes.length}`);
  assert.equal(spikes, ref.spikes);
  let maxErr = 0;
  for (let k = 0; k <= steps; k++) maxErr = Math.max(maxErr, Math.abs(sim.V[k] - ref.V[k]));
  // Same budget as the subthreshold case (measured 3.9e-7 mV); resets are exact on both sides.
  assert.ok(maxErr <= 1e-5, `max |V − V_ref| = ${maxErr} mV`);
  const refSteps = Math.round(p.t_ref / dt);
  for (const s of spikes) for (let k = s; k <= Math.min(steps, s + refSteps); k++) assert.is(sim.V[k], p.V_reset, `V at step ${k} after the spike at ${s}`);
  // The excitatory spikes arrive in updates 5 and 22 (stamp + delay − 1), so g_ex (sampled
  // after each update) decays by exactly exp(−dt/tau) per step from sample 6 to sample 22,
  // refractory or not.
  const decay = Math.exp(-dt / p.tau_syn_ex);
  assert.ok(sim.ge[6] > 39, `g_ex after the first spike: ${sim.ge[6]}`);
  for (let k = 6; k <= 21; k++) assert.ok(Math.abs(sim.ge[k + 1] - sim.ge[k] * decay) <= 1e-15 * sim.ge[k], `g_ex sample ${k + 1}`);
});

test('Euler integrator: a recurrent COBA network equals a direct Euler re-implementation to 1e-12', async () => {
  // Brian2 COBA in NEST units: g_L = 10 nS, C_m = tau_m·g_L = 200 pF, drive 20 mV·g_L = 200 pA,
  // weights 0.6 and 6.7 g_L.
  const dt = 0.1;
  const N = 60;
  const NE = 48;
  const par = { V_th: -50, V_reset: -60, t_ref: 5, g_L: 10, C_m: 200, E_ex: 0, E_in: -80, E_L: -60, tau_syn_ex: 5, tau_syn_in: 10, I_e: 200 };
  const net = new Network({ dt, seed: 7 });
  const pop = net.create('iaf_cond_exp', N, { ...par, integrator: 1, V_m: { distribution: 'normal', mean: -55, std: 5 } });
  net.connect(pop.slice(0, NE), pop, { rule: 'pairwise_bernoulli', p: 0.2, allow_autapses: false }, { weight: 6 });
  net.connect(pop.slice(NE, N), pop, { rule: 'pairwise_bernoulli', p: 0.2, allow_autapses: false }, { weight: -67 });
  const rec = recordSpikes(net, pop);
  const conns = net.getConnections();
  const src = conns.getChild('source')!.toArray() as Uint32Array;
  const tgt = conns.getChild('target')!.toArray() as Uint32Array;
  const wts = conns.getChild('weight')!.toArray() as Float64Array;
  const rows: number[][] = Array.from({ length: N }, () => []);
  for (let q = 0; q < src.length; q++) rows[src[q]].push(q);

  const v = Float64Array.from(pop.get('V_m'));
  const ge = new Float64Array(N);
  const gi = new Float64Array(N);
  const refr = new Int32Array(N);
  const refSteps = Math.round(par.t_ref / dt);
  let inEx = new Float64Array(N);
  let inIn = new Float64Array(N);
  const refSpikes: number[] = [];
  const steps = 3000;
  let maxErr = 0;
  for (let k = 0; k < steps; k++) {
    const nextEx = new Float64Array(N);
    const nextIn = new Float64Array(N);
    const fired: number[] = [];
    for (let i = 0; i < N; i++) {
      const vi = v[i];
      const e = ge[i];
      const g = gi[i];
      if (refr[i] === 0) v[i] = vi + dt * (-par.g_L * (vi - par.E_L) + e * (par.E_ex - vi) + g * (par.E_in - vi) + par.I_e) * (1 / par.C_m);
      ge[i] = e - (dt * e) / par.tau_syn_ex;
      gi[i] = g - (dt * g) / par.tau_syn_in;
      ge[i] += inEx[i];
      gi[i] += Math.abs(inIn[i]);
      if (refr[i] > 0) {
        refr[i]--;
        v[i] = par.V_reset;
      } else if (v[i] >= par.V_th) {
        refr[i] = refSteps;
        v[i] = par.V_reset;
        fired.push(i);
        refSpikes.push((k + 1) * N + i);
      }
    }
    // Delay dt: spikes stamped k+1 are consumed in update k+1.
    for (const i of fired) for (const q of rows[i]) (wts[q] >= 0 ? nextEx : nextIn)[tgt[q]] += wts[q];
    inEx = nextEx;
    inIn = nextIn;
    net.simulate(dt);
    const vs = pop.get('V_m');
    for (let i = 0; i < N; i++) maxErr = Math.max(maxErr, Math.abs(vs[i] - v[i]));
  }
  await net.close();
  const t = rec.toTable();
  const ids = t.getChild('node_id')!.toArray() as Uint32Array;
  const times = t.getChild('time_ms')!.toArray() as Float64Array;
  const simSpikes = Array.from(ids, (id, r) => Math.round(times[r] / dt) * N + id).sort((a, b) => a - b);
  refSpikes.sort((a, b) => a - b);
  assert.ok(refSpikes.length > 100, `the network must fire (${refSpikes.length} spikes)`);
  assert.equal(simSpikes, refSpikes);
  assert.ok(maxErr <= 1e-12, `max |V − V_euler| = ${maxErr} mV`);
});

test('integrator must be 0 or 1', () => {
  const net = new Network();
  assert.throws(() => net.create('iaf_cond_exp', 1, { integrator: 2 }), /integrator/);
  assert.throws(() => net.create('iaf_cond_exp', 1, { integrator: 0.5 }), /whole number/);
});

test.run();
