/** The one number grammar (src/util/number-grammar.ts): flags and file fields accept the same spellings and say the same thing. */
import fc from 'fast-check';
import { describe, expect, it, test } from 'vitest';
import { z } from 'zod';
import { parseList, parseNumber, parseRange, parseSize, zNumber, type Bound } from '../src/util/number-grammar.js';
import { parseJsonText } from '../src/util/json-text.js';

const SECONDS: Bound = { min: 1e-9, max: 9007199, unit: 'seconds', why: 'the clock' };
const COUNT: Bound = { integer: true, min: 1, max: 4 };

describe('parseNumber', () => {
  test.each(['1', '0.5', '.5', '2.', '1e3', '1E+3', '2.5e-3', ' 7 ', '+3', '007'])('a real may be spelled %j', (t) => {
    expect(parseNumber(t, SECONDS)).toEqual({ ok: true, value: Number(t) });
  });

  test.each(['0x10', '0b1', '0o7', '1_000', 'Infinity', '-Infinity', 'NaN', '', ' ', '1e', 'e3', '1.2.3', '5s', '1,5', '٣'])('never %j', (t) => {
    const r = parseNumber(t, SECONDS);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toBe(`must be a number from 1e-9 to 9007199 seconds (the clock) (got '${t}')`);
  });

  test('an integer has no fraction and no exponent; it must be safe', () => {
    expect(parseNumber('3', COUNT)).toEqual({ ok: true, value: 3 });
    for (const t of ['3.0', '3e0', '1e3', '9007199254740993']) expect(parseNumber(t, { integer: true, min: 0, max: Number.MAX_SAFE_INTEGER }).ok).toBe(false);
    expect(parseNumber('9007199254740991', { integer: true, min: 0, max: Number.MAX_SAFE_INTEGER })).toEqual({ ok: true, value: 9007199254740991 });
  });

  test('out of range: the range, the unit and the reason', () => {
    expect(parseNumber('5e-324', SECONDS)).toEqual({ ok: false, message: "must be a number from 1e-9 to 9007199 seconds (the clock) (got '5e-324')" });
    expect(parseNumber('5', COUNT)).toEqual({ ok: false, message: "must be an integer from 1 to 4 (got '5')" });
    expect(parseNumber('0', { zero: true, min: 1e-6, max: 1, unit: 'ms' })).toEqual({ ok: true, value: 0 });
    expect(parseNumber('1e-9', { zero: true, min: 1e-6, max: 1, unit: 'ms' })).toMatchObject({ ok: false, message: "must be 0 or a number from 0.000001 to 1 ms (got '1e-9')" });
  });

  test('control characters in the quoted value are escaped: the message stays one line', () => {
    const r = parseNumber('1\n\u001b[31m', SECONDS);
    expect(!r.ok && r.message).toContain("(got '1\\u000a\\u001b[31m')");
  });

  it('every decimal spelling of a safe integer or a finite double reads back as Number() reads it', () => {
    fc.assert(
      fc.property(fc.oneof(fc.maxSafeInteger(), fc.double({ noNaN: true, noDefaultInfinity: true })), (x) => {
        const all: Bound = { min: -Number.MAX_VALUE, max: Number.MAX_VALUE };
        const r = parseNumber(String(x), all);
        expect(r).toEqual({ ok: true, value: x === 0 ? 0 : x });
        if (Number.isSafeInteger(x)) expect(parseNumber(String(x), { ...all, integer: true })).toEqual({ ok: true, value: x === 0 ? 0 : x });
      }),
    );
  });
});

