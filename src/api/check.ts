/**
 * `check(options)`: exhaustive model checking of a small configuration, as `vnicspec check --json` does it, returning
 * the same report as a typed value. Properties are the built-in ones by name, or properties of your own.
 */
import type { ArbiterKind } from '../../spec/dma-arbiter.js';
import { checkConfigOf, systemOfShortcuts, type CheckArch, type CheckConfig, type DriverKind, type Role } from '../../spec/checked/config.js';
import { loadSystem, parseSystem, type SystemFile, type SystemInput } from '../../spec/system-file.js';
import type { CheckAction, CheckedState } from '../../spec/checked/model.js';
import { PROPERTIES, type CheckedProperty } from '../../properties/checked.js';
import { ModelError, searchAsync, type IncompleteReason, type LivenessProgress, type Progress, type SearchResult, type Strategy, type Verdict } from '../explore/index.js';
import { CHECK_ARCHS, DMA_ARBITERS, LIMITS, LIVENESS_NAMES, MAX_WORKERS, PROPERTY_NAMES, STRATEGIES, bootFailureMessage, canSymmetry, setUpCheck, type CheckedSetup, type SystemVariant } from './check-setup.js';
import { phaseFields, runLiveness, type CheckPhases, type LivenessJson } from './check-phases.js';
import { InputError } from './errors.js';
import { wallSeconds } from './round.js';
import { bool, intIn, knownKeys, listOf, oneOf, optional, positive } from './validate.js';

/**
 * What to check and how: the system, the properties, and the search. The system is a system file's object or path
 * (`system`, docs/formats/system.md: the same object `vnicspec check --system` reads and a report's `system` gives
 * back), or the command line's shortcuts (`arch`, `vms`, `capacity`, …), which build that object.
 */
export interface CheckOptions {
  /**
   * The system to check: a system file's path, a built-in system's name (`paper-2vm`, `adversarial`, `churn`), or
   * the system itself. Not combined with the shortcuts below.
   */
  readonly system?: string | SystemInput;
  /** `vnic` (default), `xen-idd` or `mixed`. */
  readonly arch?: CheckArch;
  /** Number of VMs, 1–4 (default 2). By default the last VM floods and the others conform. */
  readonly vms?: number;
  /** Packet slots per vNIC partition (xen-idd: per VM in the shared buffer), 1–8 (default 2). */
  readonly capacity?: number;
  /** DMA arbitration: `strict`, `wrr` or `drr` (default). */
  readonly dma?: ArbiterKind;
  /** Token-bucket depth in packets, 1–8 (default 1); the rate is one packet per tick. */
  readonly burst?: number;
  /** Receive descriptors per VM ring, 1–8 (default 2). */
  readonly rxRing?: number;
  /** Transmit descriptors per VM ring, 1–8 (default 1). */
  readonly txRing?: number;
  /** Each VM's traffic, one entry per VM (default: the last floods, the others conform). */
  readonly roles?: readonly Role[];
  /** Strict-priority DMA priorities, one per VM (default: flooding VMs 1, conforming 0). */
  readonly priorities?: readonly number[];
  /** wrr/drr weights, one per VM (default 1 each). */
  readonly weights?: readonly number[];
  /** Let the environment detach, re-attach and resize vNICs at any time (default false). */
  readonly churn?: boolean;
  /** Whether packets to a MAC no VM owns are offered (default true). */
  readonly unknownTraffic?: boolean;
  /** Packet sizes in play, in bytes (default [1]: bytes count packets). */
  readonly sizes?: readonly number[];
  /** Each VM's driver, one entry per VM (default: all honest). */
  readonly drivers?: readonly DriverKind[];
  /**
   * The properties to check: names of built-in ones (see `PROPERTY_NAMES` in `vnicspec/properties`) and properties
   * of your own (`CheckedProperty`); default: every built-in one. With `symmetry`, your properties must give the
   * same verdict on states that differ only by renaming interchangeable VMs.
   */
  readonly properties?: readonly (string | CheckedProperty)[];
  /**
   * Whether to check liveness (`eventual-delivery`) when the safety properties hold: a second exploration of the
   * full graph under weak fairness, as `vnicspec check` does (default true; false: `--no-liveness`).
   */
  readonly liveness?: boolean;
  /** `bfs` (default: shortest counterexamples) or `dfs` (less memory). */
  readonly strategy?: Strategy;
  /** Stop after this many distinct states (verdict `incomplete`). */
  readonly maxStates?: number;
  /** Do not expand states deeper than this (verdict `incomplete` if that cut anything off). */
  readonly maxDepth?: number;
  /** Stop after this much wall time (verdict `incomplete`). */
  readonly timeoutSeconds?: number;
  /**
   * Stop before the process's resident memory exceeds this many bytes (verdict `incomplete`, reason `memory`).
   * Whatever the budget, the search also stops before the JavaScript heap runs out.
   */
  readonly memoryLimitBytes?: number;
  /** Aborting it stops the search (verdict `incomplete`, reason `interrupted`); the command line aborts on Ctrl-C. */
  readonly signal?: AbortSignal;
  /**
   * Threads for a breadth-first search (default 1; the command line's default is one per core). Any number gives
   * the same states, transitions, verdict and trace.
   */
  readonly workers?: number;
  /** Symmetry reduction, when the configuration allows it (`search.symmetry` in the report says whether it was used). */
  readonly symmetry?: boolean;
  /**
   * Keep a 64-bit fingerprint of each state instead of the state (TLC's default): the report's
   * `fingerprintCollision` is the probability that a collision hid states. Not with `symmetry`.
   */
  readonly fingerprint?: boolean;
  /** Called about once a second (`progressEveryMs`) during the search. */
  readonly onProgress?: (p: Progress) => void;
  /** How often `onProgress` is called, in milliseconds (default 1000). */
  readonly progressEveryMs?: number;
}

