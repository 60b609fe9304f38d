/**
 * Runs a list of simulations on a pool and keeps what finished. Results are stored by position, so the output does
 * not depend on which worker finished first; a stop (Ctrl-C, --timeout) cancels what has not finished and returns
 * the finished ones.
 */
import type { SimulationReport } from '../../run-simulation.js';
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
  const settled = await Promise.allSettled(
    tasks.map(async (t, i) => {
      const r = await pool.run(t, opts.signal);
      results[i] = r;
      done++;
      opts.onDone?.(done, tasks.length);
    }),
  );
  for (const s of settled) {
    if (s.status === 'rejected' && !isAbort(s.reason)) throw s.reason;
  }
  return results;
}
