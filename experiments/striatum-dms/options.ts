/**
 * Options of the striatum-dms experiment (Perez et al. 2022): the single source for its CLI
 * flags, validation and docs, plus the pure helpers derived from them (the `--preset article`
 * overlay, the N_p blocks, the output folder's argument string, the per-simulation seeds and
 * the test schedule).
 *
 * Keys are the camelCase forms of the original `main_DMS.py` options (`P`, `Apostpre` and
 * `Aprepost` verbatim); `SNAKE_TO_CAMEL` maps the original snake_case spellings, which the
 * CLI accepts as well. Defaults are the original parser's, not the article's.
 */
import { randomInt } from 'node:crypto';
import { availableParallelism } from 'node:os';
import seedrandom from 'seedrandom';
import { z } from 'zod';

/** Values of `--stop_learning` (the original's strings, `None` included). */
export const STOP_LEARNING = ['None', 'exponential_trace', 'number_success'] as const;
export type StopLearning = (typeof STOP_LEARNING)[number];

const int = () => z.number().int();
const prob = () => z.number().min(0).max(1);
/** A list given as JSON array or as "a,b,c" (the original-style comma list). */
const intList = () => z.union([z.array(int().positive()), z.string()]);

export const dmsOptions = z
  .object({
    saveDir: z.string().default('../Simu').describe('output root, used when --save_dir or --name is given explicitly'),
    name: z.string().default('local/test').describe('"project/subproject" under the output root'),
    P: int().min(1).default(10).describe('number of cortical inputs'),
    stimByPattern: int().min(1).default(3).describe('inputs per pattern'),
    Apostpre: z.number().default(-1).describe('post→pre STDP amplitude (Δt < 0): −1 DMS-like, +1 DLS-like'),
    Aprepost: z.number().default(-1).describe('pre→post STDP amplitude (Δt > 0)'),
    homeostasy: z.number().default(0.95).describe('reward LTP factor in the learning and relearning phases'),
    epsilon: z.number().min(0).default(0.2).describe('learning rate of both plasticity terms'),
    noisePattern: z.number().min(0).default(0).describe('SD of the pattern spike-time jitter (ms)'),
    noiseInput: z.number().min(0).default(0.01).describe('random MSN input rate (1/ms); each cortical input gets rate/P'),
    stopLearning: z.enum(STOP_LEARNING).default('None').describe('plasticity gate: None, exponential_trace or number_success'),
    numSuccessParams: int().min(0).default(0).describe('number_success threshold'),
    pReward: prob().default(0.5).describe('probability that a pattern is rewarded'),
    stimDuration: z.number().positive().default(50).describe('trial length (ms)'),
    stimOffset: z.number().default(20).describe('pattern time within the trial (ms, at least one step)'),
    homeostasyPost: z.number().default(0).describe('reward factor in the initial and maintenance phases'),
    stimRecall: prob().default(0).describe('η_m: probability of presenting the pattern in the initial and maintenance phases'),
    dt: z.number().positive().default(0.2).describe('time step (ms)'),
    numTrainingInitial: int().min(0).default(200).describe('iterations of the initial phase'),
    numTrainingLearning: int().min(0).default(200).describe('iterations of the learning phase'),
    numTrainingMaintenance: int().min(0).default(200).describe('iterations of the maintenance phase'),
    numTrainingRecall: int().min(0).default(200).describe('iterations of the relearning (recall) phase'),
    numSimu: int().min(1).max(100000).default(500).describe('simulations per number of patterns'),
    newSet: int().min(0).max(1).default(0).describe('1: redraw patterns and labels after maintenance'),
    save: z.boolean().default(false).describe('accepted for compatibility; outputs are always written'),
    plot: z.boolean().default(false).describe('per-simulation V/spike traces and plots'),
    randomSeed: int().min(0).optional().describe('master seed (alias --seed); drawn at random when absent'),
    preset: z.enum(['article']).optional().describe("'article': the article's parameters except Apostpre and stim_recall (explicit options win)"),
    workers: int().min(1).optional().describe('worker threads (default min(num_simu, available parallelism))'),
    nPattern: intList().optional().describe('numbers of patterns N_p, e.g. 10,15 (default derived from P)'),
    numStats: int().min(1).optional().describe('simulations per analysis group (default num_simu: one group)'),
    ratioRecall: prob().default(0.6).describe('fraction of the learnt accuracy gain that defines T_relearning'),
    carryLastSpike: int().min(0).max(1).default(1).describe('1: input spikes of the last pre-test step reach test step 0 (original behaviour)'),
    sweep: z.union([z.array(z.string()), z.string()]).optional().describe('key=v1,v2 (repeatable): run the Cartesian product of the values'),
  })
  .strict();

