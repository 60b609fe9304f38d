/**
 * What a mutant is: a named, documented wrong variant of the design, a few lines from the real one, together with
 * the checks that should find it (its "kill" runs).
 *
 * A mutant never edits the specification. It replaces named parts of one or more machines with xstate's
 * `machine.provide({ guards, actions })`: a guard by its name in `setup({ guards })`, an effect by its name in
 * `does(name, …)` (spec/effect.ts `variant`, which both steppers resolve by name). The specified machines carry no
 * code path for any mutant; every mutant is the specified machine with some of its named decisions and steps
 * swapped — which is also why the catalogue says, for each, exactly which names it replaces.
 */
import type { AnyStateMachine } from 'xstate';
import type { EventObject } from '../../src/machine/index.js';
import { driverDomainMachine } from '../driver-domain.js';
import { variant, type Effect, type Effected } from '../effect.js';
import { classifierMachine } from '../nic-classifier.js';
import { dmaMachine } from '../nic-dma.js';
import { sharedNicMachine } from '../nic-shared.js';
import { txMachine } from '../nic-tx.js';
import type { CheckShortcuts } from '../checked/config.js';
import { vmMachine } from '../vm-driver.js';
import { vmmMachine } from '../vmm.js';
import { vnicMachine } from '../vnic.js';

/** The machines of the design a mutant may replace parts of, by the component kind that runs them. */
export const DESIGN_MACHINES = {
  'nic-classifier': classifierMachine,
  vnic: vnicMachine,
  'nic-dma': dmaMachine,
  'nic-tx': txMachine,
  'nic-shared': sharedNicMachine,
  vmm: vmmMachine,
  vm: vmMachine,
  idd: driverDomainMachine,
} as const satisfies Record<string, AnyStateMachine>;

/** A component kind whose machine is part of the design (not the environment's wire or traffic sources). */
export type DesignMachine = keyof typeof DESIGN_MACHINES;

/** A guard's replacement: the same question, answered wrongly. */
export type GuardVariant = (args: { context: never; event: never }) => boolean;
/** An effect's replacement, built with `effect(...)` below. */
export type EffectVariant = (args: { context: never; event: never }, params: unknown) => unknown;

/** What a mutant swaps in one machine: guards and effects by name. */
export interface Replacement {
  readonly guards?: Readonly<Record<string, GuardVariant>>;
  readonly actions?: Readonly<Record<string, EffectVariant>>;
}

/** How a kill run searches: exhaustively (breadth-first: the shortest trace), or by seeded random walks. */
export type KillSearch =
  | { readonly kind: 'exhaustive' }
  | { readonly kind: 'random'; readonly seed: number; readonly traces: number; readonly depth: number; readonly swarm?: boolean };

/**
 * One check that should kill the mutant: a configuration (check's shortcuts: `--arch`, `--vms`, `--churn`, …),
 * the properties checked (default: every property `check` knows), and the search. The real specification must
 * pass the very same check: a kill means the mutant differs from the design, not that the check is too strict.
 */
export interface KillRun {
  readonly config: CheckShortcuts;
  readonly properties?: readonly string[];
  readonly search: KillSearch;
  /** The property expected to report it (the catalogue's claim; `vnicspec mutants` reports what really did). */
  readonly killer: string;
}

/** A mutant as the catalogue lists it. */
export interface Mutant {
  readonly name: string;
  /** What is wrong, in the paper's terms. */
  readonly description: string;
  /** The machines it replaces parts of, and the names it replaces in each. */
  readonly replaces: readonly { readonly machine: DesignMachine; readonly guards: readonly string[]; readonly actions: readonly string[] }[];
  /** The mutated machines, by component kind (every other component runs the specified machine). */
  readonly machines: Readonly<Partial<Record<DesignMachine, AnyStateMachine>>>;
  /** Checks that should kill it, tried in order (exhaustive on small systems first, then random on larger ones). */
  readonly kills: readonly KillRun[];
}

/** A mutant from the replacements it makes: its machines are the specified ones with those names provided. */
export function mutant(m: {
  readonly name: string;
  readonly description: string;
  readonly replace: Readonly<Partial<Record<DesignMachine, Replacement>>>;
  readonly kills: readonly KillRun[];
}): Mutant {
  const machines: Partial<Record<DesignMachine, AnyStateMachine>> = {};
  const replaces: Mutant['replaces'][number][] = [];
  for (const [kind, r] of Object.entries(m.replace) as [DesignMachine, Replacement][]) {
    const base = DESIGN_MACHINES[kind] as AnyStateMachine;
    const impl = base.implementations as { guards: Record<string, unknown>; actions: Record<string, unknown> };
    // A replacement must name something the machine has: a typo would otherwise make a mutant that is the spec.
    for (const g of Object.keys(r.guards ?? {})) if (!(g in impl.guards)) throw new Error(`mutant ${m.name}: ${kind} has no guard '${g}'`);
    for (const a of Object.keys(r.actions ?? {})) if (!(a in impl.actions)) throw new Error(`mutant ${m.name}: ${kind} has no effect '${a}'`);
    machines[kind] = base.provide({ guards: (r.guards ?? {}) as never, actions: (r.actions ?? {}) as never });
    replaces.push({ machine: kind, guards: Object.keys(r.guards ?? {}), actions: Object.keys(r.actions ?? {}) });
  }
  return { name: m.name, description: m.description, replaces, machines, kills: m.kills };
}

/** A guard replacement over (context, event), typed for the machine it replaces. */
export function guard<C, E extends EventObject = EventObject>(fn: (context: C, event: E) => boolean): GuardVariant {
  return (({ context, event }: { context: C; event: E }) => fn(context, event)) as unknown as GuardVariant;
}

/** An effect replacement: `fn(context, event, specified)` — often the specified step, then one thing differently. */
export function effect<C extends object, E extends EventObject = EventObject>(fn: (context: C, event: E, specified: Effect<C, E>) => Effected<C>): EffectVariant {
  return variant<C, E>(fn) as unknown as EffectVariant;
}

/** Exhaustive breadth-first search: the shortest counterexample. */
export const EXHAUSTIVE: KillSearch = { kind: 'exhaustive' };
