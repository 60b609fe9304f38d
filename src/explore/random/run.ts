/**
 * Random search (`check --random`): many random walks, numbered 0, 1, 2, …, each a pure function of the seed and its
 * number (walk.ts). The run stops at the first walk, in number order, that violates a property or fails, so what
 * it reports does not depend on how walks are spread over workers, chunks or shards: the walk that found it, the
 * walks and steps before it, where each 'sometimes' property was first witnessed. The failing walk is then shrunk
 * (shrink.ts) to a short execution that fails the same way.
 *
 * Random search proves nothing: when no walk fails the verdict is 'no-violation-found', never 'holds'.
 */
import { getHeapStatistics } from 'node:v8';
import type { Model, Property } from '../model.js';
import type { Trace } from '../types.js';
import { combine, runChunk, type ChunkReport, type Combined, type FoundWalk, type StopReason, type Witness } from './chunk.js';
import { shrinkTrace, type Failure, type ShrinkProgress } from './shrink.js';
import { Walker, type WalkSettings } from './walk.js';

/** 'no-violation-found' when every walk passed (which proves nothing); 'incomplete' when a timeout or a signal stopped the walks first. */
export type RandomVerdict = 'violated' | 'error' | 'no-violation-found' | 'incomplete';

/** What `RandomOptions.onProgress` is told about once a second. */
export interface RandomProgress {
  /** Walks completed so far. */
  readonly traces: number;
  readonly steps: number;
  /** Steps per second since the previous report. */
  readonly stepsPerSecond: number;
  /** Walks this run (or shard) covers. */
  readonly total: number;
  readonly elapsedMs: number;
}

/** A random search: the walks (`seed`, `depth`, `swarm`, the range `first`…`end`), the properties, and its budget. */
export interface RandomOptions<S> extends WalkSettings {
  readonly properties: readonly Property<S>[];
  /** The walks to take: numbers `first` … `end - 1`. A shard of a run takes a slice of the run's range. */
  readonly first: number;
  readonly end: number;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: RandomProgress) => void;
  /** Default 1000. */
  readonly progressEveryMs?: number;
  /** Milliseconds clock (injectable for tests). */
  readonly now?: () => number;
  /** Candidates the shrinker may execute (default 10,000); 0: report the walk as found. */
  readonly maxShrinkTests?: number;
  /** Called about once a second while the failing walk is shrunk. */
  readonly onShrinkProgress?: (p: ShrinkProgress) => void;
  /**
   * Bounded memory on large systems: a model's caches (memoized steps, interned machine states) grow with every new
   * state a walk meets. Between chunks, the walks go on with a fresh model and properties from `build` every so many
   * steps, calibrated by the first time this thread's heap exceeds `heapBytes` (MemoryGuard). Results do not
   * change: caches only save time.
   */
  readonly renew?: Renew<S>;
}

/** See `RandomOptions.renew`. */
export interface Renew<S> {
  readonly heapBytes: number;
  readonly build: () => { readonly model: Model<S, unknown>; readonly properties: readonly Property<S>[] };
}

/** This thread's V8 heap plus the memory its ArrayBuffers hold (where the memo tables live). */
export function heapBytes(): number {
  const h = getHeapStatistics() as ReturnType<typeof getHeapStatistics> & { external_memory?: number };
  return h.used_heap_size + (h.external_memory ?? 0);
}

/** How the failing walk was shrunk: its length before and after, and the candidates tried. */
export interface ShrinkStats {
  /** Steps of the walk as found (up to the failure). */
  readonly from: number;
  readonly to: number;
  readonly tried: number;
  readonly accepted: number;
  /** The budget of candidates ran out before the trace was 1-minimal. */
  readonly exhausted: boolean;
}

/**
 * What a random search found: the first failing walk (in walk-number order), shrunk, or that none failed; counts of
 * walks and steps, and where each 'sometimes' property was first witnessed. The same for any number of workers.
 */
export interface RandomResult<S, A> {
  readonly verdict: RandomVerdict;
  readonly incompleteReason?: StopReason;
  readonly property?: string;
  readonly message?: string;
  /** The walk that found the violation or error. */
  readonly walk?: number;
  /** The shrunk execution ('violated': to the violating state; 'error': to the state where `errorAction` fails). */
  readonly trace?: Trace<S, A>;
  readonly errorAction?: A;
  readonly shrink?: ShrinkStats;
  /** Swarm walks: the action kinds the failing walk allowed, among those enabled along it. */
  readonly swarmKinds?: readonly string[];
  /** How many times the model was rebuilt to bound memory (`RandomOptions.renew`). */
  readonly renewals: number;
  /** Walks completed (up to and including the failing one) and their steps. */
  readonly traces: number;
  readonly steps: number;
  readonly deadlocks: number;
  /** Time spent walking (timing), and shrinking after it. */
  readonly seconds: number;
  readonly stepsPerSecond: number;
  readonly shrinkSeconds: number;
  /** Per 'sometimes' property: where it was first witnessed, or null. */
  readonly witnessed: Readonly<Record<string, Witness | null>>;
}

