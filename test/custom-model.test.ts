/**
 * Models defined and registered from outside the package, the way a user adds one: a leaky
 * integrator with a forward-Euler update that spikes at a threshold, wired to iaf_psc_delta
 * and back, and a synapse model that scales weights. Results are checked against closed forms
 * and against a step-by-step re-implementation of both neurons written here.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Network,
  SimulationError,
  defineNeuronModel,
  defineSynapseModel,
  getNeuronModel,
  getSynapseModel,
  recordSpikes,
  registerNeuronModel,
  registerSynapseModel,
} from '../engine/index.js';

/**
 * x ← x + dt·(drive − x/tau) + input; a spike when x ≥ theta, then x = 0. Grid timing: the
 * update at step k integrates k → k+1, so a crossing found there is stamped k+1.
 */
const leakyRamp = defineNeuronModel({
  name: 'custom_leaky_ramp',
  doc: 'Leaky integrator with forward-Euler update and threshold reset (test model).',
  timing: 'grid',
  output: 'spike',
  params: {
    tau: { default: 10, unit: 'ms', min: 0, exclusiveMin: true, doc: 'Leak time constant.' },
    drive: { default: 0.15, unit: '1/ms', doc: 'Constant drive.' },
    theta: { default: 1, unit: '1', min: 0, exclusiveMin: true, doc: 'Threshold.' },
  },
  state: {
    x: { unit: '1', initial: 0, doc: 'Integrated activity.' },
  },
  ports: {
    spikes: { kind: 'spike', doc: 'Input spikes; the weight is added to x.' },
  },
  prepare(p, dt, n) {
    const leak = new Float64Array(n);
    for (let i = 0; i < n; i++) leak[i] = dt / p.tau[i];
    return { leak };
  },
  update(ctx) {
    const { n, dt, p, s, c, input } = ctx;
    const x = s.x;
    const inp = input.spikes;
    for (let i = 0; i < n; i++) {
      x[i] = x[i] + (dt * p.drive[i] - c.leak[i] * x[i]) + inp[i];
      if (x[i] >= p.theta[i]) {
        x[i] = 0;
        ctx.spike(i);
      }
    }
  },
});
registerNeuronModel(leakyRamp);

/** Static synapse whose weights act multiplied by `scale` (the stored weight is unchanged). */
const scaled = defineSynapseModel({
  name: 'custom_scaled_synapse',
  doc: 'Static synapse with a common weight factor (test model).',
  params: { scale: { default: 1, unit: '1', min: 0, doc: 'Factor applied to every weight.' } },
  init: (_proj, p) => ({ scale: p.scale }),
  transmit(proj, state, row, stamp, offset, mult) {
    proj.addRow(row, proj.slotBase(stamp, offset), mult * state.scale);
  },
});
registerSynapseModel(scaled);

/** Ramp spikes every 110 steps: Euler gives x_k = drive·tau·(1 − (1 − dt/tau)^k) = 1.5·(1 − 0.99^k) ≥ 1 first at k = ⌈ln(1/3)/ln 0.99⌉ = 110. */
const PERIOD_STEPS = Math.ceil(Math.log(1 / 3) / Math.log(0.99));

test('closed form: the custom neuron spikes every 11 ms and drives iaf_psc_delta exactly', async () => {
  assert.is(PERIOD_STEPS, 110);
  const net = new Network({ dt: 0.1 });
  const ramp = net.create('custom_leaky_ramp', 1, { tau: 10, drive: 0.15 });
  const iaf = net.create('iaf_psc_delta', 1, { E_L: 0, V_m: 0, V_reset: 0, V_th: 1000, tau_m: 10 });
  net.connect(ramp, iaf, 'one_to_one', { weight: 5, delay: 1 });
  const rec = recordSpikes(net, ramp);
  // iaf V(t) = Σ 5·exp(−(t − a_j)/10) over arrivals a_j = 11j + 1 ms (stamp + delay) ≤ t.
  const vExact = (t: number) => {
    let v = 0;
    for (let j = 1; 11 * j + 1 <= t + 1e-9; j++) v += 5 * Math.exp(-(t - (11 * j + 1)) / 10);
    return v;
  };
  for (let k = 1; k <= 600; k++) {
    net.simulate(0.1);
    const t = k / 10;
    const v = iaf.get('V_m')[0];
    assert.ok(Math.abs(v - vExact(t)) < 1e-10, `V(${t}) = ${v}, expected ${vExact(t)}`);
  }
  // The jump of the first spike (stamped 11.0 ms) shows at exactly 12.0 ms.
  await net.close();
  const times = Array.from(rec.toTable().getChild('time_ms')!.toArray() as Float64Array);
  assert.equal(times.map((t) => Math.round(t * 10)), [110, 220, 330, 440, 550]);
});

