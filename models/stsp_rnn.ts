/**
 * stsp_rnn: the rate RNN of Masse et al. (2019) with Tsodyks–Markram short-term plasticity on
 * every outgoing synapse of a unit, run over a batch of trials, with its hand-derived
 * backpropagation through time.
 *
 * Step k (dt = 10 ms, Δ = dt in s; state after step k−1 is h, x, u; d_i = 1 for dynamic units):
 *   x' = clamp(x + d(α_x(1−x) − Δ·u·x·h)),  u' = clamp(u + d(α_u(U−u) + Δ·U(1−u)·h))
 *   p  = u'⊙x'⊙h                  (p = h without STSP)
 *   a  = (1−α)h + α(in_k·W_in⁺ + p·W_rec + b_rnn) + σ_rnn·ξ_k,   h' = max(0, a)⊙s_k
 *   y_k = h'·W_out⁺ + b_out
 * with W_in⁺ = ReLU(w_in)⊙M_in, W_rec = diag(σ)(ReLU(w_rnn)⊙M_rec), W_out⁺ = ReLU(w_out)⊙M_out
 * (rows presynaptic; σ = +1 excitatory, −1 inhibitory) and s_k an optional silencing mask.
 *
 * Loss = (1/(TB))Σ m·CE(softmax(y), t) + spike_cost·mean(h²) (or mean|h| with L1)
 *        + weight_cost·mean(ReLU(W_rec)²).
 *
 * Arrays are time-major `[T, B, ·]`. The tape keeps h, x, u (index 0 = the initial state,
 * k+1 = after step k) and the logits, in float32 for training or float64 for checks; all sums
 * run in double. Gradients accumulate per chunk of {@link GRAD_CHUNK} trials and the chunks
 * are added in trial order, so the result does not depend on how the batch is split over
 * threads. Clamps and ReLUs pass gradient only strictly inside their linear range, as in TF.
 *
 * The forward pass is a clock-driven population on the engine's scheduler ({@link runOnEngine}
 * in this file): one kernel step per model step, interventions (restoring or shuffling the
 * state) ranked before the tick and recorders after it. The backward pass is not scheduled.
 *
 * The weight products of both passes run as WebAssembly f64x2 kernels
 * (models/stsp-lane-kernels.ts) with bit-identical results; with SPIKEFLOW_NO_WASM=1, or
 * without WebAssembly, the JavaScript loops of this file run instead.
 */
import { SimulationError } from '../engine/errors.js';
import { Kernel, Phase } from '../engine/kernel.js';
import { wasmKernelsEnabled } from '../engine/wasm.js';
import { LANES, laneWorkspace, type LaneWorkspace } from './stsp-lane-kernels.js';

/** Trials per gradient accumulation chunk (the fixed summation order). */
export const GRAD_CHUNK = 16;

/**
 * The recurrent part of the backward step for four lanes (unused lanes hold zeros):
 * ∇W_rec[i,j] += α Σ_l p_l[i] δa_l[j] and δp_l[i] = α Σ_j δa_l[j] W_rec[i,j]. One pass over
 * each weight row serves all lanes, which roughly halves the time of the memory-bound loop.
 */
function recurrentBackward(N: number, alpha: number, wrec: Float64Array, gWrec: Float64Array, pv: Float64Array, da: Float64Array, dp: Float64Array): void {
  const N2 = 2 * N;
  const N3 = 3 * N;
  // δp: two weight rows per pass, four lanes each (eight running sums).
  let i = 0;
  for (; i + 1 < N; i += 2) {
    const r0 = i * N;
    const r1 = r0 + N;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let t0 = 0;
    let t1 = 0;
    let t2 = 0;
    let t3 = 0;
    for (let j = 0; j < N; j++) {
      const w = wrec[r0 + j];
      const v = wrec[r1 + j];
      const d0 = da[j];
      const d1 = da[N + j];
      const d2 = da[N2 + j];
      const d3 = da[N3 + j];
      s0 += d0 * w;
      s1 += d1 * w;
      s2 += d2 * w;
      s3 += d3 * w;
      t0 += d0 * v;
      t1 += d1 * v;
      t2 += d2 * v;
      t3 += d3 * v;
    }
    dp[i] = alpha * s0;
    dp[N + i] = alpha * s1;
    dp[N2 + i] = alpha * s2;
    dp[N3 + i] = alpha * s3;
    dp[i + 1] = alpha * t0;
    dp[N + i + 1] = alpha * t1;
    dp[N2 + i + 1] = alpha * t2;
    dp[N3 + i + 1] = alpha * t3;
  }
  for (; i < N; i++) {
    const r0 = i * N;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let j = 0; j < N; j++) {
      const w = wrec[r0 + j];
      s0 += da[j] * w;
      s1 += da[N + j] * w;
      s2 += da[N2 + j] * w;
      s3 += da[N3 + j] * w;
    }
    dp[i] = alpha * s0;
    dp[N + i] = alpha * s1;
    dp[N2 + i] = alpha * s2;
    dp[N3 + i] = alpha * s3;
  }
  // ∇W_rec += α pᵀδa.
  laneOuter(N, N, alpha, pv, da, gWrec);
}

