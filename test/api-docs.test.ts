/**
 * The public entry points (package.json `exports`) are small and documented: every name they export is declared
 * with a TSDoc comment (on the declaration itself, which is what editors show), each entry opens with a comment
 * that says what it is for, and no entry re-exports a whole module (`export *`), so the surface is chosen.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');

interface PackageJson {
  exports: Record<string, string | { types?: string; default?: string }>;
}

/** `./dist/src/api/explore.d.ts` → `src/api/explore.ts` */
function entrySources(): [subpath: string, source: string][] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageJson;
  return Object.entries(pkg.exports).flatMap(([subpath, target]) =>
    typeof target === 'object' && target.types !== undefined
      ? [[subpath, target.types.replace(/^\.\/dist\//, '').replace(/\.d\.ts$/, '.ts')] as [string, string]]
      : [],
  );
}

const read = (file: string): string => readFileSync(join(root, file), 'utf8');

/** `export { a, type B, c as d } from './x.js'` → [{ exported: 'd', local: 'c', from: 'dir/x.ts' }, …] */
function reExports(file: string, text: string): { exported: string; local: string; from: string }[] {
  const out: { exported: string; local: string; from: string }[] = [];
  for (const m of text.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}\s*from\s*['"]([^'"]+)['"]/g)) {
    const from = relative(root, resolve(root, dirname(file), m[2]!.replace(/\.js$/, '.ts')));
    for (const part of m[1]!.split(',')) {
      const spec = part.trim().replace(/^type\s+/, '');
      if (spec === '') continue;
      const [local, exported] = spec.split(/\s+as\s+/);
      out.push({ exported: (exported ?? local)!.trim(), local: local!.trim(), from });
    }
  }
  return out;
}

/** Names declared with `export function|const|class|…` in `text`. */
function localExports(text: string): string[] {
  return [...text.matchAll(/^export\s+(?:declare\s+)?(?:async\s+)?(?:abstract\s+)?(?:function\*?|const|let|class|interface|type|enum)\s+([A-Za-z_$][\w$]*)/gm)].map((m) => m[1]!);
}

/** Where `name` is declared (following re-exports), and whether a `/** … *\/` comment sits right above it. */
function documented(file: string, name: string, seen = new Set<string>()): { file: string; ok: boolean } {
  const key = `${file}#${name}`;
  if (seen.has(key)) throw new Error(`re-export cycle at ${key}`);
  seen.add(key);
  const text = read(file);
  const decl = new RegExp(`^export\\s+(?:declare\\s+)?(?:async\\s+)?(?:abstract\\s+)?(?:function\\*?|const|let|class|interface|type|enum)\\s+${name.replace(/\$/g, '\\$')}\\b`, 'm').exec(text);
  if (decl !== null) {
    const before = text.slice(0, decl.index).trimEnd();
    const open = before.lastIndexOf('/**');
    const ok = before.endsWith('*/') && open >= 0 && !before.slice(open + 3, -2).includes('*/');
    return { file, ok };
  }
  const hop = reExports(file, text).find((r) => r.exported === name);
  return hop === undefined ? { file: `${file}: no declaration found`, ok: false } : documented(hop.from, hop.local, seen);
}

describe.each(entrySources())('vnicspec%s', (subpath, source) => {
  const text = read(source);
  const names = [...reExports(source, text).map((r) => r.exported), ...localExports(text)];

  it('opens with a comment saying what the entry point is for, and chooses its exports', () => {
    expect(text.trimStart().startsWith('/**'), `${source} should open with a /** … */ comment`).toBe(true);
    expect(text).not.toMatch(/export\s+\*/);
    expect(names.length).toBeGreaterThan(0);
  });

  it('documents every export where it is declared', () => {
    const missing = names.filter((n) => !documented(source, n).ok).map((n) => `${n} (${documented(source, n).file})`);
    expect(missing, `exports of 'vnicspec${subpath.slice(1)}' without a TSDoc comment`).toEqual([]);
  });
});
