/**
 * The random streams of `check --random`: one xoroshiro128+ generator (pure-rand) per walk, derived from the run's
 * seed and the walk's index alone. A walk therefore draws the same numbers whichever worker, shard or chunk runs it,
 * which is what makes a run deterministic for a seed and independent of `--workers` and `--shard`.
 *
 * Derivation: the seed (a safe integer: 53 bits, split into two 32-bit halves) and the walk index likewise are mixed
 * by murmur3's 32-bit finaliser into the four 32-bit words of xoroshiro128+'s state. Integer arithmetic only
 * (Math.imul), so every platform derives the same state; cheaper than BigInt SplitMix64 per walk, which matters for
 * walks of 20 steps.
 */
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/** murmur3's fmix32: a bijection on 32-bit integers whose every output bit depends on every input bit. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

const hi32 = (n: number): number => Math.floor(n / 0x1_0000_0000) | 0;
const lo32 = (n: number): number => n % 0x1_0000_0000 | 0;

/** The generator of walk `walk` of a run with seed `seed` (both non-negative safe integers). */
export function walkGenerator(seed: number, walk: number): RandomGenerator {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative safe integer, got ${seed}`);
  if (!Number.isSafeInteger(walk) || walk < 0) throw new RangeError(`walk index must be a non-negative safe integer, got ${walk}`);
  const a = lo32(seed);
  const b = hi32(seed);
  const c = lo32(walk);
  const d = hi32(walk);
  // Four distinct mixes of all four inputs; the constants keep the words apart when inputs coincide.
  let h = fmix32(a ^ 0x9e3779b9);
  h = fmix32(h ^ b ^ 0x7f4a7c15);
  h = fmix32(h ^ c ^ 0x243f6a88);
  h = fmix32(h ^ d ^ 0x85a308d3);
  const words = [h, fmix32(h ^ 0x13198a2e), fmix32(h ^ 0x03707344), fmix32(h ^ 0x299f31d0)];
  // xoroshiro128+ must not start from the all-zero state.
  if ((words[0]! | words[1]! | words[2]! | words[3]!) === 0) words[0] = 1;
  return xoroshiro128plusFromState(words);
}

/** FNV-1a over the UTF-16 code units of `s`, 32 bits: names an action kind for the swarm's choice. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h | 0;
}
