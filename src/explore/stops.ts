/**
 * Everything that may stop a search other than its result: the clock (timeout), the user (an aborted signal), the
 * memory budget and the heap limit — and the progress reports, which are made at the same moments.
 *
 * Strategies count their work (expansions) and call `poll` when the count reaches `nextPoll`. The clock is read
 * there only, and the interval adapts so that polls are ~5–50 ms apart (at most every 4,096 expansions): reading it
 * per state would cost more than many expansions. A poll also ends a slice of work, so that `searchAsync` can give
 * the event loop (and Ctrl-C's handler) a turn.
 */
import { getHeapStatistics } from 'node:v8';
import type { IncompleteReason, Progress, SearchOptions } from './types.js';

/** `poll`'s answer when nothing stops the search but its slice of work is over. */
export const YIELD = 'yield';
export type PollResult = IncompleteReason | typeof YIELD | undefined;

/**
 * The JavaScript heap is allowed this share of its old generation's limit. V8 aborts the process ("ineffective
 * mark-compacts near heap limit") well before the heap is full: at 84% of a 50 MiB limit in a measured run.
 */
const HEAP_SHARE = 0.7;
/** What `heap_size_limit` adds to the old generation's limit: the young generation, 3 × 16 MiB on 64-bit V8. */
const YOUNG_GENERATION = 48 * 2 ** 20;
/** How often polls read the resident memory (the budget is also checked before every large allocation). */
const MEMORY_EVERY_MS = 200;
/** A slice of work between two turns of the event loop (searchAsync). */
const SLICE_MS = 50;

function defaultNow(): number {
  return performance.now();
}

export function residentMemory(): number {
  return typeof process === 'undefined' ? 0 : process.memoryUsage.rss();
}

export function checkBound(name: string, value: number | undefined): number {
  if (value === undefined) return Infinity;
  if (!(value >= 0)) throw new RangeError(`search: ${name} must be a non-negative number, got ${value}`);
  return value;
}

export class Stops {
  readonly now: () => number;
  readonly start: number;
  readonly maxStates: number;
  readonly maxDepth: number;
  private readonly timeoutMs: number;
  private readonly progressEveryMs: number;
  private readonly memoryLimit: number;
  private readonly memoryUsage: () => number;
  private readonly heapLimit: number;
  private readonly signal: AbortSignal | undefined;
  private readonly onProgress: ((p: Progress) => void) | undefined;
  /** Work count at which the strategy should call `poll` next. */
  nextPoll = 256;
  private interval = 256;
  private lastPoll: number;
  private lastProgress: number;
  private lastProgressStates = 0;
  private sliceEnd: number;
  /** Resident memory at the last reading. */
  memory = 0;
  private lastMemoryRead = -Infinity;

  constructor(options: SearchOptions<unknown>) {
    this.now = options.now ?? defaultNow;
    this.maxStates = checkBound('maxStates', options.maxStates);
    this.maxDepth = checkBound('maxDepth', options.maxDepth);
    this.timeoutMs = checkBound('timeoutMs', options.timeoutMs);
    this.progressEveryMs = checkBound('progressEveryMs', options.progressEveryMs ?? 1000);
    this.memoryLimit = checkBound('memoryLimitBytes', options.memoryLimitBytes);
    this.memoryUsage = options.memoryUsage ?? residentMemory;
    this.heapLimit = Math.max(16 * 2 ** 20, getHeapStatistics().heap_size_limit - YOUNG_GENERATION) * HEAP_SHARE;
    this.signal = options.signal;
    this.onProgress = options.onProgress;
    this.start = this.now();
    this.lastPoll = this.start;
    this.lastProgress = this.start;
    this.sliceEnd = this.start + SLICE_MS;
  }

  /** Why the search must stop before it starts (an already aborted signal), if it must. */
  initially(): IncompleteReason | undefined {
    return this.signal?.aborted === true ? 'interrupted' : undefined;
  }

  /** Start a new slice of work (after a turn of the event loop). */
  beginSlice(): void {
    this.sliceEnd = this.now() + SLICE_MS;
  }

  /**
   * Read the clock, report progress if due, and say whether the search must stop (and why), or only yield.
   * `work` is the strategy's work count (the same counter `nextPoll` refers to).
   */
  poll(work: number, states: number, depth: number, queue: number): PollResult {
    const t = this.now();
    const dt = t - this.lastPoll;
    if (dt < 5 && this.interval < 4096) this.interval *= 2;
    else if (dt > 50 && this.interval > 1) this.interval >>= 1;
    this.nextPoll = work + this.interval;
    this.lastPoll = t;
    const stop = this.stopReason(t);
    if (this.onProgress !== undefined && t - this.lastProgress >= this.progressEveryMs) {
      const span = t - this.lastProgress;
      this.onProgress({
        states,
        depth,
        queue,
        statesPerSecond: span > 0 ? ((states - this.lastProgressStates) * 1000) / span : 0,
        memoryBytes: this.memory,
        elapsedMs: t - this.start,
      });
      this.lastProgress = t;
      this.lastProgressStates = states;
    }
    if (stop !== undefined) return stop;
    return t >= this.sliceEnd ? YIELD : undefined;
  }

  private stopReason(t: number): IncompleteReason | undefined {
    if (this.signal?.aborted === true) return 'interrupted';
    // Reading the resident memory costs up to a third of a millisecond with a large heap: a few times a second.
    if (t - this.lastMemoryRead >= MEMORY_EVERY_MS || this.memory === 0) {
      this.memory = this.memoryUsage();
      this.lastMemoryRead = t;
    }
    if (this.memory > this.memoryLimit || this.heapTooFull()) return 'memory';
    if (t - this.start >= this.timeoutMs) return 'timeout';
    return undefined;
  }

  private heapTooFull(): boolean {
    return getHeapStatistics().used_heap_size > this.heapLimit;
  }

  /** Whether `bytes` more (a table about to grow) fit the memory budget. */
  allows(bytes: number): boolean {
    if (this.memoryLimit === Infinity) return true;
    this.memory = this.memoryUsage();
    return this.memory + bytes <= this.memoryLimit;
  }

  /** Resident memory now (also kept in `memory`). */
  measureMemory(): number {
    this.memory = this.memoryUsage();
    return this.memory;
  }

  /** Seconds since the start. */
  elapsed(): number {
    return (this.now() - this.start) / 1000;
  }
}
