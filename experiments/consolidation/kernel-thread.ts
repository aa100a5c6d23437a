/** The second thread of the consolidation kernels: serves jobs over the shared memory it is given. */
import { workerData } from 'node:worker_threads';
import { serveKernels, type KernelThreadData } from './kernels.js';

serveKernels(workerData as KernelThreadData);
