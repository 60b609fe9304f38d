/**
 * Breadth-first search over packed states, on one thread. Ids are given in discovery order, which is breadth-first
 * order, so the queue is simply the ids from `head` to `count` and the keys of those states sit in a ring buffer
 * indexed by id: no other queue, no per-state object. Counterexamples are shortest, and the ids and traces are the
 * ones the object-level breadth-first search finds.
 */
import type { Outcome } from '../result.js';
import { YIELD, type Stops } from '../stops.js';
import type { SearchOptions } from '../types.js';
import type { Layout } from './layout.js';
import { Successors, type PackedBinding } from './model.js';
import { PackedStore, type Frontier } from './store.js';
import { doubledRing } from './ring.js';

/**
 * States expanded before their successors are looked up. 3 × 3 one worker, alternated, quiet machine: 10.24 s with one
 * at a time, 9.77 s with 4 (medians of 4); 8 was then slower than 4. Since the home slots are touched in a loop of
 * their own (VisitedTable.prefetch), 8 is faster: CPU medians 11.39 s with 4, 10.54 with 8 (4 alternated rounds, load
 * 2.4-4.1), and 11.16 with 8, 11.35 with 16, 12.24 with 4 in 3 more.
 */
const BATCH = 8;

/** An expanded state waiting for its successors to be stored: its id, key, successors, and their keys' hashes. */
class Expansion {
  readonly out = new Successors();
  taken = 0;
  id = 0;
  key = new Int32Array(0);
  hashes: Int32Array = new Int32Array(64);
}

export class PackedBfs<S, A> implements Frontier {
  private readonly store: PackedStore<S, A>;
  /** The states expanded together (`step`). */
  private readonly batch = Array.from({ length: BATCH }, () => new Expansion());
  /** Keys of the queued states: id `i` at `(i & ringMask) * words`. */
  private ring = new Int32Array(1024);
  private ringMask = 1023;
  private head = 0;
  private levelEnd = 0;
  private level = 0;
  private work = 0;
  private seeded = false;
  /** Stop at the first level boundary with at least this many states, for the parallel search to take over. */
  handoffAt = Infinity;
  /** Whether the search stopped to hand over (then `handover()` describes where it is). */
  handedOff = false;

  constructor(
    binding: PackedBinding<S>,
    /** The object-level model's initial states, in order. */
    private readonly initial: readonly S[],
    options: SearchOptions<S>,
    private readonly stops: Stops,
  ) {
    this.store = new PackedStore(binding, options.properties, stops, options.fingerprint === true);
    this.ring = new Int32Array(1024 * this.store.layout.words);
  }

  /** States stored so far. */
  get states(): number {
    return this.store.count;
  }

  step(): boolean {
    const store = this.store;
    if (!this.seeded) this.seed();
    const a = this.batch[0]!;
    while (!store.stopped && this.head < store.count) {
      const id = this.head;
      if (++this.work >= this.stops.nextPoll) {
        const r = this.stops.poll(this.work, store.count, store.depth, store.count - this.head);
        if (r === YIELD) return false;
        if (r !== undefined) {
          store.cut = r;
          break;
        }
      }
      if (id >= this.levelEnd) {
        if (store.count >= this.handoffAt) {
          // Big enough for the parallel search: stop here, at a level boundary, for it to take over.
          this.handedOff = true;
          return true;
        }
        this.level++;
        this.levelEnd = store.count;
      }
      if (!this.expandInto(a, id)) {
        this.widen();
        continue; // expand the same state again under the wider layout
      }
      this.head++;
      if (this.level >= this.stops.maxDepth) {
        if (a.taken > 0 || a.out.error >= 0) store.cut = 'max-depth';
        continue;
      }
      // Up to BATCH states at a time, while they are of the same level and no poll is due: their successors'
      // visited-set lookups start together, so that more cache misses overlap (the visited set is far larger than
      // the caches, and a lookup is mostly waiting for memory).
      const batch = this.batch;
      let n = 1;
      let widen = false;
      while (n < batch.length && this.head < this.levelEnd && this.head < store.count && this.work + 1 < this.stops.nextPoll) {
        this.work++;
        if (!this.expandInto(batch[n]!, this.head)) {
          widen = true; // after the successors before it, which are in the old layout
          break;
        }
        this.head++;
        n++;
      }
      for (let i = 0; i < n; i++) batch[i]!.hashes = store.hash(batch[i]!.out, batch[i]!.hashes);
      for (let i = 0; i < n; i++) store.prefetch(batch[i]!.out, batch[i]!.hashes);
      for (let i = 0; i < n; i++) {
        const e = batch[i]!;
        store.settle(e.out, e.taken, e.id, e.key, e.hashes, this.level + 1, this);
        if (store.stopped) {
          this.head -= n - 1 - i; // the one-state-at-a-time search never expands the rest
          break;
        }
      }
      if (widen && !store.stopped) this.widen(); // the state that overflowed is expanded again, under the wider layout
    }
    return true;
  }