/** dst[j,i] = src[i,j] for an n × n matrix (δp reads W_rec by columns). */
function transposeInto(src: Float64Array, n: number, dst: Float64Array): void {
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) dst[j * n + i] = src[i * n + j];
}

/**
 * Four-lane matrix product for the forward step: acc_l[j] += Σ_i P_l[i]·W[i,j] over `rows`
 * rows of W (`rows × N`), P with lane stride `rows`, acc with lane stride N; rows silent in
 * every lane are skipped. Two rows per pass: fewer passes over the four accumulators.
 */
function laneForward(rows: number, N: number, W: Float64Array, P: Float64Array, acc: Float64Array): void {
  const R2 = 2 * rows;
  const R3 = 3 * rows;
  const N2 = 2 * N;
  const N3 = 3 * N;
  let i = 0;
  for (; i + 1 < rows; i += 2) {
    const p0 = P[i];
    const p1 = P[rows + i];
    const p2 = P[R2 + i];
    const p3 = P[R3 + i];
    const q0 = P[i + 1];
    const q1 = P[rows + i + 1];
    const q2 = P[R2 + i + 1];
    const q3 = P[R3 + i + 1];
    if (p0 === 0 && p1 === 0 && p2 === 0 && p3 === 0 && q0 === 0 && q1 === 0 && q2 === 0 && q3 === 0) continue;
    const r0 = i * N;
    const r1 = r0 + N;
    for (let j = 0; j < N; j++) {
      const w = W[r0 + j];
      const v = W[r1 + j];
      acc[j] += p0 * w + q0 * v;
      acc[N + j] += p1 * w + q1 * v;
      acc[N2 + j] += p2 * w + q2 * v;
      acc[N3 + j] += p3 * w + q3 * v;
    }
  }
  for (; i < rows; i++) {
    const p0 = P[i];
    const p1 = P[rows + i];
    const p2 = P[R2 + i];
    const p3 = P[R3 + i];
    if (p0 === 0 && p1 === 0 && p2 === 0 && p3 === 0) continue;
    const row = i * N;
    for (let j = 0; j < N; j++) {
      const w = W[row + j];
      acc[j] += p0 * w;
      acc[N + j] += p1 * w;
      acc[N2 + j] += p2 * w;
      acc[N3 + j] += p3 * w;
    }
  }
}

/**
 * Four-lane outer product for the backward step: G[i,j] += α Σ_l P_l[i]·δa_l[j] over `rows`
 * rows (P with lane stride `rows`, δa with lane stride N); rows silent in every lane get nothing.
 */
function laneOuter(rows: number, N: number, alpha: number, P: Float64Array, da: Float64Array, G: Float64Array): void {
  const R2 = 2 * rows;
  const R3 = 3 * rows;
  const N2 = 2 * N;
  const N3 = 3 * N;
  for (let r = 0; r < rows; r++) {
    const p0 = alpha * P[r];
    const p1 = alpha * P[rows + r];
    const p2 = alpha * P[R2 + r];
    const p3 = alpha * P[R3 + r];
    if (p0 === 0 && p1 === 0 && p2 === 0 && p3 === 0) continue;
    const row = r * N;
    for (let j = 0; j < N; j++) G[row + j] += p0 * da[j] + p1 * da[N + j] + p2 * da[N2 + j] + p3 * da[N3 + j];
  }
}

export type Precision = 'float32' | 'float64';
type Arr = Float32Array | Float64Array;

/** Per-unit STP constants; null for a network without STSP. */
export interface StpConstants {
  /** 1 for dynamic units. */
  dynamic: Uint8Array;
  U: Float64Array;
  /** dt/τ_x and dt/τ_u. */
  alphaX: Float64Array;
  alphaU: Float64Array;
}

