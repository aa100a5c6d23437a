/**
 * Error handling (spec section 7): bad input fails at the call that caused it, with a
 * SimulationError whose code is stable and whose message names the offending thing and the fix.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Network,
  SimulationError,
  defineNeuronModel,
  defineSynapseModel,
  registerNeuronModel,
  registerSynapseModel,
  recordSpikes,
  type ErrorCode,
} from '../engine/index.js';

/** Runs fn, asserts it throws a SimulationError with `code` whose message matches every pattern. */
function expectError(fn: () => unknown, code: ErrorCode, ...patterns: RegExp[]): string {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  if (caught === undefined) throw new Error(`expected a SimulationError '${code}', but nothing was thrown`);
  if (!(caught instanceof SimulationError)) throw new Error(`expected a SimulationError '${code}', got ${String(caught)}`);
  assert.is(caught.code, code, `code of: ${caught.message}`);
  for (const p of patterns) assert.match(caught.message, p, `message '${caught.message}' should match ${p}`);
  return caught.message;
}

// A synapse model with a parameter, so unknown synapse parameters have a near name to suggest.
registerSynapseModel(
  defineSynapseModel({
    name: 'errtest_scaled_synapse',
    doc: 'Static synapse whose weights are multiplied by a common factor (test model).',
    params: { scale: { default: 1, unit: '1', min: 0, doc: 'Weight factor.' } },
    init: (_proj, p) => ({ scale: p.scale }),
    transmit(proj, state, row, stamp, offset, mult) {
      proj.addRow(row, proj.slotBase(stamp, offset), mult * state.scale);
    },
  }),
);

// A deliberately unstable model: x is multiplied by `growth` every step, so a growth of 1e100
// overflows to Infinity in the fourth update (1e100^4 > Number.MAX_VALUE ≈ 1.8e308).
registerNeuronModel(
  defineNeuronModel({
    name: 'errtest_blowup',
    doc: 'Geometric growth x <- growth·x (test model that overflows on purpose).',
    timing: 'grid',
    output: 'spike',
    params: { growth: { default: 1, unit: '1', doc: 'Factor per step.' } },
    state: { x: { unit: '1', initial: 1, doc: 'Growing quantity.' } },
    ports: {},
    prepare: () => null,
    update(ctx) {
      const { n, p, s } = ctx;
      for (let i = 0; i < n; i++) s.x[i] *= p.growth[i];
    },
  }),
);

test('unknown neuron model: names it and suggests the nearest registered name', () => {
  const net = new Network();
  expectError(() => net.create('iaf_psc_dleta', 3), 'unknown_model', /neuron model 'iaf_psc_dleta'/, /Did you mean 'iaf_psc_delta'\?/);
  // Nothing near: no suggestion, but the valid names are listed.
  const msg = expectError(() => net.create('hodgkin_huxley_xyz', 3), 'unknown_model', /'hodgkin_huxley_xyz'/, /iaf_psc_delta/);
  assert.not.match(msg, /Did you mean/);
  assert.is(net.populations.length, 0);
});

test('unknown synapse model: names it and suggests the nearest; nothing is built', () => {
  const net = new Network();
  const a = net.create('iaf_psc_delta', 2);
  expectError(() => net.connect(a, a, 'all_to_all', { model: 'static_synaps' }), 'unknown_model', /synapse model 'static_synaps'/, /Did you mean 'static_synapse'\?/);
  assert.is(net.projections.length, 0);
});

test('unknown parameter in create, set, get and synapse params: suggestion of the nearest name', () => {
  const net = new Network();
  expectError(() => net.create('iaf_psc_delta', 2, { tau_mm: 5 }), 'unknown_parameter', /iaf_psc_delta/, /'tau_mm'/, /Did you mean 'tau_m'\?/);
  const pop = net.create('iaf_psc_delta', 4);
  expectError(() => pop.set({ Vth: -50 }), 'unknown_parameter', /'Vth'/, /Did you mean 'V_th'\?/);
  expectError(() => pop.slice(1, 3).set({ C_mm: 100 }), 'unknown_parameter', /'C_mm'/, /Did you mean 'C_m'\?/);
  expectError(() => pop.get('V_mm'), 'unknown_parameter', /'V_mm'/, /Did you mean 'V_m'\?/);
  expectError(
    () => net.connect(pop, pop, 'all_to_all', { model: 'errtest_scaled_synapse', params: { scal: 2 } }),
    'unknown_parameter',
    /errtest_scaled_synapse/,
    /'scal'/,
    /Did you mean 'scale'\?/,
  );
  expectError(() => net.connect(pop, pop, 'all_to_all', { params: { tau_plus: 20 } }), 'unknown_parameter', /static_synapse/, /'tau_plus'/);
  assert.is(net.projections.length, 0);
});

