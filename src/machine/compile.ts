/**
 * A fast stepper over an xstate v5 machine definition.
 *
 * xstate's `transition()` builds an actor scope per call (~5 µs). The explorer and the simulator take millions of
 * steps, so this module reads the machine's own definition once — its state nodes, transitions, named guards and
 * assign/custom action implementations from `setup()` — and steps it with plain function calls. It is the same
 * machine, not a second model: `test/machine-agreement.test.ts` checks with fast-check that it agrees with
 * `transition()` on random event sequences for every machine in spec/.
 *
 * Supported subset (anything else is refused when compiling, never silently mis-stepped):
 * - flat machines: the root's children are atomic states; transitions on a state, then on the root;
 * - guards: named (`'g'` or `{ type, params }`) or inline functions, called with `({ context, event }, params)`;
 * - actions: `assign(...)` (object or function form), and custom actions whose params are returned to the caller
 *   as `Emitted` (as `transition()` returns them, each passed through its implementation: see `Emitted`), in
 *   exit → transition → entry order;
 * - `reenter: true` self-transitions exit and re-enter; a plain self-target does not (xstate v5 semantics); a
 *   targeted root-level transition always exits and enters (its domain is the root); no final states, no root reenter.
 * Guards, assigners and params may only read `context` and `event`.
 */
import type { AnyStateMachine } from 'xstate';
import type { Emitted, EventObject, MachineState, StepResult, Stepper } from './types.js';

type Args = { context: unknown; event: EventObject };
type ParamsSpec = unknown;
type GuardFn = (args: Args) => boolean;

type CompiledAction =
  | { readonly kind: 'assign'; readonly apply: (context: unknown, event: EventObject) => unknown }
  | { readonly kind: 'emit'; readonly type: string; readonly params: (context: unknown, event: EventObject) => unknown };

interface CompiledTransition {
  readonly guard: GuardFn | undefined;
  readonly target: string | undefined;
  /** exit actions of the source + transition actions + entry actions of the target, precomputed per source. */
  readonly actions: readonly CompiledAction[];
}

/**
 * Marks an assigner that returns the complete next context. xstate merges it into a copy of the old context
 * (`Object.assign({}, context, result)`), which for a complete context is the same value; the compiled stepper takes
 * the result as it is and saves a copy per step. test/machine-agreement.test.ts checks the two agree.
 */
export const RETURNS_FULL_CONTEXT: unique symbol = Symbol.for('vnicspec.returnsFullContext');

/**
 * Marks a custom action implementation that performs its params as they are (returns nothing): the compiled
 * stepper then does not call it on every step. Unmarked implementations are called (see `Emitted`).
 */
export const PERFORMS_PARAMS: unique symbol = Symbol.for('vnicspec.performsParams');

/**
 * A *named effect*: one step's new context and its outputs, computed together by one function, carried out by a
 * pair of actions — a custom action `name` whose params are the outputs, and an assign of the context
 * (spec/effect.ts `does`). Both halves carry `{ name, effect }` under this symbol (on the params function and on
 * the assigner), so that an engine can tell they belong together.
 */
export const PAIRED_EFFECT: unique symbol = Symbol.for('vnicspec.pairedEffect');

/**
 * Marks an action implementation that replaces a named effect (spec/effect.ts `variant`): a function
 * `(context, event, specified) => { context, out }`, given the effect the transition specifies. When
 * `machine.provide({ actions: { name: impl } })` supplies one, both halves of effect `name` perform it instead —
 * in xstate (the assigner finds it through `self.logic`, the label through its implementation) and here.
 */
export const EFFECT_VARIANT: unique symbol = Symbol.for('vnicspec.effectVariant');

/** What `PAIRED_EFFECT` carries. */
export interface PairedEffect {
  readonly name: string;
  readonly effect: (context: unknown, event: EventObject) => { readonly context: unknown; readonly out: unknown };
}

