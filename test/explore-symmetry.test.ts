import { describe, expect, test } from 'vitest';
import { search, type Model } from '../src/explore/index.js';
import { lostUpdate, lostUpdateProperty, twoPhaseCommit, twoPhaseProperties } from './fixtures/explore-examples.js';
import { replay } from '../src/trace/index.js';

/** The canonical keys of every reachable state, collected by watching `key` during a search without symmetry. */
function orbitCount<S, A>(model: Model<S, A>): number {
  const orbits = new Set<string>();
  const canonical = model.canonical!.bind(model);
  const watched: Model<S, A> = {
    ...model,
    key: (s) => {
      orbits.add(model.key(canonical(s)));
      return model.key(s);
    },
  };
  search(watched, { strategy: 'bfs', properties: [] });
  return orbits.size;
}

describe('symmetry reduction', () => {
  test('two-phase commit, 5 interchangeable RMs: same verdict, one state per orbit', () => {
    const model = twoPhaseCommit(5);
    const full = search(model, { strategy: 'dfs', properties: twoPhaseProperties });
    const reduced = search(model, { strategy: 'dfs', properties: twoPhaseProperties, symmetry: true });
    expect(full.states).toBe(8832);
    expect(reduced.verdict).toBe(full.verdict);
    expect(reduced.witnessed).toEqual(full.witnessed);
    // 314 orbits: RMs sorted by (state, in tmPrepared, Prepared message sent). Stateright's example reports 665
    // because its representative sorts by the RM state alone, leaving ties that split orbits.
    expect(reduced.states).toBe(314);
    expect(reduced.states).toBe(orbitCount(model));
    expect(search(twoPhaseCommit(3), { strategy: 'bfs', properties: twoPhaseProperties, symmetry: true }).states).toBe(80);
  });

  test('the counterexample found on representatives re-executes concretely', () => {
    const n = 4;
    const model = lostUpdate(n);
    const full = search(model, { strategy: 'bfs', properties: [lostUpdateProperty(n)] });
    const reduced = search(model, { strategy: 'bfs', properties: [lostUpdateProperty(n)], symmetry: true });
    expect(full.verdict).toBe('violated');
    expect(reduced.verdict).toBe('violated');
    expect(reduced.states).toBeLessThan(full.states);
    const complete = search(model, { strategy: 'bfs', properties: [], symmetry: true });
    expect(complete.states).toBe(orbitCount(model));
    expect(complete.states).toBeLessThan(search(model, { strategy: 'bfs', properties: [] }).states);
    // BFS on the quotient graph still gives a shortest trace.
    expect(reduced.trace!.actions.length).toBe(full.trace!.actions.length);

    const trace = reduced.trace!;
    expect(trace.states[0]).toEqual(model.initial()[0]);
    for (let i = 0; i < trace.actions.length; i++) {
      expect(model.next(trace.states[i]!, trace.actions[i]!)).toEqual(trace.states[i + 1]);
    }
    // Concrete, not representatives: some state differs from its canonical form.
    expect(trace.states.some((s) => model.key(s) !== model.key(model.canonical!(s)))).toBe(true);
    // And the labels alone replay on the model from its real initial state.
    const labels = trace.actions.map((a) => model.label(a));
    const replayed = replay(model, labels, trace.states.map((s) => model.vars(s)));
    expect(replayed.kind).toBe('ok');
    expect(reduced.message).toBe(lostUpdateProperty(n).check(trace.states.at(-1)!));
  });

  test('an unsound canonical() is detected when the trace cannot be re-executed', () => {
    // Maps 1 to 5, which is not in 1's orbit of any real symmetry: the representative's successor 6 is unreachable.
    const model: Model<number, 'inc'> = {
      initial: () => [0],
      actions: (s) => (s < 10 ? ['inc'] : []),
      next: (s) => s + 1,
      key: (s) => String(s),
      label: () => 'inc',
      vars: (s) => ({ x: s }),
      canonical: (s) => (s === 1 ? 5 : s),
    };
    const six = { name: 'not six', description: '', kind: 'always' as const, check: (s: number) => (s === 6 ? 'six' : undefined) };
    expect(() => search(model, { strategy: 'bfs', properties: [six], symmetry: true })).toThrow(/step 2: .*canonical\(\) sound/);
  });
});
