/**
 * The explorer's generic data structures, checked against plain JavaScript models on random inputs:
 * `PairMap` against a `Map` keyed by the pair, `PackedSet` against a `Map` keyed by the words' JSON, `HashCons`
 * against structural equality (equal subtrees must become one object, different ones must stay apart).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { grown } from '../src/util/grown.js';
import { HashCons } from '../src/util/hash-cons.js';
import { PackedSet, WordBuffer } from '../src/util/packed-set.js';
import { PairMap } from '../src/util/pair-map.js';

const INT32_MAX = 2 ** 31 - 1;
const UINT32_MAX = 2 ** 32 - 1;

// ---------------------------------------------------------------------------------------------------------------
// PairMap
// ---------------------------------------------------------------------------------------------------------------

/** Keys: mostly small (many collisions of one coordinate), some large up to 2^31 - 1, and the boundaries. */
const pairKey = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 40 }), weight: 4 },
  { arbitrary: fc.integer({ min: 0, max: INT32_MAX }), weight: 3 },
  { arbitrary: fc.constantFrom(0, 1, 2 ** 16, 2 ** 24, 2 ** 30, INT32_MAX - 1, INT32_MAX), weight: 1 },
);

describe('PairMap', () => {
  it('an empty map has nothing, (0, 0) included', () => {
    const m = new PairMap();
    expect(m.size).toBe(0);
    expect(m.get(0, 0)).toBe(-1);
    expect(m.get(INT32_MAX, INT32_MAX)).toBe(-1);
  });

  it('indexes pairs 0, 1, 2, … in insertion order; (0, 0) is a key; (a, b) and (b, a) are different keys', () => {
    const m = new PairMap(1);
    expect(m.add(0, 0)).toBe(0);
    expect(m.add(1, 2)).toBe(1);
    expect(m.get(0, 0)).toBe(0);
    expect(m.get(1, 2)).toBe(1);
    expect(m.get(2, 1)).toBe(-1);
    expect(m.add(2, 1)).toBe(2);
    expect(m.get(1, 2)).toBe(1);
    expect(m.get(2, 1)).toBe(2);
    expect(m.add(INT32_MAX, INT32_MAX)).toBe(3);
    expect(m.get(INT32_MAX, INT32_MAX)).toBe(3);
    expect(m.get(INT32_MAX, INT32_MAX - 1)).toBe(-1);
    expect(m.size).toBe(4);
  });

  it('agrees with a Map on random adds and lookups, across growth of the columns and the table', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100 }),
        fc.array(fc.tuple(pairKey, pairKey), { maxLength: 5000, size: 'max' }),
        fc.array(fc.tuple(pairKey, pairKey), { maxLength: 50 }),
        (capacity, entries, probes) => {
          const m = new PairMap(capacity);
          const model = new Map<string, number>();
          let bytes = m.bytes;
          for (const [a, b] of entries) {
            const k = `${a},${b}`;
            const known = model.get(k);
            // (Plain comparisons first: `expect` per operation would dominate the runtime.)
            if (m.get(a, b) !== (known ?? -1)) expect(m.get(a, b), `get(${a}, ${b})`).toBe(known ?? -1);
            if (known === undefined) {
              const index = m.add(a, b);
              if (index !== model.size) expect(index, `add(${a}, ${b})`).toBe(model.size);
              model.set(k, index);
              if (m.get(a, b) !== index) expect(m.get(a, b), `get(${a}, ${b}) just after add`).toBe(index);
            }
            if (m.size !== model.size) expect(m.size).toBe(model.size);
            if (m.bytes < bytes) expect(m.bytes, 'bytes never shrink').toBeGreaterThanOrEqual(bytes);
            bytes = m.bytes;
          }
          // Everything added is still there after all the growth, with its own index.
          for (const [k, index] of model) {
            const [a, b] = k.split(',').map(Number) as [number, number];
            if (m.get(a, b) !== index) expect(m.get(a, b), `get(${a}, ${b}) at the end`).toBe(index);
          }
          expect(m.size).toBe(model.size);
          for (const [a, b] of probes) expect(m.get(a, b)).toBe(model.get(`${a},${b}`) ?? -1);
        },
      ),
      { numRuns: 40, seed: 20240601, interruptAfterTimeLimit: 10_000 },
    );
  });

  it('a dense grid of pairs survives many growths', () => {
    const m = new PairMap(0);
    const bytes0 = m.bytes;
    const wrong: string[] = [];
    for (let a = 0; a < 100; a++) for (let b = 0; b < 100; b++) if (m.add(a, b) !== a * 100 + b) wrong.push(`add(${a}, ${b})`);
    expect(m.size).toBe(10_000);
    for (let a = 0; a < 100; a++) for (let b = 0; b < 100; b++) if (m.get(a, b) !== a * 100 + b) wrong.push(`(${a}, ${b}) → ${m.get(a, b)}`);
    expect(wrong).toEqual([]);
    expect(m.get(100, 0)).toBe(-1);
    expect(m.get(0, 100)).toBe(-1);
    // At least the two int32 key columns.
    expect(m.bytes).toBeGreaterThanOrEqual(10_000 * 8);
    expect(m.bytes).toBeGreaterThan(bytes0);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// PackedSet and WordBuffer
// ---------------------------------------------------------------------------------------------------------------

function fill(buf: WordBuffer, words: readonly number[]): WordBuffer {
  buf.clear();
  for (const w of words) buf.push(w);
  return buf;
}

const wordsOf = (buf: WordBuffer): number[] => Array.from(buf.words.subarray(0, buf.length));

/** Words around every varint byte boundary, plus 0 and 2^32 - 1. */
const word = fc.oneof(
  { arbitrary: fc.constantFrom(0, 1, 127, 128, 255, 16383, 16384, 2 ** 21 - 1, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 2 ** 31, UINT32_MAX), weight: 3 },
  { arbitrary: fc.integer({ min: 0, max: 300 }), weight: 3 },
  { arbitrary: fc.integer({ min: 0, max: UINT32_MAX }), weight: 2 },
);

/**
 * A workload of word sequences with many repeats and prefixes: a few base arrays, and each op takes a prefix of
 * one (the empty array included), sometimes with extra words appended.
 */
const sequences = fc
  .tuple(fc.array(fc.array(word, { maxLength: 12 }), { minLength: 1, maxLength: 8 }), fc.array(fc.tuple(fc.nat(), fc.nat(), fc.array(word, { maxLength: 2 })), { maxLength: 300, size: 'large' }))
  .map(([bases, ops]) =>
    ops.map(([i, len, extra]) => {
      const base = bases[i % bases.length]!;
      return [...base.slice(0, len % (base.length + 1)), ...extra];
    }),
  );

describe('grown', () => {
  it('returns a longer array of the same kind: the old elements, then the fill value', () => {
    const a = Int32Array.of(-1, 2, 3);
    const b = grown(a, 5, 7);
    expect(b).toBeInstanceOf(Int32Array);
    expect([...b]).toEqual([-1, 2, 3, 7, 7]);
    expect(b.buffer).not.toBe(a.buffer);
    const u = grown(Uint8Array.of(255), 3);
    expect(u).toBeInstanceOf(Uint8Array);
    expect([...u]).toEqual([255, 0, 0]);
    expect([...grown(Float64Array.of(0.5), 2)]).toEqual([0.5, 0]);
  });

  it('refuses to shrink', () => {
    expect(() => grown(new Uint32Array(4), 3)).toThrow(RangeError);
  });
});

describe('WordBuffer', () => {
  it('grows past its initial 64 words and keeps them', () => {
    const buf = new WordBuffer();
    const words = Array.from({ length: 1000 }, (_, i) => (i * 2654435761) >>> 0);
    fill(buf, words);
    expect(buf.length).toBe(1000);
    expect(wordsOf(buf)).toEqual(words);
    buf.clear();
    expect(buf.length).toBe(0);
  });
});

/**
 * A PackedSet checked against a Map keyed by JSON: `offer` finds a sequence, adds it when new (ids must be dense and
 * the sequence then found) and returns what `find` said. (Plain comparisons first: `expect` per operation would
 * dominate the runtime.)
 */
class AgainstMap {
  private readonly model = new Map<string, number>();
  readonly added: number[][] = [];
  private readonly buf = new WordBuffer();

  constructor(private readonly set: PackedSet) {}

  offer(seq: number[]): number {
    const k = JSON.stringify(seq);
    const id = this.set.find(fill(this.buf, seq));
    const expected = this.model.get(k) ?? -1;
    if (id !== expected) expect(id, `find(${k})`).toBe(expected);
    if (id === -1) {
      const added = this.set.add();
      if (added !== this.added.length) expect(added, `add() of ${k}`).toBe(this.added.length);
      this.model.set(k, this.added.length);
      this.added.push(seq);
      // Now found, without changing anything.
      const again = this.set.find(this.buf);
      if (again !== added) expect(again, `find(${k}) after add`).toBe(added);
    }
    return id;
  }
}

describe('PackedSet', () => {
  it('an empty sequence is a state like any other', () => {
    const set = new PackedSet();
    const buf = new WordBuffer();
    expect(set.find(buf)).toBe(-1);
    expect(set.add()).toBe(0);
    expect(set.find(buf)).toBe(0);
    fill(buf, [0]);
    expect(set.find(buf)).toBe(-1);
    expect(set.add()).toBe(1);
    const out = fill(new WordBuffer(), [5, 6, 7]);
    set.read(0, out);
    expect(wordsOf(out)).toEqual([]);
    set.read(1, out);
    expect(wordsOf(out)).toEqual([0]);
    expect(set.count).toBe(2);
  });

  it('find without add stores nothing', () => {
    const set = new PackedSet();
    const buf = fill(new WordBuffer(), [1, 2, 3]);
    expect(set.find(buf)).toBe(-1);
    expect(set.find(buf)).toBe(-1);
    expect(set.count).toBe(0);
    fill(buf, [4]);
    expect(set.find(buf)).toBe(-1);
    // add stores the *last* unsuccessful find.
    expect(set.add()).toBe(0);
    fill(buf, [1, 2, 3]);
    expect(set.find(buf)).toBe(-1);
    fill(buf, [4]);
    expect(set.find(buf)).toBe(0);
  });

  it('only the first `length` words of the buffer count', () => {
    const set = new PackedSet();
    const buf = fill(new WordBuffer(), [9, 9, 9, 9]);
    fill(buf, [9, 9]); // words[2..3] still hold 9s
    expect(set.find(buf)).toBe(-1);
    expect(set.add()).toBe(0);
    expect(set.find(fill(new WordBuffer(), [9, 9]))).toBe(0);
    expect(set.find(fill(new WordBuffer(), [9, 9, 9, 9]))).toBe(-1);
  });

  it('agrees with a Map keyed by JSON; read(id) gives back exactly the words; ids are dense', () => {
    fc.assert(
      fc.property(sequences, (seqs) => {
        const set = new PackedSet();
        const ref = new AgainstMap(set);
        const added = ref.added;
        const out = new WordBuffer();
        for (const seq of seqs) {
          const id = ref.offer(seq);
          if (set.count !== added.length) expect(set.count).toBe(added.length);
          if (id >= 0) {
            set.read(id, out);
            if (JSON.stringify(wordsOf(out)) !== JSON.stringify(seq)) expect(wordsOf(out), `read(${id})`).toEqual(seq);
          }
        }
        added.forEach((seq, id) => {
          set.read(id, out);
          if (JSON.stringify(wordsOf(out)) !== JSON.stringify(seq)) expect(wordsOf(out), `read(${id}) at the end`).toEqual(seq);
        });
      }),
      { numRuns: 150, seed: 424242, interruptAfterTimeLimit: 10_000 },
    );
  });

  // idBits 8: past 254 ids the table drops its hash tags and is rebuilt 'wide' (as a real set does past 2^24 - 2).
  it.each([24, 8])('survives growth of arena, positions, table and scratch (thousands of states, long sequences; idBits %i)', (idBits) => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: UINT32_MAX }), fc.integer({ min: 2000, max: 6000 }), (seed, n) => {
        let x = seed >>> 0 || 1;
        const rand = (): number => {
          // xorshift32
          x ^= x << 13;
          x >>>= 0;
          x ^= x >>> 17;
          x ^= x << 5;
          x >>>= 0;
          return x;
        };
        const special = [0, 127, 128, 16384, 2 ** 28, UINT32_MAX];
        const seqs: number[][] = [];
        for (let i = 0; i < n; i++) {
          // Every 500th sequence is long (> 256 scratch bytes); the others short, often sharing a prefix with the previous.
          const len = i % 500 === 7 ? 300 + (rand() % 400) : rand() % 8;
          const prev = seqs[seqs.length - 1] ?? [];
          const seq = rand() % 3 === 0 ? prev.slice(0, rand() % (prev.length + 1)) : [];
          while (seq.length < len) {
            const r = rand();
            seq.push(r % 4 === 0 ? special[r % special.length]! : r % 4 === 1 ? r : r % 4 === 2 ? r % 1000 : r % 130);
          }
          seqs.push(seq);
        }
        const set = new PackedSet({ idBits });
        const ref = new AgainstMap(set);
        const added = ref.added;
        const bytes0 = set.bytes;
        let lastBytes = bytes0;
        for (const seq of seqs) {
          ref.offer(seq);
          if (set.bytes < lastBytes) expect(set.bytes).toBeGreaterThanOrEqual(lastBytes);
          lastBytes = set.bytes;
        }
        expect(set.count).toBe(added.length);
        expect(added.length).toBeGreaterThan(1500);
        // Growth shows in the bytes held.
        expect(set.bytes).toBeGreaterThan(bytes0);
        const out = new WordBuffer();
        for (let id = 0; id < added.length; id++) {
          set.read(id, out);
          const seq = added[id]!;
          if (JSON.stringify(wordsOf(out)) !== JSON.stringify(seq)) expect(wordsOf(out), `read(${id})`).toEqual(seq);
          const again = set.find(fill(out, seq));
          if (again !== id) expect(again, `find of state ${id} at the end`).toBe(id);
        }
      }),
      { numRuns: 4, seed: 7, interruptAfterTimeLimit: 10_000 },
    );
  });

  it('stores sequences across arena chunks (more than 1 MiB in all) and reads them back', () => {
    const set = new PackedSet();
    const buf = new WordBuffer();
    const out = new WordBuffer();
    const seqs: number[][] = [];
    // 5 bytes per word: 14 sequences of 20,000 words are about 1.4 MB, interleaved with short ones.
    for (let i = 0; i < 14; i++) {
      seqs.push(Array.from({ length: 20_000 }, (_, j) => (UINT32_MAX - i - j) >>> 0));
      seqs.push([i, 128 + i]);
    }
    seqs.forEach((seq, id) => {
      expect(set.find(fill(buf, seq))).toBe(-1);
      expect(set.add()).toBe(id);
    });
    expect(set.bytes).toBeGreaterThan(14 * 20_000 * 5);
    seqs.forEach((seq, id) => {
      expect(set.find(fill(buf, seq))).toBe(id);
      set.read(id, out);
      const words = wordsOf(out);
      expect(words.length).toBe(seq.length);
      expect(JSON.stringify(words) === JSON.stringify(seq)).toBe(true);
    });
    // A sequence differing only in its last word is another one.
    const last = [...seqs[26]!];
    last[last.length - 1] = 0;
    expect(set.find(fill(buf, last))).toBe(-1);
  });

  it('distinguishes sequences whose varint bytes would concatenate alike', () => {
    // [128] is bytes 80 01; [0, 1] is 00 01; [16384] is 80 80 01; [128, 1] vs [1, 128] etc.
    const seqs = [[128], [0, 1], [16384], [128, 0], [0, 128], [1, 128], [128, 1], [UINT32_MAX], [UINT32_MAX, 0], [0, UINT32_MAX], [127], [127, 1]];
    const set = new PackedSet();
    const buf = new WordBuffer();
    seqs.forEach((s, i) => {
      expect(set.find(fill(buf, s))).toBe(-1);
      expect(set.add()).toBe(i);
    });
    const out = new WordBuffer();
    seqs.forEach((s, i) => {
      expect(set.find(fill(buf, s))).toBe(i);
      set.read(i, out);
      expect(wordsOf(out)).toEqual(s);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// HashCons
// ---------------------------------------------------------------------------------------------------------------

/**
 * A structural signature that tells apart everything `HashCons` must keep apart: field order and names, primitive
 * types (1 vs "1"), undefined-valued fields vs absent ones, arrays vs objects.
 */
function sig(x: unknown): string {
  if (x === undefined) return 'u';
  if (x === null || typeof x !== 'object') return `${typeof x}:${JSON.stringify(x)}`;
  if (Array.isArray(x)) return `[${x.map(sig).join(',')}]`;
  const o = x as Record<string, unknown>;
  return `{${Object.keys(o)
    .map((k) => `${JSON.stringify(k)}:${sig(o[k])}`)
    .join(',')}}`;
}

/** Every object and array strictly below the root. */
function innerNodes(root: unknown): object[] {
  const nodes: object[] = [];
  const walk = (x: unknown, top: boolean): void => {
    if (x === null || typeof x !== 'object') return;
    if (!top) nodes.push(x);
    for (const c of Array.isArray(x) ? x : Object.values(x)) walk(c, false);
  };
  walk(root, true);
  return nodes;
}

/** JSON-like values: few field names and small leaves, so that equal subtrees are common. No NaN, no -0. */
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('leaf'), tie('arr'), tie('obj')),
  leaf: fc.oneof(
    fc.integer({ min: -2, max: 3 }),
    fc.constantFrom('1', '', 'a', 'true', 'null'),
    fc.boolean(),
    fc.constant(null),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
  ),
  arr: fc.array(tie('tree'), { maxLength: 4 }),
  obj: fc.dictionary(fc.constantFrom('a', 'b', 'c', 'type', 'value'), fc.option(tie('tree'), { nil: undefined, freq: 4 }), {
    maxKeys: 4,
    noNullPrototype: true,
  }),
}));

