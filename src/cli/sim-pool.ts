/**
 * Independent simulations run in parallel: a pool of worker threads (tinypool) that each run whole simulations
 * (sim-worker.ts). Used by `sweep` and `reproduce`. A simulation is one sequential event loop and shares nothing
 * with another, so the work is embarrassingly parallel: a pool of `jobs` threads, tasks queued FIFO, each result
 * returned to the task that asked for it — callers place results by index, so the output never depends on which
 * thread finished first.
 *
 * From the TypeScript sources (the test suite runs them without a build) a worker thread cannot load the
 * worker module, so the pool runs tasks in this thread, one at a time, yielding to the event loop between them
 * (a Ctrl-C or timeout is seen between runs). The built CLI always uses worker threads.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Tinypool } from 'tinypool';
import type { SimulationReport } from '../api/run-simulation.js';
import runTask, { type SimTask, type TaskResult, type TaskSpan } from './sim-worker.js';

export type { SimTask, TaskSpan } from './sim-worker.js';

export interface SimPool {
  /** Threads running tasks (1 when in-process). */
  readonly threads: number;
  readonly inProcess: boolean;
  /**
   * Runs one simulation; rejects with an AbortError when `signal` fires before it finished. `onSpan` hears when and
   * on which thread it ran (a profile of the pool: VNICSPEC_TRACE_JOBS).
   */
  run(task: SimTask, signal?: AbortSignal, onSpan?: (span: TaskSpan) => void): Promise<SimulationReport>;
  destroy(): Promise<void>;
}

export const defaultJobs = (): number => Math.max(1, availableParallelism());

/** The compiled worker beside this module, or undefined when running from the TypeScript sources. */
function workerFile(): string | undefined {
  const here = import.meta.url;
  if (!here.endsWith('.js')) return undefined;
  const file = fileURLToPath(new URL('./sim-worker.js', here));
  return existsSync(file) ? file : undefined;
}

export function createSimPool(jobs: number): SimPool {
  const filename = workerFile();
  return filename === undefined ? inProcessPool() : threadPool(filename, jobs);
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : Object.assign(new Error('aborted'), { name: 'AbortError' });
}

function unwrap(r: TaskResult, onSpan: ((span: TaskSpan) => void) | undefined): SimulationReport {
  onSpan?.(r.span);
  return r.report;
}

/**
 * Each worker's young generation, MiB (V8's default is 48 for a worker here). A simulation allocates many short-lived
 * events; with room for them, fewer die in the old generation, and a run of httperf-2vm took ~8% less CPU on its
 * thread and ~10% less in all (GC helper threads included: on --jobs 2 those compete with the workers for the
 * cores), measured alternated 40 runs × 2 (bench/README.md section 7). Committed only as used: at most this much
 * more memory per worker.
 */
export const WORKER_YOUNG_GENERATION_MB = 128;

function threadPool(filename: string, jobs: number): SimPool {
  const pool = new Tinypool({
    filename,
    minThreads: jobs,
    maxThreads: jobs,
    isolateWorkers: false,
    idleTimeout: 60_000,
    resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
  });
  return {
    threads: jobs,
    inProcess: false,
    run: async (task, signal, onSpan) => unwrap((await pool.run(task, signal ? { signal } : {})) as TaskResult, onSpan),
    destroy: () => pool.destroy(),
  };
}

function inProcessPool(): SimPool {
  let chain: Promise<unknown> = Promise.resolve();
  const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  return {
    threads: 1,
    inProcess: true,
    run(task, signal, onSpan) {
      const next = chain.then(async () => {
        await yieldToLoop();
        if (signal?.aborted) throw abortError(signal);
        return unwrap(runTask(task), onSpan);
      });
      chain = next.catch(() => undefined);
      return next;
    },
    destroy: async () => {
      await chain;
    },
  };
}

/** Whether an error is the rejection of an aborted task (tinypool's or ours). */
export const isAbort = (e: unknown): boolean => e instanceof Error && (e.name === 'AbortError' || e.message === 'The task has been aborted');
