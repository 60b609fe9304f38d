/** The typed arrays the engines keep growable columns in. */
type Column = Int32Array | Uint32Array | Uint8Array | Float64Array;

/**
 * A new array of `a`'s kind, `length` long (at least `a.length`), starting with a copy of `a` and `fill` after it:
 * the "allocate bigger, copy, replace" of every growable column. Callers keep their own growth policy and call this
 * only on the growth branch, never on the fast path.
 */
export function grown<T extends Column>(a: T, length: number, fill = 0): T {
  if (length < a.length) throw new RangeError(`grown: ${length} is shorter than the ${a.length} elements to keep`);
  // Every Column is constructed by its kind's constructor from a length (into a fresh, zeroed ArrayBuffer).
  const b = new (a.constructor as new (length: number) => T)(length);
  b.set(a);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
}
