/**
 * `mutants(options)`: runs `check` on every mutant of the catalogue (spec/mutants/) and on the specified system, and
 * reports the kill matrix — mutant → the property that killed it → configuration → trace length → time — as
 * `vnicspec mutants --json` prints it.
 *
 * A mutant is killed when a check of one of its kill runs ends 'violated' (a property fails) or 'error' (the
 * mutated machines do something the model refuses: a specification error). The runs are tried in the catalogue's
 * order (exhaustive on small systems first, random walks on larger ones) until one kills it. Each distinct run is
 * also made on the specified system, which must pass it ('holds' exhaustively, no violation found by the same
 * random walks): otherwise a "kill" would only say the check is too strict. The verdicts depend on nothing but the
 * catalogue and the seeds; only the timings vary between runs.
 */
import { defaultCheckConfig, systemOfShortcuts } from '../../spec/checked/config.js';
import type { CheckAction, CheckedState } from '../../spec/checked/model.js';
import { MUTANTS } from '../../spec/mutants/index.js';
import type { KillRun, KillSearch, Mutant } from '../../spec/mutants/mutant.js';
import type { Trace } from '../explore/index.js';
import { formatTextTrace } from '../trace/index.js';
import { randomSearchAsync } from '../explore/random/index.js';
import { prepareCheck, runPrepared, type CheckOptions } from './check.js';
import { counterexampleOf, deciding } from './check-phases.js';
import { checkFlags, type SystemVariant } from './check-setup.js';
import { printableTrace, type CheckTrace } from './trace-files.js';
import { InputError } from './errors.js';
import { printable } from './safe-text.js';
import { wallSeconds } from './round.js';

/** What to run: some mutants by name (default: every one). */
export interface MutantsOptions {
  /** Names of the mutants to run; default: the whole catalogue. Unknown names are an input error. */
  readonly only?: readonly string[];
  /** Aborting it stops after the current check; the report then says which were not run. */
  readonly signal?: AbortSignal;
  /** Called when a check starts: the mutant's name (or null for the specified system) and the run. */
  readonly onCheck?: (mutant: string | null, run: string) => void;
  /** The mutants to choose from (default: the catalogue, spec/mutants/); `only` names some of them. */
  readonly catalogue?: readonly Mutant[];
  /** Keep each killed mutant's counterexample as a text trace (`MutantOutcome.trace`). */
  readonly traces?: boolean;
}

/** How one mutant fared: the first of its kill runs that killed it, or the last one tried. */
export interface MutantOutcome {
  readonly name: string;
  readonly description: string;
  /** The machines it replaces parts of, with the guard and effect names replaced (`vnic: partitionFull`). */
  readonly replaces: readonly string[];
  readonly killed: boolean;
  /** The property that killed it (`specification-error` when the model refused a step), else null. */
  readonly property: string | null;
  /** The property the catalogue expects to kill it. */
  readonly expected: string;
  /** The run that killed it (or the last tried), as `vnicspec check`'s arguments: `--arch vnic --vms 2 … [--random …]`. */
  readonly config: string;
  /** Steps of the counterexample (the shrunk walk, for random runs); null when not killed. */
  readonly traceLength: number | null;
  /** Why the property failed, else null. */
  readonly message: string | null;
  /** Seconds spent on this mutant's checks (a timing). */
  readonly seconds: number;
  /** With `traces`: the counterexample as `vnicspec check` prints it (a lasso's cycle marked), when there is one. */
  readonly trace?: string;
}

/** The specified system on one of the runs the catalogue uses: it must pass. */
export interface ReferenceOutcome {
  readonly config: string;
  readonly passed: boolean;
  /** `holds` / `no-violation-found`, or what went wrong. */
  readonly verdict: string;
  readonly property: string | null;
  readonly message: string | null;
  /** Distinct states (exhaustive) or steps walked (random). */
  readonly explored: number;
  readonly seconds: number;
}

/** What `vnicspec mutants --json` prints: the kill matrix, the specified system on every check used, the verdict. */
export interface MutantsReport {
  readonly mutants: readonly MutantOutcome[];
  readonly reference: readonly ReferenceOutcome[];
  /** Every mutant killed and the specified system passed every run used. */
  readonly ok: boolean;
  /** Stopped by the signal before every check ran. */
  readonly interrupted: boolean;
}

/** The catalogue's mutants by name. */
export const MUTANT_NAMES: readonly string[] = MUTANTS.map((m) => m.name);

/** Property name reported when a mutant makes the model refuse a step (exhaustive check's verdict 'error'). */
export const SPECIFICATION_ERROR = 'specification-error';

/**
 * `--arch vnic --vms 2 --capacity 2 …` for a kill run: the arguments of the `vnicspec check` that makes the same
 * check of the specified system (exhaustive is check's default; random runs add their walks).
 */
export function describeRun(run: KillRun): string {
  const parts = checkFlags(defaultCheckConfig(run.config));
  if (run.properties !== undefined) parts.push(...run.properties.map((p) => `--property ${p}`));
  if (run.search.kind === 'random') parts.push(randomFlags(run.search));
  return parts.join(' ');
}

function randomFlags(s: Extract<KillSearch, { kind: 'random' }>): string {
  return `--random --seed ${s.seed} --traces ${s.traces} --depth ${s.depth}${s.swarm === true ? ' --swarm' : ''}`;
}

interface Verdict {
  /** 'violated' | 'error' kill; 'holds' | 'no-violation-found' pass; 'incomplete' neither. */
  readonly verdict: string;
  readonly property: string | null;
  readonly message: string | null;
  readonly traceLength: number | null;
  readonly explored: number;
  readonly seconds: number;
  readonly trace?: string;
}

