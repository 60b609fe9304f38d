/** A ReportDocument as one self-contained HTML page: inline CSS and SVG, no script, no external resource. */
import { inlineParts, type Block, type ReportDocument, type Table } from './document.js';

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const inline = (s: string): string =>
  inlineParts(s)
    .map((p) => (p.code !== undefined ? `<code>${escape(p.code)}</code>` : p.bold !== undefined ? `<strong>${escape(p.bold)}</strong>` : escape(p.text ?? '')))
    .join('');

function table(t: Table, caption?: string): string {
  const head = t.columns.map((c) => `<th${c.align === 'right' ? ' class="r"' : ''}>${inline(c.header)}</th>`).join('');
  const body = t.rows
    .map((row, i) => {
      const cells = row.map((cell, k) => `<td${t.columns[k]?.align === 'right' ? ' class="r"' : ''}>${inline(cell)}</td>`).join('');
      return `<tr${t.flagged?.includes(i) ? ' class="flag"' : ''}>${cells}</tr>`;
    })
    .join('\n');
  return `<table>${caption ? `<caption>${inline(caption)}</caption>` : ''}<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table>`;
}

function block(b: Block): string {
  switch (b.kind) {
    case 'heading':
      return `<h${b.level}${b.id ? ` id="${escape(b.id)}"` : ''}>${inline(b.text)}</h${b.level}>`;
    case 'paragraph':
      return `<p>${inline(b.text)}</p>`;
    case 'list':
      return `<ul>${b.items.map((i) => `<li>${inline(i)}</li>`).join('')}</ul>`;
    case 'table':
      return table(b.table, b.caption);
    case 'chart':
      // The chart's title is drawn inside the SVG; aria-label gives it to screen readers and tests.
      return `<figure class="chart" id="chart-${escape(b.id)}" data-chart="${escape(b.id)}" aria-label="${escape(b.title)}">${b.svg.replace(/^<\?xml[^>]*>\s*/, '')}</figure>`;
    case 'code':
      return `<pre><code>${escape(b.text)}</code></pre>`;
  }
}

const STYLE = `
body { font: 15px/1.5 Helvetica, Arial, sans-serif; max-width: 1000px; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ddd; } h3 { margin-top: 1.5em; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } td.r, th.r { text-align: right; font-variant-numeric: tabular-nums; }
tr.flag td { background: #fff1f0; } caption { caption-side: top; text-align: left; font-weight: bold; padding-bottom: 0.3em; }
figure.chart { display: inline-block; margin: 0.5em 1em 1em 0; vertical-align: top; }
code { background: #f5f5f5; padding: 0 0.2em; } pre { background: #f5f5f5; padding: 0.6em; overflow-x: auto; }
`;

export function renderHtml(d: ReportDocument): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escape(d.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${inline(d.title)}</h1>`,
    ...d.blocks.map(block),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
