/**
 * The parallel search's visited set: one open-addressing table per partition (a state's partition is decided by its
 * hash), each an Int32Array over a SharedArrayBuffer with the same slots as packed/visited.ts — the key inline (or a
 * 64-bit fingerprint) and id + 1. During expansion every thread reads every partition (nobody writes); during
 * insertion each partition is written by its one owner. No locks, no atomics on the hot path.
 *
 * A state inserted in the current level gets PROVISIONAL as its id until the level's ids are given out in
 * breadth-first order.
 */
import type { Layout } from '../packed/layout.js';
import { fingerprintOf, hashWords } from '../packed/visited.js';

export const SEED_A = 0x9747b28c;
export const SEED_B = 0x2545f491;
/** The id word of a state inserted in this level, before its id is known. */
export const PROVISIONAL = 0x7fffffff;
export const MAX_LOAD = 0.7;

export interface TableView {
  readonly slots: Int32Array;
  /** Slots in the table (not a power of two: see `homeOf`). */
  readonly n: number;
}

const TWO_32 = 4294967296;

/**
 * The home slot of hash `h` in a table of `n` slots: "fastrange" (as packed/visited.ts) over the hash with its halves
 * swapped, since `partitionOf` took the high bits (every state of a partition shares them).
 */
export function homeOf(h: number, n: number): number {
  return ((((h << 16) | (h >>> 16)) >>> 0) * n) / TWO_32 | 0;
}

/** Words a slot's key takes: the key's words, or 2 for a fingerprint. */
export const keyWordsOf = (words: number, fingerprint: boolean): number => (fingerprint ? 2 : words);

/** The partition of a state with hash `h`, out of `n` (from the hash's high bits; `homeOf` starts from the low ones). */
export function partitionOf(h: number, n: number): number {
  return (((h >>> 16) * n) >>> 16) & 0xffff;
}

/**
 * The slot holding the key `keys[at..]` (hash `h`, second hash `h2` in fingerprint mode) as an index ≥ 0, or
 * −(free slot + 1).
 */
export function probe(t: TableView, keyWords: number, fingerprint: boolean, keys: Int32Array, at: number, h: number, h2: number): number {
  const slots = t.slots;
  const n = t.n;
  const sw = keyWords + 1;
  for (let i = homeOf(h, n); ; i = i + 1 === n ? 0 : i + 1) {
    const p = i * sw;
    if (slots[p + keyWords] === 0) return -(i + 1);
    if (fingerprint) {
      if (slots[p] === h && slots[p + 1] === h2) return i;
    } else {
      let k = 0;
      while (k < keyWords && slots[p + k] === keys[at + k]) k++;
      if (k === keyWords) return i;
    }
  }
}

/** Store a key in free slot `i` (from `probe`) with id word `idWord` (id + 1, or PROVISIONAL). */
export function store(t: TableView, keyWords: number, fingerprint: boolean, i: number, keys: Int32Array, at: number, h: number, h2: number, idWord: number): void {
  const p = i * (keyWords + 1);
  if (fingerprint) {
    t.slots[p] = h;
    t.slots[p + 1] = h2;
  } else for (let k = 0; k < keyWords; k++) t.slots[p + k] = keys[at + k]!;
  t.slots[p + keyWords] = idWord;
}

/** A table with room for `capacity` states (at a load of MAX_LOAD) in shared memory. */
export function sharedTable(keyWords: number, capacity: number): TableView {
  const n = Math.max(64, Math.ceil(capacity / MAX_LOAD));
  const slots = new Int32Array(new SharedArrayBuffer(n * (keyWords + 1) * 4));
  // Written before anything reads it: a page first read maps the kernel's zero page, and the write after it is a
  // copy-on-write fault that flushes the page from every core's TLB — an interrupt to the other worker each time.
  // Inserting into a fresh table reads its slots first, so unfaulted, those flushes were ~3% of a 2-worker 3 × 3
  // search's CPU (perf: native_write_msr, smp_call_function_many_cond); written first, the pages come in as plain
  // first-touch faults. 3 alternated rounds: 6.64 / 6.21 / 6.10 s → 6.35 / 5.96 / 5.89 s.
  slots.fill(0);
  return { slots, n };
}

/** Slots of table `t`. */
export const slotCount = (t: TableView): number => t.n;

/** The same entries in a table with room for `capacity` states (rehashed from the slots: hashes are recomputed). */
export function regrown(t: TableView, keyWords: number, fingerprint: boolean, capacity: number): TableView {
  const next = sharedTable(keyWords, capacity);
  const sw = keyWords + 1;
  const old = t.slots;
  const slots = next.slots;
  const n = next.n;
  for (let p = 0; p < old.length; p += sw) {
    if (old[p + keyWords] === 0) continue;
    const h = fingerprint ? old[p]! : hashWords(old, p, keyWords, SEED_A);
    let i = homeOf(h, n);
    while (slots[i * sw + keyWords] !== 0) i = i + 1 === n ? 0 : i + 1;
    // Word by word: `set(subarray(…))` allocates a view per slot (as packed/visited.ts's `grow` found).
    for (let k = 0, q = i * sw; k < sw; k++) slots[q + k] = old[p + k]!;
  }
  return next;
}

const scratchFields = new Int32Array(256);

/**
 * Hashes of a key: `h` for slot and partition, and `h2` (fingerprint mode only, else 0). In fingerprint mode both
 * hash the state's field values (`layout`), as packed/visited.ts's fingerprints do.
 */
export function hashKey(keys: Int32Array, at: number, words: number, fingerprint: boolean, out: Int32Array, layout?: Layout): void {
  if (fingerprint) {
    fingerprintOf(layout!, keys, at, scratchFields, out);
    return;
  }
  out[0] = hashWords(keys, at, words, SEED_A);
  out[1] = 0;
}

/**
 * `hashKey` of the `count` keys in `keys` into `out` (h at 2j, h2 at 2j + 1), in a loop that does nothing else — so
 * that the touches after it are not spread out by hashing (phases.ts).
 */
export function hashKeys(keys: Int32Array, count: number, words: number, fingerprint: boolean, out: Int32Array, layout?: Layout): void {
  if (fingerprint) {
    const hs = scratchHashes;
    for (let j = 0; j < count; j++) {
      hashKey(keys, j * words, words, true, hs, layout);
      out[2 * j] = hs[0]!;
      out[2 * j + 1] = hs[1]!;
    }
    return;
  }
  for (let j = 0; j < count; j++) {
    out[2 * j] = hashWords(keys, j * words, words, SEED_A);
    out[2 * j + 1] = 0;
  }
}

const scratchHashes = new Int32Array(2);

/** Write the ids numbered in phase 3 into the table: winner records of `width` words (slot, then the id at index 1). */
export function writeIds(t: TableView, keyWords: number, winners: Int32Array, count: number, width: number): void {
  const sw = keyWords + 1;
  for (let i = 0; i < count; i++) t.slots[winners[i * width]! * sw + keyWords] = winners[i * width + 1]! + 1;
}
