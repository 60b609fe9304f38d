/**
 * Glue between the paper's steps, written as pure functions, and xstate.
 *
 * An xstate `assign` cannot emit, and a custom action cannot change context. A step of the specification does
 * both (e.g. "admit the packet into the partition *and* start the DMA transfer"), so `does(name, effect)` gives the
 * two actions that carry it out: the custom action `name`, whose params are the effect's Outputs, then an `assign`
 * of the effect's new context. Both read the same (context, event) pair, so a one-entry memo computes the effect
 * once. xstate's `transition()` and the compiled stepper run exactly these actions, in this order.
 */
import { assign } from 'xstate';
import { PERFORMS_PARAMS, RETURNS_FULL_CONTEXT, type EventObject } from '../src/machine/index.js';
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

/** The pair of actions performing `effect` under the label `name` (declare `name` in `setup({ actions })`). */
export function does<C extends object, E extends EventObject>(name: string, effect: Effect<C, E>): never {
  const m = memoize(effect);
  const assigner = ({ context, event }: { context: C; event: E }) => m(context, event).context as never;
  Object.defineProperty(assigner, RETURNS_FULL_CONTEXT, { value: true });
  return [{ type: name, params: ({ context, event }: { context: C; event: E }) => m(context, event).out }, assign(assigner)] as never;
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
