/**
 * Glue between the paper's steps, written as pure functions, and xstate.
 *
 * An xstate `assign` cannot emit, and a custom action cannot change context. A step of the specification does
 * both (e.g. "admit the packet into the partition *and* start the DMA transfer"), so `does(name, effect)` gives the
 * two actions that carry it out: the custom action `name`, whose params are the effect's Outputs, then an `assign`
 * of the effect's new context. Both read the same (context, event) pair, so a one-entry memo computes the effect
 * once. xstate's `transition()` and the compiled stepper run exactly these actions, in this order.
 *
 * Effects are resolvable by name: a variant machine, `machine.provide({ actions: { name: variant(fn) } })`, performs
 * `fn(context, event, specified)` instead of effect `name` in every transition that does it — context and outputs
 * alike, in xstate and in the compiled stepper (src/machine/compile.ts, EFFECT_VARIANT). spec/mutants/ builds planted
 * bugs this way; the specified machines carry no code path for them.
 */
import { assign } from 'xstate';
import { EFFECT_VARIANT, PAIRED_EFFECT, PERFORMS_PARAMS, RETURNS_FULL_CONTEXT, type EffectVariantFn, type EventObject, type PairedEffect } from '../src/machine/index.js';
import type { Output } from '../src/network/outputs.js';

export interface Effected<C> {
  readonly context: C;
  readonly out: readonly Output[];
}

export type Effect<C, E> = (context: C, event: E) => Effected<C>;

function memoize<C, E>(fn: Effect<C, E>): Effect<C, E> {
  let lastC: unknown;
  let lastE: unknown;
  let last: Effected<C> | undefined;
  return (c, e) => {
    if (last !== undefined && c === lastC && e === lastE) return last;
    last = fn(c, e);
    lastC = c;
    lastE = e;
    return last;
  };
}

/** The variant replacing effect `name` in the machine an xstate actor runs (`self.logic`), if it provides one. */
function variantIn(self: unknown, name: string): EffectVariantFn | undefined {
  const actions = (self as { logic?: { implementations?: { actions?: Record<string, unknown> } } } | undefined)?.logic?.implementations?.actions;
  const impl = actions?.[name];
  return typeof impl === 'function' ? (impl as { [EFFECT_VARIANT]?: EffectVariantFn })[EFFECT_VARIANT] : undefined;
}

/** The pair of actions performing `effect` under the label `name` (declare `name` in `setup({ actions })`). */
export function does<C extends object, E extends EventObject>(name: string, effect: Effect<C, E>): never {
  const m = memoize(effect);
  const paired: PairedEffect = { name, effect: m as unknown as PairedEffect['effect'] };
  const params = ({ context, event }: { context: C; event: E }) => m(context, event).out;
  const assigner = ({ context, event, self }: { context: C; event: E; self?: unknown }) => {
    const v = variantIn(self, name);
    return (v === undefined ? m(context, event) : v(context, event, paired.effect)).context as never;
  };
  Object.defineProperty(params, PAIRED_EFFECT, { value: paired });
  Object.defineProperty(assigner, PAIRED_EFFECT, { value: paired });
  Object.defineProperty(assigner, RETURNS_FULL_CONTEXT, { value: true });
  return [{ type: name, params }, assign(assigner)] as never;
}

/**
 * What a variant of effect `name` does instead, given the (context, event) and the effect the transition specifies
 * (so a variant can be "the specified step, then one thing differently").
 */
export type EffectVariant<C, E> = (context: C, event: E, specified: Effect<C, E>) => Effected<C>;

/**
 * An implementation for `machine.provide({ actions: { name: variant(fn) } })`: every transition doing effect `name`
 * performs `fn` instead (context and outputs). Memoized on its last (context, event), as `does` is: the two halves of
 * the step (and xstate's execution of the label after the transition) ask it once each.
 */
export function variant<C extends object, E extends EventObject>(fn: EffectVariant<C, E>): (args: { context: C; event: E }, params: unknown) => readonly Output[] {
  let lastC: unknown;
  let lastE: unknown;
  let lastS: unknown;
  let last: Effected<C> | undefined;
  const run = (c: C, e: E, specified: Effect<C, E>): Effected<C> => {
    if (last !== undefined && c === lastC && e === lastE && specified === lastS) return last;
    last = fn(c, e, specified);
    lastC = c;
    lastE = e;
    lastS = specified;
    return last;
  };
  // xstate executes the label after the transition, with the (context, event) its assign half saw: the memo has it.
  const impl = ({ context, event }: { context: C; event: E }): readonly Output[] => {
    if (last === undefined || context !== lastC || event !== lastE) {
      throw new Error('an effect variant was executed without the step that computes it (is its action a does() pair?)');
    }
    return last.out;
  };
  Object.defineProperty(impl, EFFECT_VARIANT, { value: run });
  return impl;
}

/**
 * Declares effect labels for `setup({ actions })`: they return nothing when executed, so engines route their params
 * as they are. A variant machine, `machine.provide({ actions: { name: (args, outputs) => changed } })`, performs
 * `changed` instead (src/machine/types.ts, `Emitted`): spec/mutants/ builds planted bugs that way.
 */
export function labels<const K extends string>(...names: K[]): Record<K, () => void> {
  const r = {} as Record<K, () => void>;
  for (const n of names) {
    const label = () => {};
    Object.defineProperty(label, PERFORMS_PARAMS, { value: true });
    r[n] = label;
  }
  return r;
}
