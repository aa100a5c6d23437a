/**
 * Analyses of the striatum-dms experiment (spec §5) as pure functions: end-of-phase
 * accuracies and the T_maintenance (Burr fit) and T_relearning times of group-mean test
 * accuracy curves, weight similarity measures, and Student's two-sample t-test for sweeps.
 *
 * Conventions: a curve is indexed like the test schedule (`x[j]` = test stamp in global
 * iterations, `y[j]` = accuracy of that test). Phase boundaries are x₁ = L_init,
 * x₂ = x₁ + L_learn, x₃ = x₂ + L_maint, x₄ = x₃ + L_recall. Undefined values are NaN (the
 * summary writer turns them into null); similarity measures are never NaN.
 */

/** Phase boundaries x₁…x₄ (global iterations) of phase lengths [initial, learning, maintenance, recall]. */
export interface PhaseBounds {
  x1: number;
  x2: number;
  x3: number;
  x4: number;
}

export function phaseBounds(lengths: readonly number[]): PhaseBounds {
  if (lengths.length !== 4) throw new RangeError(`phaseBounds: expected 4 phase lengths, got ${lengths.length}`);
  const x1 = lengths[0];
  const x2 = x1 + lengths[1];
  const x3 = x2 + lengths[2];
  return { x1, x2, x3, x4: x3 + lengths[3] };
}

/** y at the first test stamped `stamp`; NaN if no test has that stamp. */
export function valueAtStamp(x: ArrayLike<number>, y: ArrayLike<number>, stamp: number): number {
  for (let j = 0; j < x.length; j++) if (x[j] === stamp) return y[j];
  return NaN;
}

/** Index of the last test stamped before `stamp` (e.g. the last maintenance test, before x₃); −1 if none. */
export function lastIndexBefore(x: ArrayLike<number>, stamp: number): number {
  let k = -1;
  for (let j = 0; j < x.length; j++) if (x[j] < stamp && (k < 0 || x[j] >= x[k])) k = j;
  return k;
}

/** Accuracy at the end of each phase: the first test stamped x₁, x₂, x₃, x₄. */
export interface PhaseAccuracies {
  initial: number;
  learning: number;
  maintenance: number;
  recall: number;
}

export function endOfPhaseAccuracy(x: ArrayLike<number>, y: ArrayLike<number>, lengths: readonly number[]): PhaseAccuracies {
  const b = phaseBounds(lengths);
  return {
    initial: valueAtStamp(x, y, b.x1),
    learning: valueAtStamp(x, y, b.x2),
    maintenance: valueAtStamp(x, y, b.x3),
    recall: valueAtStamp(x, y, b.x4),
  };
}

/** Result of the Burr fit of the maintenance phase. */
export interface BurrFit {
  /** Burr exponent d ∈ [1e-6, 1e3] (NaN when degenerate or without data). */
  d: number;
  /** Burr scale g ∈ [1e-6, 1e5] (iterations). */
  g: number;
  /** T_maintenance = min(max(0, g/d), 2·L_maint): where the tangent at x₂ reaches a_base. */
  T: number;
  /** Sum of squared residuals of the winning fit (of the flat curve a_base when degenerate). */
  sse: number;
  /** a_learn and a_base coincide (|difference| < 1e-12): nothing to fit, T = 0. */
  degenerate: boolean;
}

const D_MIN = 1e-6;
const D_MAX = 1e3;
const G_MIN = 1e-6;
const G_MAX = 1e5;
const START_D = [0.1, 1, 10, 100];
const START_G = [0.1, 1, 10, 100, 1000];

/** The Burr decay a_base + (a_learn − a_base)(1 + (x − x₂)/g)^(−d). */
export function burrCurve(x: number, x2: number, aLearn: number, aBase: number, d: number, g: number): number {
  return aBase + (aLearn - aBase) * Math.exp(-d * Math.log1p((x - x2) / g));
}

/**
 * Levenberg–Marquardt on θ = (ln d, ln g) inside the box, from one start. Parameters at a
 * bound whose descent direction points outward are held there for the step (a simple
 * active set), so the search slides along the bound instead of stalling against it.
 */
