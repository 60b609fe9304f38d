/**
 * A set of word sequences (packed states, packed machine contexts) numbered 0, 1, 2, … in insertion order: the
 * explorer's visited set for models that `pack` their states (SPIN's approach, in typed arrays) and the MemoNetwork's
 * table of component states.
 *
 * Each sequence is stored once, varint-coded (most words are small ids: one byte each) behind a varint byte length,
 * in an append-only arena of 1 MiB chunks; `positions[id]` says where. An open-addressing table of ids (load at most
 * 3/4) indexes them by a hash of the bytes, kept per id (`hashes[id]`) so that doubling the table is a pass over two
 * typed arrays instead of a random walk through the arena (it was a twentieth of a 3 VMs × 3 slots check). Nothing
 * per state lives on the JavaScript heap as an object: no key strings, no Map entries, which is where a string-keyed
 * visited set spends most of its ~100 bytes per state. With `Model.unpack` the search
 * also keeps its frontier as ids and rebuilds states from here.
 */
import { grown } from './grown.js';

/** A growable buffer of unsigned 32-bit words that `Model.pack` appends to. */
export class WordBuffer {
  words = new Uint32Array(64);
  length = 0;

  push(x: number): void {
    if (this.length === this.words.length) this.words = grown(this.words, this.words.length * 2);
    this.words[this.length++] = x;
  }

  clear(): void {
    this.length = 0;
  }
}

const EMPTY = 0;

/** The arena is a list of chunks (no copying when it grows, no slack beyond the last chunk). */
const CHUNK_BITS = 20;
const CHUNK = 1 << CHUNK_BITS;
/** Positions are 32-bit: chunk index × CHUNK + offset. */
const MAX_CHUNKS = 2 ** (32 - CHUNK_BITS);

export class PackedSet {
  private readonly chunks: Uint8Array[] = [new Uint8Array(1 << 12)];
  /** Bytes used in the last chunk. */
  private used = 0;
  /** positions[id]: where state id starts — a varint byte length, then its varint words. */
  private positions = new Uint32Array(256);
  /** hashes[id]: the hash `find` computed for it, so that growing the table never reads the arena back. */
  private hashes = new Uint32Array(256);
  /**
   * Slots: 0 empty, else (id + 1) in the low ID_BITS bits and 8 bits of the hash above them, so most non-matching
   * slots are passed over without touching the arena. Past 2^24 - 2 ids the table is rebuilt without tags (`wide`).
   */
  private table = new Uint32Array(1 << 8);
  private wide = false;
  private readonly idBits: number;
  private readonly idLimit: number;

  /** `idBits` (default 24, at most 24) is how many ids are stored with tags; smaller only to test the switch. */
  constructor(options: { idBits?: number } = {}) {
    this.idBits = Math.min(24, options.idBits ?? 24);
    this.idLimit = 2 ** this.idBits - 1;
  }
  private mask = (1 << 8) - 1;
  count = 0;

  /** The last `find`'s encoding (length prefix included) and free slot, consumed by `add`. */
  private scratch = new Uint8Array(256);
  private scratchLength = 0;
  private lastSlot = -1;

  /** Bytes held: arena chunks, positions and table. */
  get bytes(): number {
    let arena = 0;
    for (const c of this.chunks) arena += c.byteLength;
    return arena + this.positions.byteLength + this.hashes.byteLength + this.table.byteLength;
  }

