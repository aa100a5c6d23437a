/**
 * WebAssembly kernels of the capacity epoch (spec §7 "Speed"), each bit-identical to the
 * JavaScript loop it replaces because it performs the same IEEE operations in the same order
 * (WebAssembly never fuses them, and f32 roundings are spelled out as Math.fround does them):
 *
 * - fields: the alive masks, and h = W·X − θ over the active-input lists, 16 rows at a time in
 *   eight f64x2 lanes, on W transposed (row index innermost, by the same kernel) so one active
 *   input reads 16 consecutive rows; each h_iμ still adds its terms in the order of the list.
 * - outer: G = m·Xᵀ row by row, scattering each non-zero soft-min weight over its pattern's
 *   active inputs in pattern order (the weights are sparse, so this beats a dense product).
 * - update: the factor gradient, clip, normalisation and weight update of a row in one kernel.
 *
 * All arrays the kernels touch live in one WebAssembly memory sized up front, which never
 * grows, so the typed-array views stay valid. With two threads the memory is shared with a
 * worker thread and both claim chunks of 16 rows (spec §7: worker threads split by rows).
 */
import type { Worker } from 'node:worker_threads';
import { SimulationError } from '../../engine/errors.js';
import { Code, F64, I32, V128, instantiateKernel, newWasmMemory, type WasmMemory } from '../../engine/wasm.js';
import { startModuleWorker } from '../worker-thread.js';
import { ALIVE_THRESHOLD, FACTOR_FLOOR, type ZFactorMatrix } from '../../synapses/zfactor.js';
import type { Patterns } from './patterns.js';

/**
 * Rows per block of the fields kernel (eight f64x2 accumulators, which x86-64 registers hold),
 * and per chunk the threads claim.
 */
const ROWS = 16;
const LANES = ROWS / 2;

/** Byte addresses of the arrays in the kernels' memory. */
interface Layout {
  WT: number;
  h: number;
  theta: number;
  actPtr: number;
  actOff: number;
  actJ: number;
  G: number;
  mRow: number;
  u: number;
  W: number;
  alive: number;
  dead: number;
  c: number;
  /** The control words of the second thread (see {@link serveKernels}). */
  ctrl: number;
  bytes: number;
}

/**
 * Places the arrays one after another, each on a 64-byte cache line so that the two threads,
 * which write different 16-row blocks (64 bytes of a WT column), never share a line; z = 0
 * leaves out the factors.
 */
function layout(n: number, m: number, z: number, stride: number): Layout {
  let at = 0;
  const take = (bytes: number) => {
    const start = at;
    at += Math.ceil(bytes / 64) * 64;
    return start;
  };
  const l = {
    WT: take(4 * n * stride),
    h: take(8 * n * m),
    theta: take(8 * stride),
    actPtr: take(4 * (m + 1)),
    actOff: take(4 * n * m),
    actJ: take(4 * n * m),
    G: take(8 * n * n),
    mRow: take(8 * n * m),
    u: take(4 * n * n * z),
    W: take(4 * n * n),
    alive: take(n * n),
    dead: take(n),
    c: take(8 * n),
    ctrl: take(CTRL_BYTES),
    bytes: 0,
  };
  l.bytes = at;
  return l;
}

/**
 * Emits the loop over the active inputs of pattern `mu`: `q` runs over the byte offsets of its
 * entries in the active lists; `body` is emitted once, with the entry's byte offset in `q`.
 */
function overActive(code: Code, lay: Layout, mu: number, q: number, qe: number, body: () => void): void {
  code.get(mu).i32(2).i32Shl().i32Load(lay.actPtr).set(q);
  code.get(mu).i32(2).i32Shl().i32Load(lay.actPtr + 4).set(qe);
  code.block().loop();
  code.get(q).get(qe).i32GeU().brIf(1);
  body();
  code.get(q).i32(4).i32Add().set(q);
  code.br(0).end().end();
}

