/**
 * Worker threads need JavaScript: a module URL of a TypeScript source (tests run the sources through vitest) is
 * mapped to its compiled twin under dist/ (npm run build), which has the same path with `.js`.
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The package root above `file`: the nearest directory holding package.json. */
function rootOf(file: string): string {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${file}`);
  }
}

/** `url` itself for a JavaScript module; for `<root>/x/y.ts`, `<root>/dist/x/y.js`. */
export function compiledModuleUrl(url: string): string {
  if (!url.endsWith('.ts')) return url;
  const file = fileURLToPath(url);
  const root = rootOf(file);
  return pathToFileURL(join(root, 'dist', relative(root, file).replace(/\.ts$/, '.js'))).href;
}