/** Everything fixed about a network: sizes, constants, masks. */
export interface StspRnnConfig {
  nHidden: number;
  nInput: number;
  nOutput: number;
  /** α = dt/τ_m. */
  alpha: number;
  /** Δ = dt in seconds. */
  dtSec: number;
  /** σ_rnn (scale of the recurrent noise). */
  noiseRnn: number;
  /** +1 or −1 per unit. */
  sign: Float64Array;
  stp: StpConstants | null;
  maskIn: Float64Array;
  maskRec: Float64Array;
  maskOut: Float64Array;
  spikeCost: number;
  spikeRegularization: 'L1' | 'L2';
  weightCost: number;
}

/** Trainable variables (raw, pre-ReLU), row-major. */
export interface StspVariables {
  h: Float64Array;
  w_in: Float64Array;
  w_rnn: Float64Array;
  b_rnn: Float64Array;
  w_out: Float64Array;
  b_out: Float64Array;
}

export const VARIABLE_NAMES = ['h', 'w_in', 'w_rnn', 'b_rnn', 'w_out', 'b_out'] as const;
export type VariableName = (typeof VARIABLE_NAMES)[number];

/** The state of a batch: h, x, u as `[B, N]`. */
export interface BatchState {
  h: Arr;
  x: Arr;
  u: Arr;
}

/** Options of one forward pass. */
export interface ForwardOptions {
  /** Recurrent noise ξ `[T,B,N]` (unit normal; scaled by σ_rnn here), or null for none. */
  noise?: Arr | null;
  /** State before step 0 (default: h0 broadcast, x = 1, u = U). */
  initState?: BatchState;
  /** Silencing mask `[T,N]` (1 keeps, 0 silences), applied to h' by the tick. */
  silence?: Float64Array | null;
  /** Called before the tick of step k: may replace the state after step k−1 (restore, shuffle). */
  intervene?: (k: number, state: StateView) => void;
  /** First step to run (the tape holds steps from here on; default 0). */
  startStep?: number;
}

/** Read and write access to the state after step k−1 during an intervention. */
export interface StateView {
  batch: number;
  n: number;
  h: Arr;
  x: Arr;
  u: Arr;
  /** Offset of the state in the arrays. */
  offset: number;
}

/** What the forward pass keeps for the backward pass and the analyses. */
export interface Tape {
  T: number;
  B: number;
  precision: Precision;
  input: Arr;
  noise: Arr | null;
  /** `[(T+1), B, N]`: index 0 the state before the first step. */
  h: Arr;
  x: Arr;
  u: Arr;
  /** Logits `[T, B, nOut]`. */
  y: Arr;
  silenced: boolean;
}

/** Gradients of the loss w.r.t. the raw variables, plus the loss terms. */
export interface Gradients extends StspVariables {
  loss: number;
  perf_loss: number;
  spike_loss: number;
  weight_loss: number;
}

/** Sums over one chunk of trials, w.r.t. the effective weights, and its loss terms. */
export interface ChunkGradients {
  gWin: Float64Array;
  gWrec: Float64Array;
  gWout: Float64Array;
  gB: Float64Array;
  gBout: Float64Array;
  gH0: Float64Array;
  perf: number;
  spike: number;
}

/** Effective weights (after ReLU, masks and signs), in double. */
export interface EffectiveWeights {
  win: Float64Array;
  wrec: Float64Array;
  wout: Float64Array;
}

/** The RNN with its variables. */
export class StspRnn {
  readonly cfg: StspRnnConfig;
  readonly vars: StspVariables;
  readonly precision: Precision;

  constructor(cfg: StspRnnConfig, vars: StspVariables, options: { precision?: Precision } = {}) {
    this.cfg = cfg;
    this.vars = vars;
    this.precision = options.precision ?? 'float32';
    const N = cfg.nHidden;
    const want: Record<VariableName, number> = { h: N, w_in: cfg.nInput * N, w_rnn: N * N, b_rnn: N, w_out: N * cfg.nOutput, b_out: cfg.nOutput };
    for (const k of VARIABLE_NAMES) {
      if (vars[k].length !== want[k]) throw new SimulationError('invalid_value', `StspRnn: variable ${k} has ${vars[k].length} values, the network needs ${want[k]}.`);
    }
  }

  private alloc(n: number): Arr {
    return this.precision === 'float32' ? new Float32Array(n) : new Float64Array(n);
  }

