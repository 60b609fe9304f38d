import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

/** The engines know nothing about NICs: nothing under these folders imports from spec/ or properties/. */
const ENGINES = ['src/machine', 'src/network', 'src/sim', 'src/explore', 'src/trace'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

it('engine modules never import the specification', () => {
  const offenders = ENGINES.flatMap(files).filter((f) => /from\s+['"][^'"]*(spec|properties)\//.test(readFileSync(f, 'utf8')));
  expect(offenders).toEqual([]);
});
