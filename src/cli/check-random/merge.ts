/**
 * `vnicspec merge` for `check --random --shard I/N --json` reports: the shards of one run joined into the report
 * that run gives unsplit. Shards are contiguous slices of the walks and the run stops at its lowest-numbered failing
 * walk, so the joined report is: the counts of every shard up to and including the first (in order) that found
 * something, that shard's (already shrunk) counterexample, and the first witness of each 'sometimes' property.
 * Everything but `timing` is then equal to the unsplit run's `--json` report.
 *
 * Writes random-check.json (that report) and, when a walk failed, counterexample.itf.json — re-executed through the
 * model from the report's action labels, so a shard file cannot smuggle in an execution the model does not allow.
 */
import { wallSeconds } from '../../api/round.js';
import { z } from 'zod';
import { formatIssues } from '../../../spec/scenario.js';
import { defaultCheckConfig } from '../../../spec/checked/config.js';
import { ModelError, formatCount } from '../../explore/index.js';
import { formatTextTrace, replay } from '../../trace/index.js';
import { canonicalJson } from '../../util/canonical-json.js';
import { firstDifference } from '../commands/merge/difference.js';
import { setUp } from '../../api/check-setup.js';
import { printableTrace, readVnicspecMeta, type TraceVerdict } from '../../api/trace-files.js';
import { traceFileText } from '../check-trace.js';
import { EXIT, UsageError, type CliContext } from '../commands/command.js';
import type { Merger, MergeInput } from '../commands/merge/kinds.js';
import { prepareOut, writeFiles } from '../commands/sweep/files.js';
import { shardRange } from './options.js';
import { RANDOM_REPORT_KIND, RANDOM_REPORT_VERSION, humanReport, type RandomReport } from './report.js';

const count = z.number().int().nonnegative();
const witness = z.strictObject({ walk: count, step: count }).nullable();
const shrink = z.strictObject({ from: count, to: count, tried: count, accepted: count, exhausted: z.boolean() }).nullable();

const reportSchema = z.strictObject({
  kind: z.literal(RANDOM_REPORT_KIND),
  version: z.literal(RANDOM_REPORT_VERSION, `must be ${RANDOM_REPORT_VERSION} (this vnicspec reads version ${RANDOM_REPORT_VERSION} reports)`),
  verdict: z.enum(['violated', 'error', 'no-violation-found', 'incomplete']),
  property: z.string().nullable(),
  message: z.string().nullable(),
  incompleteReason: z.enum(['timeout', 'interrupted']).nullable(),
  walk: count.nullable(),
  traces: count,
  steps: count,
  deadlocks: count,
  run: z.strictObject({ seed: count, traces: count.min(1), depth: count, swarm: z.boolean() }),
  range: z.strictObject({ first: count, end: count }),
  shard: z.strictObject({ index: count.min(1), count: count.min(1) }).nullable(),
  config: z.record(z.string(), z.unknown()),
  properties: z.array(z.string()).min(1),
  notApplicable: z.array(z.string()),
  witnessed: z.record(z.string(), witness),
  shrink,
  swarmKinds: z.array(z.string()).nullable(),
  errorAction: z.string().nullable(),
  actions: z.array(z.string()).nullable(),
  trace: z.array(z.strictObject({ step: count, action: z.string(), vars: z.unknown() })).nullable(),
  reproduce: z.string(),
  timing: z.strictObject({ seconds: z.number().nonnegative(), stepsPerSecond: z.number().nonnegative(), shrinkSeconds: z.number().nonnegative(), workers: count, renewals: count }),
});

function parse(input: MergeInput): RandomReport {
  const r = reportSchema.safeParse(input.doc);
  if (!r.success) throw new UsageError(formatIssues(r.error, input.file));
  // The configuration is validated as a trace's is (same fields, same ranges).
  const meta = readVnicspecMeta({ vnicspec: { config: r.data.config, properties: r.data.properties } });
  if (!meta.ok) throw new UsageError(`${input.file}: ${meta.error.replace('#meta.vnicspec.', '')}`);
  return r.data as unknown as RandomReport;
}

