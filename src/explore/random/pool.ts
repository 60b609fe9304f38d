/**
 * Parallel random search on a tinypool of worker threads. Walks are handed out in chunks of consecutive numbers, in
 * order; each worker builds its own model (task.ts). Because a walk depends only on the seed and its number, and the
 * run stops at the lowest-numbered failing walk, the result is the one `randomSearch` gives in one thread: chunks
 * after a failing one are not waited for, chunks before it always are.
 */
import Tinypool from 'tinypool';
import type { Model } from '../model.js';
import { combine, type ChunkReport } from './chunk.js';
import { checkRange, finish, firstChunk, nextChunkSize, progressReporter, type RandomOptions, type RandomResult } from './run.js';
import type { WalkTask, WalkTaskResult } from './task.js';

/** The worker threads of `randomSearchParallel`, and what each needs to build its own copy of the model. */
export interface PoolOptions {
  readonly workers: number;
  /** A module whose default export is `walkTaskHandler(...)` (a file URL or path of compiled JavaScript). */
  readonly workerFile: string | URL;
  /** Passed to the workers' build function; `setupKey` names it. */
  readonly setup: unknown;
  readonly setupKey: string;
}

/**
 * `randomSearch` over `pool.workers` threads, with the same result. Each worker builds its own model from
 * `pool.setup` in `pool.workerFile`, a compiled module whose default export is `walkTaskHandler(build)`; `model`
 * (this thread's) rebuilds and shrinks the failing walk.
 */
export async function randomSearchParallel<S, A>(model: Model<S, A>, options: RandomOptions<S>, pool: PoolOptions): Promise<RandomResult<S, A>> {
  checkRange(options.first, options.end);
  if (!Number.isInteger(pool.workers) || pool.workers < 1) throw new RangeError(`random search: workers must be a positive integer, got ${pool.workers}`);
  const now = options.now ?? (() => performance.now());
  const start = now();
  const deadline = options.timeoutMs !== undefined ? Date.now() + options.timeoutMs : null;
  const tinypool = new Tinypool({
    filename: pool.workerFile instanceof URL ? pool.workerFile.href : pool.workerFile,
    minThreads: pool.workers,
    maxThreads: pool.workers,
  });
  const done = new Map<number, ChunkReport>();
  const progress = progressReporter(options, start, now);
  const inFlight = new Set<Promise<void>>();
  const abort = new AbortController();
  const onAbort = (): void => abort.abort();
  options.signal?.addEventListener('abort', onAbort);
  let size = firstChunk(options.depth);
  let renewals = 0;
  let next = options.first;
  /** Lowest first walk of a chunk that found something or stopped: nothing after it is needed. */
  let cutAt = Infinity;
  let failure: unknown;
  // One promise for the whole run (racing a fresh one each round would add a listener to the signal per round).
  const stopped = aborted(abort.signal);
  try {
    while (failure === undefined && !abort.signal.aborted) {
      while (inFlight.size < pool.workers * 2 && next < options.end && next < cutAt) {
        const task: WalkTask = {
          setup: pool.setup,
          setupKey: pool.setupKey,
          seed: options.seed,
          depth: options.depth,
          swarm: options.swarm,
          first: next,
          end: Math.min(options.end, next + size),
          deadline,
          witnessed: [],
          heapBytes: options.renew?.heapBytes ?? null,
        };
        next = task.end;
        const p: Promise<void> = (tinypool.run(task, { signal: abort.signal }) as Promise<WalkTaskResult>).then(
          (r) => {
            inFlight.delete(p);
            if (r.renewed) renewals++;
            done.set(r.report.first, r.report);
            progress(r.report);
            size = nextChunkSize(size, r.ms);
            if (r.report.found !== undefined || r.report.stopped !== undefined) cutAt = Math.min(cutAt, r.report.first);
          },
          (e: unknown) => {
            inFlight.delete(p);
            if (!abort.signal.aborted) failure ??= e;
          },
        );
        inFlight.add(p);
      }
      if (inFlight.size === 0 || allBefore(done, options.first, cutAt)) break;
      await Promise.race([...inFlight, stopped]);
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    abort.abort();
    await tinypool.destroy();
  }
  if (failure !== undefined) throw failure;
  const reports = prefix(done, options.first);
  let c = combine(reports);
  // Interrupted: the chunks still running are lost; say so even if everything finished was clean.
  if (options.signal?.aborted && c.found === undefined) c = { ...c, stopped: 'interrupted' };
  return finish(model, options.properties, options, c, (now() - start) / 1000, renewals);
}

/** Whether every chunk from `first` up to and including the one starting at `cut` has reported. */
function allBefore(done: ReadonlyMap<number, ChunkReport>, first: number, cut: number): boolean {
  if (cut === Infinity) return false;
  for (let at = first; ; ) {
    const r = done.get(at);
    if (r === undefined) return false;
    if (at >= cut) return true;
    at = r.end;
  }
}

/** The reports of consecutive chunks from `first`, in order, as far as they reach without a gap. */
function prefix(done: ReadonlyMap<number, ChunkReport>, first: number): ChunkReport[] {
  const out: ChunkReport[] = [];
  for (let r = done.get(first); r !== undefined; r = done.get(r.end)) {
    out.push(r);
    if (r.found !== undefined || r.stopped !== undefined || r.end === r.first) break;
  }
  return out;
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
}
