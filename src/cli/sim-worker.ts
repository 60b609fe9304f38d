/**
 * A worker thread of the simulation pool (src/cli/sim-pool.ts): runs one simulation per task. Runs are pure
 * functions of their options, so a result does not depend on which thread ran it or in what order.
 */
import { readFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
import { runSimulation, type SimulationOptions, type SimulationReport } from '../api/run-simulation.js';

export type SimTask = Omit<SimulationOptions, 'onProgress'>;

/** When and where a task ran: epoch milliseconds (comparable across threads), and the thread's id. */
export interface TaskSpan {
  readonly thread: number;
  readonly startMs: number;
  readonly endMs: number;
  /** CPU the thread spent on it, ms (10 ms ticks; only while profiling: VNICSPEC_TRACE_JOBS, Linux). */
  readonly cpuMs?: number;
}

export interface TaskResult {
  readonly report: SimulationReport;
  readonly span: TaskSpan;
}

const nowMs = (): number => performance.timeOrigin + performance.now();

/** This thread's CPU time (user + system), ms, from /proc/thread-self/stat; undefined where there is none. */
export function threadCpuMs(): number | undefined {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 (utime, stime) counted from 1 with pid and comm first: indices 11 and 12 after the comm.
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return undefined;
  }
}

const profiling = (process.env['VNICSPEC_TRACE_JOBS'] ?? '') !== '';

export default function runTask(task: SimTask): TaskResult {
  const cpu0 = profiling ? threadCpuMs() : undefined;
  const startMs = nowMs();
  const report = runSimulation(task);
  const endMs = nowMs();
  const cpu1 = cpu0 === undefined ? undefined : threadCpuMs();
  return { report, span: { thread: threadId, startMs, endMs, ...(cpu1 !== undefined ? { cpuMs: cpu1 - cpu0! } : {}) } };
}
