/**
 * What `check`, `check --random`, `replay` and `mutants` share: building the checked system for a configuration and a
 * set of properties, describing the configuration, and turning states into JSON. One path builds every checked
 * model (`setUpCheck`). Trace files (ITF with the configuration embedded, Mermaid, text) are in trace-files.ts.
 */
import type { ArbiterKind } from '../../spec/dma-arbiter.js';
import { defaultCheckConfig, type CheckArch, type CheckConfig } from '../../spec/checked/config.js';
import { symmetryUnavailableReason } from '../../spec/checked/symmetry.js';
import { CheckedModel, buildCheckedSystem, type CheckAction, type CheckedState, type CheckedSystem } from '../../spec/checked/model.js';
import { PROPERTIES, PROPERTY_NAMES as SAFETY_NAMES, bindProperties, propertyParts, type CheckedProperty } from '../../properties/checked.js';
import { LIVENESS_NAMES, livenessFor } from '../../properties/liveness.js';
import type { LivenessProperty, Model, Property, SearchResult, Strategy } from '../explore/index.js';
import { compileMachine } from '../machine/index.js';
import { Network } from '../network/network.js';
import type { AnyStateMachine } from 'xstate';
import type { ComponentKind } from '../../spec/system.js';

export const CHECK_ARCHS = ['vnic', 'xen-idd', 'mixed'] as const satisfies readonly CheckArch[];
export const DMA_ARBITERS = ['strict', 'wrr', 'drr'] as const satisfies readonly ArbiterKind[];
export const STRATEGIES = ['bfs', 'dfs'] as const satisfies readonly Strategy[];
/** Every property `check` knows: the safety ones (properties/checked.ts), then the liveness ones (properties/liveness.ts). */
export const PROPERTY_NAMES: readonly string[] = [...SAFETY_NAMES, ...LIVENESS_NAMES];
export { LIVENESS_NAMES };

/** Limits of the command line (the state space grows fast: 4 VMs already exceed a million states). */
export const LIMITS = {
  vms: [1, 4],
  capacity: [1, 8],
  burst: [1, 8],
  rxRing: [1, 8],
} as const satisfies Record<string, readonly [number, number]>;

/** Ranges of the random mode (exhaustive search: LIMITS). MACs 1..vms must stay below the unknown MAC. */
export const RANDOM_LIMITS = {
  vms: [1, 32],
  capacity: [1, 64],
} as const satisfies Record<string, readonly [number, number]>;

/** The most threads a search (exhaustive or random) may use. */
export const MAX_WORKERS = 256;

export type CheckResult = SearchResult<CheckedState, CheckAction>;

/** The model, its properties (in PROPERTIES order) and the view used for traces. */
export interface CheckedSetup {
  readonly config: CheckConfig;
  readonly sys: CheckedSystem;
  readonly model: CheckedModel;
  /** The checked property names, in the order of PROPERTY_NAMES (safety first, then liveness). */
  readonly names: readonly string[];
  /** Chosen properties that say nothing about this configuration (e.g. no VM conforms), hence not checked. */
  readonly notApplicable: readonly string[];
  readonly properties: readonly Property<CheckedState>[];
  /** The liveness properties, checked on the whole graph after the safety search (check-phases.ts). */
  readonly liveness: readonly LivenessProperty<CheckedState>[];
  /** `model` with a fixed set of trace variables (see `traceView`). */
  readonly view: Model<CheckedState, CheckAction>;
}

/**
 * A variant of the specified system: some kinds of component run another machine (a planted bug built with
 * `machine.provide()`, spec/mutants/). The real system is the one without a variant.
 */
export interface SystemVariant {
  readonly machines: Partial<Record<ComponentKind, AnyStateMachine>>;
}

function withVariant(sys: CheckedSystem, variant: SystemVariant | undefined): CheckedSystem {
  if (variant === undefined) return sys;
  const components = sys.network.components.map((c, i) => {
    const machine = variant.machines[sys.kinds[i]!];
    return machine === undefined ? c : { ...c, stepper: compileMachine(machine) };
  });
  return { ...sys, network: new Network(components) };
}

/**
 * The model with the chosen properties bound to its system: `chosen` the safety ones, `liveness` the names of the
 * liveness ones; `variant` runs other machines for some components. Throws `ModelError` if the configuration cannot
 * boot.
 */
