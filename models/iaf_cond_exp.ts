/**
 * iaf_cond_exp: leaky integrate-and-fire neuron with exponentially decaying synaptic
 * conductances, NEST's model of the same name (parameters, defaults, update order):
 *
 *   C_m dV/dt = −g_L(V − E_L) − g_ex(V − E_ex) − g_in(V − E_in) + I_e + I,
 *   dg_X/dt = −g_X/tau_syn_X,   g_ex ← g_ex + w for w >= 0,  g_in ← g_in + |w| for w < 0 (nS).
 *
 * Per step: integrate over the step, add this step's spikes to the conductances, then either
 * count down the refractory period (V held at V_reset) or check the threshold, then latch the
 * current-port input for the next update. While refractory the conductances keep decaying and
 * receiving spikes.
 *
 * Two integrators, chosen per neuron with the parameter `integrator`:
 *
 * - 0 (default, accurate): the conductances are advanced exactly (they are pure exponentials
 *   within a step) and V by an adaptive Dormand–Prince 5(4) scheme whose local error on V is
 *   kept below 1e-6 mV per substep; the last accepted substep is remembered per neuron (state
 *   `h_int`, as NEST does) so quiet neurons take one substep per dt. As in NEST's right-hand
 *   side, V is capped at V_th inside the derivative so a strong input cannot make the solver
 *   run away within the step in which the neuron fires. NEST itself uses GSL's RKF45 with an
 *   absolute tolerance of 1e-3; this integrator is at least as accurate.
 * - 1 (forward Euler at dt): V, g_ex and g_in all advance by one explicit Euler step from the
 *   values at the start of the step (no cap), and V is not integrated while refractory. This
 *   is what the Brian2 COBA benchmark (method='euler') computes, step for step.
 */
import { defineNeuronModel, uniformMask, type UpdateContext } from '../engine/model.js';
import { registerNeuronModel } from '../engine/registry.js';
import { closeLifKernel, openLifKernel } from './lif-kernel.js';

/**
 * Bound on the local error of V (mV) per accepted substep of the accurate integrator. With it
 * the global error stays at a few 1e-6 mV (NEST's RKF45 runs with an absolute tolerance of
 * 1e-3), and a neuron in a COBA network needs about 1.06 substeps per step of 0.1 ms; 1e-9
 * would cost 2.7 substeps for accuracy no spike time can see.
 */
const TOLERANCE = 1e-6;
/** Errors below TOLERANCE/GROWTH_LIMIT_RATIO would grow the step by more than 5×: no pow needed. */
const GROWTH_LIMIT_RATIO = (5 / 0.9) ** 5;
/** Substeps allowed per neuron and step before the integrator gives up (a sign of NaN input). */
const MAX_SUBSTEPS = 100000;

// Dormand–Prince 5(4) tableau: nodes, stage weights, 5th-order weights and error weights (b5 − b4).
const C2 = 1 / 5, C3 = 3 / 10, C4 = 4 / 5, C5 = 8 / 9;
const A21 = 1 / 5;
const A31 = 3 / 40, A32 = 9 / 40;
const A41 = 44 / 45, A42 = -56 / 15, A43 = 32 / 9;
const A51 = 19372 / 6561, A52 = -25360 / 2187, A53 = 64448 / 6561, A54 = -212 / 729;
const A61 = 9017 / 3168, A62 = -355 / 33, A63 = 46732 / 5247, A64 = 49 / 176, A65 = -5103 / 18656;
const B1 = 35 / 384, B3 = 500 / 1113, B4 = 125 / 192, B5 = -2187 / 6784, B6 = 11 / 84;
const E1 = 71 / 57600, E3 = -71 / 16695, E4 = 71 / 1920, E5 = -17253 / 339200, E6 = 22 / 525, E7 = -1 / 40;
/** Nodes c2..c6 (c6 = 1), in the order of the precomputed decay tables. */
const NODES = [C2, C3, C4, C5, 1];

