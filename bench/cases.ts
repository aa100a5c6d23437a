/**
 * The benchmark cases of spec section 9 and the measurement of one case in this process.
 */
import { Network } from '../engine/index.js';
import { recordSpikes } from '../recorders/index.js';
import { buildBrette4, buildBrunel, buildCoba, buildCuba, type BuiltNetwork } from './networks.js';

/** One benchmark case. */
export interface BenchCase {
  name: string;
  description: string;
  build(net: Network): BuiltNetwork;
  /** Expected mean rate (Hz) and tolerance, when the spec gives one. */
  rate?: { target: number; tol: number };
  /** Brian2 peer: script and arguments (relative to the Brian2 directory). */
  brian2?: { script: string; args: string[]; cpuKey: 'sim_loop_s' | 'loop_cpu_s' };
}

export const CASES: BenchCase[] = [
  {
    name: 'cuba',
    description: 'Vogels-Abbott CUBA, 4000 iaf_psc_exp, exact integration',
    build: buildCuba,
    rate: { target: 5.6, tol: 0.5 },
    brian2: { script: 'va_bench.py', args: ['cuba', 'cpp_standalone', '12345', '1000', 'delay01'], cpuKey: 'sim_loop_s' },
  },
  {
    name: 'coba',
    description: 'Vogels-Abbott COBA, 4000 iaf_cond_exp, forward Euler',
    build: buildCoba,
    rate: { target: 21.5, tol: 2 },
    brian2: { script: 'va_bench.py', args: ['coba', 'cpp_standalone', '12345', '1000', 'delay01'], cpuKey: 'sim_loop_s' },
  },
  {
    name: 'brette4',
    description: 'Brette 2007 benchmark 4, event-driven iaf_psc_delta_ps, off-grid spikes',
    build: buildBrette4,
  },
  {
    name: 'brunel',
    description: 'Brunel 2000 (brunel_delta_nest), 12,500 iaf_psc_delta, 1.56e7 synapses',
    build: (net) => buildBrunel(net, false),
    rate: { target: 32, tol: 3 },
    brian2: { script: 'brunel_bench.py', args: ['1'], cpuKey: 'loop_cpu_s' },
  },
  {
    name: 'brunel_stdp',
    description: 'Brunel 2000 with stdp_synapse on E->E',
    build: (net) => buildBrunel(net, true),
  },
];

/** Measured numbers of one case (the JSON fields of `npm run bench -- --json`). */
export interface BenchRecord {
  name: string;
  build_s: number;
  wall_s_per_bio_s: number;
  cpu_s_per_bio_s: number;
  syn_events_per_s: number;
  spikes: number;
  rate_hz: number;
  peak_rss_mb: number;
  bytes_per_synapse: number;
  synapses: number;
  neurons: number;
  bio_s: number;
}

/** Builds and runs one case in this process; every neuron's spikes are recorded (in memory). */
export function measure(c: BenchCase, opts: { durationMs: number; seed: number; dt: number }): BenchRecord {
  const b0 = performance.now();
  const net = new Network({ dt: opts.dt, seed: opts.seed });
  const built = c.build(net);
  recordSpikes(net, built.populations);
  const buildS = (performance.now() - b0) / 1000;
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  net.simulate(opts.durationMs);
  const wall = (performance.now() - w0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  const bio = opts.durationMs / 1000;
  let spikes = 0;
  // Spikes of the recorded neurons only (the Poisson device of Brunel has no spikes of its own).
  spikes = net.stats.spikes;
  return {
    name: c.name,
    build_s: buildS,
    wall_s_per_bio_s: wall / bio,
    cpu_s_per_bio_s: cpuS / bio,
    syn_events_per_s: net.stats.synapticEvents / wall,
    spikes,
    rate_hz: spikes / built.n / bio,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    bytes_per_synapse: net.bytesPerSynapse,
    synapses: net.synapseCount,
    neurons: built.n,
    bio_s: bio,
  };
}