export function setUpCheck(config: CheckConfig, chosen: readonly CheckedProperty[], liveness: readonly string[] = [], variant?: SystemVariant): CheckedSetup {
  const sys = withVariant(buildCheckedSystem(config), variant);
  const applied = chosen.filter((p) => p.applies?.(sys) ?? true);
  // Properties with parts are decided on packed states (the fast path); one without (yours, say) puts the whole
  // search on objects.
  const { properties, stepChecks } = bindProperties(sys, applied);
  const model = new CheckedModel(sys, { stepChecks, parts: propertyParts });
  const live = livenessFor(sys, liveness);
  const names = [...properties.map((p) => p.name), ...live.map((p) => p.name)];
  const notApplicable = [...chosen.map((p) => p.name), ...liveness].filter((n) => !names.includes(n));
  return { config, sys, model, names, notApplicable, properties, liveness: live, view: traceView(model) };
}

export interface SetUpOptions {
  /** Run another machine for some components (a planted bug); default: the specified system. */
  readonly variant?: SystemVariant;
  /** Whether liveness properties may be among the chosen ones (default true); random walks cannot check them. */
  readonly liveness?: boolean;
}

/** `setUpCheck` for built-in properties by name: every one when none is named (without liveness when `liveness` is false). */
export function setUp(config: CheckConfig, chosen: readonly string[], options: SetUpOptions = {}): CheckedSetup {
  const wanted = (n: string): boolean => chosen.length === 0 || chosen.includes(n);
  const safety = PROPERTIES.filter((p) => wanted(p.name));
  const liveness = options.liveness === false ? [] : LIVENESS_NAMES.filter(wanted);
  return setUpCheck(config, safety, liveness, options.variant);
}

/** How a check reports a configuration that cannot boot (`setUpCheck` threw `ModelError` with `cause`). */
export const bootFailureMessage = (cause: string): string => `specification error while booting the configuration: ${cause}`;

/** `isolation, conservation (not applicable here: reach-conforming-delivery)` */
export function describeProperties(setup: CheckedSetup): string {
  const skipped = setup.notApplicable.length > 0 ? ` (not applicable to this configuration: ${setup.notApplicable.join(', ')})` : '';
  return `${setup.names.length > 0 ? setup.names.join(', ') : 'none'}${skipped}`;
}

/**
 * The model as traces see it. ITF needs every state to carry the same variables, but `CheckedModel.vars` lists
 * `flags` only when a step raised one; here `flags` is always present (an empty list when nothing was flagged).
 * Writing and replaying both go through this view, so the two always agree.
 */
function traceView(model: CheckedModel): Model<CheckedState, CheckAction> {
  return {
    initial: () => model.initial(),
    actions: (s) => model.actions(s),
    next: (s, a) => model.next(s, a),
    key: (s) => model.key(s),
    label: (a) => model.label(a),
    vars: (s) => {
      const v = model.vars(s);
      return Object.hasOwn(v, 'flags') ? v : { ...v, flags: [] };
    },
  };
}

export function canSymmetry(model: CheckedModel): boolean {
  return typeof (model as Model<CheckedState, CheckAction>).canonical === 'function';
}

/** Why `--symmetry` cannot be used with this configuration. */
export function noSymmetryReason(sys: CheckedSystem): string {
  return symmetryUnavailableReason(sys) ?? 'the model offers no symmetry reduction here';
}

/**
 * The `vnicspec check` flags that build `c`: the scalar ones always, `--sizes`, `--churn`, `--roles`, `--drivers` and
 * `--no-unknown-traffic` when they differ from the defaults. Throws when no flags build it (per-VM QoS, names, …: a
 * system file's, which only `--system` states); the flags are checked to build exactly `c`.
 */
export function checkFlags(c: CheckConfig): string[] {
  const base = { arch: c.arch, vms: c.vms, capacity: c.capacities[0]!, dma: c.dma, burst: c.bursts[0]!, rxRing: c.rxRing };
  const defaults = defaultCheckConfig(base);
  const extra = {
    ...(c.sizes.length !== 1 || c.sizes[0] !== 1 ? { sizes: c.sizes } : {}),
    ...(c.churn ? { churn: true } : {}),
    ...(c.roles.join() !== defaults.roles.join() ? { roles: c.roles } : {}),
    ...(c.drivers.some((d) => d !== 'honest') ? { drivers: c.drivers } : {}),
    ...(!c.unknownTraffic ? { unknownTraffic: false } : {}),
  };
  if (JSON.stringify(defaultCheckConfig({ ...base, ...extra })) !== JSON.stringify(c)) {
    throw new Error(`no check flags build this configuration (${describeConfig(c)}); a system file does`);
  }
  const flags = [`--arch ${c.arch}`, `--vms ${c.vms}`, `--capacity ${base.capacity}`, `--dma ${c.dma}`, `--burst ${base.burst}`, `--rx-ring ${c.rxRing}`];
  if (extra.sizes !== undefined) flags.push(`--sizes ${extra.sizes.join(',')}`);
  if (extra.churn === true) flags.push('--churn');
  if (extra.roles !== undefined) flags.push(`--roles ${extra.roles.join(',')}`);
  if (extra.drivers !== undefined) flags.push(`--drivers ${extra.drivers.join(',')}`);
  if (extra.unknownTraffic === false) flags.push('--no-unknown-traffic');
  return flags;
}