/**
 * When to renew the model. The heap alone cannot say after a first renewal: it still holds the dropped model's
 * memory until the garbage collector has run and released its ArrayBuffers (which needs the event loop), often
 * long after. So the first time the heap exceeds the budget — when no dropped model inflates it yet — calibrates
 * how many steps fill the budget, and the model is renewed every that many steps from then on.
 */
export class MemoryGuard {
  private every: number | undefined;
  private steps = 0;

  constructor(
    private readonly budget: number,
    private readonly heap: () => number = heapBytes,
  ) {}

  /** After walking `steps` more steps: whether to renew now (the count starts again if so). */
  shouldRenew(steps: number): boolean {
    this.steps += steps;
    if (this.every === undefined) {
      if (this.heap() <= this.budget) return false;
      this.every = Math.max(1, this.steps);
    } else if (this.steps < this.every) return false;
    this.steps = 0;
    return true;
  }
}

/** Walks per chunk: enough that the clock and progress are read rarely, few enough to report about once a second. */
/** The first chunk: about 2,048 steps (walks of 100 steps: 20 walks), so that the first report comes soon. */
export const firstChunk = (depth: number): number => Math.max(1, Math.ceil(2048 / Math.max(1, depth)));
const CHUNK_MS = 100;

export function checkRange(first: number, end: number): void {
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(end) || first < 0 || end < first) {
    throw new RangeError(`random search: walks ${first}..${end} is not a range of non-negative integers`);
  }
}

/**
 * Random search in this thread: walks `first`…`end - 1`, each a pure function of `seed` and its number, stopping at
 * the first that violates a property or fails; that walk is then shrunk. Verdict 'no-violation-found' proves nothing.
 *
 * @example
 * ```ts
 * const r = randomSearch(model, { seed: 1, depth: 100, swarm: false, first: 0, end: 1000, properties });
 * if (r.verdict === 'violated') console.log(r.property, r.trace?.actions.length);
 * ```
 */
export function randomSearch<S, A>(model: Model<S, A>, options: RandomOptions<S>): RandomResult<S, A> {
  const run = new InThread(model, options);
  while (run.step());
  return run.result();
}

/**
 * Random search in this thread, yielding to the event loop between chunks (about every CHUNK_MS) so that a signal
 * handler (Ctrl-C) can abort it.
 */
export async function randomSearchAsync<S, A>(model: Model<S, A>, options: RandomOptions<S>): Promise<RandomResult<S, A>> {
  const run = new InThread(model, options);
  while (run.step()) await new Promise<void>((resolve) => setImmediate(resolve));
  return run.result();
}

/** A run in this thread, one chunk of walks per `step`. */
class InThread<S, A> {
  private readonly now: () => number;
  private readonly start: number;
  private walker: Walker<S, A>;
  private renewals = 0;
  private readonly guard: MemoryGuard | undefined;
  private readonly stop: () => StopReason | undefined;
  private readonly reports: ChunkReport[] = [];
  private readonly witnessed: string[] = [];
  private readonly progress: (r: ChunkReport) => void;
  private size: number;
  private next: number;

  constructor(
    private model: Model<S, A>,
    private readonly options: RandomOptions<S>,
  ) {
    checkRange(options.first, options.end);
    this.now = options.now ?? (() => performance.now());
    this.start = this.now();
    this.walker = new Walker(model, options.properties, options);
    this.stop = stopper(this.start, this.now, options.timeoutMs, options.signal);
    this.progress = progressReporter(options, this.start, this.now);
    this.next = options.first;
    this.size = firstChunk(options.depth);
    this.guard = options.renew !== undefined ? new MemoryGuard(options.renew.heapBytes) : undefined;
  }

  /** Runs one chunk; false when the run is over. */
  step(): boolean {
    if (this.next >= this.options.end) return false;
    const t0 = this.now();
    const r = runChunk(this.walker, this.next, Math.min(this.options.end, this.next + this.size), this.stop, this.witnessed);
    this.reports.push(r);
    for (const name of Object.keys(r.witnesses)) this.witnessed.push(name);
    this.progress(r);
    if (r.found !== undefined || r.stopped !== undefined) return false;
    this.next = r.end;
    this.size = nextChunkSize(this.size, this.now() - t0);
    const renew = this.options.renew;
    if (renew !== undefined && this.guard!.shouldRenew(r.steps)) {
      const fresh = renew.build();
      // The same type of model, built afresh: its actions are A's.
      this.model = fresh.model as Model<S, A>;
      this.walker = new Walker(this.model, fresh.properties, this.options);
      this.renewals++;
    }
    return this.next < this.options.end;
  }

  result(): RandomResult<S, A> {
    const seconds = (this.now() - this.start) / 1000;
    return finish(this.model, this.walker.properties, this.options, combine(this.reports), seconds, this.renewals);
  }
}

/** The size of the next chunk, aiming at CHUNK_MS per chunk. */
export function nextChunkSize(size: number, ms: number): number {
  if (ms < CHUNK_MS / 4) return Math.min(size * 2, 1 << 20);
  if (ms > CHUNK_MS * 4) return Math.max(1, size >> 1);
  return size;
}