/**
 * Emits the transposition of the rows [i0, min(i0 + 16, N)) of W into WT, with their alive
 * masks (computeMasks: w > 1e-10); the padding rows of WT stay 0.
 */
function emitTransposeRows(code: Code, lay: Layout, n: number, stride: number, i0: number, v: { i: number; j: number; src: number; dst: number; end: number }): void {
  code.get(i0).i32(ROWS).i32Add().i32(n).get(i0).i32(ROWS).i32Add().i32(n).i32LtU().select().set(v.end);
  code.get(i0).set(v.i);
  code.loop();
  code.get(v.i).i32(n).i32Mul().set(v.src);
  code.get(v.i).i32(2).i32Shl().set(v.dst);
  code.i32(0).set(v.j);
  code.loop();
  code.get(v.dst).get(v.src).i32(2).i32Shl().f32Load(lay.W).f32Store(lay.WT);
  code.get(v.src).get(v.src).i32(2).i32Shl().f32Load(lay.W).f64PromoteF32().f64(ALIVE_THRESHOLD).f64Gt().i32Store8(lay.alive);
  code.get(v.src).i32(1).i32Add().set(v.src);
  code.get(v.dst).i32(4 * stride).i32Add().set(v.dst);
  code.get(v.j).i32(1).i32Add().tee(v.j).i32(n).i32LtU().brIf(0);
  code.end();
  code.get(v.i).i32(1).i32Add().tee(v.i).get(v.end).i32LtU().brIf(0);
  code.end();
}

/**
 * Emits the stores of the 16 fields of pattern `mu` (f64x2 locals `val`) into h[i·M + μ] for the
 * rows of the block that exist and are not dead (whose h computeFields leaves as it is).
 */
function emitStoreFields(code: Code, lay: Layout, n: number, m: number, mu: number, i0: number, r: number, val: number[]): void {
  val.forEach((x, k) => {
    for (const lane of [0, 1]) {
      code.get(i0).i32(2 * k + lane).i32Add().tee(r).i32(n).i32LtU().if();
      code.get(r).i32Load8U(lay.dead).i32Eqz().if();
      code.get(r).get(m).i32Mul().get(mu).i32Add().i32(3).i32Shl();
      code.get(x).f64x2ExtractLane(lane).f64Store(lay.h);
      code.end().end();
    }
  });
}

/**
 * fields(b0, b1, m): for the row blocks with byte offsets b0 ≤ b < b1 in WT (4 bytes a row):
 * transposes the block's rows of W into WT with their alive masks, then
 * h[i·M + μ] = Σ_{j active in μ} WT[j·P + i] − θ_i, the f32 weights widened exactly to f64.
 */
function fieldsKernel(lay: Layout, n: number, stride: number): Code {
  const code = new Code([I32, I32, I32], []);
  const [b, b1, m] = [0, 1, 2];
  const mu = code.local(I32);
  const q = code.local(I32);
  const qe = code.local(I32);
  const a = code.local(I32);
  const i0 = code.local(I32);
  const r = code.local(I32);
  const tv = { i: code.local(I32), j: code.local(I32), src: code.local(I32), dst: code.local(I32), end: code.local(I32) };
  const acc = Array.from({ length: LANES }, () => code.local(V128));
  code.loop();
  code.get(b).i32(2).i32ShrU().set(i0);
  emitTransposeRows(code, lay, n, stride, i0, tv);
  code.i32(0).set(mu);
  code.loop();
  for (const x of acc) code.f64x2Const(0).set(x);
  overActive(code, lay, mu, q, qe, () => {
    code.get(q).i32Load(lay.actOff).get(b).i32Add().set(a);
    acc.forEach((x, k) => code.get(x).get(a).v128Load64Zero(lay.WT + 8 * k).f64x2PromoteLowF32x4().f64x2Add().set(x));
  });
  // θ is f64, indexed at twice the f32 byte offset.
  acc.forEach((x, k) => code.get(x).get(b).i32(1).i32Shl().v128Load(lay.theta + 16 * k).f64x2Sub().set(x));
  emitStoreFields(code, lay, n, m, mu, i0, r, acc);
  code.get(mu).i32(1).i32Add().tee(mu).get(m).i32LtU().brIf(0);
  code.end();
  code.get(b).i32(4 * ROWS).i32Add().tee(b).get(b1).i32LtU().brIf(0);
  code.end();
  return code;
}

