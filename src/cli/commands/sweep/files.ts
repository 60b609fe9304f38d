/** Writing a command's output files into its --out directory (sweep, merge, reproduce). */
import { mkdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { errnoText } from '../../check-trace.js';
import { printable } from '../../../api/safe-text.js';
import { UsageError, type CliIo } from '../command.js';

/** What exit code 3 means for the commands that write files (sweep, merge, reproduce). */
export const PARTIAL_NOTE = '  (here 3 means: stopped by Ctrl-C or --timeout; the files written are marked partial)\n';

/** Before any work: `dir` exists (created if missing) and a file can be written in it. */
export function prepareOut(dir: string): void {
  try {
    const st = statSync(dir, { throwIfNoEntry: false });
    if (st !== undefined && !st.isDirectory()) throw new UsageError(`--out: '${printable(dir)}' exists and is not a directory`);
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`--out: cannot create '${printable(dir)}' (${errnoText(e)})`);
  }
  const probe = join(dir, `.vnicspec-write-test-${process.pid}`);
  try {
    writeFileSync(probe, '');
    unlinkSync(probe);
  } catch (e) {
    throw new UsageError(`--out: cannot write into '${printable(dir)}' (${errnoText(e)})`);
  }
}

/**
 * Writes `name → text` under `dir` (names may have a sub-directory: charts/x.svg); returns the paths written. With
 * `io`, a file that cannot be written (the disk filled up during a long run) does not end the command — its result
 * and exit code stand: it is named on stderr, and `main`'s text goes to stdout instead so it is not lost.
 */
export function writeFiles(dir: string, files: Readonly<Record<string, string>>, io?: Pick<CliIo, 'out' | 'err'>, main?: string): string[] {
  return Object.entries(files).flatMap(([name, text]) => {
    const path = join(dir, name);
    try {
      if (name.includes('/')) mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
      return [path];
    } catch (e) {
      if (io === undefined) throw e;
      io.err(`vnicspec: --out: cannot write '${printable(path)}' (${errnoText(e)})${name === main ? '; it follows on stdout' : ''}\n`);
      if (name === main) io.out(text);
      return [];
    }
  });
}