export function stopper(start: number, now: () => number, timeoutMs: number | undefined, signal: AbortSignal | undefined): () => StopReason | undefined {
  return () => {
    if (signal?.aborted) return 'interrupted';
    if (timeoutMs !== undefined && now() - start >= timeoutMs) return 'timeout';
    return undefined;
  };
}

/** Calls `onProgress` with the totals so far, at most every `progressEveryMs`. */
export function progressReporter<S>(options: RandomOptions<S>, start: number, now: () => number): (r: ChunkReport) => void {
  const every = options.progressEveryMs ?? 1000;
  let traces = 0;
  let steps = 0;
  let lastMs = start;
  let lastSteps = 0;
  return (r) => {
    traces += r.walks;
    steps += r.steps;
    const t = now();
    if (options.onProgress === undefined || t - lastMs < every) return;
    const span = t - lastMs;
    options.onProgress({ traces, steps, stepsPerSecond: span > 0 ? ((steps - lastSteps) * 1000) / span : 0, total: options.end - options.first, elapsedMs: t - start });
    lastMs = t;
    lastSteps = steps;
  };
}

/** The result of a run from its combined chunk reports: the failing walk rebuilt and shrunk. */
export function finish<S, A>(
  model: Model<S, A>,
  properties: readonly Property<S>[],
  options: RandomOptions<S>,
  c: Combined,
  seconds: number,
  renewals: number,
): RandomResult<S, A> {
  const witnessed: Record<string, Witness | null> = {};
  for (const p of properties) if (p.kind === 'sometimes') witnessed[p.name] = c.witnesses[p.name] ?? null;
  const base = {
    traces: c.walks,
    steps: c.steps,
    deadlocks: c.deadlocks,
    seconds,
    stepsPerSecond: seconds > 0 ? c.steps / seconds : 0,
    shrinkSeconds: 0,
    witnessed,
    renewals,
  };
  const f = c.found;
  if (f === undefined) {
    return c.stopped !== undefined ? { verdict: 'incomplete', incompleteReason: c.stopped, ...base } : { verdict: 'no-violation-found', ...base };
  }
  const t0 = performance.now();
  const walker = new Walker(model, properties, options);
  const { trace, errorAction, kinds } = rebuild(walker, f);
  const failure: Failure = f.kind === 'violated' ? { kind: 'violated', property: f.property! } : { kind: 'error', message: f.message };
  const budget = options.maxShrinkTests ?? 10_000;
  // An error raised by a property check (not by a step) has no failing action to preserve: it is reported as found.
  const shrinkable = budget > 0 && (f.kind === 'violated' || f.errorAction !== undefined);
  const shrunk = shrinkable ? shrinkTrace(model, properties, failure, trace, errorAction, { maxTests: budget, ...(options.onShrinkProgress !== undefined ? { onProgress: options.onShrinkProgress } : {}) }, (a) => walker.kindOf(a)) : undefined;
  const from = f.actions.length + (f.errorAction !== undefined ? 1 : 0);
  const final = shrunk?.trace ?? trace;
  const finalError = shrunk !== undefined ? shrunk.errorAction : errorAction;
  return {
    verdict: f.kind,
    ...(f.property !== undefined ? { property: f.property } : {}),
    message: shrunk?.message ?? f.message,
    walk: f.walk,
    trace: final,
    ...(finalError !== undefined ? { errorAction: finalError } : {}),
    shrink: {
      from,
      to: final.actions.length + (finalError !== undefined ? 1 : 0),
      tried: shrunk?.tried ?? 0,
      accepted: shrunk?.accepted ?? 0,
      exhausted: shrunk?.exhausted ?? false,
    },
    ...(options.swarm ? { swarmKinds: walker.allowedKinds(f.walk, kinds) } : {}),
    ...base,
    shrinkSeconds: (performance.now() - t0) / 1000,
  };
}

/** Re-execute a found walk from its recorded action indices; also the kinds of the actions enabled along it. */
function rebuild<S, A>(walker: Walker<S, A>, f: FoundWalk): { trace: Trace<S, A>; errorAction?: A; kinds: Set<string> } {
  const model = walker.model;
  let s: S = model.initial()[f.init]!;
  const states: S[] = [s];
  const actions: A[] = [];
  const kinds = new Set<string>();
  const enabled = (x: S): readonly A[] => {
    const list = model.actions(x);
    if (walker.settings.swarm) for (const a of list) kinds.add(walker.kindOf(a));
    return list;
  };
  for (const i of f.actions) {
    const a = enabled(s)[i];
    if (a === undefined) throw new Error('random search: a recorded walk does not re-execute (are actions()/next() deterministic?)');
    s = model.next(s, a);
    states.push(s);
    actions.push(a);
  }
  const errorAction = f.errorAction !== undefined ? enabled(s)[f.errorAction] : undefined;
  return { trace: { states, actions }, ...(errorAction !== undefined ? { errorAction } : {}), kinds };
}