  /** The id of the sequence in `buf`, or -1; remembers the encoding so `add` can store it. */
  find(buf: WordBuffer): number {
    const n = buf.length;
    const words = buf.words;
    if (this.scratch.length < n * 5 + 5) this.scratch = new Uint8Array(n * 10 + 5);
    const sc = this.scratch;
    // Words from byte 5 on; the length prefix goes right in front of them once known.
    let len = 5;
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
    const body = len - 5;
    let prefix = 0;
    for (let x = body; ; x >>>= 7) {
      prefix++;
      if (x < 0x80) break;
    }
    let p = 5 - prefix;
    for (let x = body; ; x >>>= 7) {
      sc[p++] = x < 0x80 ? x : (x & 0x7f) | 0x80;
      if (x < 0x80) break;
    }
    const from = 5 - prefix;
    this.scratchStart = from;
    this.scratchLength = len - from;
    const total = len - from;
    const mask = this.mask;
    const table = this.table;
    const wide = this.wide;
    const idBits = this.idBits;
    const idLimit = this.idLimit;
    const tag = h >>> 24;
    this.lastHash = h >>> 0;
    const chunks = this.chunks;
    const positions = this.positions;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const entry = table[i]!;
      if (entry === EMPTY) {
        this.lastSlot = i;
        return -1;
      }
      let id: number;
      if (wide) id = entry - 1;
      else {
        if (entry >>> idBits !== tag) continue;
        id = (entry & idLimit) - 1;
      }
      const at = positions[id]!;
      const chunk = chunks[at >>> CHUNK_BITS]!;
      const start = at & (CHUNK - 1);
      let j = 0;
      while (j < total && chunk[start + j] === sc[from + j]) j++;
      if (j === total) return id;
    }
  }

  private scratchStart = 0;
  private lastHash = 0;

  /** Store the sequence of the last unsuccessful `find` as id `count` (ids are dense, in insertion order). */
  add(): number {
    const id = this.count;
    const len = this.scratchLength;
    if (len > CHUNK) throw new RangeError(`PackedSet: a sequence of ${len} bytes exceeds ${CHUNK}`);
    let chunk = this.chunks[this.chunks.length - 1]!;
    if (this.used + len > chunk.length) {
      if (chunk.length < CHUNK) {
        // The first chunk starts small and doubles up to full size.
        chunk = this.chunks[this.chunks.length - 1] = grown(chunk, Math.min(CHUNK, Math.max(chunk.length * 2, this.used + len)));
      }
      if (this.used + len > chunk.length) {
        if (this.chunks.length === MAX_CHUNKS) throw new RangeError(`PackedSet: more than ${MAX_CHUNKS * CHUNK} bytes`);
        chunk = new Uint8Array(CHUNK);
        this.chunks.push(chunk);
        this.used = 0;
      }
    }
    chunk.set(this.scratch.subarray(this.scratchStart, this.scratchStart + len), this.used);
    if (id === this.positions.length) {
      const n = Math.ceil(id * 1.5) + 16;
      this.positions = grown(this.positions, n);
      this.hashes = grown(this.hashes, n);
    }
    this.positions[id] = (this.chunks.length - 1) * CHUNK + this.used;
    this.hashes[id] = this.lastHash;
    this.used += len;
    this.count++;
    this.table[this.lastSlot] = this.wide ? id + 1 : ((this.lastHash >>> 24) * 2 ** this.idBits + id + 1);
    this.lastSlot = -1;
    if (!this.wide && id + 2 >= this.idLimit) {
      this.wide = true;
      this.grow();
    }
    // Load factor at most 3/4 keeps probe sequences short.
    if (this.count * 4 > (this.mask + 1) * 3) this.grow();
    return id;
  }

  /** Decode sequence `id` into `out` (cleared first). */
  read(id: number, out: WordBuffer): void {
    out.clear();
    const chunk = this.body(id);
    const end = this.bodyEnd;
    let p = this.bodyStart;
    while (p < end) {
      let x = 0;
      let shift = 0;
      let b: number;
      do {
        b = chunk[p++]!;
        x += (b & 0x7f) * 2 ** shift;
        shift += 7;
      } while (b >= 0x80);
      out.push(x);
    }
  }

  private bodyStart = 0;
  private bodyEnd = 0;

  /** The chunk holding sequence `id`; its words' bytes are `bodyStart..bodyEnd` there (after the length prefix). */
  private body(id: number): Uint8Array {
    const at = this.positions[id]!;
    const chunk = this.chunks[at >>> CHUNK_BITS]!;
    let p = at & (CHUNK - 1);
    let length = 0;
    for (let shift = 0; ; shift += 7) {
      const b = chunk[p++]!;
      length += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
    }
    this.bodyStart = p;
    this.bodyEnd = p + length;
    return chunk;
  }

  private grow(): void {
    const size = this.count * 4 > (this.mask + 1) * 3 ? (this.mask + 1) * 2 : this.mask + 1;
    const table = new Uint32Array(size);
    const mask = size - 1;
    const hashes = this.hashes;
    for (let id = 0; id < this.count; id++) {
      const h = hashes[id]!;
      let i = h & mask;
      while (table[i] !== EMPTY) i = (i + 1) & mask;
      table[i] = this.wide ? id + 1 : (h >>> 24) * 2 ** this.idBits + id + 1;
    }
    this.table = table;
    this.mask = mask;
  }
}
