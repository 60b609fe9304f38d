/** Option parsers and scenario loading shared by the commands (simulate and check) and the simulator benchmark. */
import { Option } from 'commander';
import { ARCHS, CORE_LAYOUTS, loadCalibration, loadScenario, type Arch, type Calibration, type CoreLayout, type Scenario } from '../../../spec/scenario.js';
import type { StepperKind } from '../../../spec/system.js';
import { UsageError } from './command.js';

export const STEPPERS = ['compiled', 'xstate'] as const satisfies readonly StepperKind[];

const quote = (s: string): string => `'${s}'`;

/** `--seed: must be a non-negative integer (got 'x')` */
export function invalid(flag: string, must: string, got: string): UsageError {
  return new UsageError(`${flag}: ${must} (got ${quote(got)})`);
}

/**
 * An integer in [lo, hi]: digits only (underscores allowed as separators: 1_000_000), blanks around it ignored.
 * One parser for every integer flag, so they all accept the same spellings.
 */
export function parseIntIn(flag: string, lo: number, hi: number, must = `must be an integer from ${lo} to ${hi}`): (value: string) => number {
  return (value) => {
    const t = value.trim();
    const n = /^[0-9][0-9_]*$/.test(t) ? Number(t.replace(/_/g, '')) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < lo || n > hi) throw invalid(flag, must, value);
    return n;
  };
}

export const parseSeed = (flag: string): ((value: string) => number) => parseIntIn(flag, 0, Number.MAX_SAFE_INTEGER, 'must be a non-negative integer');

/** Seconds of simulated time; the simulator counts nanoseconds in doubles, so at most ~104 days. */
export const MAX_DURATION_S = Math.floor(Number.MAX_SAFE_INTEGER / 1e9);

export function parseDuration(flag: string): (value: string) => number {
  return (value) => {
    const n = value.trim() === '' ? Number.NaN : Number(value);
    if (!Number.isFinite(n) || n <= 0) throw invalid(flag, 'must be a positive number of seconds', value);
    if (n > MAX_DURATION_S) throw invalid(flag, `must be at most ${MAX_DURATION_S} seconds`, value);
    return n;
  };
}

export function parseChoice<T extends string>(flag: string, allowed: readonly T[]): (value: string) => T {
  return (value) => {
    const hit = allowed.find((a) => a === value);
    if (hit === undefined) throw invalid(flag, `must be one of ${allowed.join(', ')}`, value);
    return hit;
  };
}

export const archOption = (): Option =>
  new Option(
    '--arch <arch>',
    "architecture: vnic (a virtual NIC per VM, the paper's design), xen-idd (shared NIC behind a Xen driver domain), " +
      "native (one non-virtualized OS, reference), mixed (vNICs while MSI vectors last, the rest bridged); default: the scenario's",
  ).argParser(parseChoice('--arch', ARCHS));

export const coresOption = (): Option =>
  new Option(
    '--cores <layout>',
    "single (everything on cpu0) or multi (VMM and driver domain on cpu0, one core per VM, as in the paper's section 5); default: the scenario's",
  ).argParser(parseChoice('--cores', CORE_LAYOUTS));

export const seedOption = (): Option =>
  new Option('--seed <n>', "random seed, a non-negative integer; same seed, same results; default: the scenario's (1 if unset)").argParser(parseSeed('--seed'));

export const durationOption = (): Option =>
  new Option('--duration <seconds>', "simulated time in seconds, > 0 (e.g. 0.5); default: the scenario's durationS (10 if unset)").argParser(
    parseDuration('--duration'),
  );

export const stepperOption = (): Option =>
  new Option('--stepper <kind>', 'how the state machines are executed: compiled (fast) or xstate (the reference interpreter, slower)')
    .default('compiled')
    .argParser(parseChoice('--stepper', STEPPERS));

export interface LoadedScenario {
  readonly scenario: Scenario;
  readonly calibration: Calibration;
}

/** A built-in name or a JSON file; every problem becomes a UsageError (one line per problem). */
export function loadScenarioOrFail(nameOrFile: string): LoadedScenario {
  const s = loadScenario(nameOrFile);
  if (!s.ok) throw new UsageError(s.error);
  const c = loadCalibration(s.value.scenario.calibration, s.value.baseDir);
  if (!c.ok) throw new UsageError(`calibration profile ${c.error}`);
  return { scenario: s.value.scenario, calibration: c.value };
}

export type { Arch, CoreLayout, StepperKind };
