/**
 * How well `reproduce` keeps its threads busy, whatever else runs on the machine: runs its whole measurement
 * (src/cli/commands/reproduce/measure.ts, the same Lab, searches and order) once in this thread, timing each
 * simulation's CPU, and replays the schedule on virtual threads where a simulation takes exactly its CPU time:
 *
 *   node dist/bench/reproduce-schedule.js [--quick] [--threads 1,2,3,4]
 *
 * For each thread count: the virtual wall time of the simulating phase (makespan), each thread's idle time and
 * when the last thread went idle, and the speed-up over one thread. The simulations are run once (each result is
 * replayed to the other thread counts, and the order of the runs never changes a result); the main thread's own
 * work (charts, files) and V8's helper threads are not in it: see the profile of a real run (trace-jobs.ts).
 */
import { loadCalibration } from '../spec/scenario.js';
import type { SimulationReport } from '../src/api/run-simulation.js';
import type { SimPool, SimTask, TaskSpan } from '../src/cli/sim-pool.js';
import runTask, { threadCpuMs } from '../src/cli/sim-worker.js';
import { effortOf } from '../src/cli/commands/reproduce/configs.js';
import { loadFigures } from '../src/cli/commands/reproduce/figures.js';
import { Lab } from '../src/cli/commands/reproduce/lab.js';
import { measureAll } from '../src/cli/commands/reproduce/measure.js';

interface Ran {
  readonly report: SimulationReport;
  readonly costMs: number;
}

/** Each simulation run once, by its inputs; its CPU time with it. */
class Runs {
  private readonly done = new Map<string, Ran>();
  cpuMs = 0;

  get(task: SimTask): Ran {
    const key = JSON.stringify(task);
    let r = this.done.get(key);
    if (r === undefined) {
      const c0 = threadCpuMs();
      const t0 = performance.now();
      const { report } = runTask(task);
      const c1 = threadCpuMs();
      const costMs = c0 !== undefined && c1 !== undefined ? c1 - c0 : performance.now() - t0;
      this.cpuMs += costMs;
      this.done.set(key, (r = { report, costMs }));
    }
    return r;
  }
}

/**
 * A pool of `threads` virtual threads: a task starts when it is handed over (the Lab hands over at most `threads`
 * at a time) and its result arrives when the virtual clock reaches its start plus its cost. `drive` advances the
 * clock from one completion to the next, letting the Lab and the searches react in between.
 */
class VirtualPool implements SimPool {
  readonly inProcess = false;
  now = 0;
  private readonly pending: { endMs: number; seq: number; resolve: () => void }[] = [];
  private seq = 0;
  readonly busy: Map<number, number> = new Map();
  readonly lastEnd: Map<number, number> = new Map();
  private readonly free: number[];

  constructor(
    readonly threads: number,
    private readonly runs: Runs,
  ) {
    this.free = Array.from({ length: threads }, (_, k) => k);
  }

  run(task: SimTask, _signal?: AbortSignal, onSpan?: (span: TaskSpan) => void): Promise<SimulationReport> {
    const { report, costMs } = this.runs.get(task);
    const thread = this.free.shift();
    if (thread === undefined) throw new Error('the Lab handed over more tasks than threads');
    const startMs = this.now;
    const endMs = startMs + costMs;
    return new Promise((resolve) => {
      this.pending.push({
        endMs,
        seq: this.seq++,
        resolve: () => {
          this.busy.set(thread, (this.busy.get(thread) ?? 0) + costMs);
          this.lastEnd.set(thread, endMs);
          this.free.push(thread);
          this.free.sort((a, b) => a - b);
          onSpan?.({ thread, startMs, endMs });
          resolve(report);
        },
      });
    });
  }

  async drive(work: Promise<unknown>): Promise<void> {
    let finished = false;
    void work.finally(() => (finished = true));
    for (;;) {
      // Let every reaction to the last completion happen (the Lab hands over the next tasks).
      await new Promise((r) => setImmediate(r));
      if (this.pending.length === 0) {
        if (finished) return;
        throw new Error('nothing pending and the work is not finished');
      }
      this.pending.sort((a, b) => a.endMs - b.endMs || a.seq - b.seq);
      const next = this.pending.shift()!;
      this.now = next.endMs;
      next.resolve();
    }
  }

  destroy = async (): Promise<void> => undefined;
}

async function schedule(threads: number, runs: Runs, quick: boolean): Promise<{ makespanMs: number; pool: VirtualPool }> {
  const calibration = loadCalibration(undefined, process.cwd());
  if (!calibration.ok) throw new Error(calibration.error);
  const effort = effortOf(quick, 1, 1);
  const pool = new VirtualPool(threads, runs);
  const lab = new Lab(pool, calibration.value, effort.seeds, undefined, () => undefined);
  const work = measureAll(lab, effort, loadFigures(undefined));
  await pool.drive(work);
  await work;
  return { makespanMs: pool.now, pool };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const at = args.indexOf('--threads');
  const counts = at >= 0 ? args[at + 1]!.split(',').map(Number) : [1, 2];
  const runs = new Runs();
  const s = (ms: number): string => (ms / 1000).toFixed(1);
  // The first schedule runs the simulations (2 threads: the order the real --jobs 2 run takes); the others replay.
  const order = [...new Set([2, ...counts])];
  const results = new Map<number, number>();
  for (const threads of order) {
    const { makespanMs, pool } = await schedule(threads, runs, quick);
    results.set(threads, makespanMs);
    const idle = [...pool.busy.entries()].sort((a, b) => a[0] - b[0]).map(([t, b]) => `thread ${t} idle ${s(makespanMs - b)} s (after its last run ${s(makespanMs - pool.lastEnd.get(t)!)} s)`);
    process.stdout.write(`${threads} thread(s): simulating phase ${s(makespanMs)} s on virtual threads; ${idle.join(', ')}\n`);
  }
  process.stdout.write(`simulations: ${s(runs.cpuMs)} s of CPU in all; CPU / 2 = ${s(runs.cpuMs / 2)} s\n`);
  const one = results.get(1);
  if (one !== undefined) for (const n of counts.filter((c) => c > 1)) process.stdout.write(`speed-up of ${n} threads over 1: ${(one / results.get(n)!).toFixed(2)}×\n`);
}

await main();
