/**
 * The JSON Schemas in schemas/ are what the zod schemas generate today, an independent validator (ajv) accepts every
 * built-in and example file with them and rejects what vnicspec rejects, every such file names its schema, and
 * each format's page in docs/formats/ mentions every field.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { BEGIN, END } from '../scripts/format-docs.js';
import { FILE_FORMATS, docsText, jsonSchema, repoRoot, schemaPath, schemaText, type FileFormat } from '../scripts/schemas.js';

const root = repoRoot();
const read = (path: string): string => readFileSync(join(root, path), 'utf8');
const json = (path: string): Record<string, unknown> => JSON.parse(read(path)) as Record<string, unknown>;
/** The JSON files under `dir`, recursively, sorted. */
function jsonFiles(dir: string): string[] {
  if (!existsSync(join(root, dir))) return [];
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .map((f) => `${dir}/${f.split(sep).join('/')}`)
    .sort();
}

/** Names this format's schema in `"$schema"`. */
const names = (f: FileFormat, data: Record<string, unknown>): boolean => String(data['$schema'] ?? '').endsWith(`/${schemaPath(f)}`);

/**
 * Files in this format: under its built-in folder and examples/, every JSON file vnicspec accepts as one, and every
 * one that names its schema (other JSON files may live there, e.g. spec/calibration/paper-figures.json).
 */
function filesOf(f: FileFormat): string[] {
  const candidates = [...(f.builtIn !== undefined ? jsonFiles(f.builtIn) : []), ...jsonFiles('examples')];
  return candidates.filter((p) => {
    const data = json(p);
    return names(f, data) || f.schema.safeParse(data).success;
  });
}

/** Every property name anywhere in a JSON Schema. */
function propertyNames(schema: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) for (const s of schema) propertyNames(s, out);
  else if (schema !== null && typeof schema === 'object') {
    for (const [k, v] of Object.entries(schema)) {
      if (k === 'properties' && v !== null && typeof v === 'object') for (const name of Object.keys(v)) out.add(name);
      if (k !== 'default') propertyNames(v, out);
    }
  }
  return out;
}

/** Small changes to a valid file that vnicspec refuses; the JSON Schema must refuse them too. */
const BROKEN: Record<string, readonly ((valid: Record<string, unknown>) => unknown)[]> = {
  scenario: [
    (s) => ({ ...s, surprise: 1 }),
    (s) => ({ ...s, vms: [] }),
    (s) => ({ ...s, arch: 'sr-iov' }),
    (s) => ({ ...s, durationS: 0 }),
    (s) => ({ ...s, warmupS: -1 }),
    (s) => ({ ...s, warmupS: 'none' }),
    (s) => ({ ...s, seed: 1.5 }),
    (s) => ({ ...s, vms: [{ name: 'vm1', qos: { rateMbps: -1 } }] }),
    (s) => ({ ...s, streams: [{ kind: 'open-loop', vm: 'vm1' }] }),
    (s) => ({ ...s, streams: [{ kind: 'trickle', vm: 'vm1', rate: 1 }] }),
    (s) => ({ ...s, system: 5 }),
    (s) => {
      const { name: _, ...rest } = s;
      return rest;
    },
  ],
  system: [
    (s) => ({ ...s, surprise: 1 }),
    (s) => ({ ...s, vms: [] }),
    (s) => ({ ...s, arch: 'native' }),
    (s) => ({ ...s, sizes: [0] }),
    (s) => ({ ...s, sizes: [1.5] }),
    (s) => ({ ...s, vms: [{ qos: { rate: 0 } }] }),
    (s) => ({ ...s, vms: [{ traffic: 'bursty' }] }),
    (s) => ({ ...s, vms: [{ driver: 'evil' }] }),
    (s) => ({ ...s, nic: { msiVectors: 0 } }),
    (s) => ({ ...s, churn: { enabled: 'yes' } }),
    (s) => {
      const { vms: _, ...rest } = s;
      return rest;
    },
  ],
  calibration: [
    (c) => ({ ...c, surprise: 1 }),
    (c) => ({ ...c, demandsNs: { 'vm.app': -1 } }),
    (c) => ({ ...c, nic: { dmaSetupNs: 500 } }),
    (c) => ({ ...c, serviceTime: { distribution: 'lognormal' } }),
    (c) => ({ ...c, serviceTime: { distribution: 'exponential', cv: 0.5 } }),
    (c) => ({ ...c, serviceTime: { distribution: 'gamma' } }),
    (c) => ({ ...c, demandsNs: { 'vm.app': { meanNs: 1000, distribution: 'lognormal' } } }),
    (c) => ({ ...c, demandsNs: { 'vm.app': { meanNs: 1000, distribution: 'deterministic', cv: 0.2 } } }),
    (c) => ({ ...c, demandsNs: { 'vm.app': { meanNs: 1000, cv: 11 } } }),
    (c) => ({ ...c, demandsNs: { 'vm.app': { distribution: 'exponential' } } }),
    (c) => {
      const { nic: _, ...rest } = c;
      return rest;
    },
  ],
};

describe.each(FILE_FORMATS.map((f) => [f.name, f] as const))('%s files', (name, format) => {
  const schema = jsonSchema(format);

  it(`${schemaPath(format)} is up to date (else run: npm run docs)`, () => {
    expect(read(schemaPath(format))).toBe(schemaText(format));
  });

  it('every built-in and example file names its schema, and vnicspec and the JSON Schema both accept it', () => {
    const validate = new Ajv2020({ allErrors: true }).compile(schema);
    const files = filesOf(format);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const data = json(file);
      const expected = relative(dirname(resolve(root, file)), resolve(root, schemaPath(format)));
      expect(data['$schema'], `${file}: "$schema"`).toBe(expected);
      expect(format.schema.safeParse(data).success, `${file}: vnicspec accepts it`).toBe(true);
      expect(validate(data), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('the JSON Schema refuses what vnicspec refuses', () => {
    const validate = new Ajv2020({ allErrors: true }).compile(schema);
    const valid = json(filesOf(format)[0]!);
    for (const breakIt of BROKEN[name] ?? []) {
      const bad = breakIt(valid);
      expect(format.schema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
      expect(validate(bad), JSON.stringify(bad)).toBe(false);
    }
    expect(BROKEN[name]?.length ?? 0).toBeGreaterThan(0);
  });

  it(`${format.docs}: its JSON examples are valid files`, () => {
    const blocks = [...read(format.docs).matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!) as unknown);
    expect(blocks.length).toBeGreaterThan(0);
    const validate = new Ajv2020({ allErrors: true }).compile(schema);
    for (const b of blocks) {
      expect(format.schema.safeParse(b).success, JSON.stringify(b)).toBe(true);
      expect(validate(b), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it(`${format.docs}: its field tables are up to date (else run: npm run docs), and it names the schema`, () => {
    const page = read(format.docs);
    expect(page).toBe(docsText(format, page));
    const tables = page.slice(page.indexOf(BEGIN), page.indexOf(END));
    const missing = [...propertyNames(schema)].filter((field) => !tables.includes(`| \`${field}\` |`));
    expect(missing).toEqual([]);
    expect(page).toContain(`schemas/${format.name}.schema.json`);
  });
});
