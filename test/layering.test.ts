import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect, it } from 'vitest';

/** The engines know nothing about NICs: nothing under these folders imports from spec/ or properties/. */
const ENGINES = ['src/machine', 'src/network', 'src/sim', 'src/explore', 'src/trace'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Public entry points that are domain-free too: `vnicspec/explore` is for models of one's own. */
const DOMAIN_FREE_ENTRIES = ['src/api/explore.ts'];

const importsSpec = (f: string): boolean => /from\s+['"](?:[^'"]*\/)?(?:spec|properties)\//.test(readFileSync(f, 'utf8'));

it('engine modules never import the specification', () => {
  expect(ENGINES.flatMap(files).filter(importsSpec)).toEqual([]);
});

it('the domain-free entry points never import the specification', () => {
  expect(DOMAIN_FREE_ENTRIES.filter(importsSpec)).toEqual([]);
});

/** The mutant catalogue is read by `vnicspec mutants` alone: the specified machines and properties carry no mutant code path. */
const MUTANT_READERS = ['src/api/mutants.ts'];
const CATALOGUE = join('spec', 'mutants');

/** Whether a module imports anything from spec/mutants/ (its relative imports resolved against its folder). */
const importsCatalogue = (f: string): boolean =>
  [...readFileSync(f, 'utf8').matchAll(/from\s+['"](\.[^'"]*)['"]/g)].some((m) => join(dirname(f), m[1]!).startsWith(CATALOGUE + '/'));

it('only the mutants command reads the mutant catalogue; the specification and properties never import it', () => {
  const outside = ['spec', 'properties', 'src'].flatMap(files).filter((f) => !f.startsWith(CATALOGUE + '/'));
  expect(outside.filter(importsCatalogue)).toEqual(MUTANT_READERS);
});
