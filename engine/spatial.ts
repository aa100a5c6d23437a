/**
 * Spatial positions for distance-dependent wiring. A grid of shape [rows, cols] places
 * neuron k at (row, col) = (floor(k / cols), k % cols) times the spacing, the layout the WTA
 * grid uses; explicit coordinates may have any dimension.
 */
import { SimulationError } from './errors.js';

/** A grid or explicit coordinates (one array per neuron, all of the same length). */
export type PositionSpec = { grid: [number, number]; spacing?: number } | { coords: ArrayLike<ArrayLike<number>> };

/** Resolves a position spec for n neurons into row-major coordinates. */
export function gridPositions(spec: PositionSpec, n: number, owner: string): { coords: Float64Array; dims: number } {
  if ('grid' in spec) {
    const [rows, cols] = spec.grid;
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
      throw new SimulationError('invalid_value', `${owner}: grid shape must be two whole numbers >= 1, got [${rows}, ${cols}].`);
    }
    if (rows * cols !== n) {
      throw new SimulationError('invalid_value', `${owner}: a ${rows}x${cols} grid holds ${rows * cols} neurons but the population has ${n}; make them match.`);
    }
    const spacing = spec.spacing ?? 1;
    const coords = new Float64Array(2 * n);
    for (let k = 0; k < n; k++) {
      coords[2 * k] = Math.floor(k / cols) * spacing;
      coords[2 * k + 1] = (k % cols) * spacing;
    }
    return { coords, dims: 2 };
  }
  const list = spec.coords;
  if (list.length !== n) {
    throw new SimulationError('invalid_value', `${owner}: got ${list.length} positions for ${n} neurons; give one per neuron.`);
  }
  const dims = n > 0 ? list[0].length : 0;
  const coords = new Float64Array(dims * n);
  for (let k = 0; k < n; k++) {
    const c = list[k];
    if (c.length !== dims) throw new SimulationError('invalid_value', `${owner}: position ${k} has ${c.length} coordinates, expected ${dims}.`);
    for (let d = 0; d < dims; d++) {
      if (!Number.isFinite(c[d])) throw new SimulationError('invalid_value', `${owner}: position ${k} has a non-finite coordinate.`);
      coords[k * dims + d] = c[d];
    }
  }
  return { coords, dims };
}
