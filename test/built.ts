/**
 * Some tests run compiled JavaScript: a real `vnicspec` process (bin/vnicspec.js loads dist/), or worker threads,
 * which Node 20 cannot start from TypeScript sources. `ensureBuilt` compiles the project into dist/ unless dist is
 * newer than every source file, holding a lock directory so that two test files do not build at once.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..');

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts') || e.name.endsWith('.json')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function fresh(): boolean {
  const marker = join(ROOT, 'dist', 'src', 'cli', 'main.js');
  if (!existsSync(marker)) return false;
  const built = statSync(marker).mtimeMs;
  return ['src', 'spec', 'properties', 'bench'].every((d) => newestSource(join(ROOT, d)) <= built);
}

export function ensureBuilt(): void {
  const lock = join(ROOT, 'dist.lock');
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another test file is building: wait for it.
      execFileSync(process.execPath, ['-e', 'setTimeout(() => {}, 200)']);
    }
  }
  try {
    if (!fresh()) execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