/** Options as the schema accepts them (before defaults). */
export type DmsOptionsInput = z.input<typeof dmsOptions>;
type Parsed = z.infer<typeof dmsOptions>;

/** Resolved options: defaults and preset applied, lists normalised, cross-checked. */
export interface DmsOptions extends Omit<Parsed, 'nPattern' | 'sweep'> {
  /** Explicit N_p list (`--n_pattern`); absent: derived from P by `nPatternList`. */
  nPattern?: number[];
  /** `key=v1,v2` sweep specifications, in the order given. */
  sweep: string[];
}

/** The original `main_DMS.py` options in parser (table) order. */
export const ORIGINAL_OPTIONS = [
  'save_dir', 'name', 'P', 'stim_by_pattern', 'Apostpre', 'Aprepost', 'homeostasy', 'epsilon', 'noise_pattern',
  'noise_input', 'stop_learning', 'num_success_params', 'p_reward', 'stim_duration', 'stim_offset', 'homeostasy_post',
  'stim_recall', 'dt', 'num_training_initial', 'num_training_learning', 'num_training_maintenance',
  'num_training_recall', 'num_simu', 'new_set', 'save', 'plot', 'random_seed',
] as const;

const EXTENSION_OPTIONS = ['preset', 'workers', 'n_pattern', 'num_stats', 'ratio_recall', 'carry_last_spike', 'sweep'] as const;

/** snake_case (or verbatim) name → camelCase key, e.g. `stim_by_pattern` → `stimByPattern`. */
export function snakeToCamel(name: string): string {
  return name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** camelCase key → the original snake_case name (`P`, `Apostpre`, `Aprepost` unchanged). */
export function camelToSnake(key: string): string {
  if (key === 'P' || key === 'Apostpre' || key === 'Aprepost') return key;
  return key.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
}

/** Every original and extension option name (snake_case) → its camelCase key. */
export const SNAKE_TO_CAMEL: Readonly<Record<string, keyof Parsed>> = Object.freeze(
  Object.fromEntries([...ORIGINAL_OPTIONS, ...EXTENSION_OPTIONS].map((n) => [n, snakeToCamel(n) as keyof Parsed])),
);

const KEYS = new Set(Object.keys(dmsOptions.shape));

/**
 * The command-line spellings of an option key: `--kebab-case` and the original
 * `--snake_case` (one flag when they coincide). `P`, `Apostpre` and `Aprepost` keep their
 * case (`--P`, `--Apostpre`), which the generic camelCase → kebab-case rule would mangle.
 */
export function dmsFlags(key: string): string[] {
  if (key === 'P' || key === 'Apostpre' || key === 'Aprepost') return [`--${key}`];
  const kebab = `--${key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}`;
  const snake = `--${camelToSnake(key)}`;
  return kebab === snake ? [kebab] : [kebab, snake];
}

/** Values of `--preset article` (Cluster/params_DMS_article.txt), without Apostpre and stim_recall. */
export const ARTICLE_PRESET: Readonly<Partial<Parsed>> = Object.freeze({
  P: 10,
  stimByPattern: 3,
  Aprepost: -1,
  homeostasy: 0.95,
  epsilon: 0.02,
  noisePattern: 0.2,
  noiseInput: 0.005,
  stopLearning: 'None',
  numSuccessParams: 0,
  pReward: 0.5,
  stimDuration: 100,
  stimOffset: 50,
  homeostasyPost: 0,
  dt: 0.2,
  numTrainingInitial: 500,
  numTrainingLearning: 500,
  numTrainingMaintenance: 500,
  numTrainingRecall: 500,
  numSimu: 200,
  newSet: 0,
  save: true,
  plot: false,
  randomSeed: 0,
});

/** A bad option value; the message names the option by its original spelling. */
export class DmsOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DmsOptionsError';
  }
}

