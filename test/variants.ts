/**
 * Checking a variant of the specified system: some kinds of component run another machine — a planted bug built
 * with `machine.provide()` (spec/mutants/), selected without editing the spec — and the checker searches it like the
 * real one.
 */
import type { AnyStateMachine } from 'xstate';
import { search, type SearchResult, type Strategy } from '../src/explore/index.js';
import { compileMachine } from '../src/machine/index.js';
import { Network } from '../src/network/network.js';
import { defaultCheckConfig, type CheckShortcuts } from '../spec/checked/config.js';
import { buildCheckedSystem, CheckedModel, type CheckAction, type CheckedState, type CheckedSystem } from '../spec/checked/model.js';
import type { BuiltSystem, ComponentKind } from '../spec/system.js';
import { PROPERTY_NAMES, propertiesFor } from '../properties/checked.js';

/** Machines to run instead of the specified ones, by component kind. */
export type Variant = Partial<Record<ComponentKind, AnyStateMachine>>;

/** `sys` with the components of the variant's kinds running the variant's machines (compiled). */
export function withMachines<T extends { network: Network; kinds: readonly ComponentKind[] }>(sys: T, variant: Variant): T {
  const components = sys.network.components.map((c, i) => {
    const machine = variant[sys.kinds[i]!];
    return machine === undefined ? c : { ...c, stepper: compileMachine(machine) };
  });
  return { ...sys, network: new Network(components) };
}

export interface Checked {
  readonly result: SearchResult<CheckedState, CheckAction>;
  /** The counterexample's action labels (empty when none). */
  readonly labels: readonly string[];
  readonly sys: CheckedSystem;
}

/** A breadth-first check of `config` (a variant of it, if given) for the named properties. */
export function checkVariant(config: CheckShortcuts, properties: readonly string[] = PROPERTY_NAMES, variant: Variant = {}, o: { maxStates?: number; maxDepth?: number; strategy?: Strategy } = {}): Checked {
  const sys = withMachines(buildCheckedSystem(defaultCheckConfig(config)), variant);
  const bound = propertiesFor(sys, properties);
  const model = new CheckedModel(sys, { stepChecks: bound.stepChecks });
  const result = search(model, { strategy: o.strategy ?? 'bfs', properties: bound.properties, ...(o.maxStates !== undefined ? { maxStates: o.maxStates } : {}), ...(o.maxDepth !== undefined ? { maxDepth: o.maxDepth } : {}) });
  return { result, labels: result.trace?.actions.map((a) => model.label(a)) ?? [], sys };
}

/** A simulator system with the variant's machines. */
export const simulatedVariant = (sys: BuiltSystem, variant: Variant): BuiltSystem => withMachines(sys, variant);
