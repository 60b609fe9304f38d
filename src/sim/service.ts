/**
 * Service times: what one calibrated demand key costs a core. A cost is deterministic (a plain number of ns, as
 * every profile had before distributions existed) or drawn, per job, from a distribution with a given mean:
 *
 * - `exponential`: the memoryless service of M/M/1 and of LQN solvers' default phases (cv = 1);
 * - `lognormal` with a coefficient of variation `cv` = sd / mean: a general, right-skewed cost — cv < 1 for the
 *   modest jitter of a code path, cv > 1 for a heavy tail (cache misses, preemption).
 *
 * Draws come from the caller's stream (the simulator keeps one per component, `work:<id>`), so a run stays a pure
 * function of its seed, and a component's draws do not shift when another component starts drawing.
 */
import type { RandomStream } from './rng.js';

export type ServiceTime =
  | number
  | { readonly distribution: 'deterministic'; readonly meanNs: number }
  | { readonly distribution: 'exponential'; readonly meanNs: number }
  | { readonly distribution: 'lognormal'; readonly meanNs: number; readonly cv: number };

export const SERVICE_DISTRIBUTIONS = ['deterministic', 'exponential', 'lognormal'] as const;
export type ServiceDistribution = (typeof SERVICE_DISTRIBUTIONS)[number];

const finiteAtLeast0 = (x: unknown): x is number => typeof x === 'number' && x >= 0 && x !== Infinity;

/** Why `s` is not a usable service time, or undefined when it is. */
export function serviceTimeProblem(s: unknown): string | undefined {
  if (typeof s === 'number') return finiteAtLeast0(s) ? undefined : `no calibrated cost (got ${String(s)})`;
  if (s === null || typeof s !== 'object') return `no calibrated cost (got ${String(s)})`;
  const o = s as { distribution?: unknown; meanNs?: unknown; cv?: unknown };
  if (!finiteAtLeast0(o.meanNs)) return `meanNs must be a finite number >= 0 (got ${String(o.meanNs)})`;
  switch (o.distribution) {
    case 'deterministic':
      return undefined;
    case 'exponential':
      return undefined;
    case 'lognormal':
      return finiteAtLeast0(o.cv) ? undefined : `lognormal cv must be a finite number >= 0 (got ${String(o.cv)})`;
    default:
      return `unknown distribution ${JSON.stringify(o.distribution)} (one of ${SERVICE_DISTRIBUTIONS.join(', ')})`;
  }
}

export const meanOf = (s: ServiceTime): number => (typeof s === 'number' ? s : s.meanNs);

/** Whether a draw needs randomness (a mean of 0 never does). */
export const isRandom = (s: ServiceTime): boolean =>
  typeof s !== 'number' && s.meanNs > 0 && (s.distribution === 'exponential' || (s.distribution === 'lognormal' && s.cv > 0));

/** One draw, in (unrounded) ns. `stream` is only read for a random service time. */
export function draw(s: ServiceTime, stream: RandomStream | undefined): number {
  if (typeof s === 'number') return s;
  if (!isRandom(s)) return s.meanNs;
  if (stream === undefined) throw new Error('a random service time needs a random stream');
  return s.distribution === 'exponential' ? stream.exponentialReal(s.meanNs) : stream.lognormal(s.meanNs, (s as { cv: number }).cv);
}
