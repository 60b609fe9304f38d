/**
 * The errors the library throws for reasons a caller can act on. Each carries the exit code the command line
 * gives the same failure and, as its message, the very text the command line prints after `vnicspec: ` (one line
 * per problem), so a program and a person see the same diagnosis.
 */

/** Base class of every error vnicspec throws on purpose; anything else is a bug (the CLI's exit code 70). */
export class VnicspecError extends Error {
  override name = 'VnicspecError';
  /** The command line's exit code for this failure. */
  readonly exitCode: number;

  constructor(message: string, exitCode: number) {
    super(message);
    this.exitCode = exitCode;
  }
}

/**
 * Bad input (the CLI's exit code 2): an option out of range, an unknown scenario or property, a file that does not
 * exist or does not validate, a trace that does not replay. `problems` lists each one, field first:
 * `my.json: streams[0].rate: must be > 0`.
 */
export class InputError extends VnicspecError {
  override name = 'InputError';
  /** One entry per problem, in the order found (`message` is them joined by newlines). */
  readonly problems: readonly string[];

  constructor(problems: string | readonly string[]) {
    const list = typeof problems === 'string' ? problems.split('\n') : [...problems];
    super(list.join('\n'), 2);
    this.problems = list;
  }
}
