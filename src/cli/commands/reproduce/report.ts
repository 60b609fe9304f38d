/** The reproduction report as a document (src/report renders it to report.html and results.md). */
import { renderSvg, type LineChart } from '../../../report/charts.js';
import type { Block, ReportDocument, Table } from '../../../report/document.js';
import { figure56, figures12, interferenceCharts, mixedCharts, scalingCharts } from './charts.js';
import type { ComparisonRow, QualitativeRow } from './figures.js';
import { notModelled } from '../../../api/run-simulation.js';
import type { Point } from './lab.js';
import type { ConfigResult, CpuAtMax } from './paper.js';
import type { ReproduceResult } from './results.js';

/** Within this relative difference a reproduced figure counts as matching (the issue's target). */
export const MATCH_WITHIN = 0.1;

const len = (l: { runS: number; warmupS: number }): string => `${l.runS} s (${l.warmupS} s warm-up)`;
const num = (x: number | null, digits = 0): string => (x === null ? '–' : x.toFixed(digits));
const pct = (x: number | null, digits = 1): string => (x === null ? '–' : `${(x * 100).toFixed(digits)}%`);
const signedPct = (x: number | null): string => (x === null ? '–' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`);

function valueOf(row: ComparisonRow, x: number | null): string {
  if (x === null) return '–';
  if (row.unit === 'fraction') return pct(x);
  return num(x, Math.abs(x) >= 100 ? 0 : 1);
}

function comparisonTable(rows: readonly ComparisonRow[]): Table {
  return {
    columns: [
      { header: 'figure' },
      { header: 'where' },
      { header: 'unit' },
      { header: 'paper', align: 'right' },
      { header: 'ours', align: 'right' },
      { header: 'difference', align: 'right' },
      { header: 'role' },
    ],
    rows: rows.map((r) => [
      `\`${r.id}\`: ${r.what}${r.note ? ` (${r.note})` : ''}`,
      r.source ?? '',
      r.unit,
      valueOf(r, r.paper),
      valueOf(r, r.ours),
      r.relativeDifference === null ? '–' : r.unit === 'fraction' ? `${r.relativeDifference >= 0 ? '+' : ''}${(r.relativeDifference * 100).toFixed(1)} points` : signedPct(r.relativeDifference),
      r.role,
    ]),
    flagged: rows.flatMap((r, i) => (r.relativeDifference === null || Math.abs(r.relativeDifference) > MATCH_WITHIN ? [i] : [])),
  };
}

function qualitativeTable(rows: readonly QualitativeRow[]): Table {
  return {
    columns: [{ header: 'observation' }, { header: 'where' }, { header: 'expected' }, { header: 'measured (utilisation at each rate)' }, { header: 'holds' }, { header: 'role' }],
    rows: rows.map((q) => [
      `\`${q.id}\`: ${q.what}`,
      q.source ?? '',
      q.expect,
      q.measured.map((row) => row.map((x, k) => `${q.rates[k]}: ${pct(x, 0)}`).join(', ')).join(' / '),
      q.holds === null ? 'not checked' : q.holds ? 'yes' : '**no**',
      q.role,
    ]),
    flagged: rows.flatMap((q, i) => (q.holds === false ? [i] : [])),
  };
}

const cpuText = (cpus: readonly CpuAtMax[]): string =>
  cpus
    .map((c) => {
      const parts = c.runs.length > 1 ? ` (${c.runs.map((r) => `${r} ${pct(c.byRun[r] ?? null)}`).join(', ')})` : '';
      return `${c.id} ${c.runs.length === 1 ? `${c.runs[0]} ` : ''}${pct(c.utilisation, 0)}${parts}`;
    })
    .join('; ');

function configsTable(r: ReproduceResult): Table {
  return {
    columns: [
      { header: 'configuration (`--json` name)' },
      { header: 'mirrors' },
      { header: 'max offered / stream', align: 'right' },
      { header: 'max throughput / stream', align: 'right' },
      { header: 'paper', align: 'right' },
      { header: 'cores at the maximum' },
    ],
    rows: r.configs.map((c) => [
      `\`${c.name}\`: ${c.title}`,
      c.figures.join(', '),
      num(c.maxOfferedRatePerStream, 1),
      num(c.maxThroughputPerStream, 1),
      num(c.paper),
      cpuText(c.cpuAtMax),
    ]),
  };
}

