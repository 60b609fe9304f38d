/**
 * Everything `reproduce` measures, on a Lab: the paper's configurations, the three experiments beyond it, and the
 * comparison with the paper's figures. How the work is ordered is said here once; the order changes only how long
 * it takes (bench/reproduce-schedule.ts replays it on virtual cores), never a number.
 */
import type { LineChart } from '../../../report/charts.js';
import { runInterference, runMixed, runScaling, type InterferenceResult, type MixedResult, type ScalingRow } from './beyond.js';
import { interferenceCharts, mixedCharts, scalingCharts } from './charts.js';
import { paperConfigs, type Effort } from './configs.js';
import { STOPPED, checkQualitative, compare, pointsAsked, runsConfig, type ComparisonRow, type FiguresFile, type Measured, type QualitativeRow } from './figures.js';
import type { Lab } from './lab.js';
import { runPaperConfig, settingFor, type ConfigResult } from './paper.js';
import { configCharts } from './report.js';

export interface Parts {
  readonly scaling: ScalingRow[];
  readonly mixed: MixedResult;
  readonly interference: InterferenceResult;
  readonly configs: ConfigResult[];
  readonly comparison: ComparisonRow[];
  readonly qualitative: QualitativeRow[];
  readonly measured: Measured;
  /** Whether the comparison lacks a point a stop left unmeasured. */
  readonly comparisonShort: boolean;
}

export interface MeasureHooks {
  /** A part's charts, as soon as the part is measured (to render them while the pool runs the rest). */
  readonly onCharts?: (charts: readonly LineChart[]) => void;
  /** Runs the simulating phase and the comparison, named (a profile's phases). */
  readonly phase?: <T>(name: string, f: () => Promise<T>) => Promise<T>;
}

/**
 * The searches' sequential probes are the critical path: Lab runs probes first, then the grids searches start
 * from, the heaviest settings first, then the rest. A stop does not reject: each part resolves with what was
 * measured before it (lab.partial tells). The points the comparison asks for are asked at the start, to run among
 * the rest rather than after it.
 */
export async function measureAll(lab: Lab, effort: Effort, figures: FiguresFile, hooks: MeasureHooks = {}): Promise<Parts> {
  const phase = hooks.phase ?? (<T>(_: string, f: () => Promise<T>) => f());
  const paper = paperConfigs(effort);
  for (const { config, rate } of pointsAsked(figures)) {
    const c = paper.find((p) => runsConfig(config, p.scenario.name, p.arch, p.cores));
    // Its errors surface where the comparison asks for it.
    if (c !== undefined) void lab.point(settingFor(c, effort), rate).catch(() => undefined);
  }
  const drawing = <T>(part: Promise<T>, charts: (t: T) => LineChart[]): Promise<T> => part.then((t) => (hooks.onCharts?.(charts(t)), t));
  const [scaling, mixed, interference, configs] = await phase('simulate', () =>
    Promise.all([
      drawing(runScaling(lab, effort), scalingCharts),
      drawing(runMixed(lab, effort), mixedCharts),
      drawing(runInterference(lab, effort), interferenceCharts),
      drawing(Promise.all(paper.map((c) => runPaperConfig(lab, c, effort))), configCharts),
    ]),
  );
  let comparisonShort = false;
  const measured: Measured = {
    configs,
    scenarioOf: (c) => c.scenario,
    pointAt: async (c, rate) => {
      const p = await lab.unlessStopped(lab.point(settingFor(paper.find((x) => x.name === c.name)!, effort), rate));
      if (p === undefined) comparisonShort = true;
      return p;
    },
  };
  const [comparison, qualitative] = await phase('compare', () => Promise.all([compare(figures, measured), checkQualitative(figures, measured)]));
  return { scaling, mixed, interference, configs, comparison, qualitative, measured, comparisonShort: comparisonShort || comparison.some((r) => r.note === STOPPED) };
}