/** dV/dt with NEST's cap of V at V_th. */
function dVdt(V: number, ge: number, gi: number, Vth: number, gL: number, EL: number, Eex: number, Ein: number, I: number, invC: number): number {
  const v = V < Vth ? V : Vth;
  return (-gL * (v - EL) - ge * (v - Eex) - gi * (v - Ein) + I) * invC;
}

/**
 * Advances V over one step [0, dt] with adaptive Dormand–Prince 5(4) steps, the conductances
 * being the exact exponentials ge0·e^{−t/tau_e} and gi0·e^{−t/tau_i}. `hStart` is the substep
 * to try first (0: dt); `nodeEx`/`nodeIn` at offset `b` hold the conductance decay to the
 * method's nodes for a full step. The substep to try next is stored in hInt[i]. Handed to
 * the update through the model constants, so the update uses nothing but its context and
 * the engine can compile a per-population copy of it.
 */
function advanceAccurate(
  V0: number, ge0: number, gi0: number, I: number, hInt: Float64Array, i: number, dt: number,
  vth: number, gl: number, el: number, eex: number, ein: number, ic: number, te: number, ti: number,
  nodeEx: Float64Array, nodeIn: Float64Array, b: number,
): number {
  let y = V0;
  let geT = ge0; // conductances at the start of the current substep
  let giT = gi0;
  let t = 0;
  const hStart = hInt[i];
  let hTry = hStart > 0 && hStart <= dt ? hStart : dt;
  let k1 = dVdt(y, geT, giT, vth, gl, el, eex, ein, I, ic);
  let count = 0;
  while (t < dt) {
    const h = hTry < dt - t ? hTry : dt - t;
    let f2e: number, f3e: number, f4e: number, f5e: number, f6e: number;
    let f2i: number, f3i: number, f4i: number, f5i: number, f6i: number;
    if (h === dt) {
      f2e = nodeEx[b]; f3e = nodeEx[b + 1]; f4e = nodeEx[b + 2]; f5e = nodeEx[b + 3]; f6e = nodeEx[b + 4];
      f2i = nodeIn[b]; f3i = nodeIn[b + 1]; f4i = nodeIn[b + 2]; f5i = nodeIn[b + 3]; f6i = nodeIn[b + 4];
    } else {
      f2e = Math.exp((-C2 * h) / te); f3e = Math.exp((-C3 * h) / te); f4e = Math.exp((-C4 * h) / te);
      f5e = Math.exp((-C5 * h) / te); f6e = Math.exp(-h / te);
      f2i = Math.exp((-C2 * h) / ti); f3i = Math.exp((-C3 * h) / ti); f4i = Math.exp((-C4 * h) / ti);
      f5i = Math.exp((-C5 * h) / ti); f6i = Math.exp(-h / ti);
    }
    const k2 = dVdt(y + h * (A21 * k1), geT * f2e, giT * f2i, vth, gl, el, eex, ein, I, ic);
    const k3 = dVdt(y + h * (A31 * k1 + A32 * k2), geT * f3e, giT * f3i, vth, gl, el, eex, ein, I, ic);
    const k4 = dVdt(y + h * (A41 * k1 + A42 * k2 + A43 * k3), geT * f4e, giT * f4i, vth, gl, el, eex, ein, I, ic);
    const k5 = dVdt(y + h * (A51 * k1 + A52 * k2 + A53 * k3 + A54 * k4), geT * f5e, giT * f5i, vth, gl, el, eex, ein, I, ic);
    const k6 = dVdt(y + h * (A61 * k1 + A62 * k2 + A63 * k3 + A64 * k4 + A65 * k5), geT * f6e, giT * f6i, vth, gl, el, eex, ein, I, ic);
    const y5 = y + h * (B1 * k1 + B3 * k3 + B4 * k4 + B5 * k5 + B6 * k6);
    const k7 = dVdt(y5, geT * f6e, giT * f6i, vth, gl, el, eex, ein, I, ic);
    const err = Math.abs(h * (E1 * k1 + E3 * k3 + E4 * k4 + E5 * k5 + E6 * k6 + E7 * k7));
    let factor = 5;
    if (err * GROWTH_LIMIT_RATIO > TOLERANCE) {
      factor = 0.9 * Math.pow(TOLERANCE / err, 0.2);
      if (factor < 0.2) factor = 0.2;
    }
    // A non-finite error would reject forever; accept it and let the finite check report it.
    if (err <= TOLERANCE || err !== err || ++count > MAX_SUBSTEPS) {
      t = h === dt - t ? dt : t + h;
      y = y5;
      geT *= f6e;
      giT *= f6i;
      k1 = k7; // first-same-as-last: k7 is the derivative at the start of the next substep
      hTry = h === hTry ? h * factor : Math.max(hTry, h * factor);
      if (hTry > dt) hTry = dt;
    } else {
      hTry = h * factor;
    }
  }
  hInt[i] = hTry;
  return y;
}

