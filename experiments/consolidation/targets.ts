/**
 * The acceptance targets of the consolidation spec (§9 a–c) as pure functions of the summary
 * tables (the rows of summary.json), so the acceptance script and the slow tests judge the same
 * numbers the same way. Each returns one boolean per target with the values it looked at.
 */

type Row = Record<string, unknown>;
const num = (r: Row | undefined, k: string): number => (r !== undefined && typeof r[k] === 'number' ? (r[k] as number) : NaN);

/** (a) Capacity, f = 0.5, one α: rows for z = 1..4. */
export function capacityTargets(rows: readonly Row[]): Record<string, boolean> {
  const at = (z: number) => rows.find((r) => r.z === z);
  const zs = [1, 2, 3, 4].filter((z) => at(z) !== undefined);
  const kappa = zs.map((z) => num(at(z), 'kappa_mean'));
  const rho = zs.map((z) => num(at(z), 'rho_mean'));
  const dens = zs.map((z) => num(at(z), 'density_mean'));
  return {
    zero_error_z123: [1, 2, 3].every((z) => num(at(z), 'train_error') === 0),
    kappa_largest_at_z1: zs[0] === 1 && kappa.every((k, q) => q === 0 || kappa[0] > k),
    rho_largest_at_z2: zs.includes(2) && rho.every((r, q) => zs[q] === 2 || num(at(2), 'rho_mean') > r),
    density_z1_in_045_060: num(at(1), 'density_mean') >= 0.45 && num(at(1), 'density_mean') <= 0.6,
    density_falls_with_z: dens.every((d, q) => q === 0 || d < dens[q - 1]),
    lq_sum_within_2pct: zs.every((z) => num(at(z), 'lq_sum_max_rel_dev') <= 0.02),
    no_nan: zs.every((z) => at(z)!.has_nan === false),
  };
}

/** (b) Wake–sleep: the one ws_summary row. */
export function wakeSleepTargets(s: Row): Record<string, boolean> {
  const q = [1, 2, 3, 4].map((k) => num(s, `prune_q${k}`));
  return {
    pruned_at_least_70pct: num(s, 'frac_pruned') >= 0.7,
    pruning_falls_with_quartile: q.every((x, k) => k === 0 || x <= q[k - 1]) && q[0] > q[3],
    radius_up_after_sleep: num(s, 'radius_mean_post') > num(s, 'radius_mean_pre'),
    tol50_balanced_up: num(s, 'tol50_balanced_post') > num(s, 'tol50_balanced_pre'),
    tol50_gauss1_up: num(s, 'tol50_gauss1_post') > num(s, 'tol50_gauss1_pre'),
    d_radius_negatively_correlated: num(s, 'd_radius_r') < 0,
  };
}

/** (c) Synaptic noise: the sn_summary rows with source 'sim'. */
export function synapticNoiseTargets(rows: readonly Row[]): Record<string, boolean> {
  const sim = rows.filter((r) => r.source === 'sim').sort((a, b) => num(a, 'z') - num(b, 'z'));
  const qmin = sim.map((r) => num(r, 'qmin_mean'));
  const ltd = sim.map((r) => num(r, 'slope_ltd'));
  const ltp = sim.map((r) => num(r, 'slope_ltp'));
  const z2 = sim.find((r) => r.z === 2);
  const rising = (xs: number[]) => xs.every((x, k) => k === 0 || x > xs[k - 1]);
  return {
    qmin_falls_with_z: qmin.every((x, k) => k === 0 || x < qmin[k - 1]),
    qmin_z2_in_08_15: num(z2, 'qmin_mean') >= 0.8 && num(z2, 'qmin_mean') <= 1.5,
    slope_rises_with_z: rising(ltd) && rising(ltp),
    slope_z2_in_05_08: [num(z2, 'slope_ltd'), num(z2, 'slope_ltp')].every((x) => x >= 0.5 && x <= 0.8),
  };
}
