/**
 * binary_threshold: binary attractor units with synchronous updates (Iatropoulos, Gerstner &
 * Brea 2024), clock-driven, one tick per step. The tick at step t:
 *
 *   h_i = x_i(t) − θ_i,   s_i ← H(h_i)  with H(0) = 0
 *
 * where x_i is the port `field` (Σ_j w_ij s_j of step t − 1 from a zfactor projection onto
 * the population itself), so every unit sees the state of the previous step: a synchronous
 * update. The population holds `columns` independent copies of an N-unit network side by side
 * (unit i of column c is neuron c·N + i), so many patterns are iterated in one run.
 *
 * Optional dynamic inhibition (k-WTA, `kwta` = 1), per column: if the number of active units
 * differs from round(f·N), dθ is the k-th smallest h with k = round(N(1 − f)) and s = H(h − dθ),
 * which leaves exactly round(f·N) units active when the fields are distinct.
 *
 * Also exported: {@link erfinv} (to 1e-12) and {@link thresholdEstimate}, the threshold
 * θ_i = f Σ_j w_ij + √(2f(1 − f) Σ_j w_ij²)·erfinv(1 − 2f) that the learning phases use.
 */
import { defineNeuronModel } from '../engine/model.js';
import { registerNeuronModel } from '../engine/registry.js';
import { SimulationError } from '../engine/errors.js';

/**
 * Inverse error function on (−1, 1), accurate to about 1e-12: Giles' single-precision
 * rational start refined by Newton steps on erf(x) − y (erf from a series / continued fraction).
 */
export function erfinv(y: number): number {
  if (!(y > -1 && y < 1)) {
    if (y === 1) return Infinity;
    if (y === -1) return -Infinity;
    throw new RangeError(`erfinv: argument must lie in [-1, 1], got ${y}.`);
  }
  if (y === 0) return 0;
  let w = -Math.log((1 - y) * (1 + y));
  let x: number;
  if (w < 5) {
    w -= 2.5;
    let p = 2.81022636e-8;
    p = 3.43273939e-7 + p * w;
    p = -3.5233877e-6 + p * w;
    p = -4.39150654e-6 + p * w;
    p = 0.00021858087 + p * w;
    p = -0.00125372503 + p * w;
    p = -0.00417768164 + p * w;
    p = 0.246640727 + p * w;
    p = 1.50140941 + p * w;
    x = p * y;
  } else {
    w = Math.sqrt(w) - 3;
    let p = -0.000200214257;
    p = 0.000100950558 + p * w;
    p = 0.00134934322 + p * w;
    p = -0.00367342844 + p * w;
    p = 0.00573950773 + p * w;
    p = -0.0076224613 + p * w;
    p = 0.00943887047 + p * w;
    p = 1.00167406 + p * w;
    p = 2.83297682 + p * w;
    x = p * y;
  }
  // Newton: x ← x − (erf(x) − y)/(2/√π·e^{−x²}).
  for (let it = 0; it < 4; it++) {
    const err = erf(x) - y;
    const step = err / ((2 / Math.sqrt(Math.PI)) * Math.exp(-x * x));
    x -= step;
    if (Math.abs(step) <= 1e-15 * Math.max(1, Math.abs(x))) break;
  }
  return x;
}

/** erf to double precision: Taylor series for |x| < 2.5, else 1 − erfc by continued fraction. */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    // erf(x) = 2/√π Σ (−1)^n x^(2n+1)/(n!(2n+1))
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  // Lentz continued fraction for erfc(x) = e^{−x²}/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))).
  let f = ax;
  let C = ax;
  let D = 0;
  for (let n = 1; n < 300; n++) {
    const a = n / 2;
    D = ax + a * D;
    D = D === 0 ? 1e-300 : 1 / D;
    C = ax + a / C;
    if (C === 0) C = 1e-300;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return x > 0 ? 1 - erfc : erfc - 1;
}

/**
 * θ_i = f Σ_j w_ij + √(2f(1 − f) Σ_j w_ij²)·erfinv(1 − 2f) for every row of the N×N weights W
 * (row-major), written into theta. Rows flagged in `skip` keep their θ.
 */
