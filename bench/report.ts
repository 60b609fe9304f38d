/**
 * Rows of the benchmark report and how they are printed.
 *
 * Every row says what was measured, the figure, what it is compared with (a target it must meet, or a reference it
 * is only set against), the ratio, and a verdict. Ratios are always "higher is better": measured / target for a
 * throughput, target / measured for a time or a size, so ×1.00 or more meets the target.
 */

export type Verdict = 'PASS' | 'FAIL' | 'INFO' | 'SKIP' | 'ERROR';

/** `at-least`: the figure must reach the target (a rate); `at-most`: it must stay below it (a time, a size). */
export type Direction = 'at-least' | 'at-most';

export interface Row {
  readonly section: string;
  readonly what: string;
  /** The measured figure; null when it could not be measured (skipped, n/a). */
  readonly value: number | null;
  readonly unit: string;
  /** A figure the measurement must meet (decides PASS/FAIL). */
  readonly target?: { readonly value: number; readonly direction: Direction; readonly label?: string };
  /** A figure the measurement is only set against (INFO). */
  readonly reference?: { readonly value: number; readonly direction: Direction; readonly label: string };
  readonly verdict: Verdict;
  readonly ratio: number | null;
  readonly note?: string;
}

export interface RowSpec {
  readonly what: string;
  readonly value: number | null;
  readonly unit: string;
  readonly target?: { readonly value: number; readonly direction: Direction; readonly label?: string };
  readonly reference?: { readonly value: number; readonly direction: Direction; readonly label: string };
  readonly note?: string;
  /** Force a verdict (SKIP, ERROR, or FAIL when the run did not complete whatever the figure says). */
  readonly verdict?: Verdict;
}

const ratioOf = (value: number, against: { value: number; direction: Direction }): number =>
  against.direction === 'at-least' ? value / against.value : value === 0 ? Infinity : against.value / value;

export function row(section: string, r: RowSpec): Row {
  let ratio: number | null = null;
  let verdict: Verdict = r.verdict ?? 'INFO';
  if (r.value !== null && Number.isFinite(r.value)) {
    if (r.target) {
      ratio = ratioOf(r.value, r.target);
      if (r.verdict === undefined) verdict = ratio >= 1 ? 'PASS' : 'FAIL';
    } else if (r.reference) {
      ratio = ratioOf(r.value, r.reference);
    }
  }
  return {
    section,
    what: r.what,
    value: r.value,
    unit: r.unit,
    ...(r.target ? { target: r.target } : {}),
    ...(r.reference ? { reference: r.reference } : {}),
    verdict,
    ratio,
    ...(r.note !== undefined ? { note: r.note } : {}),
  };
}

/** 1234567 → "1,234,567"; 0.1234 → "0.123"; large rates are rounded. */
export function fmt(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return x === null ? 'n/a' : String(x);
  const abs = Math.abs(x);
  if (Number.isInteger(x) && abs < 1000) return String(x);
  if (abs >= 1000) return Math.round(x).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  if (abs >= 100) return x.toFixed(0);
  if (abs >= 10) return x.toFixed(1);
  if (abs >= 1) return x.toFixed(2);
  if (abs === 0) return '0';
  return x.toPrecision(3);
}

const compareText = (r: Row): string => {
  if (r.target) {
    const op = r.target.direction === 'at-least' ? '≥' : '≤';
    return `target ${op} ${fmt(r.target.value)} ${r.unit}${r.target.label ? ` (${r.target.label})` : ''}`;
  }
  if (r.reference) return `vs ${r.reference.label}: ${fmt(r.reference.value)} ${r.unit}`;
  return '';
};

const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const padLeft = (s: string, n: number): string => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

export function renderRows(rows: readonly Row[]): string {
  const lines: string[] = [];
  let section = '';
  const whatWidth = Math.min(58, Math.max(...rows.map((r) => r.what.length)));
  for (const r of rows) {
    if (r.section !== section) {
      section = r.section;
      lines.push('', `== ${section} ==`);
    }
    const value = r.value === null ? 'n/a' : `${fmt(r.value)} ${r.unit}`;
    const ratio = r.ratio === null ? '' : `×${r.ratio >= 100 ? r.ratio.toFixed(0) : r.ratio.toFixed(2)}`;
    lines.push(`${pad(r.what, whatWidth)}  ${padLeft(value, 22)}  ${pad(compareText(r), 44)}  ${padLeft(ratio, 8)}  ${r.verdict}`);
    if (r.note) lines.push(`${' '.repeat(4)}↳ ${r.note}`);
  }
  return lines.join('\n');
}

export function summary(rows: readonly Row[]): string {
  const count = (v: Verdict) => rows.filter((r) => r.verdict === v).length;
  const failed = rows.filter((r) => r.verdict === 'FAIL' || r.verdict === 'ERROR');
  const lines = [`targets: ${count('PASS')} PASS, ${count('FAIL')} FAIL; ${count('INFO')} informational, ${count('SKIP')} skipped, ${count('ERROR')} errors`];
  for (const r of failed) lines.push(`  ${r.verdict}: [${r.section}] ${r.what}`);
  return lines.join('\n');
}

/** Milliseconds since `t0`, as seconds. */
export const secondsSince = (t0: number): number => (performance.now() - t0) / 1000;

export interface BenchContext {
  readonly quick: boolean;
  /** Progress lines (stderr), so `--json` keeps stdout clean. */
  log(line: string): void;
}

/** `global.gc` when node runs with --expose-gc. */
export function gcFunction(): (() => void) | undefined {
  const g = (globalThis as { gc?: () => void }).gc;
  return typeof g === 'function' ? g : undefined;
}

/**
 * Figures one section hands to a later one (the SPIN section sets pan's figures next to the explorer's), keyed
 * like 'explorer.vnic-3x3.states'. Absent when the section that measures them did not run.
 */
export const shared = new Map<string, number>();
