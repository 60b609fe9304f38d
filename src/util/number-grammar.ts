/**
 * One number grammar for every command-line flag and every number field of a scenario or calibration file, with
 * one wording of every message, so `--seed`, `--max-states`, `--duration` and `"durationS"` accept the same
 * spellings and refuse the same way.
 *
 * Grammar (a flag's value may have blanks around it; nothing else is ignored):
 *
 *     integer ::= [+-]? digit+                                        42   007   -3
 *     real    ::= [+-]? (digit+ ("." digit*)? | "." digit+) exponent?   0.5  .5  2.  1e-3  2.5E+6
 *     exponent::= [eE] [+-]? digit+
 *
 * An integer is written without a fraction or an exponent; a real (where a real is meant: seconds, rates) may have
 * both. No hexadecimal (0x10), octal, binary, digit separators (1_000), `Infinity` or `NaN`: `Number()` would
 * accept several of these and read `--duration 0x10` as 16 s. JSON's numbers are a subset of `real`; in a file an
 * integer field takes any JSON number whose value is an integer (`1e3` is 1000: JSON.parse keeps no spelling).
 *
 * Then the value must lie in its `Bound`, an inclusive range with a unit and the reason for the range:
 *
 *     --vms: must be an integer from 1 to 4 (got '5')
 *     streams[0].rate: must be a number from 0.000001 to 1953125 per second (the line rate of 64-byte frames) (got 1e-300)
 *
 * Beyond single numbers, for flags:
 *   - `parseSize`:  a byte count with a binary unit, `512M`, `1.5GiB`, `64KiB`, `1024` (bytes), or `N%` of a total;
 *   - `parseRange`: `FROM:TO:STEP` (`1000:2000:250` is 1000, 1250, 1500, 1750, 2000);
 *   - `parseList`:  `1,3,8`.
 * Each element of a range or list obeys the element bound, with the same messages.
 *
 * The CLI wraps these into commander argument parsers (src/cli/commands/options.ts: `numberFlag`, `sizeFlag`,
 * `rangeFlag`, `listFlag`, `parseIntIn`, `parseDuration`); the file schemas use `zNumber` and, for names chosen
 * from a list, `zOneOf` (zod), worded like the flags' `parseChoice`.
 */
import { z } from 'zod';

export interface Bound {
  /** Whole numbers only. */
  readonly integer?: boolean;
  /** Smallest value allowed (inclusive). */
  readonly min: number;
  /** Largest value allowed (inclusive). */
  readonly max: number;
  /** 0 is allowed too, below `min` (a think time of 0, or at least one clock tick). */
  readonly zero?: boolean;
  /** Printed after the range: 'seconds', 'ms', 'bytes', 'per second'. */
  readonly unit?: string;
  /** Why the range is what it is, printed in parentheses after it. */
  readonly why?: string;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

const INTEGER = /^[+-]?[0-9]+$/;
const REAL = /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$/;

/** A number as messages print it: `String(n)` (1e-9, 0.5, 9007199254740991). */
export const showNumber = (n: number): string => String(n);

/** `an integer from 1 to 4`, `0 or a number from 0.000001 to 1000 ms (why)`. */
export function describeBound(b: Bound): string {
  const what = b.integer ? 'an integer' : 'a number';
  const range = b.max === b.min ? `${showNumber(b.min)}` : `from ${showNumber(b.min)} to ${showNumber(b.max)}`;
  const unit = b.unit !== undefined ? ` ${b.unit}` : '';
  const why = b.why !== undefined ? ` (${b.why})` : '';
  return `${b.zero ? '0 or ' : ''}${what} ${range}${unit}${why}`;
}

/** `must be …` when `n` is outside `b`, else undefined. */
export function checkNumber(n: number, b: Bound): string | undefined {
  const inRange = Number.isFinite(n) && ((n >= b.min && n <= b.max) || (b.zero === true && n === 0));
  if (inRange && (!b.integer || Number.isSafeInteger(n))) return undefined;
  return `must be ${describeBound(b)}`;
}

/** Text (a flag's value) → a number in `b`; the message says what was expected and quotes what was given. */
export function parseNumber(text: string, b: Bound): Parsed<number> {
  const t = text.trim();
  const spelled = (b.integer ? INTEGER : REAL).test(t);
  const n = spelled ? Number(t) : Number.NaN;
  const why = spelled ? checkNumber(n, b) : `must be ${describeBound(b)}`;
  return why === undefined ? { ok: true, value: n === 0 ? 0 : n } : { ok: false, message: `${why} (got ${quote(text)})` };
}

/** `'x'`, with control characters escaped so a message stays on one line. */
export function quote(text: string): string {
  return `'${text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}'`;
}

// ---- sizes -------------------------------------------------------------------------------------------------------

const SIZE_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 2 ** 10,
  kib: 2 ** 10,
  m: 2 ** 20,
  mib: 2 ** 20,
  g: 2 ** 30,
  gib: 2 ** 30,
  t: 2 ** 40,
  tib: 2 ** 40,
};

export interface SizeOptions {
  /** Bytes: the range of the result. */
  readonly bound: Bound;
  /** What `N%` is a percentage of (e.g. the machine's memory); absent: `%` is not accepted. */
  readonly percentOf?: { readonly bytes: number; readonly what: string };
}

const SIZE_HINT = 'a size such as 512M, 1.5GiB, 65536 (bytes; K, M, G, T are powers of 1024)';

