/**
 * `simulate(options)`: run a scenario through the discrete-event simulator, as `vnicspec simulate --json` does, and
 * resolve with the same report; `compare: true` runs it under xen-idd and under vnic, as `--compare` does. The
 * command line is a layer over `prepareSimulation` and `runPrepared` below: every check of its options is made here,
 * worded with the command line's flag names when it calls (`--warmup: …`) and with the option names otherwise
 * (`warmupS: …`).
 */
import type { z } from 'zod';
import { estimateWork, firstStartS } from '../../spec/work-estimate.js';
import {
  ARCHS,
  CORE_LAYOUTS,
  SIMULATED_SECONDS,
  calibrationSchema,
  scenarioSchema,
  withRequestRate,
  type Arch,
  type CoreLayout,
  type Scenario,
} from '../../spec/scenario.js';
import type { StepperKind } from '../../spec/system.js';
import { checkNumber } from '../util/number-grammar.js';
import { InputError } from './errors.js';
import { printable } from './safe-text.js';
import { loadScenarioAndCalibration, loadSystemScenario, requireDemands, type LoadedScenario } from './load.js';
import type { SystemInput } from '../../spec/system-file.js';
import { runSimulation, type SimulationOptions, type SimulationReport } from './run-simulation.js';
import { watchStop, type StopReason } from './stop.js';
import { bool, intIn, knownKeys, oneOf, optional } from './validate.js';

/** A scenario as written in a file (fields with defaults may be left out): see docs/formats/scenario.md. */
export type ScenarioFile = z.input<typeof scenarioSchema>;
/** A calibration profile as written in a file: see docs/formats/calibration.md. */
export type CalibrationFile = z.input<typeof calibrationSchema>;

/** What to simulate: a scenario, and what to override in it. */
export interface SimulateOptions {
  /**
   * A built-in scenario's name (see `scenarios()`), the path of a scenario file, or the scenario itself. A path in
   * its `calibration` field is relative to the file, or to the working directory for a scenario given as an object.
   */
  readonly scenario?: string | ScenarioFile;
  /**
   * Instead of a scenario: a system (docs/formats/system.md) — a built-in system's name, a system file's path, or the
   * system itself — run with its VMs, QoS and NIC in real units (its `units`) and the traffic its roles stand for, as
   * `vnicspec simulate --system` does. A scenario with `"system"` adds streams and timing to one.
   */
  readonly system?: string | SystemInput;
  /** A calibration profile instead of the scenario's: a file path, or the profile itself. */
  readonly calibration?: string | CalibrationFile;
  /** The architecture (default: the scenario's). Not with `compare`. */
  readonly arch?: Arch;
  /** The core layout (default: the scenario's). */
  readonly cores?: CoreLayout;
  /** The random seed, a non-negative integer (default: the scenario's). */
  readonly seed?: number;
  /** Simulated seconds (default: the scenario's `durationS`). */
  readonly durationS?: number;
  /** Simulated seconds not counted at the start (default: the scenario's `warmupS`, dropped if it does not fit a shorter run). */
  readonly warmupS?: number;
  /** Offer every open-loop request stream at this many requests per second instead of the scenario's rates. */
  readonly rate?: number;
  /** `compiled` (default, fast) or `xstate` (the reference interpreter: slower, same report). */
  readonly stepper?: StepperKind;
  /**
   * The progress watchdog, in simulated seconds (default 1; 0: off): a VM holding received packets with none
   * delivered or dropped for this long stops the run, outcome `violation`, message `progress: …`.
   */
  readonly watchdogS?: number;
  /** Run under xen-idd and under vnic (same seed, cores and duration) and resolve with both reports. */
  readonly compare?: boolean;
  /**
   * Stop after this many seconds of wall time with the report of what was simulated so far (`partial: 'timeout'`).
   * A run estimated at over a billion simulator events (hours) is refused unless a timeout is given.
   */
  readonly timeoutSeconds?: number;
  /** Aborting it stops the run with the report of what was simulated so far (`partial: 'interrupted'`). */
  readonly signal?: AbortSignal;
  /** Called as the run advances, with the fraction of simulated time done (0–1) and the architecture running. */
  readonly onProgress?: (fraction: number, arch: Arch) => void;
}

