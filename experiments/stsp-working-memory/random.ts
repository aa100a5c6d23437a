/**
 * Random draws of the stsp-working-memory experiment (spec §4 RNG): named seedrandom `alea`
 * streams for the initial weights, each iteration's trial draws and each (iteration, trial)'s
 * noise, so a trial's numbers do not depend on how the batch is split over threads.
 */
import seedrandom from 'seedrandom';

/** A uniform stream on [0, 1) with the normal (Box–Muller, both outputs) and gamma draws. */
export class Draws {
  readonly uniform: () => number;
  private spare = 0;
  private hasSpare = false;

  constructor(name: string) {
    this.uniform = seedrandom.alea(name);
  }

  /** Standard normal by the basic Box–Muller transform, using both outputs of each pair. */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    // 1 − U lies in (0, 1], so the logarithm is finite.
    const r = Math.sqrt(-2 * Math.log(1 - this.uniform()));
    const phi = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(phi);
    this.hasSpare = true;
    return r * Math.cos(phi);
  }

  /** Fills `out[offset … offset+n)` with `scale`·N(0,1) draws. */
  fillNormal(out: Float32Array | Float64Array, offset: number, n: number, scale: number): void {
    for (let i = 0; i < n; i++) out[offset + i] = scale * this.normal();
  }

  /** Gamma(shape, 1) by Marsaglia–Tsang; for shape < 1, Gamma(shape + 1)·U^(1/shape). */
  gamma(shape: number): number {
    if (shape < 1) {
      const g = this.gamma(shape + 1);
      return g * Math.pow(1 - this.uniform(), 1 / shape);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let z: number;
      let v: number;
      do {
        z = this.normal();
        v = 1 + c * z;
      } while (v <= 0);
      v = v * v * v;
      const u = 1 - this.uniform();
      if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
    }
  }

  /** 1 with probability p, else 0. */
  bernoulli(p: number): number {
    return this.uniform() < p ? 1 : 0;
  }

  /** Uniform integer on [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }
}

/** Stream names, one per consumer, derived from the master seed. */
export const streams = {
  init: (seed: number) => `stsp/${seed}/init`,
  trials: (seed: number, iteration: number, tag: string) => `stsp/${seed}/${tag}/${iteration}/trials`,
  inputNoise: (seed: number, iteration: number, tag: string, trial: number) => `stsp/${seed}/${tag}/${iteration}/input-noise/${trial}`,
  rnnNoise: (seed: number, iteration: number, tag: string, trial: number) => `stsp/${seed}/${tag}/${iteration}/rnn-noise/${trial}`,
};
