/**
 * Seeded, named random streams for the simulator (pure-rand's xoroshiro128+ underneath).
 *
 * Determinism contract: `streamFor(seed, name)` is a pure function of `(seed, name)`. Two streams made from the
 * same seed and name produce the same sequence of values for the same sequence of calls (integer arithmetic,
 * pure-rand's distributions, IEEE `Math.sqrt`, and V8's `Math.log`, `Math.log1p` and `Math.exp`, fixed fdlibm
 * ports, so results agree across platforms). Streams with different names are independent of each other: drawing
 * from one never shifts another, so adding a consumer of randomness does not perturb the others.
 *
 * Derivation: the name's UTF-8 bytes are hashed with 64-bit FNV-1a; the seed (any safe integer, taken as a 64-bit
 * two's-complement value) is scrambled with the SplitMix64 finaliser and XORed with that hash; SplitMix64 run
 * from the result yields the 128-bit xoroshiro128+ state.
 */
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';

const MASK64 = (1n << 64n) - 1n;
const GOLDEN64 = 0x9e3779b97f4a7c15n;

function mix64(z: bigint): bigint {
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

/** 64-bit FNV-1a over the UTF-8 bytes of `s`. */
export function fnv1a64(s: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(s)) {
    h ^= BigInt(byte);
    h = (h * 0x100000001b3n) & MASK64;
  }
  return h;
}

export class RandomStream {
  readonly name: string;
  private readonly gen: RandomGenerator;

  constructor(name: string, gen: RandomGenerator) {
    this.name = name;
    this.gen = gen;
  }

  /** Uniform in [0, 1), a multiple of 2^-53. */
  nextFloat(): number {
    return uniformFloat64(this.gen);
  }

  /**
   * Exponentially distributed duration with mean `meanNs`, as a positive integer number of nanoseconds:
   * `max(1, round(-meanNs · ln(1 − u)))` with u = `nextFloat()`. The rounding and the floor of 1 ns bias the mean
   * by well under 1 ns for means of a few ns and more.
   */
  exponential(meanNs: number): number {
    if (!(meanNs > 0) || meanNs === Infinity) throw new RangeError(`exponential mean must be a positive finite number, got ${meanNs}`);
    const x = Math.round(-meanNs * Math.log1p(-uniformFloat64(this.gen)));
    return x < 1 ? 1 : x;
  }

  /** Exponentially distributed real number with mean `mean` (> 0, finite): `-mean · ln(1 − u)`. */
  exponentialReal(mean: number): number {
    if (!(mean > 0) || mean === Infinity) throw new RangeError(`exponential mean must be a positive finite number, got ${mean}`);
    return -mean * Math.log1p(-uniformFloat64(this.gen));
  }

  /**
   * Standard normal variate by Marsaglia's polar method: only `Math.log` and `Math.sqrt`, no trigonometry, so the
   * value is the same on every platform. Each call draws fresh pairs (the second variate is not kept), so a
   * stream's sequence depends only on the number of calls.
   */
  normal(): number {
    for (;;) {
      const u = 2 * uniformFloat64(this.gen) - 1;
      const v = 2 * uniformFloat64(this.gen) - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) return u * Math.sqrt((-2 * Math.log(s)) / s);
    }
  }

  /**
   * Lognormal variate with the given mean (> 0) and coefficient of variation cv = sd / mean (≥ 0):
   * exp(μ + σZ) with σ² = ln(1 + cv²) and μ = ln(mean) − σ²/2, Z standard normal. cv 0 returns the mean.
   */
  lognormal(mean: number, cv: number): number {
    if (!(mean > 0) || mean === Infinity) throw new RangeError(`lognormal mean must be a positive finite number, got ${mean}`);
    if (!(cv >= 0) || cv === Infinity) throw new RangeError(`lognormal cv must be a finite number >= 0, got ${cv}`);
    if (cv === 0) return mean;
    const s2 = Math.log1p(cv * cv);
    return Math.exp(Math.log(mean) - s2 / 2 + Math.sqrt(s2) * this.normal());
  }

  /** Uniform integer in [lo, hi], both ends included (unbiased; pure-rand's `uniformInt`). */
  int(lo: number, hi: number): number {
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || lo > hi) {
      throw new RangeError(`int(lo, hi) needs safe integers with lo <= hi, got (${lo}, ${hi})`);
    }
    return uniformInt(this.gen, lo, hi);
  }
}

/** The deterministic stream for `(seed, name)`; see the module comment. `seed` must be a safe integer. */
export function streamFor(seed: number, name: string): RandomStream {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  let x = mix64(BigInt.asUintN(64, BigInt(seed)) ^ 0x5f3759df6a09e667n) ^ fnv1a64(name);
  const words: number[] = [];
  for (let i = 0; i < 2; i++) {
    x = (x + GOLDEN64) & MASK64;
    const z = mix64(x);
    words.push(Number(BigInt.asIntN(32, z >> 32n)), Number(BigInt.asIntN(32, z)));
  }
  // xoroshiro128+ must not start from the all-zero state (SplitMix64 output makes it practically impossible).
  if ((words[0]! | words[1]! | words[2]! | words[3]!) === 0) words[0] = 1;
  return new RandomStream(name, xoroshiro128plusFromState(words));
}
