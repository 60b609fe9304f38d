/**
 * Summary statistics over independent replications (one per seed): mean and the half-width of a two-sided 95%
 * confidence interval from Student's t distribution, as a simulation user reads them ("950.2 ± 3.1").
 */

/** t(0.975; ν) for ν = 1..30 (standard tables, 9 significant digits). */
const T975 = [
  12.7062047, 4.30265273, 3.18244631, 2.77644511, 2.57058184, 2.44691185, 2.36462425, 2.30600414, 2.26215716, 2.22813885,
  2.20098516, 2.17881283, 2.16036866, 2.14478669, 2.13144955, 2.1199053, 2.10981558, 2.10092204, 2.09302405, 2.08596345,
  2.07961384, 2.07387307, 2.06865761, 2.06389856, 2.05953855, 2.05552944, 2.05183052, 2.04840714, 2.04522964, 2.04227246,
] as const;

const Z975 = 1.959963984540054;

/**
 * The 97.5% quantile of Student's t with `df` degrees of freedom: the table up to 30, then the Cornish–Fisher
 * expansion in 1/ν (error < 1e-7 for ν > 30).
 */
export function t975(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`degrees of freedom must be a positive integer, got ${df}`);
  if (df <= T975.length) return T975[df - 1]!;
  const z = Z975;
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  return z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3);
}

export interface Summary {
  /** Replications with a value (a latency percentile is absent when no request completed). */
  readonly n: number;
  readonly mean: number | null;
  /** Half-width of the 95% confidence interval of the mean; null with fewer than two values. */
  readonly ci95: number | null;
  readonly min: number | null;
  readonly max: number | null;
}

/** Mean, 95% CI half-width (t · s / √n), min and max of the non-null values, in the order given. */
export function summarise(values: readonly (number | null)[]): Summary {
  const xs = values.filter((v): v is number => v !== null);
  const n = xs.length;
  if (n === 0) return { n, mean: null, ci95: null, min: null, max: null };
  let sum = 0;
  for (const x of xs) sum += x;
  const mean = sum / n;
  let min = xs[0]!;
  let max = xs[0]!;
  let ss = 0;
  for (const x of xs) {
    ss += (x - mean) ** 2;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  // Identical replications (a deterministic model): the interval is exactly zero, not rounding noise.
  const ci95 = n < 2 ? null : min === max ? 0 : (t975(n - 1) * Math.sqrt(ss / (n - 1))) / Math.sqrt(n);
  return { n, mean: min === max ? min : mean, ci95, min, max };
}
