/**
 * The vnicspec command line. `main` never throws and never lets a stack trace reach the user: it returns the exit
 * code (bin/vnicspec.js sets it). Output goes through an injectable `CliIo` so tests can run it in-process.
 *
 * Adding a command: write src/cli/commands/NAME/index.ts exporting a `CliCommand`, and add it to COMMANDS below.
 */
import { Command, CommanderError } from 'commander';
import { InputError } from '../api/errors.js';
import { ALL_EXIT_CODES, EXIT, epilogue, type CliCommand, type CliContext, type CliIo } from './commands/command.js';
import { terminalSafe } from '../api/safe-text.js';
import { parseNumber } from '../util/number-grammar.js';
import { checkCommand } from './commands/check.js';
import { mergeCommand } from './commands/merge/index.js';
import { mutantsCommand } from './commands/mutants/index.js';
import { replayCommand } from './commands/replay/index.js';
import { scenariosCommand } from './commands/scenarios/index.js';
import { systemsCommand } from './commands/systems/index.js';
import { simulateCommand } from './commands/simulate/index.js';
import { sweepCommand } from './commands/sweep/index.js';
import { reproduceCommand } from './commands/reproduce/index.js';
import { packageVersion } from './version.js';

/** The subcommands, in help order. */
const COMMANDS: readonly CliCommand[] = [simulateCommand, sweepCommand, reproduceCommand, mergeCommand, checkCommand, replayCommand, mutantsCommand, scenariosCommand, systemsCommand];

export type { CliIo } from './commands/command.js';
export { packageVersion } from './version.js';

let pipeGuarded = false;

/**
 * A progress line every 10 s in a log: often enough to see a long run move, rarely enough not to flood it.
 * VNICSPEC_PROGRESS_MS overrides it (a positive number of milliseconds).
 */
export const PROGRESS_LOG_EVERY_MS = progressEveryFromEnv(process.env['VNICSPEC_PROGRESS_MS']) ?? 10_000;

function progressEveryFromEnv(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const r = parseNumber(value, { min: 1, max: 86_400_000 });
  return r.ok ? r.value : undefined;
}

/** The real process streams; progress bars when stderr is a terminal, else progress lines for `check`. */
export function processIo(): CliIo {
  if (!pipeGuarded) {
    // `vnicspec scenarios | head -1`: a closed pipe is not an error worth a stack trace.
    const ignoreEpipe = (e: NodeJS.ErrnoException): void => {
      if (e.code !== 'EPIPE') throw e;
    };
    process.stdout.on('error', ignoreEpipe);
    process.stderr.on('error', ignoreEpipe);
    pipeGuarded = true;
  }
  return {
    out: (s) => void process.stdout.write(s),
    err: (s) => void process.stderr.write(s),
    ...(process.stderr.isTTY ? { progressStream: process.stderr } : { progressLogEveryMs: PROGRESS_LOG_EVERY_MS }),
    ...(process.stdout.isTTY && process.stdout.columns ? { columns: process.stdout.columns } : {}),
  };
}

function buildProgram(ctx: CliContext, done: (exitCode: number) => void): Command {
  const { io } = ctx;
  const width = Math.max(60, Math.min(io.columns ?? 100, 120));
  const program = new Command('vnicspec')
    .description(
      'Executable specification, model checker and simulator of QoS-aware NIC virtualization: VMs with their own ' +
        'virtual NICs (vnic) against the Xen driver-domain baseline (xen-idd), on the same calibrated timing model.',
    )
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'show help (for a command: vnicspec COMMAND --help)')
    .helpCommand('help [command]', 'show help for a command')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
      // Errors are printed by main (one line, `vnicspec: ...`), not by commander.
      outputError: () => undefined,
      getOutHelpWidth: () => width,
      getErrHelpWidth: () => width,
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    })
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      epilogue([
        ['vnicspec simulate --scenario httperf-2vm --compare', "the paper's experiment (this is `npm start`): xen-idd vs vnic side by side"],
        ['vnicspec scenarios', 'what scenarios are built in'],
        ['vnicspec simulate --help', 'every option of simulate, with defaults'],
      ], ALL_EXIT_CODES),
    );
  for (const make of COMMANDS) program.addCommand(make(ctx, done).copyInheritedSettings(program));
  return program;
}

