import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  completePresentations,
  getOrder,
  leastSquaresMinNorm,
  linearReadout,
  oddEvenReliability,
  patternNoiseRates,
  pearson,
  psth,
  psthPeakFraction,
  quantileSorted,
  selectiveFractions,
  spikeCorrelation,
  stateTraceFromSpikes,
  summarize,
  summarizeTestRun,
  wtaExpectedRates,
  wtaTotalRates,
  type RunSpikes,
} from '../experiments/wta-sequence/analysis.js';
import type { Phase } from '../experiments/wta-sequence/types.js';
import { close } from './helpers.js';

const spikesOf = (pairs: Array<[number, number]>): RunSpikes => ({ steps: pairs.map((p) => p[0]), ids: pairs.map((p) => p[1]) });
const noise = (start: number, end: number): Phase => ({ start, end, patternId: -1, sequenceId: -1 });
const pat = (start: number, end: number, seq = 0): Phase => ({ start, end, patternId: 0, sequenceId: seq });

/** patternTrace of a run from its phases. */
function traceOf(phases: Phase[], nSteps: number): Int16Array {
  const tr = new Int16Array(nSteps).fill(-1);
  for (const p of phases) for (let t = p.start; t < Math.min(p.end, nSteps); t++) tr[t] = p.patternId;
  return tr;
}

test('pattern/noise rates and selective fractions on hand-made spikes', () => {
  // Steps 0–9 noise, 10–19 pattern (10 ms each).
  const trace = traceOf([noise(0, 10), pat(10, 20)], 20);
  // Neuron 0 only in the pattern (2 spikes), neuron 1 only in noise (1 spike), neuron 2 silent,
  // neuron 3 one of each. Out-of-run spikes (step 20, id 4) are ignored.
  const sp = spikesOf([[12, 0], [15, 0], [3, 1], [20, 3], [9, 3], [10, 3], [5, 4]]);
  const r = patternNoiseRates(sp, 4, trace);
  assert.equal(Array.from(r.ratePattern), [200, 0, 0, 100]);
  assert.equal(Array.from(r.rateNoise), [0, 100, 0, 100]);
  assert.equal(Array.from(r.rate), [100, 50, 0, 100]);
  close(r.patternSeconds, 0.01, 1e-15);
  const f = selectiveFractions(r.ratePattern, r.rateNoise);
  assert.is(f.gt2x, 1 / 4); // neuron 0 (200 > 0); neuron 3 has 100 = 1·100
  assert.is(f.ltHalf, 1 / 4); // neuron 1 (0 < 50)
  // No pattern steps: the pattern rate is undefined and fails both tests.
  const none = patternNoiseRates(sp, 4, new Int16Array(20).fill(-1));
  assert.ok(none.ratePattern.every(Number.isNaN));
  assert.equal(selectiveFractions(none.ratePattern, none.rateNoise), { gt2x: 0, ltHalf: 0 });
});

test('complete presentations: inside the run, pattern phases only, in time order', () => {
  const phases = [noise(0, 10), pat(10, 50), noise(50, 70), pat(70, 110, 1), noise(110, 120), pat(120, 160)];
  const pres = completePresentations(phases, 150);
  assert.equal(pres.map((p) => p.start), [10, 70]);
  assert.is(completePresentations(phases, 160).length, 3);
  assert.is(completePresentations(phases, 160, 1).length, 0);
});

