/** Number formatting shared by the human-readable outputs (JSON output never goes through here). */

export const int = (n: number): string => String(Math.round(n));

export const fixed = (n: number, digits: number): string => n.toFixed(digits);

/** Milliseconds with two decimals, '-' when nothing was measured. */
export const ms = (x: number | null): string => (x === null ? '-' : x.toFixed(2));

/** A fraction (0..1) as a percentage with one decimal; never rounds a fraction below 1 up to '100.0'. */
export function percent(fraction: number): string {
  const s = (fraction * 100).toFixed(1);
  return s === '100.0' && fraction < 1 ? '99.9' : s;
}

/** A ratio as a signed change: 1.567 → '+57%', 0.8 → '-20%'. */
export function change(ratio: number): string {
  const p = Math.round((ratio - 1) * 100);
  return `${p >= 0 ? '+' : ''}${p}%`;
}

/** Seconds, without trailing zeros: 10 → '10 s', 0.5 → '0.5 s'. */
export const seconds = (s: number): string => `${Number(s.toPrecision(12))} s`;

/** A breakdown by reason, biggest first: 'rate-exceeded 37487, partition-full 12'; '0' when empty. */
export function breakdown(byReason: Readonly<Record<string, number>>): string {
  const entries = Object.entries(byReason).filter(([, n]) => n > 0);
  if (entries.length === 0) return '0';
  return entries
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
}

export const sum = (xs: readonly number[]): number => xs.reduce((a, x) => a + x, 0);

/** Packets counted as rejected, by reason. */
export const totalOf = (byReason: Readonly<Record<string, number>>): number => sum(Object.values(byReason));