/** What `EFFECT_VARIANT` carries. */
export type EffectVariantFn = (context: unknown, event: EventObject, specified: PairedEffect['effect']) => { readonly context: unknown; readonly out: unknown };

const pairedOf = (x: unknown): PairedEffect | undefined => (typeof x === 'function' ? (x as { [PAIRED_EFFECT]?: PairedEffect })[PAIRED_EFFECT] : undefined);
const variantOf = (x: unknown): EffectVariantFn | undefined => (typeof x === 'function' ? (x as { [EFFECT_VARIANT]?: EffectVariantFn })[EFFECT_VARIANT] : undefined);

export class UnsupportedMachineError extends Error {
  constructor(machineId: string, what: string) {
    super(`machine '${machineId}': ${what} is not supported by the compiled stepper`);
    this.name = 'UnsupportedMachineError';
  }
}

interface AssignActionFn {
  (...args: unknown[]): unknown;
  type: 'xstate.assign';
  assignment: unknown;
}

function isAssign(x: unknown): x is AssignActionFn {
  return typeof x === 'function' && (x as { type?: unknown }).type === 'xstate.assign';
}

function resolveParams(spec: ParamsSpec): (context: unknown, event: EventObject) => unknown {
  if (typeof spec === 'function') {
    const f = spec as (args: Args) => unknown;
    return (context, event) => f({ context, event });
  }
  return () => spec;
}

function compileAssign(
  assignment: unknown,
  params: (context: unknown, event: EventObject) => unknown,
): (context: unknown, event: EventObject) => unknown {
  // Same as xstate's resolveAssign: every property assigner sees the pre-assign context; the result is a new object.
  if (typeof assignment === 'function') {
    const f = assignment as (args: Args, params: unknown) => object;
    if ((assignment as { [RETURNS_FULL_CONTEXT]?: boolean })[RETURNS_FULL_CONTEXT] === true) {
      return (context, event) => f({ context, event }, params(context, event));
    }
    return (context, event) => ({ ...(context as object), ...f({ context, event }, params(context, event)) });
  }
  const entries = Object.entries(assignment as Record<string, unknown>);
  return (context, event) => {
    const p = params(context, event);
    const update: Record<string, unknown> = {};
    for (const [key, value] of entries) {
      update[key] = typeof value === 'function' ? (value as (a: Args, p: unknown) => unknown)({ context, event }, p) : value;
    }
    return { ...(context as object), ...update };
  };
}