function burrLm(u: Float64Array, y: Float64Array, delta: number, d0: number, g0: number): { d: number; g: number; sse: number } {
  const n = u.length;
  const lo = [Math.log(D_MIN), Math.log(G_MIN)];
  const hi = [Math.log(D_MAX), Math.log(G_MAX)];
  const th = [Math.log(d0), Math.log(g0)];
  const r = new Float64Array(n);
  const j0 = new Float64Array(n);
  const j1 = new Float64Array(n);
  const sseAt = (a: number, b: number): number => {
    const d = Math.exp(a);
    const g = Math.exp(b);
    let s = 0;
    for (let i = 0; i < n; i++) {
      const e = delta * Math.exp(-d * Math.log1p(u[i] / g)) - y[i];
      s += e * e;
    }
    return s;
  };
  let sse = sseAt(th[0], th[1]);
  let lambda = 1e-3;
  let converged = false;
  for (let iter = 0; iter < 500 && !converged; iter++) {
    const d = Math.exp(th[0]);
    const g = Math.exp(th[1]);
    let a00 = 0;
    let a01 = 0;
    let a11 = 0;
    let g0 = 0;
    let g1 = 0;
    for (let i = 0; i < n; i++) {
      const L = Math.log1p(u[i] / g);
      const h = delta * Math.exp(-d * L);
      r[i] = h - y[i];
      // ∂f/∂ln d = −d·L·h; ∂f/∂ln g = d·h·u/(g + u).
      j0[i] = -d * L * h;
      j1[i] = (d * h * u[i]) / (g + u[i]);
      a00 += j0[i] * j0[i];
      a01 += j0[i] * j1[i];
      a11 += j1[i] * j1[i];
      g0 += j0[i] * r[i];
      g1 += j1[i] * r[i];
    }
    if (g0 === 0 && g1 === 0) break;
    const fix0 = (th[0] <= lo[0] && g0 > 0) || (th[0] >= hi[0] && g0 < 0);
    const fix1 = (th[1] <= lo[1] && g1 > 0) || (th[1] >= hi[1] && g1 < 0);
    if (fix0 && fix1) break;
    let accepted = false;
    while (lambda < 1e16) {
      const m00 = a00 + lambda * Math.max(a00, 1e-300);
      const m11 = a11 + lambda * Math.max(a11, 1e-300);
      let s0 = 0;
      let s1 = 0;
      if (fix0) s1 = -g1 / m11;
      else if (fix1) s0 = -g0 / m00;
      else {
        const det = m00 * m11 - a01 * a01;
        s0 = (-g0 * m11 + g1 * a01) / det;
        s1 = (-g1 * m00 + g0 * a01) / det;
      }
      const n0 = Math.min(hi[0], Math.max(lo[0], th[0] + (Number.isFinite(s0) ? s0 : 0)));
      const n1 = Math.min(hi[1], Math.max(lo[1], th[1] + (Number.isFinite(s1) ? s1 : 0)));
      const sNew = sseAt(n0, n1);
      if (sNew < sse) {
        const step = Math.max(Math.abs(n0 - th[0]), Math.abs(n1 - th[1]));
        const gain = sse - sNew;
        th[0] = n0;
        th[1] = n1;
        sse = sNew;
        lambda = Math.max(lambda / 10, 1e-12);
        accepted = true;
        converged = step < 1e-12 || gain <= 1e-16 * sse;
        break;
      }
      lambda *= 10;
    }
    if (!accepted) break;
  }
  return { d: Math.exp(th[0]), g: Math.exp(th[1]), sse };
}

/**
 * Fits a(x) = a_base + (a_learn − a_base)(1 + (x − x₂)/g)^(−d) by least squares to the
 * maintenance tests x₂ ≤ x < x₃ (spec §5): Levenberg–Marquardt in log-parameters inside
 * d ∈ [1e-6, 1e3], g ∈ [1e-6, 1e5], started from every point of the grid
 * d ∈ {0.1, 1, 10, 100} × g ∈ {0.1, 1, 10, 100, 1000}; the lowest SSE wins (the first start
 * on ties). T = min(max(0, g/d), 2·(x₃ − x₂)). With |a_learn − a_base| < 1e-12 the fit is
 * degenerate: T = 0. Without maintenance tests or with a NaN level, T is NaN.
 */
