/**
 * `npm run bench [-- options]`: runs every benchmark case (each in its own process, so the peak
 * memory reported is its own), prints a table or JSON lines, and with `--vs brian2` runs the
 * Brian2 peer scripts in the same run and reports CPU-time ratios.
 *
 * Options: --json, --vs brian2, --brian2-dir DIR (default ../shared/bench/brian2),
 * --python EXE (default python3), --only a,b, --duration MS (default 1000), --seed N, --dt MS,
 * --repeat N (default 1).
 *
 * With `--repeat N` each case (and its Brian2 peer) runs N times, alternating, so both see the
 * same machine conditions; the reported timings are the medians of the N runs and `ratio_cpu`
 * is the ratio of the two medians. Single timings on a small shared machine vary by ±25%, so
 * one run alone can put the ratio almost anywhere within that band.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { median } from '../experiments/stats.js';
import { CASES, type BenchRecord } from './cases.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');

interface Row extends BenchRecord {
  rate_target?: string;
  rate_ok?: boolean;
  brian2_cpu_s_per_bio_s?: number;
  brian2_rate_hz?: number;
  ratio_cpu?: number;
  repeats?: number;
  cpu_s_per_bio_s_runs?: number[];
  brian2_cpu_s_per_bio_s_runs?: number[];
}

/** One record whose timings are the medians of `runs` (counts and rates are identical across runs). */
function medianRecord(runs: BenchRecord[]): BenchRecord {
  const out = { ...runs[0] };
  for (const key of ['build_s', 'wall_s_per_bio_s', 'cpu_s_per_bio_s', 'syn_events_per_s', 'peak_rss_mb'] as const) out[key] = median(runs.map((r) => r[key]));
  return out;
}

function runCase(name: string, duration: number, seed: number, dt: number): BenchRecord {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(HERE, 'one.ts'), name, String(duration), String(seed), String(dt)], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const line = r.stdout?.split('\n').find((l) => l.startsWith('RESULT '));
  if (r.status !== 0 || !line) throw new Error(`benchmark '${name}' failed (exit ${r.status}):\n${r.stderr}`);
  return JSON.parse(line.slice(7));
}

