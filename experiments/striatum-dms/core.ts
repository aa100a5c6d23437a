/**
 * The single-MSN striatal circuit of spec §2 as a lazy (event-driven) stepper: P plastic
 * inputs, one random input of static weight w_r and one Euler LIF MSN. A step whose spike
 * registers (s_k(n−1), s_r(n−1), s_post(n−1)) are all zero and whose MSN is out of its reset
 * window changes nothing but exponential decays, so runs of such steps are jumped with the
 * exact closed forms V(n+k) = E_l + (V(n) − E_l)(1 − dt/τ_m)^k and x(n+k) = x(n)·e^{−k·dt/τ};
 * every other step runs the update order of §2 literally. Weights change only in steps after
 * a spike, so the jumps never skip plasticity. models/msn_lif.ts with synapses/striatal_stdp.ts
 * step the same equations densely on the engine (spec §7 check 10 compares the two).
 */

/** Fixed parameters of the circuit (spec §2 table). */
export interface CircuitParams {
  /** Number of cortical inputs. */
  P: number;
  dt: number;
  tauM: number;
  /** Gain R (mV per unit weight). */
  R: number;
  El: number;
  Er: number;
  Vth: number;
  /** Refractory window Δ_abs (ms): a step with ρ ≤ Δ_abs is a reset step. */
  tRef: number;
  tauPlus: number;
  tauMinus: number;
  epsilon: number;
  Aprepost: number;
  Apostpre: number;
  wMin: number;
  wMax: number;
  /** Weight of the random input. */
  wR: number;
}

/** Default §2 values for everything except P, dt and the plasticity amplitudes. */
export const MSN_DEFAULTS = {
  tauM: 200 / 12.5,
  R: 1000 / 12.5,
  El: -80,
  Er: -80,
  Vth: -45,
  tRef: 0,
  tauPlus: 20,
  tauMinus: 20,
  wMin: 0,
  wMax: 2,
  wR: 1,
} as const;

/**
 * Mutable state of the circuit and the lazy stepper. Noise sources are geometric-gap trains:
 * `nextNoise[k]` is the global training step of source k's next spike (index P is the random
 * input), Infinity when silent.
 */
export class DmsCircuit {
  readonly p: CircuitParams;
  readonly P: number;
  /** Plastic weights w_k. */
  readonly w: Float64Array;
  /** Presynaptic traces x_k. */
  readonly x: Float64Array;
  /** Spike registers s_k of the previous step. */
  readonly s: Uint8Array;
  /** Postsynaptic trace y. */
  y = 0;
  /** Random-input register s_r of the previous step. */
  sR = 0;
  /** MSN spike register of the previous step. */
  sPost = 0;
  V: number;
  /** Time since the last MSN spike (ms); Infinity before the first. */
  rho = Infinity;
  /** Plasticity gate g. */
  g = 1;
  /** Reward-modulator level m in force. */
  m = 0;
  /** Global step counter of noise-driven (training) segments. */
  gs = 0;
  readonly nextNoise: Float64Array;
  /** Per-step noise probabilities of the plastic inputs and of the random input. */
  private pIn = 0;
  private pR = 0;
  private lnIn = 0;
  private lnR = 0;
  private readonly noiseRng: (() => number)[];
  /** Steps run densely and steps jumped (for benchmarks). */
  denseSteps = 0;
  jumpedSteps = 0;
  /**
   * Optional observer of dense steps (every step that emits or receives a spike is dense),
   * called after the step with its within-segment index; used by traces and tests.
   */
  onStep: ((c: DmsCircuit, spiked: boolean, j: number) => void) | null = null;
  /** When false every step is stepped densely (reference mode for check 10). */
  lazy = true;

  // Precomputed constants.
  private readonly a: number;
  private readonly q: number;
  private readonly dp: number;
  private readonly dm: number;
  private readonly sNew: Uint8Array;
  // Pattern spikes of the current segment, sorted by within-segment step.
  readonly patStep: Int32Array;
  readonly patInput: Int32Array;
  patCount = 0;

  constructor(p: CircuitParams, w0: Float64Array, noiseRng: (() => number)[]) {
    this.p = p;
    this.P = p.P;
    this.w = Float64Array.from(w0);
    this.x = new Float64Array(p.P);
    this.s = new Uint8Array(p.P);
    this.sNew = new Uint8Array(p.P);
    this.V = p.El;
    this.nextNoise = new Float64Array(p.P + 1).fill(Infinity);
    this.noiseRng = noiseRng;
    this.a = p.dt / p.tauM;
    this.q = 1 - this.a;
    this.dp = Math.exp(-p.dt / p.tauPlus);
    this.dm = Math.exp(-p.dt / p.tauMinus);
    this.patStep = new Int32Array(p.P);
    this.patInput = new Int32Array(p.P);
  }

  /**
   * Sets the per-step noise probabilities and re-arms every source from the next step `gs`
   * (the pending spikes are dropped: exact for Bernoulli trains by memorylessness).
   */
  setNoise(pIn: number, pR: number): void {
    this.pIn = pIn;
    this.pR = pR;
    this.lnIn = Math.log(1 - pIn);
    this.lnR = Math.log(1 - pR);
    for (let k = 0; k <= this.P; k++) this.nextNoise[k] = this.gs + this.gap(k) - 1;
  }

