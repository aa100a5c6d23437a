/**
 * A minimal WebAssembly assembler for hot model kernels: models emit the instructions of one
 * exported function over an imported memory, and {@link instantiateKernel} turns them into a
 * callable. Only the instructions the kernels use are provided (scalar i32/f64, f32 storage
 * with explicit widening and rounding, f64x2 SIMD, structured control flow); everything is
 * encoded here, so no tool or dependency is needed.
 *
 * WebAssembly arithmetic on f64 and f64x2 lanes is IEEE 754 with round-to-nearest and never
 * fuses operations, so a kernel that performs the same operations in the same order as a
 * JavaScript loop gives bit-identical results.
 */

/** Value types. */
export const I32 = 0x7f;
export const F64 = 0x7c;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof F64 | typeof V128;

/** The part of the WebAssembly JS API used here (the project's lib settings do not declare it). */
interface WasmApi {
  Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
}

/** A WebAssembly.Memory (typed as ArrayBuffer-backed; a shared one's is a SharedArrayBuffer). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** Bytes of one WebAssembly page. */
export const WASM_PAGE = 65536;

/**
 * A new WebAssembly memory of at least `bytes` bytes, or null where WebAssembly is missing.
 * A shared memory (for kernels run by several threads) has a fixed size and can be posted to
 * worker threads.
 */
export function newWasmMemory(bytes: number, shared = false): WasmMemory | null {
  if (api === undefined) return null;
  const pages = Math.max(1, Math.ceil(bytes / WASM_PAGE));
  return new api.Memory(shared ? { initial: pages, maximum: pages, shared: true } : { initial: pages });
}

function uleb(out: number[], v: number): void {
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
}

