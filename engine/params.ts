/**
 * Parameter and state declarations shared by neuron and synapse models, and the code that
 * turns user input (numbers, arrays, distributions) into validated per-neuron typed arrays.
 */
import { SimulationError, suggestion } from './errors.js';
import type { RandomStream } from './rng.js';

/** Declaration of one model parameter. */
export interface ParamSpec {
  /** Default value (NEST's where the model exists in NEST). */
  default: number;
  /** Unit as written in the docs, e.g. 'mV', 'pF', 'ms', '1'. */
  unit: string;
  /** One line saying what the parameter is. */
  doc: string;
  /** Inclusive lower bound, or exclusive when `exclusiveMin` is set. */
  min?: number;
  max?: number;
  exclusiveMin?: boolean;
  exclusiveMax?: boolean;
  /** Only whole numbers are valid. */
  integer?: boolean;
}

/** Declaration of one state variable. */
export interface StateSpec<P extends string = string> {
  unit: string;
  doc: string;
  /** Initial value: a number or a function of neuron i's parameters. */
  initial: number | ((p: Readonly<Record<P, Float64Array>>, i: number) => number);
  /** Internal variables (counters, latches) may be set but are not listed as recordable. */
  internal?: boolean;
}

/** A random distribution for parameter, state, weight or delay values. */
export type Distribution =
  | { distribution: 'normal'; mean: number; std: number; min?: number; max?: number }
  | { distribution: 'lognormal'; mu: number; sigma: number; min?: number; max?: number }
  | { distribution: 'uniform'; low: number; high: number }
  | { distribution: 'exponential'; mean: number; min?: number; max?: number };

/** What a user may give for a per-element value. */
export type ValueSpec = number | ArrayLike<number> | Distribution;

/** True when `v` is a distribution object. */
export function isDistribution(v: unknown): v is Distribution {
  return typeof v === 'object' && v !== null && 'distribution' in v;
}

/** Required and optional keys of each distribution, for validation and suggestions. */
const DISTRIBUTION_KEYS: Record<Distribution['distribution'], { required: string[]; optional: string[] }> = {
  normal: { required: ['mean', 'std'], optional: ['min', 'max'] },
  lognormal: { required: ['mu', 'sigma'], optional: ['min', 'max'] },
  uniform: { required: ['low', 'high'], optional: [] },
  exponential: { required: ['mean'], optional: ['min', 'max'] },
};

/**
 * Rejects a malformed distribution before any draw: unknown kind or key (with a suggestion),
 * missing or non-finite parameters, negative spreads, empty ranges. Without this a typo such
 * as `sd` for `std` would silently draw NaN.
 */
export function checkDistribution(d: Distribution, what: string): void {
  const kind = (d as { distribution: unknown }).distribution;
  const kinds = Object.keys(DISTRIBUTION_KEYS);
  if (typeof kind !== 'string' || !(kind in DISTRIBUTION_KEYS)) {
    throw new SimulationError('invalid_value', `${what}: unknown distribution '${String(kind)}'.${suggestion(String(kind), kinds)}`);
  }
  const { required, optional } = DISTRIBUTION_KEYS[kind as Distribution['distribution']];
  const allowed = ['distribution', ...required, ...optional];
  for (const key of Object.keys(d)) {
    if (!allowed.includes(key)) {
      throw new SimulationError('invalid_value', `${what}: the ${kind} distribution has no field '${key}'.${suggestion(key, allowed.slice(1))}`);
    }
  }
  const field = (key: string) => (d as unknown as Record<string, unknown>)[key];
  for (const key of required) {
    const v = field(key);
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new SimulationError('invalid_value', `${what}: ${kind} distribution field '${key}' must be a finite number, got ${v}.`);
    }
  }
  for (const key of optional) {
    const v = field(key);
    if (v !== undefined && (typeof v !== 'number' || Number.isNaN(v))) {
      throw new SimulationError('invalid_value', `${what}: ${kind} distribution bound '${key}' must be a number, got ${v}.`);
    }
  }
  const lo = field('min') as number | undefined;
  const hi = field('max') as number | undefined;
  if (lo !== undefined && hi !== undefined && lo > hi) {
    throw new SimulationError('invalid_value', `${what}: clipping bounds min = ${lo} > max = ${hi}; swap them.`);
  }
  if (d.distribution === 'normal' && d.std < 0) {
    throw new SimulationError('invalid_value', `${what}: normal distribution std must be >= 0, got ${d.std}.`);
  }
  if (d.distribution === 'lognormal' && d.sigma < 0) {
    throw new SimulationError('invalid_value', `${what}: lognormal distribution sigma must be >= 0, got ${d.sigma}.`);
  }
  if (d.distribution === 'uniform' && !(d.low <= d.high)) {
    throw new SimulationError('invalid_value', `${what}: uniform distribution needs low <= high, got low = ${d.low}, high = ${d.high}.`);
  }
  if (d.distribution === 'exponential' && !(d.mean > 0)) {
    throw new SimulationError('invalid_value', `${what}: exponential distribution mean must be > 0, got ${d.mean}.`);
  }
}