  /** Geometric gap G ≥ 1 of source k (Infinity when its probability is 0). */
  private gap(k: number): number {
    const p = k === this.P ? this.pR : this.pIn;
    if (p <= 0) return Infinity;
    const u = 1 - this.noiseRng[k]();
    if (p >= 1) return 1;
    return 1 + Math.floor(Math.log(u) / (k === this.P ? this.lnR : this.lnIn));
  }

  /** Sets the pattern spikes of the next segment (within-segment steps, any order). */
  setPattern(inputs: ArrayLike<number>, steps: ArrayLike<number>): void {
    const n = inputs.length;
    for (let i = 0; i < n; i++) {
      // Insertion sort by step (n ≤ stim_by_pattern).
      let j = i;
      while (j > 0 && this.patStep[j - 1] > steps[i]) {
        this.patStep[j] = this.patStep[j - 1];
        this.patInput[j] = this.patInput[j - 1];
        j--;
      }
      this.patStep[j] = steps[i];
      this.patInput[j] = inputs[i];
    }
    this.patCount = n;
  }

  /** Resets the MSN and traces as a test pattern does (spec §3 Test). */
  resetForTest(clearRegisters: boolean): void {
    this.V = this.p.El;
    this.rho = Infinity;
    this.sPost = 0;
    this.x.fill(0);
    this.y = 0;
    if (clearRegisters) {
      this.s.fill(0);
      this.sR = 0;
    }
  }

  /**
   * Runs one segment of D steps (a trial or a test pattern) and returns the MSN spike count.
   * With `noise` the segment advances the global noise clock `gs` and emits noise spikes.
   */
  run(D: number, noise: boolean): number {
    const P = this.P;
    const { w, x, s, sNew, nextNoise, patStep, patInput } = this;
    const { El, Er, Vth, tRef, R, wMin, wMax, wR, Aprepost, Apostpre } = this.p;
    const dt = this.p.dt;
    const a = this.a;
    const dp = this.dp;
    const dm = this.dm;
    const gEps = this.g * this.p.epsilon;
    const m = this.m;
    const base = this.gs;
    const observe = this.onStep;
    let pp = 0;
    let spikes = 0;
    let active = this.sR + this.sPost;
    for (let k = 0; k < P; k++) active += s[k];
    let j = 0;
    while (j < D) {
      if (active === 0 && this.rho > tRef && this.lazy) {
        // Next step that emits anything.
        let e = pp < this.patCount ? patStep[pp] : D;
        if (noise) {
          for (let k = 0; k <= P; k++) {
            const t = nextNoise[k] - base;
            if (t < e) e = t;
          }
        }
        if (e > D) e = D;
        const k = e - j;
        if (k > 0) {
          const qk = Math.pow(this.q, k);
          this.V = El + (this.V - El) * qk;
          const xk = Math.pow(dp, k);
          for (let i = 0; i < P; i++) x[i] *= xk;
          this.y *= Math.pow(dm, k);
          this.rho += k * dt;
          this.jumpedSteps += k;
          j = e;
          if (j >= D) break;
        }
      }
      // 1. Drive from the registers of step n−1, with the weights of step n−1 (random input
      // first, then inputs in index order: the order the engine's port slot sums them).
      let drive = this.sR !== 0 ? wR : 0;
      for (let i = 0; i < P; i++) if (s[i] !== 0) drive += w[i];
      // 3. Weights (uses the traces of step n−1, so before 2): all terms summed, clipped once.
      const y0 = this.y;
      const sp = this.sPost;
      if (gEps !== 0) {
        for (let i = 0; i < P; i++) {
          const si = s[i];
          if (si === 0 && sp === 0) continue;
          let wn = w[i] + gEps * (Aprepost * sp * x[i] + Apostpre * y0 * si + m * si);
          if (wn < wMin) wn = wMin;
          else if (wn > wMax) wn = wMax;
          w[i] = wn;
        }
      }
      // 2. Traces.
      for (let i = 0; i < P; i++) x[i] = x[i] * dp + s[i];
      this.y = y0 * dm + sp;
      // 4. Emission of step n.
      let nAct = 0;
      sNew.fill(0);
      while (pp < this.patCount && patStep[pp] === j) {
        sNew[patInput[pp]] = 1;
        pp++;
      }
      let sRn = 0;
      if (noise) {
        const gsn = base + j;
        for (let k = 0; k < P; k++) {
          if (nextNoise[k] === gsn) {
            sNew[k] = 1;
            nextNoise[k] = gsn + this.gap(k);
          }
        }
        if (nextNoise[P] === gsn) {
          sRn = 1;
          nextNoise[P] = gsn + this.gap(P);
        }
      }
      for (let i = 0; i < P; i++) {
        s[i] = sNew[i];
        nAct += sNew[i];
      }
      this.sR = sRn;
      // 5. MSN.
      let Vt = this.V + a * (El - this.V) + R * drive;
      if (this.rho <= tRef) Vt = Er;
      this.rho += dt;
      let spiked = false;
      if (Vt > Vth) {
        spiked = true;
        spikes++;
        this.rho = 0;
        this.V = Vth;
        this.sPost = 1;
      } else {
        this.V = Vt;
        this.sPost = 0;
      }
      active = nAct + sRn + this.sPost;
      this.denseSteps++;
      if (observe !== null) observe(this, spiked, j);
      j++;
    }
    if (noise) this.gs = base + D;
    return spikes;
  }
}
