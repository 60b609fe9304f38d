/**
 * The paper's figures as data (spec/calibration/paper-figures.json): which ones the calibration was fitted to
 * (role `input`) and which ones the simulator predicts (role `prediction`). Read by docs/calibration.md's
 * measurements and by `vnicspec reproduce`, so "which figures were inputs" is said in one place.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ARCHS, BUILT_IN_SCENARIOS, CORE_LAYOUTS, dataDir, formatIssues, type Loaded } from './scenario.js';

const role = z.enum(['input', 'prediction']);
const config = z.strictObject({
  scenario: z.enum(BUILT_IN_SCENARIOS),
  arch: z.enum(ARCHS).optional(),
  cores: z.enum(CORE_LAYOUTS),
  /** Offered requests/s per stream (throughputPerStreamAt). */
  rate: z.number().positive().optional(),
  /** A core id (utilisationAtMax). */
  core: z.string().optional(),
});

export const METRICS = ['maxThroughputPerStream', 'maxThroughputTotal', 'throughputPerStreamAt', 'utilisationAtMax', 'gain'] as const;
export type Metric = (typeof METRICS)[number];

const figure = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9-]+$/, 'must be lower-case words joined by -'),
    source: z.string(),
    description: z.string(),
    paper: z.number(),
    unit: z.string(),
    metric: z.enum(METRICS),
    /** gain: the figure divided by `over`, minus 1. */
    of: z.string().optional(),
    over: z.string().optional(),
    config,
    role,
  })
  .superRefine((f, ctx) => {
    if (f.metric === 'gain' && (f.of === undefined || f.over === undefined)) ctx.addIssue({ code: 'custom', path: ['of'], message: 'a gain names the figures it divides (of, over)' });
    if (f.metric !== 'gain' && f.config.arch === undefined) ctx.addIssue({ code: 'custom', path: ['config', 'arch'], message: 'required' });
    if (f.metric === 'throughputPerStreamAt' && f.config.rate === undefined) ctx.addIssue({ code: 'custom', path: ['config', 'rate'], message: 'required for throughputPerStreamAt' });
    if (f.metric === 'utilisationAtMax' && f.config.core === undefined) ctx.addIssue({ code: 'custom', path: ['config', 'core'], message: 'required for utilisationAtMax' });
  });

const qualitative = z.strictObject({
  id: z.string(),
  source: z.string(),
  description: z.string(),
  configs: z.array(config).min(1),
  rates: z.array(z.number().positive()).min(1),
  expect: z.string(),
  role,
});

const figuresFile = z
  .strictObject({
    $comment: z.string(),
    paper: z.string(),
    metrics: z.record(z.enum(METRICS), z.string()),
    figures: z.array(figure).min(1),
    qualitative: z.array(qualitative),
  })
  .superRefine((f, ctx) => {
    const ids = new Set<string>();
    f.figures.forEach((x, i) => {
      if (ids.has(x.id)) ctx.addIssue({ code: 'custom', path: ['figures', i, 'id'], message: `duplicate id '${x.id}'` });
      ids.add(x.id);
    });
    f.figures.forEach((x, i) => {
      for (const k of ['of', 'over'] as const) {
        const ref = x[k];
        if (ref !== undefined && !ids.has(ref)) ctx.addIssue({ code: 'custom', path: ['figures', i, k], message: `no figure '${ref}'` });
      }
    });
  });

export type PaperFigures = z.infer<typeof figuresFile>;
export type PaperFigure = PaperFigures['figures'][number];
export type QualitativeFigure = PaperFigures['qualitative'][number];

export function parsePaperFigures(raw: unknown, where: string): Loaded<PaperFigures> {
  const r = figuresFile.safeParse(raw);
  return r.success ? { ok: true, value: r.data } : { ok: false, error: formatIssues(r.error, where) };
}

/** spec/calibration/paper-figures.json, validated. */
export function loadPaperFigures(): Loaded<PaperFigures> {
  const path = join(dataDir('calibration'), 'paper-figures.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (e) {
    return { ok: false, error: `${path}: ${(e as Error).message}` };
  }
  return parsePaperFigures(raw, path);
}
