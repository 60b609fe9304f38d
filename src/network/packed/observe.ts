/**
 * `observe(machines, c, f)` is `f(machines[c])`, but tells a packed explorer that the caller depends only on that
 * projection of the machine, not on its whole state. A check that reads "is vNIC k active, and which MACs does it
 * serve" through `observe` is memoized on those few values instead of on every state of vNIC k — the difference
 * between a memo of a handful of entries and one as large as the product of the machines it looks at.
 *
 * `f` must be a pure function of the machine state and keep its identity (a module-level function), and its result
 * JSON-like. Without a packed explorer this is just `f(machines[c])`.
 */
import type { MachineState } from '../../machine/types.js';

/** The hook a recording view of the machines offers (owner.ts). */
export const OBSERVE = Symbol('vnicspec.observe');

type Observer = <T>(c: number, f: (m: MachineState<unknown>) => T) => T;

export function observe<T>(machines: readonly MachineState<unknown>[], c: number, f: (m: MachineState<unknown>) => T): T {
  const o = (machines as unknown as { [OBSERVE]?: Observer })[OBSERVE];
  return o !== undefined ? o(c, f) : f(machines[c]!);
}
