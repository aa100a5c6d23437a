/**
 * A fixed input for the wta-sequence network: replays given spike steps through the
 * {@link InputSource} interface (the toy replay and other exact checks use it).
 */
import type { InputSource } from './types.js';

/** Options of {@link SpikeTrainInput}. */
export interface SpikeTrainInputOptions {
  nInputs: number;
  /** Per channel, the steps (from 0 at the start of the run) at which it spikes. */
  spikeSteps: readonly ArrayLike<number>[];
}

/** Plays fixed spike steps, channel lists ascending. */
export class SpikeTrainInput implements InputSource {
  readonly nInputs: number;
  private readonly steps: Float64Array;
  private readonly channels: Int32Array;
  private cursor = 0;
  private readonly out: Int32Array;
  private last = -1;
  private readonly none = new Int32Array(0);

  constructor(options: SpikeTrainInputOptions) {
    const { nInputs, spikeSteps } = options;
    if (!(Number.isInteger(nInputs) && nInputs >= 1)) throw new RangeError(`SpikeTrainInput: nInputs must be a whole number >= 1, got ${nInputs}.`);
    if (spikeSteps.length !== nInputs) throw new RangeError(`SpikeTrainInput: got ${spikeSteps.length} spike lists for ${nInputs} channels.`);
    const pairs: [number, number][] = [];
    spikeSteps.forEach((list, c) => {
      for (let j = 0; j < list.length; j++) {
        const t = list[j];
        if (!(Number.isInteger(t) && t >= 0)) throw new RangeError(`SpikeTrainInput: channel ${c}: step ${t} is not a whole number >= 0.`);
        pairs.push([t, c]);
      }
    });
    pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    // One spike per channel and step (a repeated step adds nothing, as in the binary input x).
    const kept = pairs.filter((q, j) => j === 0 || q[0] !== pairs[j - 1][0] || q[1] !== pairs[j - 1][1]);
    this.nInputs = nInputs;
    this.steps = Float64Array.from(kept, (q) => q[0]);
    this.channels = Int32Array.from(kept, (q) => q[1]);
    this.out = new Int32Array(nInputs);
  }

  next(t: number): ArrayLike<number> {
    if (!(t > this.last)) throw new RangeError(`SpikeTrainInput.next(${t}): steps must increase (last was ${this.last}).`);
    this.last = t;
    let q = this.cursor;
    while (q < this.steps.length && this.steps[q] < t) q++;
    let c = 0;
    while (q < this.steps.length && this.steps[q] === t) this.out[c++] = this.channels[q++];
    this.cursor = q;
    return c === 0 ? this.none : this.out.subarray(0, c);
  }
}