  /** W_in⁺, W_rec and W_out⁺ from the raw variables. */
  effectiveWeights(): EffectiveWeights {
    const { cfg, vars } = this;
    const N = cfg.nHidden;
    const win = new Float64Array(vars.w_in.length);
    for (let q = 0; q < win.length; q++) win[q] = vars.w_in[q] > 0 ? vars.w_in[q] * cfg.maskIn[q] : 0;
    const wrec = new Float64Array(N * N);
    for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) {
      const q = i * N + j;
      wrec[q] = vars.w_rnn[q] > 0 ? cfg.sign[i] * vars.w_rnn[q] * cfg.maskRec[q] : 0;
    }
    const wout = new Float64Array(vars.w_out.length);
    for (let q = 0; q < wout.length; q++) wout[q] = vars.w_out[q] > 0 ? vars.w_out[q] * cfg.maskOut[q] : 0;
    return { win, wrec, wout };
  }

  /**
   * Runs the batch forward through `T` steps of `input` (`[T,B,nIn]`) on the engine's
   * scheduler and returns the tape.
   */
  forward(input: Arr, T: number, B: number, options: ForwardOptions = {}): Tape {
    const run = new ForwardRun(this, input, T, B, options);
    runOnEngine(run, options.startStep ?? 0, T, options.intervene !== undefined);
    return run.tape;
  }

  /** The same forward pass as a plain loop (no scheduler); used by the worker threads and checks. */
  forwardDirect(input: Arr, T: number, B: number, options: ForwardOptions = {}): Tape {
    const run = new ForwardRun(this, input, T, B, options);
    for (let k = options.startStep ?? 0; k < T; k++) run.tick(k);
    return run.tape;
  }

  /** Makes an empty tape with the initial state in slot 0. */
  newTape(input: Arr, T: number, B: number, options: ForwardOptions): Tape {
    const N = this.cfg.nHidden;
    const tape: Tape = {
      T,
      B,
      precision: this.precision,
      input,
      noise: options.noise ?? null,
      h: this.alloc((T + 1) * B * N),
      x: this.alloc((T + 1) * B * N),
      u: this.alloc((T + 1) * B * N),
      y: this.alloc(T * B * this.cfg.nOutput),
      silenced: options.silence != null,
    };
    const start = options.startStep ?? 0;
    const off = start * B * N;
    if (options.initState) {
      tape.h.set(options.initState.h, off);
      tape.x.set(options.initState.x, off);
      tape.u.set(options.initState.u, off);
    } else {
      const stp = this.cfg.stp;
      for (let b = 0; b < B; b++) {
        for (let i = 0; i < N; i++) {
          tape.h[off + b * N + i] = this.vars.h[i];
          tape.x[off + b * N + i] = 1;
          tape.u[off + b * N + i] = stp ? stp.U[i] : 1;
        }
      }
    }
    return tape;
  }

  /**
   * Backpropagation through time over a tape made by {@link forward} (from step 0, without
   * silencing). `target` is `[T,B,nOut]` one-hot, `mask` `[T,B]`. Returns the gradients of
   * the raw variables (masks and ReLU gates applied) and the loss terms.
   */
  backward(tape: Tape, target: ArrayLike<number>, mask: ArrayLike<number>): Gradients {
    return this.gradientsFromChunks(this.backwardChunks(tape, target, mask));
  }

  /**
   * The backward pass as per-chunk sums over the effective weights: trials `[b0, b1)` of the
   * tape (a thread's shard, starting on a chunk boundary), in chunks of {@link GRAD_CHUNK}
   * trials, each normalised by the whole batch `totalB`. {@link gradientsFromChunks} adds them.
   */
  backwardChunks(tape: Tape, target: ArrayLike<number>, mask: ArrayLike<number>, range: [number, number] = [0, tape.B], totalB = tape.B): ChunkGradients[] {
    if (tape.silenced) throw new SimulationError('invalid_value', 'StspRnn.backward(): the tape was made with silencing, which is for analyses only; train without it.');
    const { cfg } = this;
    const { T, B } = tape;
    const N = cfg.nHidden;
    const nIn = cfg.nInput;
    const nOut = cfg.nOutput;
    const alpha = cfg.alpha;
    const dts = cfg.dtSec;
    const stp = cfg.stp;
    const { wrec, wout } = this.effectiveWeights();
    const chunks: ChunkGradients[] = [];
    // Lanes: up to LANES trials advance together so each weight row is loaded once for all.
    const L = LANES;
    const lanes = wasmKernelsEnabled() ? laneWorkspace(N, nIn) : null;
    if (lanes) transposeInto(wrec, N, lanes.wrecT);
    const Gh = new Float64Array(L * N);
    const Gx = new Float64Array(L * N);
    const Gu = new Float64Array(L * N);
    const da = lanes?.da ?? new Float64Array(L * N);
    const dp = lanes?.dp ?? new Float64Array(L * N);
    const pv = lanes?.pv ?? new Float64Array(L * N);
    const inl = lanes?.inl ?? new Float64Array(L * nIn);
    const dy = new Float64Array(nOut);
    const inv = 1 / (T * totalB);
    const l2 = cfg.spikeRegularization === 'L2';
    const spikeScale = l2 ? (2 * cfg.spikeCost) / (T * totalB * N) : cfg.spikeCost / (T * totalB * N);
    const { h: H, x: X, u: Uu, y: Y, input } = tape;
    const Ust = stp?.U;
    const dyn = stp?.dynamic;
    const aX = stp?.alphaX;
    const aU = stp?.alphaU;
    const [b0, b1] = range;
    for (let c0 = b0; c0 < b1; c0 += GRAD_CHUNK) {
      const c1 = Math.min(b1, c0 + GRAD_CHUNK);
      // The kernels sum into the workspace; each chunk's sums are copied out at its end.
      const cWin = lanes ? lanes.gWin.fill(0) : new Float64Array(nIn * N);
      const cWrec = lanes ? lanes.gWrec.fill(0) : new Float64Array(N * N);
      const cWout = new Float64Array(N * nOut);
      const cB = new Float64Array(N);
      const cBout = new Float64Array(nOut);
      const cH0 = new Float64Array(N);
      let perf = 0;
      let spike = 0;
      for (let l0 = c0; l0 < c1; l0 += L) {
        const nl = Math.min(L, c1 - l0);
        Gh.fill(0);
        Gx.fill(0);
        Gu.fill(0);
        da.fill(0);
        pv.fill(0);
        inl.fill(0);
        for (let k = T - 1; k >= 0; k--) {
          let anyActive = false;
          for (let l = 0; l < nl; l++) {
            const b = l0 + l;
            const sNew = ((k + 1) * B + b) * N;
            const sOld = (k * B + b) * N;
            const yo = (k * B + b) * nOut;
            const m = mask[k * B + b];
            const ln = l * N;
            // 1. Output layer: δy = (m/(TB))(softmax(y) − t).
            let mx = -Infinity;
            for (let o = 0; o < nOut; o++) if (Y[yo + o] > mx) mx = Y[yo + o];
            let z = 0;
            for (let o = 0; o < nOut; o++) z += Math.exp(Y[yo + o] - mx);
            const lz = Math.log(z) + mx;
            for (let o = 0; o < nOut; o++) {
              const t = target[yo + o];
              if (t !== 0) perf -= m * t * (Y[yo + o] - lz) * inv;
              dy[o] = m * inv * (Math.exp(Y[yo + o] - lz) - t);
              cBout[o] += dy[o];
            }
            // 2. The readout and spike-cost terms reach h'; 3. through the ReLU (a > 0 ⇔ h' > 0).
            for (let j = 0; j < N; j++) {
              const hj = H[sNew + j];
              if (hj > 0) {
                let g = Gh[ln + j];
                for (let o = 0; o < nOut; o++) {
                  g += dy[o] * wout[j * nOut + o];
                  cWout[j * nOut + o] += hj * dy[o];
                }
                g += l2 ? spikeScale * hj : spikeScale;
                spike += l2 ? hj * hj : hj;
                da[ln + j] = g;
                anyActive = true;
              } else da[ln + j] = 0;
            }
            // p with the new x', u' and the old h.
            if (stp) for (let i = 0; i < N; i++) pv[ln + i] = Uu[sNew + i] * X[sNew + i] * H[sOld + i];
            else for (let i = 0; i < N; i++) pv[ln + i] = H[sOld + i];
            for (let j = 0; j < N; j++) cB[j] += alpha * da[ln + j];
            const io = (k * B + b) * nIn;
            for (let c = 0; c < nIn; c++) inl[l * nIn + c] = input[io + c];
          }
          // ∇W_in⁺ += α inᵀδa.
          if (lanes) lanes.outerIn(alpha);
          else laneOuter(nIn, N, alpha, inl, da, cWin);
          // ∇W_rec += α pᵀδa and δp = α δa·W_recᵀ, four lanes per pass over a weight row.
          if (!anyActive) dp.fill(0);
          else if (lanes) {
            lanes.deltaP(alpha);
            lanes.outerRec(alpha);
          } else recurrentBackward(N, alpha, wrec, cWrec, pv, da, dp);
          // 4.–6. To the old state.
          for (let l = 0; l < nl; l++) {
            const b = l0 + l;
            const sNew = ((k + 1) * B + b) * N;
            const sOld = (k * B + b) * N;
            const ln = l * N;
            if (stp) {
              for (let i = 0; i < N; i++) {
                const q = ln + i;
                const xn = X[sNew + i];
                const un = Uu[sNew + i];
                const h = H[sOld + i];
                const d = dp[q];
                let gh = (1 - alpha) * da[q] + un * xn * d;
                if (dyn![i] === 1) {
                  const gxn = Gx[q] + un * h * d;
                  const gun = Gu[q] + xn * h * d;
                  const xo = X[sOld + i];
                  const uo = Uu[sOld + i];
                  const U = Ust![i];
                  const xt = xo + (aX![i] * (1 - xo) - dts * uo * xo * h);
                  const ut = uo + (aU![i] * (U - uo) + dts * U * (1 - uo) * h);
                  const gxt = xt > 0 && xt < 1 ? gxn : 0;
                  const gut = ut > 0 && ut < 1 ? gun : 0;
                  Gx[q] = gxt * (1 - (aX![i] + dts * uo * h));
                  Gu[q] = gut * (1 - (aU![i] + dts * U * h)) - gxt * dts * xo * h;
                  gh += dts * U * (1 - uo) * gut - dts * uo * xo * gxt;
                }
                Gh[q] = gh;
              }
            } else {
              for (let i = 0; i < N; i++) Gh[ln + i] = (1 - alpha) * da[ln + i] + dp[ln + i];
            }
          }
        }
        for (let l = 0; l < nl; l++) for (let i = 0; i < N; i++) cH0[i] += Gh[l * N + i];
      }
      chunks.push({ gWin: lanes ? cWin.slice() : cWin, gWrec: lanes ? cWrec.slice() : cWrec, gWout: cWout, gB: cB, gBout: cBout, gH0: cH0, perf, spike: (cfg.spikeCost * spike) / (T * totalB * N) });
    }
    return chunks;
  }

  /** Adds per-chunk sums in the order given and chains them to the raw variables. */
  gradientsFromChunks(chunks: readonly ChunkGradients[]): Gradients {
    const N = this.cfg.nHidden;
    const nIn = this.cfg.nInput;
    const nOut = this.cfg.nOutput;
    const tot: ChunkGradients = { gWin: new Float64Array(nIn * N), gWrec: new Float64Array(N * N), gWout: new Float64Array(N * nOut), gB: new Float64Array(N), gBout: new Float64Array(nOut), gH0: new Float64Array(N), perf: 0, spike: 0 };
    for (const c of chunks) {
      for (const k of ['gWin', 'gWrec', 'gWout', 'gB', 'gBout', 'gH0'] as const) {
        const a = tot[k];
        const b = c[k];
        for (let q = 0; q < a.length; q++) a[q] += b[q];
      }
      tot.perf += c.perf;
      tot.spike += c.spike;
    }
    return this.rawGradients(tot, tot.perf, tot.spike, this.effectiveWeights().wrec, true);
  }

  /** Chains the effective-weight gradients through masks, signs and ReLUs; adds the weight cost once (first shard). */
  private rawGradients(g: { gWin: Float64Array; gWrec: Float64Array; gWout: Float64Array; gB: Float64Array; gBout: Float64Array; gH0: Float64Array }, perf: number, spikeLoss: number, wrec: Float64Array, withWeightCost: boolean): Gradients {
    const { cfg, vars } = this;
    const N = cfg.nHidden;
    const w_in = new Float64Array(g.gWin.length);
    for (let q = 0; q < w_in.length; q++) w_in[q] = vars.w_in[q] > 0 ? g.gWin[q] * cfg.maskIn[q] : 0;
    const w_out = new Float64Array(g.gWout.length);
    for (let q = 0; q < w_out.length; q++) w_out[q] = vars.w_out[q] > 0 ? g.gWout[q] * cfg.maskOut[q] : 0;
    const w_rnn = new Float64Array(N * N);
    let wl = 0;
    const wc = withWeightCost ? cfg.weightCost : 0;
    for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) {
      const q = i * N + j;
      const r = wrec[q] > 0 ? wrec[q] : 0;
      wl += r * r;
      const gw = g.gWrec[q] + (wc * 2 * r) / (N * N);
      w_rnn[q] = vars.w_rnn[q] > 0 ? cfg.sign[i] * gw * cfg.maskRec[q] : 0;
    }
    const weightLoss = (wc * wl) / (N * N);
    return {
      h: g.gH0,
      w_in,
      w_rnn,
      b_rnn: g.gB,
      w_out,
      b_out: g.gBout,
      loss: perf + spikeLoss + weightLoss,
      perf_loss: perf,
      spike_loss: spikeLoss,
      weight_loss: weightLoss,
    };
  }

  /** Variables as plain JSON (`{shape, data}` each). */
  variablesJSON(): Record<VariableName, { shape: number[]; data: number[] }> {
    const N = this.cfg.nHidden;
    const shapes: Record<VariableName, number[]> = { h: [1, N], w_in: [this.cfg.nInput, N], w_rnn: [N, N], b_rnn: [1, N], w_out: [N, this.cfg.nOutput], b_out: [1, this.cfg.nOutput] };
    const out = {} as Record<VariableName, { shape: number[]; data: number[] }>;
    for (const k of VARIABLE_NAMES) out[k] = { shape: shapes[k], data: Array.from(this.vars[k]) };
    return out;
  }
}

