import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RandomStreams } from '../engine/rng.js';
import { INPUT_DEFAULTS, InputGenerator, SpikeTrainInput, type InputGeneratorOptions } from '../experiments/wta-sequence/input-generator.js';
import { InputKind, type Phase } from '../experiments/wta-sequence/types.js';

interface Recorded {
  steps: number[];
  chans: number[];
  kinds: number[];
  patternTrace: Int16Array;
  sequenceTrace: Int16Array;
  phases: Phase[];
  nextLen: number[];
  /** Time warp at the start of every pattern phase, index for index with the pattern phases. */
  warps: number[];
}

function run(gen: InputGenerator, nSteps: number): Recorded {
  const rec: Recorded = { steps: [], chans: [], kinds: [], patternTrace: new Int16Array(0), sequenceTrace: new Int16Array(0), phases: [], nextLen: [], warps: [] };
  let nPhases = 0;
  for (let t = 0; t < nSteps; t++) {
    const ch = gen.next(t);
    const kinds = gen.kinds;
    assert.is(kinds.length, ch.length);
    for (let i = 0; i < ch.length; i++) {
      if (i > 0) assert.ok(ch[i] > ch[i - 1], 'channels ascending, no duplicates');
      rec.steps.push(t);
      rec.chans.push(ch[i]);
      rec.kinds.push(kinds[i]);
    }
    if (gen.phaseTimes.length !== nPhases) {
      nPhases = gen.phaseTimes.length;
      if (gen.phaseTimes[nPhases - 1].patternId >= 0) rec.warps.push(gen.timeWarp);
    }
  }
  rec.patternTrace = gen.patternTrace.slice();
  rec.sequenceTrace = gen.sequenceTrace.slice();
  rec.phases = gen.phaseTimes.map((p) => ({ ...p }));
  rec.nextLen = [...gen.nextPatternLength];
  return rec;
}

/**
 * Independent frozen-pattern reference: the documented draw order of stream 'patterns'
 * (per pattern, per channel, exponential intervals until the sum reaches tPattern) and the
 * bin rule s·warp in [τ·dt, (τ+1)·dt), evaluated by scanning τ.
 */
function referencePattern(seed: number, nInputs: number, tPatternMs: number[], rInput: number): number[][][] {
  const u = new RandomStreams(seed).stream('patterns').uniform;
  return tPatternMs.map((tMs) => {
    const chans: number[][] = [];
    for (let c = 0; c < nInputs; c++) {
      const times: number[] = [];
      let s = 0;
      for (;;) {
        s += -Math.log(1 - u()) / rInput;
        if (s >= tMs / 1000) break;
        times.push(s);
      }
      chans.push(times);
    }
    return chans;
  });
}

function referenceBins(times: number[], warp: number, len: number): number[] {
  const out: number[] = [];
  for (let tau = 0; tau < len; tau++) if (times.some((s) => s * warp >= tau * 0.001 && s * warp < (tau + 1) * 0.001)) out.push(tau);
  return out;
}

/** Pattern-kind spikes of one presentation as sorted "offset:channel" keys. */
function frozenKeys(rec: Recorded, ph: Phase): string[] {
  const keys: string[] = [];
  for (let i = 0; i < rec.steps.length; i++) {
    if (rec.steps[i] >= ph.start && rec.steps[i] < ph.end && rec.kinds[i] === InputKind.Pattern) keys.push(`${rec.steps[i] - ph.start}:${rec.chans[i]}`);
  }
  return keys.sort();
}

function expectedKeys(ref: number[][], warp: number, len: number): string[] {
  const keys: string[] = [];
  ref.forEach((times, c) => referenceBins(times, warp, len).forEach((tau) => keys.push(`${tau}:${c}`)));
  return keys.sort();
}

test('defaults are the experiment values of spec §3', () => {
  const gen = new InputGenerator({ nInputs: 3 }, new RandomStreams(1));
  const o = gen.options;
  assert.is(o.rNoise, 5);
  assert.is(o.rInput, 5);
  assert.is(o.rNoisePattern, 2);
  assert.is(o.nPatterns, 1);
  assert.equal(o.tPattern, [300]);
  assert.equal(o.patternSequences, [[0], [0]]);
  assert.is(o.patternMode, 'random_switching');
  assert.is(o.pSwitch, 0.5);
  assert.equal(o.tNoiseRange, [300, 500]);
  assert.equal(o.timeWarpRange, [1, 1]);
  assert.is(o.useNoise, true);
  assert.is(o.dt, 1);
  assert.equal(INPUT_DEFAULTS.tPattern, [300]);
});

