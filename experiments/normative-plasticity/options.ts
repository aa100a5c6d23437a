/** Options of the normative-plasticity experiment: the single source for its CLI flags, validation and docs. */
import { z } from 'zod';

export const normativeOptions = z
  .object({
    objective: z.enum(['linear', 'classifier']).optional().describe("task: 'linear' (estimation, N = 40) or 'classifier' (N = 25); default linear, or the task of the --load file"),
    load: z.string().optional().describe('weights JSON of the original shape (W[post][pre], C[neuron][input], b, D[out][neuron]); skips training and tests it'),
    trialNum: z.number().int().min(0).default(0).describe('training trials of phase 1 (trial_num)'),
    trialNum2: z.number().int().min(0).default(260).describe('training trials of phase 2 (trial_num_2)'),
    testNum: z.number().int().min(0).default(100).describe('test trials after each phase (test_num)'),
    sigma: z.number().min(0).optional().describe('network noise sigma (default 0.2, or the --load file value)'),
    kappa: z.number().min(0).optional().describe('von Mises prior concentration kappa_in (default 0.75)'),
    mu: z.number().min(-Math.PI).max(Math.PI).optional().describe('von Mises prior mean mu_in (default 0)'),
    T: z.number().positive().optional().describe('trial length in model time units (default 1000)'),
    testSchedule: z.enum(['uniform', 'balanced']).default('uniform').describe("test block angles: drawn uniformly ('uniform', the original) or through seeded permutations ('balanced')"),
    testEvery: z.number().int().min(0).default(0).describe('interim test after every n-th training trial (0 = off)'),
    interimTestNum: z.number().int().min(1).default(8).describe('trials of each interim test (balanced)'),
    saveWeights: z.string().optional().describe('write the trained weights as JSON (the --load shape) to this path'),
    plots: z.boolean().default(true).describe('write the SVG plots'),
  })
  .strict();

export type NormativeOptions = z.infer<typeof normativeOptions>;