export function thresholdEstimate(W: ArrayLike<number>, n: number, f: number, theta: Float64Array, skip?: Uint8Array): void {
  const e = erfinv(1 - 2 * f);
  for (let i = 0; i < n; i++) {
    if (skip !== undefined && skip[i] === 1) continue;
    let s1 = 0;
    let s2 = 0;
    for (let j = 0; j < n; j++) {
      const w = W[i * n + j];
      s1 += w;
      s2 += w * w;
    }
    theta[i] = f * s1 + Math.sqrt(2 * f * (1 - f) * s2) * e;
  }
}

/**
 * The k-WTA correction of one column of fields h[0..n): 0 when round(f·n) units are active,
 * else the k-th smallest h with k = round(n(1 − f)). `scratch` holds n numbers.
 */
export function kwtaShift(h: ArrayLike<number>, n: number, f: number, scratch: Float64Array): number {
  let active = 0;
  for (let i = 0; i < n; i++) if (h[i] > 0) active++;
  if (active === Math.round(f * n)) return 0;
  const k = Math.round(n * (1 - f));
  for (let i = 0; i < n; i++) scratch[i] = h[i];
  const sorted = scratch.subarray(0, n).sort();
  return sorted[Math.max(0, k - 1)];
}

export const binary_threshold = defineNeuronModel({
  name: 'binary_threshold',
  doc: 'Binary threshold unit with synchronous updates s = H(Σ w s − θ) and optional k-WTA inhibition per column (Iatropoulos et al. 2024).',
  timing: 'clock',
  period: 1,
  output: 'spike',
  params: {
    columns: { default: 1, unit: '1', min: 1, integer: true, doc: 'Number of independent N-unit state columns side by side (must divide the population size).' },
    kwta: { default: 0, unit: '1', min: 0, max: 1, integer: true, doc: '1: dynamic inhibition (k-WTA) per column.' },
    f: { default: 0.5, unit: '1', min: 0, max: 1, exclusiveMin: true, exclusiveMax: true, doc: 'Coding level: target fraction of active units.' },
  },
  state: {
    s: { unit: '1', initial: 0, doc: 'Binary state (0 or 1).' },
    h: { unit: '1', initial: 0, doc: 'Field Σ_j w_ij s_j − θ_i of the latest tick (before any k-WTA shift).' },
    theta: { unit: '1', initial: 0, doc: 'Threshold θ_i (the same value should be set in every column).' },
  },
  ports: {
    field: { kind: 'spike', doc: 'Σ_j w_ij s_j of the previous step, written by a zfactor projection every tick.' },
  },
  prepare(p, _dt, n) {
    const cols = p.columns[0];
    for (let i = 1; i < n; i++) {
      if (p.columns[i] !== cols || p.kwta[i] !== p.kwta[0] || p.f[i] !== p.f[0]) {
        throw new SimulationError('invalid_value', 'binary_threshold: columns, kwta and f must be the same for the whole population; use one population per setting.');
      }
    }
    if (n % cols !== 0) throw new SimulationError('invalid_value', `binary_threshold: population size ${n} is not a multiple of columns = ${cols}.`);
    const unitsPerColumn = n / cols;
    return { cols, unitsPerColumn, kwta: p.kwta[0] === 1, f: p.f[0], scratch: new Float64Array(unitsPerColumn) };
  },
  update(ctx) {
    const { s, c, input } = ctx;
    const field = input.field;
    const S = s.s;
    const H = s.h;
    const theta = s.theta;
    const { cols, unitsPerColumn: n, kwta, f, scratch } = c;
    for (let q = 0; q < ctx.n; q++) H[q] = field[q] - theta[q];
    for (let col = 0; col < cols; col++) {
      const off = col * n;
      const shift = kwta ? kwtaShift(H.subarray(off, off + n), n, f, scratch) : 0;
      for (let i = 0; i < n; i++) S[off + i] = H[off + i] - shift > 0 ? 1 : 0;
    }
  },
});

registerNeuronModel(binary_threshold);