/** One state of a counterexample in a report: the action that led to it and every state variable after it. */
export interface CheckTraceStep {
  /** 0 for the initial state. */
  readonly step: number;
  /** The action's label (`init` for step 0), as in text traces. */
  readonly action: string;
  readonly vars: unknown;
}

/** What `vnicspec check --json` prints and `check()` returns. Timings are the only values that vary between runs. */
export interface CheckReport {
  /** `holds` only after a complete search; `incomplete`: a bound stopped it and nothing was proven. */
  readonly verdict: Verdict;
  /** The violated property, else null. */
  readonly property: string | null;
  /** Why it is violated, or the specification error; else null. */
  readonly message: string | null;
  /** The bound that stopped an incomplete search, else null. */
  readonly incompleteReason: IncompleteReason | null;
  /** Distinct states stored. */
  readonly states: number;
  /** Successors computed, including those already visited. */
  readonly transitions: number;
  /** Deepest state found. */
  readonly depth: number;
  /** States left unexplored on the frontier (0 after a complete search). */
  readonly queue: number;
  /** Threads that expanded states (1: the calling thread alone). */
  readonly workers: number;
  /** With `fingerprint`: TLC's optimistic estimate of the probability that a fingerprint collision hid states; else null. */
  readonly fingerprintCollision: number | null;
  /** Wall time of the search, to the millisecond (a timing: varies between runs). */
  readonly seconds: number;
  /** States per second (a timing). */
  readonly statesPerSecond: number;
  /** Distinct machine states interned (collapse compression). */
  readonly internedContexts: number;
  /** (machine state, event) steps computed and memoized. */
  readonly memoizedSteps: number;
  /** The process's resident memory after the search (a measurement: varies between runs). */
  readonly rssBytes: number;
  /** The complete configuration checked, in the flat form the checked model reads. */
  readonly config: CheckConfig;
  /** The system checked, as a system file would state it: save it and check it again (`--system`, `check({ system })`). */
  readonly system: SystemFile;
  /** The properties checked, built-in ones in their usual order, then your own. */
  readonly properties: readonly string[];
  /** Chosen properties that say nothing about this configuration, hence not checked. */
  readonly notApplicable: readonly string[];
  /** How the search was run. */
  readonly search: {
    readonly strategy: Strategy;
    readonly maxStates: number | null;
    readonly maxDepth: number | null;
    readonly timeoutSeconds: number | null;
    readonly memoryLimitBytes: number | null;
    /** Whether symmetry reduction was actually used. */
    readonly symmetry: boolean;
    readonly fingerprint: boolean;
  };
  /** Per `sometimes` property: steps to its first witness, or null when none was found. */
  readonly witnessed: Readonly<Record<string, number | null>>;
  /** For a specification error raised by a step: that step's action, else null. */
  readonly errorAction: string | null;
  /** The liveness phase: its verdict and figures, why it did not run, or null when no liveness property was chosen. */
  readonly liveness: LivenessJson | null;
  /** The counterexample (or the path to a specification error, or a liveness lasso), shortest under bfs; else null. */
  readonly trace: readonly CheckTraceStep[] | null;
  /** For a lasso: the index of the state in `trace` where its cycle starts (the last state is that state again); else null. */
  readonly loop: number | null;
}

