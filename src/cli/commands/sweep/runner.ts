/**
 * Runs a list of simulations on a pool and keeps what finished. Results are stored by position, so the output does
 * not depend on which worker finished first; a stop (Ctrl-C, --timeout) cancels what has not finished and returns
 * the finished ones.
 */
import type { SimulationReport } from '../../../api/run-simulation.js';
import { isAbort, type SimPool, type SimTask } from '../../sim-pool.js';

export interface BatchProgress {
  /** Called after each finished run with the number finished so far. */
  (done: number, total: number): void;
}

export async function runBatch(
  pool: SimPool,
  tasks: readonly SimTask[],
  opts: { signal?: AbortSignal; onDone?: BatchProgress } = {},
): Promise<(SimulationReport | undefined)[]> {
  const results = new Array<SimulationReport | undefined>(tasks.length).fill(undefined);
  let done = 0;
  let next = 0;
  let failure: unknown;
  // A few tasks per thread in flight, not the whole list: a stop then has little to cancel.
  const lane = async (): Promise<void> => {
    while (next < tasks.length && failure === undefined && !opts.signal?.aborted) {
      const i = next++;
      try {
        results[i] = await pool.run(tasks[i]!, opts.signal);
      } catch (e) {
        if (!isAbort(e)) failure ??= e;
        return;
      }
      done++;
      opts.onDone?.(done, tasks.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(tasks.length, pool.threads * 2) }, lane));
  if (failure !== undefined) throw failure;
  return results;
}
