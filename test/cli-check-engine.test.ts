/**
 * `check`'s engine flags: --fingerprint reports TLC's collision estimate with the same counts, --workers changes
 * nothing in the results, --fingerprint with --symmetry is refused.
 */
import { describe, expect, test } from 'vitest';
import { run, expectOneLineError } from './cli-run.js';

const json = async (...argv: string[]): Promise<Record<string, unknown>> => JSON.parse((await run('check', ...argv, '--json')).out) as Record<string, unknown>;

describe('check --fingerprint', () => {
  test('the same states and transitions, and the estimated probability of a collision', async () => {
    const exact = await json();
    const fp = await json('--fingerprint');
    expect(fp['states']).toBe(exact['states']);
    expect(fp['transitions']).toBe(exact['transitions']);
    expect(exact['fingerprintCollision']).toBeNull();
    const states = fp['states'] as number;
    const generated = (fp['transitions'] as number) + 1;
    // --json gives the estimate to three significant digits.
    expect(fp['fingerprintCollision']).toBe(Number(((states * (generated - states)) / 2 ** 64).toPrecision(3)));
    expect((fp['search'] as { fingerprint: boolean }).fingerprint).toBe(true);
    const text = (await run('check', '--fingerprint', '--no-progress')).out;
    expect(text).toContain('fingerprints (64-bit) instead of states');
    expect(text).toMatch(/calculated \(optimistic\): [\d.]+E-\d+/);
  });

  test('not with --symmetry', async () => {
    expectOneLineError(await run('check', '--fingerprint', '--symmetry', '--vms', '3', '--arch', 'xen-idd'), { pattern: /--fingerprint and --symmetry exclude each other/ });
  });
});

/** The report without its timings (named as timings: wall clock, rate, resident memory, the search's own block). */
function untimed(report: Record<string, unknown>): Record<string, unknown> {
  const { seconds: _a, statesPerSecond: _b, rssBytes: _c, search: _d, liveness, ...rest } = report;
  const { seconds: _e, graphSeconds: _f, ...live } = (liveness ?? {}) as Record<string, unknown>;
  return { ...rest, liveness: live };
}

test('--workers changes nothing but the threads (small searches stay on one thread)', async () => {
  const one = await json('--workers', '1', '--arch', 'mixed');
  const two = await json('--workers', '2', '--arch', 'mixed');
  expect(untimed(two)).toEqual(untimed(one));
  expect(two['workers']).toBe(1); // 27,724 states: below the 65,536 at which the workers take over
});