/** The search's own result and the model it ran on, for the command line's text output and trace files. */
export interface CheckRun {
  readonly report: CheckReport;
  /** Undefined when the configuration could not even boot (verdict `error`). */
  readonly setup: CheckedSetup | undefined;
  /** The safety search's result; undefined when only liveness was checked (or the configuration did not boot). */
  readonly result: SearchResult<CheckedState, CheckAction> | undefined;
  /** Both phases' results (empty when the configuration did not boot). */
  readonly phases: CheckPhases;
}

/**
 * A check ready to run: every option checked, the model built. The command line prepares one (with its flags'
 * names in messages), prints its header, then runs it with its progress printers.
 */
export interface PreparedCheck {
  readonly system: SystemFile;
  readonly config: CheckConfig;
  readonly settings: SearchSettings;
  /** The model and properties; undefined when the configuration could not boot (`bootError` says why). */
  readonly setup: CheckedSetup | undefined;
  /** The `ModelError`'s message (`bootFailureMessage` words it for a report). */
  readonly bootError: string | undefined;
  /** The names chosen (for the report of a configuration that did not boot). */
  readonly chosen: readonly string[];
  /** Whether symmetry reduction is used (asked for, and the configuration allows it). */
  readonly symmetry: boolean;
  readonly signal: AbortSignal | undefined;
  readonly onProgress: ((p: Progress) => void) | undefined;
  readonly progressEveryMs: number | undefined;
}

/** How messages name the options: the library's field names, or the command line's flags. */
export interface CheckNaming {
  readonly properties: string;
  /** The whole message when fingerprints and symmetry reduction are both asked for. */
  readonly fingerprintAndSymmetry: string;
}

const OPTION_NAMING: CheckNaming = {
  properties: 'properties',
  fingerprintAndSymmetry: 'fingerprint: not with symmetry (fingerprints are kept of packed states, symmetry reduction works on objects)',
};

/** What only the command line watches: the liveness phase's progress, and the moment it starts. */
export interface CheckHooks {
  readonly onLivenessProgress?: (p: LivenessProgress) => void;
  readonly beforeLiveness?: () => void;
}

/** The shortcuts that describe the system (not combined with `system`). */
const SHORTCUTS = ['arch', 'vms', 'capacity', 'dma', 'burst', 'rxRing', 'txRing', 'roles', 'priorities', 'weights', 'churn', 'unknownTraffic', 'sizes', 'drivers'] as const;

const OPTION_NAMES = [
  'system', ...SHORTCUTS,
  'properties', 'liveness', 'strategy', 'maxStates', 'maxDepth', 'timeoutSeconds', 'memoryLimitBytes', 'signal', 'workers', 'symmetry', 'fingerprint', 'onProgress', 'progressEveryMs',
] as const;

const positiveInt = (field: string) => (v: unknown) => intIn(field, v, 1, Number.MAX_SAFE_INTEGER, 'must be a positive integer');

/** The system the options describe: `system` (loaded and validated), or the shortcuts built into one. */
export function systemOf(o: CheckOptions): SystemFile {
  if (o.system === undefined) return systemOfShortcuts(shortcutsOf(o));
  const given = SHORTCUTS.filter((k) => o[k] !== undefined);
  if (given.length > 0) throw new InputError(`system: cannot be combined with ${given.join(', ')} (the system states them; change the system instead)`);
  const r = typeof o.system === 'string' ? loadSystem(o.system) : o.system !== null && typeof o.system === 'object' ? parseSystem(o.system, 'system') : undefined;
  if (r === undefined) throw new InputError(`system: must be a system file's path, a built-in system's name or a system (got ${JSON.stringify(o.system)})`);
  if (!r.ok) throw new InputError(r.error);
  return r.value;
}