/** The loss of a finished tape (for checks): perf + spike + weight terms, in double. */
export function lossOf(net: StspRnn, tape: Tape, target: ArrayLike<number>, mask: ArrayLike<number>): number {
  const { cfg } = net;
  const { T, B } = tape;
  const N = cfg.nHidden;
  const nOut = cfg.nOutput;
  let perf = 0;
  for (let k = 0; k < T; k++) for (let b = 0; b < B; b++) {
    const yo = (k * B + b) * nOut;
    let mx = -Infinity;
    for (let o = 0; o < nOut; o++) mx = Math.max(mx, tape.y[yo + o]);
    let z = 0;
    for (let o = 0; o < nOut; o++) z += Math.exp(tape.y[yo + o] - mx);
    const lz = Math.log(z) + mx;
    for (let o = 0; o < nOut; o++) perf -= mask[k * B + b] * target[yo + o] * (tape.y[yo + o] - lz);
  }
  perf /= T * B;
  let s = 0;
  for (let q = B * N; q < (T + 1) * B * N; q++) s += cfg.spikeRegularization === 'L2' ? tape.h[q] * tape.h[q] : Math.abs(tape.h[q]);
  const spike = (cfg.spikeCost * s) / (T * B * N);
  const { wrec } = net.effectiveWeights();
  let w = 0;
  for (const v of wrec) if (v > 0) w += v * v;
  return perf + spike + (cfg.weightCost * w) / (N * N);
}

