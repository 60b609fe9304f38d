/** Canonical JSON: object keys sorted, so equal values give equal text whatever order their fields were built in. */
export function canonicalJson(x: unknown): string {
  if (x === null || typeof x !== 'object') return JSON.stringify(x) ?? 'undefined';
  if (Array.isArray(x)) {
    let s = '[';
    for (let i = 0; i < x.length; i++) s += (i > 0 ? ',' : '') + canonicalJson(x[i]);
    return s + ']';
  }
  const o = x as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  let s = '{';
  for (let i = 0; i < keys.length; i++) s += (i > 0 ? ',' : '') + JSON.stringify(keys[i]) + ':' + canonicalJson(o[keys[i]!]);
  return s + '}';
}
