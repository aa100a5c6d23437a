/**
 * The weights file of the original's pretrained network (spec §8): `W[post][pre]`,
 * `C[neuron][input]`, `b`, `D[out][neuron]` (2×N for estimation, 1×N for classification),
 * optionally `W_init_used_for_training` and `D_init_used_for_training`, and the `params` and
 * `input_params` dictionaries. Keys of the parameter table are honoured, others ignored with
 * one warning.
 */
import { readFileSync } from 'node:fs';
import { SimulationError } from '../../engine/errors.js';
import { DEFAULT_INPUT_PARAMS, INPUT_PARAM_KEYS, NET_PARAM_KEYS, makeParams, validateParams, type InputParams, type NetParams, type Objective } from './params.js';
import type { Weights } from './plastic-net.js';

/** A parsed weights file. */
export interface LoadedNetwork {
  params: NetParams;
  inputParams: InputParams;
  weights: Weights;
  initial: Weights | null;
  /** Parameter keys of the file that were ignored (reported once by the caller). */
  ignoredKeys: string[];
}

function matrix(json: Record<string, unknown>, key: string, rows: number | null, cols: number | null, file: string): { data: Float64Array; rows: number; cols: number } {
  const v = json[key];
  if (!Array.isArray(v) || v.length === 0) throw new SimulationError('invalid_value', `${file}: '${key}' must be a non-empty array of rows.`);
  const nr = v.length;
  const nc = Array.isArray(v[0]) ? v[0].length : -1;
  if (nc < 1) throw new SimulationError('invalid_value', `${file}: '${key}' must be an array of rows (a matrix).`);
  if (rows !== null && nr !== rows) throw new SimulationError('invalid_value', `${file}: '${key}' has ${nr} rows, expected ${rows}.`);
  if (cols !== null && nc !== cols) throw new SimulationError('invalid_value', `${file}: '${key}' has ${nc} columns, expected ${cols}.`);
  const data = new Float64Array(nr * nc);
  for (let i = 0; i < nr; i++) {
    const row = v[i];
    if (!Array.isArray(row) || row.length !== nc) throw new SimulationError('invalid_value', `${file}: row ${i} of '${key}' has ${Array.isArray(row) ? row.length : 'no'} values, expected ${nc}.`);
    for (let k = 0; k < nc; k++) {
      const x = row[k];
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new SimulationError('invalid_value', `${file}: '${key}'[${i}][${k}] is ${JSON.stringify(x)}, not a finite number.`);
      data[i * nc + k] = x;
    }
  }
  return { data, rows: nr, cols: nc };
}

function vector(json: Record<string, unknown>, key: string, n: number, file: string): Float64Array {
  const v = json[key];
  if (!Array.isArray(v) || v.length !== n) throw new SimulationError('invalid_value', `${file}: '${key}' must be an array of ${n} numbers.`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (typeof v[i] !== 'number' || !Number.isFinite(v[i])) throw new SimulationError('invalid_value', `${file}: '${key}'[${i}] is ${JSON.stringify(v[i])}, not a finite number.`);
    out[i] = v[i];
  }
  return out;
}

/**
 * Parses a weights JSON object. The task follows D's rows (2: estimation, 1: classification);
 * `objective`, when given, must agree.
 */
