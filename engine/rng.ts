/**
 * Seeded randomness. One master seed; every consumer (a population's initial state, a
 * projection's wiring, a generator's spike trains, a protocol) draws from its own named
 * sub-stream, derived from the master seed and the name alone. Adding a recorder, recording
 * something else or creating populations in another order therefore leaves every stream,
 * and so the dynamics, unchanged.
 *
 * Algorithm: seedrandom's `alea` (fast, 2^116 period, passes BigCrush as packaged). The
 * default ARC4 generator of seedrandom is several times slower and is not used.
 */
import seedrandom from 'seedrandom';

/** A uniform generator on [0, 1) with the distributions the engine needs. */
export class RandomStream {
  /** Uniform on [0, 1). Exposed as a plain function so hot loops can hoist it. */
  readonly uniform: () => number;
  private spareNormal = NaN;

  constructor(seed: string) {
    this.uniform = seedrandom.alea(seed);
  }

  /** Uniform on [low, high). */
  uniformRange(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }

  /** Standard normal by the polar Box-Muller method (pairs are cached). */
  normal(mean = 0, std = 1): number {
    if (!Number.isNaN(this.spareNormal)) {
      const z = this.spareNormal;
      this.spareNormal = NaN;
      return mean + std * z;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * f;
    return mean + std * u * f;
  }

  /**
   * Fills `out` with scale·z for successive standard normals z: the same values, in the same
   * order, as `scale * normal()` per entry, without a call per draw.
   */
  fillNormal(out: Float64Array, scale: number): void {
    const uniform = this.uniform;
    let i = 0;
    const n = out.length;
    if (n > 0 && !Number.isNaN(this.spareNormal)) {
      out[i++] = scale * this.spareNormal;
      this.spareNormal = NaN;
    }
    while (i < n) {
      let u: number;
      let v: number;
      let s: number;
      do {
        u = 2 * uniform() - 1;
        v = 2 * uniform() - 1;
        s = u * u + v * v;
      } while (s >= 1 || s === 0);
      const f = Math.sqrt((-2 * Math.log(s)) / s);
      out[i++] = scale * (u * f);
      if (i < n) out[i++] = scale * (v * f);
      else this.spareNormal = v * f;
    }
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.uniform());
  }

  /** Integer uniform on [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Shuffles a[off … off+n) in place; see {@link shuffleInPlace}. */
  shuffle(a: NumericArray, off = 0, n = a.length - off): void {
    shuffleInPlace(a, (k) => this.int(k), off, n);
  }

  /**
   * Poisson-distributed count with mean `lambda`. Inversion by sequential search for small
   * means (the engine's generators use means of a few events per step), a normal-free
   * rejection method (PTRS, Hörmann 1993) above 30.
   */
  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    if (lambda < 30) return poissonInversion(this.uniform, lambda, Math.exp(-lambda));
    return poissonPtrs(this.uniform, lambda);
  }
}

/** A writable array of numbers: a plain array or any typed array. */
export type NumericArray = { [i: number]: number; readonly length: number };

/**
 * Fisher–Yates shuffle of a[off … off+n) in place: from the last position down to the second,
 * position i swaps with int(i + 1) (i counted from off), so one draw per position and a fixed
 * draw order for every caller.
 */
export function shuffleInPlace(a: NumericArray, int: (n: number) => number, off = 0, n = a.length - off): void {
  for (let i = n - 1; i > 0; i--) {
    const j = int(i + 1);
    const t = a[off + i];
    a[off + i] = a[off + j];
    a[off + j] = t;
  }
}

/** Poisson sample by inversion given expMinusLambda = exp(-lambda); callers cache it. */
export function poissonInversion(uniform: () => number, lambda: number, expMinusLambda: number): number {
  let u = uniform();
  let k = 0;
  let p = expMinusLambda;
  while (u > p) {
    u -= p;
    k++;
    p *= lambda / k;
    if (p === 0) break; // numerical tail: u left over is rounding noise
  }
  return k;
}

/** Poisson sample for larger means by transformed rejection (PTRS, Hörmann 1993). */
export function poissonPtrs(uniform: () => number, lambda: number): number {
  const slam = Math.sqrt(lambda);
  const logLam = Math.log(lambda);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = uniform() - 0.5;
    const v = uniform();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -lambda + k * logLam - logFactorial(k)) {
      return k;
    }
  }
}

function logFactorial(k: number): number {
  if (k < 2) return 0;
  // Stirling series; exact enough (< 1e-10 relative) for k >= 10, direct sum below.
  if (k < 10) {
    let s = 0;
    for (let i = 2; i <= k; i++) s += Math.log(i);
    return s;
  }
  const x = k + 1;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x * x * x);
}

/** Derives named, independent sub-streams from one master seed. */
export class RandomStreams {
  /** The master seed, recorded in every output file. */
  readonly seed: number;
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new RangeError(`seed must be a non-negative integer, got ${seed}. Pass e.g. { seed: 12345 }.`);
    }
    this.seed = seed;
  }
  /** A fresh stream for `name`; the same (seed, name) pair always gives the same numbers. */
  stream(name: string): RandomStream {
    return new RandomStream(`${this.seed}/${name}`);
  }
}
