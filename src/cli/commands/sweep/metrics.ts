/**
 * The named numbers a sweep keeps of one simulation: aggregate, per VM and per core, in a fixed order
 * (aggregate, then VMs in scenario order, then cores), so every output lists them the same way.
 *
 * A request *fails* when it is rejected or dropped anywhere, its reply is dropped, or it is still unanswered when
 * the run ends: failed = 1 − completed / offered, over the packets addressed to the VM.
 */
import type { SimulationReport, VmReport } from '../../../api/run-simulation.js';

export type Metrics = Record<string, number | null>;

/** What each metric means, for --help and the README (a metric name is `<vm|all|cpuN>.<what>`). */
export const METRIC_HELP: readonly (readonly [string, string])[] = [
  ['all.throughput', 'requests answered per second, all VMs that serve requests (not a flood\'s target)'],
  ['all.failed', 'fraction of those VMs\' requests that failed'],
  ['VM.offered', 'packets per second arriving for the VM'],
  ['VM.throughput', 'requests answered per second'],
  ['VM.failed', 'fraction of its requests that failed (rejected, dropped, or unanswered at the end)'],
  ['VM.rejected', 'fraction rejected at the device'],
  ['VM.latency.mean / .p50 / .p90 / .p99', 'response time in ms (arrival at the NIC to the reply leaving it)'],
  ['CORE.utilisation', 'busy fraction of the core'],
  ['all.steady', "1 when the run's steady-state check passed (first and second half of the window agree), else 0"],
];

const fraction = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

function rejectedOf(v: VmReport): number {
  let n = 0;
  for (const k of Object.keys(v.rejected)) n += v.rejected[k]!;
  return n;
}

/**
 * `servers`: the VMs that serve request streams (open or closed loop); the aggregate leaves out a VM that is
 * only flooded, whose packets are not requests. Undefined: every VM.
 */
export function metricsOf(r: SimulationReport, servers?: ReadonlySet<string>): Metrics {
  // Counts cover the measurement window [warm-up, end].
  const windowS = (r.stoppedAtS > 0 ? r.stoppedAtS : r.durationS) - r.warmupS;
  let offered = 0;
  let completed = 0;
  let throughput = 0;
  for (const v of r.vms) {
    if (servers !== undefined && !servers.has(v.id)) continue;
    offered += v.offered;
    completed += v.completed;
    throughput += v.throughputPerS;
  }
  const m: Metrics = {
    'all.throughput': throughput,
    'all.failed': fraction(offered - Math.min(completed, offered), offered),
  };
  for (const v of r.vms) {
    m[`${v.id}.offered`] = windowS > 0 ? v.offered / windowS : null;
    m[`${v.id}.throughput`] = v.throughputPerS;
    m[`${v.id}.failed`] = fraction(v.offered - Math.min(v.completed, v.offered), v.offered);
    m[`${v.id}.rejected`] = fraction(rejectedOf(v), v.offered);
    m[`${v.id}.latency.mean`] = v.latencyMs.mean;
    m[`${v.id}.latency.p50`] = v.latencyMs.p50;
    m[`${v.id}.latency.p90`] = v.latencyMs.p90;
    m[`${v.id}.latency.p99`] = v.latencyMs.p99;
  }
  for (const c of r.cpus) m[`${c.id}.utilisation`] = c.utilisation;
  m['all.steady'] = r.steadyState.ok ? 1 : 0;
  return m;
}
