/**
 * The worker side of a parallel random search: a pool worker's module default-exports `walkTaskHandler(build)`,
 * where `build` makes the model and properties from the run's setup (plain data: the worker builds its own model,
 * so nothing but numbers and JSON crosses threads). The model is built once per worker and setup, then reused.
 */
import type { Model, Property } from '../model.js';
import { runChunk, type ChunkReport } from './chunk.js';
import { MemoryGuard } from './run.js';
import { Walker } from './walk.js';

/** One chunk of walks, as the pool hands it to a worker. */
export interface WalkTask {
  /** What `build` needs (structured-cloneable), and a key naming it: equal keys mean the same model. */
  readonly setup: unknown;
  readonly setupKey: string;
  readonly seed: number;
  readonly depth: number;
  readonly swarm: boolean;
  readonly first: number;
  readonly end: number;
  /** Wall-clock deadline (Date.now() milliseconds: comparable across threads), or null. */
  readonly deadline: number | null;
  /** 'sometimes' properties an earlier chunk already witnessed. */
  readonly witnessed: readonly string[];
  /** After the chunk, rebuild the model if this worker's heap exceeds this many bytes (null: never). */
  readonly heapBytes: number | null;
}

/** A worker's answer to a `WalkTask`. */
export interface WalkTaskResult {
  readonly report: ChunkReport;
  /** Milliseconds the chunk took (sizes the next chunks). */
  readonly ms: number;
  /** Whether the worker dropped its model after the chunk to bound its memory. */
  readonly renewed: boolean;
}

/** What a worker's build function returns: its own model and properties, built from the run's setup. */
export interface Built<S, A> {
  readonly model: Model<S, A>;
  readonly properties: readonly Property<S>[];
}

/**
 * The default export of a worker module for `randomSearchParallel`: `export default walkTaskHandler((setup) => ({ model,
 * properties }))`. The model is built once per worker and setup, then reused for every chunk.
 */
export function walkTaskHandler<S, A>(build: (setup: unknown) => Built<S, A>): (task: WalkTask) => WalkTaskResult {
  let cached: { key: string; walker: Walker<S, A> } | undefined;
  let guard: MemoryGuard | undefined;
  return (task) => {
    const t0 = performance.now();
    if (cached === undefined || cached.key !== `${task.setupKey}|${task.seed}|${task.depth}|${task.swarm}`) {
      const { model, properties } = build(task.setup);
      const walker = new Walker(model, properties, { seed: task.seed, depth: task.depth, swarm: task.swarm });
      cached = { key: `${task.setupKey}|${task.seed}|${task.depth}|${task.swarm}`, walker };
    }
    const deadline = task.deadline;
    const stop = deadline === null ? undefined : () => (Date.now() >= deadline ? ('timeout' as const) : undefined);
    const report = runChunk(cached.walker, task.first, task.end, stop, task.witnessed);
    if (task.heapBytes !== null) guard ??= new MemoryGuard(task.heapBytes);
    const renewed = guard !== undefined && guard.shouldRenew(report.steps);
    if (renewed) cached = undefined;
    return { report, ms: performance.now() - t0, renewed };
  };
}
