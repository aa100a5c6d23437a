import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Network, recordSpikes, type Population } from '../engine/index.js';
import { Code, F64, I32, V128, encodeModule, instantiateKernel, newWasmMemory } from '../engine/wasm.js';

// The WebAssembly kernels of iaf_psc_exp and iaf_cond_exp (forward Euler) must reproduce the
// JavaScript loops bit for bit: the same spikes at the same steps and the same final state in
// every variable. Each network is run twice, with the kernels and with SPIKEFLOW_NO_WASM=1,
// and compared exactly. Odd sizes exercise the padding lane (and leave the clearing of the
// input slot to the engine), even ones the kernel's own clearing, a dc_generator the current port,
// two delays a ring of more than two slots, set() between runs the rebuild of a kernel.

interface Outcome {
  ids: number[];
  times: number[];
  state: Record<string, Float64Array>;
  wasm: boolean[];
}

async function run(wasm: boolean, build: (net: Network) => Population[], after?: (pops: Population[]) => void): Promise<Outcome> {
  const saved = process.env.SPIKEFLOW_NO_WASM;
  if (wasm) delete process.env.SPIKEFLOW_NO_WASM;
  else process.env.SPIKEFLOW_NO_WASM = '1';
  try {
    const net = new Network({ dt: 0.1, seed: 7 });
    const pops = build(net);
    const rec = recordSpikes(net, pops);
    net.simulate(150);
    after?.(pops);
    net.simulate(150);
    await net.close();
    const t = rec.toTable();
    const state: Record<string, Float64Array> = {};
    for (const pop of pops) for (const key of Object.keys(pop.s)) state[`${pop.name}.${key}`] = Float64Array.from(pop.s[key]);
    return {
      ids: Array.from(t.getChild('node_id')!.toArray() as Uint32Array),
      times: Array.from(t.getChild('time_ms')!.toArray() as Float64Array),
      state,
      wasm: pops.map((p) => p.memory !== null),
    };
  } finally {
    if (saved === undefined) delete process.env.SPIKEFLOW_NO_WASM;
    else process.env.SPIKEFLOW_NO_WASM = saved;
  }
}

function assertSame(a: Outcome, b: Outcome, minSpikes: number): void {
  assert.ok(a.ids.length >= minSpikes, `enough spikes to compare (${a.ids.length})`);
  assert.equal(a.ids, b.ids, 'spiking neurons');
  assert.equal(a.times, b.times, 'spike times');
  for (const key of Object.keys(a.state)) {
    const x = a.state[key];
    const y = b.state[key];
    for (let i = 0; i < x.length; i++) {
      if (!Object.is(x[i], y[i])) assert.unreachable(`${key}[${i}]: ${x[i]} with WebAssembly, ${y[i]} without`);
    }
  }
}

/** Recurrent E/I network with two delays and a DC input to every third neuron. */
function wire(net: Network, pop: Population, we: number, wi: number): void {
  const nE = Math.floor(0.8 * pop.n);
  const rule = { rule: 'pairwise_bernoulli', p: 0.1, allow_autapses: false } as const;
  net.connect(pop.slice(0, nE), pop, rule, { weight: we, delay: 0.1 });
  net.connect(pop.slice(nE), pop, rule, { weight: wi, delay: 0.3 });
  const dc = net.create('dc_generator', 1, { amplitude: 40 });
  net.connect(dc, pop.select(Array.from({ length: Math.ceil(pop.n / 3) }, (_, k) => 3 * k)));
}

function cuba(net: Network, heterogeneous = false, n = 301): Population[] {
  const pop = net.create(
    'iaf_psc_exp',
    n,
    {
      E_L: -49,
      V_th: -50,
      V_reset: -60,
      tau_m: heterogeneous ? { distribution: 'uniform', low: 18, high: 22 } : 20,
      C_m: 250,
      t_ref: 4.9,
      tau_syn_ex: 5,
      tau_syn_in: 10,
      V_m: { distribution: 'uniform', low: -60, high: -50 },
    },
    { name: 'cuba' },
  );
  wire(net, pop, 60, -300);
  return [pop];
}

function coba(net: Network, heterogeneous = false, n = 301): Population[] {
  const pop = net.create(
    'iaf_cond_exp',
    n,
    {
      E_L: -60,
      V_th: -50,
      V_reset: -60,
      C_m: 200,
      g_L: 10,
      t_ref: 4.9,
      E_ex: 0,
      E_in: -80,
      tau_syn_ex: 5,
      tau_syn_in: heterogeneous ? { distribution: 'uniform', low: 9, high: 11 } : 10,
      I_e: 200,
      integrator: 1,
      V_m: { distribution: 'normal', mean: -55, std: 5 },
    },
    { name: 'coba' },
  );
  wire(net, pop, 3, -40);
  return [pop];
}

test('iaf_psc_exp: the WebAssembly kernel equals the JavaScript loop bit for bit', async () => {
  const raiseDrive = (pops: Population[]) => pops[0].set({ I_e: 30 });
  for (const n of [301, 300]) {
    const a = await run(true, (net) => cuba(net, false, n), raiseDrive);
    const b = await run(false, (net) => cuba(net, false, n), raiseDrive);
    assert.equal(a.wasm, [true]);
    assert.equal(b.wasm, [false]);
    assertSame(a, b, 500);
  }
});

test('iaf_cond_exp (forward Euler): the WebAssembly kernel equals the JavaScript loop bit for bit', async () => {
  const raiseDrive = (pops: Population[]) => pops[0].set({ I_e: 250 });
  for (const n of [301, 300]) {
    const a = await run(true, (net) => coba(net, false, n), raiseDrive);
    const b = await run(false, (net) => coba(net, false, n), raiseDrive);
    assert.equal(a.wasm, [true]);
    assertSame(a, b, 500);
  }
});

test('heterogeneous parameters run the JavaScript loop on the WebAssembly memory, with the same results', async () => {
  assertSame(await run(true, (net) => cuba(net, true)), await run(false, (net) => cuba(net, true)), 500);
  assertSame(await run(true, (net) => coba(net, true)), await run(false, (net) => coba(net, true)), 500);
});

test('the accurate iaf_cond_exp integrator keeps its JavaScript loop and gives the same results in WebAssembly memory', async () => {
  const accurate = (net: Network) => {
    const pops = coba(net);
    pops[0].set({ integrator: 0 });
    return pops;
  };
  assertSame(await run(true, accurate), await run(false, accurate), 500);
});

test('the assembler encodes a valid module whose f64 and f64x2 arithmetic is IEEE', () => {
  // run(x) stores 0.1 at byte 0 and both lanes of 0.1·3 + 1 at byte 16, and returns x + 2.
  const code = new Code([I32], [I32]);
  const v = code.local(V128);
  code.i32(0).f64(0.1).f64Store(0);
  code.i32(16).f64x2Const(0.1).f64x2Const(3).f64x2Mul().f64x2Const(1).f64x2Add().tee(v).v128Store(0);
  code.get(0).i32(2).i32Add();
  const bytes = encodeModule(code);
  assert.equal(Array.from(bytes.slice(0, 8)), [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  const memory = newWasmMemory(64)!;
  const runK = instantiateKernel<(x: number) => number>(code, memory)!;
  assert.is(runK(5), 7);
  const f = new Float64Array(memory.buffer, 0, 4);
  assert.is(f[0], 0.1);
  assert.is(f[2], 0.1 * 3 + 1);
  assert.is(f[3], 0.1 * 3 + 1);
  assert.is(F64, 0x7c);
});

test.run();
