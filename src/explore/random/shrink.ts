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

export interface ShrinkBudget {
  /** Candidates executed at most (default 10,000). */
  readonly maxTests?: number;
  /** Steps executed by all candidates at most (default 1,000,000): on large systems a step can cost a thousand
   *  times what it costs on small ones, and a long trace needs about its length squared to prove 1-minimal. */
  readonly maxSteps?: number;
  /** Called about once a second with the work so far (shrinking a long trace on a large system takes seconds). */
  readonly onProgress?: (p: ShrinkProgress) => void;
}

export interface ShrinkProgress {
  /** Steps of the current shortest failing execution. */
  readonly length: number;
  readonly tried: number;
  readonly elapsedMs: number;
}

/**
 * Shrink `trace`, which must show `failure` (its last state violates the property, or for an error the step
 * `errorAction` from its last state fails with the message). First the walk's cycles are cut (a state met twice:
 * the steps between go, no execution needed); then every step of one kind at once (`kindOf`: e.g. all deliveries
 * of one event type — cheap, and it often removes most of a random walk); then ddmin over what is left. The budget
 * bounds the work; results depend only on the inputs, never on time.
 */
export function shrinkTrace<S, A>(
  model: Model<S, A>,
  properties: readonly Property<S>[],
  failure: Failure,
  trace: Trace<S, A>,
  errorAction: A | undefined,
  budget: ShrinkBudget = {},
  kindOf: (a: A) => string = (a) => model.label(a),
): ShrinkResult<S, A> {
  const maxTests = budget.maxTests ?? 10_000;
  const maxSteps = budget.maxSteps ?? 1_000_000;
  const exec = new Executor(model, properties, failure);
  const labels = trace.actions.map((a) => model.label(a));
  if (errorAction !== undefined) labels.push(model.label(errorAction));
  const root: Execution<S, A> = { failed: false, states: [trace.states[0]!], actions: [], labels: [] };
  let cur = exec.run(root, 0, labels);
  if (!cur.failed) throw new Error('shrink: the trace to shrink does not show the failure when re-executed');
  cur = withoutCycles(model, exec, root, cur);
  let tried = 1;
  let accepted = 0;
  let steps = labels.length;
  let exhausted = false;

  const t0 = performance.now();
  let reported = t0;
  /** Runs `cur` without its steps at `drop` (sorted indices); keeps the result if it still fails and is shorter. */
  const attempt = (drop: readonly number[]): boolean => {
    const length = stepsOf(cur);
    const start = drop[0]!;
    if (tried >= maxTests || steps + (length - start) > maxSteps) {
      exhausted = true;
      return false;
    }
    if (budget.onProgress !== undefined && (tried & 15) === 0) {
      const t = performance.now();
      if (t - reported >= 1000) {
        budget.onProgress({ length, tried, elapsedMs: t - t0 });
        reported = t;
      }
    }
    tried++;
    steps += length - start;
    // The steps before `start` are unchanged: resume from cur's state there instead of re-executing them.
    const all = allLabels(cur);
    const rest: string[] = [];
    for (let i = start, d = 0; i < all.length; i++) {
      if (d < drop.length && drop[d] === i) d++;
      else rest.push(all[i]!);
    }
    const candidate = exec.run(cur, start, rest);
    if (!candidate.failed || stepsOf(candidate) >= length) return false;
    cur = candidate;
    accepted++;
    return true;
  };

  // Pass 1: every step of one kind at once, kinds in order of first appearance (a failing error step stays).
  const kinds = [...new Set(cur.actions.map(kindOf))];
  for (const kind of kinds) {
    if (exhausted) break;
    const drop: number[] = [];
    cur.actions.forEach((a, i) => {
      if (kindOf(a) === kind) drop.push(i);
    });
    if (drop.length > 0 && drop.length < stepsOf(cur)) attempt(drop);
  }

  // Pass 2: ddmin, removing chunks of `size` steps; a pass at one size goes on after a removal from where it was,
  // and passes repeat at that size until one removes nothing, then the size halves, down to single steps.
  let size = Math.max(1, Math.ceil(stepsOf(cur) / 2));
  while (!exhausted && stepsOf(cur) >= 1) {
    let removed = false;
    for (let start = 0; start < stepsOf(cur) && !exhausted; ) {
      const end = Math.min(stepsOf(cur), start + size);
      if (attempt(Array.from({ length: end - start }, (_, k) => start + k))) removed = true;
      else start += size;
    }
    if (removed) continue;
    if (size === 1) break;
    size = Math.max(1, Math.ceil(size / 2));
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

/**
 * `e` without the steps between two visits of one state (keeping the first visit): the rest of the execution then
 * continues from the same state, so it stays a real execution that fails the same way. Re-executed once to rebuild
 * the states (and to make sure).
 */
function withoutCycles<S, A>(model: Model<S, A>, exec: Executor<S, A>, root: Execution<S, A>, e: Execution<S, A>): Execution<S, A> {
  const firstAt = new Map<string, number>();
  const keep: number[] = [];
  for (let i = 0; i < e.states.length; i++) {
    const k = model.key(e.states[i]!);
    const seen = firstAt.get(k);
    if (seen === undefined) {
      firstAt.set(k, i);
      keep.push(i);
      continue;
    }
    // Back to the state after step `seen`: forget the steps since, and the states they reached.
    while (keep.length > 0 && keep[keep.length - 1]! > seen) firstAt.delete(model.key(e.states[keep.pop()!]!));
  }
  if (keep.length === e.states.length) return e;
  // keep lists state indices; the step into state keep[j] (j >= 1) is the action before it.
  const labels = keep.slice(1).map((i) => e.labels[i - 1]!);
  if (e.errorLabel !== undefined) labels.push(e.errorLabel);
  const shorter = exec.run(root, 0, labels);
  return shorter.failed && stepsOf(shorter) < stepsOf(e) ? shorter : e;
}

/** Steps of an execution, counting a failing error action as one. */
const stepsOf = <S, A>(e: Execution<S, A>): number => e.actions.length + (e.errorAction !== undefined ? 1 : 0);
const allLabels = <S, A>(e: Execution<S, A>): string[] => (e.errorLabel !== undefined ? [...e.labels, e.errorLabel] : e.labels);
