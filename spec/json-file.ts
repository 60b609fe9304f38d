/**
 * What the user's JSON files (scenarios, calibration profiles, system files, the paper's figures) share: reading
 * one with a named error, zod issues as `file: field: message` lines, and the fields every file may have. One module,
 * so that every file's errors read alike.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseJsonText } from '../src/util/json-text.js';

/** A loaded value, or the one-line-per-problem message naming the file and field. */
export type Loaded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** `vms[1].qos.rateMbps: must be > 0` — one line per problem, prefixed by `where`. */
export function formatIssues(error: z.ZodError, where: string): string {
  return error.issues
    .map((i) => {
      const path = i.path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc === '' ? String(k) : `${acc}.${String(k)}`), '');
      return `${where}: ${path === '' ? '(top level)' : path}: ${i.message}`;
    })
    .join('\n');
}

/** The JSON in file `path` (a byte-order mark is dropped), or why it cannot be read or parsed, prefixed by the path. */
export function readJsonFile(path: string): Loaded<unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return { ok: false, error: `${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  const r = parseJsonText(text);
  return r.ok ? r : { ok: false, error: `${path}: ${r.error}` };
}

/** `"$schema"`: the JSON Schema an editor validates the file against (schemas/*.schema.json); ignored here. */
export const schemaRef = z.string().optional().describe('The JSON Schema an editor validates this file against; ignored by vnicspec.');

/** A name printed in tables and reports: some visible character, at most 64 characters. */
export const visibleName = (what: string) =>
  z
    .string(`must be a string (${what})`)
    .min(1, 'must not be empty')
    .max(64, 'must be at most 64 characters long')
    .refine((s) => /[^\s\p{C}]/u.test(s), 'must contain a visible character');
