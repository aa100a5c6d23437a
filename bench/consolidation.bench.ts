/**
 * Capacity-protocol epoch time (consolidation spec §9 e): N = 1000, M = 200 (alpha = 0.2),
 * z = 2, seed 100, against a float32 PyTorch CPU peer on 2 threads
 * (bench/consolidation/torch_epoch.py, run with Debian's python3-torch in the same run).
 * Both start from one saved state written here (the network after initialisation and the first
 * normalisation); each phase is forced for 5 warm-up epochs, then timed over 50. The per-epoch
 * work (W·X, m·Xᵀ, update, clip, normalise) does not depend on the error, except that the
 * TypeScript soft-min skips terms below 1e-12 of the row maximum. Ratio = TypeScript ms/epoch
 * ÷ PyTorch ms/epoch in phase B (target ≤ 1.0); phase A is reported too, and so are CPU times
 * (PyTorch's summed over its threads), which stay comparable on a busy machine. Prints one JSON line.
 *
 * The TypeScript epochs run on `--threads` threads (default 2, as the peer).
 *
 *   npm run bench:consolidation [-- --epochs 50 --warmup 5 --threads 2 --python /usr/bin/python3]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CAPACITY_RATES, initCapacity } from '../experiments/consolidation/capacity.js';
import { LearningState, capacityEpoch } from '../experiments/consolidation/learning.js';

const args = process.argv.slice(2);
const arg = (name: string, def: string) => {
  const k = args.indexOf(`--${name}`);
  return k >= 0 ? args[k + 1] : def;
};
const epochs = Number(arg('epochs', '50'));
const warmup = Number(arg('warmup', '5'));
const python = arg('python', '/usr/bin/python3');
const threads = Number(arg('threads', '2'));
const n = Number(arg('n', '1000'));
const z = 2;
const alpha = 0.2;
const beta = 100;
const rates = CAPACITY_RATES[z];

const init = initCapacity(n, alpha, z, 0.5, 100);
const m = init.pats.m;
const dir = mkdtempSync(join(tmpdir(), 'consolidation-bench-'));
writeFileSync(join(dir, 'meta.json'), JSON.stringify({ n, m, z, L: init.mat.L, eta: rates.eta, eta_theta: rates.etaTheta, beta }));
writeFileSync(join(dir, 'u.f32'), new Uint8Array(init.mat.u.buffer.slice(0)));
writeFileSync(join(dir, 'theta.f64'), new Uint8Array(init.theta.buffer.slice(0)));
writeFileSync(join(dir, 'x.u8'), init.pats.bits);

const ts: Record<string, number> = {};
const tsCpu: Record<string, number> = {};
for (const phase of ['A', 'B'] as const) {
  const { mat, theta, pats } = initCapacity(n, alpha, z, 0.5, 100);
  const ls = new LearningState(n, m, { z, threads });
  ls.kernels?.waitForThreads();
  const prm = { eta: rates.eta, etaTheta: rates.etaTheta, beta };
  for (let e = 0; e < warmup; e++) capacityEpoch(mat, theta, pats, ls, prm, e, phase);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let e = 0; e < epochs; e++) capacityEpoch(mat, theta, pats, ls, prm, warmup + e, phase);
  const c = process.cpuUsage(c0);
  ts[phase] = (performance.now() - t0) / epochs;
  tsCpu[phase] = (c.user + c.system) / 1000 / epochs;
  ls.close();
}

let torch: Record<string, number | string> | null = null;
let torchError: string | null = null;
try {
  const outText = execFileSync(python, [join(import.meta.dirname, 'consolidation', 'torch_epoch.py'), dir, String(warmup), String(epochs)], { encoding: 'utf8' });
  torch = JSON.parse(outText.trim().split('\n').pop()!);
} catch (e) {
  torchError = `PyTorch peer failed (${(e as Error).message.split('\n')[0]}); install Debian's python3-torch (apt-get install -y python3-torch) or pass --python PATH.`;
}
rmSync(dir, { recursive: true, force: true });
const result = {
  name: 'consolidation_capacity_epoch',
  n,
  m,
  z,
  epochs,
  warmup,
  threads,
  ts_ms_per_epoch_A: ts.A,
  ts_ms_per_epoch_B: ts.B,
  torch_ms_per_epoch_A: torch ? torch.ms_per_epoch_A : null,
  torch_ms_per_epoch_B: torch ? torch.ms_per_epoch_B : null,
  torch_version: torch ? torch.torch_version : null,
  ratio_B: torch ? ts.B / Number(torch.ms_per_epoch_B) : null,
  ratio_A: torch ? ts.A / Number(torch.ms_per_epoch_A) : null,
  // CPU time per epoch (all threads): the fairer comparison on a shared machine.
  ts_cpu_ms_per_epoch_A: tsCpu.A,
  ts_cpu_ms_per_epoch_B: tsCpu.B,
  torch_cpu_ms_per_epoch_A: torch ? torch.cpu_ms_per_epoch_A : null,
  torch_cpu_ms_per_epoch_B: torch ? torch.cpu_ms_per_epoch_B : null,
  cpu_ratio_B: torch ? tsCpu.B / Number(torch.cpu_ms_per_epoch_B) : null,
  target_ratio_max: 1.0,
  error: torchError,
};
process.stdout.write(JSON.stringify(result) + '\n');
