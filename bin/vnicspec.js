#!/usr/bin/env node
// Launcher: the TypeScript sources are compiled to dist/ by `npm run build` (run by `npm ci` through `prepare`).
// The command line runs on a worker thread (dist/src/cli/host.js) so this thread can catch Ctrl-C during a long
// synchronous run, restore the terminal whatever happens, and report running out of memory instead of crashing.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'src', 'cli', 'host.js');
if (!existsSync(entry)) {
  process.stderr.write('vnicspec: not built yet; run `npm run build` (npm ci does this through `prepare`).\n');
  process.exit(2);
}
const { runOnWorker } = await import(entry);
process.exitCode = await runOnWorker(process.argv.slice(2));
