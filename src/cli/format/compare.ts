/** Human-readable side-by-side view of the same scenario under two architectures (`simulate --compare`). */
import type { CpuReportOut, SimulationReport, VmReport } from '../../api/run-simulation.js';
import { change, fixed, ms, percent, seconds, sum, totalOf } from './numbers.js';
import { ARCH_BLURB, notModelledLine, outcomeBanner, partialBanner, printableNames, steadyStateLines } from './report.js';
import { printable } from '../../api/safe-text.js';
import { renderTable } from './table.js';

/** (rejected + dropped) / offered; null when nothing was offered. */
export function lossOf(v: Pick<VmReport, 'offered' | 'rejected' | 'dropped'>): number | null {
  return v.offered > 0 ? (totalOf(v.rejected) + v.dropped) / v.offered : null;
}

function totals(r: SimulationReport, ids: ReadonlySet<string>): { throughput: number; loss: number | null; worstP99: number | null } {
  const vms = r.vms.filter((v) => ids.has(v.id));
  const offered = sum(vms.map((v) => v.offered));
  const lost = sum(vms.map((v) => totalOf(v.rejected) + v.dropped));
  const p99s = vms.map((v) => v.latencyMs.p99).filter((x): x is number => x !== null);
  return {
    throughput: sum(vms.map((v) => v.throughputPerS)),
    loss: offered > 0 ? lost / offered : null,
    worstP99: p99s.length > 0 ? Math.max(...p99s) : null,
  };
}

const busiest = (r: SimulationReport): CpuReportOut | undefined =>
  r.cpus.reduce<CpuReportOut | undefined>((best, c) => (best === undefined || c.utilisation > best.utilisation ? c : best), undefined);

const msShort = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

/**
 * One sentence computed from the two reports: how `b` fares against `a` on throughput, loss and tail latency (of
 * the VMs that answer requests), and whether a core of `a` that runs the driver domain (or any core) is saturated.
 */
export function takeaway(a: SimulationReport, b: SimulationReport): string {
  // VMs that answer requests under either architecture; a flooded VM (nothing to answer) would drown the loss figure.
  const all = [...new Set([...a.vms, ...b.vms].map((v) => v.id))];
  const serving = new Set([...a.vms, ...b.vms].filter((v) => v.throughputPerS > 0).map((v) => v.id));
  const ids = serving.size > 0 ? serving : new Set(all);
  const ta = totals(a, ids);
  const tb = totals(b, ids);
  const on = ids.size === all.length ? '' : ids.size <= 3 ? ` on ${[...ids].join(', ')}` : ' on VMs serving requests';
  const parts: string[] = [];
  if (ta.throughput > 0) {
    parts.push(`${change(tb.throughput / ta.throughput)} throughput (${fixed(tb.throughput, 0)} vs ${fixed(ta.throughput, 0)} requests/s in total)`);
  } else if (tb.throughput > 0) {
    parts.push(`${fixed(tb.throughput, 0)} requests/s answered, none under ${a.arch}`);
  } else {
    parts.push(`no request answered under either`);
  }
  if (ta.loss !== null && tb.loss !== null && (ta.loss >= 0.0005 || tb.loss >= 0.0005)) {
    parts.push(`loss${on} ${percent(ta.loss)}% -> ${percent(tb.loss)}%`);
  }
  if (ta.worstP99 !== null && tb.worstP99 !== null) parts.push(`worst p99${on} ${msShort(ta.worstP99)} -> ${msShort(tb.worstP99)} ms`);
  let sentence = `${b.arch} vs ${a.arch}: ${parts.join(', ')}`;
  const hot = busiest(a);
  if (hot !== undefined && hot.utilisation >= 0.9) {
    const what = hot.runs.includes('driver-domain') ? 'driver-domain core' : 'busiest core';
    const other = b.cpus.find((c) => c.id === hot.id);
    const there = other === undefined ? '' : ` (${percent(other.utilisation)}% under ${b.arch})`;
    sentence += `; ${what} ${hot.id} saturated at ${percent(hot.utilisation)}% under ${a.arch}${there}`;
  }
  return `${sentence}.`;
}

export function renderComparison(ra: SimulationReport, rb: SimulationReport, scenarioDescription?: string): string {
  const [a, b] = [printableNames(ra), printableNames(rb)];
  const description = scenarioDescription === undefined ? undefined : printable(scenarioDescription);
  const lines: string[] = [...partialBanner(a, a.arch), ...partialBanner(b, b.arch)];
  lines.push(`Comparing ${a.arch} (${ARCH_BLURB[a.arch]}) with ${b.arch} (${ARCH_BLURB[b.arch]}) on scenario '${a.scenario}'`);
  if (description !== undefined && description !== '') lines.push(`Scenario: ${description}`);
  lines.push(`cores ${a.cores} | seed ${a.seed} | duration ${seconds(a.durationS)} simulated${a.warmupS > 0 ? `, the first ${seconds(a.warmupS)} not counted (warm-up)` : ''}`);
  lines.push('');

  const perArch = (r: SimulationReport, id: string): string[] => {
    const v = r.vms.find((x) => x.id === id);
    if (v === undefined) return ['-', '-', '-', '-'];
    const loss = lossOf(v);
    return [fixed(v.throughputPerS, 1), loss === null ? '-' : percent(loss), ms(v.latencyMs.p50), ms(v.latencyMs.p99)];
  };
  const vmIds = [...new Set([...a.vms.map((v) => v.id), ...b.vms.map((v) => v.id)])];
  const metric = [
    { header: 'throughput/s', align: 'right' },
    { header: 'loss %', align: 'right' },
    { header: 'p50 ms', align: 'right' },
    { header: 'p99 ms', align: 'right' },
  ] as const;
  lines.push(
    ...renderTable({
      groups: [
        { label: '', span: 1 },
        { label: a.arch, span: 4 },
        { label: b.arch, span: 4 },
      ],
      columns: [{ header: 'VM' }, ...metric, ...metric],
      rows: vmIds.map((id) => [id, ...perArch(a, id), ...perArch(b, id)]),
    }),
  );
  lines.push('');

  const coreIds = [...new Set([...a.cpus.map((c) => c.id), ...b.cpus.map((c) => c.id)])];
  const coreCells = (r: SimulationReport, id: string): string[] => {
    const c = r.cpus.find((x) => x.id === id);
    return c === undefined ? ['-', '-'] : [c.runs.join(', '), percent(c.utilisation)];
  };
  lines.push(
    ...renderTable({
      groups: [
        { label: '', span: 1 },
        { label: a.arch, span: 2 },
        { label: b.arch, span: 2 },
      ],
      columns: [{ header: 'core' }, { header: 'runs' }, { header: 'util %', align: 'right' }, { header: 'runs' }, { header: 'util %', align: 'right' }],
      rows: coreIds.map((id) => [id, ...coreCells(a, id), ...coreCells(b, id)]),
    }),
  );
  lines.push('');

  const failed = [a, b].filter((r) => r.outcome !== 'ok');
  if (failed.length === 0) lines.push(`Takeaway: ${takeaway(a, b)}`);
  else for (const r of failed) lines.push(...outcomeBanner(r, r.arch));
  for (const r of [a, b]) lines.push(...steadyStateLines(r, r.arch));
  lines.push(...notModelledLine({ notModelled: [...new Set([...a.notModelled, ...b.notModelled])] }));
  return lines.join('\n') + '\n';
}
