/**
 * Linear support-vector classification for the decoding analysis: one-vs-one binary SVMs
 * (hinge loss, C = 1, bias as a constant feature) trained by dual coordinate descent
 * (Hsieh et al. 2008) to a projected-gradient gap below `tol`; prediction by majority vote
 * over the pairs, ties to the lower class.
 */

/** A trained one-vs-one classifier over `nFeatures` features. */
export interface LinearSvc {
  nClasses: number;
  nFeatures: number;
  /** Per pair (a < b, in order): weights (nFeatures) then the bias. */
  pairs: Array<{ a: number; b: number; w: Float64Array }>;
}

/**
 * Trains on `X` (`n × nFeatures`, row-major) with labels `y` in 0..nClasses−1. Classes with no
 * sample are left out of every pair.
 */
export function fitLinearSvc(X: Float64Array, y: Int32Array, nFeatures: number, nClasses: number, C = 1, tol = 1e-3, maxIter = 1000): LinearSvc {
  const n = y.length;
  const pairs: LinearSvc['pairs'] = [];
  const present = new Uint8Array(nClasses);
  for (let i = 0; i < n; i++) present[y[i]] = 1;
  // Gram matrix of the augmented rows (bias feature 1), shared by every pair.
  const K = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 1;
      const ri = i * nFeatures;
      const rj = j * nFeatures;
      for (let f = 0; f < nFeatures; f++) s += X[ri + f] * X[rj + f];
      K[i * n + j] = s;
      K[j * n + i] = s;
    }
  }
  const idx = new Int32Array(n);
  const sign = new Float64Array(n);
  const alpha = new Float64Array(n);
  // f[s] = y_s·(w·x_s) kept up to date: each update moves every f by a column of K.
  const f = new Float64Array(n);
  const order = new Int32Array(n);
  // A fixed-seed LCG orders the updates of each epoch (random order speeds convergence).
  let lcg = 12345;
  const rand = (m: number) => {
    lcg = (Math.imul(lcg, 1103515245) + 12345) >>> 0;
    return lcg % m;
  };
  for (let a = 0; a < nClasses; a++) {
    for (let b = a + 1; b < nClasses; b++) {
      if (!present[a] || !present[b]) continue;
      let m = 0;
      for (let i = 0; i < n; i++) {
        if (y[i] === a || y[i] === b) {
          idx[m] = i;
          sign[m] = y[i] === a ? 1 : -1;
          m++;
        }
      }
      alpha.fill(0, 0, m);
      f.fill(0, 0, m);
      for (let s = 0; s < m; s++) order[s] = s;
      for (let it = 0; it < maxIter; it++) {
        for (let s = m - 1; s > 0; s--) {
          const j = rand(s + 1);
          const t = order[s];
          order[s] = order[j];
          order[j] = t;
        }
        let pgMax = -Infinity;
        let pgMin = Infinity;
        for (let t = 0; t < m; t++) {
          const s = order[t];
          const g = f[s] - 1;
          let pg = g;
          if (alpha[s] === 0) pg = Math.min(g, 0);
          else if (alpha[s] === C) pg = Math.max(g, 0);
          if (pg > pgMax) pgMax = pg;
          if (pg < pgMin) pgMin = pg;
          if (pg !== 0) {
            const old = alpha[s];
            const qd = K[idx[s] * n + idx[s]];
            const nw = Math.min(Math.max(old - g / qd, 0), C);
            alpha[s] = nw;
            const delta = (nw - old) * sign[s];
            if (delta !== 0) {
              const col = idx[s] * n;
              for (let r = 0; r < m; r++) f[r] += delta * sign[r] * K[col + idx[r]];
            }
          }
        }
        if (pgMax - pgMin < tol) break;
      }
      const w = new Float64Array(nFeatures + 1);
      for (let s = 0; s < m; s++) {
        const c = alpha[s] * sign[s];
        if (c === 0) continue;
        const row = idx[s] * nFeatures;
        for (let q = 0; q < nFeatures; q++) w[q] += c * X[row + q];
        w[nFeatures] += c;
      }
      pairs.push({ a, b, w });
    }
  }
  return { nClasses, nFeatures, pairs };
}

/** Predicts the class of row `r` of `X` by majority vote over the pairs (ties → lower class). */
export function predictLinearSvc(svc: LinearSvc, X: Float64Array, r: number, votes: Int32Array): number {
  votes.fill(0);
  const nf = svc.nFeatures;
  const row = r * nf;
  for (const { a, b, w } of svc.pairs) {
    let s = w[nf];
    for (let f = 0; f < nf; f++) s += w[f] * X[row + f];
    votes[s > 0 ? a : b]++;
  }
  let best = 0;
  for (let c = 1; c < svc.nClasses; c++) if (votes[c] > votes[best]) best = c;
  return best;
}
