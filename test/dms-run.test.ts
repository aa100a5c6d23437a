import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROOT, tempDir } from './helpers.js';
import { readArrow } from '../recorders/index.js';
import { resolveDmsOptions, argString, testSchedule } from '../experiments/striatum-dms/options.js';
import { runStriatumDms, simulateTraced, dmsConfig } from '../experiments/striatum-dms/run.js';
import { simulateDms } from '../experiments/striatum-dms/simulate.js';
import { writeDmsOutputs } from '../experiments/striatum-dms/index.js';
import { outputFolder, register } from '../experiments/striatum-dms/cli.js';
import { Command } from 'commander';

// Short phases keep each simulation to a few thousand steps; two N_p blocks exercise the merge.
const SMALL = { numSimu: 3, numTrainingInitial: 10, numTrainingLearning: 60, numTrainingMaintenance: 55, numTrainingRecall: 10, randomSeed: 4, nPattern: '4,6' };
const SMALL_FLAGS = ['--num_simu', '3', '--num_training_initial', '10', '--num-training-learning', '60', '--num_training_maintenance', '55', '--num_training_recall', '10', '--n_pattern', '4'];

function cli(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'cli', 'main.ts'), 'run', 'striatum-dms', ...args], { cwd: ROOT, encoding: 'utf8' });
}

const fieldTypes = (path: string) => readArrow(path).schema.fields.map((f) => `${f.name}:${f.type}`);
const withoutWallTime = (path: string) => JSON.stringify(JSON.parse(readFileSync(path, 'utf8')), (k, v) => (k === 'wall_time_s' ? undefined : v));

