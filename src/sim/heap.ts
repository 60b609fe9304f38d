/**
 * The simulator's event queue: a binary min-heap ordered by (timeNs, seq), where seq is the insertion counter.
 *
 * Entries with the same time come out in insertion order (first pushed, first popped), as in SimPy, so a run
 * never depends on how the heap happens to break ties. Times are nanoseconds held in JS numbers; they should be
 * integers (exact up to 2^53 ns ≈ 104 days) but any finite number orders correctly.
 *
 * The heap is three parallel arrays (Float64Array times and seqs, a plain payload array) that grow by doubling,
 * so a push or pop allocates nothing once the heap has reached its working size. Sifting moves a "hole" instead
 * of swapping, writing each moved entry once.
 */
import { grown } from '../util/grown.js';

export class EventHeap<T> {
  private times: Float64Array;
  private seqs: Float64Array;
  private items: (T | undefined)[];
  private n = 0;
  private nextSeq = 0;

  constructor(initialCapacity = 1024) {
    const cap = Math.max(4, initialCapacity | 0);
    this.times = new Float64Array(cap);
    this.seqs = new Float64Array(cap);
    this.items = new Array<T | undefined>(cap).fill(undefined);
  }

  /** Number of entries in the heap. */
  get size(): number {
    return this.n;
  }

  /** Time of the earliest entry, or `Infinity` when the heap is empty. */
  peekTime(): number {
    return this.n > 0 ? this.times[0]! : Infinity;
  }

  push(timeNs: number, payload: T): void {
    if (this.n === this.times.length) this.grow();
    const times = this.times;
    const seqs = this.seqs;
    const items = this.items;
    const seq = this.nextSeq++;
    let i = this.n++;
    // Sift up: later seq than everything already present, so only a strictly greater parent time moves down.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent]!;
      if (pt <= timeNs) break;
      times[i] = pt;
      seqs[i] = seqs[parent]!;
      items[i] = items[parent];
      i = parent;
    }
    times[i] = timeNs;
    seqs[i] = seq;
    items[i] = payload;
  }

  /** Removes and returns the earliest entry's payload (read its time with `peekTime()` first), or `undefined`. */
  pop(): T | undefined {
    const n = this.n;
    if (n === 0) return undefined;
    const items = this.items;
    const top = items[0];
    const last = n - 1;
    this.n = last;
    if (last === 0) {
      items[0] = undefined;
      return top;
    }
    const times = this.times;
    const seqs = this.seqs;
    // Sift the last entry down from the root.
    const t = times[last]!;
    const s = seqs[last]!;
    const item = items[last];
    items[last] = undefined;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= last) break;
      let ct = times[c]!;
      let cs = seqs[c]!;
      const r = c + 1;
      if (r < last) {
        const rt = times[r]!;
        if (rt < ct || (rt === ct && seqs[r]! < cs)) {
          c = r;
          ct = rt;
          cs = seqs[r]!;
        }
      }
      if (ct > t || (ct === t && cs > s)) break;
      times[i] = ct;
      seqs[i] = cs;
      items[i] = items[c];
      i = c;
    }
    times[i] = t;
    seqs[i] = s;
    items[i] = item;
    return top;
  }

  private grow(): void {
    const cap = this.times.length * 2;
    this.times = grown(this.times, cap);
    this.seqs = grown(this.seqs, cap);
    const items = this.items;
    for (let i = items.length; i < cap; i++) items.push(undefined);
  }
}
