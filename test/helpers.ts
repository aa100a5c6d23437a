/** Shared test utilities. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SimulationError } from '../engine/errors.js';

/** Repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Path of an exact-check data file under ../shared/data next to the repository. A missing file
 * fails the test with the path in the message; it is never skipped.
 */
export function sharedData(rel: string): string {
  const p = join(ROOT, '..', 'shared', 'data', rel);
  if (!existsSync(p)) throw new Error(`exact-check data missing: ${p} (the repository must sit next to shared/)`);
  return p;
}

/** A fresh temporary directory under the OS temp dir. */
export async function tempDir(prefix = 'spikeflow-test-'): Promise<string> {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Asserts |a − b| <= tol with a readable message. */
export function close(a: number, b: number, tol: number, what = 'value'): void {
  if (!(Math.abs(a - b) <= tol)) throw new Error(`${what}: expected ${b}, got ${a} (|diff| = ${Math.abs(a - b)} > ${tol})`);
}

/** The message of the SimulationError that `f` throws; fails the test if it throws none. */
export function simulationErrorMessage(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (!(e instanceof SimulationError)) throw new Error(`expected a SimulationError, got ${String(e)}`);
    return e.message;
  }
  throw new Error('expected a SimulationError, but nothing was thrown');
}