test('phases: noise first, then alternating noise / 300-step patterns; traces and nextPatternLength agree', () => {
  const gen = new InputGenerator({ nInputs: 4 }, new RandomStreams(7));
  const T = 20000;
  const rec = run(gen, T);
  const ph = rec.phases;
  assert.ok(ph.length > 40, `${ph.length} phases in 20 s`);
  assert.is(ph[0].start, 0);
  assert.is(ph[0].patternId, -1, 'a run starts with noise');
  for (let i = 0; i < ph.length; i++) {
    const p = ph[i];
    if (i > 0) assert.is(p.start, ph[i - 1].end, 'phases are contiguous');
    assert.is(p.patternId < 0, i % 2 === 0, 'noise and sequences (of one pattern) alternate');
    const len = p.end - p.start;
    if (p.patternId < 0) {
      // floor(T) with T ~ U[300, 500) ms
      assert.ok(len >= 300 && len <= 499, `noise phase of ${len} steps`);
      assert.is(p.sequenceId, -1);
      if (i + 1 < ph.length) assert.is(rec.nextLen[i], ph[i + 1].end - ph[i + 1].start, 'noise phase announces the next pattern length');
    } else {
      assert.is(len, 300);
      assert.is(p.patternId, 0);
      assert.ok(p.sequenceId === 0 || p.sequenceId === 1);
      assert.is(rec.nextLen[i], 300);
    }
    for (let t = p.start; t < Math.min(p.end, T); t++) {
      if (rec.patternTrace[t] !== p.patternId || rec.sequenceTrace[t] !== p.sequenceId) assert.unreachable(`trace mismatch at step ${t}`);
    }
  }
  assert.is(rec.patternTrace.length, T);
});

test('noise phases spike at 1 − e^{−rNoise·dt} per channel and step, with kind 0 only', () => {
  const nInputs = 100;
  const gen = new InputGenerator({ nInputs }, new RandomStreams(11));
  const rec = run(gen, 20000);
  let noiseSteps = 0;
  for (const v of rec.patternTrace) if (v < 0) noiseSteps++;
  let count = 0;
  for (let i = 0; i < rec.steps.length; i++) {
    if (rec.patternTrace[rec.steps[i]] < 0) {
      assert.is(rec.kinds[i], InputKind.Noise);
      count++;
    } else assert.ok(rec.kinds[i] !== InputKind.Noise, 'no kind 0 in patterns');
  }
  const p = 1 - Math.exp(-5 * 0.001);
  const expected = noiseSteps * nInputs * p;
  // Binomial count of about 5,700: 4 standard deviations are 5.3 % of it.
  assert.ok(Math.abs(count - expected) < 4 * Math.sqrt(expected), `noise spikes ${count}, expected ${expected.toFixed(0)}`);
});

test('frozen pattern: identical in every presentation, equal to an independent re-draw, extra noise at rNoisePattern', () => {
  const nInputs = 100;
  const seed = 5;
  const gen = new InputGenerator({ nInputs }, new RandomStreams(seed));
  const rec = run(gen, 30000);
  const ref = referencePattern(seed, nInputs, [300], 5);
  const expected = expectedKeys(ref[0], 1, 300);
  // Poisson(150) spikes in the pattern (5 Hz · 0.3 s · 100 channels): a sanity bound, the exact
  // check is the comparison with the re-draw.
  assert.ok(expected.length > 90 && expected.length < 210, `${expected.length} frozen spikes`);
  const pres = rec.phases.filter((p) => p.patternId >= 0 && p.end <= 30000);
  assert.ok(pres.length >= 30);
  for (const p of pres) assert.equal(frozenKeys(rec, p), expected);
  // Extra noise: kind 2 on channel-steps without a frozen spike.
  let kind2 = 0;
  for (let i = 0; i < rec.steps.length; i++) if (rec.kinds[i] === InputKind.PatternNoise) kind2++;
  let freeSlots = 0;
  for (const p of pres) freeSlots += (p.end - p.start) * nInputs - expected.length;
  const last = rec.phases[rec.phases.length - 1];
  if (last.patternId >= 0 && last.end > 30000) {
    // the cut presentation also contributes kind-2 spikes: count its free slots too
    const cut = 30000 - last.start;
    freeSlots += cut * nInputs - expected.filter((k) => Number(k.split(':')[0]) < cut).length;
  }
  const pExtra = 1 - Math.exp(-2 * 0.001);
  const mu = freeSlots * pExtra;
  // About 1,900 expected: 4 standard deviations are 9 %.
  assert.ok(Math.abs(kind2 - mu) < 4 * Math.sqrt(mu), `extra noise ${kind2}, expected ${mu.toFixed(0)}`);
});