export function compileMachine<C, E extends EventObject, I = unknown>(machine: AnyStateMachine): Stepper<C, E, I> {
  const id = machine.id;
  const impl = machine.implementations as { guards: Record<string, unknown>; actions: Record<string, unknown> };
  const root = machine.root;

  const compileAction = (action: unknown): CompiledAction => {
    if (isAssign(action)) {
      // The context half of a named effect that a variant replaces (see EFFECT_VARIANT).
      const paired = pairedOf(action.assignment);
      const variant = paired === undefined ? undefined : variantOf(impl.actions[paired.name]);
      if (paired !== undefined && variant !== undefined) return { kind: 'assign', apply: (context, event) => variant(context, event, paired.effect).context };
      return { kind: 'assign', apply: compileAssign(action.assignment, () => undefined) };
    }
    let type: string;
    let paramsSpec: ParamsSpec;
    if (typeof action === 'string') {
      type = action;
      paramsSpec = undefined;
    } else if (action !== null && typeof action === 'object' && typeof (action as { type?: unknown }).type === 'string') {
      type = (action as { type: string }).type;
      paramsSpec = (action as { params?: unknown }).params;
    } else {
      throw new UnsupportedMachineError(id, 'an inline function or built-in action (raise, sendTo, emit, enqueueActions, …)');
    }
    const implementation = impl.actions[type];
    const params = resolveParams(paramsSpec);
    if (isAssign(implementation)) return { kind: 'assign', apply: compileAssign(implementation.assignment, params) };
    if (typeof implementation === 'function' && typeof (implementation as { type?: unknown }).type === 'string') {
      throw new UnsupportedMachineError(id, `built-in action '${(implementation as unknown as { type: string }).type}' behind '${type}'`);
    }
    // The outputs half of a named effect that a variant replaces (see EFFECT_VARIANT).
    const paired = pairedOf(paramsSpec);
    const variant = variantOf(implementation);
    if (paired !== undefined && variant !== undefined) return { kind: 'emit', type, params: (context, event) => variant(context, event, paired.effect).out };
    if (typeof implementation !== 'function' || (implementation as { [PERFORMS_PARAMS]?: boolean })[PERFORMS_PARAMS] === true) {
      return { kind: 'emit', type, params };
    }
    // The implementation performs the action: what it returns replaces the params (see `Emitted`).
    const perform = implementation as (args: Args, params: unknown) => unknown;
    return {
      kind: 'emit',
      type,
      params: (context, event) => {
        const p = params(context, event);
        const performed = perform({ context, event }, p);
        return performed === undefined ? p : performed;
      },
    };
  };

  const compileGuard = (guard: unknown): GuardFn | undefined => {
    if (guard === undefined) return undefined;
    let fn: unknown;
    let paramsSpec: ParamsSpec;
    if (typeof guard === 'string') {
      fn = impl.guards[guard];
    } else if (typeof guard === 'function') {
      if ((guard as { check?: unknown }).check !== undefined) throw new UnsupportedMachineError(id, 'guard combinators (and/or/not)');
      fn = guard;
    } else if (guard !== null && typeof guard === 'object') {
      fn = impl.guards[(guard as { type: string }).type];
      paramsSpec = (guard as { params?: unknown }).params;
    }
    if (typeof fn !== 'function') throw new UnsupportedMachineError(id, `guard ${JSON.stringify(guard)} without implementation`);
    if ((fn as { check?: unknown }).check !== undefined) throw new UnsupportedMachineError(id, 'guard combinators (and/or/not)');
    const g = fn as (args: Args, params: unknown) => boolean;
    const params = resolveParams(paramsSpec);
    return (args) => g(args, params(args.context, args.event));
  };

  const states = root.states as Record<string, typeof root>;
  const names = Object.keys(states);
  if (names.length === 0) throw new UnsupportedMachineError(id, 'a machine without states');
  const rootNode = root as unknown as NodeShape;
  checkNodeSupported(id, rootNode, true);
  const rootEntry = rootNode.entry.map(compileAction);
  const entryOf = new Map<string, CompiledAction[]>();
  const exitOf = new Map<string, CompiledAction[]>();
  for (const name of names) {
    const node = states[name] as unknown as NodeShape;
    checkNodeSupported(id, node, false);
    entryOf.set(name, node.entry.map(compileAction));
    exitOf.set(name, node.exit.map(compileAction));
  }

  // table[state][eventType] = candidate transitions, the state's own first, then the root's.
  const table = new Map<string, Map<string, CompiledTransition[]>>();
  for (const name of names) {
    const perEvent = new Map<string, CompiledTransition[]>();
    const add = (source: NodeShape) => {
      for (const [eventType, defs] of source.transitions) {
        if (eventType.includes('*')) throw new UnsupportedMachineError(id, `wildcard event descriptor '${eventType}'`);
        const list = perEvent.get(eventType) ?? [];
        for (const def of defs) {
          if (def.target && def.target.length > 1) throw new UnsupportedMachineError(id, 'multiple targets');
          const targetNode = def.target?.[0];
          const target = targetNode?.key;
          if (targetNode && targetNode.parent !== root) throw new UnsupportedMachineError(id, 'a target outside the root level');
          // xstate re-enters the root itself for a root-level `reenter`: not modelled, so refused.
          if (source === rootNode && def.reenter) throw new UnsupportedMachineError(id, `a root-level reenter transition on '${eventType}'`);
          // A targeted root-level transition has the root as its domain: the current child is exited and entered
          // even when it is the target (xstate semantics), unlike a state's own self-transition.
          const changes = target !== undefined && (source === rootNode || target !== name || def.reenter);
          const actions = [
            ...(changes ? (exitOf.get(name) ?? []) : []),
            ...def.actions.map(compileAction),
            ...(changes && target !== undefined ? (entryOf.get(target) ?? []) : []),
          ];
          list.push({ guard: compileGuard(def.guard), target, actions });
        }
        perEvent.set(eventType, list);
      }
    };
    add(states[name] as unknown as NodeShape);
    add(rootNode);
    table.set(name, perEvent);
  }

  const run = (
    actions: readonly CompiledAction[],
    context: unknown,
    event: EventObject,
    emitted: Emitted[],
  ): unknown => {
    let ctx = context;
    for (let i = 0; i < actions.length; i++) {
      const a = actions[i]!;
      if (a.kind === 'assign') ctx = a.apply(ctx, event);
      else emitted.push({ type: a.type, params: a.params(ctx, event) });
    }
    return ctx;
  };

  const initialName = (root.initial as unknown as { target: readonly { key: string }[] } | undefined)?.target[0]?.key;
  if (initialName === undefined) throw new UnsupportedMachineError(id, 'a machine without an initial state');
  const contextSpec = (machine.config as { context?: unknown }).context;

  // Guards are pure and keep nothing, so one argument object serves every guard call (no allocation per step).
  const scratchArgs: { context: unknown; event: EventObject } = { context: undefined, event: { type: '' } };

  return {
    id,
    initial(input: I): StepResult<C> {
      const initEvent: EventObject = { type: 'xstate.init', input } as EventObject;
      // A fresh object, as xstate's initial snapshot has, even when the context function returns its input.
      const context =
        typeof contextSpec === 'function'
          ? { ...((contextSpec as (a: { input: I }) => object)({ input })) }
          : structuredClone(contextSpec ?? {});
      const emitted: Emitted[] = [];
      let ctx = run(rootEntry, context, initEvent, emitted);
      ctx = run(entryOf.get(initialName) ?? [], ctx, initEvent, emitted);
      return { state: { value: initialName, context: ctx as C }, emitted };
    },
    step(state: MachineState<C>, event: E): StepResult<C> | undefined {
      const candidates = table.get(state.value)?.get(event.type);
      if (candidates === undefined) return undefined;
      const args = scratchArgs;
      args.context = state.context;
      args.event = event;
      for (let i = 0; i < candidates.length; i++) {
        const t = candidates[i]!;
        if (t.guard !== undefined && !t.guard(args)) continue;
        const emitted: Emitted[] = [];
        const context = run(t.actions, state.context, event, emitted);
        return { state: { value: t.target ?? state.value, context: context as C }, emitted };
      }
      return undefined;
    },
  };
}

/** The parts of an xstate StateNode this compiler reads. */
interface NodeShape {
  key: string;
  parent: unknown;
  type: string;
  states: Record<string, unknown>;
  entry: unknown[];
  exit: unknown[];
  always?: unknown[];
  after: unknown[];
  invoke: unknown[];
  transitions: Map<string, { target?: NodeShape[]; actions: unknown[]; guard?: unknown; reenter: boolean }[]>;
}

function checkNodeSupported(id: string, node: NodeShape, isRoot: boolean): void {
  if (isRoot ? node.type !== 'compound' : node.type !== 'atomic') {
    throw new UnsupportedMachineError(id, `state '${node.key}' of type '${node.type}' (only flat machines)`);
  }
  if (node.always && node.always.length > 0) throw new UnsupportedMachineError(id, `'always' transitions in '${node.key}'`);
  if (node.after.length > 0) throw new UnsupportedMachineError(id, `'after' delays in '${node.key}'`);
  if (node.invoke.length > 0) throw new UnsupportedMachineError(id, `'invoke' in '${node.key}'`);
}
