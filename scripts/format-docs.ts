/**
 * The field tables of docs/formats/*.md, written from a format's JSON Schema: each field's type and range, its
 * default, and its description — the same text an editor shows from the schema. `npm run docs` rewrites the part
 * of each page between the markers below; test/schemas.test.ts fails when a page is out of date.
 */

type Schema = Readonly<Record<string, unknown>>;

export const BEGIN = '<!-- fields: generated from the zod schema by `npm run docs`; edit spec/, not this table -->';
export const END = '<!-- end of generated fields -->';

const isSchema = (x: unknown): x is Schema => x !== null && typeof x === 'object' && !Array.isArray(x);
const props = (s: Schema): Record<string, Schema> | undefined => (isSchema(s['properties']) ? (s['properties'] as Record<string, Schema>) : undefined);
const variants = (s: Schema): Schema[] | undefined => ((s['oneOf'] ?? s['anyOf']) as Schema[] | undefined)?.filter(isSchema);
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

/** 1e-9, 0.5, 1600, 67,108,864; 2^53 − 1 for the largest safe integer. */
function num(n: unknown): string {
  if (n === Number.MAX_SAFE_INTEGER) return '2^53 − 1';
  if (typeof n === 'number' && Number.isInteger(n) && Math.abs(n) >= 10_000) return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return String(n);
}

/** `integer 64–9216`, `0, or number 1e-9–9,007,199`, `` `strict` | `wrr` ``, `string (≤ 64 chars)`, `list (1–64)`. */
export function typeOf(s: Schema): string {
  if (Array.isArray(s['enum'])) return (s['enum'] as unknown[]).map((v) => `\`${String(v)}\``).join(' | ');
  if (s['const'] !== undefined) return `\`${JSON.stringify(s['const'])}\``;
  const alternatives = variants(s);
  if (alternatives !== undefined) {
    const zero = alternatives.find((v) => v['const'] === 0);
    const range = alternatives.find((v) => v !== zero);
    if (zero !== undefined && range !== undefined && alternatives.length === 2 && typeof s['type'] === 'string') return `0, or ${typeOf({ type: s['type'], ...range })}`;
    return alternatives.map((v) => (props(v) !== undefined ? `{ ${Object.keys(props(v)!).map((k) => `"${k}"`).join(', ')} }` : typeOf(v))).join(' or ');
  }
  switch (s['type']) {
    case 'integer':
    case 'number': {
      const lo = s['minimum'] ?? (s['exclusiveMinimum'] !== undefined ? `>${num(s['exclusiveMinimum'])}` : undefined);
      const hi = s['maximum'];
      const range = lo !== undefined && hi !== undefined ? ` ${typeof lo === 'string' ? lo : num(lo)}–${num(hi)}` : lo !== undefined ? ` ≥ ${num(lo)}` : hi !== undefined ? ` ≤ ${num(hi)}` : '';
      return `${String(s['type'])}${range}`;
    }
    case 'string':
      return s['maxLength'] !== undefined ? `string (≤ ${num(s['maxLength'])} chars)` : 'string';
    case 'boolean':
      return 'boolean';
    case 'array': {
      const lo = s['minItems'];
      const hi = s['maxItems'];
      return `list${lo !== undefined || hi !== undefined ? ` (${num(lo ?? 0)}–${hi !== undefined ? num(hi) : '…'})` : ''}`;
    }
    case 'object':
      if (props(s) === undefined && isSchema(s['additionalProperties'])) return `object: key → ${typeOf(s['additionalProperties'] as Schema)}`;
      return 'object';
    default:
      return 'any';
  }
}

function defaultOf(s: Schema, required: boolean): string {
  if (required) return 'required';
  const d = s['default'];
  if (d === undefined) return '—';
  if (isSchema(d)) return 'see below';
  return `\`${JSON.stringify(d)}\``;
}

interface Section {
  readonly heading: string;
  readonly intro: string | undefined;
  readonly schema: Schema;
}

/** The object schemas to tabulate, depth first: the top level, nested objects, list items, and union variants. */
function sectionsOf(s: Schema, path: string, heading: string, intro: string | undefined, out: Section[]): void {
  const fields = props(s);
  if (fields === undefined) {
    for (const v of variants(s)?.filter((x) => props(x) !== undefined) ?? []) {
      const tag = Object.entries(props(v)!).find(([, f]) => f['const'] !== undefined);
      const which = tag !== undefined ? `with \`"${tag[0]}": ${JSON.stringify(tag[1]['const'])}\`` : `as \`{ "${Object.keys(props(v)!).join('", "')}" }\``;
      sectionsOf(v, path, `${heading} ${which}`, (v['description'] as string | undefined) ?? intro, out);
    }
    return;
  }
  out.push({ heading, intro, schema: s });
  for (const [name, f] of Object.entries(fields)) {
    const child = path === '' ? name : `${path}.${name}`;
    const description = f['description'] as string | undefined;
    if (f['type'] === 'array' && isSchema(f['items'])) sectionsOf(f['items'] as Schema, `${child}[i]`, `\`${child}[i]\``, description, out);
    else if (props(f) !== undefined || variants(f)?.some((v) => props(v) !== undefined)) sectionsOf(f, child, `\`${child}\``, description, out);
    else if (isSchema(f['additionalProperties'])) sectionsOf(f['additionalProperties'] as Schema, `${child}.KEY`, `\`${child}.KEY\``, undefined, out);
  }
}

function table(s: Schema): string[] {
  const required = new Set((s['required'] as string[] | undefined) ?? []);
  const rows = Object.entries(props(s)!).map(([name, f]) => `| \`${name}\` | ${cell(typeOf(f))} | ${defaultOf(f, required.has(name))} | ${cell((f['description'] as string | undefined) ?? '')} |`);
  return ['| field | type | default | meaning |', '|---|---|---|---|', ...rows];
}

/** The generated block, markers included. */
export function fieldTables(schema: Schema): string {
  const sections: Section[] = [];
  sectionsOf(schema, '', 'Top level', undefined, sections);
  const lines = [BEGIN];
  for (const s of sections) {
    lines.push('', `### ${s.heading}`, '');
    if (s.intro !== undefined) lines.push(cell(s.intro), '');
    lines.push(...table(s.schema));
  }
  lines.push('', END);
  return lines.join('\n');
}

/** `page` with its generated block replaced; throws when the page has no markers. */
export function withFieldTables(page: string, schema: Schema): string {
  // The opening marker is found by its start, so that its wording may change.
  const from = page.indexOf(BEGIN.slice(0, BEGIN.indexOf(':') + 1));
  const to = page.indexOf(END);
  if (from < 0 || to < from) throw new Error(`the page has no ${BEGIN} … ${END} block`);
  return page.slice(0, from) + fieldTables(schema) + page.slice(to + END.length);
}
