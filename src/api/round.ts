/**
 * Numbers in reports are rounded to what they can mean, so `--json` never shows `0.19215792499999998`: timings to
 * the millisecond, rates to whole units, simulated quantities to the precision the simulator resolves.
 */

/** `x` rounded to `digits` decimals (never `-0`). */
export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  const r = Math.round(x * f) / f;
  return r === 0 ? 0 : r;
}

/** Wall-clock seconds: to the millisecond. */
export const wallSeconds = (s: number): number => round(s, 3);

/**
 * A measured or derived quantity to `digits` significant digits (default 6, far finer than any simulated figure's
 * noise), never losing a digit before the decimal point: integers stay as they are, 83333.3333 becomes 83333.3.
 */
export function significant(x: number, digits = 6): number {
  if (!Number.isFinite(x) || Number.isInteger(x)) return x;
  const before = Math.floor(Math.log10(Math.abs(x))) + 1;
  return before >= digits ? Math.round(x) : Number(x.toPrecision(digits));
}
