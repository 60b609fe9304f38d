/**
 * An index of pairs of non-negative int32s: each distinct pair added gets the next number 0, 1, 2, … (insertion
 * order), which callers use to index their own columns of values.
 *
 * Why not `Map`: a pair packed into one number exceeds V8's small-integer range and is hashed as a heap double, and
 * a string key allocates. Here the pairs live in two int32 columns and an open-addressing table of indices (load at
 * most 3/4) finds them: about 8 bytes per pair plus 4–11 bytes of table, nothing on the JavaScript heap.
 */
import { grown } from './grown.js';

export class PairMap {
  private keysA: Int32Array;
  private keysB: Int32Array;
  /** index + 1; 0 marks an empty slot. */
  private table: Int32Array;
  /** 8 bits of each slot's hash, checked before the key columns (which are elsewhere in memory). */
  private tags: Uint8Array;
  private mask: number;
  size = 0;

  constructor(capacity = 64) {
    let c = 16;
    while (c * 3 < capacity * 4) c *= 2;
    this.table = new Int32Array(c);
    this.tags = new Uint8Array(c);
    this.mask = c - 1;
    this.keysA = new Int32Array(capacity);
    this.keysB = new Int32Array(capacity);
  }

  private static slot(a: number, b: number): number {
    let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca6b);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    return h >>> 0;
  }

  /** The index of (a, b), or -1. */
  get(a: number, b: number): number {
    const mask = this.mask;
    const table = this.table;
    const tags = this.tags;
    const h = PairMap.slot(a, b);
    const tag = h >>> 24;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const v = table[i]!;
      if (v === 0) return -1;
      if (tags[i] === tag && this.keysA[v - 1] === a && this.keysB[v - 1] === b) return v - 1;
    }
  }

  /** Adds (a, b), which must not be present, and returns its index (the previous size). */
  add(a: number, b: number): number {
    const index = this.size;
    if (index === this.keysA.length) {
      const n = Math.ceil(index * 1.5) + 16;
      this.keysA = grown(this.keysA, n);
      this.keysB = grown(this.keysB, n);
    }
    this.keysA[index] = a;
    this.keysB[index] = b;
    this.size++;
    if (this.size * 4 > (this.mask + 1) * 3) this.grow();
    else this.place(index);
    return index;
  }

  /** Bytes held by the columns and the table. */
  get bytes(): number {
    return this.keysA.byteLength + this.keysB.byteLength + this.table.byteLength + this.tags.byteLength;
  }

  private place(index: number): void {
    const mask = this.mask;
    const h = PairMap.slot(this.keysA[index]!, this.keysB[index]!);
    let i = h & mask;
    while (this.table[i] !== 0) i = (i + 1) & mask;
    this.table[i] = index + 1;
    this.tags[i] = h >>> 24;
  }

  private grow(): void {
    const c = (this.mask + 1) * 2;
    this.table = new Int32Array(c);
    this.tags = new Uint8Array(c);
    this.mask = c - 1;
    for (let index = 0; index < this.size; index++) this.place(index);
  }
}
