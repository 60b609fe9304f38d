/**
 * Batch means over a measurement window, and a steady-state check built on them.
 *
 * The window [fromNs, toNs] is cut into `batches` equal slices. A series counts events per slice (throughput,
 * losses) and sums a value per slice (latencies), so each slice yields one observation of a rate or a mean.
 * Batch means are the textbook way to get a standard error from one long, autocorrelated simulation run
 * (Law & Kelton, ch. 9); here they serve to ask one question: does the second half of the window look like the
 * first? If a rate or mean moved between the halves by more than both a practical threshold and three standard
 * errors, the run is not in steady state — typically near or past a saturation point, where queues grow for a
 * long time, or with a start-up transient that a warm-up cut should remove.
 */

export class BatchSeries {
  readonly counts: Float64Array;
  readonly sums: Float64Array;
  private readonly fromNs: number;
  private readonly widthNs: number;

  constructor(fromNs: number, toNs: number, batches: number) {
    if (!(Number.isInteger(batches) && batches >= 2)) throw new RangeError(`batches must be an integer >= 2, got ${batches}`);
    this.counts = new Float64Array(batches);
    this.sums = new Float64Array(batches);
    this.fromNs = fromNs;
    this.widthNs = (toNs - fromNs) / batches;
  }

  /** Counts one event at `tNs` (ignored outside the window) with an optional value for the batch mean. */
  add(tNs: number, value = 0): void {
    if (tNs < this.fromNs || !(this.widthNs > 0)) return;
    const i = Math.min(this.counts.length - 1, Math.floor((tNs - this.fromNs) / this.widthNs));
    if (i < 0 || tNs > this.fromNs + this.widthNs * this.counts.length) return;
    this.counts[i]! += 1;
    this.sums[i]! += value;
  }

  get batchSeconds(): number {
    return this.widthNs / 1e9;
  }
}

export interface HalfShift {
  readonly first: number;
  readonly second: number;
  /**
   * Standard error of (second − first) if both halves were the same steady state, estimated from the spread of
   * the second half's batches alone: a start-up transient inside the first half would inflate a pooled estimate
   * and hide itself.
   */
  readonly stdErr: number;
}

const meanVar = (xs: readonly number[]): { mean: number; variance: number } => {
  const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
  const variance = xs.length > 1 ? xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1) : 0;
  return { mean, variance };
};

/** First-half vs second-half mean of per-batch observations (undefined entries — empty batches — are skipped). */
export function halves(observations: readonly (number | undefined)[]): HalfShift | undefined {
  const k = Math.floor(observations.length / 2);
  const a = observations.slice(0, k).filter((x): x is number => x !== undefined);
  const b = observations.slice(observations.length - k).filter((x): x is number => x !== undefined);
  if (a.length < 2 || b.length < 2) return undefined;
  const ma = meanVar(a);
  const mb = meanVar(b);
  return { first: ma.mean, second: mb.mean, stdErr: Math.sqrt(mb.variance / a.length + mb.variance / b.length) };
}

/**
 * How many standard errors make a shift real. The standard error comes from one half's batches (9 degrees of
 * freedom with 20 batches), so the shift over it follows Student's t with 9 degrees of freedom in a steady
 * state: 4.78 is its two-sided 0.1% point. A run checks three metrics per VM, so a steady run of two VMs is
 * flagged by chance about once in 170.
 */
export const SHIFT_T = 4.78;

/**
 * Whether a shift between the halves is real and large enough to matter: beyond `SHIFT_T` standard errors and
 * beyond `practical` (absolute, in the observation's unit).
 */
export const shifted = (h: HalfShift, practical: number): boolean => {
  const d = Math.abs(h.second - h.first);
  return d > practical && d > SHIFT_T * h.stdErr;
};
