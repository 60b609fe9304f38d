/**
 * Depth-first search over packed states, on one thread: a stack of (key, id, depth) in typed arrays. The order is the
 * object-level depth-first search's (the last state discovered is expanded next), so ids and traces are the same.
 */
import type { Outcome } from '../result.js';
import { YIELD, type Stops } from '../stops.js';
import type { SearchOptions } from '../types.js';
import { Successors, type PackedBinding } from './model.js';
import { PackedStore, type Frontier } from './store.js';

export class PackedDfs<S, A> implements Frontier {
  private readonly store: PackedStore<S, A>;
  private readonly out = new Successors();
  private parentKey = new Int32Array(0);
  /** Per successor of the state being expanded: its key's hash (the visited set's `hashAll`). */
  private hashes: Int32Array = new Int32Array(64);
  private keys: Int32Array;
  private ids = new Int32Array(256);
  private depths = new Int32Array(256);
  private size = 0;
  private work = 0;
  private seeded = false;

  constructor(
    binding: PackedBinding<S>,
    private readonly initial: readonly S[],
    options: SearchOptions<S>,
    private readonly stops: Stops,
  ) {
    this.store = new PackedStore(binding, options.properties, stops, options.fingerprint === true);
    this.keys = new Int32Array(256 * this.store.layout.words);
  }

  step(): boolean {
    const store = this.store;
    if (!this.seeded) this.seed();
    const model = store.binding.model;
    const out = this.out;
    while (!store.stopped && this.size > 0) {
      if (++this.work >= this.stops.nextPoll) {
        const r = this.stops.poll(this.work, store.count, store.depth, this.size);
        if (r === YIELD) return false;
        if (r !== undefined) {
          store.cut = r;
          break;
        }
      }
      const layout = store.layout;
      const words = layout.words;
      const top = this.size - 1;
      const id = this.ids[top]!;
      const depth = this.depths[top]!;
      out.reset(words);
      layout.clearOverflow();
      const taken = model.expand(this.keys, top * words, layout, out);
      if (layout.overflowed) {
        this.widen();
        continue;
      }
      this.size--;
      if (depth >= this.stops.maxDepth) {
        if (taken > 0 || out.error >= 0) store.cut = 'max-depth';
        continue;
      }
      // Start every successor's visited-set lookup before the first one (overlapped cache misses).
      this.hashes = store.hash(out, this.hashes);
      store.prefetch(out, this.hashes);
      // The parent's key, kept aside: its slot may be overwritten while its successors are stored.
      if (this.parentKey.length !== words) this.parentKey = new Int32Array(words);
      for (let k = 0; k < words; k++) this.parentKey[k] = this.keys[top * words + k]!;
      store.settle(out, taken, id, this.parentKey, this.hashes, depth + 1, this);
    }
    return true;
  }

  private seed(): void {
    this.seeded = true;
    this.store.seed(this.initial, () => this.widen(), (key, id) => this.push(key, 0, id, 0));
  }

  admit(keys: Int32Array, at: number, id: number, depth: number): void {
    this.push(keys, at, id, depth);
  }

  private push(keys: Int32Array, at: number, id: number, depth: number): void {
    const words = this.store.layout.words;
    if (this.size === this.ids.length) {
      const n = this.size * 2;
      const k = new Int32Array(n * words);
      k.set(this.keys.subarray(0, this.size * words));
      this.keys = k;
      const i = new Int32Array(n);
      i.set(this.ids);
      this.ids = i;
      const d = new Int32Array(n);
      d.set(this.depths);
      this.depths = d;
    }
    const to = this.size * words;
    for (let k = 0; k < words; k++) this.keys[to + k] = keys[at + k]!;
    this.ids[this.size] = id;
    this.depths[this.size] = depth;
    this.size++;
  }

  private widen(): void {
    const old = this.store.widen();
    const relaid = this.store.relay(old, this.keys, this.size);
    const k = new Int32Array(this.ids.length * this.store.layout.words);
    k.set(relaid.subarray(0, this.size * this.store.layout.words));
    this.keys = k;
  }

  outcome(): Outcome<S, A> {
    return this.store.outcome(this.size);
  }
}
