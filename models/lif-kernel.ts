/**
 * The frame shared by the WebAssembly f64x2 kernels of the LIF models (iaf_psc_exp,
 * iaf_cond_exp): two neurons per loop iteration over the population's WebAssembly memory,
 * parameters baked in as constants, and the same threshold, reset and spike-list tail. A model
 * opens the frame, emits its own subthreshold update, leaves the lanes that cross the threshold
 * on the stack and closes the frame.
 */
import type { UpdateContext } from '../engine/model.js';
import { Code, I32, V128, instantiateKernel } from '../engine/wasm.js';

/** Locals and addresses of an open LIF kernel. */
export interface LifKernelFrame {
  code: Code;
  /** Byte offset of neurons i, i+1 in the state arrays. */
  o: number;
  /** The same in the ring slot. */
  ob: number;
  /** Membrane potentials and refractory counts of the two lanes. */
  v: number;
  rf: number;
  kZero: number;
  kOne: number;
  /** Byte addresses of V_m, refr, I_in and of the ex, in and currents ring slots. */
  V: number;
  refr: number;
  Iin: number;
  rEx: number;
  rIn: number;
  rCur: number;
  /** Whether anything is connected to the current port. */
  hasCurrents: boolean;
  /** A new V128 local holding `x` in both lanes. */
  konst(x: number): number;
  /** A new V128 local. */
  lane(): number;
  /** V_th and V_reset in both lanes, for the model's threshold test and refractory hold. */
  kVth: number;
  kVreset: number;
  // Used by closeLifKernel only.
  idx: number;
  cnt: number;
  mask: number;
  sp: number;
  kRef: number;
  end: number;
  clears: boolean;
}

/**
 * Opens a kernel for a homogeneous population: declares the shared locals and constants, and
 * starts the loop with V and refr of the two lanes loaded into `v` and `rf`.
 */
export function openLifKernel(ctx: UpdateContext, refSteps: number): LifKernelFrame {
  const { n, p, s, ring, connected } = ctx;
  const at = (a: Float64Array) => a.byteOffset;
  const code = new Code([I32], [I32]);
  const lane = () => code.local(V128);
  const konst = (x: number) => {
    const l = code.local(V128);
    code.f64x2Const(x).set(l);
    return l;
  };
  const f: LifKernelFrame = {
    code,
    o: code.local(I32),
    ob: code.local(I32),
    idx: code.local(I32),
    cnt: code.local(I32),
    mask: code.local(I32),
    v: lane(),
    rf: lane(),
    sp: lane(),
    kZero: konst(0),
    kOne: konst(1),
    kVth: konst(p.V_th[0]),
    kVreset: konst(p.V_reset[0]),
    kRef: konst(refSteps),
    V: at(s.V_m),
    refr: at(s.refr),
    Iin: at(s.I_in),
    rEx: at(ring.ex),
    rIn: at(ring.in),
    rCur: at(ring.currents),
    hasCurrents: connected.currents,
    konst,
    lane,
    end: 8 * (n + (n & 1)),
    // With an even n the pairs cover the slot exactly, so the kernel zeroes the input it has
    // read; with an odd n the last pair reaches into the next slot, which the engine must keep.
    clears: n % 2 === 0,
  };
  const base = 0;
  code.get(base).i32(8).i32Mul().set(f.ob);
  code.loop();
  code.get(f.o).v128Load(f.V).set(f.v);
  code.get(f.o).v128Load(f.refr).set(f.rf);
  return f;
}

/**
 * Closes the kernel. Expects the mask of the lanes that reach the threshold on the stack:
 * those are reset and made refractory and their indices go to the spike list (ascending).
 * Then V, refr and the latched current are stored, the inputs read are cleared, and the loop
 * advances. Returns the step function, or null when WebAssembly is unavailable.
 */
export function closeLifKernel(f: LifKernelFrame, ctx: UpdateContext): ((step: number, base: number) => boolean) | null {
  const { code, o, ob, v, rf, sp, mask, cnt, idx, kVreset, kRef, kZero } = f;
  const { n, scratch, memory } = ctx;
  if (memory === null) return null;
  code.tee(sp).anyTrue().if();
  code.get(kVreset).get(v).get(sp).bitselect().set(v);
  code.get(kRef).get(rf).get(sp).bitselect().set(rf);
  code.get(sp).i64x2Bitmask().set(mask);
  for (const lane of [0, 1]) {
    code.get(mask).i32(1 << lane).i32And().if();
    code.get(cnt).i32(2).i32Shl().get(idx).i32(lane).i32Add().i32Store(scratch.byteOffset);
    code.get(cnt).i32(1).i32Add().set(cnt);
    code.end();
  }
  code.end();
  code.get(o).get(v).v128Store(f.V);
  code.get(o).get(rf).v128Store(f.refr);
  if (f.hasCurrents) code.get(o).get(ob).v128Load(f.rCur).v128Store(f.Iin);
  if (f.clears) {
    code.get(ob).get(kZero).v128Store(f.rEx);
    code.get(ob).get(kZero).v128Store(f.rIn);
    if (f.hasCurrents) code.get(ob).get(kZero).v128Store(f.rCur);
  }
  code.get(o).i32(16).i32Add().set(o);
  code.get(ob).i32(16).i32Add().set(ob);
  code.get(idx).i32(2).i32Add().set(idx);
  code.get(o).i32(f.end).i32LtU().brIf(0);
  code.end();
  code.get(cnt);
  const run = instantiateKernel<(base: number) => number>(code, memory);
  if (run === null) return null;
  const clears = f.clears;
  return (_step, b) => {
    const count = run(b);
    // The padding lane of an odd n is not a neuron.
    for (let q = 0; q < count; q++) if (scratch[q] < n) ctx.spike(scratch[q]);
    return clears;
  };
}