test('feedback loop custom neuron ↔ iaf_psc_delta matches a step-by-step re-implementation', () => {
  const dt = 0.1;
  const K = 3000; // 300 ms
  const drive = [0.15, 0.2];
  const wForward = 5; // mV, ramp -> iaf
  const dForward = 10; // steps (1 ms)
  const wBack = 0.3; // ramp units, iaf -> ramp
  const dBack = 5; // steps (0.5 ms)

  const net = new Network({ dt });
  const ramp = net.create('custom_leaky_ramp', 2, { tau: 10, drive });
  const iaf = net.create('iaf_psc_delta', 1, { E_L: 0, V_m: 0, V_reset: 0, V_th: 8, tau_m: 10, t_ref: 2 });
  net.connect(ramp, iaf, 'all_to_all', { weight: wForward, delay: dForward * dt });
  net.connect(iaf, ramp, 'all_to_all', { weight: wBack, delay: dBack * dt });
  const got: string[] = [];
  for (const pop of [ramp, iaf]) net.addSpikeSink(pop, { onSpike: (p, i, step) => got.push(`${step}:${p.firstId + i}`) });
  net.simulate(K * dt);

  // Reference. A spike found in the update at step k is stamped k+1 and, over d steps, is
  // input to the target's update at step k+d (ring slot stamp + d − 1). iaf_psc_delta with
  // E_L = 0 and no current decays as V·exp(−dt/tau_m), drops input while refractory, and is
  // refractory for round(t_ref/dt) updates after a spike.
  const inRamp = [new Float64Array(K + dBack + 1), new Float64Array(K + dBack + 1)];
  const inIaf = new Float64Array(K + dForward + 1);
  const x = [0, 0];
  let v = 0;
  let refr = 0;
  const want: string[] = [];
  for (let k = 0; k < K; k++) {
    const stepSpikes: string[] = [];
    for (let i = 0; i < 2; i++) {
      x[i] = x[i] + (dt * drive[i] - (dt / 10) * x[i]) + inRamp[i][k];
      if (x[i] >= 1) {
        x[i] = 0;
        stepSpikes.push(`${k + 1}:${i}`);
        inIaf[k + dForward] += wForward;
      }
    }
    if (refr === 0) v = v * Math.exp(-dt / 10) + inIaf[k];
    else refr--;
    if (v >= 8) {
      v = 0;
      refr = 20;
      stepSpikes.push(`${k + 1}:2`);
      for (let i = 0; i < 2; i++) inRamp[i][k + dBack] += wBack;
    }
    want.push(...stepSpikes);
  }
  const sortKey = (s: string) => s.split(':').map(Number);
  const order = (a: string, b: string) => sortKey(a)[0] - sortKey(b)[0] || sortKey(a)[1] - sortKey(b)[1];
  assert.equal(got.slice().sort(order), want.slice().sort(order));
  const iafSpikes = want.filter((s) => s.endsWith(':2')).length;
  // The loop is exercised: iaf fires, and its feedback shifts the ramps off their free period.
  assert.ok(iafSpikes >= 5, `iaf spikes: ${iafSpikes}`);
  assert.ok(want.some((s) => s.endsWith(':0') && sortKey(s)[0] % PERIOD_STEPS !== 0));
  const xs = ramp.get('x');
  assert.ok(Math.abs(xs[0] - x[0]) < 1e-12 && Math.abs(xs[1] - x[1]) < 1e-12, `x = ${xs}, expected ${x}`);
  assert.ok(Math.abs(iaf.get('V_m')[0] - v) < 1e-9, `V = ${iaf.get('V_m')[0]}, expected ${v}`);
});

