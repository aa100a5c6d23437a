/**
 * WebAssembly f64x2 kernels for the weight products of models/stsp_rnn.ts: the four-lane
 * forward product, the four-lane outer products of the weight gradients and the recurrent
 * δp. Each kernel vectorises over the independent output column and gives every output element
 * the same operations in the same order as the JavaScript loop it replaces (WebAssembly never
 * fuses them), so results are bit-identical. A column count that is odd leaves one column
 * for a scalar step.
 *
 * All operands live in one WebAssembly memory per pass ({@link LaneWorkspace}); the kernels
 * bake its layout in as constant addresses, and are compiled once per network size.
 */
import { Code, F64, I32, V128, compileKernel, instantiateKernel, newWasmMemory, type CompiledKernel, type ValType } from '../engine/wasm.js';

/** Trials advanced together through the weight matrices (a divisor of GRAD_CHUNK in models/stsp_rnn.ts). */
export const LANES = 4;

const BYTES = 8;

/**
 * The arrays of one forward or backward pass as Float64Array views over a WebAssembly memory,
 * with the kernels that work on them. Lane l of a lane buffer starts at l·N (l·nIn for `inl`).
 */
export interface LaneWorkspace {
  /** W_in⁺ `[nIn, N]`, W_rec `[N, N]` and its transpose, to be filled by the caller. */
  win: Float64Array;
  wrec: Float64Array;
  wrecT: Float64Array;
  /** Gradient sums of one chunk: ∇W_in⁺ and ∇W_rec. */
  gWin: Float64Array;
  gWrec: Float64Array;
  /** Lane buffers: recurrent drive, presynaptic p, inputs, δa and δp. */
  acc: Float64Array;
  pv: Float64Array;
  inl: Float64Array;
  da: Float64Array;
  dp: Float64Array;
  /** acc += inl·W_in⁺, then acc += pv·W_rec, as laneForward of models/stsp_rnn.ts. */
  forward(): void;
  /** gWin += α inlᵀ·da and gWrec += α pvᵀ·da, as laneOuter. */
  outerIn(alpha: number): void;
  outerRec(alpha: number): void;
  /** dp = α da·W_recᵀ (read from wrecT), as the δp loop of recurrentBackward. */
  deltaP(alpha: number): void;
}

type ArrayName = 'win' | 'wrec' | 'wrecT' | 'gWin' | 'gWrec' | 'acc' | 'pv' | 'inl' | 'da' | 'dp';

/** Byte addresses (16-byte aligned) and lengths of the workspace arrays. */
interface Layout {
  at: Record<ArrayName, number>;
  length: Record<ArrayName, number>;
  bytes: number;
}

function layoutFor(N: number, nIn: number): Layout {
  const length = { win: nIn * N, wrec: N * N, wrecT: N * N, gWin: nIn * N, gWrec: N * N, acc: LANES * N, pv: LANES * N, inl: LANES * nIn, da: LANES * N, dp: LANES * N };
  const at = {} as Record<ArrayName, number>;
  let bytes = 0;
  for (const key of Object.keys(length) as ArrayName[]) {
    at[key] = bytes;
    bytes += Math.ceil((length[key] * BYTES) / 16) * 16;
  }
  return { at, length, bytes };
}

/** Operations on a pair of columns (f64x2) or on the one column an odd count leaves. */
interface Width {
  type: ValType;
  bytes: number;
  load(c: Code, offset: number): Code;
  store(c: Code, offset: number): Code;
  /** Loads one f64 at `offset` and widens it. */
  loadScalar(c: Code, offset: number): Code;
  add(c: Code): Code;
  mul(c: Code): Code;
  /** Pushes +0. */
  zero(c: Code): Code;
}

const PAIR: Width = {
  type: V128,
  bytes: 16,
  load: (c, o) => c.v128Load(o),
  store: (c, o) => c.v128Store(o),
  loadScalar: (c, o) => c.v128Load64Splat(o),
  add: (c) => c.f64x2Add(),
  mul: (c) => c.f64x2Mul(),
  zero: (c) => c.f64x2Const(0),
};

