/**
 * Measures every figure of spec/calibration/paper-figures.json with the simulator: the numbers of
 * docs/calibration.md. Not part of `npm run bench` (it measures the model, not its speed).
 *
 *   node dist/bench/calibration.js [--seeds N] [--duration S] [--warmup S] [--calibration FILE] [--only ID,ID…] [--json] [--json-out FILE]
 *
 * --only measures just those figures (and no qualitative ones): what the sensitivity runs use.
 *
 * A maximum throughput without loss is measured as the plateau in overload (offered 1.3 × the paper's figure per
 * stream): at an offered rate r above the capacity c a fraction 1 − c/r fails, which is at most 1% only for
 * r ≤ 1.0101 c, where the throughput is c — so the plateau is the figure, within 1%. Each figure is run with
 * `--seeds` seeds (default 5, like the paper's five runs); the table gives the mean and a 95% confidence interval.
 */
import { writeFileSync } from 'node:fs';
import { loadScenarioOrFail } from '../src/cli/commands/options.js';
import { runSimulation, type SimulationReport } from '../src/api/run-simulation.js';
import { loadPaperFigures, type PaperFigure, type QualitativeFigure } from '../spec/paper-figures.js';
import { withRequestRate, type Arch } from '../spec/scenario.js';

interface Args {
  seeds: number;
  durationS: number;
  warmupS: number;
  calibration?: string;
  only?: string[];
  json: boolean;
  /** Also write the JSON to this file (with the table on stdout). */
  jsonOut?: string;
}

function parseArgs(argv: readonly string[]): Args {
  const a: Args = { seeds: 5, durationS: 60, warmupS: 20, json: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const v = argv[i + 1];
    if (k === '--json') a.json = true;
    else if (k === '--seeds' && v !== undefined) (a.seeds = Number(v)), i++;
    else if (k === '--duration' && v !== undefined) (a.durationS = Number(v)), i++;
    else if (k === '--warmup' && v !== undefined) (a.warmupS = Number(v)), i++;
    else if (k === '--calibration' && v !== undefined) (a.calibration = v), i++;
    else if (k === '--only' && v !== undefined) (a.only = v.split(',')), i++;
    else if (k === '--json-out' && v !== undefined) (a.jsonOut = v), i++;
    else throw new Error(`unknown argument ${k}`);
  }
  return a;
}

/** Student's t quantile (0.975) for n − 1 degrees of freedom, n ≤ 30; 1.96 beyond. */
const T975 = [NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045];

export interface Estimate {
  mean: number;
  /** Half-width of the 95% confidence interval over seeds. */
  ci95: number;
  runs: number[];
}

