/**
 * `vnicspec`: the command line's commands as functions. Each resolves with the very report the command prints
 * with `--json`, as a typed value; none prints or exits. Bad input throws an {@link InputError} whose message is
 * what the command line prints (`scenario: streams[0].rate: must be > 0`); a property that does not hold is a
 * verdict in the report, not an exception.
 *
 * - {@link check}: model-check a small configuration exhaustively (built-in properties or your own);
 * - {@link simulate}: run a scenario through the simulator (`compare: true`: xen-idd against vnic);
 * - {@link replay}: re-execute a counterexample saved as ITF;
 * - {@link scenarios}: the built-in scenarios;
 * - {@link mutants}: check every planted wrong variant of the design (spec/mutants/) and the specified system.
 *
 * The explorer on its own is `vnicspec/explore`; the machines `vnicspec/spec`; the properties `vnicspec/properties`.
 *
 * @example
 * ```ts
 * import { check, simulate } from 'vnicspec';
 * const proof = await check({ arch: 'vnic' });             // verdict 'holds', 5,127 states
 * const run = await simulate({ scenario: 'flood', durationS: 1 });
 * console.log(proof.verdict, run.vms.map((v) => v.throughputPerS));
 * ```
 * @packageDocumentation
 */
export { check, type CheckOptions, type CheckReport, type CheckTraceStep } from './check.js';
export { simulate, type CalibrationFile, type Comparison, type ScenarioFile, type SimulateOptions } from './simulate.js';
export type { CpuReportOut as CpuReport, SimulationReport, SteadyStateWarning, VmReport } from './run-simulation.js';
export { replay, type ReplayOptions, type ReplayReport, type ReplayViolation } from './replay.js';
export { scenarios, type ScenarioSummary } from './scenarios.js';
export { mutants, type MutantOutcome, type MutantsOptions, type MutantsReport, type ReferenceOutcome } from './mutants.js';
export { InputError, VnicspecError } from './errors.js';
