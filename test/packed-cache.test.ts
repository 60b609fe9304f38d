/**
 * The threads' result cache in front of the check tries (src/network/packed/cache.ts): a hit only for the same check,
 * the same code list and the same values of its codes; nothing remembered without a missed lookup before it.
 */
import { describe, expect, test } from 'vitest';
import { CODES_STRIDE, MAX_CODES, ResultCache, addCode } from '../src/network/packed/cache.js';

const C = 4;
/** Node codes (tables.ts): c + 1 reads component c; C + 1 + q·C + c reads projection q of component c. */
const whole = (c: number): number => c + 1;
const projection = (q: number, c: number): number => C + 1 + q * C + c;

describe('ResultCache', () => {
  test('keys on the check, the length of its code list and the values of its codes (projections by value)', () => {
    const codes = new Int32Array(2 * CODES_STRIDE);
    addCode(codes, 0, whole(2), C);
    addCode(codes, 0, projection(1, 3), C);
    addCode(codes, 0, whole(2), C); // already listed
    expect(Array.from(codes.subarray(0, 5))).toEqual([2, 2, -1, 3, 1 * C + 3]);
    const proj: Int32Array[] = [];
    proj[1 * C + 3] = Int32Array.of(1, 1, 2); // component 3's states 0 and 1 project to value 0, state 2 to value 1
    const cache = new ResultCache(4);
    const ids = Int32Array.of(0, 0, 5, 0);
    expect(cache.lookup(0, codes, 0, ids, proj)).toBe(-1);
    cache.remember(7);
    expect(cache.lookup(0, codes, 0, ids, proj)).toBe(7);
    ids[3] = 1; // same projection value
    expect(cache.lookup(0, codes, 0, ids, proj)).toBe(7);
    ids[0] = 9; // a component the check does not read
    expect(cache.lookup(0, codes, 0, ids, proj)).toBe(7);
    ids[3] = 2; // another projection value
    expect(cache.lookup(0, codes, 0, ids, proj)).toBe(-1);
    ids[3] = 0;
    ids[2] = 6; // another state of a component read whole
    expect(cache.lookup(0, codes, 0, ids, proj)).toBe(-1);
    ids[2] = 5;
    expect(cache.lookup(1, codes, 0, ids, proj)).toBe(-1); // another check
    expect(cache.lookup(0, codes, 0, ids, proj)).toBe(7);
    addCode(codes, 0, whole(0), C); // the trie now reads one more code: the old entry is not taken for it
    expect(cache.lookup(0, codes, 0, ids, proj)).toBe(-1);
  });

  test('remembers only after a missed lookup that can be cached', () => {
    const codes = new Int32Array(CODES_STRIDE);
    addCode(codes, 0, projection(0, 1), C);
    const proj: Int32Array[] = [Int32Array.of(0, 0), Int32Array.of(1, 0)]; // projection 0 of component 1: state 1 unknown
    const cache = new ResultCache(4);
    const ids = Int32Array.of(0, 0, 0, 0);
    expect(cache.lookup(3, codes, 0, ids, proj)).toBe(-1);
    cache.remember(1);
    expect(cache.lookup(3, codes, 0, ids, proj)).toBe(1);
    cache.remember(2); // after a hit: nothing to remember
    expect(cache.lookup(3, codes, 0, ids, proj)).toBe(1);
    ids[1] = 1; // projection value not known yet: not cached
    expect(cache.lookup(3, codes, 0, ids, proj)).toBe(-1);
    cache.remember(2);
    ids[1] = 0;
    expect(cache.lookup(3, codes, 0, ids, proj)).toBe(1);
  });

  test('a check reading more than MAX_CODES codes bypasses the cache', () => {
    const codes = new Int32Array(CODES_STRIDE);
    for (let c = 0; c < MAX_CODES + 1; c++) addCode(codes, 0, c < C ? whole(c) : projection(c, 0), C);
    expect(codes[0]).toBe(MAX_CODES + 1);
    const cache = new ResultCache(4);
    const ids = new Int32Array(C);
    const proj: Int32Array[] = [];
    for (let x = 0; x < 16 * C; x++) proj[x] = Int32Array.of(1);
    expect(cache.lookup(0, codes, 0, ids, proj)).toBe(-1);
    cache.remember(1);
    expect(cache.lookup(0, codes, 0, ids, proj)).toBe(-1);
  });
});