export function fitBurr(x: ArrayLike<number>, y: ArrayLike<number>, x2: number, x3: number, aLearn: number, aBase: number): BurrFit {
  const us: number[] = [];
  const ys: number[] = [];
  for (let j = 0; j < x.length; j++) {
    if (x[j] >= x2 && x[j] < x3 && Number.isFinite(y[j])) {
      us.push(x[j] - x2);
      ys.push(y[j] - aBase);
    }
  }
  const delta = aLearn - aBase;
  if (!Number.isFinite(delta) || us.length === 0) return { d: NaN, g: NaN, T: NaN, sse: NaN, degenerate: false };
  if (Math.abs(delta) < 1e-12) {
    let sse = 0;
    for (const e of ys) sse += e * e;
    return { d: NaN, g: NaN, T: 0, sse, degenerate: true };
  }
  const u = Float64Array.from(us);
  const yy = Float64Array.from(ys);
  let best = { d: NaN, g: NaN, sse: Infinity };
  for (const d0 of START_D) {
    for (const g0 of START_G) {
      const r = burrLm(u, yy, delta, d0, g0);
      if (r.sse < best.sse) best = r;
    }
  }
  const T = Math.min(Math.max(0, best.g / best.d), 2 * (x3 - x2));
  return { d: best.d, g: best.g, T, sse: best.sse, degenerate: false };
}

/**
 * T_relearning (spec §5): x − x₃ for the first recall test x ∈ [x₃, x₄) with
 * (a(x) − a_base) − ratioRecall·(a_learn − a_base) > 0; x₄ − x₃ (L_recall) if none.
 */
export function tRelearning(x: ArrayLike<number>, y: ArrayLike<number>, x3: number, x4: number, aLearn: number, aBase: number, ratioRecall = 0.6): number {
  const need = ratioRecall * (aLearn - aBase);
  for (let j = 0; j < x.length; j++) {
    if (x[j] >= x3 && x[j] < x4 && y[j] - aBase - need > 0) return x[j] - x3;
  }
  return x4 - x3;
}

/** Mean and population standard deviation (numpy's default ddof = 0); NaN for no values. */
export function meanStd(values: ArrayLike<number>): { mean: number; std: number } {
  const n = values.length;
  if (n === 0) return { mean: NaN, std: NaN };
  let s = 0;
  for (let i = 0; i < n; i++) s += values[i];
  const mean = s / n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (values[i] - mean) ** 2;
  return { mean, std: Math.sqrt(v / n) };
}

/** Per-test mean and SD (ddof 0) over the curves of simulations [from, to). */
export function curveMeanStd(curves: readonly ArrayLike<number>[], from = 0, to = curves.length): { mean: Float64Array; std: Float64Array } {
  const k = to - from;
  const m = k > 0 ? curves[from].length : 0;
  const mean = new Float64Array(m);
  const std = new Float64Array(m);
  for (let c = from; c < to; c++) {
    if (curves[c].length !== m) throw new RangeError(`curve ${c} has ${curves[c].length} tests, curve ${from} has ${m}`);
    for (let j = 0; j < m; j++) mean[j] += curves[c][j];
  }
  for (let j = 0; j < m; j++) mean[j] /= k;
  for (let c = from; c < to; c++) for (let j = 0; j < m; j++) std[j] += (curves[c][j] - mean[j]) ** 2;
  for (let j = 0; j < m; j++) std[j] = Math.sqrt(std[j] / k);
  return { mean, std };
}

/**
 * Simulation index ranges of the analysis groups: consecutive blocks of `numStats`
 * simulations (figure scripts: 20); a remainder shorter than a block is left out. One group
 * of everything when numStats is absent or not below the number of simulations.
 */
export function groupRanges(nSim: number, numStats?: number): Array<[number, number]> {
  if (nSim <= 0) return [];
  if (numStats === undefined || numStats >= nSim) return [[0, nSim]];
  if (!Number.isInteger(numStats) || numStats < 1) throw new RangeError(`numStats must be a positive whole number, got ${numStats}`);
  const out: Array<[number, number]> = [];
  for (let k = 0; (k + 1) * numStats <= nSim; k++) out.push([k * numStats, (k + 1) * numStats]);
  return out;
}

/** Group-mean curves (one per group of `groupRanges`). */
export function groupMeans(curves: readonly ArrayLike<number>[], numStats?: number): Float64Array[] {
  return groupRanges(curves.length, numStats).map(([a, b]) => curveMeanStd(curves, a, b).mean);
}

/** The analysis of one group-mean curve. */
export interface CurveAnalysis {
  endOfPhase: PhaseAccuracies;
  /** ā(x₁). */
  aBase: number;
  /** ā(x₂). */
  aLearn: number;
  burr: BurrFit;
  tMaintenance: number;
  tRelearning: number;
}

