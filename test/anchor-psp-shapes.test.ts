/**
 * Correctness anchor 3: the postsynaptic potential of a single input spike into iaf_psc_exp
 * and iaf_psc_alpha (threshold out of reach) against the closed forms, including the time and
 * height of the peak (Lambert W for the alpha current). The spike comes from a one-spike
 * source model defined here, which also exercises user-defined models.
 *
 * Closed forms (E_L = 0, spike of weight w arriving at t_a, u = t − t_a, a = 1/tau_s − 1/tau_m):
 *   exponential current I(u) = w·e^{−u/tau_s}:
 *     V(u) = (w/C)·(e^{−u/tau_m} − e^{−u/tau_s})/a,                 tau_s = tau_m: (w/C)·u·e^{−u/tau}
 *     peak at u* = ln(tau_m/tau_s)/a
 *   alpha current I(u) = w·(u/tau_s)·e^{1 − u/tau_s}:
 *     V(u) = (e·w/(tau_s·C))·e^{−u/tau_m}·(1 − e^{−a·u}(1 + a·u))/a²,   tau_s = tau_m: (e·w/(tau·C))·e^{−u/tau}·u²/2
 *     V'(u*) = 0 ⇔ e^{x} = 1 + c·x with x = a·u*, c = tau_m/tau_s; with y = 1 + c·x this is
 *     (−y/c)·e^{−y/c} = −(1/c)·e^{−1/c}, whose non-trivial root is y = −c·W(−e^{−1/c}/c) on the
 *     branch W₋₁ if c > 1 and W₀ if c < 1 (the other branch gives the trivial root y = 1).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Network, defineNeuronModel, registerNeuronModel } from '../engine/index.js';

// --- a one-spike source, as a user would define it ------------------------------------------
registerNeuronModel(
  defineNeuronModel({
    name: 'anchor3_single_spike',
    doc: 'Emits one spike, stamped at step spike_step (test helper).',
    timing: 'grid',
    output: 'spike',
    params: { spike_step: { default: 1, unit: 'steps', min: 1, integer: true, doc: 'Stamp (step) of the spike.' } },
    state: {},
    ports: {},
    prepare: () => null,
    update(ctx) {
      // A grid model's spike found in update k is stamped k + 1.
      for (let i = 0; i < ctx.n; i++) if (ctx.step + 1 === ctx.p.spike_step[i]) ctx.spike(i);
    },
  }),
);

// --- Lambert W (Halley iteration) ------------------------------------------------------------
/** Lambert W on branch 0 (w >= −1) or −1 (w <= −1), for z in [−1/e, 0) on branch −1. */
function lambertW(z: number, branch: 0 | -1): number {
  const p = Math.sqrt(Math.max(0, 2 * (Math.E * z + 1)));
  let w: number;
  if (branch === 0) w = z < -0.25 ? -1 + p - (p * p) / 3 : Math.log1p(z);
  else w = z < -0.25 ? -1 - p - (p * p) / 3 : Math.log(-z) - Math.log(-Math.log(-z));
  for (let it = 0; it < 50; it++) {
    const ew = Math.exp(w);
    const f = w * ew - z;
    const step = f / (ew * (w + 1) - ((w + 2) * f) / (2 * w + 2));
    w -= step;
    if (Math.abs(step) <= 1e-16 * (1 + Math.abs(w))) break;
  }
  return w;
}

// --- closed forms ------------------------------------------------------------------------------
function vExp(u: number, w: number, C: number, tm: number, ts: number): number {
  if (u <= 0) return 0;
  if (tm === ts) return (w / C) * u * Math.exp(-u / tm);
  const a = 1 / ts - 1 / tm;
  return ((w / C) * (Math.exp(-u / tm) - Math.exp(-u / ts))) / a;
}