test('OR-ing: a frozen spike that coincides with extra noise is one spike of kind 1', () => {
  const nInputs = 20;
  const seed = 3;
  // p ≈ 1 for the extra noise: every channel spikes in every pattern step.
  const gen = new InputGenerator({ nInputs }, new RandomStreams(seed), { rNoisePattern: 1e7, rNoise: 0 });
  const rec = run(gen, 3000);
  const ref = referencePattern(seed, nInputs, [300], 5);
  const pres = rec.phases.filter((p) => p.patternId >= 0 && p.end <= 3000);
  assert.ok(pres.length >= 2);
  for (const p of pres) {
    let n = 0;
    for (let i = 0; i < rec.steps.length; i++) if (rec.steps[i] >= p.start && rec.steps[i] < p.end) n++;
    assert.is(n, 300 * nInputs, 'one spike per channel and step');
    assert.equal(frozenKeys(rec, p), expectedKeys(ref[0], 1, 300));
  }
  for (let i = 0; i < rec.steps.length; i++) assert.ok(rec.patternTrace[rec.steps[i]] >= 0, 'rNoise 0: silent noise phases');
});

test('test generators share the frozen patterns, alternate and start with sequence itest % 2', () => {
  const nInputs = 50;
  const seed = 21;
  const train = new InputGenerator({ nInputs }, new RandomStreams(seed));
  const trainRec = run(train, 2000);
  const trainPres = trainRec.phases.find((p) => p.patternId >= 0 && p.end <= 2000)!;
  const frozen = frozenKeys(trainRec, trainPres);
  for (const itest of [0, 1, 2, 3]) {
    const gen = train.forTest(itest);
    assert.is(gen.patterns, train.patterns);
    assert.is(gen.options.patternMode, 'alternating');
    assert.is(gen.options.pSwitch, 1);
    const rec = run(gen, 8000);
    const seqs = rec.phases.filter((p) => p.patternId >= 0).map((p) => p.sequenceId);
    assert.ok(seqs.length >= 8);
    seqs.forEach((s, i) => assert.is(s, (itest + i) % 2, `sequence ${i} of test ${itest}`));
    for (const p of rec.phases.filter((q) => q.patternId >= 0 && q.end <= 8000)) assert.equal(frozenKeys(rec, p), frozen);
  }
  // Own streams: two tests with different itest see different noise.
  const a = run(train.forTest(0), 1000);
  const b = run(train.forTest(2), 1000);
  assert.not.equal(a.steps, b.steps);
});

test('time warp: presentations last floor(warp·300) steps and place frozen spikes at s·warp', () => {
  const nInputs = 30;
  const seed = 9;
  const gen = new InputGenerator({ nInputs }, new RandomStreams(seed), { timeWarpRange: [0.5, 2] });
  const rec = run(gen, 40000);
  const ref = referencePattern(seed, nInputs, [300], 5);
  const pres = rec.phases.filter((p) => p.patternId >= 0);
  assert.is(rec.warps.length, pres.length);
  const lens = new Set<number>();
  pres.forEach((p, i) => {
    const w = rec.warps[i];
    assert.ok(w >= 0.5 && w <= 2, `warp ${w}`);
    assert.is(p.end - p.start, Math.floor(w * 300));
    lens.add(p.end - p.start);
    if (p.end <= 40000) assert.equal(frozenKeys(rec, p), expectedKeys(ref[0], w, p.end - p.start));
  });
  assert.ok(lens.size > 10, 'warps vary between sequences');
});