/** The shortcut options, every field checked; unset fields take the command line's defaults. */
function shortcutsOf(o: CheckOptions): Parameters<typeof systemOfShortcuts>[0] {
  const vms = optional(o.vms, (v) => intIn('vms', v, ...LIMITS.vms)) ?? 2;
  const perVm = <T>(field: 'roles' | 'priorities' | 'weights' | 'drivers', each: (f: string, x: unknown) => T): T[] | undefined =>
    optional(o[field], (v) => listOf(field, v, vms, each));
  const partial = {
    vms,
    ...defined('arch', optional(o.arch, (v) => oneOf('arch', v, CHECK_ARCHS))),
    ...defined('capacity', optional(o.capacity, (v) => intIn('capacity', v, ...LIMITS.capacity))),
    ...defined('dma', optional(o.dma, (v) => oneOf('dma', v, DMA_ARBITERS))),
    ...defined('burst', optional(o.burst, (v) => intIn('burst', v, ...LIMITS.burst))),
    ...defined('rxRing', optional(o.rxRing, (v) => intIn('rxRing', v, ...LIMITS.rxRing))),
    ...defined('txRing', optional(o.txRing, (v) => intIn('txRing', v, 1, 8))),
    ...defined('roles', perVm('roles', (f, x) => oneOf<Role>(f, x, ['conforming', 'flooding', 'idle', 'adversary']))),
    ...defined('priorities', perVm('priorities', (f, x) => intIn(f, x, 0, 1000))),
    ...defined('weights', perVm('weights', (f, x) => intIn(f, x, 1, 1000))),
    ...defined('churn', optional(o.churn, (v) => bool('churn', v))),
    ...defined('unknownTraffic', optional(o.unknownTraffic, (v) => bool('unknownTraffic', v))),
    ...defined('sizes', optional(o.sizes, (v) => sizesOf(v))),
    ...defined('drivers', perVm('drivers', (f, x) => oneOf<DriverKind>(f, x, ['honest', 'hostile']))),
  };
  return partial;
}

/** 1 to 4 distinct packet sizes, each 1–64 bytes. */
function sizesOf(v: unknown): number[] {
  if (!Array.isArray(v) || v.length < 1 || v.length > 4) throw new InputError(`sizes: must be a list of 1 to 4 packet sizes (got ${JSON.stringify(v)})`);
  const sizes = v.map((x, i) => intIn(`sizes[${i}]`, x, 1, 64));
  if (new Set(sizes).size !== sizes.length) throw new InputError(`sizes: must not list a size twice (got ${JSON.stringify(v)})`);
  return sizes;
}

/** The configuration the options describe: `checkConfigOf(systemOf(o))`. */
export function checkConfigOfOptions(o: CheckOptions): CheckConfig {
  return checkConfigOf(systemOf(o));
}

function defined<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** Built-in names and your own properties, checked: known names, no name twice, a property's shape. */
export function chosenProperties(list: readonly (string | CheckedProperty)[] | undefined): CheckedProperty[] {
  if (list === undefined || list.length === 0) return [...PROPERTIES];
  if (!Array.isArray(list)) throw new InputError(`properties: must be a list of property names or properties`);
  const own: CheckedProperty[] = [];
  const names = new Set<string>();
  list.forEach((p, i) => {
    const field = `properties[${i}]`;
    if (typeof p === 'string') {
      if (!PROPERTY_NAMES.includes(p)) throw new InputError(`${field}: unknown property '${p}' (known: ${PROPERTY_NAMES.join(', ')})`);
      if (!LIVENESS_NAMES.includes(p)) names.add(p); // liveness names: see chosenLiveness
      return;
    }
    if (p === null || typeof p !== 'object') throw new InputError(`${field}: must be a property name or a property`);
    if (typeof p.name !== 'string' || p.name.trim() === '') throw new InputError(`${field}.name: must be a non-empty string`);
    if (PROPERTY_NAMES.includes(p.name)) throw new InputError(`${field}.name: '${p.name}' is a built-in property; give yours another name`);
    if (own.some((q) => q.name === p.name)) throw new InputError(`${field}.name: '${p.name}' is given twice`);
    oneOf(`${field}.kind`, p.kind, ['always', 'sometimes']);
    if (typeof p.state !== 'function') throw new InputError(`${field}.state: must be a function (sys) => (state) => string | undefined`);
    own.push(p);
  });
  return [...PROPERTIES.filter((p) => names.has(p.name)), ...own];
}