/**
 * outer(i0, i1, m): for the rows i0 ≤ i < i1, G[i·N + j] += mRow[i·M + μ] for every active input
 * j of every pattern μ with a non-zero weight, in pattern order (G zeroed by the caller).
 */
function outerKernel(lay: Layout, n: number): Code {
  const code = new Code([I32, I32, I32], []);
  const [i, i1, m] = [0, 1, 2];
  const mu = code.local(I32);
  const q = code.local(I32);
  const qe = code.local(I32);
  const a = code.local(I32);
  const row = code.local(I32);
  const mb = code.local(I32);
  const mv = code.local(F64);
  code.loop();
  code.get(i).i32(8 * n).i32Mul().set(row);
  code.i32(0).set(mu);
  code.loop();
  code.get(i).get(m).i32Mul().get(mu).i32Add().i32(3).i32Shl().set(mb);
  code.get(mb).f64Load(lay.mRow).tee(mv).f64(0).f64Ne().if();
  overActive(code, lay, mu, q, qe, () => {
    code.get(q).i32Load(lay.actJ).get(row).i32Add().tee(a);
    code.get(a).f64Load(lay.G).get(mv).f64Add().f64Store(lay.G);
  });
  code.end();
  code.get(mu).i32(1).i32Add().tee(mu).get(m).i32LtU().brIf(0);
  code.end();
  code.get(i).i32(1).i32Add().tee(i).get(i1).i32LtU().brIf(0);
  code.end();
  return code;
}

/** Locals of the update kernel. */
interface UpdateLocals {
  i: number;
  j: number;
  /** Byte offsets of synapse (i, j) in u, W, G and alive. */
  su: number;
  sw: number;
  sg: number;
  sa: number;
  d: number;
  x: number;
  w: number;
  sq: number;
  scale: number;
  any: number;
  old: number[];
  prefix: number;
  suffix: number;
}

/**
 * Emits u_k += d·Π_{l≠k} u_l for the factors at byte offset `su`, as addProductGradient: the
 * products from the factors before the update, every product rounded to f32.
 */
function emitProductGradient(code: Code, lay: Layout, z: number, v: UpdateLocals): void {
  const { su, d, old, prefix, suffix } = v;
  if (z === 1) {
    code.get(su).get(su).f32Load(lay.u).f64PromoteF32().get(d).f64Add().f32DemoteF64().f32Store(lay.u);
    return;
  }
  for (let k = 0; k < z; k++) code.get(su).f32Load(lay.u + 4 * k).f64PromoteF32().set(old[k]);
  if (z === 2) {
    code.get(su).get(old[0]).get(d).get(old[1]).f64Mul().fround().f64Add().f32DemoteF64().f32Store(lay.u);
    code.get(su).get(old[1]).get(d).get(old[0]).f64Mul().fround().f64Add().f32DemoteF64().f32Store(lay.u + 4);
    return;
  }
  code.f64(1).set(prefix);
  for (let k = 0; k < z; k++) {
    code.f64(1).set(suffix);
    for (let l = k + 1; l < z; l++) code.get(suffix).get(old[l]).f64Mul().fround().set(suffix);
    code.get(su).get(old[k]).get(d).get(prefix).get(suffix).f64Mul().fround().f64Mul().fround().f64Add().f32DemoteF64().f32Store(lay.u + 4 * k);
    code.get(prefix).get(old[k]).f64Mul().fround().set(prefix);
  }
}

