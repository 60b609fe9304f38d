/**
 * The paper's configurations: each one's curve (throughput and core utilisation against the offered rate per
 * stream, Figures 1, 2, 5, 6) and its maximum per-stream throughput without loss (the refined sweep of search.ts
 * over the curve's grid).
 */
import type { Arch, CoreLayout } from '../../../../spec/scenario.js';
import type { Summary } from '../../../report/stats.js';
import type { Effort, PaperConfig } from './configs.js';
import { perStream, probed, type Lab, type Point, type Setting } from './lab.js';
import { maxLossless } from './search.js';

export interface CpuAtMax {
  readonly id: string;
  readonly runs: readonly string[];
  readonly utilisation: number;
  /** Each of `runs`' share (VMM and driver domain on cpu0). */
  readonly byRun: Readonly<Record<string, number>>;
}

export interface ConfigResult {
  readonly name: PaperConfig['name'];
  readonly title: string;
  readonly figures: readonly string[];
  /** The built-in scenario it runs. */
  readonly scenario: string;
  readonly arch: Arch;
  readonly cores: CoreLayout;
  readonly streams: number;
  /** False when a stop (Ctrl-C, --timeout) came before the maximum was found: the maxima are null, the curve partial. */
  readonly finished: boolean;
  /** The highest offered rate per stream at which every stream lost ≤ 1%, req/s. */
  readonly maxOfferedRatePerStream: number | null;
  /** Mean throughput per stream measured at that rate, req/s. */
  readonly maxThroughputPerStream: number | null;
  /** The lowest rate per stream found lossy: the true maximum lies below it. */
  readonly lossyRatePerStream: number | null;
  /** Runs beyond the chart's grid that located the maximum. */
  readonly searchProbes: number;
  readonly cpuAtMax: readonly CpuAtMax[];
  /** The chart's points: the grid and the refinement's probes, by rate. */
  readonly curve: readonly Point[];
}

const meanOr0 = (s: Summary): number => s.mean ?? 0;

export function cpuAt(p: Point): CpuAtMax[] {
  return p.cpus.map((c) => ({
    id: c.id,
    runs: c.runs,
    utilisation: meanOr0(c.utilisation),
    byRun: Object.fromEntries(Object.entries(c.byRun).map(([k, s]) => [k, meanOr0(s)])),
  }));
}

const settings = new WeakMap<PaperConfig, Setting>();

/** The one Setting of a configuration (the Lab remembers points per Setting: asking again costs nothing). */
export function settingFor(c: PaperConfig, e: Effort): Setting {
  let s = settings.get(c);
  if (s === undefined) settings.set(c, (s = { scenario: c.scenario, arch: c.arch, cores: c.cores, length: e.paper, vary: 'open-loop' }));
  return s;
}

export async function runPaperConfig(lab: Lab, c: PaperConfig, e: Effort): Promise<ConfigResult> {
  const setting = settingFor(c, e);
  const grid = await lab.grid(setting, c.rates, 'grid-before-search');
  const refined: Point[] = [];
  const found =
    grid.length < c.rates.length
      ? undefined
      : await lab.unlessStopped(
          maxLossless({
            grid: grid.map((p) => probed(p)),
            probe: async (r) => {
              const p = await lab.point(setting, r, 'probe');
              refined.push(p);
              return probed(p);
            },
          }),
        );
  // The refinement's points join the chart: they draw the knee.
  const curve = [...grid, ...refined].sort((a, b) => a.rate - b.rate);
  const best = found?.best?.value;
  return {
    name: c.name,
    title: c.title,
    figures: c.figures,
    scenario: c.scenario.name,
    arch: c.arch,
    cores: c.cores,
    streams: c.scenario.streams.filter((s) => s.kind === 'open-loop').length,
    finished: found !== undefined,
    maxOfferedRatePerStream: found?.best?.rate ?? null,
    maxThroughputPerStream: best ? perStream(best) : null,
    lossyRatePerStream: found?.lossyRate ?? null,
    searchProbes: found?.probes ?? refined.length,
    cpuAtMax: best ? cpuAt(best) : [],
    curve,
  };
}