test('workers 1 and 2 give byte-identical Arrow files and equal summaries (check 11); every file has its schema', async () => {
  const dir = await tempDir();
  const runs = [];
  for (const workers of [1, 2]) {
    const { options } = resolveDmsOptions({ ...SMALL, workers });
    const calls: number[] = [];
    const r = await runStriatumDms(options, { progress: (done, total) => calls.push(done / total) });
    assert.is(calls[calls.length - 1], 1, 'progress reaches the total');
    assert.is(calls.length, 1 + 2 * 3, 'one progress call per simulation after the start');
    await writeDmsOutputs(r, join(dir, `w${workers}`));
    runs.push(r);
  }
  const files = readdirSync(join(dir, 'w1')).sort();
  assert.equal(files, [
    'accuracy_4.svg', 'accuracy_6.svg', 'patterns.arrow', 'similarity_4.svg', 'similarity_6.svg', 'summary.json',
    'test_accuracy.arrow', 'test_accuracy_mean.arrow', 'training.arrow', 'weights.arrow',
  ]);
  for (const f of files.filter((f) => f.endsWith('.arrow') || f.endsWith('.svg'))) {
    assert.ok(readFileSync(join(dir, 'w1', f)).equals(readFileSync(join(dir, 'w2', f))), `${f} identical`);
  }
  assert.is(withoutWallTime(join(dir, 'w1', 'summary.json')), withoutWallTime(join(dir, 'w2', 'summary.json')));

  const d = join(dir, 'w1');
  const dict = 'Dictionary<Int32, Utf8>';
  assert.equal(fieldTypes(join(d, 'test_accuracy.arrow')), [
    'n_pattern:Int32', 'sim:Int32', 'seed:Int32', 'test_index:Int32', 'iteration:Int32', `phase:${dict}`, 'accuracy:Float64', 'success:Bool',
    'mean_weight:Float64', 'norm_weight_diff:Float64', 'd2:Float64', 'scalar_prod_center:Float64', 'cosine_sim_center:Float64',
  ]);
  assert.equal(fieldTypes(join(d, 'test_accuracy_mean.arrow')), ['n_pattern:Int32', 'test_index:Int32', 'iteration:Int32', `phase:${dict}`, 'mean:Float64', 'std:Float64', 'n:Int32']);
  assert.equal(fieldTypes(join(d, 'weights.arrow')), ['n_pattern:Int32', 'sim:Int32', `snapshot:${dict}`, 'test_index:Int32', 'iteration:Int32', 'input:Int32', 'weight:Float64']);
  assert.equal(fieldTypes(join(d, 'patterns.arrow')), ['n_pattern:Int32', 'sim:Int32', 'set:Int32', 'pattern:Int32', 'inputs:List<Int32>', 'rewarded:Bool']);
  assert.equal(fieldTypes(join(d, 'training.arrow')), ['n_pattern:Int32', 'sim:Int32', 'iteration:Int32', `phase:${dict}`, 'pattern:Int32', 'presented:Bool', 'msn_spikes:Int32', 'accuracy:Float64']);

  // Contents against the in-memory results and an independent recomputation of the means.
  const r = runs[0];
  const sched = testSchedule([10, 60, 55, 10]);
  const nT = sched.iteration.length;
  const acc = readArrow(join(d, 'test_accuracy.arrow'));
  assert.is(acc.numRows, 2 * 3 * nT);
  const accCol = acc.getChild('accuracy')!.toArray() as Float64Array;
  const itCol = acc.getChild('iteration')!.toArray() as Int32Array;
  const phCol = acc.getChild('phase')!.toArray() as unknown as string[];
  const d2Col = acc.getChild('d2')!.toArray() as Float64Array;
  for (let i = 0; i < acc.numRows; i++) {
    assert.is(itCol[i], sched.iteration[i % nT]);
    assert.is(phCol[i], sched.phase[i % nT]);
    assert.ok(Number.isFinite(d2Col[i]) && d2Col[i] >= 0 && d2Col[i] <= 1, 'd2 in [0, 1], never NaN');
  }
  const mean = readArrow(join(d, 'test_accuracy_mean.arrow'));
  const meanCol = mean.getChild('mean')!.toArray() as Float64Array;
  for (let b = 0; b < 2; b++) {
    for (let j = 0; j < nT; j++) {
      let s = 0;
      for (let sim = 0; sim < 3; sim++) s += accCol[(b * 3 + sim) * nT + j];
      assert.ok(Math.abs(meanCol[b * nT + j] - s / 3) < 1e-12);
    }
  }
  // The test stamped at the end of learning has d2 = 1 (its weights are W_ref).
  const jLearn = sched.iteration.indexOf(70);
  for (let k = 0; k < 6; k++) assert.is(d2Col[k * nT + jLearn], 1);

  const pats = readArrow(join(d, 'patterns.arrow'));
  assert.is(pats.numRows, 3 * 4 + 3 * 6);
  const inputs = pats.getChild('inputs')!;
  for (let i = 0; i < pats.numRows; i++) {
    const b = i < 12 ? 0 : 1;
    const k = b === 0 ? i : i - 12;
    const np = b === 0 ? 4 : 6;
    const p = r.blocks[b].results[Math.floor(k / np)].patterns[k % np];
    assert.equal(Array.from(inputs.get(i)!.toArray() as Int32Array), p.inputs);
    assert.is(pats.getChild('rewarded')!.get(i), p.rewarded);
  }

  const train = readArrow(join(d, 'training.arrow'));
  assert.is(train.numRows, 2 * 3 * 135);
  const pres = train.getChild('presented')!.toArray() as unknown as boolean[];
  const tAcc = train.getChild('accuracy')!.toArray() as Float64Array;
  for (let i = 0; i < train.numRows; i++) assert.is(Number.isNaN(tAcc[i]), !pres[i]);

  const w = readArrow(join(d, 'weights.arrow'));
  assert.is(w.numRows, 2 * 3 * (5 + nT) * 10);
  const snaps = w.getChild('snapshot')!.toArray() as unknown as string[];
  const ti = w.getChild('test_index')!.toArray() as Int32Array;
  for (let i = 0; i < w.numRows; i++) assert.is(ti[i] === -1, snaps[i] !== 'test');

  // Summary: end-of-phase per-simulation values are the test accuracies at the boundary stamps.
  const s = JSON.parse(readFileSync(join(d, 'summary.json'), 'utf8'));
  assert.is(s.seed, 4);
  assert.is(s.seeds.length, 3);
  assert.equal(s.test_iterations, sched.iteration);
  assert.is(s.params.random_seed, 4);
  assert.is(s.params.workers, undefined);
  const b4 = s.n_pattern['4'];
  const j1 = sched.iteration.indexOf(10);
  for (let sim = 0; sim < 3; sim++) assert.is(b4.end_of_phase_accuracy.initial.per_sim[sim], accCol[sim * nT + j1]);
  for (const key of ['final_accuracy', 'final_success_rate', 't_maintenance', 'burr_fit', 't_relearning', 'weights_zero_end_maintenance', 'mean_weight_at', 'd2_end_maintenance', 'cosine_sim_end_maintenance', 'train_accuracy', 'presented_fraction', 'msn_spikes_per_trial']) {
    assert.ok(key in b4, key);
  }
  assert.equal(Object.keys(b4.mean_weight_at), ['start', 'end_initial', 'end_learning', 'end_maintenance', 'end_recall']);
  // Initial/maintenance trials are presented with η_m = stim_recall = 0, learning/recall always.
  assert.equal(b4.presented_fraction, { initial: 0, learning: 1, maintenance: 0, recall: 1 });
});