function scalingTable(r: ReproduceResult): Table {
  return {
    columns: [
      { header: 'arch' },
      { header: 'VMs', align: 'right' },
      { header: 'max per VM', align: 'right' },
      { header: 'aggregate', align: 'right' },
      { header: 'VMM (cpu0), at max / 90%', align: 'right' },
      { header: 'driver domain (cpu0), at max / 90%', align: 'right' },
      { header: 'VM cores at max', align: 'right' },
    ],
    rows: r.scaling.map((s) => [
      s.arch,
      String(s.vms),
      num(s.perVmThroughput, 1),
      num(s.aggregateThroughput, 0),
      `${pct(s.vmm)} / ${pct(s.vmmBelow)}`,
      s.driverDomain === null ? '–' : `${pct(s.driverDomain)} / ${pct(s.driverDomainBelow)}`,
      pct(s.vmCores),
    ]),
  };
}

function interferenceTable(r: ReproduceResult): Table {
  const i = r.interference;
  const archs = i.curves.map((c) => c.arch);
  const rates = i.curves[0]?.points.map((p) => p.rate) ?? [];
  const victim = (p: Point | undefined) => p?.vms.find((v) => v.id === i.victim);
  return {
    columns: [
      { header: 'flood (packets/s)', align: 'right' },
      { header: 'of line rate', align: 'right' },
      ...archs.flatMap((a) => [
        { header: `${a}: ${i.victim} replies/s`, align: 'right' as const },
        { header: `${a}: failed`, align: 'right' as const },
        { header: `${a}: p99 ms`, align: 'right' as const },
      ]),
    ],
    rows: rates.map((rate, k) => [
      num(rate),
      pct(rate / i.lineRate, 0),
      ...i.curves.flatMap((c) => {
        const v = victim(c.points[k]);
        return [num(v?.throughput.mean ?? null, 1), pct(v?.failed.mean ?? null), num(v?.p99Ms.mean ?? null, 2)];
      }),
    ]),
  };
}

function mixedTable(r: ReproduceResult): Table {
  return {
    columns: [
      { header: 'arch' },
      { header: 'VM' },
      { header: 'attached as' },
      { header: 'max offered', align: 'right' },
      { header: 'max throughput', align: 'right' },
      { header: 'VMM (cpu0)', align: 'right' },
      { header: 'driver domain (cpu0)', align: 'right' },
    ],
    rows: r.mixed.rows.map((m) => [m.arch, `${m.vm}${m.bestEffort ? ' (best effort)' : ''}`, m.attachment, num(m.maxOfferedRate, 1), num(m.throughput, 1), pct(m.vmm), pct(m.driverDomain)]),
  };
}

function mixedFindings(r: ReproduceResult): string[] {
  const row = (arch: string, vm: string) => r.mixed.rows.find((m) => m.arch === arch && m.vm === vm);
  const out: string[] = [];
  for (const vm of r.mixed.rows.filter((m) => m.arch === 'mixed')) {
    const own = row('vnic', vm.vm);
    if (own?.throughput == null || vm.throughput === null) continue;
    const change = vm.throughput / own.throughput - 1;
    out.push(
      `${vm.vm} attached as **${vm.attachment}** under mixed reaches ${num(vm.throughput, 0)} req/s without loss, ${signedPct(change)} against ${num(own.throughput, 0)} with its own vNIC` +
        (vm.driverDomain !== null && vm.driverDomain > 0 ? `; at that rate the driver domain takes ${pct(vm.driverDomain)} of cpu0.` : '.'),
    );
  }
  return out;
}

export type ChartRenderer = (c: LineChart) => Promise<string>;

/** A chart with no point at all (a partial report's part stopped before its first run) is left out. */
const drawn = (c: LineChart): boolean => c.series.some((x) => x.points.length > 0);

/**
 * renderSvg once per distinct chart (same data, same SVG): `reproduce` renders each part's charts as soon as the
 * part is measured, on the main thread while the pool still simulates the rest, and the report picks them up.
 */