/** What {@link eulerKernel} needs besides the context. */
interface EulerConstants {
  eulerE: Float64Array;
  eulerI: Float64Array;
  invC: Float64Array;
  refSteps: Float64Array;
  u: number;
}

/**
 * The forward-Euler update of a homogeneous population as a WebAssembly f64x2 kernel over the
 * population's memory, two neurons per iteration. It performs the operations of the
 * JavaScript loop in `compile` in the same order (the refractory and threshold branches
 * become lane selects), so the results are bit-identical. Returns null for the accurate
 * integrator, heterogeneous parameters or a population without WebAssembly memory.
 */
function eulerKernel(ctx: UpdateContext, c: EulerConstants): ((step: number, base: number) => boolean) | null {
  const { p, s, memory, dt } = ctx;
  if (memory === null || c.u !== 0 || p.integrator[0] !== 1) return null;
  const f = openLifKernel(ctx, c.refSteps[0]);
  const { code, o, ob, v, rf, kZero, kOne, konst } = f;
  const [e, g, pos] = [f.lane(), f.lane(), f.lane()];
  const kNegGL = konst(-p.g_L[0]);
  const kEL = konst(p.E_L[0]);
  const kEex = konst(p.E_ex[0]);
  const kEin = konst(p.E_in[0]);
  const kIe = konst(p.I_e[0]);
  const kDt = konst(dt);
  const kInvC = konst(c.invC[0]);
  const kEulerE = konst(c.eulerE[0]);
  const kEulerI = konst(c.eulerI[0]);
  const [ge, gi] = [s.g_ex.byteOffset, s.g_in.byteOffset];
  code.get(o).v128Load(ge).set(e);
  code.get(o).v128Load(gi).set(g);
  // V + dt·(−g_L(V − E_L) + g_ex(E_ex − V) + g_in(E_in − V) + I)/C where not refractory.
  code.get(v).get(kDt);
  code.get(kNegGL).get(v).get(kEL).f64x2Sub().f64x2Mul();
  code.get(e).get(kEex).get(v).f64x2Sub().f64x2Mul().f64x2Add();
  code.get(g).get(kEin).get(v).f64x2Sub().f64x2Mul().f64x2Add();
  if (f.hasCurrents) code.get(kIe).get(o).v128Load(f.Iin).f64x2Add();
  else code.get(kIe);
  code.f64x2Add().f64x2Mul().get(kInvC).f64x2Mul().f64x2Add();
  code.get(v).get(rf).get(kZero).f64x2Eq().bitselect().set(v);
  // Conductances: one Euler step of decay, then this step's spikes.
  code.get(o).get(e).get(kEulerE).f64x2Mul().get(ob).v128Load(f.rEx).f64x2Add().v128Store(ge);
  code.get(o).get(g).get(kEulerI).f64x2Mul().get(ob).v128Load(f.rIn).f64x2Abs().f64x2Add().v128Store(gi);
  // Refractory: count down and hold V at V_reset; otherwise check the threshold.
  code.get(rf).get(kZero).f64x2Gt().set(pos);
  code.get(f.kVreset).get(v).get(pos).bitselect().set(v);
  code.get(rf).get(kOne).f64x2Sub().get(rf).get(pos).bitselect().set(rf);
  code.get(v).get(f.kVth).f64x2Ge().get(pos).v128AndNot();
  return closeLifKernel(f, ctx);
}

