/**
 * The stepping contract shared by the simulator and the explorer.
 *
 * A machine state is just the active state name and the context: the same information an xstate snapshot of a
 * flat machine carries, without the actor bookkeeping, so engines can store, compare and encode it cheaply.
 */
export interface EventObject {
  readonly type: string;
}

export interface MachineState<C> {
  readonly value: string;
  readonly context: C;
}

/**
 * A custom (non-assign) action that a transition asked the caller to execute, with its resolved params. When the
 * action's implementation (from `setup({ actions })` or `machine.provide({ actions })`) returns a value, that value
 * is the params instead: the implementation decides what the action performs. Implementations that return nothing
 * (spec/effect.ts's labels) leave the params as the transition resolved them. This is how a variant of a machine —
 * a planted bug, a mutant — changes what a named action does without a code path in the machine itself.
 */
export interface Emitted {
  readonly type: string;
  readonly params: unknown;
}

export interface StepResult<C> {
  readonly state: MachineState<C>;
  readonly emitted: readonly Emitted[];
}

/**
 * Pure stepping of one machine. `step` returns `undefined` when no transition is enabled for the event in that
 * state (xstate returns the very same snapshot then), so "is this event enabled?" costs one call.
 */
export interface Stepper<C, E extends EventObject, I = unknown> {
  readonly id: string;
  initial(input: I): StepResult<C>;
  step(state: MachineState<C>, event: E): StepResult<C> | undefined;
}