function vAlpha(u: number, w: number, C: number, tm: number, ts: number): number {
  if (u <= 0) return 0;
  if (tm === ts) return ((Math.E * w) / (ts * C)) * Math.exp(-u / tm) * ((u * u) / 2);
  const a = 1 / ts - 1 / tm;
  return (((Math.E * w) / (ts * C)) * Math.exp(-u / tm) * (1 - Math.exp(-a * u) * (1 + a * u))) / (a * a);
}

function peakExp(tm: number, ts: number): number {
  return Math.log(tm / ts) / (1 / ts - 1 / tm);
}

function peakAlpha(tm: number, ts: number): number {
  const c = tm / ts;
  const y = -c * lambertW(-Math.exp(-1 / c) / c, c > 1 ? -1 : 0);
  return (y - 1) / c / (1 / ts - 1 / tm);
}

// --- simulation --------------------------------------------------------------------------------
interface Run {
  /** V_m[m] = V at time m·dt (m = 0 is the initial state). */
  V: number[];
  /** Synaptic current of the receiving port at time m·dt. */
  I: number[];
  /** Arrival time (ms) of the spike in the neuron's state. */
  tArrival: number;
}

function run(model: string, dt: number, T: number, w: number, params: Record<string, number>): Run {
  const net = new Network({ dt });
  const S = 10; // spike stamped at step 10
  const d = 7; // delay in steps
  const src = net.create('anchor3_single_spike', 1, { spike_step: S });
  const pop = net.create(model, 1, { E_L: 0, V_m: 0, V_reset: -10, V_th: 1e6, ...params });
  net.connect(src, pop, 'all_to_all', { weight: w, delay: d * dt });
  const port = w >= 0 ? 'I_syn_ex' : 'I_syn_in';
  const V = [pop.get('V_m')[0]];
  const I = [pop.get(port)[0]];
  const steps = Math.round(T / dt);
  for (let m = 1; m <= steps; m++) {
    net.simulate(dt);
    V.push(pop.get('V_m')[0]);
    I.push(pop.get(port)[0]);
  }
  // Stamp S over d steps: consumed in update S+d−1, so the current jumps at (S+d)·dt.
  return { V, I, tArrival: (S + d) * dt };
}

const C = 250;
const CASES: { tm: number; ts: number; w: number }[] = [
  { tm: 10, ts: 2, w: 100 },
  { tm: 10, ts: 0.5, w: 300 },
  { tm: 2, ts: 5, w: 80 }, // synapse slower than membrane
  { tm: 10, ts: 2, w: -60 }, // inhibitory: routed to the 'in' port by sign
];

for (const model of ['iaf_psc_exp', 'iaf_psc_alpha']) {
  const vRef = model === 'iaf_psc_exp' ? vExp : vAlpha;
  for (const dt of [0.1, 2 ** -6]) {
    test(`${model}: PSP and PSC traces equal the closed forms to 1e-12 relative (dt = ${dt} ms)`, () => {
      for (const { tm, ts, w } of CASES) {
        const params: Record<string, number> = w >= 0 ? { tau_m: tm, tau_syn_ex: ts, C_m: C } : { tau_m: tm, tau_syn_in: ts, C_m: C };
        const r = run(model, dt, 40, w, params);
        let peak = 0;
        for (const v of r.V) peak = Math.max(peak, Math.abs(v));
        assert.ok(peak > 1e-3, 'a visible PSP');
        for (let m = 0; m < r.V.length; m++) {
          const u = m * dt - r.tArrival;
          const ref = vRef(u, w, C, tm, ts);
          const err = Math.abs(r.V[m] - ref);
          assert.ok(err <= 1e-12 * peak, `${model} tau_m ${tm} tau_s ${ts} w ${w}: V(${m * dt}) = ${r.V[m]}, closed form ${ref}, err ${err}`);
          // Current in the state at the end of step m.
          const iRef = u < -1e-12 ? 0 : model === 'iaf_psc_exp' ? w * Math.exp(-u / ts) : w * (u / ts) * Math.exp(1 - u / ts);
          assert.ok(Math.abs(r.I[m] - iRef) <= 1e-12 * Math.abs(w), `${model} I(${m * dt}) = ${r.I[m]}, closed form ${iRef}`);
        }
      }
    });
  }
}

