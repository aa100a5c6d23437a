/**
 * Options of the stsp-working-memory experiment: the single source for the flags of `train`,
 * `run` (train, then the quick analysis), `analyze` and `simulate`, their validation and docs.
 */
import { z } from 'zod';
import { SYNAPSE_CONFIGS, TASKS, updateParameters, type BasePar, type Par } from './parameters.js';

/** Flags of `train` and `run`. */
export const trainOptions = z
  .object({
    task: z.enum(TASKS).default('DMS').describe('task to train on'),
    batchSize: z.number().int().min(1).optional().describe('trials per iteration (default 128; 1024 with --preset paper)'),
    iterations: z.number().int().min(1).optional().describe('training iterations (default 1000; 2000 with --preset paper)'),
    preset: z.enum(['default', 'paper']).default('default').describe("'paper': batch 1024 and 2000 iterations, as in the article"),
    lr: z.number().positive().default(0.02).describe('Adam learning rate'),
    synapseConfig: z.enum(SYNAPSE_CONFIGS).default('full').describe('which units have facilitating or depressing synapses'),
    delayTime: z.number().min(0).default(1000).describe('delay period (ms)'),
    spikeCost: z.number().min(0).default(0.02).describe('weight of the activity (L2) penalty'),
    threads: z.number().int().min(1).max(64).default(2).describe('worker threads sharing each batch (results do not depend on it)'),
    analysis: z.enum(['quick', 'full', 'none']).default('quick').describe('analyses after training'),
    analysisTrials: z.number().int().min(16).default(1024).describe('trials per analysis batch'),
    compat: z.enum(['none', 'masse2019']).default('none').describe("'masse2019' keeps the original's two task bugs (spec §7)"),
    stopAtAccuracy: z.number().min(0).max(1).optional().describe('stop once the training-batch accuracy reaches this value (off by default)'),
    resume: z.string().optional().describe('continue from DIR/model.json with its Adam state'),
  })
  .strict();
export type TrainOptions = z.infer<typeof trainOptions>;

/** Flags of `analyze`. */
export const analyzeOptions = z
  .object({
    model: z.string().describe('path of a model.json written by train'),
    analysis: z.enum(['quick', 'full']).default('quick').describe('analysis level'),
    analysisTrials: z.number().int().min(16).default(1024).describe('trials per analysis batch'),
  })
  .strict();
export type AnalyzeOptions = z.infer<typeof analyzeOptions>;

/** Flags of `simulate`. */
export const simulateOptions = z
  .object({
    model: z.string().optional().describe('path of a model.json written by train (not needed with --stp-traces)'),
    trials: z.number().int().min(1).default(16).describe('trials to simulate into state_trace.arrow'),
    stpTraces: z.boolean().default(false).describe('write the STP protocols of spec §8 (stp_traces.json) instead'),
  })
  .strict();
export type SimulateOptions = z.infer<typeof simulateOptions>;

/** The parameters a train run uses. */
export function parametersOf(o: TrainOptions): Par {
  const paper = o.preset === 'paper';
  const over: Partial<BasePar> = {
    trial_type: o.task,
    batch_size: o.batchSize ?? (paper ? 1024 : 128),
    num_iterations: o.iterations ?? (paper ? 2000 : 1000),
    learning_rate: o.lr,
    synapse_config: o.synapseConfig,
    delay_time: o.delayTime,
    spike_cost: o.spikeCost,
    compat: o.compat,
  };
  return updateParameters(over);
}
