/**
 * The maximum offered rate without loss: the highest rate at which at most 1% of requests fail (rejected, dropped
 * or unanswered at the end of the run), found by a refined sweep.
 *
 * 1. Bracket. From a grid of already-run rates (the chart's points): the last lossless rate below the first lossy
 *    one. Without a grid, from a guess g (the previous result of a similar configuration). When one end is missing
 *    (no lossy grid point, or the guess lost or did not), gallop: r·(1 + δ) up or r / (1 + δ) down with
 *    δ = 2%, 4%, 8%, ... until the outcome flips.
 * 2. Bisect the bracket until it is narrower than max(0.5 req/s, 0.25% of its low end).
 * The answer is the bracket's low end, a rate that was run and lost ≤ 1%. Failure is assumed to grow with the
 * rate (true of every curve in the report: a queue that keeps up at a rate keeps up at any lower one).
 */

export const LOSS_LIMIT = 0.01;

export interface Probed<T> {
  readonly rate: number;
  readonly lossless: boolean;
  readonly value: T;
}

export interface SearchResult<T> {
  /** The highest lossless rate found, with what was measured there; undefined when even the lowest rate lost. */
  readonly best: Probed<T> | undefined;
  /** The lowest lossy rate seen: the true maximum lies in [best.rate, lossyRate). Undefined: none lost. */
  readonly lossyRate: number | undefined;
  /** Simulated rates beyond the grid or guess (what the refinement cost). */
  readonly probes: number;
}

export interface SearchOptions<T> {
  readonly probe: (rate: number) => Promise<Probed<T>>;
  /** Already-run rates, any order. */
  readonly grid?: readonly Probed<T>[];
  readonly guess?: number;
  /** No rate above this is tried (line rate, say). */
  readonly maxRate?: number;
}

const ABS_TOL = 0.5;
const REL_TOL = 0.0025;
const MAX_STEPS = 40;
/** Rates are run at 0.1 req/s resolution, so probes and reports show short numbers. */
const tidyRate = (r: number): number => Math.round(r * 10) / 10;

interface Bracket<T> {
  lo: Probed<T> | undefined;
  hi: Probed<T> | undefined;
}

export async function maxLossless<T>(o: SearchOptions<T>): Promise<SearchResult<T>> {
  let probes = 0;
  const probe = async (rate: number): Promise<Probed<T>> => {
    probes++;
    return o.probe(rate);
  };
  const b: Bracket<T> = { lo: undefined, hi: undefined };
  const take = (p: Probed<T>): void => {
    if (p.lossless) b.lo = p;
    else b.hi = p;
  };
  if (o.grid !== undefined && o.grid.length > 0) {
    const sorted = [...o.grid].sort((a, b) => a.rate - b.rate);
    const firstLossy = sorted.findIndex((p) => !p.lossless);
    // No lossy point: the maximum lies above the grid, and the gallop goes up from its top.
    if (firstLossy < 0) b.lo = sorted[sorted.length - 1];
    else {
      b.hi = sorted[firstLossy];
      b.lo = firstLossy > 0 ? sorted[firstLossy - 1] : undefined;
    }
  } else {
    if (o.guess === undefined || !(o.guess > 0)) throw new Error('maxLossless needs a grid or a positive guess');
    take(await probe(tidyRate(o.guess)));
  }
  // Gallop until both ends are known.
  for (let delta = 0.02, k = 0; k < MAX_STEPS && (b.lo === undefined || b.hi === undefined); delta *= 2, k++) {
    if (b.lo !== undefined) {
      const up = tidyRate(Math.min(b.lo.rate * (1 + delta), o.maxRate ?? Infinity));
      if (up <= b.lo.rate) break; // at the cap and still lossless
      take(await probe(up));
    } else {
      const down = tidyRate(b.hi!.rate / (1 + delta));
      if (down < ABS_TOL) break; // lossy all the way down
      take(await probe(down));
    }
  }
  // Bisect [lo, hi); with no lossless end, the low end is 0 (nothing run there).
  for (let k = 0; k < MAX_STEPS && b.hi !== undefined; k++) {
    const low = b.lo?.rate ?? 0;
    if (b.hi.rate - low <= Math.max(ABS_TOL, REL_TOL * low)) break;
    const mid = tidyRate((low + b.hi.rate) / 2);
    if (mid <= low || mid >= b.hi.rate) break;
    take(await probe(mid));
  }
  return { best: b.lo, lossyRate: b.hi?.rate, probes };
}
