/**
 * Structural comparison, diffing and compact printing of trace variable values: JSON-like data plus Map, Set and
 * bigint. Shared by the text format (what changed), replay (first mismatch) and error messages.
 *
 * Equality is by value: Map and Set contents regardless of insertion order, a number equal to a bigint of the same
 * value (ITF decodes integers as numbers), and an object key holding `undefined` equal to an absent key.
 */

/** Marks a side of a difference where the key does not exist. */
export const ABSENT: unique symbol = Symbol('absent');

export interface Difference {
  /** e.g. `nic.vnics[1].queue`, `m["a"]` for Map entries. */
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

type Rec = Record<string, unknown>;

function isRecord(x: unknown): x is Rec {
  return x !== null && typeof x === 'object' && !Array.isArray(x) && !(x instanceof Map) && !(x instanceof Set);
}

function isPrimitiveKey(k: unknown): boolean {
  return k === null || (typeof k !== 'object' && typeof k !== 'function');
}

function numericEqual(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || (a !== a && b !== b); // NaN equals NaN here
  const ia = typeof a === 'bigint' || (typeof a === 'number' && Number.isInteger(a));
  const ib = typeof b === 'bigint' || (typeof b === 'number' && Number.isInteger(b));
  return ia && ib && BigInt(a as number | bigint) === BigInt(b as number | bigint);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const ta = typeof a;
  const tb = typeof b;
  if ((ta === 'number' || ta === 'bigint') && (tb === 'number' || tb === 'bigint')) return numericEqual(a, b);
  if (a === null || b === null || ta !== 'object' || tb !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) {
      if (b.has(k)) {
        if (!deepEqual(v, b.get(k))) return false;
      } else if (isPrimitiveKey(k) && typeof k !== 'number' && typeof k !== 'bigint') {
        return false;
      } else {
        let found = false;
        for (const [k2, v2] of b) {
          if (deepEqual(k, k2) && deepEqual(v, v2)) {
            found = true;
            break;
          }
        }
        if (!found) return false;
      }
    }
    return true;
  }
  if (a instanceof Set) {
    if (!(b instanceof Set) || a.size !== b.size) return false;
    for (const x of a) {
      if (b.has(x)) continue;
      let found = false;
      for (const y of b) {
        if (deepEqual(x, y)) {
          found = true;
          break;
        }
      }
      if (!found) return false;
    }
    return true;
  }
  if (!isRecord(b) || Array.isArray(b)) return false;
  const ra = a as Rec;
  for (const k of Object.keys(ra)) if (!deepEqual(ra[k], Object.hasOwn(b, k) ? b[k] : undefined)) return false;
  for (const k of Object.keys(b)) if (!Object.hasOwn(ra, k) && b[k] !== undefined) return false;
  return true;
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function fieldPath(path: string, key: string): string {
  if (path === '') return key;
  return IDENT.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/**
 * The differences between `before` and `after`, descending into records, same-length arrays and Maps with
 * primitive keys, and naming only the elements added or removed at the end of a non-empty array; anything else that
 * differs (a queue that lost its head, a changed Set) is reported whole.
 * Stops after `limit` differences.
 */
export function differences(before: unknown, after: unknown, path = '', limit = Infinity): Difference[] {
  const out: Difference[] = [];
  diffInto(before, after, path, out, limit);
  return out;
}

function diffInto(a: unknown, b: unknown, path: string, out: Difference[], limit: number): void {
  if (out.length >= limit || deepEqual(a, b)) return;
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    for (let i = 0; i < a.length && out.length < limit; i++) diffInto(a[i], b[i], `${path}[${i}]`, out, limit);
    return;
  }
  // A non-empty list that grew or shrank at its end (a packet queued, the last one taken): only the elements added
  // (`buffer[3] = …`) or removed (`buffer[3] = (removed)`), not the whole list again.
  if (Array.isArray(a) && Array.isArray(b) && a.length > 0 && b.length > 0) {
    const [short, long] = a.length < b.length ? [a, b] : [b, a];
    if (short.every((x, i) => deepEqual(x, long[i]))) {
      for (let i = short.length; i < long.length && out.length < limit; i++) {
        out.push({ path: `${path}[${i}]`, before: i < a.length ? a[i] : ABSENT, after: i < b.length ? b[i] : ABSENT });
      }
      return;
    }
  }
  if (a instanceof Map && b instanceof Map) {
    const keys = [...a.keys(), ...[...b.keys()].filter((k) => !a.has(k))];
    if (keys.every(isPrimitiveKey)) {
      for (const k of keys) {
        if (out.length >= limit) return;
        diffInto(a.has(k) ? a.get(k) : ABSENT, b.has(k) ? b.get(k) : ABSENT, `${path}[${formatValue(k)}]`, out, limit);
      }
      return;
    }
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = [...Object.keys(a), ...Object.keys(b).filter((k) => !Object.hasOwn(a, k))];
    for (const k of keys) {
      if (out.length >= limit) return;
      const x = Object.hasOwn(a, k) && a[k] !== undefined ? a[k] : ABSENT;
      const y = Object.hasOwn(b, k) && b[k] !== undefined ? b[k] : ABSENT;
      if (x === ABSENT && y === ABSENT) continue;
      diffInto(x, y, fieldPath(path, k), out, limit);
    }
    return;
  }
  out.push({ path, before: a, after: b });
}

/** A one-line rendering: strings quoted, records `{a: 1}`, `Map{k => v}`, `Set{x}`. */
export function formatValue(v: unknown): string {
  if (v === ABSENT) return '(absent)';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Object.is(v, -0) ? '0' : String(v);
    case 'bigint':
    case 'boolean':
    case 'undefined':
      return String(v);
    case 'symbol':
      return v.toString();
    case 'function':
      return `[function ${v.name}]`;
  }
  if (v === null) return 'null';
  if (Array.isArray(v)) return `[${v.map(formatValue).join(', ')}]`;
  if (v instanceof Map) return `Map{${[...v].map(([k, x]) => `${formatValue(k)} => ${formatValue(x)}`).join(', ')}}`;
  if (v instanceof Set) return `Set{${[...v].map(formatValue).join(', ')}}`;
  const entries = Object.entries(v as Rec).filter(([, x]) => x !== undefined);
  return `{${entries.map(([k, x]) => `${IDENT.test(k) ? k : JSON.stringify(k)}: ${formatValue(x)}`).join(', ')}}`;
}