test('PSTH of a deterministic train and its peak fraction', () => {
  // Three complete 40-step presentations (2 bins of 20 ms) and a cut fourth one.
  const phases = [noise(0, 10), pat(10, 50), noise(50, 60), pat(60, 100), noise(100, 110), pat(110, 150), noise(150, 160), pat(160, 200)];
  const nSteps = 180;
  const pres = completePresentations(phases, nSteps);
  assert.is(pres.length, 3);
  // Neuron 0: offset 5 in every presentation, plus offset 25 in the first one. Neuron 1: only
  // in noise and in the cut presentation.
  const sp = spikesOf([[15, 0], [35, 0], [65, 0], [115, 0], [55, 1], [165, 1], [3, 1]]);
  const p = psth(sp, 2, pres);
  assert.is(p.nBins, 2);
  assert.is(p.nPresentations, 3);
  // counts / (3 presentations · 0.02 s)
  close(p.psth[0], 3 / 0.06, 1e-9);
  close(p.psth[1], 1 / 0.06, 1e-9);
  assert.is(p.psth[2], 0);
  assert.is(p.psth[3], 0);
  // Peak 50 Hz vs noise rates: neuron 0 passes 3·10, neuron 1 (peak 0) never does.
  assert.is(psthPeakFraction(p, [10, 1]), 0.5);
  assert.is(psthPeakFraction(p, [20, 1]), 0);
  assert.ok(Number.isNaN(psthPeakFraction(psth(sp, 2, []), [1, 1])));
});

test('odd/even reliability: 1 for identical halves, −1 for mirrored, silent neurons excluded', () => {
  const L = 100; // 5 bins
  const phases: Phase[] = [];
  for (let i = 0; i < 6; i++) phases.push(noise(i * 200, i * 200 + 100), pat(i * 200 + 100, i * 200 + 200));
  const pres = completePresentations(phases, 1200);
  assert.is(pres.length, 6);
  const pairs: Array<[number, number]> = [];
  pres.forEach((p, i) => {
    // Neuron 0: the same response every time (bins 0 and 3).
    pairs.push([p.start + 1, 0], [p.start + 61, 0], [p.start + 62, 0]);
    // Neuron 1: odd presentations fire in bin 0 (twice) and bin 1, even ones the mirror image.
    if (i % 2 === 0) pairs.push([p.start + 2, 1], [p.start + 3, 1], [p.start + 25, 1]);
    else pairs.push([p.start + L - 2, 1], [p.start + L - 3, 1], [p.start + L - 25, 1]);
    // Neuron 2: flat in odd presentations (one spike per bin): zero variance, excluded.
    if (i % 2 === 0) for (let b = 0; b < 5; b++) pairs.push([p.start + b * 20 + 7, 2]);
    else pairs.push([p.start + 7, 2]);
  });
  // Neuron 3 is silent.
  const rel = oddEvenReliability(spikesOf(pairs), 4, pres);
  close(rel.r[0], 1, 1e-12);
  // odd counts (2,1,0,0,0)·3 vs even (0,0,0,1,2)·3: deviations from the mean 0.6 give
  // Sxy = −1.8 and Sxx = Syy = 3.2, so r = −0.5625.
  close(rel.r[1], -0.5625, 1e-12);
  assert.ok(Number.isNaN(rel.r[2]) && Number.isNaN(rel.r[3]));
  assert.is(rel.nNeurons, 2);
  close(rel.mean, (1 - 0.5625) / 2, 1e-12);
  assert.is(rel.fracGt0p5, 1 / 4);
  assert.is(rel.nPresentations, 6);
  const few = oddEvenReliability(spikesOf(pairs), 4, pres.slice(0, 1));
  assert.ok(Number.isNaN(few.mean));
  assert.is(few.nPresentations, 1);
});

test('pearson against a hand computation', () => {
  // x = 1..4, y = (2, 4, 5, 9): deviations (−1.5, −0.5, 0.5, 1.5) and (−3, −1, 0, 4) give
  // Sxy = 11, Sxx = 5, Syy = 26.
  close(pearson([1, 2, 3, 4], [2, 4, 5, 9]), 11 / Math.sqrt(5 * 26), 1e-15);
  assert.ok(Number.isNaN(pearson([1, 1, 1], [1, 2, 3])));
  assert.is(pearson([1, 2], [3, 6]), 1);
});

