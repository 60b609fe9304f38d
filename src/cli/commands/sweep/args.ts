/** Parsers for the sweep's own flags (the shared ones are in ../options.ts). */
import { UsageError } from '../command.js';
import { invalid, listFlag, rangeFlag, type Bound } from '../options.js';
import type { Shard } from './plan.js';

/** At most this many rates in one sweep: a typo like 0:1e6:1 should be an error, not a week of computing. */
export const MAX_RATES = 10_000;
export const MAX_RUNS = 1_000_000;

/** An offered rate: 0 (no such streams) or what a scenario's stream rate may be. */
export const RATE_BOUND: Bound = { zero: true, min: 1e-6, max: 1e9, unit: 'per second', why: 'a stream rate; 0 removes the varied streams' };

/**
 * `FROM:TO:STEP` (both ends included when TO lies on the grid) or `R1,R2,...`, in the project's number grammar.
 * Grid values are rounded to 12 significant digits (0:1:0.1 gives 0.3, not 0.30000000000000004).
 */
export function parseRates(flag: string): (value: string) => number[] {
  const range = rangeFlag(flag, RATE_BOUND, MAX_RATES);
  const list = listFlag(flag, RATE_BOUND, MAX_RATES);
  return (value) => {
    const rates = (value.includes(':') ? range(value) : list(value)).map((r) => Number(r.toPrecision(12)));
    if (new Set(rates).size !== rates.length) throw invalid(flag, 'lists a rate twice', value);
    return rates;
  };
}

/** `a,b` from a fixed set, each once, in the order given. */
export function parseList<T extends string>(flag: string, allowed: readonly T[]): (value: string) => T[] {
  return (value) => {
    const items = value.split(',').map((s) => s.trim());
    const out: T[] = [];
    for (const item of items) {
      const hit = allowed.find((a) => a === item);
      if (hit === undefined) throw invalid(flag, `each must be one of ${allowed.join(', ')}`, value);
      if (out.includes(hit)) throw invalid(flag, `lists '${hit}' twice`, value);
      out.push(hit);
    }
    return out;
  };
}

/** `I/N`: shard I (1-based) of N. */
export function parseShard(flag: string): (value: string) => Shard {
  return (value) => {
    const m = /^\s*([0-9]+)\s*\/\s*([0-9]+)\s*$/.exec(value);
    const index = m ? Number(m[1]) : Number.NaN;
    const count = m ? Number(m[2]) : Number.NaN;
    if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count) || count < 1 || index < 1 || index > count || count > MAX_RUNS) {
      throw invalid(flag, 'must be I/N with 1 <= I <= N (shard I of N), e.g. 2/4', value);
    }
    return { index, count };
  };
}

export function checkRunCount(runs: number): void {
  if (runs > MAX_RUNS) throw new UsageError(`this sweep has ${runs} runs (rates x archs x cores x seeds); at most ${MAX_RUNS}`);
}
