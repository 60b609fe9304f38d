/**
 * What a sweep writes. One run of `sweep` and `merge` of its shards both end in `sweepFiles(spec, runs)`, so they
 * produce the same bytes: the runs are put in plan order, summarised per point over seeds (mean, 95% CI), and
 * printed with a fixed number format. Nothing here reads a clock.
 *
 * - sweep.json: the sweep (scenario and calibration included, so the file explains itself), then one entry per
 *   point with every metric's n, mean, ci95, min and max;
 * - sweep.csv:  one row per point: arch, cores, rate, seeds done and planned, then `<metric>.mean,<metric>.ci95`;
 * - runs.csv:   one row per simulation (point × seed) with its raw metrics.
 */
import { significant } from '../../../api/round.js';
import { summarise, type Summary } from '../../../report/stats.js';
import type { Metrics } from './metrics.js';
import { pointsOf, runsOf, type Point, type SweepSpec } from './plan.js';

export const SWEEP_KIND = 'vnicspec-sweep';
export const SHARD_KIND = 'vnicspec-sweep-shard';
export const FORMAT_VERSION = 1;

export type Outcome = 'ok' | 'violation' | 'spec-error';

export interface RunRecord extends Point {
  readonly run: number;
  readonly seed: number;
  readonly outcome: Outcome;
  readonly events: number;
  readonly metrics: Metrics;
}

export type Status = 'complete' | 'partial';

/**
 * Six significant digits (never fewer than the integer part has): far finer than any simulated metric's noise, and
 * no float noise (949.7500000000001) in the files.
 */
export const tidy = (x: number): number => significant(x, 6);
const tidyOrNull = (x: number | null): number | null => (x === null ? null : tidy(x));

/** The sweep's identity as written in every file: equal for shards of the same sweep, whoever ran them. */
export function sweepHeader(s: SweepSpec): Record<string, unknown> {
  return {
    scenarioName: s.scenario.name,
    archs: s.archs,
    cores: s.cores,
    vary: s.vary,
    rates: s.rates,
    seeds: s.seeds,
    durationS: s.durationS,
    warmupS: s.warmupS,
    scenario: s.scenario,
    calibration: s.calibration,
  };
}

/** Metric names in first-appearance order over the runs in plan order (archs may differ in their cores). */
function metricNames(runs: readonly RunRecord[]): string[] {
  const seen = new Set<string>();
  for (const r of runs) for (const k of Object.keys(r.metrics)) seen.add(k);
  return [...seen];
}

export interface PointSummary extends Point {
  readonly seedsDone: readonly number[];
  readonly outcomes: Readonly<Record<string, number>>;
  readonly metrics: Readonly<Record<string, Summary>>;
}

export function summarisePoints(s: SweepSpec, runs: readonly RunRecord[]): { names: string[]; points: PointSummary[] } {
  const byRun = [...runs].sort((a, b) => a.run - b.run);
  const names = metricNames(byRun);
  const perPoint = pointsOf(s).map(() => [] as RunRecord[]);
  for (const r of byRun) perPoint[Math.floor(r.run / s.seeds.length)]!.push(r);
  const points = pointsOf(s).flatMap((p, i) => {
    const rs = perPoint[i]!;
    if (rs.length === 0) return [];
    const outcomes: Record<string, number> = {};
    for (const r of rs) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
    const metrics: Record<string, Summary> = {};
    for (const name of names) {
      const sum = summarise(rs.map((r) => r.metrics[name] ?? null));
      if (sum.n === 0 && !rs.some((r) => name in r.metrics)) continue;
      metrics[name] = { n: sum.n, mean: tidyOrNull(sum.mean), ci95: tidyOrNull(sum.ci95), min: tidyOrNull(sum.min), max: tidyOrNull(sum.max) };
    }
    return [{ ...p, seedsDone: rs.map((r) => r.seed), outcomes, metrics }];
  });
  return { names, points };
}

const csvCell = (v: string | number | null): string => {
  if (v === null) return '';
  const s = typeof v === 'number' ? String(v) : v;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const csvLine = (cells: readonly (string | number | null)[]): string => cells.map(csvCell).join(',') + '\n';

export interface SweepFiles {
  readonly status: Status;
  /** File name → contents. */
  readonly files: Readonly<Record<string, string>>;
  readonly points: readonly PointSummary[];
  readonly names: readonly string[];
}

export function sweepFiles(s: SweepSpec, runs: readonly RunRecord[]): SweepFiles {
  const planned = runsOf(s).length;
  const status: Status = runs.length === planned ? 'complete' : 'partial';
  const { names, points } = summarisePoints(s, runs);
  const failedRuns = runs.filter((r) => r.outcome !== 'ok').length;
  const json = {
    kind: SWEEP_KIND,
    version: FORMAT_VERSION,
    status,
    runs: { planned, done: runs.length, notOk: failedRuns },
    sweep: sweepHeader(s),
    metrics: names,
    points: points.map((p) => ({ arch: p.arch, cores: p.cores, rate: p.rate, seeds: p.seedsDone, outcomes: p.outcomes, metrics: p.metrics })),
  };
  const header = ['arch', 'cores', 'rate', 'seeds_done', 'seeds_planned', ...names.flatMap((n) => [`${n}.mean`, `${n}.ci95`])];
  let csv = csvLine(header);
  for (const p of points) {
    csv += csvLine([p.arch, p.cores, p.rate, p.seedsDone.length, s.seeds.length, ...names.flatMap((n) => [p.metrics[n]?.mean ?? null, p.metrics[n]?.ci95 ?? null])]);
  }
  let runsCsv = csvLine(['arch', 'cores', 'rate', 'seed', 'outcome', 'events', ...names]);
  for (const r of [...runs].sort((a, b) => a.run - b.run)) {
    runsCsv += csvLine([r.arch, r.cores, r.rate, r.seed, r.outcome, r.events, ...names.map((n) => tidyOrNull(r.metrics[n] ?? null))]);
  }
  return {
    status,
    points,
    names,
    files: { 'sweep.json': JSON.stringify(json, null, 2) + '\n', 'sweep.csv': csv, 'runs.csv': runsCsv },
  };
}

export interface ShardDoc {
  readonly kind: typeof SHARD_KIND;
  readonly version: number;
  readonly status: Status;
  readonly shard: { readonly index: number; readonly count: number };
  readonly sweep: Record<string, unknown>;
  readonly runs: readonly RunRecord[];
}

export const shardFileName = (index: number, count: number): string => `shard-${index}-of-${count}.json`;

export function shardFile(s: SweepSpec, shard: { index: number; count: number }, runs: readonly RunRecord[], planned: number): string {
  const doc: ShardDoc = {
    kind: SHARD_KIND,
    version: FORMAT_VERSION,
    status: runs.length === planned ? 'complete' : 'partial',
    shard,
    sweep: sweepHeader(s),
    runs: [...runs].sort((a, b) => a.run - b.run),
  };
  return JSON.stringify(doc, null, 2) + '\n';
}
