/**
 * A thread's small cache in front of the decision tries (tables.ts) of group parts and step checks: a trie walk is a
 * chain of dependent reads in a sparse table (one per component the check read), a cache hit one read of one slot.
 *
 * A check's trie may read only the codes (a component's state, or a projection of it: tables.ts) that the owner
 * listed for it (`Tables.groupCodes`, `Tables.checkCodes`: every code any path of the trie reads). Two states with
 * the same values of every listed code walk the same path to the same leaf, so the result is cached under
 * (check, those values). A list grows when the owner fills the trie; the list's length is part of the key, so an
 * entry made under a shorter list is never taken for the longer one. Checks with more than MAX_CODES codes, or
 * whose projection values are not known yet, bypass the cache. Each slot holds one entry (direct-mapped): a
 * collision evicts, which costs a walk, never a wrong result.
 */

/** Codes per check that the cache keys on; a list with more is marked MAX_CODES + 1 and not cached. */
export const MAX_CODES = 6;
/** Ints per check's code list: [n, (component, projection index or −1) × MAX_CODES], padded. */
export const CODES_STRIDE = 16;
/** Ints per cache slot: [tag, result, value × MAX_CODES]. */
const SLOT = 8;

export class ResultCache {
  private readonly slots: Int32Array;
  private readonly mask: number;
  private readonly vals = new Int32Array(MAX_CODES);
  /** The slot, tag and width of the last lookup that can be remembered (−1: none). */
  private at = -1;
  private tag = 0;
  private n = 0;

  constructor(bits: number) {
    this.mask = (1 << bits) - 1;
    this.slots = new Int32Array((1 << bits) * SLOT);
  }

  /**
   * The cached result of check `key` (its code list at `base` in `codes`) on the state whose component ids are
   * `ids`, or −1; after −1, `remember` stores the walk's result under the same key (only then: a hit, or a
   * lookup that cannot be cached, leaves nothing to remember).
   */
  lookup(key: number, codes: Int32Array, base: number, ids: Int32Array, proj: readonly Int32Array[]): number {
    this.at = -1;
    if (base + CODES_STRIDE > codes.length) return -1;
    const n = codes[base]!;
    if (n > MAX_CODES) return -1;
    const vals = this.vals;
    let h = Math.imul(key + 1, 0x9e3779b1) ^ n;
    for (let i = 0; i < n; i++) {
      let v = ids[codes[base + 1 + 2 * i]!]!;
      const x = codes[base + 2 + 2 * i]!;
      if (x >= 0) {
        const a = proj[x];
        v = a !== undefined && v < a.length ? a[v]! - 1 : -1;
        if (v < 0) return -1;
      }
      vals[i] = v;
      h = Math.imul(h ^ v, 0x85ebca6b);
      h ^= h >>> 13;
    }
    h ^= h >>> 16;
    const s = (h & this.mask) * SLOT;
    this.at = s;
    this.tag = key * 8 + n + 1;
    this.n = n;
    const slots = this.slots;
    if (slots[s] !== this.tag) return -1;
    for (let i = 0; i < n; i++) if (slots[s + 2 + i] !== vals[i]) return -1;
    this.at = -1;
    return slots[s + 1]!;
  }

  /** Store `result` under the key of the last `lookup` (nothing if it could not be cached). */
  remember(result: number): void {
    const s = this.at;
    if (s < 0) return;
    const slots = this.slots;
    slots[s] = this.tag;
    slots[s + 1] = result;
    for (let i = 0; i < this.n; i++) slots[s + 2 + i] = this.vals[i]!;
    this.at = -1;
  }
}

/** Add trie node code `code` (tables.ts) to the code list at `base` in `codes` (C components), if not there. */
export function addCode(codes: Int32Array, base: number, code: number, C: number): void {
  const n = codes[base]!;
  if (n > MAX_CODES) return;
  const c = code <= C ? code - 1 : (code - C - 1) % C;
  const x = code <= C ? -1 : code - C - 1;
  for (let i = 0; i < n; i++) if (codes[base + 1 + 2 * i] === c && codes[base + 2 + 2 * i] === x) return;
  if (n === MAX_CODES) {
    codes[base] = MAX_CODES + 1;
    return;
  }
  codes[base + 1 + 2 * n] = c;
  codes[base + 2 + 2 * n] = x;
  codes[base] = n + 1;
}