test('--plot traces: the filled lazy trace equals dense stepping, and tracing changes nothing', () => {
  const { options } = resolveDmsOptions({ preset: 'article', numTrainingInitial: 20, numTrainingLearning: 40, numTrainingMaintenance: 20, numTrainingRecall: 20 });
  const config = dmsConfig(options);
  const plain = simulateDms(config, 10, 0, 77, { warn: () => {} });
  const { result, trace } = simulateTraced(config, 10, 0, 77, true);
  assert.equal(result.tests.map((t) => t.accuracy), plain.tests.map((t) => t.accuracy));
  assert.equal(Array.from(result.training.msnSpikes), Array.from(plain.training.msnSpikes));
  // Reference: every step stepped densely, V read after each step of the last trials.
  const D = 500;
  const lastTrials = new Set([19, 59, 79, 99]);
  const ref: number[] = [];
  const refSpikes: number[] = [];
  let trial = 0;
  simulateDms(config, 10, 0, 77, {
    warn: () => {},
    onSegment: (kind, c) => {
      c.lazy = false;
      c.onStep = null;
      if (kind === 'trial' && lastTrials.has(trial++)) {
        c.onStep = (circuit, spiked) => {
          ref.push(circuit.V);
          refSpikes.push(spiked ? 1 : 0);
        };
      }
    },
  });
  assert.is(ref.length, 4 * D);
  assert.is(trace!.V.length, 4 * D);
  for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(trace!.V[i] - ref[i]) < 1e-9, `step ${i}: ${trace!.V[i]} vs ${ref[i]}`);
  assert.equal(Array.from(trace!.spike), refSpikes);
  assert.equal(Array.from(trace!.phase.filter((_p, i) => i % D === 0)), [0, 1, 2, 3]);
});

