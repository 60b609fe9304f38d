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

/** An exit code of `EXIT`. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * What each exit code a command can return means for that command; a help page lists exactly these (70, an
 * internal error, is always listed: any command can have a bug).
 */
export type ExitCodes = Partial<Record<Exclude<ExitCode, 70>, string>>;

/** The codes of `vnicspec --help`: what every command's codes mean in general. */
export const ALL_EXIT_CODES: ExitCodes = {
  0: 'ok: the run completed; every property or invariant checked held',
  1: 'a property or runtime invariant is violated, or the specification failed',
  2: 'bad input: an unknown option or value, an unknown scenario, an invalid file',
  3: 'incomplete: a bound, --timeout, Ctrl-C or the memory budget stopped it (check: nothing proven; simulate, sweep, reproduce: the report of what was done, marked partial)',
};

/** The exit-code section of a help page, each meaning wrapped under its code. */
export function exitCodesHelp(codes: ExitCodes, width = 100): string {
  const rows: [string, string][] = [...Object.entries(codes).map(([c, m]) => [c, m] as [string, string]), ['70', 'internal error: a bug in vnicspec (please report it)']];
  const lines = ['Exit codes:'];
  for (const [code, meaning] of rows) {
    let line = `  ${code.padEnd(4)}`;
    for (const word of meaning.split(' ')) {
      if (line.length + 1 + word.length > width && line.trim().length > code.length) {
        lines.push(line);
        line = `      ${word}`;
      } else line += line.endsWith(' ') ? word : ` ${word}`;
    }
    lines.push(line);
  }
  return lines.join('\n');
}

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

/** Help epilogue: examples, then the exit codes this command can return. */
export function epilogue(examples: readonly (readonly [command: string, what: string])[], codes: ExitCodes): string {
  const lines = examples.map(([c, what]) => `  $ ${c}\n      ${what}`);
  return `\nExamples:\n${lines.join('\n')}\n\n${exitCodesHelp(codes)}\n`;
}
