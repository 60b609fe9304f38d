/**
 * What every command shares: the injectable I/O, the usage error (exit 2), the exit codes, and the `CliCommand`
 * shape. A command is a folder here, `NAME/index.ts` exporting a `CliCommand`; main.ts registers it with one line in
 * its COMMANDS list. Commands are a layer over the library (src/api): they parse flags, call it, and print.
 */
import type { Command } from 'commander';
import { InputError } from '../../api/errors.js';

export const EXIT = {
  ok: 0,
  /** An invariant or property does not hold (simulate, check), or the specification failed. */
  violated: 1,
  /** Bad command line, unknown scenario, unreadable or invalid scenario file. */
  usage: 2,
  /** Stopped before the end — a bound, --timeout, Ctrl-C, the memory budget: nothing proven, or a partial report. */
  incomplete: 3,
  internal: 70,
} as const;

/** Exit-code section appended to every help page. */
export const EXIT_CODES_HELP = `Exit codes:
  0   ok
  1   invariant violated / property violated (or specification error)
  2   bad input: unknown option or value, unknown scenario, invalid scenario file
  3   incomplete: a bound, --timeout, Ctrl-C or the memory budget stopped it (check: nothing
      proven; simulate, sweep: the report of what was done, marked partial)
  70  internal error`;

export interface CliIo {
  /** Standard output: the results (and nothing else with --json). */
  out(text: string): void;
  /** Standard error: diagnostics, timings. */
  err(text: string): void;
  /** A terminal to draw progress bars on; absent when stderr is not a TTY (or in tests). */
  readonly progressStream?: NodeJS.WritableStream;
  /**
   * When stderr is no terminal (a log file, CI): how often long commands (check, simulate) write a plain progress
   * line to `err`, as TLC does on long runs; absent: never (and in tests unless set).
   */
  readonly progressLogEveryMs?: number;
  /**
   * Ctrl-C: aborted when the user interrupts (bin/vnicspec.js: SIGINT or SIGTERM; see ../interrupt.ts). Long
   * commands then stop, print what they did so far marked partial, and exit 3. Absent: never interrupted.
   */
  readonly interrupt?: AbortSignal;
  /** Width for wrapping help text (default 80). */
  readonly columns?: number;
}

export interface CliContext {
  readonly io: CliIo;
}

/** Builds one subcommand; its action reports its exit code through `action` below. */
export type CliCommand = (ctx: CliContext, done: (exitCode: number) => void) => Command;

/**
 * Bad input found after commander parsed the command line: printed as `vnicspec: <message>`, exit 2. The library's
 * InputError, which the API throws for the same problems, is printed the same way (UsageError is one).
 */
export class UsageError extends InputError {
  override name = 'UsageError';
}

/**
 * Adapts a handler returning an exit code to commander's action signature (the command comes last in its
 * arguments; the handler reads typed options from it).
 */
export function action(done: (exitCode: number) => void, run: (cmd: Command) => Promise<number> | number): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    done(await run(cmd));
  };
}

/** Help epilogue: examples, then exit codes. */
export function epilogue(examples: readonly (readonly [command: string, what: string])[]): string {
  const lines = examples.map(([c, what]) => `  $ ${c}\n      ${what}`);
  return `\nExamples:\n${lines.join('\n')}\n\n${EXIT_CODES_HELP}\n`;
}
