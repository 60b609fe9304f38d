/**
 * JSON Schemas of the files users write, generated from the zod schemas that validate them (zod 4's
 * `toJSONSchema`), so editors can check and complete a file as it is typed. The schemas are committed in schemas/
 * and shipped in the package; each built-in file names its schema with `"$schema"`.
 *
 *   npm run docs               rewrite schemas/*.schema.json and the field tables of docs/formats/*.md (scripts/docs.ts)
 *   test/schemas.test.ts       fails when either is not what the zod schema generates today
 *
 * A new file format is one entry in FILE_FORMATS.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { calibrationSchema, scenarioSchema } from '../spec/scenario.js';
import { systemSchema } from '../spec/system-file.js';
import { withFieldTables } from './format-docs.js';

/** A file format users write: its zod schema and where its schema, documentation and built-in examples live. */
export interface FileFormat {
  /** schemas/NAME.schema.json */
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly schema: z.ZodType;
  /** The page describing the format field by field. */
  readonly docs: string;
  /** A folder of built-in files in this format (each names the schema with "$schema"). */
  readonly builtIn?: string;
}

export const FILE_FORMATS: readonly FileFormat[] = [
  {
    name: 'scenario',
    title: 'vnicspec scenario',
    description: 'A scenario for `vnicspec simulate --scenario FILE`: the NIC, the VMs and their QoS, the traffic streams. See docs/formats/scenario.md.',
    schema: scenarioSchema,
    docs: 'docs/formats/scenario.md',
    builtIn: 'spec/scenarios',
  },
  {
    name: 'calibration',
    title: 'vnicspec calibration profile',
    description: "CPU demands per operation and the NIC's DMA timing, named by a scenario's `calibration` field. See docs/formats/calibration.md.",
    schema: calibrationSchema,
    docs: 'docs/formats/calibration.md',
    builtIn: 'spec/calibration',
  },
  {
    name: 'system',
    title: 'vnicspec system',
    description: 'A system for `vnicspec check --system FILE`: the VMs with their QoS, the packet sizes, the traffic and drivers the environment may use, the NIC, churn. See docs/formats/system.md.',
    schema: systemSchema,
    docs: 'docs/formats/system.md',
    builtIn: 'spec/systems',
  },
];

/** The repository root: scripts/ from source, dist/scripts/ when built. */
export const repoRoot = (): string => {
  const here = dirname(fileURLToPath(import.meta.url));
  return resolve(here, here.endsWith(join('dist', 'scripts')) ? '../..' : '..');
};

/** Where a format's schema is committed, relative to the repository root. */
export const schemaPath = (f: FileFormat): string => `schemas/${f.name}.schema.json`;

/**
 * The JSON Schema of a file as it is written, not as it is parsed: `io: 'input'` keeps fields with defaults
 * optional. Cross-field rules (unique VM names, streams naming a VM) cannot be expressed and are checked on load.
 */
export function jsonSchema(f: FileFormat): Record<string, unknown> {
  const generated = z.toJSONSchema(f.schema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' });
  const { $schema, ...rest } = generated as Record<string, unknown>;
  return { $schema, title: f.title, description: f.description, ...rest };
}

/** The committed text: two-space JSON and a final newline. */
export const schemaText = (f: FileFormat): string => `${JSON.stringify(jsonSchema(f), null, 2)}\n`;

/** The format's documentation page with its field tables regenerated from the schema. */
export const docsText = (f: FileFormat, page: string): string => withFieldTables(page, jsonSchema(f));