/** `512M`, `1.5GiB`, `64KiB`, `4096` (bytes), `50%` (of `percentOf`): a whole number of bytes in `o.bound`. */
export function parseSize(text: string, o: SizeOptions): Parsed<number> {
  const t = text.trim();
  const m = /^([^a-zA-Z%]*?)\s*([a-zA-Z]*|%)$/.exec(t);
  const hint = `${SIZE_HINT}${o.percentOf ? ` or a percentage of ${o.percentOf.what} (50%)` : ''}`;
  if (m === null || !REAL.test(m[1]!)) return { ok: false, message: `must be ${hint} (got ${quote(text)})` };
  const x = Number(m[1]);
  let bytes: number;
  if (m[2] === '%') {
    if (o.percentOf === undefined || !(x > 0 && x <= 100)) {
      return { ok: false, message: `must be ${o.percentOf ? `${hint}; a percentage from 0 (excluded) to 100` : SIZE_HINT} (got ${quote(text)})` };
    }
    bytes = Math.floor((x / 100) * o.percentOf.bytes);
  } else {
    const unit = SIZE_UNITS[m[2]!.toLowerCase()];
    if (unit === undefined) return { ok: false, message: `must be ${hint}; unknown unit '${m[2]}' (got ${quote(text)})` };
    bytes = Math.round(x * unit);
  }
  const why = checkNumber(bytes, { ...o.bound, integer: true });
  return why === undefined ? { ok: true, value: bytes } : { ok: false, message: `${why} (got ${quote(text)})` };
}

// ---- ranges and lists --------------------------------------------------------------------------------------------

/** `FROM:TO:STEP`, both ends included, every value in `b`; at most `maxPoints` values. */
export function parseRange(text: string, b: Bound, maxPoints = 10_000): Parsed<number[]> {
  const parts = text.split(':');
  const shape = `FROM:TO:STEP with FROM <= TO and STEP > 0, each ${describeBound(b)}`;
  if (parts.length !== 3) return { ok: false, message: `must be ${shape} (got ${quote(text)})` };
  const [from, to] = [parseNumber(parts[0]!, b), parseNumber(parts[1]!, b)];
  if (!from.ok) return { ok: false, message: `FROM ${from.message}` };
  if (!to.ok) return { ok: false, message: `TO ${to.message}` };
  const step = parseNumber(parts[2]!, { integer: b.integer === true, min: b.integer ? 1 : Number.MIN_VALUE, max: Number.MAX_VALUE });
  if (!step.ok || step.value <= 0) return { ok: false, message: `STEP must be a number > 0 (got ${quote(parts[2]!)})` };
  if (from.value > to.value) return { ok: false, message: `must be ${shape}: FROM is larger than TO (got ${quote(text)})` };
  // Points are FROM + i·STEP (no accumulated rounding); TO counts as reached within a millionth of a step.
  const span = (to.value - from.value) / step.value;
  const count = Math.floor(span + 1e-6) + 1;
  if (count > maxPoints) return { ok: false, message: `must give at most ${maxPoints} values; ${quote(text)} gives ${count}` };
  return { ok: true, value: Array.from({ length: count }, (_, i) => Math.min(to.value, from.value + i * step.value)) };
}

/** `1,3,8`: a comma-separated list of 1 to `maxItems` numbers, each in `b`, as given (duplicates kept). */
export function parseList(text: string, b: Bound, maxItems = 1000): Parsed<number[]> {
  const items = text.split(',');
  if (items.length > maxItems) return { ok: false, message: `must list at most ${maxItems} values (got ${items.length})` };
  const values: number[] = [];
  for (const item of items) {
    const r = parseNumber(item, b);
    if (!r.ok) return { ok: false, message: `must be a comma-separated list, each value ${describeBound(b)}; ${quote(item.trim())} is not (got ${quote(text)})` };
    values.push(r.value);
  }
  return { ok: true, value: values };
}

// ---- file fields (zod) -------------------------------------------------------------------------------------------

/** What a JSON value looks like in a message: `1e-300`, `"1500"`, `an object`, `a list`. */
export function showValue(v: unknown): string {
  if (typeof v === 'number') return showNumber(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : String(v);
}

/**
 * A number field of a file in `b`: the same `must be …` message as a flag, with the value found
 * (`streams[0].rate: must be a number from … per second (got 1e-300)`).
 */
export function zNumber(b: Bound): z.ZodNumber {
  const expected = `must be ${describeBound(b)}`;
  return z
    .number({ error: (iss) => (iss.input === undefined ? `is required: ${describeBound(b)}` : `${expected} (got ${showValue(iss.input)})`) })
    .check((ctx) => {
      if (checkNumber(ctx.value, b) !== undefined) ctx.issues.push({ code: 'custom', message: `${expected} (got ${showValue(ctx.value)})`, input: ctx.value, continue: true });
    })
    .meta(jsonSchemaOf(b));
}

/** The bound in JSON Schema terms: the file formats' JSON Schemas (scripts/schemas.ts) are generated from the zod schemas. */
function jsonSchemaOf(b: Bound): Record<string, unknown> {
  const range = { minimum: b.min, maximum: b.max };
  return { ...(b.integer ? { type: 'integer' } : {}), ...(b.zero ? { anyOf: [{ const: 0 }, range] } : range) };
}

/**
 * A choice among names in a file (`"arch": "kvm"`), worded as the flags' choices are (`--arch: must be one of vnic,
 * xen-idd, native, mixed (got 'kvm')`): `arch: must be one of vnic, xen-idd, native, mixed (got "kvm")`.
 */
export function zOneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: (iss) => (iss.input === undefined ? `is required: one of ${values.join(', ')}` : `must be one of ${values.join(', ')} (got ${showValue(iss.input)})`) });
}
