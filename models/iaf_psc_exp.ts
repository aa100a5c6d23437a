/**
 * iaf_psc_exp: leaky integrate-and-fire neuron with exponentially decaying postsynaptic
 * currents, integrated exactly on the grid (Rotter & Diesmann 1999), as NEST's model of the
 * same name:
 *
 *   dV/dt = −(V − E_L)/tau_m + (I_syn_ex + I_syn_in + I_e + I)/C_m,
 *   dI_syn_X/dt = −I_syn_X/tau_syn_X,   I_syn_X ← I_syn_X + w at a spike of weight w (pA).
 *
 * Update order per step (NEST's): V advances with the currents of the previous step, then
 * the synaptic currents decay and this step's spikes are added, then the threshold is
 * checked, then the current-port input is latched for the next update. While refractory V is
 * clamped at V_reset but the synaptic currents keep evolving and receiving spikes.
 */
import { defineNeuronModel, uniformMask, type UpdateContext } from '../engine/model.js';
import { registerNeuronModel } from '../engine/registry.js';
import { closeLifKernel, openLifKernel } from './lif-kernel.js';
import { LIF_INTERNAL_STATE, LIF_PARAMS, STDP_TRACE_PARAMS, V_M_STATE, resetBelowThreshold } from './lif-common.js';

/**
 * Response of V (mV) at time h to a unit current (1 pA) that starts at 0 and decays with
 * tau_syn, for a membrane with time constant tau_m and capacitance C:
 *
 *   (1/C)·∫₀ʰ e^{−(h−s)/tau_m}·e^{−s/tau_syn} ds = (h/C)·(e^{−h/tau_m} − e^{−h/tau_syn})/x,
 *   x = h·(1/tau_syn − 1/tau_m).
 *
 * Written with expm1 and the exponential of the slower decay factored out, so it keeps full
 * relative precision when tau_syn ≈ tau_m (x → 0, limit (h/C)·e^{−h/tau_m}) and neither
 * overflows nor loses digits when the two time constants are far apart.
 */
export function currentToVoltagePropagator(h: number, tauSyn: number, tauM: number, C: number): number {
  // (tau_m − tau_syn) is exact for close values, so x has full relative precision.
  const x = (h * (tauM - tauSyn)) / (tauSyn * tauM);
  if (x === 0) return (h / C) * Math.exp(-h / tauM);
  if (x > 0) return (h / C) * Math.exp(-h / tauM) * (-Math.expm1(-x) / x);
  return (h / C) * Math.exp(-h / tauSyn) * (Math.expm1(x) / x);
}

/** What {@link pscExpKernel} needs besides the context: the homogeneous constants. */
interface PscExpConstants {
  em: Float64Array;
  r: Float64Array;
  p11ex: Float64Array;
  p11in: Float64Array;
  p21ex: Float64Array;
  p21in: Float64Array;
  refSteps: Float64Array;
  u: number;
}

/**
 * The update of a homogeneous population as a WebAssembly f64x2 kernel over the population's
 * memory, two neurons per iteration, branch-free except around spikes. It performs the
 * operations of the JavaScript loop in `compile` in the same order (the refractory and reset
 * branches become lane selects), so the results are bit-identical; the parameters are baked
 * in as constants. Returns null when the population has no WebAssembly memory or
 * heterogeneous parameters (the JavaScript loop then runs).
 */
function pscExpKernel(ctx: UpdateContext, c: PscExpConstants): ((step: number, base: number) => boolean) | null {
  const { p, s, memory } = ctx;
  if (memory === null || c.u !== 0) return null;
  const f = openLifKernel(ctx, c.refSteps[0]);
  const { code, o, ob, v, rf, kZero, kOne, konst } = f;
  const [ie, ii] = [f.lane(), f.lane()];
  const kEm = konst(c.em[0]);
  const kP21ex = konst(c.p21ex[0]);
  const kP21in = konst(c.p21in[0]);
  const kP11ex = konst(c.p11ex[0]);
  const kP11in = konst(c.p11in[0]);
  const kVinf = konst(p.E_L[0] + p.I_e[0] * c.r[0]);
  const kEL = konst(p.E_L[0]);
  const kIe = konst(p.I_e[0]);
  const kR = konst(c.r[0]);
  const [Iex, Iinh] = [s.I_syn_ex.byteOffset, s.I_syn_in.byteOffset];
  // v += (v − vInf)·em + p21ex·I_ex + p21in·I_in where not refractory; else refr −= 1.
  code.get(o).v128Load(Iex).set(ie);
  code.get(o).v128Load(Iinh).set(ii);
  code.get(v).get(v);
  if (f.hasCurrents) code.get(kEL).get(kIe).get(o).v128Load(f.Iin).f64x2Add().get(kR).f64x2Mul().f64x2Add();
  else code.get(kVinf);
  code.f64x2Sub().get(kEm).f64x2Mul();
  code.get(kP21ex).get(ie).f64x2Mul().f64x2Add();
  code.get(kP21in).get(ii).f64x2Mul().f64x2Add();
  code.f64x2Add(); // v + increment
  code.get(v).get(rf).get(kZero).f64x2Eq().bitselect().set(v);
  code.get(rf).get(rf).get(kOne).f64x2Sub().get(rf).get(kZero).f64x2Eq().bitselect().set(rf);
  // Currents decay and take this step's spikes.
  code.get(o).get(ie).get(kP11ex).f64x2Mul().get(ob).v128Load(f.rEx).f64x2Add().v128Store(Iex);
  code.get(o).get(ii).get(kP11in).f64x2Mul().get(ob).v128Load(f.rIn).f64x2Add().v128Store(Iinh);
  code.get(v).get(f.kVth).f64x2Ge();
  return closeLifKernel(f, ctx);
}