const SINGLE: Width = {
  type: F64,
  bytes: 8,
  load: (c, o) => c.f64Load(o),
  store: (c, o) => c.f64Store(o),
  loadScalar: (c, o) => c.f64Load(o),
  add: (c) => c.f64Add(),
  mul: (c) => c.f64Mul(),
  zero: (c) => c.f64(0),
};

/**
 * Emits `body` for columns [0, n): two per iteration with `col` stepping over byte offsets,
 * then the last column alone when n is odd.
 */
function eachColumn(code: Code, n: number, col: number, body: (w: Width) => void): void {
  const pairs = n >> 1;
  if (pairs > 0) {
    code.i32(0).set(col).loop();
    body(PAIR);
    code.get(col).i32(16).i32Add().tee(col).i32(16 * pairs).i32LtU().brIf(0);
    code.end();
  }
  if (n % 2 === 1) {
    code.i32(BYTES * (n - 1)).set(col);
    body(SINGLE);
  }
}

/** Leaves 1 on the stack when any of the f64 locals is not zero (NaN counts as not zero). */
function anyNonzero(code: Code, locals: number[]): void {
  locals.forEach((l, k) => {
    code.get(l).f64(0).f64Ne();
    if (k > 0) code.i32Or();
  });
}

/** `count` locals of each width, declared up front; the result picks those of one width. */
function localsOfEachWidth(code: Code, count: number): (w: Width) => number[] {
  const pair = Array.from({ length: count }, () => code.local(PAIR.type));
  const single = Array.from({ length: count }, () => code.local(SINGLE.type));
  return (w) => (w === PAIR ? pair : single);
}

/**
 * The coefficients `scalars` as seen by each width: the f64 locals themselves for the odd
 * column, copies splatted to both lanes for the pairs. `splat` emits the copying, once per
 * row ahead of the column loop.
 */
function widened(code: Code, scalars: number[], N: number): { of(w: Width): number[]; splat(): void } {
  const pairs = N >= 2 ? scalars.map(() => code.local(V128)) : [];
  return {
    of: (w) => (w === PAIR ? pairs : scalars),
    splat() {
      pairs.forEach((v, k) => code.get(scalars[k]).f64x2Splat().set(v));
    },
  };
}

/**
 * acc_l[j] += Σ_i P_l[i]·W[i,j] exactly as laneForward: row pairs, each adding p·w + q·v to
 * the accumulator and skipped when all eight coefficients are zero, then an odd last row.
 */
function emitForward(code: Code, rows: number, N: number, W: number, P: number, acc: number): void {
  const pOff = code.local(I32);
  const wOff = code.local(I32);
  const col = code.local(I32);
  const at = code.local(I32);
  const p = Array.from({ length: LANES }, () => code.local(F64));
  const q = Array.from({ length: LANES }, () => code.local(F64));
  const pw = widened(code, p, N);
  const qw = widened(code, q, N);
  const weights = localsOfEachWidth(code, 2);
  const rowBytes = N * BYTES;
  const accumulate = (w: Width, twoRows: boolean) => {
    const [wl, vl] = weights(w);
    const [pl, ql] = [pw.of(w), qw.of(w)];
    code.get(wOff).get(col).i32Add().tee(at);
    w.load(code, W).set(wl);
    if (twoRows) w.load(code.get(at), W + rowBytes).set(vl);
    for (let l = 0; l < LANES; l++) {
      code.get(col);
      w.load(code.get(col), acc + l * rowBytes);
      w.mul(code.get(pl[l]).get(wl));
      if (twoRows) w.add(w.mul(code.get(ql[l]).get(vl)));
      w.add(code);
      w.store(code, acc + l * rowBytes);
    }
  };
  const rowBlock = (twoRows: boolean) => {
    for (let l = 0; l < LANES; l++) {
      code.get(pOff).f64Load(P + l * rows * BYTES).set(p[l]);
      if (twoRows) code.get(pOff).f64Load(P + (l * rows + 1) * BYTES).set(q[l]);
    }
    anyNonzero(code, twoRows ? [...p, ...q] : p);
    code.if();
    pw.splat();
    if (twoRows) qw.splat();
    eachColumn(code, N, col, (w) => accumulate(w, twoRows));
    code.end();
  };
  const pairRows = rows - (rows % 2);
  code.i32(0).set(pOff).i32(0).set(wOff);
  if (pairRows > 0) {
    code.loop();
    rowBlock(true);
    code.get(wOff).i32(2 * rowBytes).i32Add().set(wOff);
    code.get(pOff).i32(2 * BYTES).i32Add().tee(pOff).i32(pairRows * BYTES).i32LtU().brIf(0);
    code.end();
  }
  if (rows % 2 === 1) rowBlock(false);
}