test('documented draw order of stream input: noise length, switch decision, per-step channel draws', () => {
  const nInputs = 3;
  const seed = 17;
  const gen = new InputGenerator({ nInputs }, new RandomStreams(seed));
  const rec = run(gen, 4000);
  const u = new RandomStreams(seed).stream('input').uniform;
  // Phase 1: noise length, then the first plan (sequence 0 without a draw, one warp draw).
  const len0 = Math.floor(300 + 200 * u());
  u(); // warp
  assert.is(rec.phases[0].end, len0);
  const spikes: string[] = [];
  for (let t = 0; t < len0; t++) for (let c = 0; c < nInputs; c++) if (u() < 1 - Math.exp(-0.005)) spikes.push(`${t}:${c}`);
  // Pattern steps draw one U per channel as well (extra noise at 2 Hz).
  const pPat = 1 - Math.exp(-0.002);
  const extra: string[] = [];
  for (let t = len0; t < len0 + 300; t++) for (let c = 0; c < nInputs; c++) if (u() < pPat) extra.push(`${t}:${c}`);
  // Second noise phase: its length, then the switch decision, then (if switching) the pick
  // among the other sequence (one draw), then the warp.
  const len1 = Math.floor(300 + 200 * u());
  const switched = u() < 0.5;
  if (switched) u();
  assert.is(rec.phases[1].sequenceId, 0);
  assert.is(rec.phases[2].end - rec.phases[2].start, len1);
  assert.is(rec.phases[3].sequenceId, switched ? 1 : 0);
  const got = (from: number, to: number, kind: number): string[] =>
    rec.steps.map((t, i) => [t, i] as const).filter(([t, i]) => t >= from && t < to && rec.kinds[i] === kind).map(([t, i]) => `${t}:${rec.chans[i]}`);
  assert.equal(got(0, len0, InputKind.Noise), spikes);
  const extraNotFrozen = got(len0, len0 + 300, InputKind.PatternNoise);
  const frozenHere = new Set(got(len0, len0 + 300, InputKind.Pattern));
  assert.equal(extraNotFrozen, extra.filter((k) => !frozenHere.has(k)));
});

test('switching modes: random_switching rate, random_iterate cycle, random_ind frequencies', () => {
  const streams = new RandomStreams(33);
  const seqsOf = (opts: Partial<InputGeneratorOptions>, steps: number): number[] => {
    const rec = run(new InputGenerator({ nInputs: 1 }, streams, { tNoiseRange: [10, 10], tPattern: [10], ...opts }), steps);
    return rec.phases.filter((p) => p.patternId >= 0).map((p) => p.sequenceId);
  };
  const sw = seqsOf({}, 40000); // ~2000 sequences
  let switches = 0;
  for (let i = 1; i < sw.length; i++) if (sw[i] !== sw[i - 1]) switches++;
  const frac = switches / (sw.length - 1);
  // Binomial(~2000, 0.5): sd 0.011, tolerance 4 sd.
  assert.ok(Math.abs(frac - 0.5) < 0.045, `switch fraction ${frac}`);
  assert.is(sw[0], 0, 'the first sequence is 0 without startSequence');

  const it = seqsOf({ patternMode: 'random_iterate', pSwitch: 1, patternSequences: [[0], [0], [0]] }, 2000);
  it.forEach((s, i) => assert.is(s, i % 3));
  const stay = seqsOf({ patternMode: 'random_iterate', pSwitch: 0, patternSequences: [[0], [0], [0]] }, 2000);
  assert.ok(stay.every((s) => s === 0));

  const ind = seqsOf({ patternMode: 'random_ind', sprob: [1, 0, 3], patternSequences: [[0], [0], [0]] }, 40000);
  const counts = [0, 0, 0];
  for (const s of ind) counts[s]++;
  assert.is(counts[1], 0);
  const f2 = counts[2] / ind.length;
  // Binomial(~2000, 0.75): sd 0.0097, tolerance 4 sd.
  assert.ok(Math.abs(f2 - 0.75) < 0.04, `random_ind frequency ${f2}`);
});

