/**
 * The static description of a network model in packed form: what a state's fields are and which actions the
 * environment offers. Plain data (it crosses to worker threads); the machines' behaviour is not here but in the
 * shared tables (tables.ts) that the owner of the machines fills.
 *
 * A state's fields: one machine-state id per component, the id of the multiset of pending deliveries, the
 * environment's counters, and the id of the list of step flags raised on the way in (0: none).
 * Its actions, in this order: the environment's actions (`envActions`, each enabled by guards on counters), one
 * delivery per distinct pending item (in pending-id order), and the actions the states of some components offer
 * (`stateActionComponents`, e.g. management requests that depend on what is attached, or register writes to the
 * register sets a VM does not own): each a delivery to any component, decided by that one component's state.
 */

export interface Guard {
  readonly field: number;
  readonly min: number;
}

/** `env[field] += delta`, then at most `max` when given. */
export interface Update {
  readonly field: number;
  readonly delta: number;
  readonly max?: number;
}

/** An event delivered to a component; a disabled delivery is a no-op when `stale`, a specification error if not. */
export interface Delivery {
  readonly to: number;
  readonly event: number;
  readonly stale: boolean;
}

export interface EnvAction {
  readonly guards: readonly Guard[];
  readonly updates: readonly Update[];
  readonly deliveries: readonly Delivery[];
}

/** How a property is decided on packed states (its parts; see tables.ts for how each is memoized). */
export interface PropertyShape {
  readonly kind: 'always' | 'sometimes';
  /** Step checks' flags for this property make it fail. */
  readonly flagged: boolean;
  /** A part per component, reading that component's state alone (always: all hold; sometimes: any witnesses). */
  readonly local: boolean;
  /** Indices of its parts across components (in the program's list of group parts). */
  readonly groups: readonly number[];
  /** Σ over components of per-state counts equals environment counters: the counters, one per count. */
  readonly sums?: { readonly fields: readonly number[]; readonly offset: number };
  /** Environment counters that must stay within [min, max] (always): a state where one does not violates it. */
  readonly bounds?: readonly { readonly field: number; readonly min: number; readonly max: number }[];
}

export interface Program {
  readonly components: number;
  readonly envFields: number;
  /** Initial guess of each counter's largest value (the key layout widens as needed). */
  readonly envHints: readonly number[];
  readonly envActions: readonly EnvAction[];
  readonly stateActionComponents: readonly number[];
  readonly properties: readonly PropertyShape[];
  /** Parts across components, over all properties. */
  readonly groupParts: number;
  readonly stepChecks: number;
  /**
   * Whether the step checks also update environment counters (history variables: `OwnerHooks.counterOps`), as a
   * function of the delivery's pre-state machines and probes, memoized with their flags.
   */
  readonly counterOps?: boolean;
  /** Width of the per-state counts of all `sums` properties together. */
  readonly sumWidth: number;
}

/** Field indices of a program's state. */
export const pendingField = (p: Program): number => p.components;
export const envField = (p: Program, e: number): number => p.components + 1 + e;
export const flagField = (p: Program): number => p.components + 1 + p.envFields;
export const fieldCount = (p: Program): number => p.components + p.envFields + 2;
