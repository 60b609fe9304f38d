/**
 * The printable trace shared by every format in this folder: a list of steps, each the action label and the named
 * state variables after it. Domain-free: models supply the labels and variables (`Model.label`, `Model.vars`).
 */
import type { Model } from '../explore/model.js';
import type { Trace } from '../explore/types.js';

/** A message inside one step (e.g. one machine transition of a cascade), drawn by the Mermaid diagram. */
export interface MicroMessage {
  readonly from: string;
  readonly to: string;
  readonly label: string;
}

/** One step of a printable trace: the action that led here and the named state variables after it. */
export interface TraceStep {
  /** The action taken to reach this step; 'init' for step 0. */
  readonly label: string;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly micro?: readonly MicroMessage[];
}

/** A trace ready to print in any format of this folder (text, ITF, Mermaid): a list of steps. */
export interface PrintableTrace {
  /** steps[0] is the initial state. */
  readonly steps: readonly TraceStep[];
  /**
   * A lasso (a liveness counterexample): `steps[loop]` starts a cycle and the last step returns to that very state,
   * so steps `loop + 1 .. last` repeat forever. Absent for a finite trace.
   */
  readonly loop?: number;
}

/** The label of step 0, the initial state. */
export const INIT_LABEL = 'init';

/**
 * A search trace (or a lasso: its `loop` is kept) in printable form. `micro`, if given, supplies each step's messages (e.g. from re-delivering the
 * step with tracing on); it is called with the step index, the state before it (undefined for step 0) and the action.
 */
export function printable<S, A>(
  model: Model<S, A>,
  trace: Trace<S, A> & { readonly loop?: number },
  micro?: (step: number, before: S | undefined, action: A | undefined) => readonly MicroMessage[] | undefined,
): PrintableTrace {
  const steps: TraceStep[] = [];
  for (let i = 0; i < trace.states.length; i++) {
    const action = i === 0 ? undefined : trace.actions[i - 1];
    const label = action === undefined ? INIT_LABEL : model.label(action);
    const m = micro?.(i, i === 0 ? undefined : trace.states[i - 1], action);
    steps.push(m === undefined ? { label, vars: model.vars(trace.states[i]!) } : { label, vars: model.vars(trace.states[i]!), micro: m });
  }
  return trace.loop === undefined ? { steps } : { steps, loop: trace.loop };
}