export const iaf_cond_exp = defineNeuronModel({
  name: 'iaf_cond_exp',
  doc: 'Leaky integrate-and-fire neuron with exponentially decaying synaptic conductances; NEST iaf_cond_exp (accurate adaptive integrator or forward Euler).',
  timing: 'grid',
  output: 'spike',
  specialize: true,
  memory: 'wasm',
  // --- parameters -------------------------------------------------------------------------
  params: {
    V_th: { default: -55, unit: 'mV', doc: 'Spike threshold.' },
    V_reset: { default: -60, unit: 'mV', doc: 'Reset potential.' },
    t_ref: { default: 2, unit: 'ms', min: 0, doc: 'Duration of the refractory period.' },
    g_L: { default: 16.6667, unit: 'nS', min: 0, doc: 'Leak conductance.' },
    C_m: { default: 250, unit: 'pF', min: 0, exclusiveMin: true, doc: 'Membrane capacitance.' },
    E_ex: { default: 0, unit: 'mV', doc: 'Excitatory reversal potential.' },
    E_in: { default: -85, unit: 'mV', doc: 'Inhibitory reversal potential.' },
    E_L: { default: -70, unit: 'mV', doc: 'Leak reversal potential.' },
    tau_syn_ex: { default: 0.2, unit: 'ms', min: 0, exclusiveMin: true, doc: 'Decay time constant of the excitatory conductance.' },
    tau_syn_in: { default: 2, unit: 'ms', min: 0, exclusiveMin: true, doc: 'Decay time constant of the inhibitory conductance.' },
    I_e: { default: 0, unit: 'pA', doc: 'Constant external input current.' },
    tau_minus: { default: 20, unit: 'ms', min: 0, exclusiveMin: true, doc: 'Time constant of the post-synaptic STDP trace.' },
    integrator: {
      default: 0,
      unit: '1',
      min: 0,
      max: 1,
      integer: true,
      doc: '0: adaptive Dormand–Prince 5(4) on V with exact conductances (accurate, NEST-like); 1: forward Euler at dt (Brian2 COBA).',
    },
  },
  // --- state ------------------------------------------------------------------------------
  state: {
    V_m: { unit: 'mV', initial: (p, i) => p.E_L[i], doc: 'Membrane potential.' },
    g_ex: { unit: 'nS', initial: 0, doc: 'Excitatory conductance.' },
    g_in: { unit: 'nS', initial: 0, doc: 'Inhibitory conductance.' },
    refr: { unit: 'steps', initial: 0, internal: true, doc: 'Refractory steps left.' },
    I_in: { unit: 'pA', initial: 0, internal: true, doc: 'Current from the current port, latched for the next update.' },
    h_int: { unit: 'ms', initial: 0, internal: true, doc: 'Next substep of the accurate integrator (0: start with dt).' },
  },
  // --- buffers (receptor ports) -----------------------------------------------------------
  ports: {
    ex: { kind: 'spike', sign: 'positive', doc: 'Spikes with weight >= 0 (nS): jump of g_ex.' },
    in: { kind: 'spike', sign: 'negative', doc: 'Spikes with weight < 0: g_in grows by |w| nS (the input is taken as a magnitude).' },
    currents: { kind: 'current', doc: 'Currents (pA) from devices such as dc_generator.' },
  },
  check: (p) => (p.V_reset >= p.V_th ? `V_reset (${p.V_reset} mV) must be below V_th (${p.V_th} mV).` : undefined),
  // --- constants --------------------------------------------------------------------------
  prepare(p, dt, n) {
    const pe = new Float64Array(n); // exp(−dt/tau_syn_ex)
    const pi = new Float64Array(n);
    // Forward Euler's decay factor 1 − dt/tau: one multiplication per step instead of a division.
    const eulerE = new Float64Array(n);
    const eulerI = new Float64Array(n);
    // Conductance decay to the Dormand–Prince nodes for a full step h = dt, the common case.
    const nodeEx = new Float64Array(5 * n);
    const nodeIn = new Float64Array(5 * n);
    const invC = new Float64Array(n);
    const refSteps = new Float64Array(n);
    // A homogeneous population needs the constants of one neuron (the loops read index 0).
    const u = uniformMask(p);
    const m = u === 0 ? 1 : n;
    for (let i = 0; i < m; i++) {
      const te = p.tau_syn_ex[i];
      const ti = p.tau_syn_in[i];
      pe[i] = Math.exp(-dt / te);
      pi[i] = Math.exp(-dt / ti);
      eulerE[i] = 1 - dt / te;
      eulerI[i] = 1 - dt / ti;
      for (let j = 0; j < 5; j++) {
        nodeEx[5 * i + j] = Math.exp((-NODES[j] * dt) / te);
        nodeIn[5 * i + j] = Math.exp((-NODES[j] * dt) / ti);
      }
      invC[i] = 1 / p.C_m[i];
      refSteps[i] = Math.round(p.t_ref[i] / dt);
    }
    if (m < n) {
      for (const a of [pe, pi, eulerE, eulerI, invC, refSteps]) a.fill(a[0]);
      for (let i = 1; i < n; i *= 2) {
        nodeEx.copyWithin(5 * i, 0, 5 * Math.min(i, n - i));
        nodeIn.copyWithin(5 * i, 0, 5 * Math.min(i, n - i));
      }
    }
    return { pe, pi, eulerE, eulerI, nodeEx, nodeIn, invC, refSteps, advance: advanceAccurate, u, kernel: eulerKernel };
  },
  // --- update -----------------------------------------------------------------------------
  compile(ctx) {
    const { n, p, s, c, ring, connected, dt } = ctx;
    const fast = c.kernel(ctx, c);
    if (fast !== null) return fast;
    const V = s.V_m;
    const ge = s.g_ex;
    const gi = s.g_in;
    const refr = s.refr;
    const Iin = s.I_in;
    const hInt = s.h_int;
    const { pe, pi, eulerE, eulerI, nodeEx, nodeIn, invC, refSteps, advance, u } = c;
    const Vth = p.V_th;
    const Vreset = p.V_reset;
    const gL = p.g_L;
    const EL = p.E_L;
    const Eex = p.E_ex;
    const Ein = p.E_in;
    const Ie = p.I_e;
    const tauE = p.tau_syn_ex;
    const tauI = p.tau_syn_in;
    const integrator = p.integrator;
    const spEx = ring.ex;
    const spIn = ring.in;
    const currents = ring.currents;
    const hasCurrents = connected.currents;
    return (_step, base) => {
      for (let i = 0; i < n; i++) {
        // j indexes parameters and propagators: 0 when all neurons share them, else i.
        const j = i & u;
        const I = hasCurrents ? Ie[j] + Iin[i] : Ie[j];
        if (integrator[j] === 1) {
          const v = V[i];
          const e = ge[i];
          const g = gi[i];
          if (refr[i] === 0) V[i] = v + dt * (-gL[j] * (v - EL[j]) + e * (Eex[j] - v) + g * (Ein[j] - v) + I) * invC[j];
          ge[i] = e * eulerE[j];
          gi[i] = g * eulerI[j];
        } else {
          if (refr[i] === 0) {
            V[i] = advance(V[i], ge[i], gi[i], I, hInt, i, dt, Vth[j], gL[j], EL[j], Eex[j], Ein[j], invC[j], tauE[j], tauI[j], nodeEx, nodeIn, 5 * j);
          }
          ge[i] *= pe[j];
          gi[i] *= pi[j];
        }
        ge[i] += spEx[base + i];
        gi[i] += Math.abs(spIn[base + i]);
        if (refr[i] > 0) {
          refr[i]--;
          V[i] = Vreset[j];
        } else if (V[i] >= Vth[j]) {
          refr[i] = refSteps[j];
          V[i] = Vreset[j];
          ctx.spike(i);
        }
        if (hasCurrents) Iin[i] = currents[base + i];
      }
    };
  },
});

registerNeuronModel(iaf_cond_exp);