/** Emits `for (j = 0; j < n; j++)` over row i, advancing the synapse byte offsets. */
function overRow(code: Code, n: number, z: number, v: UpdateLocals, body: () => void): void {
  code.get(v.i).i32(n).i32Mul().tee(v.sa).i32(2).i32Shl().tee(v.sw).i32(1).i32Shl().set(v.sg);
  code.get(v.sw).i32(z).i32Mul().set(v.su);
  code.i32(0).set(v.j);
  code.loop();
  body();
  code.get(v.su).i32(4 * z).i32Add().set(v.su);
  code.get(v.sw).i32(4).i32Add().set(v.sw);
  code.get(v.sg).i32(8).i32Add().set(v.sg);
  code.get(v.sa).i32(1).i32Add().set(v.sa);
  code.get(v.j).i32(1).i32Add().tee(v.j).i32(n).i32LtU().brIf(0);
  code.end();
}

/** applyFactorGradient for row i: alive synapses with a non-zero step d = η·G_ij. */
function emitGradient(code: Code, lay: Layout, n: number, z: number, eta: number, v: UpdateLocals): void {
  overRow(code, n, z, v, () => {
    code.get(v.sa).i32Load8U(lay.alive).if();
    code.get(eta).get(v.sg).f64Load(lay.G).f64Mul().tee(v.d).f64(0).f64Ne().if();
    emitProductGradient(code, lay, z, v);
    code.end().end();
  });
}

/** The clip pass of clipNormalize for row i: masks, floors, Σu² and W, with `any` alive set. */
function emitClip(code: Code, lay: Layout, n: number, z: number, v: UpdateLocals): void {
  code.f64(0).set(v.sq).i32(0).set(v.any);
  overRow(code, n, z, v, () => {
    code.get(v.j).get(v.i).i32Eq().if();
    for (let k = 0; k < z; k++) code.get(v.su).f64(0).f32DemoteF64().f32Store(lay.u + 4 * k);
    code.get(v.sw).f64(0).f32DemoteF64().f32Store(lay.W);
    code.else();
    for (let k = 0; k < z; k++) {
      code.get(v.su).f32Load(lay.u + 4 * k).f64PromoteF32().f64(0).get(v.sa).i32Load8U(lay.alive).select().tee(v.x);
      code.f64(Math.fround(FACTOR_FLOOR)).get(v.x).f64(FACTOR_FLOOR).f64Gt().select().set(v.x);
      code.get(v.su).get(v.x).f32DemoteF64().f32Store(lay.u + 4 * k);
      code.get(v.sq).get(v.x).get(v.x).f64Mul().f64Add().set(v.sq);
      if (k === 0) code.get(v.x).set(v.w);
      else code.get(v.w).get(v.x).f64Mul().fround().set(v.w);
    }
    code.get(v.sw).get(v.w).f32DemoteF64().f32Store(lay.W);
    code.get(v.any).get(v.w).f64(ALIVE_THRESHOLD).f64Gt().i32Or().set(v.any);
    code.end();
  });
}

/** The scaling pass of clipNormalize for row i: u ← fround(u·scale), W ← Π u. */
function emitScale(code: Code, lay: Layout, n: number, z: number, v: UpdateLocals): void {
  overRow(code, n, z, v, () => {
    for (let k = 0; k < z; k++) {
      code.get(v.su).f32Load(lay.u + 4 * k).f64PromoteF32().get(v.scale).f64Mul().fround().set(v.x);
      code.get(v.su).get(v.x).f32DemoteF64().f32Store(lay.u + 4 * k);
      if (k === 0) code.get(v.x).set(v.w);
      else code.get(v.w).get(v.x).f64Mul().fround().set(v.w);
    }
    code.get(v.sw).get(v.w).f32DemoteF64().f32Store(lay.W);
  });
}

/**
 * update(i0, i1, η, zL): for the live rows i0 ≤ i < i1, applyFactorGradient(G, η) then
 * clipNormalize (c_i = Σu²/zL): a row left without alive inputs is marked dead instead.
 */