test('Lambert W: both branches solve w·e^w = z', () => {
  for (const z of [-0.3678, -0.3, -0.2, -0.1, -1e-3, -1e-8]) {
    for (const b of [0, -1] as const) {
      const w = lambertW(z, b);
      assert.ok(Math.abs(w * Math.exp(w) - z) <= 1e-15 * Math.max(1, Math.abs(z)) + 1e-17, `W${b}(${z}) = ${w}`);
      assert.ok(b === 0 ? w >= -1 : w <= -1, `branch ${b} of ${z}: ${w}`);
    }
  }
  // The peak condition: V' = 0 at u*, checked on the closed form by central differences.
  for (const [tm, ts] of [[10, 2], [2, 5], [10, 0.5]]) {
    const u = peakAlpha(tm, ts);
    const h = 1e-5;
    const slope = (vAlpha(u + h, 1, C, tm, ts) - vAlpha(u - h, 1, C, tm, ts)) / (2 * h);
    assert.ok(Math.abs(slope) < 1e-9, `alpha tau_m ${tm} tau_s ${ts}: V'(u*) = ${slope}`);
  }
});

test('peak time and amplitude of the simulated PSPs match the analytic peak (Lambert W for alpha)', () => {
  const dt = 2 ** -10;
  for (const model of ['iaf_psc_exp', 'iaf_psc_alpha']) {
    for (const [tm, ts] of [[10, 2], [2, 5], [10, 0.5]]) {
      const w = 100;
      const r = run(model, dt, 30, w, { tau_m: tm, tau_syn_ex: ts, C_m: C });
      let best = 0;
      for (let m = 1; m < r.V.length; m++) if (r.V[m] > r.V[best]) best = m;
      const uStar = model === 'iaf_psc_exp' ? peakExp(tm, ts) : peakAlpha(tm, ts);
      const vStar = (model === 'iaf_psc_exp' ? vExp : vAlpha)(uStar, w, C, tm, ts);
      const tPeak = best * dt - r.tArrival;
      // The largest sample is one of the two grid points around the peak.
      assert.ok(Math.abs(tPeak - uStar) <= dt, `${model} ${tm}/${ts}: sampled peak at ${tPeak} ms, analytic ${uStar} ms`);
      // Between the grid points the PSP is within |V''|·dt²/2 ≈ 1e-6·V* of its peak (|V''| <= V*/ts²).
      const gap = vStar - r.V[best];
      assert.ok(gap >= -1e-12 * vStar && gap <= (vStar / Math.min(ts, tm) ** 2) * dt * dt, `${model} ${tm}/${ts}: peak ${r.V[best]} vs analytic ${vStar}`);
    }
  }
});

test('tau_syn = tau_m (the singular case) and nearly equal time constants stay exact', () => {
  const dt = 0.1;
  const tau = 10;
  for (const model of ['iaf_psc_exp', 'iaf_psc_alpha']) {
    const vRef = model === 'iaf_psc_exp' ? vExp : vAlpha;
    for (const rel of [0, 1e-14, 1e-10, 1e-6]) {
      const ts = tau * (1 + rel);
      const r = run(model, dt, 60, 100, { tau_m: tau, tau_syn_ex: ts, C_m: C });
      let peak = 0;
      for (const v of r.V) peak = Math.max(peak, v);
      for (let m = 0; m < r.V.length; m++) {
        // Against the singular closed form: the true difference is O(rel); rounding must not add to it.
        const ref = vRef(m * dt - r.tArrival, 100, C, tau, tau);
        const tol = (1e-12 + 10 * rel) * peak;
        assert.ok(Math.abs(r.V[m] - ref) <= tol, `${model} tau_s = tau_m·(1 + ${rel}): V(${m * dt}) = ${r.V[m]}, singular form ${ref}`);
      }
    }
  }
});

test.run();
