/** Writing a command's output files into its --out directory (sweep, merge, reproduce). */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../command.js';

/** What exit code 3 means for the commands that write files (sweep, merge, reproduce). */
export const PARTIAL_NOTE = '  (here 3 means: stopped by Ctrl-C or --timeout; the files written are marked partial)\n';

export function prepareOut(dir: string): void {
  try {
    const st = statSync(dir, { throwIfNoEntry: false });
    if (st !== undefined && !st.isDirectory()) throw new UsageError(`--out: '${dir}' exists and is not a directory`);
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`--out: cannot create '${dir}' (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** Writes `name → text` under `dir` (names may have a sub-directory: charts/x.svg); returns the paths. */
export function writeFiles(dir: string, files: Readonly<Record<string, string>>): string[] {
  return Object.entries(files).map(([name, text]) => {
    const path = join(dir, name);
    if (name.includes('/')) mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    return path;
  });
}
