/** The report's charts, as data: which series each figure plots. Rendering is src/report/charts.ts. */
import type { ChartPoint, LineChart, Series } from '../../../report/charts.js';
import type { Summary } from '../../../report/stats.js';
import type { InterferenceResult, MixedResult, ScalingRow } from './beyond.js';
import type { Point } from './lab.js';
import type { ConfigResult } from './paper.js';

const pt = (x: number, s: Summary, scale = 1): ChartPoint => ({
  x,
  y: s.mean === null ? null : s.mean * scale,
  ...(s.ci95 !== null && s.mean !== null ? { lo: (s.mean - s.ci95) * scale, hi: (s.mean + s.ci95) * scale } : {}),
});

const perStreamPoint = (p: Point): ChartPoint => {
  const xs = p.vms.map((v) => v.throughput.mean ?? 0);
  return { x: p.rate, y: xs.reduce((a, x) => a + x, 0) / Math.max(1, xs.length) };
};
const totalPoint = (p: Point): ChartPoint => ({ x: p.rate, y: p.vms.reduce((a, v) => a + (v.throughput.mean ?? 0), 0) });

const SHORT: Record<string, string> = {
  'native-single-core': 'non-virtualized',
  'xen-idd-1vm-single-core': 'virtualized (1 VM)',
  'xen-idd-single-core': 'consolidated (2 VMs)',
};

const knee = (c: ConfigResult, label: string): { x: number; label: string }[] =>
  c.maxOfferedRatePerStream === null ? [] : [{ x: c.maxOfferedRatePerStream, label: `${label} max ${c.maxThroughputPerStream?.toFixed(0) ?? '?'}` }];

/** Figures 1 and 2 (httperf panels): one core, non-virtualized vs virtualized vs consolidated. */
export function figures12(configs: readonly ConfigResult[]): LineChart[] {
  const single = configs.filter((c) => c.name in SHORT);
  return [
    {
      id: 'figure-1-cpu',
      title: 'Figure 1 (httperf): CPU utilisation of the server, one core',
      xTitle: 'offered request rate per VM (req/s)',
      yTitle: 'CPU utilisation',
      yFormat: 'percent',
      series: single.map((c) => ({ name: SHORT[c.name]!, points: c.curve.map((p) => pt(p.rate, p.cpus[0]!.utilisation)) })),
    },
    {
      id: 'figure-2-throughput',
      title: 'Figure 2 (httperf): reply rate, one core',
      xTitle: 'offered request rate per VM (req/s)',
      yTitle: 'replies per second',
      series: [
        ...single.map((c) => ({ name: c.streams > 1 ? `${SHORT[c.name]!}, per VM` : SHORT[c.name]!, points: c.curve.map(perStreamPoint) })),
        ...single.filter((c) => c.streams > 1).map((c) => ({ name: `${SHORT[c.name]!}, total`, dashed: true, points: c.curve.map(totalPoint) })),
      ],
      markers: single.flatMap((c) => knee(c, SHORT[c.name]!)),
    },
  ];
}

/** Figures 5 and 6: throughput per stream and CPU utilisation per core against the offered rate per stream. */
export function figure56(c: ConfigResult, figure: string): LineChart[] {
  const vmSeries: Series[] = (c.curve[0]?.vms ?? []).map((v, i) => ({ name: `${v.id} throughput`, points: c.curve.map((p) => pt(p.rate, p.vms[i]!.throughput)) }));
  const cpuSeries: Series[] = (c.curve[0]?.cpus ?? []).map((core, i) => ({
    name: `${core.id} (${core.runs.join(' + ')})`,
    points: c.curve.map((p) => pt(p.rate, p.cpus[i]!.utilisation)),
  }));
  const slug = figure.toLowerCase().replace(/\s+/g, '-');
  return [
    { id: `${slug}-throughput`, title: `${figure}: throughput per httperf stream, ${c.arch}, ${c.cores}-core`, xTitle: 'offered rate per stream (req/s)', yTitle: 'replies per second', series: vmSeries, markers: knee(c, '') },
    { id: `${slug}-cpu`, title: `${figure}: CPU utilisation per core, ${c.arch}, ${c.cores}-core`, xTitle: 'offered rate per stream (req/s)', yTitle: 'CPU utilisation', yFormat: 'percent', series: cpuSeries, markers: knee(c, '') },
  ];
}

