/**
 * `vnicspec check --random`: random walks through the same checked model as exhaustive `check` (TLC's simulation
 * mode, `quint run`), every property checked on every state; a failing walk is shrunk and written like any
 * counterexample. See src/explore/random/ for the engine; this file turns flags into a run and the run into output.
 */
import { wallSeconds } from '../../api/round.js';
import { getHeapStatistics } from 'node:v8';
import type { CheckConfig } from '../../../spec/checked/config.js';
import { ModelError } from '../../explore/index.js';
import { randomSearchAsync, randomSearchParallel, type RandomOptions, type RandomProgress, type RandomResult, type ShrinkProgress } from '../../explore/random/index.js';
import type { CheckAction, CheckedState } from '../../../spec/checked/model.js';
import { formatCount } from '../../explore/index.js';
import { formatTextTrace } from '../../trace/index.js';
import { bootFailureMessage, describeProperties, setUp, toJson, type CheckedSetup } from '../../api/check-setup.js';
import { printableTrace, type TraceVerdict } from '../../api/trace-files.js';
import { saveTraceFile, traceFileText, type TraceFormat } from '../check-trace.js';
import { watchStop } from '../interrupt.js';
import { printable } from '../../api/safe-text.js';
import { EXIT, UsageError, type CliContext } from '../commands/command.js';
import { RANDOM_DEFAULTS, defaultDepthOf, shardRange, type RandomFlags } from './options.js';
import { RANDOM_REPORT_KIND, RANDOM_REPORT_VERSION, header, humanReport, reproduceCommand, type RandomReport, type RunSpec } from './report.js';
import type { WorkerSetup } from './worker.js';

export interface RandomCheckRequest {
  readonly config: CheckConfig;
  readonly properties: readonly string[];
  readonly flags: RandomFlags;
  readonly timeoutSeconds?: number;
  readonly json: boolean;
  readonly progress: boolean;
  /** check's --memory: the process's budget, shared by the threads' models (see renewHeapBytes). */
  readonly memoryBytes: number;
  readonly traceOut?: { readonly file: string; readonly format: TraceFormat };
  /** How the command line named the system when flags alone cannot (`--system FILE` and flags given with it). */
  readonly systemArgs?: readonly string[];
}

export type RandomCheckResult = RandomResult<CheckedState, CheckAction>;

/**
 * The compiled worker module. Under vitest this file runs from its TypeScript source, which a worker thread cannot
 * load: the workers then run the build in dist/ (`npm run build`; `npm test` in CI runs after `npm ci`, which builds).
 */
export function workerFile(): URL {
  const here = import.meta.url;
  if (here.endsWith('.js')) return new URL('./worker.js', here);
  return new URL(here.replace(/\/src\/cli\/check-random\/run\.ts$/, '/dist/src/cli/check-random/worker.js'));
}

/**
 * Walks on large systems meet new machine states all the time and the model keeps each (and its memoized steps):
 * past this much heap per thread the walks go on with a fresh model. At most a third of V8's heap limit and 1 GiB;
 * with `threads` threads (workers and this one) sharing `memoryBytes` (--memory), a dropped model may linger until
 * the garbage collector runs, so each gets a quarter of its share.
 */
export function renewHeapBytes(memoryBytes: number, threads: number): number {
  return Math.max(16 * 1024 ** 2, Math.min(1024 ** 3, Math.floor(getHeapStatistics().heap_size_limit / 3), Math.floor(memoryBytes / threads / 4)));
}

