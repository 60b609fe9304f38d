/** What a stop (Ctrl-C, --timeout) left unfinished in a reproduce run: named in the partial report and its JSON. */
import { SCALING_ARCHS, type InterferenceResult, type MixedResult, type ScalingRow } from './beyond.js';
import { MIXED_ARCHS, interference, mixedRates, mixedScenario, scalingVms, type Effort } from './configs.js';
import type { ConfigResult } from './paper.js';

export interface Parts {
  readonly configs: readonly ConfigResult[];
  readonly scaling: readonly ScalingRow[];
  readonly interference: InterferenceResult;
  readonly mixed: MixedResult;
  /** Whether the comparison with the paper lacks a point the stop left unmeasured. */
  readonly comparisonShort: boolean;
}

/** The parts of the report that are not what a full run gives, by the name the report uses. */
export function unfinishedParts(p: Parts, e: Effort): string[] {
  const out = p.configs.filter((c) => !c.finished).map((c) => `configuration ${c.name}`);
  if (p.comparisonShort) out.push('comparison with the paper');
  if (p.scaling.length < SCALING_ARCHS.length * scalingVms(e).length) out.push('scalability');
  const floodRates = interference(e).rates.length;
  if (p.interference.curves.some((c) => c.points.length < floodRates)) out.push('interference');
  const mixedRuns = mixedRates(e).length;
  if (p.mixed.rows.length < MIXED_ARCHS.length * mixedScenario().vms.length || p.mixed.curves.some((c) => c.points.length < mixedRuns)) out.push('mixed architecture');
  return out;
}