export function chartCache(): { render: ChartRenderer; prerender: (list: readonly LineChart[]) => void } {
  const svgs = new Map<string, Promise<string>>();
  const render: ChartRenderer = (c) => {
    const key = JSON.stringify(c);
    let svg = svgs.get(key);
    if (svg === undefined) svgs.set(key, (svg = renderSvg(c)));
    return svg;
  };
  // A failed render is reported when the report asks for the chart, not here.
  return { render, prerender: (list) => list.filter(drawn).forEach((c) => void render(c).catch(() => undefined)) };
}

/** The charts of Figures 5 and 6: a configuration and the figure it mirrors. */
const FIGURES_56 = [['xen-idd-multi-core', 'Figure 5'], ['vnic-multi-core', 'Figure 6']] as const;

/** Every chart the paper's configurations draw (Figures 1, 2, 5 and 6). */
export function configCharts(configs: readonly ConfigResult[]): LineChart[] {
  return [...figures12(configs), ...FIGURES_56.flatMap(([name, figure]) => {
    const c = configs.find((x) => x.name === name);
    return c === undefined ? [] : figure56(c, figure);
  })];
}

export async function buildDocument(r: ReproduceResult, render: ChartRenderer = renderSvg): Promise<ReportDocument> {
  const charts = async (list: readonly LineChart[]): Promise<Block[]> => {
    const out: Block[] = [];
    for (const c of list) if (drawn(c)) out.push({ kind: 'chart', id: c.id, title: c.title, svg: await render(c) });
    return out;
  };
  const s = r.settings;
  const cfg = (name: string) => r.configs.find((c) => c.name === name);
  const b: Block[] = [];
  if (r.stopped !== undefined) {
    b.push({
      kind: 'paragraph',
      text:
        `**Partial report**: ${r.stopped.reason === 'timeout' ? 'the --timeout expired' : 'interrupted (Ctrl-C)'} after ${r.stopped.simulations} simulations, before these parts were finished: ${r.stopped.unfinished.join(', ')}. ` +
        'Their tables and charts show what was measured before the stop; a maximum shown as – was not found.',
    });
  }
  b.push({
    kind: 'paragraph',
    text:
      `Lakshmi & Nandy, "I/O Device Virtualization in the multi-core era, a QoS perspective", reproduced by running the executable specification ` +
      `(vnicspec ${s.version}) as a discrete-event simulator: the same xstate machines the model checker explores, timed by the calibration profile \`${s.calibration}\`. ` +
      `Rerun with \`vnicspec reproduce${s.quick ? ' --quick' : ''}${s.seeds.length > 1 ? ` --seeds ${s.seeds.length}` : ''}\`; every number below comes from that run.`,
  });
  b.push({
    kind: 'list',
    items: [
      `**Maximum throughput without loss**: the highest offered rate per stream at which every stream loses at most ${pct(s.lossLimit, 0)} of its requests (rejected, dropped, or still unanswered when the run ends), found by a refined sweep: the chart's grid brackets it, then bisection narrows the bracket to max(0.5 req/s, 0.25%). The throughput reported is the one measured at that rate.`,
      `Runs (simulated seconds, of which the first are a warm-up not counted): ${len(s.paperRun)} per point for the paper's configurations, ${len(s.beyondRun)} for scalability and the mixed architecture, ${len(s.floodRun)} under floods; ${s.seeds.length} seed${s.seeds.length > 1 ? 's' : ''} per point (${s.seeds.join(', ')})${s.seeds.length > 1 ? ', means with 95% confidence bands' : ''}.`,
      `Paper figures (and their role, input or prediction): \`${s.figures}\`.`,
      s.quick ? '**Quick run** (`--quick`): coarse grids and short runs, for a smoke check; the full report is `vnicspec reproduce`.' : 'Full run.',
    ],
  });

  b.push({ kind: 'heading', level: 2, text: "The paper's figures against ours", id: 'comparison' });
  if (r.comparison.length > 0) {
    b.push({ kind: 'table', table: comparisonTable(r.comparison), caption: `Role: input — the calibration was fitted to it; prediction — it was not. Highlighted rows differ by more than ${pct(MATCH_WITHIN, 0)} (fractions: 10 points).` });
    if (r.qualitative.length > 0) b.push({ kind: 'table', table: qualitativeTable(r.qualitative), caption: 'Observations the paper states without numbers' });
  } else {
    b.push({ kind: 'paragraph', text: `No file of the paper's figures was found (${s.figures}), so this report has no comparison table; the maxima below stand alone.` });
  }

  b.push({ kind: 'heading', level: 2, text: 'Maximum throughput without loss', id: 'maxima' });
  b.push({ kind: 'table', table: configsTable(r) });

  b.push({ kind: 'heading', level: 2, text: 'Figures 1 and 2: one core, httperf', id: 'figures-1-2' });
  b.push({
    kind: 'paragraph',
    text: 'A single-core server, non-virtualized, virtualized (one VM behind the Xen driver domain) and consolidated (two VMs sharing the NIC through it). The paper also plots netperf and surge; this report models httperf only, as the paper\'s §5 does.',
  });
  b.push(...(await charts(figures12(r.configs))));

  for (const [name, figure] of FIGURES_56) {
    const c = cfg(name);
    if (c === undefined) continue;
    b.push({ kind: 'heading', level: 2, text: `${figure}: ${c.title}`, id: figure.toLowerCase().replace(' ', '-') });
    b.push(...(await charts(figure56(c, figure))));
  }

  b.push({ kind: 'heading', level: 2, text: 'Beyond the paper', id: 'beyond' });
  b.push({ kind: 'heading', level: 3, text: '(a) Scalability: 2 to 16 VMs on as many cores plus one', id: 'scalability' });
  b.push({
    kind: 'paragraph',
    text: "Every VM serves one httperf stream at the same rate; VMM and driver domain share cpu0, each VM has its own core (and the NIC a vector and a 128 KiB partition per VM). The maximum is searched per VM count: for 2 VMs from 1000 req/s, for 4 from the maximum of 2, for the others (all at once) from the power law through those two maxima. cpu0 is shown at the maximum and at 90% of it: at the maximum the VMs' cores are saturated and their drivers poll with interrupts masked, so the VMM forwards almost nothing.",
  });
  b.push({ kind: 'table', table: scalingTable(r) });
  b.push(...(await charts(scalingCharts(r.scaling))));

  const i = r.interference;
  b.push({ kind: 'heading', level: 3, text: `(b) Interference: ${i.victim} against a flood on ${i.attacker}`, id: 'interference' });
  b.push({ kind: 'paragraph', text: `${i.victim} serves httperf at ${i.victimRate} req/s while ${i.attacker} (its vNIC limited to its bandwidth specification) receives 1500-byte packets at rates from none to line rate (${Math.round(i.lineRate)} packets/s).` });
  b.push({ kind: 'table', table: interferenceTable(r) });
  b.push(...(await charts(interferenceCharts(i))));

  b.push({ kind: 'heading', level: 3, text: `(c) The mixed architecture: ${r.mixed.msiVectors} MSI vectors for ${r.mixed.rows.filter((m) => m.arch === 'mixed').length} VMs`, id: 'mixed' });
  b.push({ kind: 'paragraph', text: 'Under mixed, the driver domain and the first VMs get vNICs while vectors last; the best-effort VMs are bridged para-virtualized through the driver domain. All VMs are offered the same rate; the maximum of the VMs attached one way (vNIC, or bridged) is the highest rate at which each of them lost at most 1%. Compared with every VM on its own vNIC (enough vectors) and every VM bridged (xen-idd).' });
  b.push({ kind: 'table', table: mixedTable(r) });
  b.push({ kind: 'list', items: mixedFindings(r) });
  b.push(...(await charts(mixedCharts(r.mixed))));

  b.push({ kind: 'heading', level: 2, text: 'What the model leaves out', id: 'limits' });
  b.push({ kind: 'list', items: [...notModelled('xen-idd'), "httperf's averaging over a subset of samples, which the paper calls optimistic: every figure here is the whole window's"] });
  b.push({ kind: 'paragraph', text: 'docs/calibration.md derives each per-component cost from the paper and shows what each omission would change.' });
  return { title: `vnicspec: reproducing Lakshmi & Nandy (QoS-aware NIC virtualization)${r.stopped !== undefined ? ' — PARTIAL' : ''}`, blocks: b };
}