describe('file fields say what flags say', () => {
  const schema = z.object({ durationS: zNumber(SECONDS), vms: zNumber(COUNT).default(2) });
  const issues = (v: unknown): string[] => {
    const r = schema.safeParse(v);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  test('the same range message, with the value found', () => {
    expect(issues({ durationS: 1e10 })).toEqual(['durationS: must be a number from 1e-9 to 9007199 seconds (the clock) (got 10000000000)']);
    expect(issues({ durationS: 1, vms: 2.5 })).toEqual(['vms: must be an integer from 1 to 4 (got 2.5)']);
    expect(issues({ durationS: '10' })).toEqual(['durationS: must be a number from 1e-9 to 9007199 seconds (the clock) (got "10")']);
    expect(issues({})).toEqual(['durationS: is required: a number from 1e-9 to 9007199 seconds (the clock)']);
  });

  test('JSON numbers too large for a double arrive as Infinity and are refused', () => {
    const parsed = parseJsonText('{ "durationS": 1e400 }');
    expect(parsed.ok && issues(parsed.value)).toEqual(['durationS: must be a number from 1e-9 to 9007199 seconds (the clock) (got Infinity)']);
  });
});

describe('sizes, ranges, lists', () => {
  const MEMORY = { bound: { integer: true, min: 2 ** 20, max: 2 ** 40, unit: 'bytes' }, percentOf: { bytes: 2 ** 34, what: 'the memory' } };

  test.each([
    ['512M', 512 * 2 ** 20],
    ['1.5GiB', 1.5 * 2 ** 30],
    ['64k', NaN],
    ['2g', 2 ** 31],
    ['1048576', 2 ** 20],
    ['50%', 2 ** 33],
  ])('--memory %s', (t, bytes) => {
    const r = parseSize(t, MEMORY);
    if (Number.isNaN(bytes)) expect(r).toEqual({ ok: false, message: "must be an integer from 1048576 to 1099511627776 bytes (got '64k')" });
    else expect(r).toEqual({ ok: true, value: bytes });
  });

  test('sizes: unknown units, hex, and % without a total are refused', () => {
    for (const t of ['2GB', '0x100M', '1_000M', '150%', 'M']) expect(parseSize(t, MEMORY).ok).toBe(false);
    expect(parseSize('50%', { bound: MEMORY.bound }).ok).toBe(false);
  });

  test('FROM:TO:STEP includes both ends and holds no accumulated rounding', () => {
    expect(parseRange('1000:2000:250', { min: 1, max: 1e9 })).toEqual({ ok: true, value: [1000, 1250, 1500, 1750, 2000] });
    expect(parseRange('0.1:0.3:0.1', { min: 0.001, max: 1 })).toEqual({ ok: true, value: [0.1, 0.2, 0.3] });
    expect(parseRange('5:5:1', { min: 1, max: 10 })).toEqual({ ok: true, value: [5] });
    expect(parseRange('3:1:1', { min: 1, max: 10 }).ok).toBe(false);
    expect(parseRange('1:2', { min: 1, max: 10 }).ok).toBe(false);
    expect(parseRange('1:2:0', { min: 1, max: 10 }).ok).toBe(false);
    expect(parseRange('0x1:2:1', { min: 1, max: 10 })).toMatchObject({ ok: false, message: "FROM must be a number from 1 to 10 (got '0x1')" });
    expect(parseRange('1:1e9:1', { min: 1, max: 1e9 }, 100)).toMatchObject({ ok: false, message: "must give at most 100 values; '1:1e9:1' gives 1000000000" });
  });

  test('lists: each element in its bound', () => {
    expect(parseList('1,3', COUNT)).toEqual({ ok: true, value: [1, 3] });
    expect(parseList('1,,3', COUNT)).toEqual({ ok: false, message: "must be a comma-separated list, each value an integer from 1 to 4; '' is not (got '1,,3')" });
    expect(parseList('1,9', COUNT).ok).toBe(false);
  });
});

describe('JSON text', () => {
  test('a byte-order mark is dropped; a syntax error is one line', () => {
    expect(parseJsonText('\ufeff{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
    const r = parseJsonText('{\n"a": \u001b }');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).not.toMatch(/[\n\u001b]/);
  });
});