const onOff = (b: boolean): string => (b ? 'on' : 'off');

/** One value when every VM has the same, else the per-VM values: `2`, `2/3`. */
const perVm = (xs: readonly (number | string)[]): string => (xs.every((x) => x === xs[0]) ? String(xs[0]) : xs.join('/'));

/** The system on one line. Option names as on the command line; per-VM values joined by '/'. */
export function describeConfig(c: CheckConfig): string {
  const vms = c.roles
    .map((r, i) => `vm${i}${c.names[i] !== `vm${i}` ? ` "${c.names[i]}"` : ''} ${r}${c.drivers[i] === 'hostile' ? ' with a hostile driver' : ''}${c.attached[i] ? '' : ' (detached at boot)'}`)
    .join(', ');
  // With packets of size 1 bytes count packets, and the line reads as it did before sizes.
  const unit = c.sizes.length === 1 && c.sizes[0] === 1 ? 'packets' : 'bytes';
  const total = c.capacities.reduce((a, x) => a + x, 0);
  const buffer = c.arch === 'xen-idd' ? `capacity ${perVm(c.capacities)} (shared buffer of ${total} ${unit})` : `capacity ${perVm(c.capacities)} ${unit} per partition`;
  const sizes = unit === 'packets' ? '' : `packet sizes ${c.sizes.join('/')}, `;
  const rate = c.rates.every((r) => r === 1) ? '' : `rate ${perVm(c.rates)}, `;
  const nic = hasVnicNicArch(c) && (c.vectors !== c.vms || c.memory !== total + c.vms) ? `, ${c.vectors} MSI vectors, memory ${c.memory}` : '';
  const quantum = c.dma === 'drr' && c.quantum !== c.sizes[c.sizes.length - 1] ? `, quantum ${c.quantum}` : '';
  return (
    `arch ${c.arch}, ${c.vms} VM${c.vms === 1 ? '' : 's'} (${vms}), ${sizes}${buffer}, dma ${c.dma} ` +
    `(priorities ${c.priorities.join('/')}, weights ${c.weights.join('/')}${quantum}), ${rate}burst ${perVm(c.bursts)}, rx-ring ${c.rxRing}, ` +
    `tx-ring ${c.txRing}${nic}, churn ${onOff(c.churn)}, unknown-MAC traffic ${onOff(c.unknownTraffic)}`
  );
}

const hasVnicNicArch = (c: CheckConfig): boolean => c.arch !== 'xen-idd';

export function propertyKind(name: string): 'always' | 'sometimes' | 'liveness' | undefined {
  return LIVENESS_NAMES.includes(name) ? 'liveness' : PROPERTIES.find((p) => p.name === name)?.kind;
}

/** Trace variables as plain JSON: Maps become objects (or [key, value] lists), Sets lists, bigints numbers or strings. */
export function toJson(v: unknown): unknown {
  switch (typeof v) {
    case 'bigint':
      return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
    case 'number':
      return Number.isFinite(v) ? v : String(v);
    case 'undefined':
    case 'function':
    case 'symbol':
      return null;
    case 'string':
    case 'boolean':
      return v;
  }
  if (v === null) return null;
  if (Array.isArray(v)) return v.map(toJson);
  if (v instanceof Set) return [...v].map(toJson);
  if (v instanceof Map) {
    const entries = [...v];
    return entries.every(([k]) => typeof k === 'string' || typeof k === 'number')
      ? Object.fromEntries(entries.map(([k, x]) => [String(k), toJson(x)]))
      : entries.map(([k, x]) => [toJson(k), toJson(x)]);
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== undefined) out[k] = toJson(x);
  return out;
}