/** The liveness properties chosen: every one by default, those named in `properties` otherwise; none with `liveness: false`. */
export function chosenLiveness(list: readonly (string | CheckedProperty)[] | undefined, liveness: boolean | undefined): string[] {
  if (optional(liveness, (v) => bool('liveness', v)) === false) {
    const named = (list ?? []).find((p) => typeof p === 'string' && LIVENESS_NAMES.includes(p));
    if (named !== undefined) throw new InputError(`liveness: false contradicts properties naming '${String(named)}', a liveness property`);
    return [];
  }
  if (list === undefined || list.length === 0) return [...LIVENESS_NAMES];
  return LIVENESS_NAMES.filter((n) => list.includes(n));
}

/** The search options, checked. */
export interface SearchSettings {
  readonly strategy: Strategy;
  readonly maxStates?: number;
  readonly maxDepth?: number;
  readonly timeoutSeconds?: number;
  readonly memoryLimitBytes?: number;
  readonly workers: number;
  readonly symmetry: boolean;
  readonly fingerprint: boolean;
}

function searchSettings(o: CheckOptions): SearchSettings {
  return {
    strategy: optional(o.strategy, (v) => oneOf('strategy', v, STRATEGIES)) ?? 'bfs',
    ...defined('maxStates', optional(o.maxStates, positiveInt('maxStates'))),
    ...defined('maxDepth', optional(o.maxDepth, positiveInt('maxDepth'))),
    ...defined('timeoutSeconds', optional(o.timeoutSeconds, (v) => positive('timeoutSeconds', v, Number.MAX_SAFE_INTEGER / 1000, ' of seconds'))),
    ...defined('memoryLimitBytes', optional(o.memoryLimitBytes, (v) => intIn('memoryLimitBytes', v, 2 ** 20, Number.MAX_SAFE_INTEGER, 'must be an integer number of bytes, at least 1 MiB'))),
    workers: optional(o.workers, (v) => intIn('workers', v, 1, MAX_WORKERS)) ?? 1,
    symmetry: optional(o.symmetry, (v) => bool('symmetry', v)) ?? false,
    fingerprint: optional(o.fingerprint, (v) => bool('fingerprint', v)) ?? false,
  };
}

const searchJson = (s: SearchSettings, symmetry: boolean): CheckReport['search'] => ({
  strategy: s.strategy,
  maxStates: s.maxStates ?? null,
  maxDepth: s.maxDepth ?? null,
  timeoutSeconds: s.timeoutSeconds ?? null,
  memoryLimitBytes: s.memoryLimitBytes ?? null,
  symmetry,
  fingerprint: s.fingerprint,
});

/**
 * Check every option and build the model. Throws `InputError` on bad options, worded with `naming`. `variant` runs
 * other machines for some components (`vnicspec mutants`: a planted bug).
 */
export function prepareCheck(options: CheckOptions, naming: CheckNaming = OPTION_NAMING, variant?: SystemVariant): PreparedCheck {
  if (options === null || typeof options !== 'object') throw new InputError('check: options must be an object');
  knownKeys('check', options, OPTION_NAMES);
  const system = systemOf(options);
  const config = checkConfigOf(system);
  const chosen = chosenProperties(options.properties);
  const liveness = chosenLiveness(options.properties, options.liveness);
  const settings = searchSettings(options);
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') throw new InputError('onProgress: must be a function');
  const progressEveryMs = optional(options.progressEveryMs, (v) => positive('progressEveryMs', v));
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) throw new InputError('signal: must be an AbortSignal');
  const common = { system, config, settings, chosen: [...chosen.map((p) => p.name), ...liveness], signal: options.signal, onProgress: options.onProgress, progressEveryMs };

  let setup: CheckedSetup;
  try {
    setup = setUpCheck(config, chosen, liveness, variant);
  } catch (e) {
    if (!(e instanceof ModelError)) throw e;
    return { ...common, setup: undefined, bootError: e.message, symmetry: false };
  }
  if (setup.names.length === 0) {
    throw new InputError(`${naming.properties}: ${setup.notApplicable.join(', ')} says nothing about this configuration; nothing to check`);
  }
  const symmetry = settings.symmetry && canSymmetry(setup.model);
  if (settings.fingerprint && symmetry) throw new InputError(naming.fingerprintAndSymmetry);
  if (settings.fingerprint && setup.model.packed(setup.properties) === undefined) {
    throw new InputError('fingerprint: needs every property to have parts (packed states); one of yours has none');
  }
  return { ...common, setup, bootError: undefined, symmetry };
}

