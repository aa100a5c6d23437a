/** Small statistics shared by the experiments' analyses. */

/** Pearson r of x[xo..xo+n) and y[yo..yo+n); NaN when either has zero variance. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>, n = x.length, xo = 0, yo = 0): number {
  if (n < 2) return NaN;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[xo + i];
    my += y[yo + i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const a = x[xo + i] - mx;
    const b = y[yo + i] - my;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  if (!(sxx > 0 && syy > 0)) return NaN;
  // Rounding can push |r| a hair above 1 for proportional inputs.
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/** OLS slope of y on x. */
export function olsSlope(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  if (n < 2) return NaN;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let k = 0; k < n; k++) {
    sxy += (x[k] - mx) * (y[k] - my);
    sxx += (x[k] - mx) ** 2;
  }
  return sxx > 0 ? sxy / sxx : NaN;
}

/** Mean of the values of x that are not NaN; NaN when none is. */
export function nanMean(x: ArrayLike<number>): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i])) continue;
    s += x[i];
    c++;
  }
  return c > 0 ? s / c : NaN;
}

/** Median of xs (the mean of the two middle values for an even count); NaN when empty. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