function updateKernel(lay: Layout, n: number, z: number): Code {
  const code = new Code([I32, I32, F64, F64], []);
  const eta = 2;
  const zL = 3;
  const v: UpdateLocals = {
    i: 0,
    j: code.local(I32),
    su: code.local(I32),
    sw: code.local(I32),
    sg: code.local(I32),
    sa: code.local(I32),
    any: code.local(I32),
    d: code.local(F64),
    x: code.local(F64),
    w: code.local(F64),
    sq: code.local(F64),
    scale: code.local(F64),
    old: Array.from({ length: z }, () => code.local(F64)),
    prefix: code.local(F64),
    suffix: code.local(F64),
  };
  code.loop();
  code.get(v.i).i32Load8U(lay.dead).i32Eqz().if();
  emitGradient(code, lay, n, z, eta, v);
  emitClip(code, lay, n, z, v);
  code.get(v.any).i32Eqz().if();
  code.get(v.i).i32(1).i32Store8(lay.dead);
  code.else();
  code.get(v.i).i32(3).i32Shl().get(v.sq).get(zL).f64Div().tee(v.x).f64Store(lay.c);
  code.f64(1).get(v.x).f64Sqrt().f64Div().set(v.scale);
  emitScale(code, lay, n, z, v);
  code.end();
  code.end();
  code.get(v.i).i32(1).i32Add().tee(v.i).get(1).i32LtU().brIf(0);
  code.end();
  return code;
}

type BlockKernel = (from: number, to: number, m: number) => void;
type UpdateKernel = (i0: number, i1: number, eta: number, zL: number) => void;

/** The compiled kernels over one memory. */
interface KernelSet {
  fields: BlockKernel;
  outer: BlockKernel;
  update: UpdateKernel | null;
}

/** Compiles the kernels for (N, M, z) over `memory`, laid out by {@link layout}. */
function compileKernels(n: number, m: number, z: number, memory: WasmMemory): KernelSet | null {
  const P = strideOf(n);
  const lay = layout(n, m, z, P);
  const fields = instantiateKernel<BlockKernel>(fieldsKernel(lay, n, P), memory);
  const outer = instantiateKernel<BlockKernel>(outerKernel(lay, n), memory);
  const update = z > 0 ? instantiateKernel<UpdateKernel>(updateKernel(lay, n, z), memory) : null;
  return fields === null || outer === null ? null : { fields, outer, update };
}

function strideOf(n: number): number {
  return Math.ceil(n / ROWS) * ROWS;
}

// The control block: Int32 words, then the two f64 arguments of the update at byte 32.
const CTRL_BYTES = 48;
/**
 * The job word: (job id << CHUNK_BITS) | the next chunk to claim. Claiming by compare-exchange
 * on the whole word means a chunk is only ever taken for the job whose arguments were read.
 */
const JOB = 0;
/** Chunks of the current job done, by either thread. */
const FINISHED = 1;
/** 1 once the second thread has compiled its kernels, −1 if it could not. */
const READY = 2;
const OP = 3;
/** M for fields and outer. */
const ARG = 4;
/** Chunks in the current job. */
const TOTAL = 5;
/** Set when a kernel threw. */
const FAILED = 6;
const CHUNK_BITS = 12;
const CHUNK_MASK = (1 << CHUNK_BITS) - 1;
const JOB_MASK = (1 << (31 - CHUNK_BITS)) - 1;
const OP_FIELDS = 1;
const OP_OUTER = 2;
const OP_UPDATE = 3;
const OP_STOP = 4;

/** Runs chunk c of kernel `op`: one 16-row block of fields, or 16 rows of outer and update. */
function runChunk(k: KernelSet, op: number, c: number, n: number, arg: number, eta: number, zL: number): void {
  if (op === OP_FIELDS) {
    k.fields(c * 4 * ROWS, (c + 1) * 4 * ROWS, arg);
    return;
  }
  const i0 = c * ROWS;
  const i1 = Math.min(i0 + ROWS, n);
  if (op === OP_OUTER) k.outer(i0, i1, arg);
  else k.update!(i0, i1, eta, zL);
}