function runBrian2(python: string, dir: string, script: string, args: string[]): Record<string, number> {
  const r = spawnSync(python, [join(dir, script), ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.error) throw new Error(`cannot run '${python}': ${r.error.message}. Install Brian2 (apt-get install -y python3-brian) or pass --python.`);
  const line = r.stdout?.split('\n').find((l) => l.startsWith('RESULT '));
  if (r.status !== 0 || !line) {
    const hint = /No module named 'brian2'/.test(r.stderr ?? '') ? ' Brian2 is not installed for this Python: apt-get install -y python3-brian, then --python /usr/bin/python3.' : '';
    throw new Error(`Brian2 script ${script} failed (exit ${r.status}).${hint}\n${(r.stderr ?? '').slice(-2000)}`);
  }
  return JSON.parse(line.slice(7));
}

function fmt(x: number | undefined, digits = 3): string {
  if (x === undefined || !Number.isFinite(x)) return '-';
  if (Math.abs(x) >= 1e5) return x.toExponential(2);
  return x.toFixed(digits);
}

/** Prints rows as an aligned table. */
function printTable(rows: Row[], vs: boolean): void {
  const head = ['benchmark', 'build s', 'wall s/bio s', 'cpu s/bio s', 'syn events/s', 'spikes', 'rate Hz', 'target Hz', 'peak MB', 'B/syn'];
  if (vs) head.push('brian2 cpu s/bio s', 'brian2 Hz', 'ratio cpu');
  const body = rows.map((r) => {
    const cells = [
      r.name,
      fmt(r.build_s, 2),
      fmt(r.wall_s_per_bio_s),
      fmt(r.cpu_s_per_bio_s),
      fmt(r.syn_events_per_s),
      String(r.spikes),
      fmt(r.rate_hz, 2),
      r.rate_target ? `${r.rate_target}${r.rate_ok ? '' : ' MISSED'}` : '-',
      fmt(r.peak_rss_mb, 0),
      fmt(r.bytes_per_synapse, 1),
    ];
    if (vs) cells.push(fmt(r.brian2_cpu_s_per_bio_s), fmt(r.brian2_rate_hz, 2), fmt(r.ratio_cpu, 2));
    return cells;
  });
  const widths = head.map((h, j) => Math.max(h.length, ...body.map((b) => b[j].length)));
  const line = (cells: string[]) => '| ' + cells.map((c, j) => c.padEnd(widths[j])).join(' | ') + ' |';
  process.stdout.write(line(head) + '\n' + '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|\n');
  for (const b of body) process.stdout.write(line(b) + '\n');
}

/** Entry point (also used by `spikeflow bench`). */
export async function main(argv: string[]): Promise<void> {
  const cmd = new Command('bench')
    .option('--json', 'one JSON object per line per benchmark', false)
    .option('--vs <peer>', 'also run the peer simulator (brian2) and report CPU ratios')
    .option('--brian2-dir <dir>', 'folder of the Brian2 peer scripts', resolve(ROOT, '..', 'shared', 'bench', 'brian2'))
    .option('--python <exe>', 'Python that has Brian2', 'python3')
    .option('--only <names>', `comma-separated subset of: ${CASES.map((c) => c.name).join(', ')}`)
    .option('--duration <ms>', 'biological time per benchmark (ms)', '1000')
    .option('--seed <n>', 'master seed', '12345')
    .option('--dt <ms>', 'resolution (ms)', '0.1')
    .option('--repeat <n>', 'runs per case (and per peer), reported as medians', '1')
    .exitOverride();
  cmd.parse(argv, { from: 'user' });
  const o = cmd.opts() as { json: boolean; vs?: string; brian2Dir: string; python: string; only?: string; duration: string; seed: string; dt: string; repeat: string };
  const vs = o.vs !== undefined;
  if (vs && o.vs !== 'brian2') throw new Error(`--vs supports 'brian2' only, got '${o.vs}'.`);
  if (vs && !existsSync(o.brian2Dir)) throw new Error(`Brian2 script folder '${o.brian2Dir}' does not exist; pass --brian2-dir.`);
  const names = o.only ? o.only.split(',').map((s) => s.trim()) : CASES.map((c) => c.name);
  for (const n of names) if (!CASES.some((c) => c.name === n)) throw new Error(`unknown benchmark '${n}'; known: ${CASES.map((c) => c.name).join(', ')}.`);
  const duration = Number(o.duration);
  const repeat = Number(o.repeat);
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`--repeat must be a whole number >= 1, got '${o.repeat}'.`);
  const rows: Row[] = [];
  for (const c of CASES.filter((x) => names.includes(x.name))) {
    if (!o.json) process.stderr.write(`running ${c.name}: ${c.description}\n`);
    const ours: BenchRecord[] = [];
    const peer: number[] = [];
    let peerRate = NaN;
    for (let r = 0; r < repeat; r++) {
      ours.push(runCase(c.name, duration, Number(o.seed), Number(o.dt)));
      if (vs && c.brian2) {
        if (!o.json) process.stderr.write(`running Brian2 ${c.brian2.script} ${c.brian2.args.join(' ')}\n`);
        const b = runBrian2(o.python, o.brian2Dir, c.brian2.script, c.brian2.args);
        peer.push(Number(b[c.brian2.cpuKey]) / Number(b.duration_s));
        peerRate = Number(b.rate_all_hz);
      }
    }
    const rec: Row = medianRecord(ours);
    if (c.rate) {
      rec.rate_target = `${c.rate.target}±${c.rate.tol}`;
      rec.rate_ok = Math.abs(rec.rate_hz - c.rate.target) <= c.rate.tol;
    }
    if (peer.length > 0) {
      rec.brian2_cpu_s_per_bio_s = median(peer);
      rec.brian2_rate_hz = peerRate;
      rec.ratio_cpu = rec.cpu_s_per_bio_s / rec.brian2_cpu_s_per_bio_s;
    }
    if (repeat > 1) {
      rec.repeats = repeat;
      rec.cpu_s_per_bio_s_runs = ours.map((x) => x.cpu_s_per_bio_s);
      if (peer.length > 0) rec.brian2_cpu_s_per_bio_s_runs = peer;
    }
    rows.push(rec);
    if (o.json) process.stdout.write(JSON.stringify(rec) + '\n');
  }
  if (!o.json) printTable(rows, vs);
}

const invokedDirectly = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  main(process.argv.slice(2)).catch((e: Error) => {
    process.stderr.write(`bench: ${e.message}\n`);
    process.exit(1);
  });
}
