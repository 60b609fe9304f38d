/**
 * A map from pairs of non-negative int32s to non-negative int32s, open addressing in typed arrays.
 *
 * Why not `Map`: a pair packed into one number exceeds V8's small-integer range and is hashed as a heap double, and
 * a string key allocates; this table does neither, and a lookup is a multiply, a mask and one or two probes.
 */
export class PairMap {
  private keysA: Int32Array;
  private keysB: Int32Array;
  /** value + 1; 0 marks an empty slot. */
  private vals: Int32Array;
  private mask: number;
  size = 0;

  constructor(capacity = 1024) {
    let c = 16;
    while (c < capacity * 2) c *= 2;
    this.keysA = new Int32Array(c);
    this.keysB = new Int32Array(c);
    this.vals = new Int32Array(c);
    this.mask = c - 1;
  }

  private static slot(a: number, b: number, mask: number): number {
    return (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca6b)) >>> 0 & mask;
  }

  /** The value of (a, b), or -1. */
  get(a: number, b: number): number {
    const mask = this.mask;
    for (let i = PairMap.slot(a, b, mask); ; i = (i + 1) & mask) {
      const v = this.vals[i]!;
      if (v === 0) return -1;
      if (this.keysA[i] === a && this.keysB[i] === b) return v - 1;
    }
  }

  /** Sets (a, b) → value (value ≥ 0); the pair must not be present. */
  add(a: number, b: number, value: number): void {
    if ((this.size + 1) * 2 > this.mask + 1) this.grow();
    this.place(a, b, value + 1);
    this.size++;
  }

  private place(a: number, b: number, stored: number): void {
    const mask = this.mask;
    let i = PairMap.slot(a, b, mask);
    while (this.vals[i] !== 0) i = (i + 1) & mask;
    this.keysA[i] = a;
    this.keysB[i] = b;
    this.vals[i] = stored;
  }

  private grow(): void {
    const { keysA, keysB, vals } = this;
    const c = (this.mask + 1) * 2;
    this.keysA = new Int32Array(c);
    this.keysB = new Int32Array(c);
    this.vals = new Int32Array(c);
    this.mask = c - 1;
    for (let i = 0; i < vals.length; i++) if (vals[i] !== 0) this.place(keysA[i]!, keysB[i]!, vals[i]!);
  }
}