  /** Expand state `id` into `e` (its key kept aside: its ring slot may be overwritten while its successors are stored); false if the layout overflowed. */
  private expandInto(e: Expansion, id: number): boolean {
    const layout = this.store.layout;
    const words = layout.words;
    const at = (id & this.ringMask) * words;
    e.out.reset(words);
    layout.clearOverflow();
    e.taken = this.store.binding.model.expand(this.ring, at, layout, e.out);
    if (layout.overflowed) return false;
    e.id = id;
    if (e.key.length !== words) e.key = new Int32Array(words);
    for (let k = 0; k < words; k++) e.key[k] = this.ring[at + k]!;
    return true;
  }

  /** Discover the initial states (depth 0). */
  private seed(): void {
    this.seeded = true;
    this.store.seed(this.initial, () => this.widen(), (key, id) => this.enqueue(key, 0, id));
    this.levelEnd = this.store.count;
  }

  admit(keys: Int32Array, at: number, id: number): void {
    this.enqueue(keys, at, id);
  }

  private enqueue(keys: Int32Array, at: number, id: number): void {
    const words = this.store.layout.words;
    if (id - this.head > this.ringMask) this.growRing(id);
    const to = (id & this.ringMask) * words;
    for (let k = 0; k < words; k++) this.ring[to + k] = keys[at + k]!;
  }

  /** Double the ring, which holds the keys of ids `head` to `upTo` (exclusive). */
  private growRing(upTo: number): void {
    ({ ring: this.ring, mask: this.ringMask } = doubledRing(this.ring, this.ringMask, this.store.layout.words, this.head, upTo));
  }

  /** Widen the layout for the model's overflow: the visited set and the queued keys are re-encoded. */
  private widen(): void {
    const store = this.store;
    const old: Layout = store.widen();
    const ids = this.head;
    const n = Math.max(0, store.count - ids);
    // Gather the queued keys in id order, re-encode them, and put them back in a ring of the new width.
    const gathered = new Int32Array(Math.max(1, n) * old.words);
    for (let i = 0; i < n; i++) {
      const from = ((ids + i) & this.ringMask) * old.words;
      gathered.set(this.ring.subarray(from, from + old.words), i * old.words);
    }
    const relaid = store.relay(old, gathered, n);
    const words = store.layout.words;
    this.ring = new Int32Array((this.ringMask + 1) * words);
    for (let i = 0; i < n; i++) this.ring.set(relaid.subarray(i * words, (i + 1) * words), ((ids + i) & this.ringMask) * words);
  }

  /** Where the search stands at a hand-over: its store, and the next level's keys (ids base … base + count − 1). */
  handover(): { store: PackedStore<S, A>; keys: Int32Array; base: number; count: number; depth: number } {
    const words = this.store.layout.words;
    const n = this.store.count - this.head;
    const keys = new Int32Array(Math.max(1, n) * words);
    for (let i = 0; i < n; i++) {
      const from = ((this.head + i) & this.ringMask) * words;
      keys.set(this.ring.subarray(from, from + words), i * words);
    }
    return { store: this.store, keys, base: this.head, count: n, depth: this.level + 1 };
  }

  outcome(): Outcome<S, A> {
    // A state found violating a property is stored but never queued.
    return this.store.outcome(this.store.count - this.head - (this.store.failed !== undefined ? 1 : 0));
  }
}