describe('HashCons', () => {
  it('top(v) equals v, keeps undefined fields as fields, and copies the root', () => {
    fc.assert(
      fc.property(tree, (v) => {
        const h = new HashCons();
        const t = h.top(v);
        expect(sig(t)).toBe(sig(v));
        expect(t).toStrictEqual(v);
        if (v !== null && typeof v === 'object') expect(t).not.toBe(v);
        else expect(t).toBe(v);
      }),
      { numRuns: 300, seed: 1234, interruptAfterTimeLimit: 10_000 },
    );
  });

  it('structurally equal subtrees, within and across calls, become one object; different ones stay apart', () => {
    fc.assert(
      fc.property(fc.array(tree, { minLength: 1, maxLength: 6 }), tree, (roots, shared) => {
        const h = new HashCons();
        // Plant independent copies of one subtree into two extra roots, at different depths.
        const inputs: unknown[] = [...roots, { a: structuredClone(shared) }, [1, { b: [structuredClone(shared)] }]];
        const outs = inputs.map((r) => h.top(r));
        outs.forEach((t, i) => expect(sig(t)).toBe(sig(inputs[i])));
        const bySig = new Map<string, object>();
        for (const t of outs) {
          for (const node of innerNodes(t)) {
            const s = sig(node);
            const first = bySig.get(s);
            if (first === undefined) bySig.set(s, node);
            else expect(node).toBe(first);
          }
        }
        // Distinct nodes held: one per distinct inner subtree.
        expect(h.size).toBe(bySig.size);
        const a = (outs[outs.length - 2] as { a: unknown }).a;
        const b = (outs[outs.length - 1] as [number, { b: unknown[] }])[1].b[0];
        expect(b).toStrictEqual(shared);
        if (shared !== null && typeof shared === 'object') expect(b).toBe(a);
      }),
      { numRuns: 200, seed: 99, interruptAfterTimeLimit: 10_000 },
    );
  });

  it('does not merge values that differ only in a primitive type', () => {
    const h = new HashCons();
    const pairs: [unknown, unknown][] = [
      [1, '1'],
      [true, 'true'],
      [null, 'null'],
      [null, undefined],
      [0, false],
      ['', null],
    ];
    for (const [x, y] of pairs) {
      const t1 = h.top({ p: { v: x }, q: [x] });
      const t2 = h.top({ p: { v: y }, q: [y] });
      expect(t1.p).not.toBe(t2.p);
      expect(t1.q).not.toBe(t2.q);
      expect(t1.p.v).toBe(x);
      expect(t2.p.v).toBe(y);
      expect(t1.q[0]).toBe(x);
      expect(t2.q[0]).toBe(y);
    }
  });

  it('keeps undefined-valued fields as fields, distinct from absent ones', () => {
    const h = new HashCons();
    const t1 = h.top({ p: { x: undefined, y: 1 } });
    const t2 = h.top({ p: { y: 1 } });
    const t3 = h.top({ p: { x: undefined, y: 1 } });
    expect(Object.keys(t1.p)).toEqual(['x', 'y']);
    expect(Object.keys(t2.p)).toEqual(['y']);
    expect(t1.p).not.toBe(t2.p);
    expect(t3.p).toBe(t1.p);
    const t4 = h.top([{ z: undefined }]);
    expect(Object.keys(t4[0]!)).toEqual(['z']);
  });

  it('does not merge objects whose field names contain the key separators', () => {
    const h = new HashCons();
    const t = h.top({ p: { a: 1, b: 2 }, q: { 'a:1,b': 2 }, r: { 'a=1,': 2 }, s: { a: '1,1:b=2' }, u: { '1:a': 1, b: 2 } });
    expect(Object.keys(t.q)).toEqual(['a:1,b']);
    expect(t).toStrictEqual({ p: { a: 1, b: 2 }, q: { 'a:1,b': 2 }, r: { 'a=1,': 2 }, s: { a: '1,1:b=2' }, u: { '1:a': 1, b: 2 } });
    expect(h.size).toBe(5);
  });

  it('shares a sub-object that is passed again by reference', () => {
    const h = new HashCons();
    const sub = { k: [1, 2] };
    const t1 = h.top({ p: sub });
    const t2 = h.top({ q: sub });
    const t3 = h.top({ r: { k: [1, 2] } });
    expect(t3.r).toBe(t1.p);
    expect(t2.q).toBe(t1.p);
    expect(t3.r.k).toBe(t1.p.k);
  });

  it('an object whose children are all canonical already becomes the node itself; the root is still copied', () => {
    const h = new HashCons();
    const leaf = { a: 1, b: 'x' };
    const arr = [1, 'two', null, true];
    const root = { leaf, arr };
    const t = h.top(root);
    expect(t).not.toBe(root);
    expect(t.leaf).toBe(leaf);
    expect(t.arr).toBe(arr);
    // A parent of canonical nodes is canonical too.
    const parent = { inner: leaf, list: arr };
    expect(h.top({ parent }).parent).toBe(parent);
    // An equal copy gives the node, not itself.
    const copy = { a: 1, b: 'x' };
    expect(h.top({ copy }).copy).toBe(leaf);
  });

  // Regression: a field named "__proto__" (which JSON.parse creates as an own field) assigned with `out[k] = …` sets
  // the prototype instead, so the field disappeared whenever the object was rebuilt (and always at the root).
  it('keeps an own "__proto__" field', () => {
    const h = new HashCons();
    const q = JSON.parse('{"__proto__": [1], "y": 2}') as Record<string, unknown>;
    // [1] has been seen before, so q's child changes and q is rebuilt.
    const t = h.top({ p: [1], q });
    expect(Object.keys(t.q)).toEqual(['__proto__', 'y']);
    expect(Object.keys(h.top(JSON.parse('{"__proto__": 5}') as object))).toEqual(['__proto__']);
  });
});