export const iaf_psc_exp = defineNeuronModel({
  name: 'iaf_psc_exp',
  doc: 'Leaky integrate-and-fire neuron with exponentially decaying postsynaptic currents, exact integration; NEST iaf_psc_exp.',
  timing: 'grid',
  output: 'spike',
  specialize: true,
  memory: 'wasm',
  // --- parameters -------------------------------------------------------------------------
  params: {
    ...LIF_PARAMS,
    ...STDP_TRACE_PARAMS,
    tau_syn_ex: { default: 2, unit: 'ms', min: 0, exclusiveMin: true, doc: 'Decay time constant of the excitatory postsynaptic current.' },
    tau_syn_in: { default: 2, unit: 'ms', min: 0, exclusiveMin: true, doc: 'Decay time constant of the inhibitory postsynaptic current.' },
  },
  // --- state ------------------------------------------------------------------------------
  state: {
    ...V_M_STATE,
    I_syn_ex: { unit: 'pA', initial: 0, doc: 'Excitatory postsynaptic current.' },
    I_syn_in: { unit: 'pA', initial: 0, doc: 'Inhibitory postsynaptic current (negative for inhibitory weights).' },
    ...LIF_INTERNAL_STATE,
  },
  // --- buffers (receptor ports) -----------------------------------------------------------
  ports: {
    ex: { kind: 'spike', sign: 'positive', doc: 'Spikes with weight >= 0 (pA): jump of I_syn_ex.' },
    in: { kind: 'spike', sign: 'negative', doc: 'Spikes with weight < 0 (pA): jump of I_syn_in.' },
    currents: { kind: 'current', doc: 'Currents (pA) from devices such as dc_generator.' },
  },
  check: resetBelowThreshold,
  // --- propagators ------------------------------------------------------------------------
  prepare(p, dt, n) {
    const em = new Float64Array(n); // expm1(−dt/tau_m): the increment form keeps 1e-13 accuracy at tiny dt
    const r = new Float64Array(n); // tau_m / C_m
    const p11ex = new Float64Array(n);
    const p11in = new Float64Array(n);
    const p21ex = new Float64Array(n);
    const p21in = new Float64Array(n);
    const refSteps = new Float64Array(n);
    // A homogeneous population needs the constants of one neuron (the loops read index 0).
    const u = uniformMask(p);
    const m = u === 0 ? 1 : n;
    for (let i = 0; i < m; i++) {
      const tm = p.tau_m[i];
      const C = p.C_m[i];
      em[i] = Math.expm1(-dt / tm);
      r[i] = tm / C;
      p11ex[i] = Math.exp(-dt / p.tau_syn_ex[i]);
      p11in[i] = Math.exp(-dt / p.tau_syn_in[i]);
      p21ex[i] = currentToVoltagePropagator(dt, p.tau_syn_ex[i], tm, C);
      p21in[i] = currentToVoltagePropagator(dt, p.tau_syn_in[i], tm, C);
      refSteps[i] = Math.round(p.t_ref[i] / dt);
    }
    if (m < n) for (const a of [em, r, p11ex, p11in, p21ex, p21in, refSteps]) a.fill(a[0]);
    return { em, r, p11ex, p11in, p21ex, p21in, refSteps, u, kernel: pscExpKernel };
  },
  // --- update -----------------------------------------------------------------------------
  compile(ctx) {
    const { n, p, s, c, ring, connected } = ctx;
    const fast = c.kernel(ctx, c);
    if (fast !== null) return fast;
    const V = s.V_m;
    const Iex = s.I_syn_ex;
    const Iinh = s.I_syn_in;
    const refr = s.refr;
    const Iin = s.I_in;
    const { em, r, p11ex, p11in, p21ex, p21in, refSteps, u } = c;
    const EL = p.E_L;
    const Ie = p.I_e;
    const Vth = p.V_th;
    const Vreset = p.V_reset;
    const spEx = ring.ex;
    const spIn = ring.in;
    const currents = ring.currents;
    const hasCurrents = connected.currents;
    return (_step, base) => {
      for (let i = 0; i < n; i++) {
        // j indexes parameters and propagators: 0 when all neurons share them, else i.
        const j = i & u;
        let v = V[i];
        const ie = Iex[i];
        const ii = Iinh[i];
        if (refr[i] === 0) {
          const vInf = EL[j] + (hasCurrents ? Ie[j] + Iin[i] : Ie[j]) * r[j];
          v += (v - vInf) * em[j] + p21ex[j] * ie + p21in[j] * ii;
        } else {
          refr[i]--;
        }
        Iex[i] = ie * p11ex[j] + spEx[base + i];
        Iinh[i] = ii * p11in[j] + spIn[base + i];
        if (v >= Vth[j]) {
          refr[i] = refSteps[j];
          v = Vreset[j];
          ctx.spike(i);
        }
        V[i] = v;
        if (hasCurrents) Iin[i] = currents[base + i];
      }
    };
  },
});

registerNeuronModel(iaf_psc_exp);