/**
 * G[r,j] += Σ_l (α·P_l[r])·δa_l[j] exactly as laneOuter: the four lane terms added left to right,
 * then added to G; rows whose four coefficients are all zero are skipped. α is parameter 0.
 */
function emitOuter(code: Code, rows: number, N: number, P: number, da: number, G: number): void {
  const alpha = 0;
  const pOff = code.local(I32);
  const gOff = code.local(I32);
  const col = code.local(I32);
  const at = code.local(I32);
  const p = Array.from({ length: LANES }, () => code.local(F64));
  const pw = widened(code, p, N);
  const rowBytes = N * BYTES;
  code.i32(0).set(pOff).i32(0).set(gOff);
  if (rows === 0) return;
  code.loop();
  for (let l = 0; l < LANES; l++) code.get(alpha).get(pOff).f64Load(P + l * rows * BYTES).f64Mul().set(p[l]);
  anyNonzero(code, p);
  code.if();
  pw.splat();
  eachColumn(code, N, col, (w) => {
    const pl = pw.of(w);
    code.get(gOff).get(col).i32Add().tee(at);
    w.load(code.get(at), G);
    for (let l = 0; l < LANES; l++) {
      w.mul(w.load(code.get(pl[l]).get(col), da + l * rowBytes));
      if (l > 0) w.add(code);
    }
    w.add(code);
    w.store(code, G);
  });
  code.end();
  code.get(gOff).i32(rowBytes).i32Add().set(gOff);
  code.get(pOff).i32(BYTES).i32Add().tee(pOff).i32(rows * BYTES).i32LtU().brIf(0);
  code.end();
}

/**
 * dp_l[i] = α·Σ_j δa_l[j]·W[i,j] exactly as recurrentBackward: each sum starts at +0 and adds
 * the terms in j order. The products read W transposed, so a block of columns i keeps its
 * sums in registers while j runs: four columns per block, then a pair, then an odd one.
 */
function emitDeltaP(code: Code, N: number, WT: number, da: number, dp: number): void {
  const alpha = 0;
  const col = code.local(I32);
  const jOff = code.local(I32);
  const wRow = code.local(I32);
  const at = code.local(I32);
  const alphaOf = widened(code, [alpha], N);
  const rowBytes = N * BYTES;
  const sums = localsOfEachWidth(code, 2 * LANES);
  const weights = localsOfEachWidth(code, 2);
  const coef = localsOfEachWidth(code, 1);
  alphaOf.splat();
  // One block of `width` vectors at byte column `col`.
  const block = (w: Width, width: number) => {
    const s = sums(w);
    const wk = weights(w);
    const [d] = coef(w);
    for (let m = 0; m < LANES * width; m++) w.zero(code).set(s[m]);
    code.i32(0).set(jOff).i32(0).set(wRow);
    code.loop();
    code.get(wRow).get(col).i32Add().set(at);
    for (let k = 0; k < width; k++) w.load(code.get(at), WT + k * w.bytes).set(wk[k]);
    for (let l = 0; l < LANES; l++) {
      w.loadScalar(code.get(jOff), da + l * rowBytes).set(d);
      for (let k = 0; k < width; k++) {
        const m = l * width + k;
        w.add(w.mul(code.get(s[m]).get(d).get(wk[k]))).set(s[m]);
      }
    }
    code.get(wRow).i32(rowBytes).i32Add().set(wRow);
    code.get(jOff).i32(BYTES).i32Add().tee(jOff).i32(rowBytes).i32LtU().brIf(0);
    code.end();
    for (let l = 0; l < LANES; l++) {
      for (let k = 0; k < width; k++) {
        code.get(col);
        w.mul(code.get(alphaOf.of(w)[0]).get(s[l * width + k]));
        w.store(code, dp + l * rowBytes + k * w.bytes);
      }
    }
  };
  const quads = N >> 2;
  if (quads > 0) {
    code.i32(0).set(col).loop();
    block(PAIR, 2);
    code.get(col).i32(32).i32Add().tee(col).i32(32 * quads).i32LtU().brIf(0);
    code.end();
  }
  if (N % 4 >= 2) {
    code.i32(BYTES * 4 * quads).set(col);
    block(PAIR, 1);
  }
  if (N % 2 === 1) {
    code.i32(BYTES * (N - 1)).set(col);
    block(SINGLE, 1);
  }
}

