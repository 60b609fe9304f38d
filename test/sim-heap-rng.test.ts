import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EventHeap } from '../src/sim/heap.js';
import { streamFor } from '../src/sim/rng.js';
import { Counters, LatencyRecorder, PERCENTILE_RELATIVE_ERROR } from '../src/sim/stats.js';

describe('EventHeap', () => {
  it('pops in time order, ties in insertion order', () => {
    const h = new EventHeap<string>(4);
    h.push(5, 'a');
    h.push(1, 'b');
    h.push(5, 'c');
    h.push(0, 'd');
    h.push(1, 'e');
    h.push(5, 'f');
    expect(h.size).toBe(6);
    const out: [number, string][] = [];
    while (h.size > 0) {
      const t = h.peekTime();
      out.push([t, h.pop()!]);
    }
    expect(out).toEqual([
      [0, 'd'],
      [1, 'b'],
      [1, 'e'],
      [5, 'a'],
      [5, 'c'],
      [5, 'f'],
    ]);
    expect(h.pop()).toBeUndefined();
    expect(h.peekTime()).toBe(Infinity);
  });

  it('random pushes and pops come out sorted by (time, insertion)', () => {
    // An operation is a push with a small time (many ties) or a pop; compared against a sorted-array model.
    const op = fc.oneof(fc.integer({ min: 0, max: 20 }).map((t) => ({ push: t })), fc.constant({ push: undefined }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const heap = new EventHeap<number>(4);
        const model: { t: number; seq: number }[] = [];
        let seq = 0;
        for (const o of ops) {
          if (o.push !== undefined) {
            heap.push(o.push, seq);
            model.push({ t: o.push, seq });
            seq++;
          } else {
            model.sort((a, b) => a.t - b.t || a.seq - b.seq);
            const expected = model.shift();
            expect(heap.peekTime()).toBe(expected?.t ?? Infinity);
            expect(heap.pop()).toBe(expected?.seq);
          }
          expect(heap.size).toBe(model.length);
        }
        model.sort((a, b) => a.t - b.t || a.seq - b.seq);
        const drained: number[] = [];
        while (heap.size > 0) drained.push(heap.pop()!);
        expect(drained).toEqual(model.map((m) => m.seq));
      }),
      { numRuns: 300 },
    );
  });
});

describe('random streams', () => {
  it('same seed and name give the same sequence', () => {
    const a = streamFor(42, 'timer:vm0');
    const b = streamFor(42, 'timer:vm0');
    const seqA = Array.from({ length: 1000 }, () => [a.nextFloat(), a.int(-5, 5), a.exponential(100)]);
    const seqB = Array.from({ length: 1000 }, () => [b.nextFloat(), b.int(-5, 5), b.exponential(100)]);
    expect(seqA).toEqual(seqB);
  });

  it('different names or seeds give different sequences; draws on one stream do not shift another', () => {
    const draw = (seed: number, name: string) => {
      const s = streamFor(seed, name);
      return Array.from({ length: 20 }, () => s.nextFloat());
    };
    const base = draw(1, 'a');
    expect(draw(1, 'b')).not.toEqual(base);
    expect(draw(2, 'a')).not.toEqual(base);
    // Interleaving with another stream does not change this one.
    const a = streamFor(1, 'a');
    const other = streamFor(1, 'b');
    const interleaved: number[] = [];
    for (let i = 0; i < 20; i++) {
      other.nextFloat();
      interleaved.push(a.nextFloat());
      other.exponential(10);
    }
    expect(interleaved).toEqual(base);
  });

  it('named streams are uncorrelated', () => {
    const a = streamFor(7, 'timer:x');
    const b = streamFor(7, 'timer:y');
    const n = 100_000;
    let sa = 0;
    let sb = 0;
    let sab = 0;
    let saa = 0;
    let sbb = 0;
    for (let i = 0; i < n; i++) {
      const x = a.nextFloat();
      const y = b.nextFloat();
      sa += x;
      sb += y;
      sab += x * y;
      saa += x * x;
      sbb += y * y;
    }
    const cov = sab / n - (sa / n) * (sb / n);
    const corr = cov / Math.sqrt((saa / n - (sa / n) ** 2) * (sbb / n - (sb / n) ** 2));
    expect(Math.abs(corr)).toBeLessThan(0.02);
  });

  it('nextFloat is in [0,1), int is inclusive and in range', () => {
    const s = streamFor(3, 'u');
    const seen = new Set<number>();
    for (let i = 0; i < 10_000; i++) {
      const f = s.nextFloat();
      expect(f >= 0 && f < 1).toBe(true);
      const k = s.int(2, 4);
      expect(k >= 2 && k <= 4).toBe(true);
      seen.add(k);
    }
    expect([...seen].sort()).toEqual([2, 3, 4]);
  });

  it('exponential: positive integers with the requested mean (100k draws)', () => {
    for (const mean of [1_000, 50_000]) {
      const s = streamFor(11, `exp:${mean}`);
      const n = 100_000;
      let sum = 0;
      let sumSq = 0;
      let bad = 0;
      for (let i = 0; i < n; i++) {
        const x = s.exponential(mean);
        if (!Number.isInteger(x) || x < 1) bad++;
        sum += x;
        sumSq += x * x;
      }
      expect(bad).toBe(0);
      const m = sum / n;
      // Standard error of the mean is mean/sqrt(n) ≈ 0.3 %; allow 5 standard errors.
      expect(Math.abs(m - mean) / mean).toBeLessThan(0.016);
      // Exponential: standard deviation equals the mean.
      const sd = Math.sqrt(sumSq / n - m * m);
      expect(Math.abs(sd - mean) / mean).toBeLessThan(0.03);
    }
    expect(() => streamFor(1, 'x').exponential(0)).toThrow(RangeError);
  });

  it('lognormal: the requested mean and coefficient of variation; normal: mean 0, sd 1 (100k draws)', () => {
    const moments = (f: () => number, n = 100_000): { mean: number; sd: number; min: number } => {
      let sum = 0;
      let sumSq = 0;
      let min = Infinity;
      for (let i = 0; i < n; i++) {
        const x = f();
        sum += x;
        sumSq += x * x;
        if (x < min) min = x;
      }
      const mean = sum / n;
      return { mean, sd: Math.sqrt(sumSq / n - mean * mean), min };
    };
    const z = streamFor(5, 'normal');
    const nm = moments(() => z.normal());
    expect(Math.abs(nm.mean)).toBeLessThan(0.015);
    expect(Math.abs(nm.sd - 1)).toBeLessThan(0.015);
    for (const cv of [0.25, 1]) {
      const s = streamFor(5, `lognormal:${cv}`);
      const m = moments(() => s.lognormal(1000, cv));
      expect(m.min).toBeGreaterThan(0);
      // Standard error of the mean: cv/sqrt(n) ≤ 0.32 %; the sample sd of a lognormal converges slowly at cv 1.
      expect(Math.abs(m.mean - 1000) / 1000).toBeLessThan(0.016);
      expect(Math.abs(m.sd / m.mean - cv) / cv).toBeLessThan(0.06);
    }
    expect(streamFor(1, 'x').lognormal(7, 0)).toBe(7);
    const e = streamFor(9, 'expReal');
    const em = moments(() => e.exponentialReal(3));
    expect(Math.abs(em.mean - 3) / 3).toBeLessThan(0.016);
    expect(() => streamFor(1, 'x').lognormal(0, 1)).toThrow(RangeError);
    expect(() => streamFor(1, 'x').lognormal(1, -1)).toThrow(RangeError);
    expect(() => streamFor(1, 'x').exponentialReal(Infinity)).toThrow(RangeError);
  });

  it('rejects a seed that is not a safe integer', () => {
    expect(() => streamFor(1.5, 'x')).toThrow(RangeError);
    expect(streamFor(-1, 'x').nextFloat()).toBe(streamFor(-1, 'x').nextFloat());
    expect(streamFor(2 ** 40, 'x').nextFloat()).not.toBe(streamFor(0, 'x').nextFloat());
  });
});

