/**
 * A Mermaid `sequenceDiagram` of a trace: the participants in the caller's order (others that appear in messages
 * are appended in order of appearance), then per step one `Note over` with its number and label, followed by the
 * step's micro messages as arrows. A lasso's cycle (the steps after `loop`) is drawn inside a `loop` block.
 */
import type { PrintableTrace } from './types.js';

/** The lifelines and title of a Mermaid sequence diagram. */
export interface MermaidOptions {
  /** Participant names in the order of their lifelines. */
  readonly participants?: readonly string[];
  readonly title?: string;
}

// Words Mermaid's sequence grammar treats as keywords; a participant with such a name needs an alias.
const RESERVED = new Set([
  'participant', 'actor', 'as', 'note', 'over', 'left', 'right', 'of', 'loop', 'alt', 'else', 'opt', 'par', 'and',
  'rect', 'critical', 'break', 'end', 'box', 'activate', 'deactivate', 'title', 'autonumber', 'link', 'links',
  'properties', 'details', 'create', 'destroy', 'option', 'sequencediagram',
]);
const SIMPLE_ID = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Mermaid text is one line; '#' and ';' start entity codes and statement breaks, '<' '>' would be read as HTML. */
function escapeText(s: string): string {
  return s.replace(/[#;<>\r\n]/g, (c) => (c === '\n' || c === '\r' ? ' ' : `#${c.charCodeAt(0)};`));
}

/** A Mermaid sequence diagram of a trace: one note per step, and each step's messages between the participants. */
export function toMermaid(trace: PrintableTrace, options: MermaidOptions = {}): string {
  const names: string[] = [];
  const known = new Set<string>();
  const addName = (n: string) => {
    if (!known.has(n)) {
      known.add(n);
      names.push(n);
    }
  };
  for (const p of options.participants ?? []) addName(p);
  for (const step of trace.steps) for (const m of step.micro ?? []) {
    addName(m.from);
    addName(m.to);
  }

  // Names that are not plain identifiers (or are keywords) get a generated id and are shown through `as`.
  const idOf = new Map<string, string>();
  const used = new Set(names.filter((n) => SIMPLE_ID.test(n) && !RESERVED.has(n.toLowerCase())));
  let counter = 0;
  const lines = ['sequenceDiagram'];
  if (options.title !== undefined) lines.push(`  title ${escapeText(options.title)}`);
  for (const n of names) {
    if (used.has(n)) {
      idOf.set(n, n);
      lines.push(`  participant ${n}`);
      continue;
    }
    let id: string;
    do id = `P${counter++}`;
    while (used.has(id) || known.has(id));
    used.add(id);
    idOf.set(n, id);
    lines.push(`  participant ${id} as ${escapeText(n)}`);
  }

  const first = names[0] !== undefined ? idOf.get(names[0]) : undefined;
  const last = names.length > 0 ? idOf.get(names[names.length - 1]!) : undefined;
  const span = first === undefined ? undefined : first === last ? first : `${first},${last}`;
  const loop = trace.loop;
  const indent = (i: number): string => (loop !== undefined && i > loop ? '    ' : '  ');
  trace.steps.forEach((step, i) => {
    if (loop !== undefined && i === loop + 1) lines.push(`  loop steps ${i} to ${trace.steps.length - 1} repeat forever, back to the state of step ${loop}`);
    if (span !== undefined) lines.push(`${indent(i)}Note over ${span}: ${i}. ${escapeText(step.label)}`);
    for (const m of step.micro ?? []) lines.push(`${indent(i)}${idOf.get(m.from)}->>${idOf.get(m.to)}: ${escapeText(m.label)}`);
  });
  if (loop !== undefined) lines.push('  end');
  return lines.join('\n') + '\n';
}
