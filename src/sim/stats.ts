/**
 * Small statistics helpers for the domain layer (per-VM latencies, counts).
 *
 * Latencies go into a streaming HdrHistogram (hdr-histogram-js, the JavaScript port of Gil Tene's HdrHistogram):
 * memory is bounded by the value range, not by the number of samples — about 150 KB per recorder for values from
 * 1 ns up to 60,000 s, where keeping every sample cost 8 bytes per request (~3 GB for a 60,000 s httperf run).
 *
 * Stated error: values are kept with 3 significant decimal digits, so a percentile is the upper end of the
 * bucket holding the exact nearest-rank sample and exceeds it by at most 0.1 % (relative); never less than it.
 * Percentiles use the nearest-rank definition: for n samples the p-th (0 < p ≤ 100) is the ⌈p/100 · n⌉-th
 * smallest; the 0-th is the minimum. The count, mean, minimum and maximum are exact (kept beside the histogram).
 */
import { Int32Histogram } from 'hdr-histogram-js';

export interface LatencySummary {
  readonly count: number;
  readonly mean: number;
  readonly min: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** Relative error bound of `percentile` (3 significant digits). */
export const PERCENTILE_RELATIVE_ERROR = 1e-3;

export class LatencyRecorder {
  private readonly histogram: Int32Histogram;
  private n = 0;
  private sum = 0;
  private lo = Infinity;
  private hi = -Infinity;

  constructor() {
    // Starts small and grows with the largest value recorded (autoResize): range 1 .. 2^k ns.
    this.histogram = new Int32Histogram(1, 2, 3);
    this.histogram.autoResize = true;
  }

  get count(): number {
    return this.n;
  }

  /** Records a value in ns (≥ 0; rounded to an integer for the histogram, exact for mean, min and max). */
  record(valueNs: number): void {
    if (!(valueNs >= 0) || valueNs === Infinity) throw new RangeError(`latency must be a finite number >= 0, got ${valueNs}`);
    this.histogram.recordValue(Math.round(valueNs));
    this.n++;
    this.sum += valueNs;
    if (valueNs < this.lo) this.lo = valueNs;
    if (valueNs > this.hi) this.hi = valueNs;
  }

  /** Arithmetic mean (exact); NaN without samples. */
  mean(): number {
    return this.n === 0 ? NaN : this.sum / this.n;
  }

  /**
   * Nearest-rank percentile, `p` in [0, 100]; NaN without samples. Within `PERCENTILE_RELATIVE_ERROR` above the
   * exact sample, and never above the maximum (p 0 and p 100 are the exact minimum and maximum).
   */
  percentile(p: number): number {
    if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be in [0, 100], got ${p}`);
    if (this.n === 0) return NaN;
    if (p === 0) return this.lo;
    if (p === 100) return this.hi;
    return Math.max(this.lo, Math.min(this.hi, this.histogram.getValueAtPercentile(p)));
  }

  min(): number {
    return this.n === 0 ? NaN : this.lo;
  }

  max(): number {
    return this.n === 0 ? NaN : this.hi;
  }

  /** Bytes held by the histogram's counts (its bounded memory). */
  get footprintBytes(): number {
    return this.histogram.estimatedFootprintInBytes;
  }

  summary(): LatencySummary {
    return { count: this.n, mean: this.mean(), min: this.min(), p50: this.percentile(50), p99: this.percentile(99), max: this.max() };
  }
}

/** Named counters; `toObject()` lists them sorted by name so reports do not depend on first-use order. */
export class Counters {
  private readonly values = new Map<string, number>();

  inc(name: string, by = 1): void {
    this.values.set(name, (this.values.get(name) ?? 0) + by);
  }

  get(name: string): number {
    return this.values.get(name) ?? 0;
  }

  toObject(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const name of [...this.values.keys()].sort()) out[name] = this.values.get(name)!;
    return out;
  }
}