/** The command tree, built but not run: what scripts/readme.ts documents and the README test checks. */
export function describeProgram(): Command {
  return buildProgram({ io: { out: () => undefined, err: () => undefined } }, () => undefined);
}

/** commander's `error: unknown option '--x'\n(Did you mean --y?)` as one line without the prefix. */
const oneLine = (message: string): string =>
  message
    .replace(/^error:\s*/i, '')
    .replace(/\s*\n\s*/g, ' ')
    .trim();

/** `io` whose text outputs show no control characters but line breaks and tabs (user text may hold any). */
function safeIo(io: CliIo): CliIo {
  return { ...io, out: (s) => io.out(terminalSafe(s)), err: (s) => io.err(terminalSafe(s)) };
}

/** A command as tests that exercise every option see it (the fuzz test): its name, options and arguments. */
export interface CommandShape {
  readonly name: string;
  /** Positional arguments it declares. */
  readonly args: number;
  readonly options: readonly { readonly flag: string; readonly value: boolean; readonly choices?: readonly string[] }[];
}

/** Every command with its options, read from commander: a new flag is covered by whatever iterates over these. */
export function commandShapes(): CommandShape[] {
  const program = buildProgram({ io: { out: () => undefined, err: () => undefined } }, () => undefined);
  return program.commands.map((c) => ({
    name: c.name(),
    args: c.registeredArguments.length,
    options: c.options.flatMap((o) => (o.long === undefined ? [] : [{ flag: o.long, value: o.required || o.optional, ...(o.argChoices ? { choices: o.argChoices } : {}) }])),
  }));
}

export async function main(argv: string[], rawIo: CliIo = processIo()): Promise<number> {
  const io = safeIo(rawIo);
  let exitCode: number = EXIT.ok;
  let commands: readonly string[] = [];
  try {
    const program = buildProgram({ io }, (code) => {
      exitCode = code;
    });
    commands = program.commands.map((c) => c.name());
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (e) {
    return failure(e, io, helpHint(argv, commands));
  }
}

/** `vnicspec simulate --help` when the command line names a subcommand, else `vnicspec --help`. */
function helpHint(argv: readonly string[], commands: readonly string[]): string {
  const first = argv.find((a) => !a.startsWith('-'));
  return first !== undefined && commands.includes(first) ? `vnicspec ${first} --help` : 'vnicspec --help';
}

/** What V8 throws when a Map, an array or an ArrayBuffer cannot grow any more: memory, not a bug. */
const OUT_OF_MEMORY = /Map maximum size exceeded|Set maximum size exceeded|Array buffer allocation failed|Invalid (typed )?array length|Invalid string length/;

function failure(e: unknown, io: CliIo, hint: string): number {
  try {
    if (e instanceof CommanderError) {
      // --help, --version, `help`: already printed; exit code 0. A bare `vnicspec` prints help on stderr: exit 2.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version') {
        return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
      }
      io.err(`vnicspec: ${oneLine(e.message)}; see '${hint}'\n`);
      return EXIT.usage;
    }
    // UsageError (the commands') and InputError (the library's): bad input, one line per problem.
    if (e instanceof InputError) {
      for (const line of e.problems) io.err(`vnicspec: ${line}\n`);
      return EXIT.usage;
    }
    const message = e instanceof Error ? e.message : String(e);
    if (e instanceof RangeError && OUT_OF_MEMORY.test(message)) {
      io.err(`vnicspec: out of memory (${oneLine(message)}): nothing more could be done; bound the run (check --max-states or --memory, a shorter simulate --duration)\n`);
      return EXIT.incomplete;
    }
    io.err(`vnicspec: internal error: ${oneLine(message)}\n`);
    if (process.env['VNICSPEC_DEBUG'] && e instanceof Error && e.stack) io.err(`${e.stack}\n`);
    else io.err('vnicspec: (set VNICSPEC_DEBUG=1 for a stack trace; please report this)\n');
    return EXIT.internal;
  } catch {
    return EXIT.internal;
  }
}