test('spikeCorrelation: identical, reversed, below-threshold and time-warped neurons', () => {
  const nN = 4;
  const L = 50;
  // Presentations at 0, 100 and 200; the third one warped to 100 steps.
  const phases = [pat(0, L), noise(L, 100), pat(100, 100 + L), noise(150, 200), pat(200, 300)];
  const nSteps = 300;
  const rates = new Float64Array(nSteps * nN);
  const shape = (x: number): number => 50 + 45 * Math.sin(2 * Math.PI * x); // x in [0, 1)
  const set = (t: number, k: number, v: number): void => {
    rates[t * nN + k] = v;
  };
  for (let tau = 0; tau < L; tau++) {
    const x = tau / L;
    set(tau, 0, shape(x));
    set(100 + tau, 0, shape(x));
    set(tau, 1, shape(x));
    set(100 + tau, 1, shape(1 - x)); // mirrored in presentation 2
    set(tau, 2, 10 + tau);
    set(100 + tau, 2, 10 + tau);
    set(tau, 3, 5 + tau); // linear ramp, also in the warped presentation
    set(100 + tau, 3, 5 + tau);
  }
  for (let tau = 0; tau < 100; tau++) {
    const x = tau / 100;
    set(200 + tau, 0, shape(x));
    set(200 + tau, 1, shape(x));
    set(200 + tau, 2, 10 + tau / 2);
    set(200 + tau, 3, 5 + tau / 2); // the same ramp stretched by 2
  }
  const pres = completePresentations(phases, nSteps);
  const c = spikeCorrelation(rates, nN, pres, 90);
  // Neuron 0: peaks 95 Hz in all three, r = 1 (up to resampling the sine); neuron 1: peaks too;
  // neurons 2 and 3 stay below 90 Hz.
  close(c.r12[0], 1, 1e-12);
  assert.ok(c.r13[0] > 0.999, `warped sine r13 = ${c.r13[0]}`);
  assert.ok(c.r12[1] < -0.9, `mirrored sine r12 = ${c.r12[1]}`);
  // Linear interpolation reproduces a stretched ramp exactly.
  close(c.r13[3], 1, 1e-12);
  assert.is(c.nNeurons, 2);
  close(c.corr, (c.r12[0] + c.r13[0] + c.r12[1] + c.r13[1]) / 4, 1e-12);
  const all = spikeCorrelation(rates, nN, pres, 0);
  assert.is(all.nNeurons, 4);
  const none = spikeCorrelation(rates, nN, pres, 200);
  assert.is(none.nNeurons, 0);
  assert.ok(Number.isNaN(none.corr));
  assert.ok(Number.isNaN(spikeCorrelation(rates, nN, pres.slice(0, 2), 0).corr));
});

test('getOrder: phase-shifted sinusoids over the last complete presentation, ties by index', () => {
  const nN = 5;
  const L = 200;
  // An earlier presentation with other shapes, then the one to use, then a cut one.
  const phases = [pat(0, L), noise(L, 300), pat(300, 300 + L), noise(500, 600), pat(600, 800)];
  const nSteps = 700;
  const phi = [150, 20, 90, 20, 5]; // peak steps; neurons 1 and 3 tie
  const rates = new Float64Array(nSteps * nN);
  for (let t = 0; t < nSteps; t++) {
    for (let k = 0; k < nN; k++) {
      const inUsed = t >= 300 && t < 300 + L;
      const tau = t - 300;
      // 1 + cos(2π(τ − φ)/L): its first Fourier component has angle 2πφ/L exactly.
      rates[t * nN + k] = inUsed ? 1 + Math.cos((2 * Math.PI * (tau - phi[k])) / L) : k === 0 ? 5 : 1 + Math.cos((2 * Math.PI * t) / 37);
    }
  }
  const o = getOrder(rates, nN, phases);
  assert.is(o.start, 300);
  assert.is(o.length, L);
  for (let k = 0; k < nN; k++) close(o.peakTime[k], phi[k], 1e-9, `peak of neuron ${k}`);
  assert.equal(Array.from(o.order), [4, 1, 3, 2, 0]);
  // No complete presentation: identity.
  const id = getOrder(rates.subarray(0, 100 * nN), nN, phases);
  assert.equal(Array.from(id.order), [0, 1, 2, 3, 4]);
  assert.is(id.start, -1);
});