/**
 * One draw from `d`. Clipped distributions redraw until the value is inside [min, max]
 * (NEST's `redraw` semantics), giving up after 1000 attempts with a clear error.
 */
export function sample(d: Distribution, rng: RandomStream, what: string): number {
  switch (d.distribution) {
    case 'uniform':
      return rng.uniformRange(d.low, d.high);
    case 'normal':
      return redraw(() => rng.normal(d.mean, d.std), d.min, d.max, what);
    case 'lognormal':
      return redraw(() => Math.exp(rng.normal(d.mu, d.sigma)), d.min, d.max, what);
    case 'exponential':
      return redraw(() => rng.exponential(d.mean), d.min, d.max, what);
    default: {
      const name = (d as { distribution: string }).distribution;
      throw new SimulationError(
        'invalid_value',
        `${what}: unknown distribution '${name}'.${suggestion(name, ['normal', 'lognormal', 'uniform', 'exponential'])}`,
      );
    }
  }
}

function redraw(draw: () => number, min: number | undefined, max: number | undefined, what: string): number {
  const lo = min ?? -Infinity;
  const hi = max ?? Infinity;
  for (let attempt = 0; attempt < 1000; attempt++) {
    const v = draw();
    if (v >= lo && v <= hi) return v;
  }
  throw new SimulationError(
    'invalid_value',
    `${what}: 1000 draws in a row fell outside [${lo}, ${hi}]; widen the clipping bounds or move the distribution.`,
  );
}

/** Validates that `value` is finite and inside the declared range of `spec`. */
export function checkParamValue(owner: string, name: string, spec: ParamSpec, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new SimulationError('invalid_value', `${owner}: parameter '${name}' must be a finite number, got ${value}.`);
  }
  if (spec.integer && !Number.isInteger(value)) {
    throw new SimulationError('invalid_value', `${owner}: parameter '${name}' must be a whole number, got ${value}.`);
  }
  const { min, max } = spec;
  if (min !== undefined && (spec.exclusiveMin ? value <= min : value < min)) {
    throw new SimulationError(
      'invalid_value',
      `${owner}: parameter '${name}' = ${value} ${spec.unit} is out of range; it must be ${spec.exclusiveMin ? '>' : '>='} ${min} ${spec.unit}.`,
    );
  }
  if (max !== undefined && (spec.exclusiveMax ? value >= max : value > max)) {
    throw new SimulationError(
      'invalid_value',
      `${owner}: parameter '${name}' = ${value} ${spec.unit} is out of range; it must be ${spec.exclusiveMax ? '<' : '<='} ${max} ${spec.unit}.`,
    );
  }
}

/**
 * Expands a value spec into `n` numbers. Arrays must have length n; distributions draw from
 * `rng` (which the caller keys by population and parameter name, so values do not depend on
 * creation order).
 */
export function expandValues(
  what: string,
  spec: ValueSpec,
  n: number,
  rng: () => RandomStream,
  out: Float64Array = new Float64Array(n),
): Float64Array {
  if (typeof spec === 'number') {
    if (!Number.isFinite(spec)) throw new SimulationError('invalid_value', `${what} must be a finite number, got ${spec}.`);
    out.fill(spec);
  } else if (isDistribution(spec)) {
    checkDistribution(spec, what);
    const stream = rng();
    for (let i = 0; i < n; i++) {
      const v = sample(spec, stream, what);
      // Finite parameters can still overflow (a lognormal with a large mu).
      if (!Number.isFinite(v)) {
        throw new SimulationError('invalid_value', `${what}: the ${spec.distribution} distribution drew ${v} for element ${i}; clip it with min/max or change its parameters.`);
      }
      out[i] = v;
    }
  } else if (spec !== null && typeof spec === 'object' && typeof (spec as ArrayLike<number>).length === 'number') {
    const arr = spec as ArrayLike<number>;
    if (arr.length !== n) {
      throw new SimulationError('invalid_value', `${what}: got ${arr.length} values for ${n} elements; give one value per element or a single number.`);
    }
    for (let i = 0; i < n; i++) {
      const v = arr[i];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new SimulationError('invalid_value', `${what}: element ${i} must be a finite number, got ${v}.`);
      }
      out[i] = v;
    }
  } else {
    throw new SimulationError('invalid_value', `${what}: expected a number, an array of numbers or a distribution object, got ${JSON.stringify(spec)}.`);
  }
  return out;
}

/** Throws a clear error for a key of `given` that is not declared in `declared`. */
export function checkKnownKeys(owner: string, kind: string, given: object, declared: readonly string[]): void {
  for (const key of Object.keys(given)) {
    if (!declared.includes(key)) {
      throw new SimulationError('unknown_parameter', `${owner} has no ${kind} '${key}'.${suggestion(key, declared)}`);
    }
  }
}
