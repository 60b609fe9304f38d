/**
 * The paper's figures, set against ours. The figures and their role — an *input* the calibration was fitted to,
 * or a *prediction* it was not — are said once, in spec/calibration/paper-figures.json (owned by the calibration;
 * `--figures FILE` reads another file of the same shape). Each figure names a metric and a configuration
 * (scenario, arch, cores); this module measures that metric on the configuration reproduce ran.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ARCHS, CORE_LAYOUTS, dataDir, formatIssues, type Arch, type CoreLayout } from '../../../../spec/scenario.js';
import { UsageError } from '../command.js';
import type { Point } from './lab.js';
import type { ConfigResult } from './paper.js';

const config = z.looseObject({
  scenario: z.string(),
  arch: z.enum(ARCHS).optional(),
  cores: z.enum(CORE_LAYOUTS),
  rate: z.number().positive().optional(),
  core: z.string().optional(),
});
const role = z.enum(['input', 'prediction']);
const METRICS = ['maxThroughputPerStream', 'maxThroughputTotal', 'throughputPerStreamAt', 'utilisationAtMax', 'gain'] as const;
const figureSchema = z.looseObject({
  id: z.string(),
  source: z.string().optional(),
  description: z.string().optional(),
  paper: z.number().finite(),
  unit: z.string().optional(),
  metric: z.enum(METRICS),
  of: z.string().optional(),
  over: z.string().optional(),
  config,
  role,
});
const qualitativeSchema = z.looseObject({
  id: z.string(),
  source: z.string().optional(),
  description: z.string().optional(),
  configs: z.array(config).min(1),
  rates: z.array(z.number().positive()).min(1),
  expect: z.string(),
  role,
});
const fileSchema = z.looseObject({ figures: z.array(figureSchema), qualitative: z.array(qualitativeSchema).optional() });
export type PaperFigure = z.infer<typeof figureSchema>;
export type QualitativeFigure = z.infer<typeof qualitativeSchema>;
type FigureConfig = z.infer<typeof config>;

export interface FiguresFile {
  readonly path: string;
  readonly figures: readonly PaperFigure[];
  readonly qualitative: readonly QualitativeFigure[];
}

export const defaultFiguresPath = (): string => join(dataDir('calibration'), 'paper-figures.json');

/** The figures file; undefined when the default one does not exist (a --figures file must). */
export function loadFigures(file: string | undefined): FiguresFile | undefined {
  const path = file ?? defaultFiguresPath();
  if (file === undefined && !existsSync(path)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${path}: ${code !== undefined ? `cannot read (${code})` : `not valid JSON (${(e as Error).message})`}`);
  }
  const r = fileSchema.safeParse(raw);
  if (!r.success) throw new UsageError(formatIssues(r.error, path));
  return { path, figures: r.data.figures, qualitative: r.data.qualitative ?? [] };
}

/** What the measurements need from the run: the configurations, and any point of one of them. */
export interface Measured {
  readonly configs: readonly ConfigResult[];
  /** The configuration (as run by reproduce) at an offered rate per stream (run now if it was not). */
  pointAt(config: ConfigResult, rate: number): Promise<Point>;
  /** Which built-in scenario each configuration runs. */
  scenarioOf(config: ConfigResult): string;
}

const sameConfig = (m: Measured, c: ConfigResult, f: FigureConfig): boolean =>
  m.scenarioOf(c) === f.scenario && c.cores === f.cores && (f.arch === undefined || c.arch === f.arch);

export interface ComparisonRow {
  readonly id: string;
  readonly what: string;
  readonly source: string | null;
  readonly unit: string;
  readonly role: 'input' | 'prediction';
  readonly paper: number;
  readonly ours: number | null;
  /** (ours − paper) / paper for values, ours − paper for fractions; null when there is no measurement. */
  readonly relativeDifference: number | null;
  /** Why `ours` is null. */
  readonly note?: string;
}

const perStream = (p: Point): number => p.vms.reduce((a, v) => a + (v.throughput.mean ?? 0), 0) / Math.max(1, p.vms.length);

async function measure(f: PaperFigure, m: Measured, done: ReadonlyMap<string, number | null>): Promise<{ ours: number | null; note?: string }> {
  if (f.metric === 'gain') {
    const of = done.get(f.of ?? '');
    const over = done.get(f.over ?? '');
    return of == null || over == null || over === 0 ? { ours: null, note: `needs figures '${f.of}' and '${f.over}' measured first` } : { ours: of / over - 1 };
  }
  const c = m.configs.find((x) => sameConfig(m, x, f.config));
  if (c === undefined) return { ours: null, note: `reproduce does not run ${f.config.scenario} / ${f.config.arch ?? 'any arch'} / ${f.config.cores}` };
  switch (f.metric) {
    case 'maxThroughputPerStream':
      return { ours: c.maxThroughputPerStream };
    case 'maxThroughputTotal':
      return { ours: c.maxThroughputPerStream === null ? null : c.maxThroughputPerStream * c.streams };
    case 'throughputPerStreamAt':
      return f.config.rate === undefined ? { ours: null, note: 'no config.rate' } : { ours: perStream(await m.pointAt(c, f.config.rate)) };
    case 'utilisationAtMax': {
      const u = c.cpuAtMax.find((x) => x.id === f.config.core)?.utilisation;
      return u === undefined ? { ours: null, note: `no core '${f.config.core}'` } : { ours: f.unit?.includes('%') ? u * 100 : u };
    }
  }
}

/** One row per figure, in the file's order (a gain after the figures it divides). */
export async function compare(file: FiguresFile | undefined, m: Measured): Promise<ComparisonRow[]> {
  if (file === undefined) return [];
  const done = new Map<string, number | null>();
  const rows: ComparisonRow[] = [];
  for (const f of file.figures) {
    const { ours, note } = await measure(f, m, done);
    done.set(f.id, ours);
    const fraction = f.unit === 'fraction';
    rows.push({
      id: f.id,
      what: f.description ?? f.id,
      source: f.source ?? null,
      unit: f.unit ?? '',
      role: f.role,
      paper: f.paper,
      ours,
      relativeDifference: ours === null ? null : fraction ? ours - f.paper : f.paper === 0 ? null : (ours - f.paper) / f.paper,
      ...(note !== undefined ? { note } : {}),
    });
  }
  return rows;
}

export interface QualitativeRow {
  readonly id: string;
  readonly what: string;
  readonly source: string | null;
  readonly role: 'input' | 'prediction';
  readonly expect: string;
  /** The utilisation measured per configuration (rows) and rate (columns), as fractions. */
  readonly measured: readonly (readonly (number | null)[])[];
  readonly rates: readonly number[];
  readonly holds: boolean | null;
}

/** A core's utilisation: the one named, else the first (a single-core configuration has only cpu0). */
const utilisation = (p: Point, core: string | undefined): number | null => (core === undefined ? p.cpus[0] : p.cpus.find((c) => c.id === core))?.utilisation.mean ?? null;

/** Checks the expectations written as 'increasing' (across the configs, at every rate) or 'below N%'. */
export async function checkQualitative(file: FiguresFile | undefined, m: Measured): Promise<QualitativeRow[]> {
  if (file === undefined) return [];
  const rows: QualitativeRow[] = [];
  for (const q of file.qualitative) {
    const measured: (number | null)[][] = [];
    for (const fc of q.configs) {
      const c = m.configs.find((x) => sameConfig(m, x, fc));
      measured.push(c === undefined ? q.rates.map(() => null) : await Promise.all(q.rates.map(async (r) => utilisation(await m.pointAt(c, r), fc.core))));
    }
    const known = measured.every((row) => row.every((x) => x !== null));
    const below = /^below\s+([0-9.]+)%$/.exec(q.expect.trim());
    let holds: boolean | null = null;
    if (known && q.expect.trim() === 'increasing') holds = q.rates.every((_, k) => measured.every((row, i) => i === 0 || row[k]! > measured[i - 1]![k]!));
    else if (known && below) holds = measured.every((row) => row.every((x) => x! * 100 < Number(below[1])));
    rows.push({ id: q.id, what: q.description ?? q.id, source: q.source ?? null, role: q.role, expect: q.expect, measured, rates: q.rates, holds });
  }
  return rows;
}

/** The paper's value for a configuration's maximum per stream, when the file has one. */
export function paperMaxPerStream(file: FiguresFile | undefined, m: Pick<Measured, 'scenarioOf'>, c: ConfigResult): number | null {
  const f = file?.figures.find((x) => x.metric === 'maxThroughputPerStream' && m.scenarioOf(c) === x.config.scenario && c.cores === x.config.cores && c.arch === x.config.arch);
  return f?.paper ?? null;
}

export type { Arch, CoreLayout };