/** The compiled kernels of one network size. */
interface CompiledLaneKernels {
  layout: Layout;
  forwardIn: CompiledKernel;
  forwardRec: CompiledKernel;
  outerIn: CompiledKernel;
  outerRec: CompiledKernel;
  deltaP: CompiledKernel;
}

/** Per network size: each pass makes a new memory, and compiling again would repeat V8's optimisation too. */
const compiled = new Map<string, CompiledLaneKernels | null>();

function compileFor(N: number, nIn: number): CompiledLaneKernels | null {
  const key = `${N},${nIn}`;
  if (compiled.has(key)) return compiled.get(key)!;
  const layout = layoutFor(N, nIn);
  const { at } = layout;
  const build = (params: ValType[], emit: (c: Code) => void) => {
    const code = new Code(params, []);
    emit(code);
    return compileKernel(code);
  };
  const parts = {
    forwardIn: build([], (c) => emitForward(c, nIn, N, at.win, at.inl, at.acc)),
    forwardRec: build([], (c) => emitForward(c, N, N, at.wrec, at.pv, at.acc)),
    outerIn: build([F64], (c) => emitOuter(c, nIn, N, at.inl, at.da, at.gWin)),
    outerRec: build([F64], (c) => emitOuter(c, N, N, at.pv, at.da, at.gWrec)),
    deltaP: build([F64], (c) => emitDeltaP(c, N, at.wrecT, at.da, at.dp)),
  };
  const ok = Object.values(parts).every((k) => k !== null);
  const result = ok ? ({ layout, ...parts } as CompiledLaneKernels) : null;
  compiled.set(key, result);
  return result;
}

/**
 * A fresh workspace for a network of N units and nIn inputs over its own WebAssembly memory,
 * or null without WebAssembly (the caller then keeps its JavaScript loops).
 */
export function laneWorkspace(N: number, nIn: number): LaneWorkspace | null {
  const kernels = compileFor(N, nIn);
  if (kernels === null) return null;
  const { layout } = kernels;
  // Sized once: growing the memory would detach the views.
  const memory = newWasmMemory(layout.bytes);
  if (memory === null) return null;
  const view = (key: ArrayName) => new Float64Array(memory.buffer, layout.at[key], layout.length[key]);
  const forwardIn = instantiateKernel<() => void>(kernels.forwardIn, memory)!;
  const forwardRec = instantiateKernel<() => void>(kernels.forwardRec, memory)!;
  return {
    win: view('win'),
    wrec: view('wrec'),
    wrecT: view('wrecT'),
    gWin: view('gWin'),
    gWrec: view('gWrec'),
    acc: view('acc'),
    pv: view('pv'),
    inl: view('inl'),
    da: view('da'),
    dp: view('dp'),
    forward() {
      forwardIn();
      forwardRec();
    },
    outerIn: instantiateKernel<(alpha: number) => void>(kernels.outerIn, memory)!,
    outerRec: instantiateKernel<(alpha: number) => void>(kernels.outerRec, memory)!,
    deltaP: instantiateKernel<(alpha: number) => void>(kernels.deltaP, memory)!,
  };
}
