/**
 * Data shared by the parts of the wta-sequence experiment (network, input generator,
 * analysis, plots). Time is counted in whole steps of 1 ms from the start of a run.
 */

/** Kind of an input spike. */
export const InputKind = {
  /** A spike of the noise phase. */
  Noise: 0,
  /** A spike of the frozen pattern (wins when it coincides with noise). */
  Pattern: 1,
  /** Extra noise OR-ed into a pattern. */
  PatternNoise: 2,
} as const;

/** What drives the input channels, step by step. */
export interface InputSource {
  /** Number of input channels. */
  readonly nInputs: number;
  /**
   * Advances to step t (0, 1, 2, … within the current run; called once per step, in order)
   * and returns the channels that spike at t, ascending and without duplicates. The array
   * may be reused by the next call.
   */
  next(t: number): ArrayLike<number>;
}

/** One phase of a run: [start, end) in steps; pattern and sequence ids are −1 in noise. */
export interface Phase {
  start: number;
  end: number;
  patternId: number;
  sequenceId: number;
}
