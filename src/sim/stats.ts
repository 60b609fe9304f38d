/**
 * Small statistics helpers for the domain layer (per-VM latencies, counts).
 *
 * Percentiles are exact and use the nearest-rank definition: for n samples sorted ascending x[1] ≤ … ≤ x[n],
 * the p-th percentile (0 < p ≤ 100) is x[⌈p/100 · n⌉], the smallest sample such that at least p % of the samples
 * are ≤ it; the 0-th percentile is x[1] (the minimum). It is always one of the recorded samples, never an
 * interpolation. Samples are kept in a growable Float64Array and sorted once, when first asked for a percentile
 * (recording more afterwards is allowed and marks them unsorted again).
 */
import { grown } from '../util/grown.js';

export interface LatencySummary {
  readonly count: number;
  readonly mean: number;
  readonly min: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export class LatencyRecorder {
  private samples: Float64Array;
  private n = 0;
  private sum = 0;
  private sorted = true;

  constructor(initialCapacity = 1024) {
    this.samples = new Float64Array(Math.max(1, initialCapacity | 0));
  }

  get count(): number {
    return this.n;
  }

  record(valueNs: number): void {
    if (this.n === this.samples.length) this.samples = grown(this.samples, this.n * 2);
    if (this.sorted && this.n > 0 && valueNs < this.samples[this.n - 1]!) this.sorted = false;
    this.samples[this.n++] = valueNs;
    this.sum += valueNs;
  }

  /** Arithmetic mean; NaN without samples. */
  mean(): number {
    return this.n === 0 ? NaN : this.sum / this.n;
  }

  /** Nearest-rank percentile, `p` in [0, 100]; NaN without samples. */
  percentile(p: number): number {
    if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be in [0, 100], got ${p}`);
    if (this.n === 0) return NaN;
    this.sort();
    const rank = Math.max(1, Math.ceil((p / 100) * this.n));
    return this.samples[rank - 1]!;
  }

  min(): number {
    return this.percentile(0);
  }

  max(): number {
    return this.percentile(100);
  }

  summary(): LatencySummary {
    return { count: this.n, mean: this.mean(), min: this.min(), p50: this.percentile(50), p99: this.percentile(99), max: this.max() };
  }

  private sort(): void {
    if (this.sorted) return;
    this.samples.subarray(0, this.n).sort();
    this.sorted = true;
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