/** Run a check and keep what the command line needs besides the report. Throws `InputError` on bad options. */
export async function runCheck(options: CheckOptions): Promise<CheckRun> {
  return runPrepared(prepareCheck(options));
}

/** Run a prepared check: the safety search, then (if it held) the liveness phase, under one time budget. */
export async function runPrepared(p: PreparedCheck, hooks: CheckHooks = {}): Promise<CheckRun> {
  const { setup, settings, symmetry } = p;
  if (setup === undefined) return { report: bootFailure(p.config, p.system, p.chosen, settings, bootFailureMessage(p.bootError ?? '')), setup: undefined, result: undefined, phases: {} };
  const started = performance.now();
  const bounds = {
    ...defined('maxStates', settings.maxStates),
    ...defined('maxDepth', settings.maxDepth),
    ...defined('memoryLimitBytes', settings.memoryLimitBytes),
    ...defined('signal', p.signal),
    ...defined('progressEveryMs', p.progressEveryMs),
  };
  let phases: CheckPhases = {};
  if (setup.properties.length > 0) {
    phases = {
      safety: await searchAsync(setup.model, {
        strategy: settings.strategy,
        properties: setup.properties,
        symmetry,
        ...bounds,
        ...defined('timeoutMs', settings.timeoutSeconds === undefined ? undefined : settings.timeoutSeconds * 1000),
        ...defined('onProgress', p.onProgress),
        workers: settings.workers,
        ...(settings.fingerprint ? { fingerprint: true } : {}),
      }),
    };
  }
  // Liveness after the safety properties hold (as vnicspec check): the rest of the time budget is its own.
  if (setup.liveness.length > 0 && (phases.safety === undefined || phases.safety.verdict === 'holds')) {
    hooks.beforeLiveness?.();
    const left = settings.timeoutSeconds === undefined ? undefined : Math.max(0, settings.timeoutSeconds * 1000 - (performance.now() - started));
    // The safety search's counts size the liveness graph (the same states, unless symmetry reduced them).
    const expected = { ...defined('expectedStates', phases.safety?.states), ...defined('expectedEdges', phases.safety?.transitions) };
    phases = { ...phases, liveness: await runLiveness(setup, { ...bounds, ...expected, ...defined('timeoutMs', left), ...defined('onProgress', hooks.onLivenessProgress) }) };
  }
  return { report: reportOf(setup, p.system, phases, settings, symmetry), setup, result: phases.safety, phases };
}

/**
 * Model-check a small configuration exhaustively and report whether every property holds, with a shortest
 * counterexample (bfs) when one does not. Resolves with the report `vnicspec check --json` prints; a violation is a
 * verdict, not an error.
 *
 * @throws {@link InputError} when an option is out of range or names an unknown property.
 * @example
 * ```ts
 * import { check } from 'vnicspec';
 * const r = await check({ arch: 'xen-idd' });
 * console.log(r.verdict, r.property, r.trace?.length); // 'violated' 'no-cross-vm-starvation' 6
 * ```
 */
export async function check(options: CheckOptions = {}): Promise<CheckReport> {
  return (await runCheck(options)).report;
}

function reportOf(setup: CheckedSetup, system: SystemFile, phases: CheckPhases, settings: SearchSettings, symmetry: boolean): CheckReport {
  const { head, tail } = phaseFields(setup, phases);
  return {
    ...head,
    seconds: wallSeconds(head.seconds),
    internedContexts: setup.model.keys.internedContexts,
    memoizedSteps: setup.model.memo.memoizedSteps,
    rssBytes: process.memoryUsage().rss,
    config: setup.config,
    system,
    properties: setup.names,
    notApplicable: setup.notApplicable,
    search: searchJson(settings, symmetry),
    ...tail,
  };
}

function bootFailure(config: CheckConfig, system: SystemFile, names: readonly string[], settings: SearchSettings, message: string): CheckReport {
  return {
    verdict: 'error',
    property: null,
    message,
    incompleteReason: null,
    states: 0,
    transitions: 0,
    depth: 0,
    queue: 0,
    workers: 0,
    fingerprintCollision: null,
    seconds: 0,
    statesPerSecond: 0,
    internedContexts: 0,
    memoizedSteps: 0,
    rssBytes: process.memoryUsage().rss,
    config,
    system,
    properties: names,
    notApplicable: [],
    search: searchJson(settings, false),
    witnessed: {},
    errorAction: null,
    liveness: null,
    trace: null,
    loop: null,
  };
}
