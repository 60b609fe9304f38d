/**
 * The paper's figures, set against ours. The figures and their role — an *input* the calibration was fitted to,
 * or a *prediction* it was not — are said once, in spec/calibration/paper-figures.json (owned by the calibration;
 * `--figures FILE` reads another file of the same shape). Each figure names a metric and a configuration
 * (scenario, arch, cores); this module measures that metric on the configuration reproduce ran. Schema and
 * loading: spec/paper-figures.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPaperFigures, parsePaperFigures, type PaperFigure, type PaperFigures, type QualitativeFigure } from '../../../../spec/paper-figures.js';
import { dataDir } from '../../../../spec/scenario.js';
import { UsageError } from '../command.js';
import type { Point } from './lab.js';
import type { ConfigResult } from './paper.js';

type FigureConfig = PaperFigure['config'];

export interface FiguresFile {
  readonly path: string;
  readonly figures: readonly PaperFigure[];
  readonly qualitative: readonly QualitativeFigure[];
}

export const defaultFiguresPath = (): string => join(dataDir('calibration'), 'paper-figures.json');

const fromParsed = (path: string, f: PaperFigures): FiguresFile => ({ path, figures: f.figures, qualitative: f.qualitative });

/** The built-in figures (spec/paper-figures.ts validates them), or a --figures file of the same shape. */
export function loadFigures(file: string | undefined): FiguresFile {
  if (file === undefined) {
    const built = loadPaperFigures();
    // The built-in file is part of the package: failing to load it is a packaging bug, not bad input.
    if (!built.ok) throw new Error(`the built-in paper figures do not load: ${built.error}`);
    return fromParsed(defaultFiguresPath(), built.value);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`--figures: ${file}: ${code !== undefined ? `cannot read (${code})` : `not valid JSON (${(e as Error).message})`}`);
  }
  const r = parsePaperFigures(raw, file);
  if (!r.ok) throw new UsageError(r.error);
  return fromParsed(file, r.value);
}

/** What the measurements need from the run: the configurations, and any point of one of them. */
export interface Measured {
  readonly configs: readonly ConfigResult[];
  /** The configuration (as run by reproduce) at an offered rate per stream (run now if it was not; undefined once stopped). */
  pointAt(config: ConfigResult, rate: number): Promise<Point | undefined>;
  /** Which built-in scenario each configuration runs. */
  scenarioOf(config: ConfigResult): string;
}

const sameConfig = (m: Measured, c: ConfigResult, f: FigureConfig): boolean => runsConfig(f, m.scenarioOf(c), c.arch, c.cores);

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

/** Why a figure has no value in a partial report. */
export const STOPPED = 'not measured: the run was stopped first';

const perStream = (p: Point): number => p.vms.reduce((a, v) => a + (v.throughput.mean ?? 0), 0) / Math.max(1, p.vms.length);

async function measure(f: PaperFigure, m: Measured, done: ReadonlyMap<string, number | null>): Promise<{ ours: number | null; note?: string }> {
  if (f.metric === 'gain') {
    const of = done.get(f.of ?? '');
    const over = done.get(f.over ?? '');
    return of == null || over == null || over === 0 ? { ours: null, note: `needs figures '${f.of}' and '${f.over}' measured first` } : { ours: of / over - 1 };
  }
  const c = m.configs.find((x) => sameConfig(m, x, f.config));
  if (c === undefined) return { ours: null, note: `reproduce does not run ${f.config.scenario} / ${f.config.arch ?? 'any arch'} / ${f.config.cores}` };
  if (!c.finished && f.metric !== 'throughputPerStreamAt') return { ours: null, note: STOPPED };
  switch (f.metric) {
    case 'maxThroughputPerStream':
      return { ours: c.maxThroughputPerStream };
    case 'maxThroughputTotal':
      return { ours: c.maxThroughputPerStream === null ? null : c.maxThroughputPerStream * c.streams };
    case 'throughputPerStreamAt':
    {
      if (f.config.rate === undefined) return { ours: null, note: 'no config.rate' };
      const p = await m.pointAt(c, f.config.rate);
      return p === undefined ? { ours: null, note: STOPPED } : { ours: perStream(p) };
    }
    case 'utilisationAtMax': {
      const u = c.cpuAtMax.find((x) => x.id === f.config.core)?.utilisation;
      return u === undefined ? { ours: null, note: `no core '${f.config.core}'` } : { ours: f.unit?.includes('%') ? u * 100 : u };
    }
  }
}

/** One row per figure, in the file's order (a gain after the figures it divides). */
export async function compare(file: FiguresFile, m: Measured): Promise<ComparisonRow[]> {
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
const utilisation = (p: Point | undefined, core: string | undefined): number | null =>
  p === undefined ? null : ((core === undefined ? p.cpus[0] : p.cpus.find((c) => c.id === core))?.utilisation.mean ?? null);

/** Checks the expectations written as 'increasing' (across the configs, at every rate) or 'below N%'. */
export async function checkQualitative(file: FiguresFile, m: Measured): Promise<QualitativeRow[]> {
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

/**
 * The points (a configuration, an offered rate per stream) the comparison asks for besides the maxima: asked at the
 * start, they run in the pool among the rest instead of after it.
 */
export function pointsAsked(file: FiguresFile): { config: FigureConfig; rate: number }[] {
  const at = file.figures.flatMap((f) => (f.metric === 'throughputPerStreamAt' && f.config.rate !== undefined ? [{ config: f.config, rate: f.config.rate }] : []));
  return [...at, ...file.qualitative.flatMap((q) => q.configs.flatMap((config) => q.rates.map((rate) => ({ config, rate }))))];
}

/** Whether a figure's configuration is one `reproduce` runs (by scenario name, arch and cores). */
export const runsConfig = (f: FigureConfig, scenario: string, arch: string, cores: string): boolean =>
  scenario === f.scenario && cores === f.cores && (f.arch === undefined || arch === f.arch);

/** The paper's value for a configuration's maximum per stream, when the file has one. */
export function paperMaxPerStream(file: FiguresFile, m: Pick<Measured, 'scenarioOf'>, c: ConfigResult): number | null {
  const f = file.figures.find((x) => x.metric === 'maxThroughputPerStream' && m.scenarioOf(c) === x.config.scenario && c.cores === x.config.cores && c.arch === x.config.arch);
  return f?.paper ?? null;
}

