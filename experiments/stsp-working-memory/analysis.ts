/**
 * The analyses of a trained network (spec §6), each re-simulating fresh noisy batches:
 * accuracy, sample decoding from activity and from synaptic efficacy (linear SVMs), tuning
 * (PEV and preferred direction), the shuffle analysis at delay and test onset, and the
 * response matrix under single-unit silencing.
 */
import { shuffleInPlace } from '../../engine/rng.js';
import type { StspRnn, Tape, StateView } from '../../models/stsp_rnn.js';
import { rnnNoise } from './network.js';
import type { Par } from './parameters.js';
import { getPerf, perfCounts } from './perf.js';
import { Draws } from './random.js';
import { generateTrial, type TrialBatch } from './stimulus.js';
import { fitLinearSvc, predictLinearSvc } from './svm.js';

/** Which analyses to run and how many repetitions. */
export type AnalysisLevel = 'quick' | 'full';

/** Options common to the analyses. */
export interface AnalysisOptions {
  seed: number;
  level: AnalysisLevel;
  /** Trials per analysis batch (1024 in the spec). */
  trials: number;
  progress?: (label: string) => void;
  /** Decode only these steps (default: those of the level). */
  steps?: number[];
  /** Shuffle only these trial sets (default: both). */
  shuffleSets?: Array<'standard' | 'test_mode'>;
}

/** A batch run forward once with fresh noise. */
export interface SimulatedBatch {
  trials: TrialBatch;
  tape: Tape;
}

/** Forward pass of a batch with its own recurrent noise stream (`tag`). */
export function simulateBatch(par: Par, net: StspRnn, trials: TrialBatch, seed: number, tag: string, extra: { initState?: StateView; startStep?: number; intervene?: (k: number, s: StateView) => void; silence?: Float64Array | null } = {}): Tape {
  const T = par.num_time_steps;
  const B = trials.batchSize;
  const noise = new Float32Array(T * B * par.n_hidden);
  rnnNoise(par, seed, 0, tag, 0, B, noise, extra.startStep ?? 0);
  return net.forward(trials.neural_input, T, B, { noise, startStep: extra.startStep, intervene: extra.intervene, silence: extra.silence });
}

/** Accuracy of a simulated batch overall and per match / non-match. */
export function batchAccuracy(par: Par, s: SimulatedBatch, onlyRule?: number): { accuracy: number; accuracy_match: number; accuracy_non_match: number } {
  const { trials, tape } = s;
  if (onlyRule === undefined) return getPerf(perfCounts(tape.y, trials.desired_output, trials.train_mask, tape.T, tape.B, par.n_output));
  // Mask out the other rules' trials.
  const mask = Float32Array.from(trials.train_mask);
  for (let k = 0; k < tape.T; k++) for (let b = 0; b < tape.B; b++) if (trials.rule[b] !== onlyRule) mask[k * tape.B + b] = 0;
  return getPerf(perfCounts(tape.y, trials.desired_output, mask, tape.T, tape.B, par.n_output));
}

/** Mean h over the epochs of spec §2 (fixation, sample, early and late delay, test). */
export function meanHByEpoch(par: Par, tape: Tape): Record<string, number> {
  const N = par.n_hidden;
  const B = tape.B;
  const epochs: Record<string, [number, number]> = {
    fixation: [par.dead_end, par.fix_end],
    sample: [par.fix_end, par.sample_end],
    early_delay: [par.sample_end, Math.floor((par.sample_end + par.delay_end) / 2)],
    late_delay: [Math.floor((par.sample_end + par.delay_end) / 2), par.delay_end],
    test: [par.test_onset, par.num_time_steps],
  };
  const out: Record<string, number> = {};
  for (const [name, [s, e]] of Object.entries(epochs)) {
    let sum = 0;
    for (let k = s; k < e; k++) for (let q = (k + 1) * B * N; q < (k + 2) * B * N; q++) sum += tape.h[q];
    out[name] = e > s ? sum / ((e - s) * B * N) : NaN;
  }
  return out;
}

/** The label decoded under a rule: the sample direction, or its category under a DMC rule. */
function decodeLabel(par: Par, rule: number, sample: number): number {
  return par.rule_kinds[rule] === 'dmc' ? Math.floor(sample / (par.num_motion_dirs / 2)) : sample;
}

