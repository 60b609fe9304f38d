/**
 * Typed arrays in shared memory that one thread (the owner of the machines) fills and worker threads read: growable
 * int columns and a map of int pairs. Growing replaces the array; readers get the new one with the next
 * description of the tables (`Tables.data`), never while they read (the owner fills only between phases).
 */

/** A new Int32Array of `length` over a SharedArrayBuffer (zeroed). */
export function sharedInts(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Math.max(1, length) * 4));
}

/** `a` copied into a shared array of at least `length` (doubling), or `a` itself if long enough. */
export function ensureLength(a: Int32Array, length: number): Int32Array {
  if (length <= a.length) return a;
  let n = Math.max(16, a.length);
  while (n < length) n *= 2;
  const b = sharedInts(n);
  b.set(a);
  return b;
}

function pairHash(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x7f4a7c15, 0xc2b2ae35);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 12);
}

/** (a, b) → value, for non-negative a and b: open addressing over triples; an empty slot has a = −1. */
export class PairTable {
  slots: Int32Array;
  mask: number;
  size = 0;

  constructor(capacity = 64, slots?: Int32Array) {
    if (slots !== undefined) {
      this.slots = slots;
      this.mask = slots.length / 3 - 1;
      return;
    }
    let n = 16;
    while (n < capacity * 2) n *= 2;
    this.slots = sharedInts(n * 3).fill(-1);
    this.mask = n - 1;
  }

  /** The value of (a, b), or −1. */
  get(a: number, b: number): number {
    const s = this.slots;
    const mask = this.mask;
    for (let i = pairHash(a, b) & mask; ; i = (i + 1) & mask) {
      const p = i * 3;
      const x = s[p]!;
      if (x === -1) return -1;
      if (x === a && s[p + 1] === b) return s[p + 2]!;
    }
  }

  /** Set (a, b) → v (owner only); returns true when the slots array was replaced (readers need the new one). */
  set(a: number, b: number, v: number): boolean {
    let grew = false;
    if ((this.size + 1) * 2 > this.mask + 1) {
      this.grow();
      grew = true;
    }
    const s = this.slots;
    const mask = this.mask;
    for (let i = pairHash(a, b) & mask; ; i = (i + 1) & mask) {
      const p = i * 3;
      const x = s[p]!;
      if (x === -1) {
        s[p] = a;
        s[p + 1] = b;
        s[p + 2] = v;
        this.size++;
        return grew;
      }
      if (x === a && s[p + 1] === b) {
        s[p + 2] = v;
        return grew;
      }
    }
  }

  private grow(): void {
    const old = this.slots;
    const n = (this.mask + 1) * 2;
    this.slots = sharedInts(n * 3).fill(-1);
    this.mask = n - 1;
    this.size = 0;
    for (let p = 0; p < old.length; p += 3) if (old[p] !== -1) this.set(old[p]!, old[p + 1]!, old[p + 2]!);
  }
}

/**
 * (a, b) → value for small dense a and b: one array, row a, column b, 0 meaning absent (values are stored + 1).
 * A lookup is one read; the owner re-lays it (a new array) when a row or column is out of range.
 */
export class DenseTable {
  cells: Int32Array;
  cols: number;
  rows: number;

  constructor(rows = 16, cols = 16, cells?: Int32Array) {
    this.rows = rows;
    this.cols = cols;
    this.cells = cells ?? sharedInts(rows * cols);
  }

  /** The value of (a, b), or −1. */
  get(a: number, b: number): number {
    if (a >= this.rows || b >= this.cols) return -1;
    return this.cells[a * this.cols + b]! - 1;
  }

  /** Set (a, b) → v ≥ 0 (owner only); true when the array was replaced. */
  set(a: number, b: number, v: number): boolean {
    let grew = false;
    if (a >= this.rows || b >= this.cols) {
      let rows = this.rows;
      let cols = this.cols;
      while (rows <= a) rows *= 2;
      while (cols <= b) cols *= 2;
      const cells = sharedInts(rows * cols);
      for (let r = 0; r < this.rows; r++) cells.set(this.cells.subarray(r * this.cols, (r + 1) * this.cols), r * cols);
      this.cells = cells;
      this.rows = rows;
      this.cols = cols;
      grew = true;
    }
    this.cells[a * this.cols + b] = v + 1;
    return grew;
  }
}
