/**
 * The packed strategies' visited set: open addressing (linear probing) over one Int32Array of slots, each slot the
 * state's key words inline followed by its id + 1 (0: an empty slot) — one probe reads a key where the hash points,
 * with no indirection and no decoding. In fingerprint mode a slot holds a 64-bit hash of the key instead of the key
 * (TLC's default): smaller, at the price of a tiny probability that two states share a fingerprint.
 *
 * `find` remembers the free slot it ended on, so `insert` of the key just looked up costs nothing more. A hash picks
 * its home slot by "fastrange" (the hash times the slot count, high bits), so the slot count need not be a power of
 * two: growth multiplies it by 1.5 (load at most 0.7, so between 0.47 and 0.7 after the first growths, where doubling
 * leaves 0.35–0.7) and rehashes from the slots alone. At 3 VMs × 3 slots, doubling had just left a load of 0.375:
 * 42.6 B of table per state, most of the search's memory.
 */
import type { Layout } from './layout.js';

const MAX_LOAD = 0.7;
const GROWTH = 1.5;
const TWO_32 = 4294967296;

/** The home slot of hash `h` in a table of `n` slots: ⌊(h as unsigned) · n / 2^32⌋. */
const homeOf = (h: number, n: number): number => (((h >>> 0) * n) / TWO_32) | 0;

/**
 * A 32-bit hash of `n` words. Keys of 2 to 4 words (the usual widths) take straight-line code: the loop cost twice
 * as much per hash (~14 ns against ~7 for 3 words, measured), and every successor is hashed.
 */