/** Steps decoded at each analysis level. */
export function decodingSteps(par: Par, level: AnalysisLevel): number[] {
  const T = par.num_time_steps;
  if (level === 'full') return Array.from({ length: T }, (_, k) => k);
  const set = new Set<number>();
  for (let k = 0; k < T; k += 10) set.add(k);
  for (let k = Math.max(0, par.delay_end - 10); k < par.delay_end; k++) set.add(k);
  return [...set].sort((a, b) => a - b);
}

/** One decoding result row. */
export interface DecodingRow {
  source: 'neuronal' | 'synaptic';
  label: 'sample' | 'category';
  rule: number;
  rep: number;
  t: number;
  accuracy: number;
}

/**
 * Sample decoding (calculateSvms): for each rule, step and source, `reps` times: split each
 * class 75/25, resample both parts with replacement to 25 per class (100 with ≤ 2 classes),
 * min-max normalise each unit on the training part, fit, score the test part.
 */
export function calculateSvms(par: Par, sim: SimulatedBatch, o: AnalysisOptions): DecodingRow[] {
  const { trials, tape } = sim;
  const N = par.n_hidden;
  const B = tape.B;
  const reps = o.level === 'full' ? 100 : 10;
  const steps = o.steps ?? decodingSteps(par, o.level);
  const rows: DecodingRow[] = [];
  const draws = new Draws(`stsp/${o.seed}/analysis/decoding`);
  for (let rule = 0; rule < par.num_rules; rule++) {
    const dmc = par.rule_kinds[rule] === 'dmc';
    const nClasses = dmc ? 2 : par.num_motion_dirs;
    const perClass = nClasses <= 2 ? 100 : 25;
    const byClass: number[][] = Array.from({ length: nClasses }, () => []);
    for (let b = 0; b < B; b++) if (trials.rule[b] === rule) byClass[decodeLabel(par, rule, trials.sample[b])].push(b);
    const nTrain = perClass * nClasses;
    const trainIdx = new Int32Array(nTrain);
    const testIdx = new Int32Array(nTrain);
    const yTrain = new Int32Array(nTrain);
    const Xtr = new Float64Array(nTrain * N);
    const Xte = new Float64Array(nTrain * N);
    const votes = new Int32Array(nClasses);
    for (let rep = 0; rep < reps; rep++) {
      // The split and resampling are shared by every step and source of this rep.
      let q = 0;
      for (let c = 0; c < nClasses; c++) {
        const ids = byClass[c].slice();
        shuffleInPlace(ids, (k) => draws.int(k));
        const cut = Math.round(0.75 * ids.length);
        const tr = ids.slice(0, cut);
        const te = ids.slice(cut);
        for (let s = 0; s < perClass; s++) {
          trainIdx[q] = tr.length > 0 ? tr[draws.int(tr.length)] : -1;
          testIdx[q] = te.length > 0 ? te[draws.int(te.length)] : -1;
          yTrain[q] = c;
          q++;
        }
      }
      for (const source of ['neuronal', 'synaptic'] as const) {
        for (const k of steps) {
          const off = (k + 1) * B * N;
          const value = (b: number, i: number) => (source === 'neuronal' ? tape.h[off + b * N + i] : tape.x[off + b * N + i] * tape.u[off + b * N + i]);
          let usable = 0;
          for (let r = 0; r < nTrain; r++) {
            const bt = trainIdx[r];
            const be = testIdx[r];
            for (let i = 0; i < N; i++) {
              Xtr[r * N + i] = bt >= 0 ? value(bt, i) : 0;
              Xte[r * N + i] = be >= 0 ? value(be, i) : 0;
            }
            if (bt >= 0 && be >= 0) usable++;
          }
          normaliseOnTrain(Xtr, Xte, nTrain, N);
          const svc = fitLinearSvc(Xtr, yTrain, N, nClasses);
          let correct = 0;
          let total = 0;
          for (let r = 0; r < nTrain; r++) {
            if (testIdx[r] < 0) continue;
            total++;
            if (predictLinearSvc(svc, Xte, r, votes) === yTrain[r]) correct++;
          }
          rows.push({ source, label: dmc ? 'category' : 'sample', rule, rep, t: k, accuracy: usable > 0 && total > 0 ? correct / total : NaN });
        }
      }
      o.progress?.(`decoding rep ${rep + 1}/${reps}`);
    }
  }
  return rows;
}

