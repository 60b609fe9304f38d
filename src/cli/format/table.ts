/**
 * A small plain-text table formatter: aligned columns, numbers right-aligned, optional group headers spanning
 * several columns (for side-by-side comparisons), no trailing whitespace.
 */

export interface Column {
  readonly header: string;
  /** Default: 'left'. Numbers should be 'right'. */
  readonly align?: 'left' | 'right';
}

/** A header spanning `span` consecutive columns; an empty label leaves the span blank. */
export interface ColumnGroup {
  readonly label: string;
  readonly span: number;
}

export interface Table {
  readonly columns: readonly Column[];
  readonly rows: readonly (readonly string[])[];
  readonly groups?: readonly ColumnGroup[];
  /** Spaces between columns (default 2). */
  readonly gap?: number;
  /** Spaces before every line (default 0). */
  readonly indent?: number;
  /** Extra spaces inserted before the first column of each group after the first (default 2). */
  readonly groupGap?: number;
}

/** Visible width; the tables only hold single-width characters, so the code-point count is enough. */
const width = (s: string): number => [...s].length;

const pad = (s: string, w: number, align: 'left' | 'right'): string => {
  const fill = ' '.repeat(Math.max(0, w - width(s)));
  return align === 'right' ? fill + s : s + fill;
};

const centre = (label: string, w: number): string => {
  if (label === '') return ' '.repeat(w);
  const text = ` ${label} `;
  const free = Math.max(0, w - width(text));
  const left = Math.floor(free / 2);
  return '-'.repeat(left) + text + '-'.repeat(free - left);
};

export function renderTable(t: Table): string[] {
  const n = t.columns.length;
  for (const [i, r] of t.rows.entries()) {
    if (r.length !== n) throw new Error(`table row ${i} has ${r.length} cells, expected ${n}`);
  }
  const gap = t.gap ?? 2;
  const indent = ' '.repeat(t.indent ?? 0);
  const widths = t.columns.map((c, j) => Math.max(width(c.header), ...t.rows.map((r) => width(r[j]!))));

  // Where each column starts a new group: the separator before it gets the extra group gap.
  const groupStart = new Array<boolean>(n).fill(false);
  const groups = t.groups;
  if (groups !== undefined) {
    const total = groups.reduce((a, g) => a + g.span, 0);
    if (total !== n) throw new Error(`table groups span ${total} columns, expected ${n}`);
    let j = 0;
    let previous: ColumnGroup | undefined;
    for (const g of groups) {
      // Separate labelled groups from each other; a blank group (row labels) needs no extra room.
      if (previous !== undefined && previous.label !== '') groupStart[j] = true;
      previous = g;
      j += g.span;
    }
  }
  const sep = (j: number): string => (j === 0 ? '' : ' '.repeat(gap + (groupStart[j] ? (t.groupGap ?? 2) : 0)));

  // A group label wider than its columns widens the group's last column.
  if (groups !== undefined) {
    let j = 0;
    for (const g of groups) {
      const inner = widths.slice(j, j + g.span).reduce((a, w) => a + w, 0) + gap * (g.span - 1);
      const need = g.label === '' ? 0 : width(g.label) + 4; // at least '- label -'
      if (need > inner) widths[j + g.span - 1]! += need - inner;
      j += g.span;
    }
  }

  const line = (cells: readonly string[]): string =>
    (indent + cells.map((c, j) => sep(j) + pad(c, widths[j]!, t.columns[j]!.align ?? 'left')).join('')).trimEnd();

  const out: string[] = [];
  if (groups !== undefined) {
    let j = 0;
    let text = '';
    for (const g of groups) {
      const inner = widths.slice(j, j + g.span).reduce((a, w) => a + w, 0) + gap * (g.span - 1);
      text += sep(j) + centre(g.label, inner);
      j += g.span;
    }
    out.push((indent + text).trimEnd());
  }
  out.push(line(t.columns.map((c) => c.header)));
  for (const r of t.rows) out.push(line(r));
  return out;
}
