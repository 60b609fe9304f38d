/**
 * Loading what a simulation runs: a scenario (a built-in name, a file, or an object) and its calibration profile
 * (the scenario's, the built-in default, or one given instead), with every problem an `InputError` naming the file
 * and the field; and, before any run, the check that the profile prices every demand the architectures need.
 */
import {
  calibrationPath,
  loadCalibration,
  loadScenario,
  parseCalibration,
  parseScenario,
  type Arch,
  type Calibration,
  type Scenario,
} from '../../spec/scenario.js';
import { demandKeys, missingDemands } from '../../spec/system.js';
import { scenarioOfSystem } from '../../spec/system-scenario.js';
import { InputError } from './errors.js';
import { printable } from './safe-text.js';

export interface LoadedScenario {
  readonly scenario: Scenario;
  readonly calibration: Calibration;
  /** The calibration profile's file, for messages. */
  readonly calibrationFile: string;
}

/**
 * A built-in name or a JSON file; every problem becomes an InputError (one line per problem). `calibrationFile`
 * (relative to the working directory) replaces the scenario's own profile.
 */
export function loadScenarioOrFail(nameOrFile: string, calibrationFile?: string): LoadedScenario {
  const s = loadScenario(nameOrFile);
  if (!s.ok) throw new InputError(s.error);
  return withCalibration(s.value.scenario, s.value.baseDir, calibrationFile);
}

/**
 * A scenario given by name, file or object, and a calibration profile given by file or object (or the scenario's
 * own). A scenario object's `calibration` path is relative to the working directory; problems in an object are
 * reported under `scenario` and `calibration`.
 */
export function loadScenarioAndCalibration(scenario: unknown, calibration?: unknown): LoadedScenario {
  if (calibration !== undefined && typeof calibration !== 'string' && (calibration === null || typeof calibration !== 'object' || Array.isArray(calibration))) {
    throw new InputError('calibration: must be a file path or a calibration profile object');
  }
  if (typeof scenario === 'string') {
    if (typeof calibration === 'object') return { ...loadScenarioOrFail(scenario), ...profileObject(calibration) };
    return loadScenarioOrFail(scenario, calibration);
  }
  if (scenario === null || typeof scenario !== 'object' || Array.isArray(scenario)) throw new InputError('scenario: must be a name, a file path or a scenario object');
  const s = parseScenario(scenario, 'scenario');
  if (!s.ok) throw new InputError(s.error);
  if (typeof calibration === 'object') return { scenario: s.value, ...profileObject(calibration) };
  return withCalibration(s.value, process.cwd(), calibration);
}

/**
 * A system run alone (`simulate --system`): its VMs, QoS and NIC, the traffic its roles stand for; the built-in
 * calibration or the one given (a file relative to the working directory, or a profile object).
 */
export function loadSystemScenario(system: unknown, calibration?: unknown): LoadedScenario {
  if (typeof system !== 'string' && (system === null || typeof system !== 'object' || Array.isArray(system))) {
    throw new InputError("system: must be a built-in system's name, a system file's path or a system object");
  }
  if (calibration !== undefined && typeof calibration !== 'string' && (calibration === null || typeof calibration !== 'object' || Array.isArray(calibration))) {
    throw new InputError('calibration: must be a file path or a calibration profile object');
  }
  const s = scenarioOfSystem(system as string | Record<string, unknown>, typeof system === 'string' ? system : 'system');
  if (!s.ok) throw new InputError(s.error);
  if (typeof calibration === 'object') return { scenario: s.value, ...profileObject(calibration) };
  return withCalibration(s.value, process.cwd(), calibration);
}

function withCalibration(scenario: Scenario, baseDir: string, calibrationFile: string | undefined): LoadedScenario {
  const [file, dir] = calibrationFile === undefined ? [scenario.calibration, baseDir] : [calibrationFile, process.cwd()];
  const c = loadCalibration(file, dir);
  if (!c.ok) throw new InputError(`calibration profile ${c.error}`);
  return { scenario, calibration: c.value, calibrationFile: calibrationPath(file, dir) };
}

function profileObject(raw: object): { calibration: Calibration; calibrationFile: string } {
  const c = parseCalibration(raw, 'calibration');
  if (!c.ok) throw new InputError(c.error);
  return { calibration: c.value, calibrationFile: 'calibration' };
}

/** Edit distance, for "did you mean" hints. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next.push(Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    row = next;
  }
  return row[b.length]!;
}

/**
 * Before any run: the calibration profile prices every demand the architectures need, else a InputError naming the
 * file, the keys and the architecture (a missing key is the user's file, not a bug in the specification).
 */
export function requireDemands(loaded: Pick<LoadedScenario, 'calibration' | 'calibrationFile'>, archs: readonly Arch[]): void {
  for (const arch of archs) {
    const missing = missingDemands(loaded.calibration, arch);
    if (missing.length === 0) continue;
    const known = Object.keys(loaded.calibration.demandsNs).filter((k) => !demandKeys(arch).includes(k));
    const hints = missing.flatMap((m) => {
      const near = known.find((k) => distance(k, m) <= 2);
      return near === undefined ? [] : [`'${printable(near)}' for '${m}'?`];
    });
    throw new InputError(
      `calibration profile ${loaded.calibrationFile}: demandsNs: has no ${missing.map((m) => `'${m}'`).join(', ')}, which the ${arch} architecture needs ` +
        `(CPU ns per packet; spec/calibration/default.json prices them all)${hints.length > 0 ? `; a typo, ${hints.join(', ')}` : ''}`,
    );
  }
}