test('WTA total and expected rates', () => {
  const wtaOf = [0, 1, 1];
  // 1000 steps = 1 s: WTA 0 fires 3 times, WTA 1 fires 5 times; step 1000 is outside.
  const sp = spikesOf([[0, 0], [10, 0], [999, 0], [1, 1], [2, 2], [3, 2], [4, 1], [5, 1], [1000, 1]]);
  assert.equal(Array.from(wtaTotalRates(sp, wtaOf, 2, 1000)), [3, 5]);
  // Constant rates: WTA 0 one neuron at 100 Hz, WTA 1 two at 50 Hz.
  const nSteps = 10;
  const rates = new Float64Array(nSteps * 3);
  for (let t = 0; t < nSteps; t++) rates.set([100, 50, 50], t * 3);
  const e = wtaExpectedRates(rates, wtaOf, 2);
  close(e[0], (1 - Math.exp(-0.1)) / 0.001, 1e-9);
  close(e[1], (2 * (1 - Math.exp(-0.05))) / 0.001, 1e-9);
  assert.ok(e[0] > 95.16 && e[0] < 95.17);
  const lin = wtaExpectedRates(rates, wtaOf, 2, 'linear');
  close(lin[0], 100, 1e-9);
  close(lin[1], 100, 1e-9);
});

test('summaries: population std and linear-interpolation percentiles; NaN ignored', () => {
  const s = summarize([5, 1, NaN, 4, 2, 3]);
  assert.is(s.mean, 3);
  close(s.std, Math.sqrt(2), 1e-15);
  assert.is(s.min, 1);
  assert.is(s.max, 5);
  // positions (n−1)·q = 0.2, 2, 3.8
  close(s.p05, 1.2, 1e-15);
  assert.is(s.p50, 3);
  close(s.p95, 4.8, 1e-15);
  assert.ok(Number.isNaN(summarize([NaN]).mean));
  assert.is(quantileSorted([7], 0.95), 7);
});

test('state trace s from spikes follows the Euler decay of E5', () => {
  const s = stateTraceFromSpikes(spikesOf([[0, 0], [2, 0], [1, 1]]), 2, 4);
  // neuron 0: 1, 0.95, 0.95² + 1, (0.9025 + 1)·0.95
  close(s[0], 1, 1e-15);
  close(s[2], 0.95, 1e-15);
  close(s[4], 1.9025, 1e-15);
  close(s[6], 1.9025 * 0.95, 1e-15);
  assert.is(s[1], 0);
  close(s[3], 1, 1e-15);
  close(s[5], 0.95, 1e-15);
});

test('least squares: exact fit, minimum-norm split for duplicated columns, zero column', () => {
  // y = 2·x + 1 on four points (columns x, bias).
  const X = [0, 1, 1, 1, 2, 1, 3, 1];
  const w = leastSquaresMinNorm(X, [1, 3, 5, 7], 4, 2);
  close(w[0], 2, 1e-12);
  close(w[1], 1, 1e-12);
  // Duplicated column x, x and a zero column: min-norm gives 1, 1, 0 for y = 2x.
  const X2 = [1, 1, 0, 2, 2, 0, 3, 3, 0];
  const w2 = leastSquaresMinNorm(X2, [2, 4, 6], 3, 3);
  close(w2[0], 1, 1e-12);
  close(w2[1], 1, 1e-12);
  assert.is(w2[2], 0);
  // Overdetermined, not exact: y = (0, 1, 1, 3) on x = 0..3 with bias: slope 0.9, intercept −0.1
  // (normal equations by hand: Sxx = 5, Sxy = 4.5, means 1.5 and 1.25).
  const w3 = leastSquaresMinNorm([0, 1, 1, 1, 2, 1, 3, 1], [0, 1, 1, 3], 4, 2);
  close(w3[0], 0.9, 1e-12);
  close(w3[1], -0.1, 1e-12);
});

