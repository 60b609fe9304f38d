/**
 * A sweep's plan: which simulations it runs, in a fixed order. Points are arch × cores × rate (in that nesting);
 * each point runs once per seed. Run i is point ⌊i / seeds⌋ with seed i mod seeds; shard k of n takes the runs with
 * i mod n = k − 1, so every shard gets a mix of light and heavy points.
 */
import type { Arch, Calibration, CoreLayout, Scenario } from '../../../../spec/scenario.js';
import type { SimTask } from '../../sim-pool.js';

/** Which streams the swept rate sets: every open-loop stream (httperf's per-stream rate), or every flood. */
export const VARIED = ['open-loop', 'flood'] as const;
export type Varied = (typeof VARIED)[number];

export interface SweepSpec {
  /** The scenario as loaded (not its path: shards run elsewhere must agree on content, not on file names). */
  readonly scenario: Scenario;
  readonly calibration: Calibration;
  readonly archs: readonly Arch[];
  readonly cores: readonly CoreLayout[];
  readonly vary: Varied;
  readonly rates: readonly number[];
  readonly seeds: readonly number[];
  readonly durationS: number;
  /** Statistics cover [warmupS, durationS]. */
  readonly warmupS: number;
}

export interface Point {
  readonly arch: Arch;
  readonly cores: CoreLayout;
  readonly rate: number;
}

export interface PlannedRun extends Point {
  /** Index in the sweep's run order. */
  readonly run: number;
  readonly point: number;
  readonly seed: number;
}

export function pointsOf(s: SweepSpec): Point[] {
  const out: Point[] = [];
  for (const arch of s.archs) for (const cores of s.cores) for (const rate of s.rates) out.push({ arch, cores, rate });
  return out;
}

export function runsOf(s: SweepSpec): PlannedRun[] {
  const out: PlannedRun[] = [];
  pointsOf(s).forEach((p, point) => {
    s.seeds.forEach((seed, k) => out.push({ ...p, run: point * s.seeds.length + k, point, seed }));
  });
  return out;
}

export interface Shard {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

export const inShard = (run: number, shard: Shard): boolean => run % shard.count === shard.index - 1;

/**
 * The scenario with the varied streams at `rate` per second; rate 0 removes them (no attacker at all, the left
 * end of an interference sweep).
 */
export function withRate(scenario: Scenario, vary: Varied, rate: number): Scenario {
  const streams = scenario.streams.flatMap((st) => {
    if (st.kind !== vary) return [st];
    return rate === 0 ? [] : [{ ...st, rate }];
  });
  return { ...scenario, streams };
}

export function taskOf(s: SweepSpec, r: PlannedRun): SimTask {
  return {
    scenario: withRate(s.scenario, s.vary, r.rate),
    calibration: s.calibration,
    arch: r.arch,
    cores: r.cores,
    seed: r.seed,
    durationS: s.durationS,
    warmupS: s.warmupS,
  };
}

/** How many streams the rate applies to (a sweep that varies nothing is a mistake worth an error). */
export const variedCount = (scenario: Scenario, vary: Varied): number => scenario.streams.filter((st) => st.kind === vary).length;

/** The VMs that serve requests: targets of open- or closed-loop streams (a flooded VM only receives junk). */
export const serversOf = (scenario: Scenario): ReadonlySet<string> =>
  new Set(scenario.streams.flatMap((st) => (st.kind === 'flood' ? [] : [st.vm])));
