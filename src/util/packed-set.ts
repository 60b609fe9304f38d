/**
 * A set of word sequences (packed states, packed machine contexts) numbered 0, 1, 2, … in insertion order: the
 * explorer's visited set for models that `pack` their states (SPIN's approach, in typed arrays) and the MemoNetwork's
 * table of component states.
 *
 * Each state's words are stored once, varint-coded (most are small ids: one byte each), in an append-only byte
 * arena in id order, so `offsets[id]..offsets[id + 1]` is state `id`. An open-addressing table of ids indexes them
 * by a hash of the bytes. Nothing per state lives on the JavaScript heap as an object: no key strings, no Map entries,
 * which is where a string-keyed visited set spends most of its ~100 bytes per state. With `Model.unpack` the search
 * also keeps its frontier as ids and rebuilds states from here.
 */

/** A growable buffer of unsigned 32-bit words that `Model.pack` appends to. */
export class WordBuffer {
  words = new Uint32Array(64);
  length = 0;

  push(x: number): void {
    if (this.length === this.words.length) {
      const bigger = new Uint32Array(this.words.length * 2);
      bigger.set(this.words);
      this.words = bigger;
    }
    this.words[this.length++] = x;
  }

  clear(): void {
    this.length = 0;
  }
}

const EMPTY = 0;
/** Offsets are 32-bit. */
const MAX_ARENA = 2 ** 32 - 1;

export class PackedSet {
  private arena = new Uint8Array(1 << 16);
  private used = 0;
  /** offsets[id] = start of state id in the arena; offsets[count] = used. */
  private offsets = new Uint32Array(1024);
  private table = new Int32Array(1 << 12);
  private mask = (1 << 12) - 1;
  count = 0;

  /** The last `find`'s encoding and free slot, consumed by `add`. */
  private scratch = new Uint8Array(256);
  private scratchLength = 0;
  private lastSlot = -1;

  /** Bytes held: arena, offsets, table (the figure `bytes per state` is made of). */
  get bytes(): number {
    return this.arena.byteLength + this.offsets.byteLength + this.table.byteLength;
  }

  /** The id of the state packed in `buf`, or -1; remembers the encoding so `add` can store it. */
  find(buf: WordBuffer): number {
    const n = buf.length;
    const words = buf.words;
    if (this.scratch.length < n * 5) this.scratch = new Uint8Array(n * 10);
    const sc = this.scratch;
    let len = 0;
    let h = 0x811c9dc5 ^ n;
    for (let i = 0; i < n; i++) {
      let x = words[i]!;
      while (x >= 0x80) {
        const b = (x & 0x7f) | 0x80;
        sc[len++] = b;
        h = Math.imul(h ^ b, 0x01000193);
        x >>>= 7;
      }
      sc[len++] = x;
      h = Math.imul(h ^ x, 0x01000193);
    }
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    this.scratchLength = len;
    const mask = this.mask;
    const table = this.table;
    const arena = this.arena;
    const offsets = this.offsets;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const entry = table[i]!;
      if (entry === EMPTY) {
        this.lastSlot = i;
        return -1;
      }
      const id = entry - 1;
      const start = offsets[id]!;
      if (offsets[id + 1]! - start !== len) continue;
      let j = 0;
      while (j < len && arena[start + j] === sc[j]) j++;
      if (j === len) return id;
    }
  }

  /** Store the state of the last unsuccessful `find` as id `count` (ids are dense, in insertion order). */
  add(): number {
    const id = this.count;
    const len = this.scratchLength;
    if (this.used + len > this.arena.length) {
      if (this.used + len > MAX_ARENA) throw new RangeError(`PackedSet: more than ${MAX_ARENA} bytes of packed states`);
      const bigger = new Uint8Array(Math.min(MAX_ARENA, Math.max(this.arena.length * 2, this.used + len)));
      bigger.set(this.arena.subarray(0, this.used));
      this.arena = bigger;
    }
    this.arena.set(this.scratch.subarray(0, len), this.used);
    if (id + 2 > this.offsets.length) {
      const bigger = new Uint32Array(this.offsets.length * 2);
      bigger.set(this.offsets);
      this.offsets = bigger;
    }
    this.offsets[id] = this.used;
    this.used += len;
    this.offsets[id + 1] = this.used;
    this.count++;
    this.table[this.lastSlot] = id + 1;
    this.lastSlot = -1;
    // Load factor at most 1/2 keeps probe sequences short.
    if (this.count * 2 > this.mask + 1) this.grow();
    return id;
  }

  /** Decode state `id` into `out` (cleared first). */
  read(id: number, out: WordBuffer): void {
    out.clear();
    const arena = this.arena;
    const end = this.offsets[id + 1]!;
    let p = this.offsets[id]!;
    while (p < end) {
      let x = 0;
      let shift = 0;
      let b: number;
      do {
        b = arena[p++]!;
        x += (b & 0x7f) * 2 ** shift;
        shift += 7;
      } while (b >= 0x80);
      out.push(x);
    }
  }

  private grow(): void {
    const size = (this.mask + 1) * 2;
    const table = new Int32Array(size);
    const mask = size - 1;
    for (let id = 0; id < this.count; id++) {
      let i = this.hashOf(id) & mask;
      while (table[i] !== EMPTY) i = (i + 1) & mask;
      table[i] = id + 1;
    }
    this.table = table;
    this.mask = mask;
  }

  /** The hash `find` computes, from the stored bytes. */
  private hashOf(id: number): number {
    const arena = this.arena;
    const end = this.offsets[id + 1]!;
    const start = this.offsets[id]!;
    let n = 0;
    for (let p = start; p < end; p++) if (arena[p]! < 0x80) n++;
    let h = 0x811c9dc5 ^ n;
    for (let p = start; p < end; p++) h = Math.imul(h ^ arena[p]!, 0x01000193);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    return h;
  }
}
