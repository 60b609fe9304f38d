/**
 * The report of `vnicspec check --random`: one JSON shape for a whole run and for one shard of it (so that
 * `vnicspec merge` can join shards into exactly the report of one run), and its human rendering.
 *
 * Everything in the report but `timing` is a function of the command line: the same flags give the same report,
 * whatever `--workers`. `timing` holds the wall-clock figures.
 */
import type { CheckConfig } from '../../../spec/checked/config.js';
import type { RandomVerdict, ShrinkStats, StopReason, Witness } from '../../explore/random/index.js';
import { formatCount } from '../../explore/index.js';
import { checkFlags, describeConfig } from '../../api/check-setup.js';
import type { Shard } from './options.js';

export const RANDOM_REPORT_KIND = 'vnicspec-random-check';
/** Version of the report's JSON shape (merge reads this version). */
export const RANDOM_REPORT_VERSION = 1;

/** What fixes the walks of a run: equal for every shard of one run. */
export interface RunSpec {
  readonly seed: number;
  /** Walks of the whole run (all shards). */
  readonly traces: number;
  readonly depth: number;
  readonly swarm: boolean;
}

export interface RandomReport {
  readonly kind: typeof RANDOM_REPORT_KIND;
  readonly version: typeof RANDOM_REPORT_VERSION;
  readonly verdict: RandomVerdict;
  readonly property: string | null;
  readonly message: string | null;
  readonly incompleteReason: StopReason | null;
  /** The walk that found the violation or error. */
  readonly walk: number | null;
  /** Walks completed (up to and including `walk`), their steps, and how many ended with nothing enabled. */
  readonly traces: number;
  readonly steps: number;
  readonly deadlocks: number;
  readonly run: RunSpec;
  /** The walks this report covers: [first, end); a shard's slice, or one walk with --walk. */
  readonly range: { readonly first: number; readonly end: number };
  readonly shard: Shard | null;
  readonly config: CheckConfig;
  readonly properties: readonly string[];
  readonly notApplicable: readonly string[];
  readonly witnessed: Readonly<Record<string, Witness | null>>;
  readonly shrink: ShrinkStats | null;
  /** Swarm: the action kinds the failing walk allowed (among those enabled along it). */
  readonly swarmKinds: readonly string[] | null;
  readonly errorAction: string | null;
  /** Labels of the (shrunk) counterexample's steps, as `vnicspec replay` and `merge --trace-out` re-execute them. */
  readonly actions: readonly string[] | null;
  /** The counterexample with every state, as `check --json` prints it. */
  readonly trace: readonly { readonly step: number; readonly action: string; readonly vars: unknown }[] | null;
  /** The command line that takes the failing walk alone (or, without one, the whole run). */
  readonly reproduce: string;
  readonly timing: {
    readonly seconds: number;
    readonly stepsPerSecond: number;
    readonly shrinkSeconds: number;
    readonly workers: number;
    /** Times a model was rebuilt to bound memory (depends on heap sizes, hence a timing). */
    readonly renewals: number;
  };
}

/** `vnicspec check --random …` for the whole run, or with `walk` for that walk alone. */
export function reproduceCommand(c: CheckConfig, properties: readonly string[], allProperties: boolean, run: RunSpec, walk: number | null, systemArgs?: readonly string[]): string {
  const parts = ['vnicspec check --random', ...(systemArgs ?? checkFlags(c))];
  if (!allProperties) for (const p of properties) parts.push(`--property ${p}`);
  parts.push(`--seed ${run.seed}`, `--depth ${run.depth}`);
  if (run.swarm) parts.push('--swarm');
  parts.push(walk !== null ? `--walk ${walk}` : `--traces ${run.traces}`);
  return parts.join(' ');
}

