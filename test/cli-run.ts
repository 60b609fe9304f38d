/** Runs the vnicspec command line in-process with captured output, and checks its error lines (shared by the CLI tests). */
import { expect } from 'vitest';
import { main, type CliIo } from '../src/cli/main.js';

export interface Run {
  code: number;
  out: string;
  err: string;
}

export async function run(...argv: string[]): Promise<Run> {
  return runWith({}, ...argv);
}

/** `run` with more of the CLI's io set (a progress stream, a signal); `io.out` and `io.err` see the text too. */
export async function runWith(io: Partial<CliIo>, ...argv: string[]): Promise<Run> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    ...io,
    out: (s) => {
      out += s;
      io.out?.(s);
    },
    err: (s) => {
      err += s;
      io.err?.(s);
    },
  });
  return { code, out, err };
}

/** Exactly one line of diagnostics starting 'vnicspec: ', no stack trace, nothing on stdout; exit `code` (default 2). */
export function expectOneLineError(r: Run, expected: { code?: number; pattern?: RegExp } = {}): void {
  expect(r.code).toBe(expected.code ?? 2);
  expect(r.out).toBe('');
  expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  expect(r.err).toMatch(/^vnicspec: /);
  expect(r.err).not.toMatch(/\n\s+at /);
  if (expected.pattern) expect(r.err).toMatch(expected.pattern);
}
