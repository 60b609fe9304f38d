/**
 * The reference semantics: xstate's own pure `initialTransition()` / `transition()`.
 * Slow (a fresh actor scope per call) but authoritative; the compiled stepper is tested against it.
 */
import { initialTransition, transition, type AnyStateMachine } from 'xstate';
import type { Emitted, EventObject, MachineState, StepResult, Stepper } from './types.js';

interface Executable {
  readonly type: string;
  readonly params?: unknown;
  readonly info: unknown;
  readonly exec?: unknown;
}

/** The actions as `Emitted`; a custom action's implementation is called, and what it returns replaces its params. */
function emittedOf(machine: AnyStateMachine, actions: readonly Executable[]): Emitted[] {
  const custom = machine.implementations.actions as Record<string, unknown>;
  return actions.map((a) => {
    // Built-in actions carry an `exec` of their own; a custom action's `exec` is its implementation from setup().
    if (typeof a.exec !== 'function' || a.exec !== custom[a.type]) return { type: a.type, params: a.params };
    const performed: unknown = (a.exec as (info: unknown, params: unknown) => unknown)(a.info, a.params);
    return { type: a.type, params: performed === undefined ? a.params : performed };
  });
}

export function referenceStepper<C, E extends EventObject, I = unknown>(machine: AnyStateMachine): Stepper<C, E, I> {
  return {
    id: machine.id,
    initial(input: I): StepResult<C> {
      const [snapshot, actions] = initialTransition(machine, input);
      return { state: { value: snapshot.value as string, context: snapshot.context as C }, emitted: emittedOf(machine, actions as readonly Executable[]) };
    },
    step(state: MachineState<C>, event: E): StepResult<C> | undefined {
      const snapshot = machine.resolveState({ value: state.value, context: state.context });
      const [next, actions] = transition(machine, snapshot, event as never);
      // xstate returns the very same snapshot when no transition was taken — or when one was taken that changed
      // nothing and emitted nothing; both are "nothing happened" here. An emit-only transition is enabled.
      if (next === snapshot && actions.length === 0) return undefined;
      return { state: { value: next.value as string, context: next.context as C }, emitted: emittedOf(machine, actions as readonly Executable[]) };
    },
  };
}
