/** Human-readable rendering of one SimulationReport (the `simulate` command without --json). */
import type { SimulationReport } from '../../api/run-simulation.js';
import { breakdown, fixed, int, ms, percent, seconds, totalOf } from './numbers.js';
import { printable } from '../../api/safe-text.js';
import { renderTable } from './table.js';

export const ARCH_BLURB: Readonly<Record<SimulationReport['arch'], string>> = {
  vnic: 'one virtual NIC per VM',
  'xen-idd': 'shared NIC behind a Xen driver domain',
  native: 'one non-virtualized OS on the shared NIC',
  mixed: 'vNICs while vectors last, the rest bridged by the driver domain',
};

export function headerLine(r: Pick<SimulationReport, 'scenario' | 'arch' | 'cores' | 'seed' | 'durationS' | 'warmupS' | 'stepper'>): string {
  const parts = [`scenario ${r.scenario}`, `arch ${r.arch}`, `cores ${r.cores}`, `seed ${r.seed}`, `duration ${seconds(r.durationS)}`];
  if (r.warmupS > 0) parts.push(`warm-up ${seconds(r.warmupS)} (not counted)`);
  if (r.stepper !== 'compiled') parts.push(`stepper ${r.stepper}`);
  return parts.join(' | ');
}

export function vmTable(r: SimulationReport): string[] {
  return renderTable({
    columns: [
      { header: 'VM' },
      { header: 'attachment' },
      { header: 'offered', align: 'right' },
      { header: 'admitted', align: 'right' },
      { header: 'rejected' },
      { header: 'dropped', align: 'right' },
      { header: 'delivered', align: 'right' },
      { header: 'throughput/s', align: 'right' },
      { header: 'p50 ms', align: 'right' },
      { header: 'p99 ms', align: 'right' },
    ],
    rows: r.vms.map((v) => [
      v.id,
      v.attachment,
      int(v.offered),
      int(v.admitted),
      breakdown(v.rejected),
      int(v.dropped),
      int(v.delivered),
      fixed(v.throughputPerS, 1),
      ms(v.latencyMs.p50),
      ms(v.latencyMs.p99),
    ]),
  });
}

export function cpuTable(r: SimulationReport): string[] {
  return renderTable({
    columns: [{ header: 'core' }, { header: 'runs' }, { header: 'utilisation %', align: 'right' }],
    rows: r.cpus.map((c) => [c.id, c.runs.join(', '), percent(c.utilisation)]),
  });
}

/** Lines that only appear when something noteworthy happened: drops by reason, traffic to unknown MACs. */
export function notes(r: SimulationReport): string[] {
  const out: string[] = [];
  for (const v of r.vms) {
    if (totalOf(v.droppedBy) > 0) out.push(`${v.id}: dropped after admission: ${breakdown(v.droppedBy)}`);
    if (v.txDropped > 0) out.push(`${v.id}: ${v.txDropped} outgoing packets dropped`);
  }
  const u = r.unknownDestination;
  if (u.offered > 0) out.push(`packets to unknown MACs: offered ${u.offered}, rejected ${u.rejected}, dropped ${u.dropped}`);
  return out;
}

/** The steady-state check's verdict: a paragraph when the halves of the window differ, nothing otherwise. */
export function steadyStateLines(r: SimulationReport, label?: string): string[] {
  const w = r.steadyState.warnings;
  if (r.outcome !== 'ok' || w.length === 0) return [];
  const cut = r.warmupS > 0 ? 'run longer' : 'run longer, or cut the start-up with --warmup S (it is counted now)';
  return [
    `WARNING${label === undefined ? '' : ` (${label})`}: not in steady state: from the first to the second half of the measurement window, ${w.map((x) => x.message.replace(/^[^:]+: /, `${x.vm} `)).join('; ')}.`,
    `  These figures depend on the run length (near a saturation point queues grow for a long time): ${cut}.`,
  ];
}

/** The model's known omissions that bear on these numbers, in one line. */
export function notModelledLine(r: Pick<SimulationReport, 'notModelled'>): string[] {
  if (r.notModelled.length === 0) return [];
  return [`Not modelled (docs/calibration.md says what each would change): ${r.notModelled.map((x) => x.replace(/:.*$/, '')).join('; ')}.`];
}

/** What a run that did not complete is called: the progress watchdog's stop is no invariant. */
export function outcomeTitle(r: Pick<SimulationReport, 'outcome' | 'message'>): string {
  if (r.outcome === 'violation') return (r.message ?? '').startsWith('progress:') ? 'NO PROGRESS' : 'INVARIANT VIOLATED';
  return 'SPECIFICATION ERROR';
}

/** The banner for a run that did not complete; empty for a clean run. */
export function outcomeBanner(r: SimulationReport, label?: string): string[] {
  if (r.outcome === 'ok') return [];
  const stalled = r.outcome === 'violation' && (r.message ?? '').startsWith('progress:');
  const title = outcomeTitle(r);
  const where = `${label === undefined ? '' : `${label}: `}simulation stopped at t = ${r.stoppedAtS} s of ${seconds(r.durationS)}, after ${r.events} events`;
  const explain =
    stalled
      ? 'the progress watchdog fired: a VM kept received packets without delivering any for longer than --watchdog allows: a VM never woken again (a lost interrupt re-arm) or starved of DMA'
      : r.outcome === 'violation'
      ? 'a runtime property (isolation, qos-admission, bandwidth-conformance, conservation, vmm-nic-agreement or msi-routing) does not hold: the specification or the scenario is wrong'
      : 'a machine of the specification failed (for example an event it cannot handle): this is a bug in the specification';
  const body = [`${title}: ${r.message ?? '(no message)'}`, where, explain];
  const rule = '='.repeat(Math.min(100, Math.max(...body.map((l) => l.length))));
  return [rule, ...body, rule];
}

/** The report with every user-given name (scenario, VMs, what runs on each core) made printable. */
export function printableNames(r: SimulationReport): SimulationReport {
  return {
    ...r,
    scenario: printable(r.scenario),
    vms: r.vms.map((v) => ({ ...v, id: printable(v.id) })),
    cpus: r.cpus.map((c) => ({ ...c, runs: c.runs.map(printable) })),
  };
}

/** `PARTIAL: interrupted (Ctrl-C) at t = 12.3 s of 100 s: …`; empty for a run that covered its duration. */
export function partialBanner(r: SimulationReport, label?: string): string[] {
  if (r.partial === undefined) return [];
  const why = r.partial === 'timeout' ? 'the --timeout expired' : 'interrupted (Ctrl-C)';
  return [`PARTIAL${label === undefined ? '' : ` (${label})`}: ${why} at t = ${r.stoppedAtS} s of ${seconds(r.durationS)}; the figures cover those ${seconds(r.stoppedAtS)} only.`];
}

export function renderReport(report: SimulationReport): string {
  const r = printableNames(report);
  const lines = [...partialBanner(r), headerLine(r), '', ...vmTable(r), '', ...cpuTable(r)];
  const extra = [...r.notes.map((x) => `Note: ${printable(x)}.`), ...notes(r)];
  if (extra.length > 0) lines.push('', ...extra);
  lines.push('');
  if (r.outcome === 'ok') lines.push(`Runtime invariants (isolation, packet conservation) held throughout${r.partial === undefined ? '' : ' the simulated part'}.`);
  else lines.push(...outcomeBanner(r));
  const steady = steadyStateLines(r);
  if (steady.length > 0) lines.push(...steady);
  lines.push(...notModelledLine(r));
  return lines.join('\n') + '\n';
}