test('multi-pattern sequences run back to back; useNoise false leaves no noise phase', () => {
  const gen = new InputGenerator({ nInputs: 5 }, new RandomStreams(2), {
    nPatterns: 3,
    tPattern: [100, 200, 50],
    patternSequences: [[0, 1], [2]],
    patternMode: 'alternating',
    useNoise: false,
  });
  const rec = run(gen, 2000);
  const ids = rec.phases.map((p) => p.patternId);
  // alternating from sequence 0: [0, 1], [2], [0, 1], [2], …
  assert.equal(ids.slice(0, 7), [0, 1, 2, 0, 1, 2, 0]);
  assert.equal(rec.phases.slice(0, 3).map((p) => p.end - p.start), [100, 200, 50]);
  assert.equal(rec.phases.slice(0, 3).map((p) => p.sequenceId), [0, 0, 1]);
  for (const v of rec.patternTrace) assert.ok(v >= 0);
  // Three different frozen patterns.
  const keys = [0, 1, 2].map((i) => frozenKeys(rec, rec.phases[i]).join());
  assert.is(new Set(keys).size, 3);
});

test('same seed gives the same input; another seed differs; reset starts a new run', () => {
  const a = run(new InputGenerator({ nInputs: 20 }, new RandomStreams(4)), 3000);
  const b = run(new InputGenerator({ nInputs: 20 }, new RandomStreams(4)), 3000);
  const c = run(new InputGenerator({ nInputs: 20 }, new RandomStreams(5)), 3000);
  assert.equal(a.steps, b.steps);
  assert.equal(a.chans, b.chans);
  assert.equal(a.kinds, b.kinds);
  assert.equal(a.phases, b.phases);
  assert.not.equal(a.chans, c.chans);

  const gen = new InputGenerator({ nInputs: 20 }, new RandomStreams(4));
  run(gen, 1500);
  assert.throws(() => gen.next(0), /expected step 1500/);
  gen.reset();
  assert.is(gen.patternTrace.length, 0);
  assert.is(gen.phaseTimes.length, 0);
  const again = run(gen, 1500);
  assert.is(again.phases[0].patternId, -1);
  assert.is(again.phases[0].start, 0);
  assert.is(again.patternTrace.length, 1500);
});

test('option checks', () => {
  const s = new RandomStreams(1);
  assert.throws(() => new InputGenerator({ nInputs: 2 }, s, { patternSequences: [[0, 1]] }), /pattern id 1/);
  assert.throws(() => new InputGenerator({ nInputs: 2 }, s, { tPattern: [0.5] }), /shorter than one step/);
  assert.throws(() => new InputGenerator({ nInputs: 2 }, s, { rNoise: -1 }), /rNoise/);
  assert.throws(() => new InputGenerator({ nInputs: 2 }, s, { patternMode: 'x' as never }), /patternMode/);
  const g = new InputGenerator({ nInputs: 2 }, s);
  assert.throws(() => new InputGenerator({ nInputs: 3 }, s, { patterns: g.patterns }), /shared patterns/);
});

test('SpikeTrainInput replays per-channel steps, merges repeats, and restarts on reset', () => {
  const inp = new SpikeTrainInput({ nInputs: 3, spikeSteps: [[5, 1, 5], [], [1, 7]] });
  const seen: string[] = [];
  const play = (): void => {
    for (let t = 0; t < 10; t++) {
      const ch = inp.next(t);
      if (ch.length) seen.push(`${t}:${Array.from(ch).join(',')}`);
      assert.is(inp.kinds.length, ch.length);
    }
  };
  play();
  assert.equal(seen, ['1:0,2', '5:0', '7:2']);
  assert.throws(() => inp.next(3), /expected step 10/);
  inp.reset();
  seen.length = 0;
  play();
  assert.equal(seen, ['1:0,2', '5:0', '7:2']);
  assert.throws(() => new SpikeTrainInput({ nInputs: 1, spikeSteps: [[-1]] }), /integers >= 0/);
  assert.throws(() => new SpikeTrainInput({ nInputs: 2, spikeSteps: [[1]] }), /2/);
});

test.run();
