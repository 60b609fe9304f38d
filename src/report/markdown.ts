/** A ReportDocument as Markdown; charts are images charts/<id>.svg, written beside it by the caller. */
import { inlineParts, type Block, type ReportDocument, type Table } from './document.js';

const cellText = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

const inline = (s: string): string =>
  inlineParts(s)
    .map((p) => (p.code !== undefined ? `\`${p.code}\`` : p.bold !== undefined ? `**${p.bold}**` : (p.text ?? '')))
    .join('');

function table(t: Table, caption?: string): string {
  const head = `| ${t.columns.map((c) => cellText(inline(c.header))).join(' | ')} |`;
  const rule = `|${t.columns.map((c) => (c.align === 'right' ? '---:' : '---')).join('|')}|`;
  const rows = t.rows.map((r, i) => `| ${r.map((c) => cellText(inline(c))).join(' | ')} |${t.flagged?.includes(i) ? ' ⚠' : ''}`);
  return [...(caption ? [`**${inline(caption)}**`, ''] : []), head, rule, ...rows].join('\n');
}

function block(b: Block): string {
  switch (b.kind) {
    case 'heading':
      return `${'#'.repeat(b.level)} ${inline(b.text)}`;
    case 'paragraph':
      return inline(b.text);
    case 'list':
      return b.items.map((i) => `- ${inline(i)}`).join('\n');
    case 'table':
      return table(b.table, b.caption);
    case 'chart':
      return `![${b.title.replace(/[[\]]/g, '')}](charts/${b.id}.svg)`;
    case 'code':
      return '```\n' + b.text + '\n```';
  }
}

export function renderMarkdown(d: ReportDocument): string {
  return `# ${d.title}\n\n${d.blocks.map(block).join('\n\n')}\n`;
}

/** The SVG files results.md refers to: charts/<id>.svg → contents. */
export function chartFiles(d: ReportDocument): Record<string, string> {
  const out: Record<string, string> = {};
  for (const b of d.blocks) if (b.kind === 'chart') out[`charts/${b.id}.svg`] = b.svg;
  return out;
}
