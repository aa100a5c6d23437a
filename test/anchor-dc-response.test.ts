/**
 * Correctness anchor 1 (NEST's test_iaf_dc_* family): the response of an exactly integrated
 * LIF neuron to a constant current, with the threshold out of reach, against the closed form
 * V(t) = I_e·tau_m/C_m·(1 − e^{−t/tau_m}) for E_L = 0, V(0) = 0, at 14 resolutions.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Network } from '../engine/index.js';

const MODELS = ['iaf_psc_delta', 'iaf_psc_exp', 'iaf_psc_alpha'];
const I_E = 1000; // pA
const TAU_M = 10; // ms
const C_M = 250; // pF

function exact(t: number): number {
  return ((I_E * TAU_M) / C_M) * -Math.expm1(-t / TAU_M);
}

for (let e = 0; e <= 13; e++) {
  const dt = 2 ** -e;
  test(`DC response at dt = 2^-${e} ms: error <= 1e-13 at 5 ms and <= 1e-9 at 500 ms for ${MODELS.join(', ')}`, () => {
    const net = new Network({ dt });
    const pops = MODELS.map((m) => net.create(m, 1, { E_L: 0, V_m: 0, V_th: 2000, V_reset: 0, I_e: I_E, tau_m: TAU_M, C_m: C_M }));
    net.simulate(5);
    for (const pop of pops) {
      const err = Math.abs(pop.get('V_m')[0] - exact(5));
      assert.ok(err <= 1e-13, `${pop.model.name} at dt 2^-${e}: |V(5 ms) − exact| = ${err} > 1e-13`);
    }
    net.simulate(495);
    for (const pop of pops) {
      const err = Math.abs(pop.get('V_m')[0] - exact(500));
      assert.ok(err <= 1e-9, `${pop.model.name} at dt 2^-${e}: |V(500 ms) − exact| = ${err} > 1e-9`);
    }
  });
}

test('the product form P22·V + P20·I would miss 1e-13 at fine resolutions (the anchor can fail)', () => {
  // The anchor is only meaningful if a plausible wrong implementation fails it.
  const dt = 2 ** -13;
  const p22 = Math.exp(-dt / TAU_M);
  const p20 = (TAU_M / C_M) * (1 - p22);
  let v = 0;
  const steps = 5 / dt;
  for (let k = 0; k < steps; k++) v = p22 * v + p20 * I_E;
  assert.ok(Math.abs(v - exact(5)) > 1e-13, `product form error ${Math.abs(v - exact(5))}`);
});

test.run();