/** Min-max normalisation per unit with the training rows' range (only the min is subtracted where max = min). */
export function normaliseOnTrain(Xtr: Float64Array, Xte: Float64Array, n: number, d: number): void {
  for (let f = 0; f < d; f++) {
    let mn = Infinity;
    let mx = -Infinity;
    for (let r = 0; r < n; r++) {
      const v = Xtr[r * d + f];
      if (v < mn) mn = v;
      if (v > mx) mx = v;
    }
    const span = mx > mn ? mx - mn : 1;
    for (let r = 0; r < n; r++) {
      Xtr[r * d + f] = (Xtr[r * d + f] - mn) / span;
      Xte[r * d + f] = (Xte[r * d + f] - mn) / span;
    }
  }
}

/** Mean decoding accuracy over steps [s, e) per rule and source. */
export function meanDecoding(rows: readonly DecodingRow[], source: DecodingRow['source'], rules: number, s: number, e: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < rules; r++) {
    let sum = 0;
    let n = 0;
    for (const row of rows) if (row.source === source && row.rule === r && row.t >= s && row.t < e && Number.isFinite(row.accuracy)) {
      sum += row.accuracy;
      n++;
    }
    out.push(n > 0 ? sum / n : NaN);
  }
  return out;
}

/** One tuning row. */
export interface TuningRow {
  source: 'neuronal' | 'synaptic';
  unit: number;
  rule: number;
  t: number;
  pev: number;
  pref_dir_rad: number;
}

/**
 * Tuning (calculateTuning): per unit, rule and step, least squares of h (or x·u) on
 * [1, cos θ, sin θ] of the sample direction θ; PEV = 1 − MSE/(Var + 1e-9), preferred
 * direction atan2(β_sin, β_cos). Works on copies, never on the tape.
 */
export function calculateTuning(par: Par, sim: SimulatedBatch): TuningRow[] {
  const { trials, tape } = sim;
  const N = par.n_hidden;
  const B = tape.B;
  const T = par.num_time_steps;
  const rows: TuningRow[] = [];
  for (let rule = 0; rule < par.num_rules; rule++) {
    const ids: number[] = [];
    for (let b = 0; b < B; b++) if (trials.rule[b] === rule) ids.push(b);
    const n = ids.length;
    const cs = ids.map((b) => Math.cos((2 * Math.PI * trials.sample[b]) / par.num_motion_dirs));
    const sn = ids.map((b) => Math.sin((2 * Math.PI * trials.sample[b]) / par.num_motion_dirs));
    // Normal equations of the 3-column design, shared by every unit and step.
    const A = [
      [n, sum(cs), sum(sn)],
      [sum(cs), dot(cs, cs), dot(cs, sn)],
      [sum(sn), dot(cs, sn), dot(sn, sn)],
    ];
    const Ainv = invert3(A);
    for (const source of ['neuronal', 'synaptic'] as const) {
      for (let k = 0; k < T; k++) {
        const off = (k + 1) * B * N;
        for (let i = 0; i < N; i++) {
          let s0 = 0;
          let s1 = 0;
          let s2 = 0;
          let s00 = 0;
          for (let q = 0; q < n; q++) {
            const b = ids[q];
            const v = source === 'neuronal' ? tape.h[off + b * N + i] : tape.x[off + b * N + i] * tape.u[off + b * N + i];
            s0 += v;
            s1 += v * cs[q];
            s2 += v * sn[q];
            s00 += v * v;
          }
          const beta = [0, 1, 2].map((r) => Ainv[r][0] * s0 + Ainv[r][1] * s1 + Ainv[r][2] * s2);
          const mean = s0 / n;
          const variance = s00 / n - mean * mean;
          // Residual sum of squares = Σv² − βᵀXᵀv for the least-squares β.
          const mse = Math.max(0, (s00 - (beta[0] * s0 + beta[1] * s1 + beta[2] * s2)) / n);
          let pev = 1 - mse / (variance + 1e-9);
          if (source === 'neuronal' && variance <= 1e-9) pev = 0;
          rows.push({ source, unit: i, rule, t: k, pev, pref_dir_rad: Math.atan2(beta[2], beta[1]) });
        }
      }
    }
  }
  return rows;
}

const sum = (a: number[]) => a.reduce((s, v) => s + v, 0);
const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0);

function invert3(m: number[][]): number[][] {
  const [[a, b, c], [d, e, f], [g, h, i]] = m;
  const A = e * i - f * h;
  const Bc = -(d * i - f * g);
  const Cc = d * h - e * g;
  const det = a * A + b * Bc + c * Cc;
  const inv = 1 / det;
  return [
    [A * inv, -(b * i - c * h) * inv, (b * f - c * e) * inv],
    [Bc * inv, (a * i - c * g) * inv, -(a * f - c * d) * inv],
    [Cc * inv, -(a * h - b * g) * inv, (a * e - b * d) * inv],
  ];
}