test('non-finite parameter values: numbers, array elements and distributions', () => {
  const net = new Network();
  expectError(() => net.create('iaf_psc_delta', 3, { tau_m: NaN }), 'invalid_value', /tau_m/, /finite/);
  expectError(() => net.create('iaf_psc_delta', 3, { C_m: Infinity }), 'invalid_value', /C_m/, /finite/);
  expectError(() => net.create('iaf_psc_delta', 3, { V_th: [-55, NaN, -55] }), 'invalid_value', /V_th/, /element 1/, /finite/);
  expectError(() => net.create('iaf_psc_delta', 3, { V_m: [-70, -70, -Infinity] }), 'invalid_value', /V_m/, /element 2/);
  expectError(() => net.create('iaf_psc_delta', 3, { E_L: { distribution: 'normal', mean: NaN, std: 1 } }), 'invalid_value', /E_L/, /'mean'/, /finite/);
  expectError(() => net.create('iaf_psc_delta', 3, { V_m: { distribution: 'uniform', low: -70, high: Infinity } }), 'invalid_value', /V_m/, /'high'/);
  // A typo in a distribution field would otherwise draw NaN silently.
  expectError(() => net.create('iaf_psc_delta', 3, { V_m: { distribution: 'normal', mean: -65, sd: 2 } as never }), 'invalid_value', /'sd'/, /Did you mean 'std'\?/);
  expectError(() => net.create('iaf_psc_delta', 3, { V_m: { distribution: 'normall', mean: -65, std: 2 } as never }), 'invalid_value', /'normall'/, /Did you mean 'normal'\?/);
  // Finite parameters whose draws overflow: exp(N(800, 1)) is Infinity in double precision.
  expectError(() => net.create('iaf_psc_delta', 3, { I_e: { distribution: 'lognormal', mu: 800, sigma: 1 } }), 'invalid_value', /I_e/, /Infinity/, /min\/max/);
  expectError(() => net.create('iaf_psc_delta', 3, { V_m: { distribution: 'normal', mean: -65, std: -1 } }), 'invalid_value', /std must be >= 0/);
  assert.is(net.populations.length, 0);

  const pop = net.create('iaf_psc_delta', 3);
  expectError(() => pop.set({ I_e: [0, NaN, 0] }), 'invalid_value', /I_e/, /element 1/);
  expectError(() => net.connect(pop, pop, 'all_to_all', { weight: NaN }), 'invalid_value', /weight/, /finite/);
  expectError(() => net.connect(pop, pop, 'one_to_one', { weight: [1, Infinity, 1] }), 'invalid_value', /weight/, /element 1/);
  expectError(() => net.connect(pop, pop, 'one_to_one', { weight: [1, 1] }), 'invalid_value', /weight/, /got 2 values for 3/);
  expectError(() => net.connect(pop, pop, 'all_to_all', { delay: { distribution: 'exponential', mean: NaN } }), 'invalid_value', /delay/, /'mean'/);
  expectError(() => net.connect(pop, pop, 'all_to_all', { model: 'errtest_scaled_synapse', params: { scale: NaN } }), 'invalid_value', /'scale'/, /finite/);
  assert.is(net.projections.length, 0);
});

