/**
 * Explicit-state search (in the spirit of TLC, SPIN and Stateright) over any `Model`: the entry points.
 *
 * `search` picks a strategy for the model and the options and runs it to the end:
 * - a packed model (`Model.packed`) runs on packed states — `packed/bfs.ts`, `packed/dfs.ts`, or with
 *   `workers > 1` the parallel breadth-first search of `parallel/` (searchAsync only);
 * - any other model, or symmetry reduction, runs on objects (`object/checker.ts`).
 * Every strategy reports an `Outcome` that `result.ts` turns into the `SearchResult`, rebuilding traces with the
 * object-level model. `searchAsync` does the same in slices, yielding to the event loop between them, so that an
 * AbortSignal (Ctrl-C) can stop it.
 */
import { checkPropertyNames } from './checks.js';
import type { Model } from './model.js';
import { ObjectChecker } from './object/checker.js';
import { PackedBfs } from './packed/bfs.js';
import { PackedDfs } from './packed/dfs.js';
import type { PackedBinding } from './packed/model.js';
import { ParallelBfs } from './parallel/coordinator.js';
import { startHelpers, stopHelpers, type Helper } from './parallel/helpers.js';
import { toResult, type Outcome } from './result.js';
import { Stops, checkBound } from './stops.js';
import type { SearchOptions, SearchResult } from './types.js';

/** Default `parallelAfter`: below this many states a search is over before threads would pay for themselves. */
const PARALLEL_AFTER = 1 << 16;

/** A strategy in progress: `step` works until the search ends (true) or its slice is over (false). */
interface Run<S, A> {
  step(): boolean;
  outcome(): Outcome<S, A>;
}

function validate<S, A>(model: Model<S, A>, options: SearchOptions<S>): void {
  if (options.strategy !== 'bfs' && options.strategy !== 'dfs') {
    throw new RangeError(`search: unknown strategy '${String(options.strategy)}'`);
  }
  if (options.symmetry === true && model.canonical === undefined) throw new TypeError('search: options.symmetry needs a model with canonical()');
  const workers = options.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`search: workers must be a positive integer, got ${workers}`);
  checkPropertyNames(options.properties);
}

/** The model's packed form for these options, if it has one and they allow it. */
export function packedBinding<S, A>(model: Model<S, A>, options: SearchOptions<S>): PackedBinding<S> | undefined {
  if (options.symmetry === true || model.packed === undefined) return undefined;
  return model.packed(options.properties);
}

function start<S, A>(model: Model<S, A>, options: SearchOptions<S>, stops: Stops): Run<S, A> {
  const binding = packedBinding(model, options);
  if (binding === undefined) {
    if (options.fingerprint === true) throw new TypeError('search: fingerprint mode needs a model with a packed form (Model.packed)');
    return new ObjectChecker(model, options, stops);
  }
  const initial = model.initial();
  return options.strategy === 'bfs' ? new PackedBfs<S, A>(binding, initial, options, stops) : new PackedDfs<S, A>(binding, initial, options, stops);
}

function finish<S, A>(model: Model<S, A>, options: SearchOptions<S>, stops: Stops, outcome: Outcome<S, A>): SearchResult<S, A> {
  const seconds = stops.elapsed();
  const memoryBytes = stops.measureMemory();
  options.onFinish?.();
  return toResult(model, options, outcome, { seconds, memoryBytes });
}

/** Explore the states reachable in `model`, checking `options.properties` on every distinct state. */
export function search<S, A>(model: Model<S, A>, options: SearchOptions<S>): SearchResult<S, A> {
  validate(model, options);
  if ((options.workers ?? 1) > 1) throw new RangeError('search: workers > 1 needs searchAsync');
  const stops = new Stops(options);
  const run = start(model, options, stops);
  const before = stops.initially();
  if (before === undefined) while (!run.step());
  return finish(model, options, stops, before === undefined ? run.outcome() : { ...run.outcome(), cut: before });
}

/**
 * `search`, yielding to the event loop between slices of work (~50 ms), so that `options.signal` can stop it; with
 * `workers > 1`, a breadth-first search of a model with a worker form runs on that many threads (parallel/), with
 * the same results.
 */
export async function searchAsync<S, A>(model: Model<S, A>, options: SearchOptions<S>): Promise<SearchResult<S, A>> {
  validate(model, options);
  const stops = new Stops(options);
  const workers = options.workers ?? 1;
  const binding = workers > 1 && options.strategy === 'bfs' ? packedBinding(model, options) : undefined;
  if (binding?.worker !== undefined) {
    // One thread first; the workers take over at the first level boundary past `parallelAfter` states, so that
    // small searches never pay for starting threads.
    const initial = model.initial();
    const first = new PackedBfs<S, A>(binding, initial, options, stops);
    first.handoffAt = checkBound('parallelAfter', options.parallelAfter ?? PARALLEL_AFTER);
    const before = stops.initially();
    if (before !== undefined) return finish(model, options, stops, { ...first.outcome(), cut: before });
    // The threads start at an eighth of the way to the hand-over: a search that gets that far usually goes on, and
    // their start then overlaps with this thread's last levels instead of delaying the first parallel one.
    const startAt = first.handoffAt / 8;
    let helpers: Helper[] | undefined;
    try {
      while (!first.step()) {
        if (helpers === undefined && first.states >= startAt) helpers = startHelpers(binding.worker, workers);
        await new Promise<void>((resolve) => setImmediate(resolve));
        stops.beginSlice();
      }
    } catch (e) {
      if (helpers !== undefined) await stopHelpers(helpers);
      throw e;
    }
    if (!first.handedOff) {
      if (helpers !== undefined) await stopHelpers(helpers);
      return finish(model, options, stops, first.outcome());
    }
    const parallel = new ParallelBfs<S, A>(binding, options, stops, workers);
    parallel.initialStates = initial.length;
    try {
      parallel.adopt(first.handover());
    } catch (e) {
      if (helpers !== undefined) await stopHelpers(helpers);
      throw e;
    }
    await parallel.run(helpers);
    return finish(model, options, stops, parallel.outcome());
  }
  const run = start(model, options, stops);
  const before = stops.initially();
  if (before !== undefined) return finish(model, options, stops, { ...run.outcome(), cut: before });
  while (!run.step()) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    stops.beginSlice();
  }
  return finish(model, options, stops, run.outcome());
}