/** `simulate({ ..., compare: true })`: the scenario under the paper's baseline, then under its design. */
export interface Comparison {
  /** xen-idd's report, then vnic's; only the first when a stop ended the run before vnic's turn. */
  readonly comparison: readonly SimulationReport[];
  /** The architectures a stop left unsimulated, when there are any. */
  readonly notRun?: readonly Arch[];
}

/** --compare: the paper's baseline first, its design second. */
export const COMPARED = ['xen-idd', 'vnic'] as const satisfies readonly Arch[];

const OPTION_NAMES = ['scenario', 'system', 'calibration', 'arch', 'cores', 'seed', 'durationS', 'warmupS', 'rate', 'stepper', 'watchdogS', 'compare', 'timeoutSeconds', 'signal', 'onProgress'] as const;

/**
 * Runs estimated above this many simulator events (about an hour at the 200,000–400,000 events/s the simulator
 * does on one core of this 2-core machine) need an explicit timeout: they are likely a typo in a rate or a
 * duration, and with one they end with a partial report instead of running unattended for hours.
 */
export const EVENT_BUDGET = 1e9;
/** What the simulator does per second of wall time on the built-in scenarios here (200,000–400,000 measured). */
const TYPICAL_EVENTS_PER_S = 300_000;

/** How messages name the options and show the values given: the option names, or the command line's flags. */
export interface Naming {
  readonly arch: string;
  readonly compare: string;
  readonly durationS: string;
  readonly warmupS: string;
  readonly watchdogS: string;
  readonly rate: string;
  readonly timeoutSeconds: string;
  /** A value as given: `3` (an option), `'3'` (a flag's text). */
  got(value: number): string;
}

const OPTION_NAMING: Naming = {
  arch: 'arch',
  compare: 'compare',
  durationS: 'durationS',
  warmupS: 'warmupS',
  watchdogS: 'watchdogS',
  rate: 'rate',
  timeoutSeconds: 'timeoutSeconds',
  got: (v) => String(v),
};

/** A simulation ready to run: everything checked, defaults applied. */
export interface PreparedSimulation {
  readonly loaded: LoadedScenario;
  /** The scenario with `rate` applied. */
  readonly scenario: Scenario;
  /** The architectures to run, in order. */
  readonly archs: readonly Arch[];
  readonly compare: boolean;
  readonly timeoutSeconds: number | undefined;
  /** What every run shares. */
  readonly common: Omit<SimulationOptions, 'arch' | 'signal' | 'onProgress'>;
}