test('CLI: both spellings, stdout line per N_p, output-folder rule, sweeps', async () => {
  const dir = await tempDir();
  const res = cli([...SMALL_FLAGS, '--seed', '2', '--quiet', '--out', join(dir, 'one')]);
  assert.is(res.status, 0, res.stderr);
  assert.match(res.stdout, /^4 patterns --- Accuracy: \d\.\d{3}\n$/);
  assert.is(res.stderr, '', 'quiet: no progress');
  assert.ok(existsSync(join(dir, 'one', 'accuracy_4.svg')));
  const plain = cli([...SMALL_FLAGS, '--seed', '2', '--out', join(dir, 'two')]);
  const lines = plain.stderr.trim().split('\n');
  assert.is(lines.length, 4, 'plain progress lines at 0 and each simulation (every 10% step of 3)');
  assert.ok(readFileSync(join(dir, 'one', 'test_accuracy.arrow')).equals(readFileSync(join(dir, 'two', 'test_accuracy.arrow'))));
  // Worker threads also start under the tsx command (not only under node --import tsx).
  const viaTsx = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'cli', 'main.ts'), 'run', 'striatum-dms', ...SMALL_FLAGS, '--seed', '2', '--quiet', '--workers', '2', '--out', join(dir, 'tsx')], { cwd: ROOT, encoding: 'utf8' });
  assert.is(viaTsx.status, 0, viaTsx.stderr);
  for (const f of ['test_accuracy.arrow', 'weights.arrow', 'training.arrow', 'patterns.arrow']) {
    assert.ok(readFileSync(join(dir, 'one', f)).equals(readFileSync(join(dir, 'tsx', f))), f);
  }

  const sweep = cli([...SMALL_FLAGS, '--seed', '2', '--quiet', '--out', join(dir, 'sweep'), '--sweep', 'Apostpre=-1,1']);
  assert.is(sweep.status, 0, sweep.stderr);
  assert.ok(existsSync(join(dir, 'sweep', 'Apostpre=-1.0', 'summary.json')));
  assert.ok(existsSync(join(dir, 'sweep', 'Apostpre=1.0', 'summary.json')));
  const ss = JSON.parse(readFileSync(join(dir, 'sweep', 'sweep_summary.json'), 'utf8'));
  assert.equal(ss.conditions.map((c: { args: Record<string, number> }) => c.args.Apostpre), [-1, 1]);
  assert.ok('t_maintenance' in ss.conditions[0] && 'end_of_phase_accuracy' in ss.conditions[0] && 'weights_zero_end_maintenance' in ss.conditions[0]);
  assert.ok('b_t_maintenance_ordered_stim_recall_0' in ss.acceptance);
  assert.is(ss.conditions[0].t_test_vs_apostpre_minus1, null, 'the reference has no test against itself');
  const tt = ss.conditions[1].t_test_vs_apostpre_minus1;
  assert.equal(Object.keys(tt), ['t_maintenance', 'end_initial_accuracy', 'end_learning_accuracy', 'end_maintenance_accuracy', 'end_recall_accuracy']);
  assert.is(tt.end_learning_accuracy.df, 4, 'two samples of 3 simulations');

  const { options } = resolveDmsOptions({ name: 'proj/sub' });
  assert.is(outputFolder(options, { name: 'proj/sub' }), resolve('../Simu', 'proj/sub', argString(options)));
  assert.is(outputFolder(options, { save_dir: '/x' }), resolve(options.saveDir, options.name, argString(options)));
  assert.is(outputFolder(options, {}), resolve('out/striatum-dms'));
  assert.is(outputFolder(options, { name: 'a' }, 'here'), resolve('here'));
});

test('CLI: option errors name the option', async () => {
  // In-process: a fresh program per case, with commander's exits turned into exceptions.
  const bad = async (args: string[], re: RegExp) => {
    const program = new Command('spikeflow').exitOverride();
    const run = program.command('run').exitOverride();
    const cmd = register(run).exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
    assert.ok(cmd);
    let message = '';
    try {
      await program.parseAsync(['run', 'striatum-dms', ...args, '--quiet', '--out', '/nonexistent/never'], { from: 'user' });
    } catch (e) {
      message = (e as Error).message;
    }
    assert.match(message, re, args.join(' '));
  };
  await bad(['--P', 'ten'], /--P expects a number, got 'ten'/);
  await bad(['--seed', '1', '--random_seed', '2'], /given twice with different values|disagree/);
  await bad(['--stim_by_pattern', '3', '--stim-by-pattern', '4'], /--stim_by_pattern: given twice/);
  await bad(['--stop_learning', 'sometimes'], /--stop_learning/);
  await bad(['--n_pattern', '200'], /only C\(10, 3\) = 120/);
  await bad(['--sweep', 'bogus=1,2'], /--sweep: unknown option 'bogus'/);
  await bad(['--stim_offset', '0'], /--stim_offset/);
  await bad(['--no-such-flag'], /unknown option '--no-such-flag'/);
});

test.run();