export function hashWords(keys: Int32Array, at: number, n: number, seed: number): number {
  let h = seed;
  if (n >= 2 && n <= 4) {
    h = mixIn(h, keys[at]!);
    h = mixIn(h, keys[at + 1]!);
    if (n >= 3) h = mixIn(h, keys[at + 2]!);
    if (n === 4) h = mixIn(h, keys[at + 3]!);
  } else for (let i = 0; i < n; i++) h = mixIn(h, keys[at + i]!);
  h ^= n;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** One word into the running hash. */
function mixIn(h: number, w: number): number {
  h = Math.imul(h ^ w, 0xcc9e2d51);
  h = (h << 15) | (h >>> 17);
  return Math.imul(h, 0x1b873593) ^ (h >>> 13);
}

const SEED_A = 0x9747b28c;
const SEED_B = 0x2545f491;

/**
 * The 64-bit fingerprint of the state `keys[at..]` as two 32-bit hashes (`out[0]`, `out[1]`), computed over its field
 * values rather than its key words, so that it does not change when the layout widens. `fields`: scratch.
 */
export function fingerprintOf(layout: Layout, keys: Int32Array, at: number, fields: Int32Array, out: Int32Array): void {
  layout.decoder(keys, at, fields);
  out[0] = hashWords(fields, 0, layout.fields, SEED_A);
  out[1] = hashWords(fields, 0, layout.fields, SEED_B);
}

export class VisitedTable {
  /** Words a slot stores for its key: the key's, or 2 (a fingerprint). */
  readonly keyWords: number;
  private readonly slotWords: number;
  private table: Int32Array;
  /** Slots in the table. */
  private n: number;
  count = 0;
  private lastSlot = -1;
  /** Where `prefetch` reads go (kept, so that they are not optimized away). */
  sink = 0;
  private lastHash = 0;
  private lastHash2 = 0;
  /** Fingerprint mode: the layout of the keys passed to `find` (fingerprints hash their fields). */
  layout: Layout | undefined;
  private readonly fields = new Int32Array(256);
  private readonly fp = new Int32Array(2);

  /** `words`: key words per state; `fingerprint`: keep 64-bit hashes instead of keys. */
  constructor(
    readonly words: number,
    readonly fingerprint: boolean,
    capacity = 1 << 12,
  ) {
    this.keyWords = fingerprint ? 2 : words;
    this.slotWords = this.keyWords + 1;
    let slots = 16;
    while (slots * MAX_LOAD < capacity) slots *= 2;
    this.table = new Int32Array(slots * this.slotWords);
    this.n = slots;
  }

  get bytes(): number {
    return this.table.byteLength;
  }

  /** Whether the next `insert` grows the table. */
  get full(): boolean {
    return this.count + 1 > this.n * MAX_LOAD;
  }

  /** Slots after the next growth. */
  private get grownSlots(): number {
    return Math.ceil(this.n * GROWTH);
  }

  /** Bytes the next growth allocates. */
  get growthBytes(): number {
    return this.grownSlots * this.slotWords * 4;
  }

  /**
   * The hashes `find` takes of the `n` keys in `keys` into `out` (grown if need be: returned; nothing is hashed in
   * fingerprint mode, where `find` hashes fields).
   */
  hashAll(keys: Int32Array, n: number, out: Int32Array): Int32Array {
    if (out.length < n) out = new Int32Array(n * 2);
    if (this.fingerprint) return out;
    const words = this.words;
    for (let j = 0; j < n; j++) out[j] = hashWords(keys, j * words, words, SEED_A);
    return out;
  }

  /**
   * Touch the home slots of the `n` hashes in `hashes` (`hashAll`'s). Doing this for every successor before looking
   * any of them up lets the processor overlap their cache misses — the visited set is far larger than the caches,
   * and a lookup is mostly waiting for memory. A loop that does nothing else: the processor issues these loads while
   * earlier ones still miss only as far as its reorder window reaches, and hashing between them fills that window.
   */
  prefetch(hashes: Int32Array, n: number): void {
    if (this.fingerprint) return;
    const table = this.table;
    const slots = this.n;
    const sw = this.slotWords;
    let sink = 0;
    for (let j = 0; j < n; j++) sink ^= table[homeOf(hashes[j]!, slots) * sw]!;
    this.sink ^= sink;
  }

  /**
   * The id of the state `keys[at .. at + words)`, or -1 (then `insert` stores it). `hash`: this key's hash from
   * `hashAll`, if it was hashed (not in fingerprint mode).
   */
  find(keys: Int32Array, at: number, hash?: number): number {
    const n = this.words;
    const table = this.table;
    const slots = this.n;
    const sw = this.slotWords;
    if (this.fingerprint) {
      fingerprintOf(this.layout!, keys, at, this.fields, this.fp);
      const h = this.fp[0]!;
      const h2 = this.fp[1]!;
      this.lastHash = h;
      this.lastHash2 = h2;
      for (let i = homeOf(h, slots); ; i = i + 1 === slots ? 0 : i + 1) {
        const p = i * sw;
        const id = table[p + 2]!;
        if (id === 0) {
          this.lastSlot = i;
          return -1;
        }
        if (table[p] === h && table[p + 1] === h2) return id - 1;
      }
    }
    const h = hash ?? hashWords(keys, at, n, SEED_A);
    for (let i = homeOf(h, slots); ; i = i + 1 === slots ? 0 : i + 1) {
      const p = i * sw;
      const id = table[p + n]!;
      if (id === 0) {
        this.lastSlot = i;
        return -1;
      }
      let k = 0;
      while (k < n && table[p + k] === keys[at + k]) k++;
      if (k === n) return id - 1;
    }
  }

  /** Store the key of the last unsuccessful `find` (still in `keys[at..]`) as `id`. Call `grow` first when `full`. */
  insert(keys: Int32Array, at: number, id: number): void {
    const p = this.lastSlot * this.slotWords;
    if (this.fingerprint) {
      this.table[p] = this.lastHash;
      this.table[p + 1] = this.lastHash2;
      this.table[p + 2] = id + 1;
    } else {
      for (let k = 0; k < this.words; k++) this.table[p + k] = keys[at + k]!;
      this.table[p + this.words] = id + 1;
    }
    this.count++;
    this.lastSlot = -1;
  }

  /** Grow the table by half. (Call between a `find` and its `insert` only if the `find` is repeated afterwards.) */
  grow(): void {
    const old = this.table;
    const sw = this.slotWords;
    const slots = this.grownSlots;
    const table = new Int32Array(slots * sw);
    const n = this.keyWords;
    for (let p = 0; p < old.length; p += sw) {
      if (old[p + n] === 0) continue;
      let i = homeOf(this.fingerprint ? old[p]! : hashWords(old, p, n, SEED_A), slots);
      while (table[i * sw + n] !== 0) i = i + 1 === slots ? 0 : i + 1;
      // Word by word: `set(subarray(…))` allocates a view per slot, most of a growth's time.
      for (let k = 0, q = i * sw; k < sw; k++) table[q + k] = old[p + k]!;
    }
    this.table = table;
    this.n = slots;
    this.lastSlot = -1;
  }

  /**
   * The same states under another layout (after a widening): a new table whose keys are re-encoded from `from` to
   * `to`, with room for `capacity` states. In fingerprint mode the same table (fingerprints hash field values, which do not change).
   */
  relaid(from: Layout, to: Layout, capacity = this.count): VisitedTable {
    if (this.fingerprint) {
      this.layout = to;
      return this;
    }
    const next = new VisitedTable(to.words, false, Math.max(this.count, capacity, 16));
    const values = new Int32Array(from.fields);
    const key = new Int32Array(to.words);
    const sw = this.slotWords;
    const n = this.words;
    for (let p = 0; p < this.table.length; p += sw) {
      const id = this.table[p + n]!;
      if (id === 0) continue;
      from.decode(this.table, p, values);
      if (!to.encode(values, key, 0)) throw new Error('VisitedTable: a widened layout does not hold a stored state');
      if (next.find(key, 0) !== -1) throw new Error('VisitedTable: two stored states have one key under the widened layout');
      next.insert(key, 0, id - 1);
    }
    return next;
  }

  /** Calls `f(id, slotOffset)` for every stored state (the key is `table[slotOffset ..]`). */
  get slots(): Int32Array {
    return this.table;
  }
}
