/** Options of the consolidation experiment: the single source for its CLI flags, validation and docs. */
import { z } from 'zod';

export const PROTOCOLS = ['capacity', 'wake-sleep', 'synaptic-noise'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** Each protocol's seed (the original study's). */
export const PROTOCOL_SEED: Record<Protocol, number> = { capacity: 100, 'wake-sleep': 700, 'synaptic-noise': 1 };

export const consolidationOptions = z
  .object({
    protocol: z.enum(PROTOCOLS).default('capacity').describe('capacity (Fig 2), wake-sleep (Fig 3) or synaptic-noise (Figs 5-6)'),
    preset: z.enum(['paper', 'acceptance', 'quick']).default('acceptance').describe('sizes and durations: the paper, the acceptance runs, or a quick smoke run'),
    N: z.number().int().min(4).optional().describe("number of neurons N (default: the preset's)"),
    alpha: z.array(z.number().positive()).nonempty().optional().describe("capacity: loads alpha = M/N, e.g. [0.2] (default: the preset's)"),
    z: z.array(z.number().int().min(1).max(5)).nonempty().optional().describe("factors per synapse: capacity 1..4, synaptic-noise 1..5, e.g. [1,2] (default: the preset's)"),
    M: z.number().int().min(1).optional().describe("wake-sleep: number of patterns M (default: the preset's)"),
    epochs: z.number().int().min(1).optional().describe("capacity: epoch cap (default: the preset's; paper 500*M*e_z)"),
    sleepSteps: z.number().int().min(1).optional().describe("wake-sleep: sleep steps (default: the preset's)"),
    T: z.number().positive().optional().describe("synaptic-noise: duration T in model time units (default: the preset's)"),
    nSynapses: z.number().int().min(2).optional().describe("synaptic-noise: number of synapses (default: the preset's)"),
    dt: z.number().positive().max(0.5).default(5e-3).describe('synaptic-noise: Euler-Maruyama step in model time units; 1/dt must be a whole number of steps per sample (the spec fixes 5e-3; smaller steps check convergence)'),
    nTests: z.number().int().min(1).default(20).describe('noise draws per level in the recall tests'),
    threads: z.number().int().min(1).max(64).default(2).describe('threads sharing the rows of the capacity epochs and sleep steps (1 or 2 are used; results do not depend on it)'),
    recordEvery: z.number().int().min(1).default(100).describe('epochs (capacity) or sleep steps between trace rows'),
    bootstrap: z.number().int().min(1).default(1000).describe('synaptic-noise: bootstrap resamples for q_min'),
    kaufman: z.string().optional().describe('synaptic-noise: path of kaufman_2012.csv to compare with'),
  })
  .strict();

export type ConsolidationOptions = z.infer<typeof consolidationOptions>;

/** Capacity sizes per preset. */
export const CAPACITY_PRESETS = {
  paper: { n: 1000, zs: [1, 2, 3, 4], alphas: [0.08, 0.1425, 0.205, 0.2675, 0.33, 0.4533, 0.5767, 0.7], epochs: null as number | null },
  acceptance: { n: 100, zs: [1, 2, 3, 4], alphas: [0.2], epochs: 40_000 as number | null },
  quick: { n: 50, zs: [1, 2], alphas: [0.2], epochs: 2000 as number | null },
};

/** Wake-sleep sizes per preset. */
export const WS_PRESETS = {
  paper: { n: 1000, m: 500, sleepSteps: 100_000 },
  acceptance: { n: 400, m: 80, sleepSteps: 2000 },
  quick: { n: 200, m: 20, sleepSteps: 200 },
};

/** Synaptic-noise sizes per preset. */
export const SN_PRESETS = {
  paper: { nSynapses: 1000, T: 999 },
  acceptance: { nSynapses: 500, T: 300 },
  quick: { nSynapses: 100, T: 150 },
};
