/** `scenarios()`: the built-in scenarios, summarised as `vnicspec scenarios --json` lists them. */
import { BUILT_IN_SCENARIOS, loadScenario, type Arch, type CoreLayout, type Scenario, type StreamSpec } from '../../spec/scenario.js';

/** One built-in scenario at a glance. */
export interface ScenarioSummary {
  /** The name to pass as `simulate({ scenario })` or `--scenario`. */
  name: string;
  /** What the scenario shows. */
  description: string;
  /** The architecture it runs under by default. */
  arch: Arch;
  /** The core layout it runs on by default. */
  cores: CoreLayout;
  /** Number of VMs. */
  vms: number;
  /** Its traffic, identical streams grouped: `2 x open-loop 1500 req/s`. */
  streams: string;
  /** Simulated seconds by default. */
  durationS: number;
  /** Simulated seconds not counted at the start (statistics cover [warmupS, durationS]). */
  warmupS: number;
  /** The random seed by default. */
  seed: number;
}

const describeStream = (s: StreamSpec): string => {
  const how = s.kind !== 'closed-loop' && s.arrivals === 'poisson' ? ' poisson' : '';
  switch (s.kind) {
    case 'open-loop':
      return `open-loop${how} ${s.rate} req/s`;
    case 'closed-loop':
      return s.thinkMs > 0 ? `closed-loop (think ${s.thinkMs} ms)` : 'closed-loop';
    case 'flood':
      return `flood${how} ${s.rate === undefined ? 'at line rate' : `${s.rate} pkt/s`}`;
  }
};

/** Identical streams grouped: '2 x open-loop 1500 req/s', '8 x closed-loop', '1 x flood at line rate'. */
export function streamSummary(streams: readonly StreamSpec[]): string {
  if (streams.length === 0) return 'none';
  const counts = new Map<string, number>();
  for (const s of streams) {
    const d = describeStream(s);
    counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  return [...counts].map(([d, n]) => `${n} x ${d}`).join(', ');
}

/** A scenario at a glance. */
export function summarise(s: Scenario): ScenarioSummary {
  return {
    name: s.name,
    description: s.description,
    arch: s.arch,
    cores: s.cores,
    vms: s.vms.length,
    streams: streamSummary(s.streams),
    durationS: s.durationS,
    warmupS: s.warmupS,
    seed: s.seed,
  };
}

/**
 * The built-in scenarios, in the order `vnicspec scenarios` lists them (its `--json` prints `{ "scenarios": [...] }`).
 * @example
 * ```ts
 * import { scenarios } from 'vnicspec';
 * for (const s of scenarios()) console.log(s.name, s.streams);
 * ```
 */
export function scenarios(): ScenarioSummary[] {
  return BUILT_IN_SCENARIOS.map((name) => {
    const s = loadScenario(name);
    // A built-in that does not load is a packaging bug, not bad input.
    if (!s.ok) throw new Error(`built-in scenario '${name}' does not load: ${s.error}`);
    return summarise(s.value.scenario);
  });
}