/** Unit groups of the group shuffles. */
export const SHUFFLE_GROUPS = ['all', 'exc_fac', 'exc_dep', 'inh_fac', 'inh_dep'] as const;
export type ShuffleGroup = (typeof SHUFFLE_GROUPS)[number];

function groupUnits(par: Par, g: ShuffleGroup): Uint8Array {
  const N = par.n_hidden;
  const nE = par.num_exc_units;
  const m = new Uint8Array(N);
  for (let i = 0; i < N; i++) {
    const exc = i < nE;
    const even = i % 2 === 0;
    m[i] = g === 'all' || (g === 'exc_fac' && exc && even) || (g === 'exc_dep' && exc && !even) || (g === 'inh_fac' && !exc && even) || (g === 'inh_dep' && !exc && !even) ? 1 : 0;
  }
  return m;
}

/** One shuffle row. */
export interface ShuffleRow {
  trial_set: 'standard' | 'test_mode';
  group: ShuffleGroup;
  kind: 'none' | 'neural' | 'synaptic';
  rule: number;
  onset_step: number;
  rep: number;
  accuracy: number;
}

/**
 * The shuffle analysis (simulateNetwork): for each rule and onset t0, restart the batch from
 * its state after step t0−1 and re-run steps t0… with fresh noise, as is ('none'), with h
 * permuted across trials ('neural') and with x, u permuted by the same permutation
 * ('synaptic'); accuracy by getPerf.
 */
export function simulateNetwork(par: Par, net: StspRnn, sets: Record<'standard' | 'test_mode', SimulatedBatch[]>, o: AnalysisOptions, onsets = [100, 200]): ShuffleRow[] {
  const rows: ShuffleRow[] = [];
  const N = par.n_hidden;
  const reps = o.level === 'full' ? 100 : 5;
  const groupReps = 5;
  const groups: ShuffleGroup[] = o.level === 'full' ? [...SHUFFLE_GROUPS] : ['all'];
  for (const set of o.shuffleSets ?? (['standard', 'test_mode'] as const)) {
    for (let rule = 0; rule < par.num_rules; rule++) {
      const sim = sets[set][Math.min(rule, sets[set].length - 1)];
      const B = sim.tape.B;
      for (const t0 of onsets) {
        if (t0 >= par.num_time_steps) continue;
        for (const group of groups) {
          const units = groupUnits(par, group);
          const nReps = group === 'all' ? reps : groupReps;
          for (let rep = 0; rep < nReps; rep++) {
            const perm = permutation(B, new Draws(`stsp/${o.seed}/analysis/shuffle/${set}/${rule}/${t0}/${group}/${rep}`));
            const kinds: ShuffleRow['kind'][] = group === 'all' ? ['none', 'neural', 'synaptic'] : ['neural', 'synaptic'];
            for (const kind of kinds) {
              const restart = (k: number, s: StateView) => {
                if (k !== t0) return;
                // Replace the state after step t0−1 with the batch's own (then permuted) state.
                const src = t0 * B * N;
                const hs = sim.tape.h;
                const xs = sim.tape.x;
                const us = sim.tape.u;
                for (let b = 0; b < B; b++) {
                  for (let i = 0; i < N; i++) {
                    const q = s.offset + b * N + i;
                    const own = src + b * N + i;
                    const other = src + perm[b] * N + i;
                    const shuffle = units[i] === 1;
                    s.h[q] = kind === 'neural' && shuffle ? hs[other] : hs[own];
                    s.x[q] = kind === 'synaptic' && shuffle ? xs[other] : xs[own];
                    s.u[q] = kind === 'synaptic' && shuffle ? us[other] : us[own];
                  }
                }
              };
              const tape = simulateBatch(par, net, sim.trials, o.seed, `shuffle-${set}-${rule}-${t0}-${group}-${rep}-${kind}`, { startStep: t0, intervene: restart });
              // Score only the re-run part: the decision window lies after every onset.
              const acc = batchAccuracy(par, { trials: sim.trials, tape }, par.num_rules > 1 ? rule : undefined).accuracy;
              rows.push({ trial_set: set, group, kind, rule, onset_step: t0, rep, accuracy: acc });
            }
          }
          o.progress?.(`shuffle ${set} rule ${rule} onset ${t0} ${group}`);
        }
      }
    }
  }
  return rows;
}

