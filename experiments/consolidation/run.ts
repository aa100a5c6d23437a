/**
 * Runs one protocol of the consolidation experiment from its options, writes its Arrow tables
 * into DIR/<protocol>/ and returns the summary (the rows of the protocol's summary table) and
 * the data the plots need. Never touches the terminal: progress goes through the hooks.
 */
import { join } from 'node:path';
import type { CommonOptions, RunHooks, RunResult } from '../experiment.js';
import { CAPACITY_GRID, CAPACITY_RATES, runCapacityCase, type CapacityCaseResult } from './capacity.js';
import { CAPACITY_PRESETS, SN_PRESETS, WS_PRESETS, type ConsolidationOptions, type Protocol } from './options.js';
import { TABLES, writeTable } from './outputs.js';
import { runSynapticNoiseProtocol, type SynapticNoiseResult } from './synaptic-noise.js';
import { runWakeSleepProtocol, type WakeSleepResult } from './wakesleep.js';

/** What a consolidation run returns. */
export interface ConsolidationResult extends RunResult {
  protocol: Protocol;
  warnings: string[];
  capacity?: CapacityCaseResult[];
  wakeSleep?: WakeSleepResult;
  synapticNoise?: SynapticNoiseResult;
  /** Files written, relative to DIR. */
  files: string[];
}

/**
 * A writer of one protocol's Arrow tables into `<outDir>/<sub>/` that records each file in `files`.
 * The metadata holds the options (and `extra`) without the output folder and the thread count,
 * which the tables do not depend on.
 */
function tableWriter(o: ConsolidationOptions & CommonOptions, outDir: string, sub: string, files: string[], extra: Record<string, unknown> = {}) {
  const dir = join(outDir, sub);
  const params = { ...o, out: undefined, threads: undefined, ...extra };
  return async (name: string, cols: Parameters<typeof writeTable>[2], data: readonly unknown[]): Promise<void> => {
    await writeTable(dir, name, cols, data as Record<string, unknown>[], params, o.seed);
    files.push(`${sub}/${name}.arrow`);
  };
}

/** Runs the capacity protocol over the preset's (z, α) grid. */
export async function runCapacity(o: ConsolidationOptions & CommonOptions, hooks: RunHooks = {}): Promise<ConsolidationResult> {
  const t0 = performance.now();
  const pre = CAPACITY_PRESETS[o.preset];
  const n = o.N ?? pre.n;
  const zs = o.z ?? pre.zs;
  const alphas = o.alpha ?? pre.alphas;
  for (const z of zs) if (CAPACITY_RATES[z] === undefined) throw new RangeError(`--z: the capacity protocol has learning rates for z = 1..4 only, got ${z}.`);
  const cap = (z: number, alpha: number): number => o.epochs ?? pre.epochs ?? 500 * Math.round(alpha * n) * CAPACITY_RATES[z].eZ;
  const total = zs.reduce((s, z) => s + alphas.reduce((a, al) => a + cap(z, al), 0), 0);
  let done = 0;
  const cases: CapacityCaseResult[] = [];
  for (const z of zs) {
    for (const alpha of alphas) {
      const base = done;
      const epochs = cap(z, alpha);
      const r = runCapacityCase({
        n,
        alpha,
        z,
        f: 0.5,
        beta: 100,
        epochs,
        seed: o.seed,
        nTests: o.nTests,
        grid: CAPACITY_GRID,
        recordEvery: o.recordEvery,
        threads: o.threads,
        onEpoch: (ep, _cap, phase, error, l0) => hooks.progress?.(base + ep, total, `epochs (z=${z} alpha=${alpha} phase ${phase} error ${error.toFixed(3)} l0 ${l0.toFixed(3)})`),
      });
      done = base + epochs;
      hooks.progress?.(done, total, 'epochs');
      cases.push(r);
    }
  }
  const warnings = cases.flatMap((c) => c.warnings);
  const rows = cases.map((c) => c.summary);
  const files: string[] = [];
  if (o.out !== null) {
    const w = tableWriter(o, o.out, 'capacity', files, { n, zs, alphas });
    await w('capacity_summary', TABLES.capacity_summary(Object.keys(rows[0])), rows);
    await w('capacity_trace', TABLES.capacity_trace, cases.flatMap((c) => c.trace));
    await w('recall', TABLES.recall, cases.flatMap((c) => c.recall));
    await w('weight_hist', TABLES.weight_hist, cases.flatMap((c) => c.hist));
    await w('dead_neurons', TABLES.dead_neurons, cases.flatMap((c) => c.dead));
  }
  return { protocol: 'capacity', summary: { protocol: 'capacity', warnings, capacity_summary: rows }, warnings, capacity: cases, files, wall_time_s: (performance.now() - t0) / 1000 };
}

