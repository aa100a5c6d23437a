/** Options of the wta-sequence experiment: the single source for its CLI flags, validation and docs. */
import { z } from 'zod';

export const wtaOptions = z
  .object({
    grid: z
      .string()
      .regex(/^\d+x\d+$/, 'give the grid as ROWSxCOLS, e.g. 5x4')
      .default('5x4')
      .describe('grid shape ROWSxCOLS of WTA circuits'),
    kMin: z.number().int().min(1).default(2).describe('smallest WTA size'),
    kMax: z.number().int().min(1).default(10).describe('largest WTA size'),
    nInputs: z.number().int().min(1).default(100).describe('number of input channels'),
    tTrain: z.number().positive().default(100).describe('training time (s)'),
    tTest: z.number().positive().default(5).describe('duration of each test run (s)'),
    varianceTracking: z.boolean().default(true).describe('per-synapse adaptive learning rates (variance tracking)'),
    withControl: z.boolean().default(false).describe('also run the protocol with variance tracking off, into DIR/control'),
    stpVariant: z.enum(['legacy', 'fixedU']).default('legacy').describe("short-term plasticity: the original's 'legacy' or NEST's 'fixedU'"),
    spikeProb: z.enum(['exp', 'linear']).default('exp').describe("spike probability per step: 1 - exp(-r dt) ('exp') or r dt ('linear')"),
    stpInTest: z.boolean().default(true).describe('keep short-term plasticity on in test runs'),
    dtRec: z.number().positive().default(10000).describe('interval of weight snapshots during training (ms)'),
    recordState: z.boolean().default(false).describe('write state.arrow (u and rate fraction per neuron)'),
    stateEvery: z.number().int().min(1).default(1).describe('steps between state.arrow rows'),
  })
  .strict();

export type WtaOptions = z.infer<typeof wtaOptions>;

/** The grid option as [rows, cols]. */
export function gridShape(o: Pick<WtaOptions, 'grid'>): [number, number] {
  const [n, m] = o.grid.split('x').map(Number);
  return [n, m];
}