test('custom synapse model: weights act scaled, the table keeps the stored weight and names the model', () => {
  const net = new Network({ dt: 0.1 });
  const ramp = net.create('custom_leaky_ramp', 1);
  const iaf = net.create('iaf_psc_delta', 2, { E_L: 0, V_m: 0, V_reset: 0, V_th: 1000, tau_m: 10 });
  net.connect(ramp, iaf.slice(0, 1), 'all_to_all', { model: 'custom_scaled_synapse', weight: 2, delay: 1, params: { scale: 2.5 } });
  net.connect(ramp, iaf.slice(1, 2), 'all_to_all', { weight: 2, delay: 1 });
  net.simulate(30);
  // Arrivals at 12 and 23 ms; the scaled synapse acts with 5 mV, the static one with 2 mV.
  const psp = (w: number) => w * (Math.exp(-(30 - 12) / 10) + Math.exp(-(30 - 23) / 10));
  const [v0, v1] = iaf.get('V_m');
  assert.ok(Math.abs(v0 - psp(5)) < 1e-10, `scaled: ${v0} vs ${psp(5)}`);
  assert.ok(Math.abs(v1 - psp(2)) < 1e-10, `static: ${v1} vs ${psp(2)}`);
  const t = net.getConnections();
  assert.equal(Array.from({ length: t.numRows }, (_, r) => [t.getChild('synapse_model')!.get(r), t.getChild('weight')!.get(r)]), [
    ['custom_scaled_synapse', 2],
    ['static_synapse', 2],
  ]);
  // Its declared parameters are validated like built-in ones.
  assert.throws(() => net.connect(ramp, iaf, 'all_to_all', { model: 'custom_scaled_synapse', params: { scale: -1 } }), /'scale' = -1 1 is out of range/);
  assert.throws(() => net.connect(ramp, iaf, 'all_to_all', { model: 'custom_scaled_synapse', params: { scael: 1 } }), /Did you mean 'scale'\?/);
  // And so are the custom neuron's.
  assert.throws(() => net.create('custom_leaky_ramp', 1, { tau: 0 }), /'tau' = 0 ms is out of range/);
  assert.throws(() => net.create('custom_leaky_ramp', 1, { drvie: 0.1 }), /Did you mean 'drive'\?/);
});

test('registering a name twice fails clearly and keeps the first model', () => {
  const dup = (fn: () => unknown, pattern: RegExp) => {
    try {
      fn();
    } catch (err) {
      assert.ok(err instanceof SimulationError, String(err));
      assert.match((err as SimulationError).message, pattern);
      return;
    }
    assert.unreachable('registration should have failed');
  };
  dup(() => registerNeuronModel(leakyRamp), /neuron model named 'custom_leaky_ramp' is already registered; choose another name/);
  dup(() => registerNeuronModel({ ...leakyRamp, name: 'iaf_psc_delta' }), /'iaf_psc_delta' is already registered/);
  dup(() => registerSynapseModel(scaled), /synapse model named 'custom_scaled_synapse' is already registered/);
  dup(() => registerSynapseModel({ ...scaled, name: 'static_synapse' }), /'static_synapse' is already registered/);
  dup(() => registerNeuronModel({ ...leakyRamp, name: 'custom leaky' }), /name 'custom leaky' is not valid/);
  dup(() => registerNeuronModel({ ...leakyRamp, name: 'custom_bad_default', params: { ...leakyRamp.params, tau: { default: NaN, unit: 'ms', doc: '' } } }), /default of parameter 'tau' must be finite/);
  assert.is(getNeuronModel('custom_leaky_ramp'), leakyRamp);
  assert.is(getNeuronModel('iaf_psc_delta').name, 'iaf_psc_delta');
  assert.match(getNeuronModel('iaf_psc_delta').doc, /delta/);
  assert.is(getSynapseModel('static_synapse').name, 'static_synapse');
  assert.is(getSynapseModel('custom_scaled_synapse'), scaled);
});

test.run();