const flag = (key: string) => `--${camelToSnake(key)}`;

/** The options with their keys in camelCase; both spellings of one option is an error. */
function normaliseKeys(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const from: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    const key = k === 'seed' ? 'randomSeed' : KEYS.has(k) ? k : snakeToCamel(k);
    if (!KEYS.has(key)) throw new DmsOptionsError(`unknown option '${k}'`);
    if (key in out && out[key] !== v) {
      throw new DmsOptionsError(`${flag(key)}: given twice with different values ('${from[key]}' = ${String(out[key])}, '${k}' = ${String(v)})`);
    }
    out[key] = v;
    from[key] = k;
  }
  return out;
}

/** "10,15" or [10, 15] → [10, 15]. */
function parseIntList(v: string | number[], key: string): number[] {
  if (Array.isArray(v)) return v;
  const parts = v.split(',').map((s) => s.trim());
  const xs = parts.map(Number);
  if (parts.some((s) => !/^\d+$/.test(s)) || xs.some((x) => x < 1)) {
    throw new DmsOptionsError(`${flag(key)}: expects positive whole numbers separated by commas, got '${v}'`);
  }
  return xs;
}

/** Number of steps of a duration, truncated like the original's int(x/dt). */
export function toSteps(ms: number, dt: number): number {
  return Math.trunc(ms / dt);
}

function stepWarning(key: string, ms: number, dt: number): string | null {
  const r = ms / dt;
  const n = Math.round(r);
  if (Math.abs(r - n) > 1e-9 || Math.trunc(r) !== n) {
    return `${flag(key)} = ${ms} ms is ${r} steps of dt = ${dt} ms; it is truncated to ${Math.trunc(r)} steps`;
  }
  return null;
}

/** Result of `resolveDmsOptions`: the options and non-fatal remarks for the user. */
export interface ResolvedDmsOptions {
  options: DmsOptions;
  warnings: string[];
}

/**
 * Validates options given in either spelling (camelCase or the original snake_case; `seed`
 * is an alias of `random_seed`), applies defaults and `--preset article`, and cross-checks
 * them. `explicit` names the options the user gave (either spelling); preset values never
 * replace those. Without it, every key present in `raw` counts as explicit (raw holds only
 * what the user gave). Throws DmsOptionsError naming the offending option.
 */
export function resolveDmsOptions(raw: Record<string, unknown>, explicit?: Iterable<string>): ResolvedDmsOptions {
  const norm = normaliseKeys(raw);
  const given = new Set<string>();
  for (const k of explicit ?? Object.keys(norm)) {
    given.add(k === 'seed' ? 'randomSeed' : KEYS.has(k) ? k : snakeToCamel(k));
  }
  const parsed = dmsOptions.safeParse(norm);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const key = String(i.path[0] ?? '');
      return `  ${key ? flag(key) : 'options'}: ${i.message}`;
    });
    throw new DmsOptionsError(`invalid options:\n${lines.join('\n')}`);
  }
  const p: Parsed = { ...parsed.data };
  if (p.preset === 'article') {
    for (const [k, v] of Object.entries(ARTICLE_PRESET)) if (!given.has(k)) (p as Record<string, unknown>)[k] = v;
  }
  const options: DmsOptions = {
    ...p,
    nPattern: p.nPattern === undefined ? undefined : parseIntList(p.nPattern, 'nPattern'),
    sweep: p.sweep === undefined ? [] : Array.isArray(p.sweep) ? [...p.sweep] : [p.sweep],
  };
  const warnings = checkOptions(options);
  return { options, warnings };
}

