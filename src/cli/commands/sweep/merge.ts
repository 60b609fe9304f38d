/**
 * Joining sweep shards. Each shard file carries the whole sweep (scenario, calibration, rates, seeds, ...) and
 * its runs; the shards of one sweep carry identical sweeps. The joined runs go through the same `sweepFiles` as
 * an unsplit sweep, so the output is byte for byte the same.
 */
import { z } from 'zod';
import { ARCHS, CORE_LAYOUTS, formatIssues, parseScenario, type Calibration } from '../../../../spec/scenario.js';
import { firstDifference } from '../merge/difference.js';
import { canonicalJson } from '../../../util/canonical-json.js';
import { EXIT, UsageError } from '../command.js';
import type { Merger, MergeInput } from '../merge/kinds.js';
import { prepareOut, writeFiles } from './files.js';
import { FORMAT_VERSION, SHARD_KIND, sweepFiles, type RunRecord } from './output.js';
import { VARIED, inShard, runsOf, type SweepSpec } from './plan.js';

const finite = z.number().finite();
const metric = z.union([finite, z.null()]);

const shardSchema = z.object({
  kind: z.literal(SHARD_KIND),
  version: z.literal(FORMAT_VERSION, `must be ${FORMAT_VERSION} (this vnicspec reads version ${FORMAT_VERSION} shard files)`),
  status: z.enum(['complete', 'partial']),
  shard: z.strictObject({ index: z.number().int().positive(), count: z.number().int().positive() }),
  sweep: z.strictObject({
    scenarioName: z.string(),
    archs: z.array(z.enum(ARCHS)).min(1),
    cores: z.array(z.enum(CORE_LAYOUTS)).min(1),
    vary: z.enum(VARIED),
    rates: z.array(finite.nonnegative()).min(1),
    seeds: z.array(z.number().int().nonnegative()).min(1),
    durationS: finite.positive(),
    warmupS: finite.nonnegative(),
    scenario: z.unknown(),
    calibration: z.record(z.string(), z.unknown()),
  }),
  runs: z.array(
    z.strictObject({
      arch: z.enum(ARCHS),
      cores: z.enum(CORE_LAYOUTS),
      rate: finite,
      run: z.number().int().nonnegative(),
      seed: z.number().int().nonnegative(),
      outcome: z.enum(['ok', 'violation', 'spec-error']),
      events: z.number().int().nonnegative(),
      metrics: z.record(z.string(), metric),
    }),
  ),
});
type ShardIn = z.infer<typeof shardSchema>;

function parseShardDoc(input: MergeInput): ShardIn {
  const r = shardSchema.safeParse(input.doc);
  if (!r.success) throw new UsageError(formatIssues(r.error, input.file));
  return r.data;
}

function specOf(first: ShardIn, file: string): SweepSpec {
  const s = first.sweep;
  const scenario = parseScenario(s.scenario, `${file}: sweep.scenario`);
  if (!scenario.ok) throw new UsageError(scenario.error);
  return {
    scenario: scenario.value,
    // Written by a validated run and compared across shards below; merge only copies it to the output.
    calibration: s.calibration as Calibration,
    archs: s.archs,
    cores: s.cores,
    vary: s.vary,
    rates: s.rates,
    seeds: s.seeds,
    durationS: s.durationS,
    warmupS: s.warmupS,
  };
}

function mergeSweep(inputs: readonly MergeInput[], o: { out: string; json?: boolean }, io: { out(s: string): void; err(s: string): void }): number {
  const docs = inputs.map(parseShardDoc);
  const first = docs[0]!;
  const count = first.shard.count;
  const identity = canonicalJson(first.sweep);
  const seen = new Map<number, string>();
  docs.forEach((d, i) => {
    const file = inputs[i]!.file;
    if (canonicalJson(d.sweep) !== identity) throw new UsageError(`${file}: a shard of a different sweep than ${inputs[0]!.file}: ${firstDifference({ sweep: d.sweep }, { sweep: first.sweep }) ?? 'the sweep differs'}`);
    if (d.shard.count !== count) throw new UsageError(`${file}: shard.count: shard ${d.shard.index} of ${d.shard.count}, but ${inputs[0]!.file} is of ${count}`);
    if (d.shard.index > count) throw new UsageError(`${file}: shard.index: ${d.shard.index} exceeds the count ${count}`);
    const dup = seen.get(d.shard.index);
    if (dup !== undefined) throw new UsageError(`${file}: shard ${d.shard.index}/${count} given twice (also ${dup})`);
    seen.set(d.shard.index, file);
  });
  const missing = Array.from({ length: count }, (_, k) => k + 1).filter((k) => !seen.has(k));
  if (missing.length > 0) throw new UsageError(`missing shard${missing.length > 1 ? 's' : ''} ${missing.map((k) => `${k}/${count}`).join(', ')}: give every shard of the sweep`);

  const spec = specOf(first, inputs[0]!.file);
  const plan = runsOf(spec);
  const runs: RunRecord[] = [];
  docs.forEach((d, i) => {
    d.runs.forEach((r, k) => {
      const p = plan[r.run];
      const ok = p !== undefined && inShard(r.run, d.shard) && p.arch === r.arch && p.cores === r.cores && p.rate === r.rate && p.seed === r.seed;
      if (!ok) throw new UsageError(`${inputs[i]!.file}: runs[${k}]: run ${r.run} (${r.arch} ${r.cores} rate ${r.rate} seed ${r.seed}) is not one of this shard's runs`);
      runs.push(r);
    });
  });
  if (new Set(runs.map((r) => r.run)).size !== runs.length) throw new UsageError('a run appears twice in the shards');

  const out = sweepFiles(spec, runs);
  prepareOut(o.out);
  const written = writeFiles(o.out, out.files, io, o.json ? undefined : 'sweep.json');
  if (o.json) io.out(out.files['sweep.json']!);
  else io.out(`joined ${docs.length} shards (${runs.length} of ${plan.length} runs): wrote ${written.join(', ')}${out.status === 'partial' ? ' (PARTIAL)' : ''}\n`);
  if (runs.some((r) => r.outcome !== 'ok')) return EXIT.violated;
  if (out.status === 'partial') {
    io.err(`vnicspec: ${plan.length - runs.length} runs are missing (a shard was interrupted): the joined files are marked partial\n`);
    return EXIT.incomplete;
  }
  return EXIT.ok;
}

export const sweepMerger: Merger = {
  kind: SHARD_KIND,
  describe: 'sweep --shard I/N output; writes sweep.json, sweep.csv and runs.csv',
  merge: (inputs, o, ctx) => mergeSweep(inputs, o, ctx.io),
};