test('out-of-range values and cross-parameter checks; a rejected set() changes nothing', () => {
  const net = new Network();
  expectError(() => net.create('iaf_psc_delta', 2, { C_m: -250 }), 'invalid_value', /'C_m' = -250 pF is out of range/, /> 0 pF/);
  expectError(() => net.create('iaf_psc_delta', 2, { tau_m: 0 }), 'invalid_value', /'tau_m' = 0 ms is out of range/, /> 0 ms/);
  expectError(() => net.create('iaf_psc_delta', 2, { t_ref: -1 }), 'invalid_value', /'t_ref'/, />= 0 ms/);
  expectError(() => net.create('iaf_psc_delta', 2, { V_reset: -50 }), 'invalid_value', /V_reset \(-50 mV\) must be below V_th \(-55 mV\)/);
  expectError(() => net.create('iaf_psc_delta', 2, { V_reset: -55 }), 'invalid_value', /V_reset/, /V_th/);
  const pop = net.create('iaf_psc_delta', 4);
  expectError(() => pop.slice(2, 4).set({ V_th: -80, I_e: 100 }), 'invalid_value', /neuron 2/, /V_reset \(-70 mV\) must be below V_th \(-80 mV\)/);
  // All-or-nothing: neither V_th nor I_e was written.
  assert.equal(Array.from(pop.get('V_th')), [-55, -55, -55, -55]);
  assert.equal(Array.from(pop.get('I_e')), [0, 0, 0, 0]);
  expectError(() => pop.set({ I_e: 10, tau_m: -1 }), 'invalid_value', /tau_m/);
  assert.equal(Array.from(pop.get('I_e')), [0, 0, 0, 0]);
  expectError(() => net.connect(pop, pop, 'all_to_all', { model: 'errtest_scaled_synapse', params: { scale: -2 } }), 'invalid_value', /'scale' = -2/, />= 0/);
});

test('delays: below dt is an error; off-grid delays round to the nearest step (NEST)', () => {
  const net = new Network({ dt: 0.1 });
  const pop = net.create('iaf_psc_delta', 2);
  expectError(() => net.connect(pop, pop, 'all_to_all', { delay: 0.05 }), 'invalid_delay', /delay 0.05 ms/, /dt = 0.1 ms/, /at least dt/);
  expectError(() => net.connect(pop, pop, 'all_to_all', { delay: 0 }), 'invalid_delay', /delay 0 ms/);
  expectError(() => net.connect(pop, pop, 'all_to_all', { delay: -1 }), 'invalid_delay', /delay -1 ms/);
  // About 31% of the draws of N(0.2, 0.2) fall below dt; among 400 some surely do (the seed
  // is fixed anyway): refused, not clipped.
  const many = net.create('iaf_psc_delta', 20);
  expectError(() => net.connect(many, many, 'all_to_all', { delay: { distribution: 'normal', mean: 0.2, std: 0.2 } }), 'invalid_delay', /below the resolution/);
  expectError(() => net.connect(pop, pop, 'all_to_all', { delay: 7000 }), 'invalid_delay', /65535/);
  assert.is(net.projections.length, 0);
  const p14 = net.connect(pop.slice(0, 1), pop.slice(1, 2), 'one_to_one', { delay: 0.14 });
  const p16 = net.connect(pop.slice(0, 1), pop.slice(1, 2), 'one_to_one', { delay: 0.16 });
  assert.is(p14.delay[0], 1);
  assert.is(p16.delay[0], 2);
  const table = net.getConnections();
  assert.equal(Array.from(table.getChild('delay_ms')!.toArray() as Float64Array), [0.1, 0.2]);
});

test('rounded delays act at the rounded step: 0.14 ms acts one step after the spike, 0.16 ms two', () => {
  for (const [delay, steps] of [[0.14, 1], [0.16, 2]] as const) {
    const net = new Network({ dt: 0.1 });
    // V_m above threshold: the update at step 0 fires, stamped step 1.
    const src = net.create('iaf_psc_delta', 1, { V_m: -50 });
    const tgt = net.create('iaf_psc_delta', 1);
    net.connect(src, tgt, 'one_to_one', { weight: 1, delay });
    // At rest with no input V stays at E_L exactly; the 1 mV jump shows at step 1 + steps and
    // then decays with tau_m = 10 ms.
    for (let k = 1; k <= 4; k++) {
      net.simulate(0.1);
      const v = tgt.get('V_m')[0];
      const expected = k >= 1 + steps ? -70 + Math.exp(-((k - 1 - steps) * 0.1) / 10) : -70;
      assert.ok(Math.abs(v - expected) < 1e-12, `delay ${delay} ms, step ${k}: V = ${v}, expected ${expected}`);
    }
  }
});