/** Cross-option checks; returns warnings, throws on errors. */
function checkOptions(o: DmsOptions): string[] {
  const warnings: string[] = [];
  if (o.stimByPattern > o.P) throw new DmsOptionsError(`--stim_by_pattern (${o.stimByPattern}) must not exceed --P (${o.P})`);
  for (const key of ['stimDuration', 'stimOffset'] as const) {
    const w = stepWarning(key, o[key], o.dt);
    if (w) warnings.push(w);
  }
  const D = toSteps(o.stimDuration, o.dt);
  const O = toSteps(o.stimOffset, o.dt);
  if (D < 2) throw new DmsOptionsError(`--stim_duration (${o.stimDuration} ms) must last at least 2 steps of dt = ${o.dt} ms`);
  if (O < 1) throw new DmsOptionsError(`--stim_offset (${o.stimOffset} ms) must be at least one step (dt = ${o.dt} ms)`);
  if (O > D - 1) {
    throw new DmsOptionsError(`--stim_offset (${o.stimOffset} ms = ${O} steps) must end before the trial's last step (--stim_duration ${o.stimDuration} ms = ${D} steps)`);
  }
  const pMax = o.dt * 4 * o.noiseInput;
  if (pMax > 1) warnings.push(`--noise_input ${o.noiseInput}: the per-step probability of the random input reaches ${pMax} (dt·4·noise_input) and is clamped to 1`);
  if (o.numStats !== undefined) {
    if (o.numStats > o.numSimu) throw new DmsOptionsError(`--num_stats (${o.numStats}) must not exceed --num_simu (${o.numSimu})`);
    if (o.numSimu % o.numStats !== 0) {
      warnings.push(`--num_simu ${o.numSimu} is not a multiple of --num_stats ${o.numStats}: the last ${o.numSimu % o.numStats} simulations are left out of the group analysis`);
    }
  }
  nPatternList(o.P, o.stimByPattern, o.nPattern);
  parseSweep(o.sweep);
  return warnings;
}

/** C(n, k), exact for the sizes used here. */
export function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  const m = Math.min(k, n - k);
  let c = 1;
  for (let i = 1; i <= m; i++) c = (c * (n - m + i)) / i;
  return Math.round(c);
}

/**
 * The N_p blocks (spec §3): P 10 → [10, 15], P 20 → [30], otherwise P/2, P, 3P/2, … < 2P
 * with integer P/2; `override` (`--n_pattern`) replaces the derived list. Throws if a block
 * needs more patterns than the C(P, stim_by_pattern) possible ones.
 */
export function nPatternList(P: number, stimByPattern: number, override?: readonly number[]): number[] {
  let list: number[];
  if (override !== undefined) {
    if (override.length === 0) throw new DmsOptionsError('--n_pattern: give at least one number of patterns');
    list = [...override];
  } else if (P === 10) list = [10, 15];
  else if (P === 20) list = [30];
  else {
    const step = Math.floor(P / 2);
    if (step < 1) throw new DmsOptionsError(`--P ${P}: no number of patterns can be derived (P/2 < 1); give --n_pattern`);
    list = [];
    for (let n = step; n < 2 * P; n += step) list.push(n);
  }
  const c = binomial(P, stimByPattern);
  for (const n of list) {
    if (!Number.isInteger(n) || n < 1) throw new DmsOptionsError(`--n_pattern: ${n} is not a positive whole number`);
    if (n > c) {
      throw new DmsOptionsError(`--n_pattern: ${n} patterns requested but only C(${P}, ${stimByPattern}) = ${c} distinct patterns exist`);
    }
  }
  return list;
}