export async function checkRandom(ctx: CliContext, req: RandomCheckRequest): Promise<number> {
  const { io } = ctx;
  const f = req.flags;
  const run: RunSpec = { seed: f.seed ?? RANDOM_DEFAULTS.seed, traces: f.traces ?? RANDOM_DEFAULTS.traces, depth: f.depth ?? defaultDepthOf(req.config), swarm: f.swarm === true };
  const workers = f.workers ?? RANDOM_DEFAULTS.workers;
  const range = f.walk !== undefined ? { first: f.walk, end: f.walk + 1 } : f.shard !== undefined ? shardRange(run.traces, f.shard) : { first: 0, end: run.traces };

  let setup: CheckedSetup;
  try {
    // Walks check what one state or one step shows; liveness needs the whole graph (exhaustive check only).
    setup = setUp(req.config, req.properties, { liveness: false });
  } catch (e) {
    if (!(e instanceof ModelError)) throw e;
    const message = bootFailureMessage(e.message);
    if (req.json) {
      io.out(JSON.stringify({ kind: RANDOM_REPORT_KIND, verdict: 'error', message, config: req.config }, null, 2) + '\n');
      io.err(`vnicspec: SPECIFICATION ERROR: ${message}\n`);
    } else io.out(`SPECIFICATION ERROR: ${message}\n`);
    return EXIT.violated;
  }
  if (setup.names.length === 0) {
    throw new UsageError(`--property: ${setup.notApplicable.join(', ')} says nothing about this configuration; nothing to check`);
  }
  const shard = f.walk === undefined ? (f.shard ?? null) : null;
  if (!req.json) io.out(header({ run, range, shard, config: req.config }, describeProperties(setup), workers));

  const progress = progressSink(ctx, req, range.end - range.first);
  // Ctrl-C reaches this worker thread as io.interrupt (../interrupt.ts), not as a process signal.
  const stop = watchStop(ctx.io.interrupt);
  const options: RandomOptions<CheckedState> = {
    properties: setup.properties,
    seed: run.seed,
    depth: run.depth,
    swarm: run.swarm,
    first: range.first,
    end: range.end,
    signal: stop.signal,
    renew: {
      heapBytes: renewHeapBytes(req.memoryBytes, workers === 1 ? 1 : workers + 1),
      build: () => {
        const fresh = setUp(req.config, req.properties);
        return { model: fresh.model, properties: fresh.properties };
      },
    },
    ...(req.timeoutSeconds !== undefined ? { timeoutMs: req.timeoutSeconds * 1000 } : {}),
    ...(progress.onProgress !== undefined ? { onProgress: progress.onProgress, progressEveryMs: progress.everyMs } : {}),
    ...(progress.onShrink !== undefined ? { onShrinkProgress: progress.onShrink } : {}),
  };
  let r: RandomCheckResult;
  try {
    r =
      workers === 1
        ? await randomSearchAsync(setup.model, options)
        : await randomSearchParallel(setup.model, options, {
            workers,
            workerFile: workerFile(),
            setup: { config: req.config, properties: setup.names } satisfies WorkerSetup,
            setupKey: JSON.stringify([req.config, setup.names]),
          });
  } finally {
    stop.dispose();
    progress.clear();
  }

  const report = toReport(setup, r, run, range, shard, workers, req.properties.length === 0, req.systemArgs);
  if (req.json) {
    io.out(JSON.stringify(report, null, 2) + '\n');
    if (r.verdict === 'violated') io.err(`vnicspec: property '${r.property}' violated: ${r.message}\n`);
    else if (r.verdict === 'error') io.err(`vnicspec: SPECIFICATION ERROR: ${r.message}\n`);
    else if (r.verdict === 'incomplete') io.err(`vnicspec: incomplete: ${r.incompleteReason === 'timeout' ? 'the --timeout expired' : 'interrupted'} after ${formatCount(r.traces)} walks; nothing was proven\n`);
  } else {
    const text = r.trace !== undefined ? formatTextTrace(printableTrace(setup, r.trace, false)).trimEnd() : undefined;
    io.out(humanReport(report, text));
  }
  if (req.traceOut !== undefined) writeRandomTrace(ctx, setup, r, req.traceOut.file, req.traceOut.format, req.json);
  return r.verdict === 'violated' || r.verdict === 'error' ? EXIT.violated : r.verdict === 'incomplete' ? EXIT.incomplete : EXIT.ok;
}

