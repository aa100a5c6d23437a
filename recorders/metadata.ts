/** Schema metadata shared by all recorder files. */
import type { Network } from '../engine/network.js';
import type { Population } from '../engine/population.js';
import { ENGINE_NAME, ENGINE_VERSION } from '../engine/version.js';

/**
 * dt_ms, seed, engine, engine_version, units, populations (JSON list of
 * {name, first_id, count}) plus any extra keys.
 */
export function recorderMetadata(net: Network, pops: readonly Population[], extra: Record<string, string> = {}): Map<string, string> {
  return new Map<string, string>([
    ['dt_ms', String(net.dt)],
    ['seed', String(net.seed)],
    ['engine', ENGINE_NAME],
    ['engine_version', ENGINE_VERSION],
    ['units', 'ms'],
    ['populations', JSON.stringify(pops.map((p) => ({ name: p.name, first_id: p.firstId, count: p.n })))],
    ...Object.entries(extra),
  ]);
}
