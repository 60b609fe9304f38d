/**
 * Replay a recorded trace (from a search, the simulator or an ITF file) on a model: each recorded label must name an
 * action enabled at that point, and, when the recorded variables are given, each successor must show them.
 * This is what makes a trace evidence rather than a story: it either re-executes or names the first step that fails.
 */
import { ModelError, type Model } from '../explore/model.js';
import type { PrintableTrace } from './types.js';
import { differences, formatValue } from './values.js';

/** A replayed trace's states and actions, or the first step that could not be replayed and why. */
export type ReplayResult<S, A> =
  /** `loop`: a replayed lasso, whose last state was found to be the state of step `loop` again. */
  | { readonly kind: 'ok'; readonly states: S[]; readonly actions: A[]; readonly loop?: number }
  /** `step` counts actions from 1 (step 0 is the choice of initial state), as printed traces number them. */
  | { readonly kind: 'illegal'; readonly step: number; readonly message: string };

type Vars = Readonly<Record<string, unknown>>;

function firstDifference(actual: Vars, expected: Vars): string | undefined {
  const d = differences(actual, expected, '', 1)[0];
  return d === undefined ? undefined : `variable ${d.path} is ${formatValue(d.before)} but the trace has ${formatValue(d.after)}`;
}

const MAX_LISTED = 12;

/**
 * Re-execute a trace given by its action labels: each must name an action enabled at that point (matched by
 * `Model.label`); with `expectedVars`, the initial state and each successor must also show the recorded variables.
 * @param labels the action labels, one per step after the initial state.
 * @param expectedVars optional recorded variables, `labels.length + 1` entries (entry 0 for the initial state).
 */
export function replay<S, A>(model: Model<S, A>, labels: readonly string[], expectedVars?: readonly Vars[]): ReplayResult<S, A> {
  if (expectedVars !== undefined && expectedVars.length !== labels.length + 1) {
    return {
      kind: 'illegal',
      step: Math.min(expectedVars.length, labels.length + 1),
      message: `the trace has ${labels.length} steps but ${expectedVars.length} recorded states (expected ${labels.length + 1})`,
    };
  }
  const inits = model.initial();
  if (inits.length === 0) return { kind: 'illegal', step: 0, message: 'step 0: the model has no initial state' };
  let start = 0;
  if (expectedVars !== undefined) {
    const want = expectedVars[0]!;
    start = inits.findIndex((x) => firstDifference(model.vars(x), want) === undefined);
    if (start < 0) {
      const why = firstDifference(model.vars(inits[0] as S), want);
      return { kind: 'illegal', step: 0, message: `step 0: no initial state matches the recorded one (initial state 0: ${why})` };
    }
  }
  let current = inits[start] as S;
  const states: S[] = [current];
  const actions: A[] = [];

  for (let i = 0; i < labels.length; i++) {
    const step = i + 1;
    const label = labels[i]!;
    const enabled = model.actions(current);
    const candidates = enabled.filter((a) => model.label(a) === label);
    if (candidates.length === 0) {
      const names = enabled.slice(0, MAX_LISTED).map((a) => `'${model.label(a)}'`);
      const more = enabled.length > MAX_LISTED ? `, … (${enabled.length} in all)` : '';
      const listed = enabled.length === 0 ? 'no action is enabled' : `enabled: ${names.join(', ')}${more}`;
      return { kind: 'illegal', step, message: `step ${step}: '${label}' is not enabled here; ${listed}` };
    }
    // Labels are meant to be unique; if several actions share one, the recorded variables decide.
    let chosen: { action: A; next: S } | undefined;
    let mismatch: string | undefined;
    for (const a of candidates) {
      let t: S;
      try {
        t = model.next(current, a);
      } catch (e) {
        if (!(e instanceof ModelError)) throw e;
        return { kind: 'illegal', step, message: `step ${step}: '${label}' raised a specification error: ${e.message}` };
      }
      const why = expectedVars === undefined ? undefined : firstDifference(model.vars(t), expectedVars[step]!);
      if (why === undefined) {
        chosen = { action: a, next: t };
        break;
      }
      mismatch ??= why;
    }
    if (chosen === undefined) return { kind: 'illegal', step, message: `step ${step}: after '${label}', ${mismatch}` };
    actions.push(chosen.action);
    states.push(chosen.next);
    current = chosen.next;
  }
  return { kind: 'ok', states, actions };
}

/**
 * Replay a printable trace (e.g. `parseItf(text).trace`): its labels after step 0 and all its variables. A lasso
 * must also close: its last state must be the very state (same `Model.key`) of step `loop`, where its cycle starts.
 */
export function replayTrace<S, A>(model: Model<S, A>, trace: PrintableTrace): ReplayResult<S, A> {
  const r = replay(
    model,
    trace.steps.slice(1).map((s) => s.label),
    trace.steps.map((s) => s.vars),
  );
  const loop = trace.loop;
  if (r.kind !== 'ok' || loop === undefined) return r;
  const last = r.states.length - 1;
  if (loop >= last) return { kind: 'illegal', step: last, message: `the cycle must have a step: it starts at step ${loop}, the last step is ${last}` };
  if (model.key(r.states[last]!) !== model.key(r.states[loop]!)) {
    const d = differences(model.vars(r.states[last]!), model.vars(r.states[loop]!), '', 1)[0];
    const why = d === undefined ? '' : ` (${d.path} is ${formatValue(d.before)} there, ${formatValue(d.after)} at step ${loop})`;
    return { kind: 'illegal', step: last, message: `step ${last} does not return to the state of step ${loop}, where the cycle starts${why}` };
  }
  return { ...r, loop };
}