function permutation(n: number, d: Draws): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  shuffleInPlace(p, (k) => d.int(k));
  return p;
}

/** Mean shuffle accuracy per rule for one (set, onset, kind), group 'all'. */
export function meanShuffle(rows: readonly ShuffleRow[], set: ShuffleRow['trial_set'], onset: number, kind: ShuffleRow['kind'], rules: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < rules; r++) {
    const v = rows.filter((x) => x.trial_set === set && x.onset_step === onset && x.kind === kind && x.group === 'all' && x.rule === r).map((x) => x.accuracy);
    out.push(v.length > 0 ? v.reduce((a, b) => a + b, 0) / v.length : NaN);
  }
  return out;
}

/** One response-matrix row. */
export interface ResponseRow {
  silenced_unit: number;
  unit: number;
  sample: number;
  test: number;
  mean_rate: number;
}

/**
 * Response matrix (calculateResponseMatrix), on test-mode trials: mean h over the test period
 * per (sample, test) pair, intact and with each unit silenced from the test onset on.
 */
export function calculateResponseMatrix(par: Par, net: StspRnn, sim: SimulatedBatch, o: AnalysisOptions): ResponseRow[] {
  const N = par.n_hidden;
  const T = par.num_time_steps;
  const t0 = par.test_onset;
  const rows: ResponseRow[] = [];
  const collect = (tape: Tape, silenced: number) => {
    const B = tape.B;
    const nD = par.num_motion_dirs;
    const sums = new Float64Array(N * nD * nD);
    const counts = new Float64Array(nD * nD);
    for (let b = 0; b < B; b++) {
      const s = sim.trials.sample[b];
      const t = sim.trials.test[b];
      if (t < 0) continue;
      counts[s * nD + t] += T - t0;
      for (let k = t0; k < T; k++) for (let i = 0; i < N; i++) sums[(i * nD + s) * nD + t] += tape.h[(k + 1) * B * N + b * N + i];
    }
    for (let i = 0; i < N; i++) for (let s = 0; s < nD; s++) for (let t = 0; t < nD; t++) {
      const c = counts[s * nD + t];
      rows.push({ silenced_unit: silenced, unit: i, sample: s, test: t, mean_rate: c > 0 ? sums[(i * nD + s) * nD + t] / c : NaN });
    }
  };
  collect(sim.tape, -1);
  const B = sim.tape.B;
  for (let unit = 0; unit < N; unit++) {
    const silence = new Float64Array(T * N).fill(1);
    for (let k = t0; k < T; k++) silence[k * N + unit] = 0;
    const restart = (k: number, s: StateView) => {
      if (k !== t0) return;
      const src = t0 * B * N;
      s.h.set(sim.tape.h.subarray(src, src + B * N), s.offset);
      s.x.set(sim.tape.x.subarray(src, src + B * N), s.offset);
      s.u.set(sim.tape.u.subarray(src, src + B * N), s.offset);
    };
    const tape = simulateBatch(par, net, sim.trials, o.seed, `silence-${unit}`, { startStep: t0, intervene: restart, silence });
    collect(tape, unit);
    o.progress?.(`silencing unit ${unit + 1}/${N}`);
  }
  return rows;
}

/** Fresh analysis batches: standard and test-mode trials (one batch per rule with ≥ 2 rules, for the shuffles). */
export function analysisBatches(par: Par, net: StspRnn, o: AnalysisOptions): { standard: SimulatedBatch; testMode: SimulatedBatch; perRule: Record<'standard' | 'test_mode', SimulatedBatch[]> } {
  const make = (testMode: boolean, tag: string, setRule?: number): SimulatedBatch => {
    const trials = generateTrial(par, { batchSize: o.trials, seed: o.seed, iteration: 0, tag, testMode, setRule });
    return { trials, tape: simulateBatch(par, net, trials, o.seed, tag) };
  };
  const standard = make(false, 'analysis-standard');
  const testMode = make(true, 'analysis-test-mode');
  if (par.num_rules === 1) return { standard, testMode, perRule: { standard: [standard], test_mode: [testMode] } };
  const perRule = { standard: [] as SimulatedBatch[], test_mode: [] as SimulatedBatch[] };
  for (let r = 0; r < par.num_rules; r++) {
    perRule.standard.push(make(false, `analysis-standard-rule${r}`, r));
    perRule.test_mode.push(make(true, `analysis-test-mode-rule${r}`, r));
  }
  return { standard, testMode, perRule };
}
