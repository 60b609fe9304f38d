/**
 * `--json` numbers are rounded to what they can mean (issue 13 item 6): no `"seconds": 0.19215792499999998`.
 * Timings to the millisecond, probabilities and simulated figures to a few significant digits; integers untouched.
 * Each command's JSON is scanned for a number written with more digits than that.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { significant, wallSeconds } from '../src/api/round.js';
import { run } from './cli-run.js';

const dir = mkdtempSync(join(tmpdir(), 'vnicspec-rounding-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every number token of a JSON text whose digits (without sign, point, leading zeros or exponent) exceed `max`. */
function overlong(json: string, max = 9): string[] {
  return [...json.matchAll(/-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/g)]
    .map((m) => m[0])
    .filter((n) => n.includes('.') || /e/i.test(n))
    .filter((n) => n.replace(/^-/, '').replace(/[eE].*$/, '').replace('.', '').replace(/^0+/, '').length > max);
}

describe('significant and wallSeconds', () => {
  test('float noise goes, integers and the integer part stay', () => {
    expect(wallSeconds(0.19215792499999998)).toBe(0.192);
    expect(significant(0.00249376559)).toBe(0.00249377);
    expect(significant(83333.3333)).toBe(83333.3);
    expect(significant(1234567.5)).toBe(1234568);
    expect(significant(949.7500000000001)).toBe(949.75);
    expect(significant(7.127370959050805e-12, 3)).toBe(7.13e-12);
    expect(significant(2 ** 53 - 1)).toBe(2 ** 53 - 1);
    expect(significant(-0.0592631033)).toBe(-0.0592631);
    expect(Number.isNaN(significant(Number.NaN))).toBe(true);
  });
});

describe('--json output has no overlong numbers', () => {
  test.each([
    ['check (safety and liveness)', ['check', '--json']],
    ['check --fingerprint', ['check', '--fingerprint', '--no-liveness', '--json']],
    ['check --random', ['check', '--random', '--arch', 'xen-idd', '--traces', '50', '--json']],
    ['simulate --compare', ['simulate', '--scenario', 'httperf-2vm', '--duration', '0.1', '--warmup', '0.02', '--compare', '--json']],
  ])('%s', async (_, argv) => {
    const r = await run(...argv);
    expect([0, 1]).toContain(r.code);
    JSON.parse(r.out);
    expect(overlong(r.out)).toEqual([]);
  });

  test('sweep', async () => {
    const r = await run('sweep', '--scenario', 'httperf-2vm', '--rates', '500', '--duration', '0.1', '--warmup', '0.02', '--seeds', '2', '--out', join(dir, 'sweep'), '--json', '--no-progress');
    expect(r.code).toBe(0);
    expect(overlong(r.out, 6)).toEqual([]);
  });
});