/** Python's str() of a float: shortest round-trip digits, '.0' on integers, e-notation outside [1e-4, 1e16). */
export function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mant, expS] = x.toExponential().split('e');
  const exp = Number(expS);
  if (exp < -4 || exp >= 16) {
    const e = Math.abs(exp);
    return `${mant}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  let s: string;
  if (exp >= 0) {
    const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
    const frac = digits.slice(exp + 1);
    s = `${intPart}.${frac === '' ? '0' : frac}`;
  } else {
    s = `0.${'0'.repeat(-exp - 1)}${digits}`;
  }
  return neg ? '-' + s : s;
}

const FLOAT_OPTIONS = new Set([
  'Apostpre', 'Aprepost', 'homeostasy', 'epsilon', 'noisePattern', 'noiseInput', 'pReward', 'stimDuration', 'stimOffset',
  'homeostasyPost', 'stimRecall', 'dt',
]);

/** One option value as the original's argparse namespace prints it (Python str()). */
export function pythonValue(key: string, v: unknown): string {
  if (v === undefined || v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return FLOAT_OPTIONS.has(key) ? pythonFloat(v) : String(v);
  return String(v);
}

/**
 * The output folder name of a run (spec §4): `key=value` for every original option except
 * name and save_dir, in the parser's order, joined by `_`, values printed as Python does
 * (`Apostpre=-1.0`, `stop_learning=None`, `random_seed=None`, `save=False`).
 */
export function argString(o: Pick<DmsOptions, keyof DmsOptions>): string {
  const parts: string[] = [];
  for (const name of ORIGINAL_OPTIONS) {
    if (name === 'name' || name === 'save_dir') continue;
    const key = snakeToCamel(name) as keyof DmsOptions;
    parts.push(`${name}=${pythonValue(key, o[key])}`);
  }
  return parts.join('_');
}

/**
 * The per-simulation seeds (spec §3): alea(String(masterSeed)) draws integers in
 * [0, 100000), duplicates are rejected. The list for n is a prefix of the list for n + 1, so
 * simulation k keeps its seed whatever num_simu is.
 */
export function seedList(masterSeed: number, n: number): number[] {
  if (!Number.isInteger(n) || n < 0 || n > 100000) throw new RangeError(`seedList: n must be a whole number in [0, 100000], got ${n}`);
  const rng = seedrandom.alea(String(masterSeed));
  const seen = new Set<number>();
  const out: number[] = [];
  while (out.length < n) {
    const s = Math.floor(rng() * 100000);
    if (seen.has(s)) continue;
    seen.add(s);
    out.push(s);
  }
  return out;
}

/** Phase labels of the tests, in protocol order; `final` is the test after recall. */
export const DMS_PHASES = ['initial', 'learning', 'maintenance', 'recall'] as const;
export type DmsPhase = (typeof DMS_PHASES)[number];
export type DmsTestPhase = DmsPhase | 'final';

/** Whether phase-local iteration i starts with a test (dense every 5 below 50, then every 50). */
export function isTestIteration(i: number): boolean {
  return i < 50 ? i % 5 === 0 : i % 50 === 0;
}

/** The phase lengths [initial, learning, maintenance, recall] of resolved options. */
export function phaseLengths(o: Pick<DmsOptions, 'numTrainingInitial' | 'numTrainingLearning' | 'numTrainingMaintenance' | 'numTrainingRecall'>): [number, number, number, number] {
  return [o.numTrainingInitial, o.numTrainingLearning, o.numTrainingMaintenance, o.numTrainingRecall];
}

/** Test stamps (global iteration) with the phase whose loop runs each test; the last is the final test. */
export function testSchedule(lengths: readonly number[]): { iteration: number[]; phase: DmsTestPhase[] } {
  if (lengths.length !== 4) throw new RangeError(`testSchedule: expected 4 phase lengths, got ${lengths.length}`);
  const iteration: number[] = [];
  const phase: DmsTestPhase[] = [];
  let offset = 0;
  for (let p = 0; p < 4; p++) {
    for (let i = 0; i < lengths[p]; i++) {
      if (isTestIteration(i)) {
        iteration.push(offset + i);
        phase.push(DMS_PHASES[p]);
      }
    }
    offset += lengths[p];
  }
  iteration.push(offset);
  phase.push('final');
  return { iteration, phase };
}

/** The iterations at which tests are stamped (spec §3), final test included. */
export function testStamps(lengths: readonly number[]): number[] {
  return testSchedule(lengths).iteration;
}

/** One `--sweep` axis: an option key (camelCase) and its values, parsed by the schema. */
export interface SweepAxis {
  key: keyof Parsed;
  /** The option's name as the user wrote it, used in folder names. */
  name: string;
  values: unknown[];
}

const NOT_SWEEPABLE = new Set(['preset', 'sweep', 'workers', 'saveDir', 'name', 'numSimu', 'randomSeed']);

/** Parses `key=v1,v2` strings; values are validated by the option's schema entry. */
export function parseSweep(specs: readonly string[]): SweepAxis[] {
  const axes: SweepAxis[] = [];
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    if (eq <= 0) throw new DmsOptionsError(`--sweep: expected key=v1,v2, got '${spec}'`);
    const name = spec.slice(0, eq).trim();
    const key = (KEYS.has(name) ? name : snakeToCamel(name)) as keyof Parsed;
    if (!KEYS.has(key)) throw new DmsOptionsError(`--sweep: unknown option '${name}'`);
    if (NOT_SWEEPABLE.has(key)) throw new DmsOptionsError(`--sweep: ${flag(key)} cannot be swept`);
    if (axes.some((a) => a.key === key)) throw new DmsOptionsError(`--sweep: ${flag(key)} is swept twice`);
    const field = dmsOptions.shape[key] as z.ZodTypeAny;
    const texts = spec.slice(eq + 1).split(',').map((s) => s.trim());
    if (texts.some((t) => t === '')) throw new DmsOptionsError(`--sweep ${name}: empty value in '${spec}'`);
    const values = texts.map((t) => {
      const candidates: unknown[] = [t];
      if (t !== '' && Number.isFinite(Number(t))) candidates.unshift(Number(t));
      if (t === 'true' || t === 'false') candidates.unshift(t === 'true');
      for (const c of candidates) {
        const r = field.safeParse(c);
        if (r.success) return r.data;
      }
      throw new DmsOptionsError(`--sweep ${name}: '${t}' is not a valid value of ${flag(key)}`);
    });
    axes.push({ key, name, values });
  }
  return axes;
}

/** One sweep condition: the swept values and the options to run it with. */
export interface SweepCondition {
  /** Swept option name (as given) → value. */
  args: Record<string, unknown>;
  /** Folder name: the swept `name=value` pairs joined by `_` (Python formatting). */
  folder: string;
  options: DmsOptions;
}

/**
 * The Cartesian product of the sweep axes over `base` (first axis varies slowest). Each
 * condition's options are cross-checked again; the sweep list itself is cleared in them.
 */
export function sweepConditions(base: DmsOptions, axes: readonly SweepAxis[]): SweepCondition[] {
  let combos: Array<Array<[SweepAxis, unknown]>> = [[]];
  for (const axis of axes) combos = combos.flatMap((c) => axis.values.map((v) => [...c, [axis, v] as [SweepAxis, unknown]]));
  if (axes.length === 0) return [];
  return combos.map((combo) => {
    const options: DmsOptions = { ...base, sweep: [] };
    const args: Record<string, unknown> = {};
    for (const [axis, v] of combo) {
      (options as unknown as Record<string, unknown>)[axis.key] = axis.key === 'nPattern' ? parseIntList(v as string | number[], 'nPattern') : v;
      args[axis.name] = v;
    }
    checkOptions(options);
    const folder = combo.map(([axis, v]) => `${axis.name}=${pythonValue(axis.key, v)}`).join('_');
    return { args, folder, options };
  });
}

/**
 * The master seed from `--random_seed` and its alias `--seed` (both with different values is
 * an error); undefined if neither is given.
 */
export function resolveSeed(randomSeed: number | undefined, seed: number | undefined): number | undefined {
  if (randomSeed !== undefined && seed !== undefined && randomSeed !== seed) {
    throw new DmsOptionsError(`--seed (${seed}) and --random_seed (${randomSeed}) disagree; give one of them`);
  }
  return randomSeed ?? seed;
}

/** A fresh master seed for runs without --random_seed/--seed (recorded in summary.json). */
export function randomMasterSeed(): number {
  return randomInt(0, 2 ** 31);
}

/** Worker threads: `--workers`, else min(num_simu, available parallelism). */
export function workerCount(o: Pick<DmsOptions, 'workers' | 'numSimu'>, available = availableParallelism()): number {
  return o.workers ?? Math.max(1, Math.min(o.numSimu, available));
}
