/** Runs a sweep's plan (or one shard of it) on a pool: the part of `sweep` that `npm run bench` times. */
import type { SimulationReport } from '../../../api/run-simulation.js';
import { createSimPool } from '../../sim-pool.js';
import { metricsOf } from './metrics.js';
import type { RunRecord } from './output.js';
import { inShard, runsOf, serversOf, taskOf, type PlannedRun, type Shard, type SweepSpec } from './plan.js';
import { runBatch, type BatchProgress } from './runner.js';

export interface ExecuteOptions {
  readonly jobs: number;
  readonly shard?: Shard;
  readonly signal?: AbortSignal;
  readonly onDone?: BatchProgress;
}

export interface Executed {
  /** The runs this invocation was to do (the shard's, or all). */
  readonly planned: readonly PlannedRun[];
  /** Those that finished, in plan order. */
  readonly records: RunRecord[];
}

export const recordOf = (p: PlannedRun, r: SimulationReport, servers?: ReadonlySet<string>): RunRecord => ({
  arch: p.arch,
  cores: p.cores,
  rate: p.rate,
  run: p.run,
  seed: p.seed,
  outcome: r.outcome,
  events: r.events,
  metrics: metricsOf(r, servers),
});

export async function executeSweep(spec: SweepSpec, o: ExecuteOptions): Promise<Executed> {
  const planned = runsOf(spec).filter((r) => o.shard === undefined || inShard(r.run, o.shard));
  const pool = createSimPool(Math.min(o.jobs, Math.max(1, planned.length)));
  try {
    const reports = await runBatch(
      pool,
      planned.map((p) => taskOf(spec, p)),
      { ...(o.signal ? { signal: o.signal } : {}), ...(o.onDone ? { onDone: o.onDone } : {}) },
    );
    const servers = serversOf(spec.scenario);
    const records = planned.flatMap((p, i) => (reports[i] === undefined ? [] : [recordOf(p, reports[i]!, servers)]));
    return { planned, records };
  } finally {
    await pool.destroy();
  }
}