function estimate(xs: number[]): Estimate {
  const n = xs.length;
  const mean = xs.reduce((a, x) => a + x, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : 0;
  const t = n - 1 < T975.length ? T975[n - 1]! : 1.96;
  return { mean, ci95: n > 1 ? (t * sd) / Math.sqrt(n) : 0, runs: xs };
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const figures = loadPaperFigures();
  if (!figures.ok) throw new Error(figures.error);
  const seeds = Array.from({ length: args.seeds }, (_, i) => i + 1);

  const simulate = (scenarioName: string, arch: Arch, cores: 'single' | 'multi', rate: number, seed: number): SimulationReport => {
    const { scenario, calibration } = loadScenarioOrFail(scenarioName, args.calibration);
    const t0 = performance.now();
    const r = runSimulation({ scenario: withRequestRate(scenario, rate), calibration, arch, cores, seed, durationS: args.durationS, warmupS: args.warmupS });
    process.stderr.write(`  ${scenarioName} ${arch} ${cores} @${rate}/s seed ${seed}: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    if (r.outcome !== 'ok') throw new Error(`${scenarioName} ${arch}: ${r.outcome}: ${r.message ?? ''}`);
    return r;
  };
  const perStream = (r: SimulationReport): number => r.vms.reduce((a, v) => a + v.throughputPerS, 0) / r.vms.length;
  const total = (r: SimulationReport): number => r.vms.reduce((a, v) => a + v.throughputPerS, 0);

  const measured = new Map<string, Estimate>();
  const rows: { figure: PaperFigure; ours: Estimate; error: number; warnings: number }[] = [];
  const byId = new Map(figures.value.figures.map((f) => [f.id, f]));
  const wanted = (f: PaperFigure): boolean => args.only === undefined || args.only.includes(f.id);
  for (const f of figures.value.figures) {
    if (f.metric === 'gain' || !wanted(f)) continue;
    const c = f.config;
    const perStreamPaper = f.metric === 'maxThroughputTotal' ? f.paper / 2 : f.paper;
    const maxOf = byId.get(f.id.replace(/-idd-utilisation$/, ''));
    const rate =
      f.metric === 'throughputPerStreamAt' ? c.rate! : f.metric === 'utilisationAtMax' ? 1.3 * (maxOf?.paper ?? f.paper) : 1.3 * perStreamPaper;
    process.stderr.write(`${f.id}\n`);
    const reports = seeds.map((s) => simulate(c.scenario, c.arch!, c.cores, rate, s));
    const value = (r: SimulationReport): number =>
      f.metric === 'maxThroughputTotal' ? total(r) : f.metric === 'utilisationAtMax' ? 100 * r.cpus.find((x) => x.id === c.core)!.utilisation : perStream(r);
    const ours = estimate(reports.map(value));
    measured.set(f.id, ours);
    rows.push({ figure: f, ours, error: ours.mean / f.paper - 1, warnings: reports.filter((r) => !r.steadyState.ok).length });
  }
  for (const f of figures.value.figures) {
    if (f.metric !== 'gain' || !wanted(f)) continue;
    const of = measured.get(f.of!);
    const over = measured.get(f.over!);
    if (of === undefined || over === undefined) continue;
    const ours = estimate(of.runs.map((x, i) => x / over.runs[i]! - 1));
    rows.push({ figure: f, ours, error: ours.mean / f.paper - 1, warnings: 0 });
  }
  const order = new Map(figures.value.figures.map((f, i) => [f.id, i]));
  rows.sort((a, b) => order.get(a.figure.id)! - order.get(b.figure.id)!);

  const qualitative = (args.only === undefined ? figures.value.qualitative : []).map((q: QualitativeFigure) => ({
    id: q.id,
    expect: q.expect,
    points: q.rates.map((rate) => ({
      rate,
      utilisation: q.configs.map((c) => {
        const r = simulate(c.scenario, c.arch!, c.cores, rate, 1);
        return Math.round(1000 * r.cpus.find((x) => x.id === (c.core ?? 'cpu0'))!.utilisation) / 10;
      }),
    })),
  }));

  const json = JSON.stringify({ args, rows: rows.map((r) => ({ id: r.figure.id, role: r.figure.role, paper: r.figure.paper, unit: r.figure.unit, ours: r.ours, error: r.error, notSteady: r.warnings })), qualitative }, null, 2) + '\n';
  if (args.jsonOut !== undefined) writeFileSync(args.jsonOut, json);
  if (args.json) {
    process.stdout.write(json);
    return;
  }
  const fmt = (x: number, unit: string): string => (unit === 'fraction' ? `+${(100 * x).toFixed(1)}%` : x.toFixed(1));
  const lines = [
    `${args.seeds} seeds × ${args.durationS} s (first ${args.warmupS} s not counted) per figure; mean ± 95% confidence interval over seeds`,
    '',
    '| figure | role | paper | ours | error |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.figure.id} | ${r.figure.role} | ${fmt(r.figure.paper, r.figure.unit)} | ${fmt(r.ours.mean, r.figure.unit)} ± ${r.figure.unit === 'fraction' ? (100 * r.ours.ci95).toFixed(1) + ' pt' : r.ours.ci95.toFixed(1)} | ${r.error >= 0 ? '+' : ''}${(100 * r.error).toFixed(1)}%${r.warnings > 0 ? ` (${r.warnings} runs not steady)` : ''} |`),
    '',
    ...qualitative.flatMap((q) => [`${q.id} (expect ${q.expect}):`, ...q.points.map((p) => `  at ${p.rate}/s: ${p.utilisation.map((u) => `${u}%`).join(' < ')}`)]),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

main();