/** One forward pass in progress: the tick of step k reads the state after k−1 and writes after k. */
export class ForwardRun {
  readonly tape: Tape;
  private readonly net: StspRnn;
  private readonly w: EffectiveWeights;
  /** The WebAssembly kernels and their arrays, or null for the JavaScript loops. */
  private readonly lanes: LaneWorkspace | null;
  private readonly acc: Float64Array;
  private readonly pv: Float64Array;
  /** This step's inputs of the four lanes. */
  private readonly inl: Float64Array;
  private readonly options: ForwardOptions;
  private readonly B: number;

  constructor(net: StspRnn, input: Arr, T: number, B: number, options: ForwardOptions) {
    const cfg = net.cfg;
    if (input.length !== T * B * cfg.nInput) throw new SimulationError('invalid_value', `StspRnn.forward(): input has ${input.length} values, expected T·B·n_input = ${T}·${B}·${cfg.nInput}.`);
    if (options.noise && options.noise.length !== T * B * cfg.nHidden) throw new SimulationError('invalid_value', `StspRnn.forward(): noise has ${options.noise.length} values, expected T·B·N = ${T * B * cfg.nHidden}.`);
    this.net = net;
    this.options = options;
    this.B = B;
    this.tape = net.newTape(input, T, B, options);
    this.w = net.effectiveWeights();
    this.lanes = wasmKernelsEnabled() ? laneWorkspace(cfg.nHidden, cfg.nInput) : null;
    if (this.lanes) {
      this.lanes.win.set(this.w.win);
      this.lanes.wrec.set(this.w.wrec);
    }
    this.acc = this.lanes?.acc ?? new Float64Array(LANES * cfg.nHidden);
    this.pv = this.lanes?.pv ?? new Float64Array(LANES * cfg.nHidden);
    this.inl = this.lanes?.inl ?? new Float64Array(LANES * cfg.nInput);
  }

