/**
 * A profile of one `reproduce` run, for whoever tunes its parallelism: set VNICSPEC_TRACE_JOBS=FILE and the run
 * writes FILE (JSON) with the main thread's phases and every simulation's times — queued, handed to the pool, run
 * on which worker thread, result back — in epoch milliseconds. bench/trace-jobs.ts reads it: each worker's busy
 * time and idle gaps, and what the pool waited on. Off by default: the report never depends on it.
 */
import { writeFileSync } from 'node:fs';
import type { TaskSpan } from '../../sim-pool.js';
import { threadCpuMs } from '../../sim-worker.js';

export const TRACE_ENV = 'VNICSPEC_TRACE_JOBS';

export interface PhaseRecord {
  readonly name: string;
  readonly startMs: number;
  readonly endMs: number;
}

export interface TaskRecord {
  /** scenario/arch/cores@rate#seed. */
  readonly label: string;
  /** A search's probe (something waits on it), not a grid point. */
  readonly urgent: boolean;
  readonly queuedMs: number;
  dispatchedMs?: number;
  span?: TaskSpan;
  resolvedMs?: number;
}

export interface TraceFile {
  /** When the process started (the main thread's time origin). */
  readonly processStartMs: number;
  readonly threads: number;
  /** CPU of the whole process (every thread) and of the main thread alone, ms, when the trace was written. */
  readonly processCpuMs: number;
  readonly mainThreadCpuMs: number | null;
  readonly phases: readonly PhaseRecord[];
  readonly tasks: readonly TaskRecord[];
}

export const nowMs = (): number => performance.timeOrigin + performance.now();

export class JobTrace {
  private readonly phases: PhaseRecord[] = [];
  private readonly tasks: TaskRecord[] = [];
  threads = 0;

  constructor(private readonly file: string) {}

  /** The trace when VNICSPEC_TRACE_JOBS names a file, else undefined. */
  static fromEnv(): JobTrace | undefined {
    const file = process.env[TRACE_ENV];
    return file === undefined || file === '' ? undefined : new JobTrace(file);
  }

  async phase<T>(name: string, f: () => T | Promise<T>): Promise<T> {
    const startMs = nowMs();
    try {
      return await f();
    } finally {
      this.phases.push({ name, startMs, endMs: nowMs() });
    }
  }

  task(label: string, urgent: boolean): TaskRecord {
    const t: TaskRecord = { label, urgent, queuedMs: nowMs() };
    this.tasks.push(t);
    return t;
  }

  write(): void {
    const cpu = process.cpuUsage();
    const out: TraceFile = {
      processStartMs: performance.timeOrigin,
      threads: this.threads,
      processCpuMs: (cpu.user + cpu.system) / 1000,
      mainThreadCpuMs: threadCpuMs() ?? null,
      phases: this.phases,
      tasks: this.tasks,
    };
    writeFileSync(this.file, JSON.stringify(out) + '\n');
  }
}