/**
 * Claims and runs chunks of job `job` until none is left (or another job has begun). Both
 * threads run this loop, so a thread that is descheduled on a busy machine leaves its share to
 * the other instead of holding it up.
 */
function workChunks(k: KernelSet, ctrl: Int32Array, args: Float64Array, n: number, job: number): void {
  const op = ctrl[OP];
  const arg = ctrl[ARG];
  const total = ctrl[TOTAL];
  const eta = args[0];
  const zL = args[1];
  let word = Atomics.load(ctrl, JOB);
  for (;;) {
    if (word >>> CHUNK_BITS !== job || (word & CHUNK_MASK) >= total) return;
    const prev = Atomics.compareExchange(ctrl, JOB, word, word + 1);
    if (prev !== word) {
      word = prev;
      continue;
    }
    try {
      runChunk(k, op, word & CHUNK_MASK, n, arg, eta, zL);
    } catch {
      Atomics.store(ctrl, FAILED, 1);
    }
    Atomics.add(ctrl, FINISHED, 1);
    Atomics.notify(ctrl, FINISHED);
    word = Atomics.load(ctrl, JOB);
  }
}

/** What the second thread is started with. */
export interface KernelThreadData {
  n: number;
  m: number;
  z: number;
  memory: WasmMemory;
}

/**
 * The loop of the second thread: compiles the same kernels over the shared memory, then takes
 * part in each job the main thread posts until told to stop. Blocking waits on the control
 * words keep the epoch synchronous for the caller.
 */
export function serveKernels(data: KernelThreadData): void {
  const { n, m, z, memory } = data;
  const lay = layout(n, m, z, strideOf(n));
  const ctrl = new Int32Array(memory.buffer, lay.ctrl, CTRL_BYTES / 4);
  const args = new Float64Array(memory.buffer, lay.ctrl + 32, 2);
  const k = compileKernels(n, m, z, memory);
  // Jobs posted before this thread was ready are the main thread's alone.
  let seen = Atomics.load(ctrl, JOB) >>> CHUNK_BITS;
  Atomics.store(ctrl, READY, k === null ? -1 : 1);
  Atomics.notify(ctrl, READY);
  if (k === null) return;
  for (;;) {
    const word = Atomics.load(ctrl, JOB);
    const job = word >>> CHUNK_BITS;
    if (job === seen) {
      Atomics.wait(ctrl, JOB, word);
      continue;
    }
    seen = job;
    if (ctrl[OP] === OP_STOP) return;
    workChunks(k, ctrl, args, n, job);
  }
}

/** The matrix arrays in the kernels' memory. */
interface MatrixViews {
  u: Float32Array;
  W: Float32Array;
  alive: Uint8Array;
  dead: Uint8Array;
}

/** The second thread and its control words. */
interface SecondThread {
  worker: Worker;
  ctrl: Int32Array;
  args: Float64Array;
}

/**
 * The kernels and their memory for N neurons, up to M patterns and (z > 0) a z-factor matrix.
 * {@link h}, {@link G} and {@link mRow} are where the caller keeps h, G and the soft-min weights.
 * With two threads the memory is shared with a worker thread and both claim 16-row chunks of
 * every kernel; each row is computed whole by one thread in the same order, so the results do
 * not depend on the number of threads.
 */
export class EpochKernels {
  /** Rows padded to a whole number of blocks: the row stride of the transposed arrays. */
  readonly stride: number;
  /** G = m·Xᵀ, N×N row-major. */
  readonly G: Float64Array;
  /** Soft-min weights, mRow[i·M + μ]; the caller writes them before {@link outer}. */
  readonly mRow: Float64Array;
  /** The fields h[i·M + μ], M = the patterns' count. */
  readonly h: Float64Array;
  private readonly theta: Float64Array;
  /** Per pattern, the byte offset of its first entry in the active lists. */
  private readonly actPtr: Int32Array;
  /** Per active input j, j·P·4: the byte offset of column j in WT. */
  private readonly actOff: Int32Array;
  /** Per active input j, j·8: its byte offset in a row of G. */
  private readonly actJ: Int32Array;
  private readonly mat: MatrixViews;
  private listed: Patterns | null = null;
  private second: SecondThread | null = null;
  /** Id of the last job posted to the second thread. */
  private job = 0;