/** End-of-phase accuracies, Burr fit and T_relearning of one (group-mean) curve. */
export function analyzeCurve(x: ArrayLike<number>, y: ArrayLike<number>, lengths: readonly number[], ratioRecall = 0.6): CurveAnalysis {
  const b = phaseBounds(lengths);
  const endOfPhase = endOfPhaseAccuracy(x, y, lengths);
  const aBase = endOfPhase.initial;
  const aLearn = endOfPhase.learning;
  const burr = fitBurr(x, y, b.x2, b.x3, aLearn, aBase);
  return { endOfPhase, aBase, aLearn, burr, tMaintenance: burr.T, tRelearning: tRelearning(x, y, b.x3, b.x4, aLearn, aBase, ratioRecall) };
}

/** Mean, SD (ddof 0) and the values themselves. */
export interface Spread {
  mean: number;
  std: number;
  values: number[];
}

function spread(values: number[]): Spread {
  return { ...meanStd(values), values };
}

/** Everything `analyzeDms` derives from the test accuracies of one N_p block. */
export interface DmsAnalysis {
  bounds: PhaseBounds;
  /** Mean and SD over all simulations per test. */
  mean: Float64Array;
  std: Float64Array;
  /** Per phase end: mean and SD over simulations, and each simulation's value. */
  endOfPhaseAccuracy: Record<keyof PhaseAccuracies, Spread>;
  /** Simulation ranges [from, to) of the groups and their analyses. */
  groups: Array<{ sims: [number, number]; curve: Float64Array; analysis: CurveAnalysis }>;
  /** Over groups (one group by default, then std = 0). */
  tMaintenance: Spread;
  tRelearning: Spread;
}

/**
 * The analysis of spec §5 for one N_p block: `x` are the test stamps, `accuracy[s]` the
 * test accuracies of simulation s (same length as x). Groups of `numStats` simulations
 * (default: one group of all) give group-mean curves; each is analysed by `analyzeCurve`.
 */
export function analyzeDms(input: {
  x: ArrayLike<number>;
  accuracy: readonly ArrayLike<number>[];
  lengths: readonly number[];
  numStats?: number;
  ratioRecall?: number;
}): DmsAnalysis {
  const { x, accuracy, lengths } = input;
  const ratio = input.ratioRecall ?? 0.6;
  for (let s = 0; s < accuracy.length; s++) {
    if (accuracy[s].length !== x.length) throw new RangeError(`simulation ${s} has ${accuracy[s].length} tests, expected ${x.length}`);
  }
  const bounds = phaseBounds(lengths);
  const { mean, std } = curveMeanStd(accuracy);
  const perSim = accuracy.map((a) => endOfPhaseAccuracy(x, a, lengths));
  const keys = ['initial', 'learning', 'maintenance', 'recall'] as const;
  const endOfPhase = Object.fromEntries(keys.map((k) => [k, spread(perSim.map((p) => p[k]))])) as Record<keyof PhaseAccuracies, Spread>;
  const groups = groupRanges(accuracy.length, input.numStats).map(([a, b]) => {
    const curve = curveMeanStd(accuracy, a, b).mean;
    return { sims: [a, b] as [number, number], curve, analysis: analyzeCurve(x, curve, lengths, ratio) };
  });
  return {
    bounds,
    mean,
    std,
    endOfPhaseAccuracy: endOfPhase,
    groups,
    tMaintenance: spread(groups.map((g) => g.analysis.tMaintenance)),
    tRelearning: spread(groups.map((g) => g.analysis.tRelearning)),
  };
}

/** Weight similarity to the reference W_ref (end of learning), spec §5. */
export interface WeightSimilarity {
  /** ‖W − W_ref‖. */
  normWeightDiff: number;
  /** 1/(1 + ‖W − W_ref‖/‖W_ref‖); with ‖W_ref‖ = 0: 1 if W = W_ref else 0. */
  d2: number;
  /** ⟨W − mean W, W_ref − mean W_ref⟩. */
  scalarProdCenter: number;
  /** scalarProdCenter over the product of the centred norms; 0 if either norm is 0. */
  cosineSimCenter: number;
}