describe('stats', () => {
  it('nearest-rank percentiles within the stated 0.1 %, never below the exact sample; count, mean, min, max exact', () => {
    const r = new LatencyRecorder();
    for (const v of [15, 20, 35, 40, 50]) r.record(v);
    // Small integers are held exactly: nearest rank, n = 5; p30 → rank 2 → 20; p50 → rank 3 → 35.
    expect(r.percentile(30)).toBe(20);
    expect(r.percentile(40)).toBe(20);
    expect(r.percentile(50)).toBe(35);
    expect(r.percentile(100)).toBe(50);
    expect(r.percentile(0)).toBe(15);
    // Large values, in random order: every percentile within [exact, exact · (1 + 0.1 %)].
    const rng = streamFor(4, 'latencies');
    const values = Array.from({ length: 50_000 }, () => rng.exponential(2_000_000) + 0.25);
    const big = new LatencyRecorder();
    for (const v of values) big.record(v);
    const sorted = [...values].sort((a, b) => a - b);
    for (const p of [1, 10, 50, 90, 99, 99.9]) {
      // Nearest rank, with the float noise of p/100 · n ignored (as HdrHistogram does).
      const exact = sorted[Math.ceil((p / 100) * sorted.length - 1e-9) - 1]!;
      const got = big.percentile(p);
      expect(got).toBeGreaterThanOrEqual(Math.round(exact));
      expect(got).toBeLessThanOrEqual(exact * (1 + PERCENTILE_RELATIVE_ERROR) + 1);
    }
    expect(big.count).toBe(values.length);
    expect(big.mean()).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 6);
    expect(big.min()).toBe(sorted[0]);
    expect(big.max()).toBe(sorted[sorted.length - 1]);
    expect(new LatencyRecorder().percentile(50)).toBeNaN();
    expect(() => big.record(-1)).toThrow(RangeError);
  });

  it('latency memory is bounded by the range, not the sample count: 60,000 s of nanoseconds in < 256 KB', () => {
    const r = new LatencyRecorder();
    for (let i = 0; i < 200_000; i++) r.record(1000 + (i % 5000) * 997);
    const afterMany = r.footprintBytes;
    for (let i = 0; i < 200_000; i++) r.record(1000 + (i % 5000) * 997);
    expect(r.footprintBytes).toBe(afterMany);
    r.record(60_000 * 1e9);
    expect(r.footprintBytes).toBeLessThan(256 * 1024);
    expect(r.max()).toBe(60_000 * 1e9);
  });

  it('counters list sorted by name', () => {
    const c = new Counters();
    c.inc('rx');
    c.inc('drop', 3);
    c.inc('rx');
    expect(c.get('rx')).toBe(2);
    expect(c.get('none')).toBe(0);
    expect(Object.keys(c.toObject())).toEqual(['drop', 'rx']);
    expect(c.toObject()).toEqual({ drop: 3, rx: 2 });
  });
});
