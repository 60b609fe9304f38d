/**
 * A report as a list of blocks, rendered twice: to one self-contained HTML page (charts inlined as SVG) and to
 * Markdown (charts as charts/<id>.svg beside it). Knows nothing about NICs.
 */
export interface Table {
  readonly columns: readonly { readonly header: string; readonly align?: 'left' | 'right' }[];
  readonly rows: readonly (readonly string[])[];
  /** Rows to highlight (a target missed, say), by index. */
  readonly flagged?: readonly number[];
}

export type Block =
  | { readonly kind: 'heading'; readonly level: 1 | 2 | 3; readonly text: string; readonly id?: string }
  | { readonly kind: 'paragraph'; readonly text: string }
  | { readonly kind: 'list'; readonly items: readonly string[] }
  | { readonly kind: 'table'; readonly table: Table; readonly caption?: string }
  | { readonly kind: 'chart'; readonly id: string; readonly title: string; readonly svg: string }
  | { readonly kind: 'code'; readonly text: string };

export interface ReportDocument {
  readonly title: string;
  readonly blocks: readonly Block[];
}

/**
 * Inline markup allowed in text: `code` and **bold**. Everything else is text, escaped by each renderer.
 */
export type Inline = { readonly code?: string; readonly bold?: string; readonly text?: string };

export function inlineParts(s: string): Inline[] {
  const out: Inline[] = [];
  const re = /`([^`]+)`|\*\*([^*]+)\*\*/g;
  let last = 0;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    if (m.index > last) out.push({ text: s.slice(last, m.index) });
    out.push(m[1] !== undefined ? { code: m[1] } : { bold: m[2]! });
    last = m.index + m[0].length;
  }
  if (last < s.length) out.push({ text: s.slice(last) });
  return out;
}
