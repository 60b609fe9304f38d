import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { expect, it } from 'vitest';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every module specifier of a file: `import … from`, `export … from`, `import '…'` and `import('…')`. */
const specifiers = (f: string): string[] =>
  [...readFileSync(f, 'utf8').matchAll(/(?:\bfrom\s+|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]!);

/** The repository files a module imports (relative specifiers resolved against its folder; `.js` names the `.ts`). */
function importsOf(f: string): string[] {
  return specifiers(f)
    .filter((s) => s.startsWith('.'))
    .map((s) => normalize(join(dirname(f), s)).replace(/\.js$/, '.ts'))
    .map((p) => (existsSync(p) ? p : existsSync(join(p, 'index.ts')) ? join(p, 'index.ts') : p));
}

/** Each module `from` reaches through imports, with the chain that reaches it (for the failure message). */
function reachable(from: readonly string[]): Map<string, string[]> {
  const chains = new Map<string, string[]>(from.map((f) => [f, [f]]));
  const queue = [...from];
  for (let f = queue.shift(); f !== undefined; f = queue.shift()) {
    if (!f.endsWith('.ts') || !existsSync(f)) continue;
    for (const g of importsOf(f)) {
      if (chains.has(g)) continue;
      chains.set(g, [...chains.get(f)!, g]);
      queue.push(g);
    }
  }
  return chains;
}

/** The chains from `from` to any module under one of `forbidden`'s folders. */
function reaching(from: readonly string[], forbidden: readonly string[]): string[] {
  return [...reachable(from)].filter(([f]) => forbidden.some((d) => f.startsWith(d + '/'))).map(([, chain]) => chain.join(' -> '));
}

/** The engines know nothing about NICs, nor about the library or command line built on them. */
const ENGINES = ['src/machine', 'src/network', 'src/sim', 'src/explore', 'src/trace'];

it('the import graph is read: a module known to import the specification is seen to', () => {
  expect(importsOf('src/api/check.ts')).toContain('spec/checked/config.ts');
  expect(reaching(['src/cli/main.ts'], ['spec']).length).toBeGreaterThan(0);
});

it('engine modules never reach the specification, the properties, the library or the command line, even indirectly', () => {
  expect(reaching(ENGINES.flatMap(files), ['spec', 'properties', 'src/api', 'src/cli'])).toEqual([]);
});

/** Public entry points that are domain-free too: `vnicspec/explore` is for models of one's own. */
const DOMAIN_FREE_ENTRIES = ['src/api/explore.ts'];

it('the domain-free entry points never reach the specification', () => {
  expect(reaching(DOMAIN_FREE_ENTRIES, ['spec', 'properties'])).toEqual([]);
});

it('the library (src/api) never reaches the command line (src/cli): the command line is a layer over it', () => {
  expect(reaching(files('src/api'), ['src/cli'])).toEqual([]);
});

/** The mutant catalogue is read by `vnicspec mutants` alone: the specified machines and properties carry no mutant code path. */
const MUTANT_READERS = ['src/api/mutants.ts'];
const CATALOGUE = join('spec', 'mutants');

/** Whether a module imports anything from spec/mutants/ (its relative imports resolved against its folder). */
const importsCatalogue = (f: string): boolean => importsOf(f).some((g) => g.startsWith(CATALOGUE + '/'));

it('only the mutants command reads the mutant catalogue; the specification and properties never import it', () => {
  const outside = ['spec', 'properties', 'src'].flatMap(files).filter((f) => !f.startsWith(CATALOGUE + '/'));
  expect(outside.filter(importsCatalogue)).toEqual(MUTANT_READERS);
});
