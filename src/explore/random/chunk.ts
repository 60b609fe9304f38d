/**
 * A contiguous range of walks, run in index order until one finds something: the unit of work of `check --random`,
 * whether run in-process, by a pool worker or by one shard of a batch job. Its report is plain JSON (it crosses
 * worker and process boundaries) and carries everything needed to combine ranges into the report of one run:
 * counts, the first walk that found something, and where each 'sometimes' property was first witnessed.
 */
import type { Walker } from './walk.js';

/** Why a range stopped before its end without finding anything. */
export type StopReason = 'timeout' | 'interrupted';

/** The first walk of a range that violated a property or raised a specification error. */
export interface FoundWalk {
  readonly walk: number;
  readonly kind: 'violated' | 'error';
  readonly property?: string;
  readonly message: string;
  /** The initial state's index and the indices of the actions taken (into each state's `actions()`). */
  readonly init: number;
  readonly actions: readonly number[];
  /** 'error' raised by `next`: the failing action's index in the last state's `actions()`. */
  readonly errorAction?: number;
}

/** Where a 'sometimes' property was first witnessed: the lowest walk index, and the step within it. */
export interface Witness {
  readonly walk: number;
  readonly step: number;
}

export interface ChunkReport {
  readonly first: number;
  readonly end: number;
  /** Walks completed, the one that found something included. */
  readonly walks: number;
  /** Steps of those walks. */
  readonly steps: number;
  /** Walks that ended because no action was enabled. */
  readonly deadlocks: number;
  readonly found?: FoundWalk;
  /** Set when the range stopped early without finding anything; `walks` then counts the walks completed. */
  readonly stopped?: StopReason;
  readonly witnesses: Readonly<Record<string, Witness>>;
}

/**
 * Run walks `first` … `end - 1` with `walker`, stopping at the first that finds something. `stop` is asked between
 * walks and every 1024 steps within one; a walk it interrupts is not counted. Properties named in `witnessed` were
 * already witnessed by an earlier walk and are not looked for.
 */
export function runChunk<S, A>(
  walker: Walker<S, A>,
  first: number,
  end: number,
  stop?: () => StopReason | undefined,
  witnessed: readonly string[] = [],
): ChunkReport {
  const witnesses: Record<string, Witness> = {};
  const sometimes = walker.sometimes;
  for (let j = 0; j < sometimes.length; j++) walker.wanted[j] = !witnessed.includes(sometimes[j]!.name);
  let reason: StopReason | undefined;
  const stopWalk = stop === undefined ? undefined : () => (reason = stop()) !== undefined;
  let walks = 0;
  let steps = 0;
  let deadlocks = 0;
  for (let w = first; w < end; w++) {
    if (stopWalk !== undefined && stopWalk()) break;
    walker.run(w, stopWalk);
    if (walker.end === 'stopped') break;
    walks++;
    steps += walker.steps;
    if (walker.end === 'deadlock') deadlocks++;
    for (let j = 0; j < sometimes.length; j++) {
      const at = walker.witnessStep[j]!;
      if (at >= 0 && walker.wanted[j]) {
        witnesses[sometimes[j]!.name] = { walk: w, step: at };
        walker.wanted[j] = false;
      }
    }
    if (walker.end === 'violated' || walker.end === 'error') {
      const found: FoundWalk = {
        walk: w,
        kind: walker.end,
        ...(walker.property !== undefined ? { property: walker.property } : {}),
        message: walker.message ?? '',
        init: walker.init,
        actions: Array.from(walker.taken.subarray(0, walker.steps)),
        ...(walker.errorIndex >= 0 ? { errorAction: walker.errorIndex } : {}),
      };
      return { first, end, walks, steps, deadlocks, found, witnesses };
    }
  }
  return { first, end, walks, steps, deadlocks, ...(reason !== undefined ? { stopped: reason } : {}), witnesses };
}

/** The combined counts of the reports of consecutive ranges, as one run over all of them reports: a report without its range. */
export type Combined = Omit<ChunkReport, 'first' | 'end'>;

/**
 * Combine the reports of ranges that tile [first, end) in order into what one run over the whole would report: the
 * run stops at the first walk that finds something, so ranges after the first report with a finding do not count.
 * Reports must be sorted by `first`; a missing or stopped range ends the combination there (`stopped` is then set).
 */
export function combine(reports: readonly ChunkReport[]): Combined {
  let walks = 0;
  let steps = 0;
  let deadlocks = 0;
  const witnesses: Record<string, Witness> = {};
  for (let i = 0; i < reports.length; i++) {
    const r = reports[i]!;
    if (i > 0 && r.first !== reports[i - 1]!.end) throw new RangeError(`combine: range ${r.first}..${r.end} does not follow ${reports[i - 1]!.first}..${reports[i - 1]!.end}`);
    walks += r.walks;
    steps += r.steps;
    deadlocks += r.deadlocks;
    for (const [name, w] of Object.entries(r.witnesses)) if (witnesses[name] === undefined) witnesses[name] = w;
    if (r.found !== undefined) return { walks, steps, deadlocks, found: r.found, witnesses };
    if (r.stopped !== undefined) return { walks, steps, deadlocks, stopped: r.stopped, witnesses };
  }
  return { walks, steps, deadlocks, witnesses };
}
