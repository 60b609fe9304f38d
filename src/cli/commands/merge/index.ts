/** `vnicspec merge`: join the shard files of a split job (sweep, ...) into what one unsplit run writes. */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { EXIT, UsageError, action, epilogue, type CliCommand, type CliContext } from '../command.js';
import { PARTIAL_NOTE } from '../sweep/files.js';
import { MERGERS, type MergeInput } from './kinds.js';
import { printable } from '../../../api/safe-text.js';
import { parseJsonText } from '../../../util/json-text.js';

interface MergeCliOptions {
  out: string;
  json?: boolean;
}

export const mergeCommand: CliCommand = (ctx, done) =>
  new Command('merge')
    .summary('join shard files (sweep or check --random with --shard I/N) into the files one unsplit run writes')
    .description(
      'Join the shard files of a job that was split with --shard I/N. Every input must be of the same kind (its ' +
        '"kind" field) and from the same job, each shard exactly once; the output is byte for byte what the unsplit ' +
        'run writes. Kinds: ' +
        MERGERS.map((m) => `${m.kind} (${m.describe})`).join('; ') +
        '.',
    )
    .argument('<files...>', 'the shard files, in any order')
    .requiredOption('--out <dir>', 'directory for the joined files (created if missing) (required)')
    .option('--json', 'also print the main joined file on stdout, and nothing else')
    .addHelpText(
      'after',
      epilogue([
        ['vnicspec merge --out out/all out/shard-1-of-3.json out/shard-2-of-3.json out/shard-3-of-3.json', 'join a sweep run as three shards'],
        ['vnicspec merge --out out/random r1.json r2.json', 'join check --random --shard 1/2 and 2/2 --json reports'],
      ],
      {
        0: 'the shards joined into the complete result',
        1: 'the joined result holds a violation: a run that failed (sweep), a property violated (check --random)',
        2: 'bad input: files that are not shards of one job, unreadable or invalid files, a run that appears twice',
        3: 'the joined result is incomplete: a shard was stopped before its end (marked partial)',
      }) +
        PARTIAL_NOTE,
    )
    .action(action(done, (cmd) => merge(ctx, cmd.args, cmd.opts<MergeCliOptions>())));

function readInput(file: string): MergeInput {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${printable(file)}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  // A byte-order mark is dropped, as for every JSON file vnicspec reads.
  const parsed = parseJsonText(text);
  if (!parsed.ok) throw new UsageError(`${printable(file)}: ${parsed.error}`);
  const doc = parsed.value;
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new UsageError(`${printable(file)}: not a shard file (expected a JSON object with a "kind" field)`);
  return { file, doc: doc as Record<string, unknown> };
}

async function merge(ctx: CliContext, files: readonly string[], o: MergeCliOptions): Promise<number> {
  const inputs = files.map(readInput);
  const kinds = [...new Set(inputs.map((i) => String(i.doc['kind'])))];
  if (kinds.length > 1) {
    const other = inputs.find((i) => String(i.doc['kind']) !== kinds[0])!;
    const kindOf = (i: MergeInput): string => (i.doc['kind'] === undefined ? 'no "kind" field' : `"kind" ${printable(JSON.stringify(i.doc['kind']))}`);
    throw new UsageError(`${printable(other.file)}: ${kindOf(other)}, but ${printable(inputs[0]!.file)} has ${kindOf(inputs[0]!)}: merge joins shards of one job`);
  }
  const merger = MERGERS.find((m) => m.kind === kinds[0]);
  if (merger === undefined) {
    const kind = inputs[0]!.doc['kind'];
    throw new UsageError(`${inputs[0]!.file}: ${kind === undefined ? 'no "kind" field' : `unknown kind '${String(kind)}'`} (merge joins: ${MERGERS.map((m) => m.kind).join(', ')})`);
  }
  const code = await merger.merge(inputs, o, ctx);
  return code ?? EXIT.ok;
}