/** The shards in index order, after checking they are every shard of one run, once each. */
function shardsOf(inputs: readonly MergeInput[]): { file: string; report: RandomReport }[] {
  const docs = inputs.map((i) => ({ file: i.file, report: parse(i) }));
  const first = docs[0]!;
  const identity = (r: RandomReport): string => canonicalJson([r.run, r.config, r.properties]);
  const n = first.report.shard?.count;
  const seen = new Map<number, string>();
  for (const { file, report } of docs) {
    if (report.shard === null) throw new UsageError(`${file}: not a shard (written without --shard I/N): nothing to merge`);
    if (identity(report) !== identity(first.report)) {
      const d = firstDifference({ run: report.run, config: report.config, properties: report.properties }, { run: first.report.run, config: first.report.config, properties: first.report.properties });
      throw new UsageError(`${file}: a shard of a different run than ${first.file}: ${d ?? 'the run differs'}`);
    }
    if (report.shard.count !== n) throw new UsageError(`${file}: shard.count: shard ${report.shard.index} of ${report.shard.count}, but ${first.file} is of ${n}`);
    if (report.shard.index > report.shard.count) throw new UsageError(`${file}: shard.index: ${report.shard.index} exceeds the count ${report.shard.count}`);
    const want = shardRange(report.run.traces, report.shard);
    if (report.range.first !== want.first || report.range.end !== want.end) throw new UsageError(`${file}: range: walks ${report.range.first}..${report.range.end - 1} are not shard ${report.shard.index}/${n}'s (${want.first}..${want.end - 1})`);
    const dup = seen.get(report.shard.index);
    if (dup !== undefined) throw new UsageError(`${file}: shard ${report.shard.index}/${n} given twice (also ${dup})`);
    seen.set(report.shard.index, file);
  }
  const missing = Array.from({ length: n! }, (_, k) => k + 1).filter((k) => !seen.has(k));
  if (missing.length > 0) throw new UsageError(`missing shard${missing.length > 1 ? 's' : ''} ${missing.map((k) => `${k}/${n}`).join(', ')}: give every shard of the run`);
  return docs.sort((a, b) => a.report.shard!.index - b.report.shard!.index);
}

/** The unsplit run's report from its shards (in order). */
export function joinReports(shards: readonly RandomReport[]): RandomReport {
  let traces = 0;
  let steps = 0;
  let deadlocks = 0;
  let seconds = 0;
  let workers = 0;
  let renewals = 0;
  const witnessed: Record<string, RandomReport['witnessed'][string]> = {};
  for (const name of Object.keys(shards[0]!.witnessed)) witnessed[name] = null;
  let last = shards[shards.length - 1]!;
  for (const s of shards) {
    traces += s.traces;
    steps += s.steps;
    deadlocks += s.deadlocks;
    seconds += s.timing.seconds;
    workers += s.timing.workers;
    renewals += s.timing.renewals;
    for (const [name, w] of Object.entries(s.witnessed)) if (witnessed[name] === null && w !== null) witnessed[name] = w;
    if (s.verdict !== 'no-violation-found') {
      last = s;
      break;
    }
  }
  const run = shards[0]!.run;
  return {
    ...last,
    traces,
    steps,
    deadlocks,
    range: { first: 0, end: run.traces },
    shard: null,
    witnessed,
    timing: { seconds: wallSeconds(seconds), stepsPerSecond: seconds > 0 ? Math.round(steps / seconds) : 0, shrinkSeconds: last.timing.shrinkSeconds, workers, renewals },
  };
}

function mergeRandom(inputs: readonly MergeInput[], o: { out: string; json?: boolean }, ctx: CliContext): number {
  const { io } = ctx;
  const shards = shardsOf(inputs);
  const joined = joinReports(shards.map((s) => s.report));
  const files: Record<string, string> = { 'random-check.json': JSON.stringify(joined, null, 2) + '\n' };
  let traceText: string | undefined;
  if (joined.actions !== null) {
    const from = shards.find((s) => s.report.verdict === joined.verdict && s.report.walk === joined.walk)!.file;
    let setup: ReturnType<typeof setUp>;
    try {
      setup = setUp(defaultCheckConfig(joined.config), joined.properties);
    } catch (e) {
      if (!(e instanceof ModelError)) throw e;
      throw new UsageError(`${from}: the recorded configuration does not boot: ${e.message}`);
    }
    const r = replay(setup.view, joined.actions);
    if (r.kind === 'illegal') throw new UsageError(`${from}: its counterexample does not re-execute: step ${r.step}: ${r.message}`);
    const trace = { states: r.states, actions: r.actions };
    traceText = formatTextTrace(printableTrace(setup, trace, false)).trimEnd();
    const verdict: TraceVerdict =
      joined.verdict === 'violated' ? { status: 'violation', description: `${joined.property}: ${joined.message}` } : { status: 'error', description: `specification error: ${joined.message}` };
    files['counterexample.itf.json'] = traceFileText('.itf.json', setup, trace, verdict, joined.property ?? undefined);
  }
  prepareOut(o.out);
  const written = writeFiles(o.out, files, io, o.json ? undefined : 'random-check.json');
  if (o.json) io.out(files['random-check.json']!);
  else {
    io.out(humanReport(joined, traceText));
    io.out(`joined ${shards.length} shards (${formatCount(joined.traces)} walks counted): wrote ${written.join(', ')}\n`);
  }
  if (joined.verdict === 'violated' || joined.verdict === 'error') return EXIT.violated;
  return joined.verdict === 'incomplete' ? EXIT.incomplete : EXIT.ok;
}

export const randomCheckMerger: Merger = {
  kind: RANDOM_REPORT_KIND,
  describe: 'check --random --shard I/N --json reports; writes random-check.json (the unsplit run\'s report) and counterexample.itf.json',
  merge: (inputs, o, ctx) => mergeRandom(inputs, o, ctx),
};
