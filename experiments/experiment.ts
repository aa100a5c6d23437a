/**
 * The experiment contract shared by every folder under experiments/: a typed options schema
 * with defaults (the single source for CLI flags, validation and docs), a run function that
 * returns results without touching the terminal, and the files every run writes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';

/** Progress callbacks a run may call; the CLI turns them into a bar or plain lines. */
export interface RunHooks {
  /** `done` out of `total` units of `label` (e.g. simulated ms). */
  progress?(done: number, total: number, label: string): void;
}

/** Options every experiment takes besides its own. */
export interface CommonOptions {
  /** Output folder; null keeps everything in memory (used by tests). */
  out: string | null;
  seed: number;
}

/** What a run returns: the measures for summary.json and anything the plots need. */
export interface RunResult {
  /** Measures named in the acceptance targets, snake_case (nested blocks allowed). */
  summary: Record<string, unknown>;
  /** Wall time of the run in seconds (the one non-deterministic value). */
  wall_time_s: number;
}

/** One experiment: options, run, plots. */
export interface Experiment<S extends z.AnyZodObject, R extends RunResult> {
  name: string;
  /** One line for `--help` and the README. */
  description: string;
  /** Options with defaults; CLI flags are generated from it. */
  options: S;
  /** Seed used when --seed is not given (the original study's, where it had one). */
  defaultSeed?: number;
  run(options: z.infer<S> & CommonOptions, hooks?: RunHooks): Promise<R>;
  /** Writes the figures of a finished run into `out` and returns their file names. */
  plot?(result: R, options: z.infer<S>, out: string): Promise<string[]>;
}

/** Writes DIR/summary.json: measures, seed, params and wall_time_s; NaN becomes null. */
export function writeSummary(out: string, seed: number, params: object, result: RunResult): string {
  mkdirSync(out, { recursive: true });
  const body = { ...result.summary, seed, params, wall_time_s: result.wall_time_s };
  const path = join(out, 'summary.json');
  writeFileSync(path, JSON.stringify(body, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n');
  return path;
}