export function weightSimilarity(w: ArrayLike<number>, wRef: ArrayLike<number>): WeightSimilarity {
  const n = w.length;
  if (wRef.length !== n) throw new RangeError(`weight vectors differ in length: ${n} vs ${wRef.length}`);
  let mw = 0;
  let mr = 0;
  for (let i = 0; i < n; i++) {
    mw += w[i];
    mr += wRef[i];
  }
  if (n > 0) {
    mw /= n;
    mr /= n;
  }
  let diff2 = 0;
  let ref2 = 0;
  let dot = 0;
  let cw2 = 0;
  let cr2 = 0;
  for (let i = 0; i < n; i++) {
    diff2 += (w[i] - wRef[i]) ** 2;
    ref2 += wRef[i] * wRef[i];
    const a = w[i] - mw;
    const b = wRef[i] - mr;
    dot += a * b;
    cw2 += a * a;
    cr2 += b * b;
  }
  const diff = Math.sqrt(diff2);
  const refNorm = Math.sqrt(ref2);
  const d2 = refNorm > 0 ? 1 / (1 + diff / refNorm) : diff === 0 ? 1 : 0;
  const cos = cw2 > 0 && cr2 > 0 ? dot / Math.sqrt(cw2 * cr2) : 0;
  return { normWeightDiff: diff, d2, scalarProdCenter: dot, cosineSimCenter: cos };
}

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7, ~15 significant digits). */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const z = x - 1;
  let s = c[0];
  for (let i = 1; i < 9; i++) s += c[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
}

/** Continued fraction of I_x(a, b) (modified Lentz), valid for x < (a + 1)/(a + b + 2). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let f = d;
  for (let m = 1; m <= 10000; m++) {
    const m2 = 2 * m;
    // Even term m(b − m)x / ((a + 2m − 1)(a + 2m)), then odd term −(a + m)(a + b + m)x / ((a + 2m)(a + 2m + 1)).
    let num = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    f *= d * c;
    num = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    f *= step;
    if (Math.abs(step - 1) < 1e-16) break;
  }
  return f;
}

/** The regularized incomplete beta function I_x(a, b), a, b > 0, x ∈ [0, 1]. */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (!(a > 0 && b > 0)) throw new RangeError(`regularizedIncompleteBeta: a and b must be positive, got ${a}, ${b}`);
  if (Number.isNaN(x)) return NaN;
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront = a * Math.log(x) + b * Math.log1p(-x) - (lnGamma(a) + lnGamma(b) - lnGamma(a + b));
  // The fraction converges fast only below the mean; above it, use I_x(a, b) = 1 − I_{1−x}(b, a).
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(lnFront) * betaContinuedFraction(x, a, b)) / a;
  return 1 - (Math.exp(lnFront) * betaContinuedFraction(1 - x, b, a)) / b;
}

/** CDF of Student's t distribution with `df` > 0 degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`studentTCdf: df must be positive, got ${df}`);
  if (Number.isNaN(t)) return NaN;
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const tail = 0.5 * regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t > 0 ? 1 - tail : tail;
}

/** Significance stars: p < 0.05 '*', < 0.005 '**', < 0.0005 '***', < 0.00005 '****', else ''. */
export function pStars(p: number): string {
  if (!(p < 0.05)) return '';
  if (p < 0.00005) return '****';
  if (p < 0.0005) return '***';
  if (p < 0.005) return '**';
  return '*';
}

/** Result of a two-sample t-test. */
export interface TTest {
  t: number;
  df: number;
  /** Two-sided p-value. */
  p: number;
  stars: string;
}

/**
 * Student's two-sample t-test with pooled variance (equal variances assumed, like
 * scipy.stats.ttest_ind's default), two-sided. NaN t and p with fewer than 2 degrees of
 * freedom or with two constant samples of equal means; zero pooled variance and different
 * means give t = ±∞, p = 0.
 */
export function tTest(a: ArrayLike<number>, b: ArrayLike<number>): TTest {
  const n1 = a.length;
  const n2 = b.length;
  const df = n1 + n2 - 2;
  const sa = meanStd(a);
  const sb = meanStd(b);
  if (n1 < 1 || n2 < 1 || df < 1) return { t: NaN, df, p: NaN, stars: '' };
  const pooled = (n1 * sa.std ** 2 + n2 * sb.std ** 2) / df;
  const diff = sa.mean - sb.mean;
  const se = Math.sqrt(pooled * (1 / n1 + 1 / n2));
  const t = diff / se;
  if (Number.isNaN(t)) return { t: NaN, df, p: NaN, stars: '' };
  const p = Number.isFinite(t) ? regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5) : 0;
  return { t, df, p, stars: pStars(p) };
}