function sleb(out: number[], v: number): void {
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

const f64Bytes = new Float64Array(1);
const f64View = new Uint8Array(f64Bytes.buffer);

/**
 * The instruction stream of one function. Methods append one instruction each and return
 * `this`, so kernels read top to bottom like the text format. Memory instructions take a
 * constant byte offset (the memarg offset) added to the address on the stack.
 */
export class Code {
  readonly bytes: number[] = [];
  private readonly localTypes: ValType[] = [];

  constructor(readonly params: readonly ValType[], readonly results: readonly ValType[]) {}

  /** Declares a local and returns its index. */
  local(type: ValType): number {
    this.localTypes.push(type);
    return this.params.length + this.localTypes.length - 1;
  }

  /** The locals in declaration order. */
  get locals(): readonly ValType[] {
    return this.localTypes;
  }

  private op(...b: number[]): this {
    this.bytes.push(...b);
    return this;
  }

  private simd(code: number): this {
    this.bytes.push(0xfd);
    uleb(this.bytes, code);
    return this;
  }

  private memarg(align: number, offset: number): this {
    if (!(Number.isInteger(offset) && offset >= 0 && offset < 2 ** 32)) throw new Error(`memory offset ${offset} out of range`);
    uleb(this.bytes, align);
    uleb(this.bytes, offset);
    return this;
  }

  // --- control ------------------------------------------------------------------------------
  block(): this {
    return this.op(0x02, 0x40);
  }
  loop(): this {
    return this.op(0x03, 0x40);
  }
  if(): this {
    return this.op(0x04, 0x40);
  }
  else(): this {
    return this.op(0x05);
  }
  end(): this {
    return this.op(0x0b);
  }
  br(depth: number): this {
    return this.op(0x0c, depth);
  }
  brIf(depth: number): this {
    return this.op(0x0d, depth);
  }

  // --- locals and constants -----------------------------------------------------------------
  get(i: number): this {
    this.op(0x20);
    uleb(this.bytes, i);
    return this;
  }
  set(i: number): this {
    this.op(0x21);
    uleb(this.bytes, i);
    return this;
  }
  tee(i: number): this {
    this.op(0x22);
    uleb(this.bytes, i);
    return this;
  }
  i32(v: number): this {
    this.op(0x41);
    sleb(this.bytes, v | 0);
    return this;
  }
  /** select: the first operand when the i32 on top is non-zero, else the second. */
  select(): this {
    return this.op(0x1b);
  }
  f64(v: number): this {
    f64Bytes[0] = v;
    return this.op(0x44, ...f64View);
  }

  // --- i32 ----------------------------------------------------------------------------------
  i32Add(): this {
    return this.op(0x6a);
  }
  i32Mul(): this {
    return this.op(0x6c);
  }
  i32And(): this {
    return this.op(0x71);
  }
  i32Or(): this {
    return this.op(0x72);
  }
  i32Eq(): this {
    return this.op(0x46);
  }
  i32Eqz(): this {
    return this.op(0x45);
  }
  i32Sub(): this {
    return this.op(0x6b);
  }
  i32LtU(): this {
    return this.op(0x49);
  }
  i32GeU(): this {
    return this.op(0x4f);
  }
  i32Shl(): this {
    return this.op(0x74);
  }
  i32ShrU(): this {
    return this.op(0x76);
  }
  i32Load(offset: number): this {
    return this.op(0x28).memarg(2, offset);
  }
  i32Store(offset: number): this {
    return this.op(0x36).memarg(2, offset);
  }
  i32Load8U(offset: number): this {
    return this.op(0x2d).memarg(0, offset);
  }
  i32Store8(offset: number): this {
    return this.op(0x3a).memarg(0, offset);
  }

  // --- f32 (storage only: arithmetic widens to f64 and rounds back, as Math.fround does) -----
  f32Load(offset: number): this {
    return this.op(0x2a).memarg(2, offset);
  }
  f32Store(offset: number): this {
    return this.op(0x38).memarg(2, offset);
  }
  f64PromoteF32(): this {
    return this.op(0xbb);
  }
  f32DemoteF64(): this {
    return this.op(0xb6);
  }

  // --- f64 ----------------------------------------------------------------------------------
  f64Load(offset: number): this {
    return this.op(0x2b).memarg(3, offset);
  }
  f64Store(offset: number): this {
    return this.op(0x39).memarg(3, offset);
  }
  /** Scalar f64 arithmetic (the odd column a pair loop leaves over, per-row factors). */
  f64Add(): this {
    return this.op(0xa0);
  }
  f64Mul(): this {
    return this.op(0xa2);
  }
  /** f64.ne: 1 unless the operands compare equal (so 1 for NaN, 0 for −0 against 0). */
  f64Ne(): this {
    return this.op(0x62);
  }
  f64Div(): this {
    return this.op(0xa3);
  }
  f64Sqrt(): this {
    return this.op(0x9f);
  }
  f64Gt(): this {
    return this.op(0x64);
  }
  /** Rounds the f64 on the stack to f32 and back: Math.fround. */
  fround(): this {
    return this.f32DemoteF64().f64PromoteF32();
  }

  // --- v128 / f64x2 -------------------------------------------------------------------------
  v128Load(offset: number): this {
    return this.simd(0x00).memarg(4, offset);
  }
  v128Store(offset: number): this {
    return this.simd(0x0b).memarg(4, offset);
  }
  /** One f64 loaded into both lanes (a coefficient applied to a pair of columns). */
  v128Load64Splat(offset: number): this {
    return this.simd(0x0a).memarg(3, offset);
  }
  /** f64x2.splat: both lanes set to the f64 on the stack. */
  f64x2Splat(): this {
    return this.simd(0x14);
  }
  /** v128.load64_zero: 8 bytes into the low half, the high half zeroed (e.g. two f32). */
  v128Load64Zero(offset: number): this {
    return this.simd(0x5d).memarg(3, offset);
  }
  v128Or(): this {
    return this.simd(0x50);
  }
  /** f64x2.promote_low_f32x4: the two low f32 lanes widened (exactly) to f64. */
  f64x2PromoteLowF32x4(): this {
    return this.simd(0x5f);
  }
  /** Both lanes set to the f64 constant v. */
  f64x2Const(v: number): this {
    return this.f64(v).f64x2Splat();
  }
  /** v128.bitselect(a, b, mask): a where mask bits are set, else b. */
  bitselect(): this {
    return this.simd(0x52);
  }
  anyTrue(): this {
    return this.simd(0x53);
  }
  v128AndNot(): this {
    return this.simd(0x4f);
  }
  /** i64x2.bitmask: bit k set when lane k is negative (all ones for a comparison result). */
  i64x2Bitmask(): this {
    return this.simd(0xc4);
  }
  /** f64x2.extract_lane: lane 0 or 1 as an f64. */
  f64x2ExtractLane(lane: number): this {
    this.simd(0x21);
    this.bytes.push(lane);
    return this;
  }
  f64x2Eq(): this {
    return this.simd(0x47);
  }
  f64x2Gt(): this {
    return this.simd(0x4a);
  }
  f64x2Ge(): this {
    return this.simd(0x4c);
  }
  f64x2Abs(): this {
    return this.simd(0xec);
  }
  f64x2Add(): this {
    return this.simd(0xf0);
  }
  f64x2Sub(): this {
    return this.simd(0xf1);
  }
  f64x2Mul(): this {
    return this.simd(0xf2);
  }
}

function section(out: number[], id: number, body: number[]): void {
  out.push(id);
  uleb(out, body.length);
  out.push(...body);
}

function name(out: number[], s: string): void {
  const b = Buffer.from(s, 'utf8');
  uleb(out, b.length);
  out.push(...b);
}

/**
 * Encodes a module that imports memory `env.memory` and exports `code` as function `run`; with
 * `sharedPages` the memory is declared shared, of exactly that many pages.
 * The result can be saved as a .wasm file and inspected with standard tools.
 */
export function encodeModule(code: Code, sharedPages?: number): Uint8Array {
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const type: number[] = [1, 0x60];
  uleb(type, code.params.length);
  type.push(...code.params);
  uleb(type, code.results.length);
  type.push(...code.results);
  section(out, 1, type);
  const imp: number[] = [1];
  name(imp, 'env');
  name(imp, 'memory');
  if (sharedPages === undefined) imp.push(0x02, 0x00, 0x01);
  else {
    imp.push(0x02, 0x03);
    uleb(imp, sharedPages);
    uleb(imp, sharedPages);
  }
  section(out, 2, imp);
  section(out, 3, [1, 0]);
  const exp: number[] = [1];
  name(exp, 'run');
  exp.push(0x00, 0x00);
  section(out, 7, exp);
  // Locals, run-length encoded by type.
  const body: number[] = [];
  const groups: [number, ValType][] = [];
  for (const t of code.locals) {
    const last = groups[groups.length - 1];
    if (last && last[1] === t) last[0]++;
    else groups.push([1, t]);
  }
  uleb(body, groups.length);
  for (const [count, t] of groups) {
    uleb(body, count);
    body.push(t);
  }
  body.push(...code.bytes, 0x0b);
  const fn: number[] = [];
  uleb(fn, body.length);
  fn.push(...body);
  section(out, 10, [1, ...fn]);
  return Uint8Array.from(out);
}

/** A compiled kernel, instantiable over any number of memories. */
export interface CompiledKernel {
  readonly module: object;
}

/**
 * Compiles `code` once, or returns null without WebAssembly. Kernels instantiated from one
 * compilation share the machine code, so a kernel made afresh for each run (over a new memory)
 * need not be compiled and optimised again each time. `sharedPages`: compile for a shared
 * memory of exactly that many pages (`newWasmMemory(bytes, true)`) instead of an unshared one.
 */
export function compileKernel(code: Code, sharedPages?: number): CompiledKernel | null {
  if (api === undefined) return null;
  // An invalid kernel is a bug in its generator: new Module() throws a CompileError naming it.
  return { module: new api.Module(encodeModule(code, sharedPages)) };
}

/**
 * Instantiates `code` (compiling it first unless it is already compiled) over `memory` and
 * returns its `run` export, or null when this runtime lacks WebAssembly (callers then keep
 * their JavaScript loop).
 */
export function instantiateKernel<F extends (...args: number[]) => number | void>(code: Code | CompiledKernel, memory: WasmMemory): F | null {
  const buf: unknown = memory.buffer;
  const compiled = code instanceof Code ? compileKernel(code, buf instanceof SharedArrayBuffer ? buf.byteLength / WASM_PAGE : undefined) : code;
  if (api === undefined || compiled === null) return null;
  const instance = new api.Instance(compiled.module, { env: { memory } });
  return instance.exports.run as F;
}

/** Whether WebAssembly kernels are enabled in this process (SPIKEFLOW_NO_WASM=1 turns them off). */
export function wasmKernelsEnabled(): boolean {
  return api !== undefined && process.env.SPIKEFLOW_NO_WASM !== '1';
}