  private constructor(
    readonly n: number,
    readonly m: number,
    readonly z: number,
    memory: WasmMemory,
    lay: Layout,
    private readonly k: KernelSet,
  ) {
    const P = (this.stride = strideOf(n));
    const buf = memory.buffer;
    this.h = new Float64Array(buf, lay.h, n * m);
    this.theta = new Float64Array(buf, lay.theta, P);
    this.actPtr = new Int32Array(buf, lay.actPtr, m + 1);
    this.actOff = new Int32Array(buf, lay.actOff, n * m);
    this.actJ = new Int32Array(buf, lay.actJ, n * m);
    this.G = new Float64Array(buf, lay.G, n * n);
    this.mRow = new Float64Array(buf, lay.mRow, n * m);
    this.mat = { u: new Float32Array(buf, lay.u, n * n * z), W: new Float32Array(buf, lay.W, n * n), alive: new Uint8Array(buf, lay.alive, n * n), dead: new Uint8Array(buf, lay.dead, n) };
  }

  /**
   * The kernels for N neurons, M patterns and matrices of z factors (0: no update kernel) on
   * one or two threads, or null where WebAssembly is unavailable or the arrays outgrow 32-bit
   * byte offsets.
   */
  static create(n: number, m: number, z = 0, threads = 1): EpochKernels | null {
    const lay = layout(n, m, z, strideOf(n));
    if (lay.bytes >= 2 ** 31) return null;
    const two = threads > 1 && n >= 2 * ROWS;
    const memory = newWasmMemory(lay.bytes, two);
    if (memory === null) return null;
    const k = compileKernels(n, m, z, memory);
    if (k === null) return null;
    const out = new EpochKernels(n, m, z, memory, lay, k);
    if (two) out.startSecond(memory, lay);
    return out;
  }

  private startSecond(memory: WasmMemory, lay: Layout): void {
    const data: KernelThreadData = { n: this.n, m: this.m, z: this.z, memory };
    const worker = startModuleWorker(import.meta.url, 'kernel-thread', data);
    // The worker only waits for jobs; it must not keep the process alive.
    worker.unref();
    const ctrl = new Int32Array(memory.buffer, lay.ctrl, CTRL_BYTES / 4);
    worker.on('error', () => {
      Atomics.store(ctrl, READY, -1);
      Atomics.notify(ctrl, READY);
    });
    this.second = { worker, ctrl, args: new Float64Array(memory.buffer, lay.ctrl + 32, 2) };
  }

  /** Threads the kernels run on: 2 once the second thread is ready, else 1. */
  get threads(): number {
    return this.second !== null && Atomics.load(this.second.ctrl, READY) === 1 ? 2 : 1;
  }

  /**
   * Blocks until the second thread is ready (it starts in the background and jobs do not wait
   * for it) or `timeoutMs` has passed; returns {@link threads}.
   */
  waitForThreads(timeoutMs = 30_000): number {
    if (this.second !== null) Atomics.wait(this.second.ctrl, READY, 0, timeoutMs);
    return this.threads;
  }

  /** Stops the second thread (the kernels go on, on the main thread). */
  close(): void {
    const t = this.second;
    if (t === null) return;
    this.second = null;
    t.ctrl[OP] = OP_STOP;
    this.job = (this.job + 1) & JOB_MASK;
    Atomics.store(t.ctrl, JOB, this.job << CHUNK_BITS);
    Atomics.notify(t.ctrl, JOB);
    // A thread that never became ready does not read the word.
    if (Atomics.load(t.ctrl, READY) !== 1) void t.worker.terminate();
  }

