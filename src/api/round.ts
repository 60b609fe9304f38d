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