function searchLine(r: Pick<RandomReport, 'run' | 'range' | 'shard'>, workers: number | undefined): string {
  const walks = `${formatCount(r.run.traces)} walks of up to ${formatCount(r.run.depth)} steps, seed ${r.run.seed}, ${r.run.swarm ? 'swarm' : 'uniform'}`;
  const slice =
    r.shard !== null
      ? `, shard ${r.shard.index}/${r.shard.count} (walks ${formatCount(r.range.first)}..${formatCount(r.range.end - 1)})`
      : r.range.first !== 0 || r.range.end !== r.run.traces
        ? `, only walk ${formatCount(r.range.first)}`
        : '';
  const threads = workers !== undefined ? `, ${workers} worker${workers === 1 ? '' : 's'}` : '';
  return `random: ${walks}${slice}${threads}`;
}

/** Printed before the walks start. */
export function header(r: Pick<RandomReport, 'run' | 'range' | 'shard' | 'config'>, properties: string, workers: number): string {
  return (
    'vnicspec check --random\n' +
    `  configuration: ${describeConfig(r.config)}\n` +
    `  properties:    ${properties}\n` +
    `  search:        ${searchLine(r, workers)}\n\n`
  );
}

/** The verdict, the counterexample (`traceText`, already rendered) and the statistics. */
export function humanReport(r: RandomReport, traceText: string | undefined): string {
  const lines: string[] = [];
  const walks = (n: number): string => `${formatCount(n)} walk${n === 1 ? '' : 's'}`;
  switch (r.verdict) {
    case 'violated':
      lines.push(`Property '${r.property}' violated: ${r.message}`);
      break;
    case 'error':
      lines.push(`SPECIFICATION ERROR (the model itself failed, this is not a property violation): ${r.message}`);
      break;
    case 'no-violation-found':
      lines.push(
        `No violation found in ${walks(r.traces)} (${formatCount(r.steps)} steps).`,
        'Random search proves nothing: it tried these walks only. Exhaustive search (check without --random) proves properties of small systems.',
      );
      break;
    case 'incomplete':
      lines.push(
        `INCOMPLETE: ${r.incompleteReason === 'timeout' ? 'the --timeout expired' : 'interrupted'} after ${walks(r.traces)} of ${formatCount(r.range.end - r.range.first)}; no violation found in them.`,
      );
      break;
  }
  if (r.walk !== null && r.shrink !== null) {
    const shrunk =
      r.shrink.tried > 0
        ? `shrunk from ${formatCount(r.shrink.from)} to ${formatCount(r.shrink.to)} steps (${formatCount(r.shrink.tried)} candidates re-executed${r.shrink.exhausted ? '; budget exhausted, not minimal' : ''})`
        : `${formatCount(r.shrink.from)} steps, not shrunk`;
    lines.push(`Found by walk ${formatCount(r.walk)}; ${shrunk}.`);
    if (r.swarmKinds !== null) lines.push(`The walk was a swarm walk allowing only: ${r.swarmKinds.join(', ')}.`);
  }
  if (traceText !== undefined) {
    const n = r.actions?.length ?? 0;
    const what = r.verdict === 'error' ? `Trace to the failing state (${n} steps${r.errorAction !== null ? `, where '${r.errorAction}' fails` : ''})` : `Counterexample (${n} steps; each shows the action taken and only the variables it changed)`;
    lines.push('', `${what}:`, traceText);
  }
  lines.push(
    '',
    `Random search: ${walks(r.traces)}, ${formatCount(r.steps)} steps in ${r.timing.seconds.toFixed(3)}s (${formatCount(r.timing.stepsPerSecond)} steps/s), seed ${r.run.seed}.`,
  );
  if (r.deadlocks > 0) lines.push(`${walks(r.deadlocks)} ended early: no action was enabled.`);
  for (const [name, w] of Object.entries(r.witnessed)) {
    lines.push(w !== null ? `sometimes '${name}': witnessed by walk ${formatCount(w.walk)} at step ${w.step}` : `sometimes '${name}': not witnessed by these walks`);
  }
  lines.push(`Reproduce: ${r.reproduce}`);
  return lines.join('\n') + '\n';
}