test('connecting empty views, foreign populations and non-populations', () => {
  const net = new Network();
  const pop = net.create('iaf_psc_delta', 5, {}, { name: 'exc' });
  expectError(() => net.connect(pop.slice(2, 2), pop), 'empty_population', /source view of 'exc' is empty/);
  expectError(() => net.connect(pop, pop.select([])), 'empty_population', /target view of 'exc' is empty/);
  const other = new Network();
  const alien = other.create('iaf_psc_delta', 5, {}, { name: 'alien' });
  expectError(() => net.connect(alien, pop), 'foreign_population', /source 'alien' belongs to another network/);
  expectError(() => net.connect(pop, alien.slice(0, 2)), 'foreign_population', /target 'alien' belongs to another network/);
  // Same id and name in another network is still foreign.
  const twin = new Network().create('iaf_psc_delta', 5, {}, { name: 'exc' });
  expectError(() => net.connect(pop, twin), 'foreign_population', /another network/);
  for (const bad of [{}, 42, null, 'exc', [0, 1]]) {
    expectError(() => net.connect(bad as never, pop), 'foreign_population', /source is not a population or view/, /net\.create\(\)/);
  }
  expectError(() => net.create('iaf_psc_delta', 0), 'empty_population', /whole number >= 1/);
  expectError(() => net.create('iaf_psc_delta', 2.5), 'empty_population', /2\.5/);
  assert.is(net.projections.length, 0);
});

test('malformed connection rules fail before the memory estimate', () => {
  const net = new Network();
  const pop = net.create('iaf_psc_delta', 5);
  expectError(() => net.connect(pop, pop, 'all_to_al' as never), 'invalid_connection', /'all_to_al'/, /Did you mean 'all_to_all'\?/);
  expectError(() => net.connect(pop, pop, { rule: 'pairwise_bernoulli', p: 0.5, allow_autapse: false } as never), 'invalid_connection', /'allow_autapse'/, /Did you mean 'allow_autapses'\?/);
  expectError(() => net.connect(pop, pop, { rule: 'fixed_indegree' } as never), 'invalid_connection', /needs the field 'indegree'/);
  expectError(() => net.connect(pop, pop, { rule: 'fixed_indegree', indegree: 2.5 }), 'invalid_connection', /indegree/, /whole number/);
  expectError(() => net.connect(pop, pop, { rule: 'pairwise_bernoulli', p: 1.5 }), 'invalid_connection', /p must be in \[0, 1\]/);
  expectError(() => net.connect(pop, pop, { rule: 'pairwise_bernoulli', p: NaN }), 'invalid_connection', /p must be in \[0, 1\]/);
  expectError(() => net.connect(pop, pop, { rule: 'all_to_all', allow_autapses: 'no' } as never), 'invalid_connection', /allow_autapses must be true or false/);
  expectError(() => net.connect(pop, pop, { rule: 'fixed_indegree', indegree: 6, allow_multapses: false }), 'invalid_connection', /only 5 eligible/);
  expectError(() => net.connect(pop, pop.slice(0, 3), 'one_to_one'), 'invalid_connection', /equal size/);
  assert.is(net.projections.length, 0);
});

test('memory limit: populations, connections and ring buffers are refused before allocating', () => {
  const small = new Network({ memoryLimitBytes: 1e6 });
  const msg = expectError(() => small.create('iaf_psc_delta', 1e6), 'network_too_large', /create\('iaf_psc_delta', 1000000\)/, /memoryLimitBytes/);
  assert.match(msg, /GiB/);
  assert.is(small.populations.length, 0);
  // A refused request does not count against later ones.
  small.create('iaf_psc_delta', 100);

  // 1e10 neurons (over a TB of state): refused at once, without touching memory.
  const huge = new Network();
  const before = process.memoryUsage().arrayBuffers;
  const t0 = performance.now();
  expectError(() => huge.create('iaf_psc_delta', 1e10), 'network_too_large', /10000000000/);
  const elapsed = performance.now() - t0;
  assert.ok(elapsed < 100, `refusal took ${elapsed} ms`);
  assert.ok(process.memoryUsage().arrayBuffers - before < 1 << 20, 'no typed arrays were allocated');

  // 20,000 × 20,000 all-to-all is 4e8 synapses (~6 GB): refused before drawing a single pair.
  const net = new Network({ memoryLimitBytes: 256 * 2 ** 20 });
  const a = net.create('iaf_psc_delta', 20000);
  const t1 = performance.now();
  expectError(() => net.connect(a, a, 'all_to_all'), 'network_too_large', /all_to_all/, /memoryLimitBytes/);
  expectError(() => net.connect(a, a, { rule: 'fixed_indegree', indegree: 10000 }), 'network_too_large', /fixed_indegree/);
  assert.ok(performance.now() - t1 < 100, 'connect refusals are immediate');
  assert.is(net.projections.length, 0);
  net.connect(a, a, { rule: 'fixed_indegree', indegree: 10 });
  assert.is(net.synapseCount, 200000);

  // A 6000 ms delay at dt 0.1 needs 60001 ring slots × 2000 neurons × 2 ports × 8 B ≈ 1.9 GB.
  const ring = new Network({ memoryLimitBytes: 64 * 2 ** 20 });
  const r = ring.create('iaf_psc_delta', 2000, {}, { name: 'far' });
  ring.connect(r, r, 'one_to_one', { delay: 6000 });
  const before2 = process.memoryUsage().arrayBuffers;
  expectError(() => ring.simulate(1), 'network_too_large', /ring buffers of 'far'/, /60000 steps/);
  assert.ok(process.memoryUsage().arrayBuffers - before2 < 16 << 20, 'ring buffers were not allocated');
});