  /**
   * Runs the `total` chunks of kernel `op`. With a second thread both threads claim chunks
   * until none is left, and this one returns when all are done; each chunk is computed whole
   * by one thread, so the result is the same either way.
   */
  private split(op: number, total: number, arg: number, eta: number, zL: number): void {
    const t = this.second;
    if (t === null || total < 2 || total > CHUNK_MASK || Atomics.load(t.ctrl, READY) !== 1) {
      for (let c = 0; c < total; c++) runChunk(this.k, op, c, this.n, arg, eta, zL);
      return;
    }
    const { ctrl, args } = t;
    ctrl[OP] = op;
    ctrl[ARG] = arg;
    ctrl[TOTAL] = total;
    args[0] = eta;
    args[1] = zL;
    Atomics.store(ctrl, FINISHED, 0);
    Atomics.store(ctrl, FAILED, 0);
    this.job = (this.job + 1) & JOB_MASK;
    Atomics.store(ctrl, JOB, this.job << CHUNK_BITS);
    Atomics.notify(ctrl, JOB);
    workChunks(this.k, ctrl, args, this.n, this.job);
    for (;;) {
      const f = Atomics.load(ctrl, FINISHED);
      if (f === total) break;
      Atomics.wait(ctrl, FINISHED, f);
    }
    if (ctrl[FAILED] !== 0) throw new SimulationError('invalid_state', 'consolidation: a learning kernel failed on the second thread.');
  }

  /** Whether these kernels can serve the patterns (same N, at most M of them). */
  fits(pats: Patterns): boolean {
    return pats.n === this.n && pats.m <= this.m && pats.m > 0;
  }

  /** Whether {@link update} can serve the matrix (same N and z). */
  updates(mat: ZFactorMatrix): boolean {
    return this.k.update !== null && mat.n === this.n && mat.z === this.z;
  }

  /** Copies the active lists of `pats` into the memory unless they are there already. */
  private list(pats: Patterns): void {
    if (this.listed === pats) return;
    const { m, act, actPtr } = pats;
    const P4 = 4 * this.stride;
    for (let mu = 0; mu <= m; mu++) this.actPtr[mu] = 4 * actPtr[mu];
    for (let q = 0; q < actPtr[m]; q++) {
      this.actOff[q] = act[q] * P4;
      this.actJ[q] = act[q] * 8;
    }
    this.listed = pats;
  }

  /**
   * mat.computeMasks() then the fields of every live row into {@link h}, as computeFields:
   * h[i·M + μ] = Σ_{j active in μ} w_ij − θ_i.
   */
  masksAndFields(mat: ZFactorMatrix, theta: Float64Array, pats: Patterns): void {
    const { stride: P, mat: views } = this;
    this.list(pats);
    views.W.set(mat.W);
    views.dead.set(mat.dead);
    this.theta.set(theta);
    this.split(OP_FIELDS, P / ROWS, pats.m, 0, 0);
    mat.alive.set(views.alive);
  }

  /** G = m·Xᵀ into {@link G} from the soft-min weights in {@link mRow} (M = pats.m). */
  outer(pats: Patterns): void {
    const { n } = this;
    this.list(pats);
    this.G.fill(0);
    this.split(OP_OUTER, Math.ceil(n / ROWS), pats.m, 0, 0);
  }

  /**
   * mat.applyFactorGradient(G, η) then mat.clipNormalize(), on a copy of the matrix in the
   * memory that is copied back.
   */
  update(mat: ZFactorMatrix, eta: number): void {
    const views = this.mat;
    views.u.set(mat.u);
    // Dead rows keep their weights: the kernel does not write them.
    views.W.set(mat.W);
    views.alive.set(mat.alive);
    views.dead.set(mat.dead);
    this.split(OP_UPDATE, Math.ceil(this.n / ROWS), 0, eta, mat.z * mat.L);
    mat.u.set(views.u);
    mat.W.set(views.W);
    mat.dead.set(views.dead);
  }
}
