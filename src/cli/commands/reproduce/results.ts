/** Everything `reproduce` found, and the JSON it prints (--json) and writes (results.json). */
import type { StopReason } from '../../../api/stop.js';
import { significant } from '../../../api/round.js';
import type { RunLength } from './configs.js';
import type { InterferenceResult, MixedResult, ScalingRow } from './beyond.js';
import type { ComparisonRow, QualitativeRow } from './figures.js';
import type { Point } from './lab.js';
import type { ConfigResult } from './paper.js';

export interface Settings {
  readonly quick: boolean;
  readonly seeds: readonly number[];
  readonly paperRun: RunLength;
  readonly beyondRun: RunLength;
  readonly floodRun: RunLength;
  readonly lossLimit: number;
  /** Where the paper's figures came from (a built-in file, a --figures file, or none). */
  readonly figures: string;
  readonly calibration: string;
  readonly version: string;
}

/** Why a report is partial: the stop, after how many simulations, and the parts it left unfinished. */
export interface Stopped {
  readonly reason: StopReason;
  readonly simulations: number;
  readonly unfinished: readonly string[];
}

export interface ReproduceResult {
  readonly settings: Settings;
  /** Set when a stop (Ctrl-C, --timeout) left the report partial: each part shows what was measured before it. */
  readonly stopped?: Stopped;
  readonly configs: readonly (ConfigResult & { readonly paper: number | null })[];
  readonly comparison: readonly ComparisonRow[];
  readonly qualitative: readonly QualitativeRow[];
  readonly scaling: readonly ScalingRow[];
  readonly interference: InterferenceResult;
  readonly mixed: MixedResult;
}

/**
 * Numbers with six significant digits at most (no float noise, no more digits than a simulated figure can mean;
 * integers such as seeds untouched); same data, same text.
 */
function tidyDeep(x: unknown): unknown {
  if (typeof x === 'number') return significant(x);
  if (Array.isArray(x)) return x.map(tidyDeep);
  if (x !== null && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, tidyDeep(v)]));
  return x;
}

const victimRow = (i: InterferenceResult, p: Point): Record<string, unknown> => {
  const v = p.vms.find((x) => x.id === i.victim)!;
  return { floodRate: p.rate, victimThroughput: v.throughput.mean, victimFailed: v.failed.mean, victimP99Ms: v.p99Ms.mean };
};

/** `--json`: the configurations with their maxima, the comparison, and each experiment's summary (no curves). */
export function summaryJson(r: ReproduceResult): unknown {
  return tidyDeep({
    status: r.stopped === undefined ? 'complete' : 'partial',
    ...(r.stopped !== undefined ? { stopped: r.stopped } : {}),
    configs: r.configs.map((c) => ({
      name: c.name,
      title: c.title,
      figures: c.figures,
      scenario: c.scenario,
      arch: c.arch,
      cores: c.cores,
      streams: c.streams,
      finished: c.finished,
      maxThroughputPerStream: c.maxThroughputPerStream,
      maxOfferedRatePerStream: c.maxOfferedRatePerStream,
      lossyRatePerStream: c.lossyRatePerStream,
      paper: c.paper,
      cpuAtMax: c.cpuAtMax,
    })),
    comparison: r.comparison,
    qualitative: r.qualitative,
    beyond: {
      scalability: r.scaling,
      interference: {
        victim: r.interference.victim,
        attacker: r.interference.attacker,
        victimRate: r.interference.victimRate,
        lineRate: r.interference.lineRate,
        curves: r.interference.curves.map((c) => ({ arch: c.arch, points: c.points.map((p) => victimRow(r.interference, p)) })),
      },
      mixed: { msiVectors: r.mixed.msiVectors, rows: r.mixed.rows },
    },
    settings: r.settings,
  });
}

/** results.json: the summary plus every curve point. */
export function fullJson(r: ReproduceResult): unknown {
  return tidyDeep({ ...(summaryJson(r) as object), curves: { configs: r.configs.map((c) => ({ name: c.name, points: c.curve })), interference: r.interference.curves, mixed: r.mixed.curves } });
}
