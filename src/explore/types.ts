/**
 * The search's vocabulary, shared by every strategy: options, progress reports, results and traces.
 */
import type { Property } from './model.js';

/** Breadth-first (counterexamples are shortest) or depth-first (the frontier stays small). */
export type Strategy = 'bfs' | 'dfs';
/**
 * How a search ended: every reachable state satisfies every property (`holds`, only after a complete search), a
 * property failed (`violated`), a bound or a stop ended it first (`incomplete`: nothing proven), or the model threw a
 * `ModelError` (`error`).
 */
export type Verdict = 'holds' | 'violated' | 'incomplete' | 'error';
/**
 * Why a search stopped before covering the state space: a bound (`max-states`, `max-depth`), the clock (`timeout`),
 * the user (`interrupted`: `options.signal` aborted, e.g. by Ctrl-C) or the memory budget (`memory`).
 */
export type IncompleteReason = 'max-states' | 'max-depth' | 'timeout' | 'interrupted' | 'memory';

/** A progress report during a search (`SearchOptions.onProgress`), as TLC prints them. */
export interface Progress {
  /** Distinct states discovered so far. */
  readonly states: number;
  /** Deepest state discovered so far. */
  readonly depth: number;
  /** States waiting in the frontier. */
  readonly queue: number;
  /** Discovery rate since the previous report. */
  readonly statesPerSecond: number;
  /** Resident memory of the process (JavaScript heap, typed arrays, workers). */
  readonly memoryBytes: number;
  readonly elapsedMs: number;
}

/** How to search: the strategy, the properties to check, bounds and stops, symmetry reduction, threads, progress reports. */
export interface SearchOptions<S> {
  readonly strategy: Strategy;
  /** Stop (verdict 'incomplete') rather than store more than this many distinct states. */
  readonly maxStates?: number;
  /** States at this depth are checked but not expanded; if any of them has an enabled action the search is 'incomplete'. */
  readonly maxDepth?: number;
  readonly timeoutMs?: number;
  /**
   * Stop with incompleteReason 'interrupted' once this signal is aborted. The search looks at it whenever it reads
   * its clock; `search` runs without pause, so only `searchAsync` (which yields to the event loop between slices of
   * work) lets a signal handler such as Ctrl-C's abort it midway.
   */
  readonly signal?: AbortSignal;
  /**
   * Memory budget in bytes of resident memory: the search stops with incompleteReason 'memory' before it would
   * exceed it (checked with the clock and before every large allocation). Independently of it, the search also stops
   * before the JavaScript heap reaches 90% of its limit, which would otherwise end the process with a fatal error.
   */
  readonly memoryLimitBytes?: number;
  /** Store `model.canonical(s)` instead of `s`; every property must be symmetric (see `Model.canonical`). */
  readonly symmetry?: boolean;
  /**
   * Fingerprint mode (TLC's default): with a packed model, the visited set keeps a 64-bit hash per state instead of
   * the state. Less memory per state; a collision would silently merge two states, and the result reports the
   * probability of that (`fingerprintCollision`).
   */
  readonly fingerprint?: boolean;
  /**
   * Threads for a breadth-first search of a packed model that can run in workers (default 1). Any number gives the
   * same states, transitions, verdict and traces.
   */
  readonly workers?: number;
  /**
   * With `workers > 1`: the search runs on the calling thread until it has this many states (default 65,536), then
   * the workers take over at the next level boundary — small searches never start threads. Results are the same.
   */
  readonly parallelAfter?: number;
  readonly properties: readonly Property<S>[];
  readonly onProgress?: (p: Progress) => void;
  /** Default 1000. */
  readonly progressEveryMs?: number;
  /** Milliseconds clock, injectable so tests of timeouts and progress are deterministic. */
  readonly now?: () => number;
  /** Resident memory in bytes, injectable so tests of the memory budget are deterministic. */
  readonly memoryUsage?: () => number;
  /**
   * Called once when the search stops, whatever the verdict (unless something other than a ModelError is thrown):
   * after its last clock reading, so time spent here is not in `seconds`, and while the visited set and the parent
   * columns are still alive, before any trace is rebuilt. For measurements such as the retained memory per state.
   */
  readonly onFinish?: () => void;
}

/** A concrete execution: `states[i + 1] = next(states[i], actions[i])`, `states[0]` an initial state. */
export interface Trace<S, A> {
  readonly states: S[];
  readonly actions: A[];
}

/** The outcome of a search: its verdict, the statistics, and a counterexample or witness traces where there are any. */
export interface SearchResult<S, A> {
  readonly verdict: Verdict;
  /** The property that failed ('violated'). */
  readonly property?: string;
  /** Why it failed, or the ModelError message ('error'). */
  readonly message?: string;
  /** Set exactly when verdict is 'incomplete': a bound cut the search before anything was found. */
  readonly incompleteReason?: IncompleteReason;
  readonly states: number;
  /** Successor computations, including those reaching already visited states. */
  readonly transitions: number;
  readonly depth: number;
  /** States discovered but not expanded when the search stopped (0 after a complete search). */
  readonly queue: number;
  readonly seconds: number;
  readonly statesPerSecond: number;
  /** Resident memory when the search stopped. */
  readonly memoryBytes: number;
  /** Threads that expanded states (1: the calling thread alone). */
  readonly workers: number;
  /**
   * Fingerprint mode only: TLC's optimistic estimate of the probability that two distinct states had the same
   * fingerprint, so that one of them (and all it leads to) went unchecked: n·(g − n) / 2^64 for n distinct states and
   * g states generated (initial states plus transitions).
   */
  readonly fingerprintCollision?: number;
  /** 'violated' by an 'always' property: path to the violating state. 'error': path to the state being expanded. */
  readonly trace?: Trace<S, A>;
  /** 'error' raised by `next`: the action that raised it (not part of `trace`, which has no successor for it). */
  readonly errorAction?: A;
  /** Per 'sometimes' property: was some discovered state a witness? */
  readonly witnessed: Record<string, boolean>;
  /** Per witnessed 'sometimes' property: a path to its first witness (shortest under BFS). */
  readonly witnesses: Record<string, Trace<S, A>>;
}
