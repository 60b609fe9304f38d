/**
 * Checks on the values a library caller passes, with the command line's wording: `vms: must be an integer from 1 to
 * 4 (got 9)`. Every failure is an `InputError` naming the field.
 */
import { InputError } from './errors.js';

const shown = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : typeof v === 'bigint' ? `${v}n` : (JSON.stringify(v) ?? String(v)));

/** An integer in [lo, hi]. */
export function intIn(field: string, v: unknown, lo: number, hi: number, must = `must be an integer from ${lo} to ${hi}`): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < lo || v > hi) throw new InputError(`${field}: ${must} (got ${shown(v)})`);
  return v;
}

/** A finite number > 0 and at most `max`. */
export function positive(field: string, v: unknown, max = Number.MAX_VALUE, unit = ''): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new InputError(`${field}: must be a positive number${unit} (got ${shown(v)})`);
  if (v > max) throw new InputError(`${field}: must be at most ${max}${unit} (got ${shown(v)})`);
  return v;
}

/** One of the allowed strings. */
export function oneOf<T extends string>(field: string, v: unknown, allowed: readonly T[]): T {
  const hit = allowed.find((a) => a === v);
  if (hit === undefined) throw new InputError(`${field}: must be one of ${allowed.join(', ')} (got ${shown(v)})`);
  return hit;
}

/** true or false. */
export function bool(field: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new InputError(`${field}: must be true or false (got ${shown(v)})`);
  return v;
}

/** A list of `n` entries, each checked by `each`. */
export function listOf<T>(field: string, v: unknown, n: number, each: (field: string, x: unknown) => T): T[] {
  if (!Array.isArray(v)) throw new InputError(`${field}: must be a list (got ${shown(v)})`);
  if (v.length !== n) throw new InputError(`${field}: has ${v.length} entries for ${n} VMs`);
  return v.map((x, i) => each(`${field}[${i}]`, x));
}

/** `undefined` stays `undefined`; anything else is checked. */
export const optional = <T>(v: unknown, check: (v: unknown) => T): T | undefined => (v === undefined ? undefined : check(v));

/** Options objects must not carry names the function does not know (a typo would otherwise be ignored silently). */
export function knownKeys(what: string, o: object, known: readonly string[]): void {
  const unknown = Object.keys(o).filter((k) => !known.includes(k) && (o as Record<string, unknown>)[k] !== undefined);
  if (unknown.length > 0) throw new InputError(`${what}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${known.join(', ')})`);
}
