/**
 * Traces are not stored: the search keeps a parent id and an action index per state (parents.ts), and a trace is
 * rebuilt by re-executing the model from a real initial state. That is also a check: each step must reach the
 * recorded child, or the model is not deterministic.
 */
import type { Model } from './model.js';
import { NO_PARENT, type Parents } from './parents.js';
import type { Trace } from './types.js';

/** The ids on the path from an initial state to `target`, in order. */
export function pathTo(parents: Parents, target: number): number[] {
  const path: number[] = [];
  for (let id = target; id !== NO_PARENT; id = parents.parentOf(id)) path.push(id);
  return path.reverse();
}

/**
 * Re-execute the path to `target`. Without symmetry the recorded action index is taken as is (a mismatch means the
 * model is not deterministic); with symmetry the recorded index refers to the representative, so the concrete action
 * is the one whose successor's canonical id is the child's. `idOf` gives a state's id in the visited set (or -1).
 */
export function reconstruct<S, A>(model: Model<S, A>, target: number, parents: Parents, idOf: (s: S) => number, symmetric: boolean): Trace<S, A> {
  const path = pathTo(parents, target);
  const inits = model.initial();
  const root = path[0]!;
  let first = parents.actionOf(root);
  if (first >= inits.length || idOf(inits[first] as S) !== root) {
    first = inits.findIndex((x) => idOf(x) === root);
  }
  if (first < 0) throw new Error('trace reconstruction: no initial state has the recorded key (is initial() deterministic?)');
  let s = inits[first] as S;
  const states: S[] = [s];
  const actions: A[] = [];

  for (let j = 1; j < path.length; j++) {
    const child = path[j]!;
    const enabled = model.actions(s);
    const hint = parents.actionOf(child);
    let found = -1;
    let successor = s;
    const tryAction = (i: number): boolean => {
      if (i >= enabled.length) return false;
      const t = model.next(s, enabled[i] as A);
      if (idOf(t) !== child) return false;
      found = i;
      successor = t;
      return true;
    };
    if (!tryAction(hint) && symmetric) {
      for (let i = 0; i < enabled.length && found < 0; i++) if (i !== hint) tryAction(i);
    }
    if (found < 0) {
      const why = symmetric ? 'no enabled action reaches its orbit (is canonical() sound?)' : 'the recorded action leads elsewhere (are actions()/next() deterministic?)';
      throw new Error(`trace reconstruction failed at step ${j}: ${why}`);
    }
    actions.push(enabled[found] as A);
    states.push(successor);
    s = successor;
  }
  return { states, actions };
}
