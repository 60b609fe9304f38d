/**
 * How a packed state's fields sit in its key words: each field gets a fixed number of bits in one 32-bit word
 * (fields never straddle words), so a state of twenty small fields — machine state ids, counters — is a key of two
 * or three words, and a successor is its parent's words with a few fields rewritten.
 *
 * Widths are not known in advance (a machine's states are numbered as they are met), so the layout grows: a model
 * that writes a value too wide for its field marks the layout as overflowed, and the search widens that field (with
 * room to spare) and re-encodes what it has stored. Widening is rare: about once per doubling of a field's range.
 */

/** Bits needed for the values 0..max. */
export function bitsFor(max: number): number {
  return max <= 0 ? 1 : 32 - Math.clz32(max);
}

/** The widest field: values are non-negative int32s. */
const MAX_BITS = 31;

export class Layout {
  readonly fields: number;
  /** Key words per state. */
  readonly words: number;
  readonly bits: Int32Array;
  readonly word: Int32Array;
  readonly shift: Int32Array;
  readonly mask: Int32Array;
  /** The first field written with a value too wide for it since the last `clearOverflow`, or -1. */
  overflowField = -1;
  overflowValue = 0;

  /** Fields of `bits[f]` bits, placed first-fit in order of decreasing width (ties: field order). */
  constructor(bits: ArrayLike<number>) {
    const n = bits.length;
    this.fields = n;
    this.bits = Int32Array.from(bits, (b) => Math.min(MAX_BITS, Math.max(1, b)));
    this.word = new Int32Array(n);
    this.shift = new Int32Array(n);
    this.mask = new Int32Array(n);
    const order = Array.from({ length: n }, (_, f) => f).sort((a, b) => this.bits[b]! - this.bits[a]! || a - b);
    const used: number[] = [];
    for (const f of order) {
      const b = this.bits[f]!;
      let w = used.findIndex((u) => u + b <= 32);
      if (w < 0) {
        w = used.length;
        used.push(0);
      }
      this.word[f] = w;
      this.shift[f] = used[w]!;
      this.mask[f] = b === 32 ? -1 : (1 << b) - 1;
      used[w]! += b;
    }
    this.words = Math.max(1, used.length);
  }

  /** A layout with room for each field's hint (a value it is expected to reach), or one bit. */
  static forHints(fields: number, hints?: ArrayLike<number>): Layout {
    return new Layout(Array.from({ length: fields }, (_, f) => bitsFor(hints?.[f] ?? 1)));
  }

  /** One field per word: a layout that never needs widening (fingerprint mode keys hash this form). */
  static wide(fields: number): Layout {
    return new Layout(new Array<number>(fields).fill(MAX_BITS));
  }

  get(keys: Int32Array, at: number, f: number): number {
    return (keys[at + this.word[f]!]! >>> this.shift[f]!) & this.mask[f]!;
  }

  /** Writes field `f`; a value that does not fit is recorded as an overflow (and the key is then meaningless). */
  set(keys: Int32Array, at: number, f: number, v: number): void {
    const m = this.mask[f]!;
    if (v > m || v < 0) {
      if (this.overflowField < 0) {
        this.overflowField = f;
        this.overflowValue = v;
      }
      return;
    }
    const i = at + this.word[f]!;
    const s = this.shift[f]!;
    keys[i] = (keys[i]! & ~(m << s)) | (v << s);
  }

  get overflowed(): boolean {
    return this.overflowField >= 0;
  }

  clearOverflow(): void {
    this.overflowField = -1;
  }

  /** Writes all fields (`keys[at..at + words)` is cleared first); false when one does not fit. */
  encode(values: ArrayLike<number>, keys: Int32Array, at: number): boolean {
    keys.fill(0, at, at + this.words);
    for (let f = 0; f < this.fields; f++) {
      this.set(keys, at, f, values[f]!);
      if (this.overflowed) return false;
    }
    return true;
  }

  decode(keys: Int32Array, at: number, out: Int32Array | number[]): void {
    for (let f = 0; f < this.fields; f++) out[f] = this.get(keys, at, f);
  }

  /**
   * `decode` compiled for this layout: straight-line code with the word indices, shifts and masks as constants,
   * which V8 turns into a few instructions per field (decoding every expanded state's fields is on the hot path).
   */
  get decoder(): (keys: Int32Array, at: number, out: Int32Array) => void {
    if (this.compiled === undefined) {
      const lines: string[] = [];
      for (let w = 0; w < this.words; w++) lines.push(`const w${w} = keys[at + ${w}] | 0;`);
      for (let f = 0; f < this.fields; f++) lines.push(`out[${f}] = (w${this.word[f]} >>> ${this.shift[f]}) & ${this.mask[f]};`);
      this.compiled = new Function('keys', 'at', 'out', lines.join('\n')) as (keys: Int32Array, at: number, out: Int32Array) => void;
    }
    return this.compiled;
  }

  private compiled: ((keys: Int32Array, at: number, out: Int32Array) => void) | undefined;

  /**
   * A layout where field `f` holds `value`: the bits it needs, at least one more than now (so the range at least
   * doubles). No spare bit beyond that: a key is whole words, and a spare bit per field pushed the 3 × 3 check's key
   * from 3 words to 4 (98 bits) — a quarter more memory and bandwidth per visited slot for bits never used. The price
   * is a few more re-layouts early in a search, while the table is small.
   */
  widened(f: number, value: number): Layout {
    if (!Number.isInteger(value) || value < 0 || value >= 2 ** MAX_BITS) {
      throw new RangeError(`packed state: field ${f} cannot hold ${value} (fields are integers in [0, 2^31))`);
    }
    const bits = Array.from(this.bits);
    bits[f] = Math.min(MAX_BITS, Math.max(bitsFor(value), bits[f]! + 1));
    return new Layout(bits);
  }
}
