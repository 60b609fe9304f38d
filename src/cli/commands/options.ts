/**
 * Option parsers and scenario loading shared by the commands (simulate and check) and the simulator benchmark.
 *
 * Numbers: every number flag goes through one grammar, src/util/number-grammar.ts (decimal; an exponent only where
 * a real is meant; no hex, no `1_000`, no `Infinity`), and one message shape, `--flag: must be <range> (got 'x')`.
 * New flags use `numberFlag(flag, bound)`, `parseIntIn`, `parseDuration`, `parseTimeout`, `sizeFlag` (`--memory
 * 512M`), `rangeFlag` (`--rates 1000:2000:250`) or `listFlag` (`--sizes 1,3`), re-exported here with the grammar.
 */
import { Option } from 'commander';
import { ARCHS, CORE_LAYOUTS, SIMULATED_SECONDS, type Arch, type CoreLayout } from '../../../spec/scenario.js';
import { parseList, parseNumber, parseRange, parseSize, quote, type Bound, type Parsed, type SizeOptions } from '../../util/number-grammar.js';
import type { StepperKind } from '../../../spec/system.js';
import { UsageError } from './command.js';

export const STEPPERS = ['compiled', 'xstate'] as const satisfies readonly StepperKind[];

/** `--seed: must be an integer from 0 to 9007199254740991 (got 'x')` */
export function invalid(flag: string, must: string, got: string): UsageError {
  return new UsageError(`${flag}: ${must} (got ${quote(got)})`);
}

/** A grammar result as a flag's value, or a UsageError naming the flag. */
function orFail<T>(flag: string, r: Parsed<T>): T {
  if (!r.ok) throw new UsageError(`${flag}: ${r.message}`);
  return r.value;
}

/** Any number flag: the grammar of src/util/number-grammar.ts, then `bound` (range, unit and why, in the message). */
export const numberFlag =
  (flag: string, bound: Bound): ((value: string) => number) =>
  (value) =>
    orFail(flag, parseNumber(value, bound));

/** An integer in [lo, hi]; the same spellings and messages for every integer flag. */
export const parseIntIn = (flag: string, lo: number, hi: number): ((value: string) => number) => numberFlag(flag, { integer: true, min: lo, max: hi });

/** A byte count (`512M`, `1.5GiB`, `50%` when `percentOf` is given) in `options.bound`. */
export const sizeFlag =
  (flag: string, options: SizeOptions): ((value: string) => number) =>
  (value) =>
    orFail(flag, parseSize(value, options));

/** `FROM:TO:STEP`, each value in `bound`. */
export const rangeFlag =
  (flag: string, bound: Bound, maxPoints?: number): ((value: string) => number[]) =>
  (value) =>
    orFail(flag, parseRange(value, bound, maxPoints));

/** `1,3,8`, each value in `bound`. */
export const listFlag =
  (flag: string, bound: Bound, maxItems?: number): ((value: string) => number[]) =>
  (value) =>
    orFail(flag, parseList(value, bound, maxItems));

export const SEED_BOUND: Bound = { integer: true, min: 0, max: Number.MAX_SAFE_INTEGER };
export const parseSeed = (flag: string): ((value: string) => number) => numberFlag(flag, SEED_BOUND);

/** Simulated seconds: `--duration` and a scenario's `durationS` (see SIMULATED_SECONDS in spec/scenario.ts). */
export const parseDuration = (flag: string): ((value: string) => number) => numberFlag(flag, SIMULATED_SECONDS);

/** Wall-clock seconds of `--timeout`: a millisecond at least (the clock is read that often), a year at most. */
export const WALL_SECONDS: Bound = { min: 0.001, max: 365 * 86_400, unit: 'seconds' };
export const parseTimeout = (flag: string): ((value: string) => number) => numberFlag(flag, WALL_SECONDS);

/** `--timeout SECONDS` of wall time; what happens then is the command's `what`. */
export const timeoutOption = (what: string): Option => new Option('--timeout <seconds>', `stop after this many seconds of wall time: ${what}`).argParser(parseTimeout('--timeout'));

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
  new Option('--seed <n>', "random seed, an integer from 0 to 2^53-1; same seed, same results; default: the scenario's (1 if unset)").argParser(parseSeed('--seed'));

export const durationOption = (): Option =>
  new Option('--duration <seconds>', "simulated time in seconds (e.g. 0.5 or 1e4; from 1 ns to 104 days); default: the scenario's durationS (10 if unset)").argParser(
    parseDuration('--duration'),
  );

export const stepperOption = (): Option =>
  new Option('--stepper <kind>', 'how the state machines are executed: compiled (fast) or xstate (the reference interpreter, slower)')
    .default('compiled')
    .argParser(parseChoice('--stepper', STEPPERS));

// Loading a scenario and its calibration is the library's (src/api/load.ts); the commands and benches use it from here.
export { loadScenarioOrFail, requireDemands, type LoadedScenario } from '../../api/load.js';

/** A warm-up cut: 0, or simulated seconds like `--duration` (it must also be below the run's duration). */
export const WARMUP_SECONDS: Bound = { ...SIMULATED_SECONDS, zero: true };
export const parseWarmup = (flag: string): ((value: string) => number) => numberFlag(flag, WARMUP_SECONDS);

/** Requests per second of one stream: gaps between arrivals from 1 ns, the clock tick, to 10^6 s (as a scenario's `rate`). */
export const REQUEST_RATE: Bound = { min: 1e-6, max: 1e9, unit: 'per second', why: 'gaps between arrivals from 1 ns, the clock tick, to 10^6 s' };
export const parseRate = (flag: string): ((value: string) => number) => numberFlag(flag, REQUEST_RATE);

export const warmupOption = (): Option =>
  new Option(
    '--warmup <seconds>',
    "warm-up cut: simulate it but count nothing before it (throughput, loss, latency and utilisation cover [warmup, duration]); default: the scenario's warmupS (0 if unset)",
  ).argParser(parseWarmup('--warmup'));

/** The progress watchdog: 0 (off), or simulated seconds like `--duration`. */
export const WATCHDOG_SECONDS: Bound = { ...SIMULATED_SECONDS, zero: true };

export const watchdogOption = (): Option =>
  new Option(
    '--watchdog <seconds>',
    'progress watchdog: stop the run (exit 1, NO PROGRESS) when a VM holds received packets and none has been delivered or dropped for this much simulated time, e.g. a VM that is never woken again; 0 turns it off',
  )
    .default(1)
    .argParser(numberFlag('--watchdog', WATCHDOG_SECONDS));

export const rateOption = (): Option =>
  new Option('--rate <per-second>', 'offer every open-loop request stream (httperf) at this rate instead of the scenario\'s; floods and closed loops keep theirs').argParser(
    parseRate('--rate'),
  );

export const calibrationOption = (): Option =>
  new Option('--calibration <file>', "a calibration profile (JSON, see docs/calibration.md) instead of the scenario's or the built-in default");

export type { Arch, CoreLayout, StepperKind };
export { describeBound, checkNumber, parseNumber, type Bound, type SizeOptions } from '../../util/number-grammar.js';
