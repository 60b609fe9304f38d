/**
 * Shrinking a failing walk, by delta debugging (Zeller & Hildebrandt's ddmin) over its sequence of actions.
 *
 * Actions are named by their labels, as recorded traces name them (an action object or an index into `actions()`
 * means nothing once earlier steps are removed). A candidate is executed leniently from the initial state: a step
 * whose label no enabled action carries is skipped, and execution stops at the first state where the failure shows.
 * Every candidate is thus re-executed through the model, and what is kept is the sequence actually executed — always
 * a real execution that fails the same way. The result is 1-minimal (removing any single step loses the failure)
 * unless the test budget ran out first.
 */
import { ModelError, type Model, type Property } from '../model.js';
import type { Trace } from '../types.js';

/** The failure to preserve: a named 'always' property violated, or a specification error with this message. */
export type Failure = { readonly kind: 'violated'; readonly property: string } | { readonly kind: 'error'; readonly message: string };

export interface ShrinkResult<S, A> {
  /** The shrunk execution; for an error, up to the state where `errorAction` fails. */
  readonly trace: Trace<S, A>;
  readonly errorAction?: A;
  /** The failure's message on the shrunk trace (a property says why in words that may name other steps). */
  readonly message: string;
  /** Candidates executed, and how many of them kept failing (each such one replaced the current sequence). */
  readonly tried: number;
  readonly accepted: number;
  /** Whether the test budget stopped shrinking before the result was 1-minimal. */
  readonly exhausted: boolean;
}

interface Execution<S, A> {
  readonly failed: boolean;
  readonly states: S[];
  readonly actions: A[];
  readonly labels: string[];
  readonly errorAction?: A;
  readonly errorLabel?: string;
  readonly message?: string;
}

/** Lenient execution of labelled steps, starting after a prefix already executed (states[0..k], actions[0..k)). */
class Executor<S, A> {
  private readonly check: ((s: S) => string | undefined) | undefined;

  constructor(
    private readonly model: Model<S, A>,
    properties: readonly Property<S>[],
    private readonly failure: Failure,
  ) {
    const property = failure.kind === 'violated' ? properties.find((p) => p.name === failure.property) : undefined;
    if (failure.kind === 'violated' && property === undefined) throw new RangeError(`shrink: no property named '${failure.property}'`);
    this.check = property !== undefined ? (s) => property.check(s) : undefined;
  }

  run(prefix: Execution<S, A>, keep: number, steps: readonly string[]): Execution<S, A> {
    const states = prefix.states.slice(0, keep + 1);
    const actions = prefix.actions.slice(0, keep);
    const labels = prefix.labels.slice(0, keep);
    let s: S = states[keep]!;
    for (const label of steps) {
      const enabled = this.model.actions(s);
      let a: A | undefined;
      for (let i = 0; i < enabled.length && a === undefined; i++) if (this.model.label(enabled[i]!) === label) a = enabled[i];
      if (a === undefined) continue;
      let t: S;
      try {
        t = this.model.next(s, a);
      } catch (e) {
        if (!(e instanceof ModelError)) throw e;
        const message = `${label}: ${e.message}`;
        const failed = this.failure.kind === 'error' && message === this.failure.message;
        return { failed, states, actions, labels, ...(failed ? { errorAction: a, errorLabel: label, message } : {}) };
      }
      states.push(t);
      actions.push(a);
      labels.push(label);
      const why = this.check?.(t);
      if (why !== undefined) return { failed: true, states, actions, labels, message: why };
      s = t;
    }
    return { failed: false, states, actions, labels };
  }
}

/**
 * Shrink `trace`, which must show `failure` (its last state violates the property, or for an error the step
 * `errorAction` from its last state fails with the message). `maxTests` bounds the candidates executed.
 */
export function shrinkTrace<S, A>(
  model: Model<S, A>,
  properties: readonly Property<S>[],
  failure: Failure,
  trace: Trace<S, A>,
  errorAction: A | undefined,
  maxTests = 10_000,
): ShrinkResult<S, A> {
  const exec = new Executor(model, properties, failure);
  const labels = trace.actions.map((a) => model.label(a));
  if (errorAction !== undefined) labels.push(model.label(errorAction));
  const root: Execution<S, A> = { failed: false, states: [trace.states[0]!], actions: [], labels: [] };
  let cur = exec.run(root, 0, labels);
  if (!cur.failed) throw new Error('shrink: the trace to shrink does not show the failure when re-executed');
  let tried = 1;
  let accepted = 0;
  let exhausted = false;

  // ddmin, "reduce to complement": remove one of n chunks at a time; on success keep the executed result and try
  // again at the same granularity, else halve the chunks, down to single steps.
  let n = 2;
  outer: while (stepsOf(cur) >= 1) {
    const length = stepsOf(cur);
    const size = Math.max(1, Math.ceil(length / n));
    for (let start = 0; start < length; start += size) {
      if (tried >= maxTests) {
        exhausted = true;
        break outer;
      }
      tried++;
      // The steps before `start` are unchanged: resume from cur's state there instead of re-executing them.
      const rest = allLabels(cur).slice(start + size);
      const candidate = exec.run(cur, start, rest);
      if (candidate.failed && stepsOf(candidate) < length) {
        cur = candidate;
        accepted++;
        n = Math.max(n - 1, 2);
        continue outer;
      }
    }
    if (size === 1) break;
    n = Math.min(n * 2, length);
  }
  const message = cur.message ?? (failure.kind === 'error' ? failure.message : '');
  return {
    trace: { states: cur.states, actions: cur.actions },
    ...(cur.errorAction !== undefined ? { errorAction: cur.errorAction } : {}),
    message,
    tried,
    accepted,
    exhausted,
  };
}

/** Steps of an execution, counting a failing error action as one. */
const stepsOf = <S, A>(e: Execution<S, A>): number => e.actions.length + (e.errorAction !== undefined ? 1 : 0);
const allLabels = <S, A>(e: Execution<S, A>): string[] => (e.errorLabel !== undefined ? [...e.labels, e.errorLabel] : e.labels);
