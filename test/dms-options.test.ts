/** striatum-dms options: parser defaults, preset, aliases, validation, derived lists and names. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import seedrandom from 'seedrandom';
import {
  argString,
  binomial,
  dmsFlags,
  DmsOptionsError,
  nPatternList,
  parseSweep,
  pythonFloat,
  randomMasterSeed,
  resolveDmsOptions,
  resolveSeed,
  seedList,
  SNAKE_TO_CAMEL,
  sweepConditions,
  testSchedule,
  testStamps,
  workerCount,
} from '../experiments/striatum-dms/options.js';

function errorMessage(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (!(e instanceof DmsOptionsError)) throw new Error(`expected a DmsOptionsError, got ${String(e)}`);
    return e.message;
  }
  throw new Error('expected a DmsOptionsError, but nothing was thrown');
}

test('parser defaults are the original main_DMS.py ones', () => {
  const { options: o, warnings } = resolveDmsOptions({});
  assert.equal(warnings, []);
  assert.is(o.saveDir, '../Simu');
  assert.is(o.name, 'local/test');
  assert.is(o.P, 10);
  assert.is(o.stimByPattern, 3);
  assert.is(o.Apostpre, -1);
  assert.is(o.Aprepost, -1);
  assert.is(o.homeostasy, 0.95);
  assert.is(o.epsilon, 0.2);
  assert.is(o.noisePattern, 0);
  assert.is(o.noiseInput, 0.01);
  assert.is(o.stopLearning, 'None');
  assert.is(o.pReward, 0.5);
  assert.is(o.stimDuration, 50);
  assert.is(o.stimOffset, 20);
  assert.is(o.stimRecall, 0);
  assert.is(o.dt, 0.2);
  assert.equal([o.numTrainingInitial, o.numTrainingLearning, o.numTrainingMaintenance, o.numTrainingRecall], [200, 200, 200, 200]);
  assert.is(o.numSimu, 500);
  assert.is(o.newSet, 0);
  assert.is(o.save, false);
  assert.is(o.randomSeed, undefined);
  assert.is(o.ratioRecall, 0.6);
  assert.is(o.carryLastSpike, 1);
  assert.equal(o.sweep, []);
});

test('--preset article sets the article column but keeps Apostpre and stim_recall', () => {
  const { options: o } = resolveDmsOptions({ preset: 'article' });
  assert.is(o.epsilon, 0.02);
  assert.is(o.noisePattern, 0.2);
  assert.is(o.noiseInput, 0.005);
  assert.is(o.stimDuration, 100);
  assert.is(o.stimOffset, 50);
  assert.equal([o.numTrainingInitial, o.numTrainingLearning, o.numTrainingMaintenance, o.numTrainingRecall], [500, 500, 500, 500]);
  assert.is(o.numSimu, 200);
  assert.is(o.randomSeed, 0);
  assert.is(o.save, true);
  // Not part of the preset: parser defaults stay.
  assert.is(o.Apostpre, -1);
  assert.is(o.stimRecall, 0);
});

test('explicit options override the preset, in both spellings and with an explicit key set', () => {
  const a = resolveDmsOptions({ preset: 'article', num_simu: 8, Apostpre: 1, stimRecall: 0.2 }).options;
  assert.is(a.numSimu, 8);
  assert.is(a.Apostpre, 1);
  assert.is(a.stimRecall, 0.2);
  assert.is(a.epsilon, 0.02);
  // Parsed CLI flags hold every default; only the keys named explicit survive the preset.
  const flags = { preset: 'article', epsilon: 0.2, dt: 0.2, numSimu: 500, noiseInput: 0.01 };
  const b = resolveDmsOptions(flags, ['preset', 'epsilon', 'noise_input']).options;
  assert.is(b.epsilon, 0.2);
  assert.is(b.noiseInput, 0.01);
  assert.is(b.numSimu, 200);
  // An explicit value equal to the parser default still wins over the preset.
  assert.is(resolveDmsOptions({ preset: 'article', stim_duration: 50, stim_offset: 20 }).options.stimDuration, 50);
});

test('snake_case names map to camelCase keys; seed is an alias of random_seed', () => {
  assert.is(SNAKE_TO_CAMEL.stim_by_pattern, 'stimByPattern');
  assert.is(SNAKE_TO_CAMEL.num_training_maintenance, 'numTrainingMaintenance');
  assert.is(SNAKE_TO_CAMEL.P, 'P');
  assert.is(SNAKE_TO_CAMEL.Apostpre, 'Apostpre');
  assert.is(SNAKE_TO_CAMEL.n_pattern, 'nPattern');
  assert.is(Object.keys(SNAKE_TO_CAMEL).length, 27 + 7);
  const o = resolveDmsOptions({ stim_by_pattern: 4, noise_input: 0.02, seed: 7 }).options;
  assert.is(o.stimByPattern, 4);
  assert.is(o.noiseInput, 0.02);
  assert.is(o.randomSeed, 7);
  assert.ok(errorMessage(() => resolveDmsOptions({ seed: 1, random_seed: 2 })).includes('random_seed'));
  assert.is(resolveDmsOptions({ seed: 3, random_seed: 3 }).options.randomSeed, 3);
  assert.equal(dmsFlags('stimByPattern'), ['--stim-by-pattern', '--stim_by_pattern']);
  assert.equal(dmsFlags('P'), ['--P']);
  assert.equal(dmsFlags('Aprepost'), ['--Aprepost']);
  assert.equal(dmsFlags('dt'), ['--dt']);
  assert.is(resolveSeed(undefined, 5), 5);
  assert.is(resolveSeed(5, undefined), 5);
  assert.throws(() => resolveSeed(4, 5), /--seed/);
});

test('bad values are rejected with messages naming the option', () => {
  assert.ok(errorMessage(() => resolveDmsOptions({ stim_offset: 0.1 })).includes('--stim_offset'));
  assert.ok(errorMessage(() => resolveDmsOptions({ stimOffset: 50 })).includes('--stim_offset'), 'offset beyond the trial');
  assert.ok(errorMessage(() => resolveDmsOptions({ P: 2 })).includes('--stim_by_pattern'));
  assert.ok(errorMessage(() => resolveDmsOptions({ p_reward: 1.5 })).includes('--p_reward'));
  assert.ok(errorMessage(() => resolveDmsOptions({ stimRecall: -0.1 })).includes('--stim_recall'));
  assert.ok(errorMessage(() => resolveDmsOptions({ stop_learning: 'sometimes' })).includes('--stop_learning'));
  assert.ok(errorMessage(() => resolveDmsOptions({ num_simu: 2.5 })).includes('--num_simu'));
  assert.ok(errorMessage(() => resolveDmsOptions({ dt: 0 })).includes('--dt'));
  assert.ok(errorMessage(() => resolveDmsOptions({ bogus: 1 })).includes("'bogus'"));
  assert.ok(errorMessage(() => resolveDmsOptions({ numStats: 600 })).includes('--num_stats'));
  assert.ok(errorMessage(() => resolveDmsOptions({ n_pattern: '10,121' })).includes('120'));
  assert.ok(errorMessage(() => resolveDmsOptions({ n_pattern: '10,x' })).includes('--n_pattern'));
  assert.ok(errorMessage(() => resolveDmsOptions({ carry_last_spike: 2 })).includes('--carry_last_spike'));
});

test('non-integral durations in steps are warned about, not rejected', () => {
  const { options, warnings } = resolveDmsOptions({ stim_duration: 50.1 });
  assert.is(options.stimDuration, 50.1);
  assert.is(warnings.length, 1);
  assert.ok(warnings[0].includes('--stim_duration'));
  // 0.6/0.2 is 2.9999999999999996 in floating point: int() gives 2 steps, worth a warning.
  assert.ok(resolveDmsOptions({ stim_offset: 0.6 }).warnings.some((w) => w.includes('--stim_offset')));
  assert.ok(resolveDmsOptions({ noise_input: 2 }).warnings.some((w) => w.includes('--noise_input')));
  assert.ok(resolveDmsOptions({ num_simu: 50, num_stats: 20 }).warnings.some((w) => w.includes('--num_stats')));
});

test('n_pattern lists (spec §7 check 7)', () => {
  assert.equal(nPatternList(10, 3), [10, 15]);
  assert.equal(nPatternList(20, 3), [30]);
  assert.equal(nPatternList(8, 3), [4, 8, 12]);
  assert.equal(nPatternList(7, 2), [3, 6, 9, 12]);
  assert.is(binomial(10, 3), 120);
  assert.is(binomial(20, 5), 15504);
  assert.equal(nPatternList(10, 3, [120]), [120]);
  assert.ok(errorMessage(() => nPatternList(10, 3, [121])).includes('C(10, 3) = 120'));
  // P 6, 5 inputs per pattern: 6 patterns exist, the derived 9 does not fit.
  assert.ok(errorMessage(() => nPatternList(6, 5)).includes('C(6, 5) = 6'));
  assert.equal(resolveDmsOptions({ n_pattern: '10, 15' }).options.nPattern, [10, 15]);
  assert.equal(resolveDmsOptions({ nPattern: [3] }).options.nPattern, [3]);
});

test('test stamps (spec §7 check 6)', () => {
  const article = testStamps([500, 500, 500, 500]);
  const want: number[] = [];
  for (let p = 0; p < 4; p++) {
    for (let i = 0; i < 50; i += 5) want.push(500 * p + i);
    for (let i = 50; i < 500; i += 50) want.push(500 * p + i);
  }
  want.push(2000);
  assert.is(article.length, 77);
  assert.equal(article, want);
  assert.equal(article.slice(0, 12), [0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 100]);
  assert.equal(article.slice(18, 22), [450, 500, 505, 510]);
  assert.is(article[76], 2000);
  assert.is(testStamps([200, 200, 200, 200]).length, 53);
  const s = testSchedule([500, 500, 500, 500]);
  assert.is(s.phase.filter((p) => p === 'maintenance').length, 19);
  assert.is(s.phase[s.phase.indexOf('learning')], 'learning');
  assert.is(s.iteration[s.phase.indexOf('learning')], 500);
  assert.is(s.phase[76], 'final');
  // Short phases: |{i < min(L,50): i%5 = 0}| + |{50 <= i < L: i%50 = 0}|.
  assert.equal(testStamps([7, 0, 51, 1]), [0, 5, 7, 12, 17, 22, 27, 32, 37, 42, 47, 52, 57, 58, 59]);
});

test('seed list: alea draws in [0, 100000) without duplicates, prefix-stable', () => {
  const long = seedList(0, 2000);
  const short = seedList(0, 200);
  assert.equal(long.slice(0, 200), short);
  assert.is(new Set(long).size, 2000);
  assert.ok(long.every((s) => Number.isInteger(s) && s >= 0 && s < 100000));
  // Independent re-implementation of the draw.
  const rng = seedrandom.alea('42');
  const ref: number[] = [];
  while (ref.length < 50) {
    const s = Math.floor(rng() * 100000);
    if (!ref.includes(s)) ref.push(s);
  }
  assert.equal(seedList(42, 50), ref);
  assert.not.equal(seedList(1, 5), seedList(2, 5));
  // Every value of [0, 100000) can be drawn, so a full list is a permutation.
  assert.is(new Set(seedList(3, 100000)).size, 100000);
  assert.throws(() => seedList(0, 100001), /100000/);
});

test('Python float formatting', () => {
  assert.is(pythonFloat(-1), '-1.0');
  assert.is(pythonFloat(0), '0.0');
  assert.is(pythonFloat(0.95), '0.95');
  assert.is(pythonFloat(100), '100.0');
  assert.is(pythonFloat(0.005), '0.005');
  assert.is(pythonFloat(0.0001), '0.0001');
  assert.is(pythonFloat(0.00001), '1e-05');
  assert.is(pythonFloat(-2.5e-7), '-2.5e-07');
  assert.is(pythonFloat(1e16), '1e+16');
  assert.is(pythonFloat(1234567890123456), '1234567890123456.0');
  assert.is(pythonFloat(0.1 + 0.2), '0.30000000000000004');
});

test('argString: key=value of the original options in parser order, Python formatting', () => {
  const def = resolveDmsOptions({}).options;
  assert.is(
    argString(def),
    'P=10_stim_by_pattern=3_Apostpre=-1.0_Aprepost=-1.0_homeostasy=0.95_epsilon=0.2_noise_pattern=0.0_noise_input=0.01_' +
      'stop_learning=None_num_success_params=0_p_reward=0.5_stim_duration=50.0_stim_offset=20.0_homeostasy_post=0.0_' +
      'stim_recall=0.0_dt=0.2_num_training_initial=200_num_training_learning=200_num_training_maintenance=200_' +
      'num_training_recall=200_num_simu=500_new_set=0_save=False_plot=False_random_seed=None',
  );
  const art = argString(resolveDmsOptions({ preset: 'article', Apostpre: 0.5, name: 'a/b', stop_learning: 'number_success' }).options);
  assert.ok(art.includes('_Apostpre=0.5_'));
  assert.ok(art.includes('_epsilon=0.02_'));
  assert.ok(art.includes('_stop_learning=number_success_'));
  assert.ok(art.endsWith('_save=True_plot=False_random_seed=0'));
  assert.not.ok(art.includes('a/b'));
});

test('sweeps: axes parsed by the schema, Cartesian product, folder names', () => {
  const base = resolveDmsOptions({ preset: 'article' }).options;
  const axes = parseSweep(['Apostpre=-1,0,1', 'stim_recall=0,1']);
  assert.equal(axes.map((a) => a.values), [[-1, 0, 1], [0, 1]]);
  const cs = sweepConditions(base, axes);
  assert.is(cs.length, 6);
  assert.equal(cs.map((c) => c.folder), [
    'Apostpre=-1.0_stim_recall=0.0', 'Apostpre=-1.0_stim_recall=1.0', 'Apostpre=0.0_stim_recall=0.0',
    'Apostpre=0.0_stim_recall=1.0', 'Apostpre=1.0_stim_recall=0.0', 'Apostpre=1.0_stim_recall=1.0',
  ]);
  assert.is(cs[3].options.Apostpre, 0);
  assert.is(cs[3].options.stimRecall, 1);
  assert.is(cs[3].options.epsilon, 0.02);
  assert.equal(cs[3].args, { Apostpre: 0, stim_recall: 1 });
  assert.ok(errorMessage(() => parseSweep(['p_reward=0.5,2'])).includes('--p_reward'));
  assert.ok(errorMessage(() => parseSweep(['nope=1'])).includes("'nope'"));
  assert.ok(errorMessage(() => parseSweep(['Apostpre'])).includes('key=v1,v2'));
  assert.ok(errorMessage(() => resolveDmsOptions({ sweep: ['stop_learning=None,maybe'] })).includes('--stop_learning'));
  assert.equal(resolveDmsOptions({ sweep: 'Apostpre=1' }).options.sweep, ['Apostpre=1']);
  assert.equal(parseSweep(['stop_learning=None,number_success'])[0].values, ['None', 'number_success']);
});

test('worker count and fresh master seeds', () => {
  assert.is(workerCount({ numSimu: 8, workers: undefined }, 2), 2);
  assert.is(workerCount({ numSimu: 1, workers: undefined }, 4), 1);
  assert.is(workerCount({ numSimu: 8, workers: 3 }, 2), 3);
  const s = randomMasterSeed();
  assert.ok(Number.isInteger(s) && s >= 0 && s < 2 ** 31);
});

test.run();
