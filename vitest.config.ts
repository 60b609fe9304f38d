import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Tests import the public API by its package name (`vnicspec`, `vnicspec/explore`, …), as users do; here those
 * names resolve to the TypeScript entry points the exports map's built files come from, so tests never run
 * against a stale build. test/package.test.ts checks the real exports map on an installed tarball.
 */
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { exports: Record<string, unknown> };
const alias = Object.entries(pkg.exports).flatMap(([subpath, target]) => {
  const built = typeof target === 'object' && target !== null ? (target as { default?: string }).default : undefined;
  if (built === undefined) return [];
  const source = built.replace(/^\.\/dist\//, './').replace(/\.js$/, '.ts');
  return [{ find: new RegExp(`^${`vnicspec${subpath.slice(1)}`.replace(/[/.]/g, '\\$&')}$`), replacement: fileURLToPath(new URL(source, import.meta.url)) }];
});

export default defineConfig({
  resolve: { alias },
  test: {
    include: ['test/**/*.test.ts'],
    // Exhaustive checks and simulations are CPU-bound: two workers match this 2-core machine.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
  },
});