/** `3h05m`, `4m10s`, `12s`: a rough duration for messages. */
export function roughTime(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

const sci = (n: number): string => (n >= 1e6 ? n.toExponential(1).replace('e+', 'e') : String(Math.round(n)));

/** A number option in `bound`, with the number grammar's message. */
function inBound(field: string, v: unknown, bound: Parameters<typeof checkNumber>[1]): number {
  const why = typeof v === 'number' ? checkNumber(v, bound) : 'must be a number';
  if (why !== undefined) throw new InputError(`${field}: ${why} (got ${JSON.stringify(v) ?? String(v)})`);
  return v as number;
}

/** Refuse what would simulate nothing, or would take hours without a timeout; say how to proceed. */
function checkWork(p: Omit<PreparedSimulation, 'common'>, durationS: number, durationName: string, n: Naming): void {
  const first = firstStartS(p.scenario);
  if (first !== undefined && first >= durationS) {
    throw new InputError(`${durationName}: must be more than ${first} s, when the first stream starts: a shorter run simulates nothing (got ${durationName.startsWith('--') ? n.got(durationS) : durationS})`);
  }
  if (p.timeoutSeconds !== undefined) return;
  const works = p.archs.map((arch) => estimateWork(p.scenario, arch, p.loaded.calibration, durationS));
  const events = works.reduce((sum, w) => sum + w.events, 0);
  if (events <= EVENT_BUDGET) return;
  const top = works[0]!.streams[0]!;
  const st = p.scenario.streams[top.stream]!;
  const fits = Number(((durationS * EVENT_BUDGET) / events).toPrecision(2));
  throw new InputError(
    `this run would take about ${sci(events)} simulator events (streams[${top.stream}], ${st.kind} at ${sci(top.perSecond)} per second, about ${sci(top.events)}), ` +
      `some ${roughTime(events / TYPICAL_EVENTS_PER_S)} of wall time at the simulator's typical ${TYPICAL_EVENTS_PER_S.toLocaleString('en-US')} events/s: ` +
      `shorten ${durationName} to about ${fits} s, lower the rate, or pass ${n.timeoutSeconds} SECONDS ` +
      'to run it anyway and get a partial report when the time is up',
  );
}

/**
 * Check the options and load the scenario: every problem an `InputError` worded with `naming`. The command line
 * parses its flags first (their grammar and ranges) and passes the values with its flag names.
 */
export function prepareSimulation(o: SimulateOptions, naming: Naming = OPTION_NAMING): PreparedSimulation {
  if (o === null || typeof o !== 'object') throw new InputError('simulate: options must be an object');
  knownKeys('simulate', o, OPTION_NAMES);
  if (o.scenario !== undefined && o.system !== undefined) throw new InputError('scenario: cannot be combined with system (a scenario may name its system in its "system" field)');
  if (o.scenario === undefined && o.system === undefined) throw new InputError('scenario: required (a built-in name, a file path or a scenario object), or a system');
  const loaded = o.system !== undefined ? loadSystemScenario(o.system, o.calibration) : loadScenarioAndCalibration(o.scenario, o.calibration);
  const rate = optional(o.rate, (v) => inBound(naming.rate, v, { min: 1e-6, max: 1e9, unit: 'per second', why: 'gaps between arrivals from 1 ns, the clock tick, to 10^6 s' }));
  const scenario = rate === undefined ? loaded.scenario : withRequestRate(loaded.scenario, rate);
  const arch = optional(o.arch, (v) => oneOf(naming.arch, v, ARCHS));
  const compare = optional(o.compare, (v) => bool(naming.compare, v)) ?? false;
  if (compare && arch !== undefined) throw new InputError(`${naming.arch}: cannot be combined with ${naming.compare} (which runs xen-idd and vnic)`);
  const archs: readonly Arch[] = compare ? COMPARED : [arch ?? scenario.arch];
  const detached = scenario.vms.findIndex((v) => !v.attached);
  if (archs.includes('native') && detached >= 0) {
    const vm = `vms[${detached}] ('${printable(scenario.vms[detached]!.name)}')`;
    throw new InputError(`${naming.arch}: native has no VMM to leave ${vm} detached (attached: false); one OS serves every VM`);
  }
  requireDemands(loaded, archs);
  const timeoutSeconds = optional(o.timeoutSeconds, (v) => inBound(naming.timeoutSeconds, v, { min: 0.001, max: 365 * 86_400, unit: 'seconds' }));
  const durationS = optional(o.durationS, (v) => inBound(naming.durationS, v, SIMULATED_SECONDS)) ?? scenario.durationS;
  checkWork({ loaded, scenario, archs, compare, timeoutSeconds }, durationS, o.durationS !== undefined ? naming.durationS : 'durationS', naming);
  // A scenario's own warm-up shrinks to fit a shorter duration only if none was asked for.
  const warmupS =
    optional(o.warmupS, (v) => inBound(naming.warmupS, v, { ...SIMULATED_SECONDS, zero: true })) ?? (scenario.warmupS < durationS ? scenario.warmupS : 0);
  if (warmupS >= durationS) throw new InputError(`${naming.warmupS}: must be below the duration, ${durationS} s (got ${naming.got(warmupS)})`);
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') throw new InputError('onProgress: must be a function');
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw new InputError('signal: must be an AbortSignal');
  return {
    loaded,
    scenario,
    archs,
    compare,
    timeoutSeconds,
    common: {
      scenario,
      calibration: loaded.calibration,
      cores: optional(o.cores, (v) => oneOf('cores', v, CORE_LAYOUTS)) ?? scenario.cores,
      seed: optional(o.seed, (v) => intIn('seed', v, 0, Number.MAX_SAFE_INTEGER, 'must be an integer from 0 to 9007199254740991')) ?? scenario.seed,
      durationS,
      warmupS,
      stepper: optional(o.stepper, (v) => oneOf<StepperKind>('stepper', v, ['compiled', 'xstate'])) ?? 'compiled',
      ...(o.watchdogS !== undefined ? { watchdogS: inBound(naming.watchdogS, o.watchdogS, { ...SIMULATED_SECONDS, zero: true }) } : {}),
    },
  };
}

/** Per architecture, what a run reports as it goes. */
export type ProgressOf = (arch: Arch, index: number) => ((fraction: number, eventsSoFar: number) => void) | undefined;

/**
 * Run a prepared simulation, architecture by architecture, until a stop: `signal` (already merged with the
 * timeout: see `watchStop`) ends the current run with a partial report, and the architectures after it are not run.
 */
export function runPrepared(p: PreparedSimulation, signal: AbortSignal | undefined, progressOf?: ProgressOf): SimulationReport[] {
  const reports: SimulationReport[] = [];
  for (const [i, arch] of p.archs.entries()) {
    const onProgress = progressOf?.(arch, i);
    const r = runSimulation({ ...p.common, arch, ...(signal !== undefined ? { signal } : {}), ...(onProgress !== undefined ? { onProgress } : {}) });
    reports.push(r);
    if (r.partial !== undefined) break;
  }
  return reports;
}

/**
 * Simulate a scenario: a built-in one by name, a file, or a scenario object. Resolves with the report
 * `vnicspec simulate --json` prints (`outcome` says whether the runtime invariants held; `partial` whether a stop
 * cut the run short), or with both reports under `compare: true`. Deterministic: the same scenario and seed give
 * the same report.
 *
 * @throws {@link InputError} for an unknown scenario, a file or object that does not validate (the message names the
 *   field: `scenario: streams[0].rate: must be …`), a calibration profile that lacks a demand the architecture
 *   needs, or an option out of range.
 * @example
 * ```ts
 * import { simulate } from 'vnicspec';
 * const { comparison: [xen, vnic] } = await simulate({ scenario: 'httperf-2vm', durationS: 2, compare: true });
 * console.log(xen!.vms[0]!.throughputPerS, vnic!.vms[0]!.throughputPerS);
 * ```
 */
export async function simulate(options: SimulateOptions & { readonly compare: true }): Promise<Comparison>;
export async function simulate(options: SimulateOptions & { readonly compare?: false }): Promise<SimulationReport>;
export async function simulate(options: SimulateOptions): Promise<SimulationReport | Comparison>;
export async function simulate(options: SimulateOptions): Promise<SimulationReport | Comparison> {
  const p = prepareSimulation(options);
  const stop = watchStop(options.signal, p.timeoutSeconds);
  let reports: SimulationReport[];
  try {
    const onProgress = options.onProgress;
    reports = runPrepared(p, stop.signal, onProgress === undefined ? undefined : (arch) => (f) => onProgress(f, arch));
  } finally {
    stop.dispose();
  }
  if (!p.compare) return reports[0]!;
  const notRun = p.archs.slice(reports.length);
  return { comparison: reports, ...(notRun.length > 0 ? { notRun } : {}) };
}

export type { StopReason };
