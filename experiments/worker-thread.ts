/** Worker threads for experiments that shard their work (striatum-dms, stsp-working-memory, consolidation). */
import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread running the module `name` (without extension) that sits next to the
 * module whose URL is `importerUrl`. Node 20 passes neither module hooks (tsx) nor `--import`
 * on to worker threads, so when running from TypeScript sources the worker first registers tsx
 * in its own thread and then imports the module; compiled JavaScript is loaded directly.
 */
export function startModuleWorker(importerUrl: string, name: string, workerData?: unknown): Worker {
  const ts = importerUrl.endsWith('.ts');
  const url = new URL(`./${name}${ts ? '.ts' : '.js'}`, importerUrl);
  if (!ts) return new Worker(url, { workerData });
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(code, { eval: true, workerData });
}
