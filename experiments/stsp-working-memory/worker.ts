/**
 * Worker thread of the stsp-working-memory trainer: builds the network constants once from
 * the parameters it is given, then runs each shard it receives and posts the per-chunk
 * gradient sums back. A shard's result depends only on its job, not on the thread.
 */
import { parentPort } from 'node:worker_threads';
import { runShard, type ShardJob } from './shard.js';
import type { Par } from './parameters.js';

if (parentPort !== null) {
  const port = parentPort;
  let par: Par | null = null;
  port.on('message', (msg: { type: 'par'; par: Par } | { type: 'job'; id: number; job: ShardJob }) => {
    if (msg.type === 'par') {
      par = msg.par;
      return;
    }
    try {
      if (par === null) throw new Error('worker received a job before its parameters');
      const r = runShard(par, msg.job);
      const transfer: ArrayBuffer[] = [];
      for (const c of r.chunks) for (const a of [c.gWin, c.gWrec, c.gWout, c.gB, c.gBout, c.gH0]) transfer.push(a.buffer as ArrayBuffer);
      port.postMessage({ id: msg.id, result: r }, transfer);
    } catch (e) {
      port.postMessage({ id: msg.id, error: (e as Error).message ?? String(e) });
    }
  });
}