const steps = (t: Trace<CheckedState, CheckAction> | undefined): number | null => (t === undefined ? null : t.actions.length);

/** The check a kill run makes, as `check()` takes it: exhaustive runs check liveness too, random walks cannot. */
function checkOptionsOf(run: KillRun, signal: AbortSignal | undefined): CheckOptions {
  return {
    system: systemOfShortcuts(run.config),
    ...(run.properties !== undefined ? { properties: run.properties } : {}),
    liveness: run.search.kind === 'exhaustive',
    ...(signal !== undefined ? { signal } : {}),
  };
}

/**
 * One check of `run` on the system whose components run `machines` (none: the specified system), as `vnicspec check`
 * makes it (the same preparation and run): exhaustive runs check the safety properties breadth-first, then — when
 * they hold — liveness on the whole graph; random runs walk with the safety properties (walks build no graph).
 */
async function checkRun(run: KillRun, machines: SystemVariant['machines'], signal: AbortSignal | undefined, withTrace = false): Promise<Verdict> {
  const started = performance.now();
  const seconds = () => wallSeconds((performance.now() - started) / 1000);
  const prepared = prepareCheck(checkOptionsOf(run, signal), undefined, { machines });
  const setup = prepared.setup;
  if (setup === undefined) {
    return { verdict: 'error', property: SPECIFICATION_ERROR, message: `while booting: ${prepared.bootError ?? ''}`, traceLength: 0, explored: 0, seconds: seconds() };
  }
  const of = (r: { verdict: string; property?: string; message?: string }, t: CheckTrace | undefined) => ({
    verdict: r.verdict,
    property: r.verdict === 'error' ? SPECIFICATION_ERROR : (r.property ?? null),
    message: r.message ?? null,
    traceLength: steps(t),
    ...(withTrace && t !== undefined ? { trace: formatTextTrace(printableTrace(setup, t, false)).trimEnd() } : {}),
  });
  if (run.search.kind === 'random') {
    const s = run.search;
    const stop = signal !== undefined ? { signal } : {};
    const r = await randomSearchAsync(setup.model, { properties: setup.properties, seed: s.seed, depth: s.depth, swarm: s.swarm === true, first: 0, end: s.traces, ...stop });
    return { ...of(r, r.trace), explored: r.steps, seconds: seconds() };
  }
  const { phases } = await runPrepared(prepared);
  const r = deciding(phases);
  return { ...of(r, counterexampleOf(phases)?.trace), explored: r.states, seconds: seconds() };
}

const kills = (v: Verdict): boolean => v.verdict === 'violated' || v.verdict === 'error';
const passes = (v: Verdict): boolean => v.verdict === 'holds' || v.verdict === 'no-violation-found';

/** The catalogue's mutants named in `only` (all of them when none is named); unknown names are an input error. */
export function chosenMutants(only: readonly string[] | undefined, catalogue: readonly Mutant[] = MUTANTS): readonly Mutant[] {
  if (only === undefined || only.length === 0) return catalogue;
  const names = catalogue.map((m) => m.name);
  const unknown = only.filter((n) => !names.includes(n));
  if (unknown.length > 0) throw new InputError(`unknown mutant${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `'${printable(n)}'`).join(', ')} (known: ${names.join(', ')})`);
  return catalogue.filter((m) => only.includes(m.name));
}

const replacesOf = (m: Mutant): string[] => m.replaces.map((r) => `${r.machine}: ${[...r.guards.map((g) => `${g} (guard)`), ...r.actions].join(', ')}`);

/** Runs the chosen mutants' checks and the specified system on every run they used. */
export async function mutants(options: MutantsOptions = {}): Promise<MutantsReport> {
  const chosen = chosenMutants(options.only, options.catalogue);
  const stopped = (): boolean => options.signal?.aborted === true;
  const outcomes: MutantOutcome[] = [];
  const used = new Map<string, KillRun>();
  let interrupted = false;
  for (const m of chosen) {
    if (stopped()) {
      interrupted = true;
      break;
    }
    let seconds = 0;
    let last: { run: KillRun; v: Verdict } | undefined;
    for (const run of m.kills) {
      const described = describeRun(run);
      used.set(described, run);
      options.onCheck?.(m.name, described);
      const v = await checkRun(run, m.machines, options.signal, options.traces === true);
      if (v.verdict === 'incomplete' && stopped()) {
        interrupted = true;
        break;
      }
      seconds += v.seconds;
      last = { run, v };
      if (kills(v)) break;
    }
    if (interrupted) break;
    const v = last!.v;
    const killed = kills(v);
    outcomes.push({
      name: m.name,
      description: m.description,
      replaces: replacesOf(m),
      killed,
      property: killed ? v.property : null,
      expected: last!.run.killer,
      config: describeRun(last!.run),
      traceLength: killed ? v.traceLength : null,
      message: v.message,
      seconds: wallSeconds(seconds),
      ...(killed && v.trace !== undefined ? { trace: v.trace } : {}),
    });
  }
  const reference: ReferenceOutcome[] = [];
  for (const [described, run] of used) {
    if (stopped()) {
      interrupted = true;
      break;
    }
    options.onCheck?.(null, described);
    const v = await checkRun(run, {}, options.signal);
    if (v.verdict === 'incomplete' && stopped()) {
      interrupted = true;
      break;
    }
    reference.push({ config: described, passed: passes(v), verdict: v.verdict, property: v.property, message: v.message, explored: v.explored, seconds: v.seconds });
  }
  const ok = !interrupted && outcomes.every((o) => o.killed) && reference.every((r) => r.passed);
  return { mutants: outcomes, reference, ok, interrupted };
}