export function fromWeightsJson(json: unknown, file = 'weights file', objective?: Objective): LoadedNetwork {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new SimulationError('invalid_value', `${file}: expected a JSON object with W[post][pre], C[neuron][input], b and D[out][neuron].`);
  const o = json as Record<string, unknown>;
  for (const k of ['W[post][pre]', 'C[neuron][input]', 'b', 'D[out][neuron]']) {
    if (!(k in o)) throw new SimulationError('invalid_value', `${file}: missing key '${k}'.`);
  }
  const W = matrix(o, 'W[post][pre]', null, null, file);
  const N = W.rows;
  if (W.cols !== N) throw new SimulationError('invalid_value', `${file}: 'W[post][pre]' must be square, it is ${N}x${W.cols}.`);
  const C = matrix(o, 'C[neuron][input]', N, 12, file);
  const b = vector(o, 'b', N, file);
  const D = matrix(o, 'D[out][neuron]', null, N, file);
  if (D.rows !== 1 && D.rows !== 2) throw new SimulationError('invalid_value', `${file}: 'D[out][neuron]' has ${D.rows} rows; use 2 (estimation) or 1 (classification).`);
  const task: Objective = D.rows === 2 ? 'linear' : 'classifier';
  if (objective !== undefined && objective !== task) {
    throw new SimulationError('invalid_value', `${file}: D has ${D.rows} row(s), a ${task} network, but --objective ${objective} was given; drop the flag or load a matching file.`);
  }
  const ignored: string[] = [];
  const overrides: Record<string, number> = {};
  const rawParams = o.params ?? {};
  if (typeof rawParams !== 'object' || rawParams === null) throw new SimulationError('invalid_value', `${file}: 'params' must be an object.`);
  for (const [k, v] of Object.entries(rawParams)) {
    if ((NET_PARAM_KEYS as string[]).includes(k) && typeof v === 'number') overrides[k] = v;
    else ignored.push(`params.${k}`);
  }
  const inputParams: InputParams = { ...DEFAULT_INPUT_PARAMS };
  const rawInput = o.input_params ?? {};
  if (typeof rawInput !== 'object' || rawInput === null) throw new SimulationError('invalid_value', `${file}: 'input_params' must be an object.`);
  for (const [k, v] of Object.entries(rawInput)) {
    if ((INPUT_PARAM_KEYS as string[]).includes(k) && typeof v === 'number') (inputParams as unknown as Record<string, number>)[k] = v;
    else ignored.push(`input_params.${k}`);
  }
  if (overrides.N !== undefined && overrides.N !== N) throw new SimulationError('invalid_value', `${file}: params.N = ${overrides.N} but W is ${N}x${N}.`);
  if (overrides.target_dim !== undefined && overrides.target_dim !== D.rows) throw new SimulationError('invalid_value', `${file}: params.target_dim = ${overrides.target_dim} but D has ${D.rows} row(s).`);
  const params = makeParams(task, { ...overrides, N, target_dim: D.rows } as Partial<NetParams>);
  validateParams(params, inputParams, false);
  let initial: Weights | null = null;
  if ('W_init_used_for_training' in o && 'D_init_used_for_training' in o) {
    const W0 = matrix(o, 'W_init_used_for_training', N, N, file);
    const D0 = matrix(o, 'D_init_used_for_training', D.rows, N, file);
    initial = { W: W0.data, C: new Float64Array(0), b: new Float64Array(0), D: D0.data };
  }
  return { params, inputParams, weights: { W: W.data, C: C.data, b, D: D.data }, initial, ignoredKeys: ignored };
}

/** Reads and parses a weights file. */
export function loadWeightsFile(path: string, objective?: Objective): LoadedNetwork {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SimulationError('invalid_value', `cannot read weights file '${path}' (${(e as Error).message}); pass an existing JSON file to --load.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SimulationError('invalid_value', `weights file '${path}' is not valid JSON (${(e as Error).message}).`);
  }
  return fromWeightsJson(json, path, objective);
}

const rows = (a: Float64Array, nr: number, nc: number) => Array.from({ length: nr }, (_, i) => Array.from(a.subarray(i * nc, i * nc + nc)));

/** The weights file of a network (spec §8 shape), with its initial W and D when known. */
export function toWeightsJson(params: NetParams, inputParams: InputParams, w: Weights, initial: Weights | null): Record<string, unknown> {
  const out: Record<string, unknown> = {
    'W[post][pre]': rows(w.W, params.N, params.N),
    'C[neuron][input]': rows(w.C, params.N, params.input_dim),
    b: Array.from(w.b),
    'D[out][neuron]': rows(w.D, params.target_dim, params.N),
  };
  if (initial !== null) {
    out.W_init_used_for_training = rows(initial.W, params.N, params.N);
    out.D_init_used_for_training = rows(initial.D, params.target_dim, params.N);
  }
  const { objective: _objective, ...numeric } = params;
  out.params = numeric;
  out.input_params = { ...inputParams };
  return out;
}