/** Runs the wake–sleep protocol. */
export async function runWakeSleep(o: ConsolidationOptions & CommonOptions, hooks: RunHooks = {}): Promise<ConsolidationResult> {
  const t0 = performance.now();
  const pre = WS_PRESETS[o.preset];
  const z = o.z?.[0] ?? 2;
  const r = runWakeSleepProtocol({
    n: o.N ?? pre.n,
    m: o.M ?? pre.m,
    z,
    f: 0.05,
    wakeEpochs: 35,
    sleepSteps: o.sleepSteps ?? pre.sleepSteps,
    eta: 1e-2,
    beta: 20,
    initFactor: 0.6,
    ellZ: 0.07,
    seed: o.seed,
    nTests: o.nTests,
    recordEvery: o.recordEvery,
    threads: o.threads,
    onProgress: (d, t, stage) => hooks.progress?.(d, t, `wake epochs + sleep steps (${stage})`),
  });
  const files: string[] = [];
  if (o.out !== null) {
    const w = tableWriter(o, o.out, 'wake-sleep', files);
    await w('ws_summary', Object.keys(r.summary).map((k) => (typeof r.summary[k] === 'string' ? { name: k, type: 'dictionary' as const, values: [String(r.summary[k])] } : { name: k, type: 'float64' as const })), [r.summary]);
    await w('ws_trace', TABLES.ws_trace, r.trace);
    await w('ws_patterns', TABLES.ws_patterns, r.patterns);
    await w('ws_radius', TABLES.ws_radius, r.radius);
    await w('ws_prune', TABLES.ws_prune, r.prune);
    await w('recall', TABLES.recall, r.recall);
    await w('weight_hist', TABLES.weight_hist, r.hist);
    await w('dead_neurons', TABLES.dead_neurons, r.dead);
  }
  return { protocol: 'wake-sleep', summary: { protocol: 'wake-sleep', warnings: r.warnings, ws_summary: [r.summary] }, warnings: r.warnings, wakeSleep: r, files, wall_time_s: (performance.now() - t0) / 1000 };
}

/** Runs the synaptic-noise protocol. */
export async function runSynapticNoise(o: ConsolidationOptions & CommonOptions, hooks: RunHooks = {}): Promise<ConsolidationResult> {
  const t0 = performance.now();
  const pre = SN_PRESETS[o.preset];
  const perSample = 1 / o.dt;
  if (Math.abs(perSample - Math.round(perSample)) > 1e-9 * perSample) {
    throw new RangeError(`--dt: one sample per time unit needs a whole number of steps per unit, but 1/${o.dt} = ${perSample}; pass e.g. 5e-3, 2e-3 or 1e-3.`);
  }
  const r = runSynapticNoiseProtocol({
    nSynapses: o.nSynapses ?? pre.nSynapses,
    T: o.T ?? pre.T,
    zs: o.z ?? [1, 2, 3, 4, 5],
    dt: o.dt,
    sigma: 0.05,
    tau: 30,
    k: 0.5,
    b: 0.1,
    seed: o.seed,
    bootstrap: o.bootstrap,
    lag: 2,
    kaufman: o.kaufman ?? null,
    onProgress: (d, t, label) => hooks.progress?.(d, t, label),
  });
  const files: string[] = [];
  if (o.out !== null) {
    const w = tableWriter(o, o.out, 'synaptic-noise', files);
    const samples: Record<string, number>[] = [];
    for (const s of r.samples) for (let t = 0; t < s.nT; t++) for (let k = 0; k < s.nS; k++) samples.push({ z: s.z, sample: t, t, synapse: k, w: s.w[t * s.nS + k] });
    await w('sn_samples', TABLES.sn_samples, samples);
    await w('sn_cv', TABLES.sn_cv, r.cv);
    await w('sn_scaling', TABLES.sn_scaling, r.scaling);
    await w('sn_summary', TABLES.sn_summary, r.summary);
    await w('sn_population', TABLES.sn_population, r.population);
  }
  return { protocol: 'synaptic-noise', summary: { protocol: 'synaptic-noise', warnings: r.warnings, sn_summary: r.summary }, warnings: r.warnings, synapticNoise: r, files, wall_time_s: (performance.now() - t0) / 1000 };
}

/** Runs the protocol the options name. */
export function runConsolidation(o: ConsolidationOptions & CommonOptions, hooks: RunHooks = {}): Promise<ConsolidationResult> {
  if (o.protocol === 'wake-sleep') return runWakeSleep(o, hooks);
  if (o.protocol === 'synaptic-noise') return runSynapticNoise(o, hooks);
  return runCapacity(o, hooks);
}