  /** Interventions ranked before the tick of step k (restore, shuffle). */
  intervene(k: number): void {
    const f = this.options.intervene;
    if (f) {
      const { tape } = this;
      f(k, { batch: this.B, n: this.net.cfg.nHidden, h: tape.h, x: tape.x, u: tape.u, offset: k * this.B * this.net.cfg.nHidden });
    }
  }

  /** Advances every trial of the batch by step k. */
  tick(k: number): void {
    const cfg = this.net.cfg;
    const { tape, acc, pv, inl, B, lanes } = this;
    const { win, wrec, wout } = this.w;
    const N = cfg.nHidden;
    const nIn = cfg.nInput;
    const nOut = cfg.nOutput;
    const alpha = cfg.alpha;
    const dts = cfg.dtSec;
    const stp = cfg.stp;
    const sigma = cfg.noiseRnn;
    const { h: H, x: X, u: Uu, y: Y, input, noise } = tape;
    const bRnn = this.net.vars.b_rnn;
    const bOut = this.net.vars.b_out;
    const silence = this.options.silence;
    for (let l0 = 0; l0 < B; l0 += LANES) {
      const nl = Math.min(LANES, B - l0);
      if (nl < LANES) {
        pv.fill(0);
        acc.fill(0);
        inl.fill(0);
      }
      for (let l = 0; l < nl; l++) {
        const b = l0 + l;
        const ln = l * N;
        const sOld = (k * B + b) * N;
        const sNew = ((k + 1) * B + b) * N;
        if (stp) {
          const { dynamic, U, alphaX, alphaU } = stp;
          for (let i = 0; i < N; i++) {
            const xo = X[sOld + i];
            const uo = Uu[sOld + i];
            const h = H[sOld + i];
            let xn = xo;
            let un = uo;
            if (dynamic[i] === 1) {
              const xt = xo + (alphaX[i] * (1 - xo) - dts * uo * xo * h);
              const ut = uo + (alphaU[i] * (U[i] - uo) + dts * U[i] * (1 - uo) * h);
              xn = xt < 0 ? 0 : xt > 1 ? 1 : xt;
              un = ut < 0 ? 0 : ut > 1 ? 1 : ut;
            }
            X[sNew + i] = xn;
            Uu[sNew + i] = un;
            // The tape may be float32: p uses the stored values, as the backward pass does.
            pv[ln + i] = Uu[sNew + i] * X[sNew + i] * h;
          }
        } else {
          for (let i = 0; i < N; i++) {
            pv[ln + i] = H[sOld + i];
            X[sNew + i] = 1;
            Uu[sNew + i] = 1;
          }
        }
        for (let j = 0; j < N; j++) acc[ln + j] = bRnn[j];
        const io = (k * B + b) * nIn;
        for (let c = 0; c < nIn; c++) inl[l * nIn + c] = input[io + c];
      }
      if (lanes) lanes.forward();
      else {
        laneForward(nIn, N, win, inl, acc);
        laneForward(N, N, wrec, pv, acc);
      }
      for (let l = 0; l < nl; l++) {
        const b = l0 + l;
        const ln = l * N;
        const sOld = (k * B + b) * N;
        const sNew = ((k + 1) * B + b) * N;
        const no = (k * B + b) * N;
        for (let j = 0; j < N; j++) {
          let a = (1 - alpha) * H[sOld + j] + alpha * acc[ln + j];
          if (noise) a += sigma * noise[no + j];
          let hn = a > 0 ? a : 0;
          if (silence) hn *= silence[k * N + j];
          H[sNew + j] = hn;
        }
        const yo = (k * B + b) * nOut;
        for (let o = 0; o < nOut; o++) {
          let s = bOut[o];
          for (let j = 0; j < N; j++) s += H[sNew + j] * wout[j * nOut + o];
          Y[yo + o] = s;
        }
      }
    }
  }
}

/**
 * Runs `run` for steps [start, T) on the engine's kernel, as a clock-driven population: kernel
 * step s is model step start + s; interventions run in the protocol phase, before the tick in
 * the update phase of the same step.
 */
export function runOnEngine(run: ForwardRun, start: number, T: number, intervenes = true): void {
  const kernel = new Kernel({
    emit() {},
    update(step: number) {
      run.tick(step + start);
    },
    record() {},
  });
  if (intervenes) {
    const protocol = kernel.addHandler({
      handle(step: number) {
        run.intervene(step + start);
      },
    });
    for (let k = 0; k < T - start; k++) kernel.schedule(k, 0, Phase.Protocol, protocol, 0, 0, 0);
  }
  kernel.run(T - start);
}