test('linear readout on a linearly separable toy case', () => {
  const nN = 3;
  const mk = (phases: Phase[], nSteps: number, seed: number): { states: Float64Array; trace: Int16Array } => {
    const trace = traceOf(phases, nSteps);
    const states = new Float64Array(nSteps * nN);
    let x = seed;
    for (let t = 0; t < nSteps; t++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      states[t * nN] = trace[t] >= 0 ? 2 : 0.5; // a neuron that codes "pattern on"
      states[t * nN + 1] = x / 2147483648; // noise
      states[t * nN + 2] = 0; // silent
    }
    return { states, trace };
  };
  const a = mk([noise(0, 300), pat(300, 600), noise(600, 1000), pat(1000, 1300), noise(1300, 2000)], 2000, 1);
  const b = mk([noise(0, 450), pat(450, 750), noise(750, 1100), pat(1100, 1400), noise(1400, 2000)], 2000, 99);
  const r = linearReadout(a.states, a.trace, b.states, b.trace, nN);
  assert.is(r.nTrain, 100);
  assert.is(r.nTest, 100);
  close(r.rTrain, 1, 1e-9);
  close(r.r, 1, 1e-9);
  // target = (s0 − 0.5)/1.5: weight 2/3 on neuron 0, bias −1/3, nothing on the others.
  close(r.weights[0], 2 / 3, 1e-9);
  close(r.weights[1], 0, 1e-9);
  assert.is(r.weights[2], 0);
  close(r.weights[3], -1 / 3, 1e-9);
  // Without any pattern step in B the correlation is undefined.
  const flat = mk([noise(0, 2000)], 2000, 5);
  assert.ok(Number.isNaN(linearReadout(a.states, a.trace, flat.states, flat.trace, nN).r));
});

test('summarizeTestRun assembles the snake_case block', () => {
  const phases: Phase[] = [];
  for (let i = 0; i < 6; i++) phases.push(noise(i * 100, i * 100 + 60), pat(i * 100 + 60, i * 100 + 100));
  const nSteps = 600;
  const trace = traceOf(phases, nSteps);
  const pairs: Array<[number, number]> = [];
  for (const p of phases) if (p.patternId >= 0) pairs.push([p.start + 3, 0]);
  pairs.push([10, 1], [20, 1]);
  const block = summarizeTestRun({
    spikes: spikesOf(pairs),
    inputSpikes: spikesOf([[0, 0], [70, 1]]),
    nNeurons: 2,
    nInputs: 2,
    wtaOf: [0, 0],
    nWta: 1,
    patternTrace: trace,
    phases,
  });
  assert.is(block.n_pattern_presentations, 6);
  assert.is(block.frac_neurons_rate_pattern_gt_2x_noise, 0.5);
  assert.is(block.frac_neurons_rate_pattern_lt_half_noise, 0.5);
  // 6 spikes over 240 pattern steps = 25 Hz; 2 spikes over 360 noise steps.
  close((block.neuron_rate_pattern_hz as { max: number }).max, 25, 1e-9);
  // Input: 1 spike in 0.24 s of pattern and 1 in 0.36 s of noise, averaged over 2 channels.
  close(block.input_rate_hz_pattern as number, 1 / 0.24 / 2, 1e-9);
  close(block.input_rate_hz_noise as number, 1 / 0.36 / 2, 1e-9);
  assert.ok(Number.isNaN(block.spike_corr_rthresh90 as number), 'no rates given');
  // Neuron 0 answers identically in all presentations (bins (3, 0) in both halves); neuron 1 is
  // silent in them.
  assert.is(block.psth_reliability_odd_even_mean, 1);
  assert.is(block.psth_reliability_n_neurons, 1);
  assert.is(block.psth_reliability_odd_even_frac_gt_0p5, 0.5);
  assert.is(block.frac_neurons_psth_peak_gt_3x_noise, 0.5);
  assert.ok(!('w_input' in block));
});

test.run();