test('non-finite state during a run names population, neuron, variable and time', () => {
  const growth = [1, 1, 1, 1e100, 1];
  // Checked every step: x of neuron 3 is 1e100^(k+1) after the update at step k, so the update
  // at step 3 (state at t = 0.4 ms) is the first to overflow.
  const net = new Network({ finiteCheckInterval: 1 });
  net.create('errtest_blowup', 5, { growth }, { name: 'unstable' });
  expectError(
    () => net.simulate(2),
    'non_finite_state',
    /population 'unstable' \(errtest_blowup\)/,
    /neuron 3 \(global id 3\)/,
    /has x = Infinity/,
    /at t = 0\.4 ms/,
    /finite at t = 0\.3 ms/,
  );
  // Default interval (100 steps, and at the end of every simulate() call): the report gives the
  // window in which it happened.
  const net2 = new Network();
  net2.create('iaf_psc_delta', 2, {}, { name: 'before' });
  net2.create('errtest_blowup', 5, { growth }, { name: 'unstable' });
  expectError(() => net2.simulate(5), 'non_finite_state', /'unstable'/, /neuron 3 \(global id 5\)/, /x = Infinity/, /at t = 5 ms/, /finite at t = 0 ms/);
  // A slow overflow is found as well: 10^(10(k+1)) passes 1.8e308 in the update at step 30.
  const net3 = new Network({ finiteCheckInterval: 1 });
  net3.create('errtest_blowup', 1, { growth: 1e10 }, { name: 'slow' });
  expectError(() => net3.simulate(10), 'non_finite_state', /neuron 0/, /at t = 3\.1 ms/);
});

test('simulate(): durations off the grid, negative or non-finite are refused before running', () => {
  const net = new Network({ dt: 0.1 });
  net.create('iaf_psc_delta', 2);
  expectError(() => net.simulate(0.15), 'invalid_value', /simulate\(\) duration = 0.15 ms/, /multiple of dt = 0.1 ms/);
  expectError(() => net.simulate(-1), 'invalid_value', /must be >= 0/, /-1 ms/);
  expectError(() => net.simulate(NaN), 'invalid_value', /finite/);
  expectError(() => net.simulate(Infinity), 'invalid_value', /finite/);
  assert.is(net.step, 0);
  net.simulate(0.3);
  assert.is(net.step, 3);
  expectError(() => net.at(0.05, () => {}), 'invalid_value', /callback time/, /multiple of dt/);
});

test('a closed network refuses every further use', async () => {
  const net = new Network();
  const pop = net.create('iaf_psc_delta', 3);
  net.simulate(1);
  await net.close();
  await net.close(); // closing twice is harmless
  expectError(() => net.create('iaf_psc_delta', 1), 'invalid_state', /closed/, /new Network/);
  expectError(() => net.connect(pop, pop), 'invalid_state', /closed/);
  expectError(() => net.simulate(1), 'invalid_state', /closed/);
  expectError(() => net.at(2, () => {}), 'invalid_state', /closed/);
  expectError(() => net.modulate(2, 'reward', 1), 'invalid_state', /closed/);
  expectError(() => recordSpikes(net, pop), 'invalid_state', /closed/);
  assert.is(net.step, 10);
});

test.run();
