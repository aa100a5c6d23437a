/**
 * model.json (spec §6): `{format: "stsp-rnn-model", version: 1, task, par, seed, iterations,
 * compat, variables, masks, synapse, adam?}`; every array is `{shape, data}`, row-major, the
 * variables raw (pre-ReLU).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SimulationError } from '../../engine/errors.js';
import { StspRnn, VARIABLE_NAMES, type Precision, type StspVariables, type VariableName } from '../../models/stsp_rnn.js';
import { networkConfig } from './network.js';
import { baseOf, updateParameters, type BasePar, type Par } from './parameters.js';
import type { AdamState } from './train.js';

interface Stored {
  shape: number[];
  data: number[];
}

/** A model as saved. */
export interface ModelFile {
  format: 'stsp-rnn-model';
  version: 1;
  task: string;
  par: BasePar;
  seed: number;
  iterations: number;
  compat: string;
  variables: Record<VariableName, Stored>;
  masks: { w_in: Stored; w_rnn: Stored; w_out: Stored };
  synapse: { dynamic: number[]; U: number[]; alpha_std: number[]; alpha_stf: number[] } | null;
  adam?: { t: number; m: Record<VariableName, Stored>; v: Record<VariableName, Stored> };
}

/** The JSON form of a trained network. */
export function modelToJSON(par: Par, net: StspRnn, seed: number, iterations: number, adam?: AdamState): ModelFile {
  const cfg = net.cfg;
  const N = cfg.nHidden;
  const vars = net.variablesJSON();
  const shapeOf = (k: VariableName) => vars[k].shape;
  const file: ModelFile = {
    format: 'stsp-rnn-model',
    version: 1,
    task: par.trial_type,
    par: baseOf(par),
    seed,
    iterations,
    compat: par.compat,
    variables: vars,
    masks: {
      w_in: { shape: [cfg.nInput, N], data: Array.from(cfg.maskIn) },
      w_rnn: { shape: [N, N], data: Array.from(cfg.maskRec) },
      w_out: { shape: [N, cfg.nOutput], data: Array.from(cfg.maskOut) },
    },
    synapse: cfg.stp ? { dynamic: Array.from(cfg.stp.dynamic), U: Array.from(cfg.stp.U), alpha_std: Array.from(cfg.stp.alphaX), alpha_stf: Array.from(cfg.stp.alphaU) } : null,
  };
  if (adam) {
    const m = {} as Record<VariableName, Stored>;
    const v = {} as Record<VariableName, Stored>;
    for (const k of VARIABLE_NAMES) {
      m[k] = { shape: shapeOf(k), data: Array.from(adam.m[k]) };
      v[k] = { shape: shapeOf(k), data: Array.from(adam.v[k]) };
    }
    file.adam = { t: adam.t, m, v };
  }
  return file;
}

/** Writes model.json. */
export function saveModel(path: string, file: ModelFile): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(file) + '\n');
}

/** Reads model.json back into parameters, a network and (if saved) the Adam state. */
export function loadModel(path: string, precision: Precision = 'float32'): { par: Par; net: StspRnn; seed: number; iterations: number; adam: AdamState | null } {
  let file: ModelFile;
  try {
    file = JSON.parse(readFileSync(path, 'utf8')) as ModelFile;
  } catch (e) {
    throw new SimulationError('invalid_value', `cannot read the model '${path}' (${(e as Error).message}); give the model.json a train run wrote.`);
  }
  if (file.format !== 'stsp-rnn-model' || file.version !== 1) throw new SimulationError('invalid_value', `'${path}' is not an stsp-rnn-model version 1 file (format ${String(file.format)}, version ${String(file.version)}).`);
  const par = updateParameters(file.par);
  const cfg = networkConfig(par);
  const vars = {} as StspVariables;
  for (const k of VARIABLE_NAMES) {
    const v = file.variables[k];
    if (!v) throw new SimulationError('invalid_value', `model '${path}' lacks the variable ${k}.`);
    vars[k] = Float64Array.from(v.data);
  }
  const net = new StspRnn(cfg, vars, { precision });
  let adam: AdamState | null = null;
  if (file.adam) {
    const m = {} as Record<VariableName, Float64Array>;
    const v = {} as Record<VariableName, Float64Array>;
    for (const k of VARIABLE_NAMES) {
      m[k] = Float64Array.from(file.adam.m[k].data);
      v[k] = Float64Array.from(file.adam.v[k].data);
    }
    adam = { t: file.adam.t, m, v };
  }
  return { par, net, seed: file.seed, iterations: file.iterations, adam };
}
