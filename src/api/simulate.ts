/**
 * `simulate(options)`: run a scenario through the discrete-event simulator, as `vnicspec simulate --json` does, and
 * resolve with the same report; `compare: true` runs it under xen-idd and under vnic, as `--compare` does.
 */
import { basename, dirname, resolve } from 'node:path';
import type { z } from 'zod';
import {
  ARCHS,
  CORE_LAYOUTS,
  calibrationSchema,
  formatIssues,
  loadCalibration,
  loadScenario,
  parseScenario,
  scenarioSchema,
  type Arch,
  type Calibration,
  type CoreLayout,
  type Scenario,
} from '../../spec/scenario.js';
import type { StepperKind } from '../../spec/system.js';
import { runSimulation } from '../cli/run-simulation.js';
import { InputError } from './errors.js';
import type { SimulationReport } from '../cli/run-simulation.js';
import { intIn, knownKeys, oneOf, optional, positive } from './validate.js';

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
  readonly scenario: string | ScenarioFile;
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
  /** `compiled` (default, fast) or `xstate` (the reference interpreter: slower, same report). */
  readonly stepper?: StepperKind;
  /** Run under xen-idd and under vnic (same seed, cores and duration) and resolve with both reports. */
  readonly compare?: boolean;
  /** Called as the run advances, with the fraction of simulated time done (0–1) and the architecture running. */
  readonly onProgress?: (fraction: number, arch: Arch) => void;
}

/** `simulate({ ..., compare: true })`: the scenario under the paper's baseline, then under its design. */
export interface Comparison {
  readonly comparison: readonly [xenIdd: SimulationReport, vnic: SimulationReport];
}

/** --compare: the paper's baseline first, its design second. */
export const COMPARED = ['xen-idd', 'vnic'] as const satisfies readonly Arch[];

const OPTION_NAMES = ['scenario', 'calibration', 'arch', 'cores', 'seed', 'durationS', 'stepper', 'compare', 'onProgress'] as const;

/** Seconds of simulated time; the simulator counts nanoseconds in doubles, so at most ~104 days. */
const MAX_DURATION_S = Math.floor(Number.MAX_SAFE_INTEGER / 1e9);

/** A scenario and its calibration, loaded and validated; every problem an `InputError` naming file and field. */
export function loadScenarioAndCalibration(scenario: string | ScenarioFile, calibration?: string | CalibrationFile): { scenario: Scenario; calibration: Calibration } {
  let parsed: Scenario;
  let baseDir: string;
  if (typeof scenario === 'string') {
    const s = loadScenario(scenario);
    if (!s.ok) throw new InputError(s.error);
    parsed = s.value.scenario;
    baseDir = s.value.baseDir;
  } else {
    if (scenario === null || typeof scenario !== 'object' || Array.isArray(scenario)) throw new InputError('scenario: must be a name, a file path or a scenario object');
    const s = parseScenario(scenario, 'scenario');
    if (!s.ok) throw new InputError(s.error);
    parsed = s.value;
    baseDir = process.cwd();
  }
  return { scenario: parsed, calibration: calibrationOf(calibration, parsed, baseDir) };
}

function calibrationOf(given: string | CalibrationFile | undefined, scenario: Scenario, baseDir: string): Calibration {
  if (given !== undefined && typeof given === 'object' && given !== null && !Array.isArray(given)) {
    const r = calibrationSchema.safeParse(given);
    if (!r.success) throw new InputError(formatIssues(r.error, 'calibration'));
    return r.data;
  }
  if (given !== undefined && typeof given !== 'string') throw new InputError('calibration: must be a file path or a calibration object');
  // loadCalibration joins its file to a folder: an explicit path is split into the two.
  const path = given === undefined ? undefined : resolve(given);
  const c = path === undefined ? loadCalibration(scenario.calibration, baseDir) : loadCalibration(basename(path), dirname(path));
  if (!c.ok) throw new InputError(`calibration profile ${c.error}`);
  return c.value;
}

/** Run the scenario once per architecture asked for; throws `InputError` on bad options. */
export function runSimulations(o: SimulateOptions): SimulationReport[] {
  if (o === null || typeof o !== 'object') throw new InputError('simulate: options must be an object');
  knownKeys('simulate', o, OPTION_NAMES);
  if (o.scenario === undefined) throw new InputError('scenario: required (a built-in name, a file path or a scenario object)');
  const { scenario, calibration } = loadScenarioAndCalibration(o.scenario, o.calibration);
  const arch = optional(o.arch, (v) => oneOf('arch', v, ARCHS));
  const compare = o.compare === true;
  if (o.compare !== undefined && typeof o.compare !== 'boolean') throw new InputError(`compare: must be true or false`);
  if (compare && arch !== undefined) throw new InputError('arch: cannot be combined with compare (which runs xen-idd and vnic)');
  const common = {
    scenario,
    calibration,
    cores: optional(o.cores, (v) => oneOf('cores', v, CORE_LAYOUTS)) ?? scenario.cores,
    seed: optional(o.seed, (v) => intIn('seed', v, 0, Number.MAX_SAFE_INTEGER, 'must be a non-negative integer')) ?? scenario.seed,
    durationS: optional(o.durationS, (v) => positive('durationS', v, MAX_DURATION_S, ' of seconds')) ?? scenario.durationS,
    stepper: optional(o.stepper, (v) => oneOf<StepperKind>('stepper', v, ['compiled', 'xstate'])) ?? 'compiled',
  };
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') throw new InputError('onProgress: must be a function');
  const archs: readonly Arch[] = compare ? COMPARED : [arch ?? scenario.arch];
  return archs.map((a) => {
    const onProgress = o.onProgress;
    return runSimulation({ ...common, arch: a, ...(onProgress ? { onProgress: (f: number) => onProgress(f, a) } : {}) });
  });
}

/**
 * Simulate a scenario: a built-in one by name, a file, or a scenario object. Resolves with the report
 * `vnicspec simulate --json` prints (`outcome` says whether the runtime invariants held), or with both reports
 * under `compare: true`. Deterministic: the same scenario and seed give the same report.
 *
 * @throws {@link InputError} for an unknown scenario, a file or object that does not validate (the message names the
 *   field: `scenario: streams[0].rate: must be > 0`), or an option out of range.
 * @example
 * ```ts
 * import { simulate } from 'vnicspec';
 * const { comparison: [xen, vnic] } = await simulate({ scenario: 'httperf-2vm', durationS: 2, compare: true });
 * console.log(xen.vms[0]!.throughputPerS, vnic.vms[0]!.throughputPerS);
 * ```
 */
export async function simulate(options: SimulateOptions & { readonly compare: true }): Promise<Comparison>;
export async function simulate(options: SimulateOptions & { readonly compare?: false }): Promise<SimulationReport>;
export async function simulate(options: SimulateOptions): Promise<SimulationReport | Comparison>;
export async function simulate(options: SimulateOptions): Promise<SimulationReport | Comparison> {
  const reports = runSimulations(options);
  return options.compare === true ? { comparison: [reports[0]!, reports[1]!] } : reports[0]!;
}
