/**
 * The reference semantics: xstate's own pure `initialTransition()` / `transition()`.
 * Slow (a fresh actor scope per call) but authoritative; the compiled stepper is tested against it.
 */
import { initialTransition, transition, type AnyStateMachine } from 'xstate';
import type { Emitted, EventObject, MachineState, StepResult, Stepper } from './types.js';

function emittedOf(actions: readonly { type: string; params?: unknown }[]): Emitted[] {
  return actions.map((a) => ({ type: a.type, params: a.params }));
}

export function referenceStepper<C, E extends EventObject, I = unknown>(machine: AnyStateMachine): Stepper<C, E, I> {
  return {
    id: machine.id,
    initial(input: I): StepResult<C> {
      const [snapshot, actions] = initialTransition(machine, input);
      return { state: { value: snapshot.value as string, context: snapshot.context as C }, emitted: emittedOf(actions) };
    },
    step(state: MachineState<C>, event: E): StepResult<C> | undefined {
      const snapshot = machine.resolveState({ value: state.value, context: state.context });
      const [next, actions] = transition(machine, snapshot, event as never);
      // xstate returns the very same snapshot when no transition was taken — or when one was taken that changed
      // nothing and emitted nothing; both are "nothing happened" here. An emit-only transition is enabled.
      if (next === snapshot && actions.length === 0) return undefined;
      return { state: { value: next.value as string, context: next.context as C }, emitted: emittedOf(actions) };
    },
  };
}