export function toReport(
  setup: CheckedSetup,
  r: RandomCheckResult,
  run: RunSpec,
  range: { first: number; end: number },
  shard: RandomReport['shard'],
  workers: number,
  allProperties: boolean,
  systemArgs?: readonly string[],
): RandomReport {
  const trace = r.trace !== undefined ? printableTrace(setup, r.trace, false).steps.map((s, i) => ({ step: i, action: s.label, vars: toJson(s.vars) })) : null;
  return {
    kind: RANDOM_REPORT_KIND,
    version: RANDOM_REPORT_VERSION,
    verdict: r.verdict,
    property: r.property ?? null,
    message: r.message ?? null,
    incompleteReason: r.incompleteReason ?? null,
    walk: r.walk ?? null,
    traces: r.traces,
    steps: r.steps,
    deadlocks: r.deadlocks,
    run,
    range,
    shard,
    config: setup.config,
    properties: setup.names,
    notApplicable: setup.notApplicable,
    witnessed: r.witnessed,
    shrink: r.shrink ?? null,
    swarmKinds: r.swarmKinds ?? null,
    errorAction: r.errorAction !== undefined ? setup.model.label(r.errorAction) : null,
    actions: r.trace !== undefined ? r.trace.actions.map((a) => setup.model.label(a)) : null,
    trace,
    reproduce: reproduceCommand(setup.config, setup.names, allProperties, run, r.walk ?? null, systemArgs),
    timing: { seconds: wallSeconds(r.seconds), stepsPerSecond: Math.round(r.stepsPerSecond), shrinkSeconds: wallSeconds(r.shrinkSeconds), workers, renewals: r.renewals },
  };
}

interface ProgressSink {
  readonly onProgress?: (p: RandomProgress) => void;
  readonly onShrink?: (p: ShrinkProgress) => void;
  readonly everyMs: number;
  clear(): void;
}

/** One progress line, redrawn on a terminal or logged every so often, as exhaustive check does; also while shrinking. */
function progressSink(ctx: CliContext, req: RandomCheckRequest, total: number): ProgressSink {
  const { io } = ctx;
  const stream = !req.json && req.progress ? io.progressStream : undefined;
  const logEveryMs = !req.json && req.progress && stream === undefined ? io.progressLogEveryMs : undefined;
  const walking = (p: RandomProgress): string =>
    `Random at ${(p.elapsedMs / 1000).toFixed(1)}s: ${formatCount(p.traces)} of ${formatCount(total)} walks, ${formatCount(p.steps)} steps, ${formatCount(p.stepsPerSecond)} steps/s`;
  const shrinking = (p: ShrinkProgress): string =>
    `Shrinking at ${(p.elapsedMs / 1000).toFixed(1)}s: ${formatCount(p.length)} steps, ${formatCount(p.tried)} candidates re-executed`;
  if (stream !== undefined) {
    const width = Math.max(40, (io.columns ?? 120) - 1);
    let drawn = false;
    const draw = (text: string): void => {
      stream.write(`\r${text.slice(0, width)}\x1b[K`);
      drawn = true;
    };
    return {
      onProgress: (p) => draw(walking(p)),
      onShrink: (p) => draw(shrinking(p)),
      everyMs: 1000,
      clear: () => {
        if (drawn) stream.write('\r\x1b[K');
      },
    };
  }
  if (logEveryMs !== undefined) {
    // Shrinking reports about once a second: in a log, only every logEveryMs.
    let logged = -Infinity;
    return {
      onProgress: (p) => io.err(`${walking(p)}\n`),
      onShrink: (p) => {
        if (p.elapsedMs - logged < logEveryMs) return;
        logged = p.elapsedMs;
        io.err(`${shrinking(p)}\n`);
      },
      everyMs: logEveryMs,
      clear: () => undefined,
    };
  }
  return { everyMs: 1000, clear: () => undefined };
}

export function writeRandomTrace(ctx: CliContext, setup: CheckedSetup, r: Pick<RandomCheckResult, 'verdict' | 'trace' | 'property' | 'message'>, file: string, format: TraceFormat, json = false): void {
  if (r.trace === undefined || (r.verdict !== 'violated' && r.verdict !== 'error')) {
    const why = r.verdict === 'incomplete' ? 'the search was incomplete' : 'no walk found a violation';
    ctx.io.err(`vnicspec: --trace-out: no counterexample to write (${why}); '${printable(file)}' was not written\n`);
    return;
  }
  const verdict: TraceVerdict =
    r.verdict === 'violated' ? { status: 'violation', description: `${r.property}: ${r.message}` } : { status: 'error', description: `specification error: ${r.message}` };
  const trace = r.trace;
  const text = traceFileText(format, setup, trace, verdict, r.property);
  saveTraceFile(ctx.io, file, text, `${trace.actions.length}-step ${r.verdict === 'error' ? 'error trace' : 'counterexample'}`, json);
}