export function scalingCharts(rows: readonly ScalingRow[]): LineChart[] {
  const archs = [...new Set(rows.map((r) => r.arch))];
  const by = (f: (r: ScalingRow) => number | null): Series[] => archs.map((a) => ({ name: a, points: rows.filter((r) => r.arch === a).map((r) => ({ x: r.vms, y: f(r) })) }));
  return [
    { id: 'scaling-aggregate', title: 'Scalability: aggregate maximum throughput without loss', xTitle: 'VMs (on VMs + 1 cores)', yTitle: 'requests per second, all VMs', series: by((r) => r.aggregateThroughput) },
    { id: 'scaling-per-vm', title: 'Scalability: maximum throughput per VM without loss', xTitle: 'VMs (on VMs + 1 cores)', yTitle: 'requests per second per VM', series: by((r) => r.perVmThroughput) },
    {
      id: 'scaling-cpu0',
      title: 'Scalability: cpu0 at 90% of the maximum (VMM and driver domain)',
      xTitle: 'VMs (on VMs + 1 cores)',
      yTitle: 'share of cpu0',
      yFormat: 'percent',
      series: archs.flatMap((a) => [
        { name: `${a}: VMM`, points: rows.filter((r) => r.arch === a).map((r) => ({ x: r.vms, y: r.vmmBelow })) },
        ...(rows.some((r) => r.arch === a && (r.driverDomainBelow ?? 0) > 0) ? [{ name: `${a}: driver domain`, dashed: true, points: rows.filter((r) => r.arch === a).map((r) => ({ x: r.vms, y: r.driverDomainBelow })) }] : []),
      ]),
    },
  ];
}

export function interferenceCharts(i: InterferenceResult): LineChart[] {
  const victim = (p: Point) => p.vms.find((v) => v.id === i.victim)!;
  const x = (p: Point): number => p.rate / i.lineRate;
  return [
    {
      id: 'interference-throughput',
      title: `Interference: ${i.victim}'s throughput (offered ${i.victimRate} req/s) while ${i.attacker} is flooded`,
      xTitle: `flood on ${i.attacker}, fraction of line rate (${Math.round(i.lineRate)} packets/s)`,
      xFormat: 'percent',
      yTitle: `${i.victim} replies per second`,
      series: i.curves.map((c) => ({ name: c.arch, points: c.points.map((p) => pt(x(p), victim(p).throughput)) })),
    },
    {
      id: 'interference-p99',
      title: `Interference: ${i.victim}'s 99th-percentile response time`,
      xTitle: `flood on ${i.attacker}, fraction of line rate`,
      xFormat: 'percent',
      yTitle: 'p99 response time (ms, log scale)',
      yLog: true,
      series: i.curves.map((c) => ({ name: c.arch, points: c.points.map((p) => pt(x(p), victim(p).p99Ms)) })),
    },
  ];
}

export function mixedCharts(m: MixedResult): LineChart[] {
  const mixed = m.curves.find((c) => c.arch === 'mixed');
  const charts: LineChart[] = [];
  if (mixed !== undefined && mixed.points.length > 0) {
    charts.push({
      id: 'mixed-throughput',
      title: `Mixed architecture (${m.msiVectors} MSI vectors): throughput per VM`,
      xTitle: 'offered rate per VM (req/s)',
      yTitle: 'replies per second',
      series: mixed.points[0]!.vms.map((v, k) => ({ name: `${v.id} (${v.attachment})`, points: mixed.points.map((p) => pt(p.rate, p.vms[k]!.throughput)) })),
    });
  }
  charts.push({
    id: 'mixed-driver-domain',
    title: 'Mixed architecture: cpu0 (VMM + driver domain) utilisation',
    xTitle: 'offered rate per VM (req/s)',
    yTitle: 'cpu0 utilisation',
    yFormat: 'percent',
    series: m.curves.map((c) => ({ name: c.arch, points: c.points.map((p) => pt(p.rate, p.cpus[0]!.utilisation)) })),
  });
  return charts;
}
