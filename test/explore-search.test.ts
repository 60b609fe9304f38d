import { describe, expect, test } from 'vitest';
import { search, type Model, type Property, type SearchResult } from '../src/explore/index.js';
import {
  counters,
  plantedBug,
  twoPhaseCommit,
  twoPhaseProperties,
  unbounded,
  type Counters,
  type TwoPhaseState,
} from './fixtures/explore-examples.js';
import { replay } from '../src/trace/index.js';

/** A trace must be a real execution: from an initial state, each state the successor of the previous. */
function expectExecutes<S, A>(model: Model<S, A>, result: SearchResult<S, A>): void {
  const trace = result.trace!;
  expect(trace.states.length).toBe(trace.actions.length + 1);
  expect(model.initial().map((s) => model.key(s))).toContain(model.key(trace.states[0]!));
  for (let i = 0; i < trace.actions.length; i++) {
    const enabled = model.actions(trace.states[i]!).map((a) => model.label(a));
    expect(enabled).toContain(model.label(trace.actions[i]!));
    expect(model.key(model.next(trace.states[i]!, trace.actions[i]!))).toBe(model.key(trace.states[i + 1]!));
  }
}

describe('two-phase commit (TwoPhase.tla)', () => {
  test('3 RMs: 288 distinct states with BFS and DFS alike, all properties hold', () => {
    const bfs = search(twoPhaseCommit(3), { strategy: 'bfs', properties: twoPhaseProperties });
    const dfs = search(twoPhaseCommit(3), { strategy: 'dfs', properties: twoPhaseProperties });
    for (const r of [bfs, dfs]) {
      expect(r.verdict).toBe('holds');
      expect(r.states).toBe(288);
      expect(r.witnessed).toEqual({ 'commit agreement': true, 'abort agreement': true });
      expect(r.trace).toBeUndefined();
      expect(r.incompleteReason).toBeUndefined();
    }
    expect(dfs.transitions).toBe(bfs.transitions); // every state expanded once, whatever the order
    expect(bfs.depth).toBe(10);
  });

  test('5 RMs: 8,832 distinct states (as Stateright reports)', () => {
    for (const strategy of ['bfs', 'dfs'] as const) {
      expect(search(twoPhaseCommit(5), { strategy, properties: twoPhaseProperties }).states).toBe(8832);
    }
  });

  test('BFS witnesses are shortest executions', () => {
    const r = search(twoPhaseCommit(3), { strategy: 'bfs', properties: twoPhaseProperties });
    // 3 prepares, 3 receipts by the TM, the commit, 3 receipts by the RMs.
    expect(r.witnesses['commit agreement']!.actions.length).toBe(10);
    // TMAbort, then 3 receipts (or choose-to-abort).
    expect(r.witnesses['abort agreement']!.actions.length).toBe(3);
    const last = r.witnesses['commit agreement']!.states.at(-1)!;
    expect(last.rm).toEqual(['committed', 'committed', 'committed']);
  });

  test('the eager-commit bug violates consistency with a replayable counterexample', () => {
    const model = twoPhaseCommit(3, { eagerCommit: true });
    const r = search(model, { strategy: 'bfs', properties: twoPhaseProperties });
    expect(r.verdict).toBe('violated');
    expect(r.property).toBe('consistent');
    expect(r.message).toMatch(/aborted while .* committed/);
    // Shortest: abort one RM, commit, deliver the commit to another.
    expect(r.trace!.actions.map((a) => model.label(a))).toEqual(['TMCommit', 'RMChooseToAbort(rm1)', 'RMRcvCommitMsg(rm2)']);
    expectExecutes(model, r);
    const replayed = replay(
      model,
      r.trace!.actions.map((a) => model.label(a)),
      r.trace!.states.map((s) => model.vars(s)),
    );
    expect(replayed.kind).toBe('ok');
  });
});

describe('planted bug at depth 7', () => {
  const model = counters(9);

  test('BFS finds a minimal 7-step counterexample', () => {
    const r = search(model, { strategy: 'bfs', properties: [plantedBug] });
    expect(r.verdict).toBe('violated');
    expect(r.property).toBe('no (4,3)');
    expect(r.message).toBe('x = 4 and y = 3');
    expect(r.trace!.actions).toHaveLength(7);
    expect(r.trace!.states.at(-1)).toEqual({ x: 4, y: 3 });
    expectExecutes(model, r);
    // Minimal: no violation within 6 steps.
    const shallower = search(model, { strategy: 'bfs', properties: [plantedBug], maxDepth: 6 });
    expect(shallower.verdict).toBe('incomplete');
    expect(shallower.incompleteReason).toBe('max-depth');
  });

  test('DFS finds it too, with a real (not necessarily minimal) trace', () => {
    const r = search(model, { strategy: 'dfs', properties: [plantedBug] });
    expect(r.verdict).toBe('violated');
    expect(r.trace!.actions.length).toBeGreaterThanOrEqual(7);
    expect(r.trace!.states.at(-1)).toEqual({ x: 4, y: 3 });
    expectExecutes(model, r);
  });

  test('a violating initial state gives a trace of just that state', () => {
    const atStart: Property<Counters> = { name: 'positive', description: '', kind: 'always', check: (s) => (s.x + s.y > 0 ? undefined : 'zero') };
    const r = search(model, { strategy: 'dfs', properties: [atStart] });
    expect(r.verdict).toBe('violated');
    expect(r.states).toBe(1);
    expect(r.trace).toEqual({ states: [{ x: 0, y: 0 }], actions: [] });
  });
});

describe('bounds give incomplete, never holds', () => {
  test('maxStates on an infinite model', () => {
    for (const strategy of ['bfs', 'dfs'] as const) {
      const r = search(unbounded(), { strategy, properties: [], maxStates: 1000 });
      expect(r.verdict).toBe('incomplete');
      expect(r.incompleteReason).toBe('max-states');
      expect(r.states).toBe(1000);
    }
  });

  test('maxStates equal to the state count is not a cut', () => {
    expect(search(twoPhaseCommit(3), { strategy: 'bfs', properties: twoPhaseProperties, maxStates: 288 }).verdict).toBe('holds');
    const cut = search(twoPhaseCommit(3), { strategy: 'bfs', properties: twoPhaseProperties, maxStates: 287 });
    expect(cut.verdict).toBe('incomplete');
    expect(cut.incompleteReason).toBe('max-states');
  });

  test('maxDepth below the diameter cuts; at the diameter it does not', () => {
    for (const strategy of ['bfs', 'dfs'] as const) {
      const cut = search(twoPhaseCommit(3), { strategy, properties: twoPhaseProperties, maxDepth: 4 });
      expect(cut.verdict).toBe('incomplete');
      expect(cut.incompleteReason).toBe('max-depth');
      expect(cut.depth).toBeLessThanOrEqual(4);
    }
    // At depth 10 the states still have enabled actions (self-loops such as RMRcvCommitMsg). They only lead back
    // into the visited set, but the search cannot know that without expanding them: still incomplete.
    expect(search(twoPhaseCommit(3), { strategy: 'bfs', properties: twoPhaseProperties, maxDepth: 10 }).verdict).toBe('incomplete');
    expect(search(twoPhaseCommit(3), { strategy: 'bfs', properties: twoPhaseProperties, maxDepth: 11 }).verdict).toBe('holds');
  });

  test('timeout (injected clock)', () => {
    let t = 0;
    const r = search(unbounded(), { strategy: 'bfs', properties: [], timeoutMs: 50, now: () => (t += 10) });
    expect(r.verdict).toBe('incomplete');
    expect(r.incompleteReason).toBe('timeout');
    expect(r.seconds).toBeGreaterThanOrEqual(0.05);
  });

  test('onFinish: called once, after the last clock reading, whatever the verdict', () => {
    const finish = <S, A>(model: Model<S, A>, maxStates?: number): { verdict: string; calls: number; hookTimed: boolean } => {
      let t = 0;
      let calls = 0;
      const onFinish = (): void => {
        calls++;
        t += 1_000_000; // 1,000 s of the injected clock: `seconds` must not include them
      };
      const bound = maxStates !== undefined ? { maxStates } : {};
      const r = search(model, { strategy: 'bfs', properties: [], ...bound, now: () => (t += 10), onFinish });
      return { verdict: r.verdict, calls, hookTimed: r.seconds >= 1000 };
    };
    expect(finish(counters(9))).toEqual({ verdict: 'holds', calls: 1, hookTimed: false });
    expect(finish(unbounded(), 100)).toEqual({ verdict: 'incomplete', calls: 1, hookTimed: false });
    expect(finish(unbounded(5))).toEqual({ verdict: 'error', calls: 1, hookTimed: false });
  });

  test('an unwitnessed sometimes-property under a bound is incomplete, not violated', () => {
    const far: Property<number> = { name: 'reach 5000', description: '', kind: 'sometimes', check: (s) => (s === 5000 ? undefined : 'no') };
    const r = search(unbounded(), { strategy: 'bfs', properties: [far], maxStates: 100 });
    expect(r.verdict).toBe('incomplete');
    expect(r.witnessed).toEqual({ 'reach 5000': false });
  });

  test('a violation found before the bound still counts', () => {
    const r = search(counters(9), { strategy: 'bfs', properties: [plantedBug], maxStates: 1000, maxDepth: 50 });
    expect(r.verdict).toBe('violated');
  });
});

describe('sometimes properties and errors', () => {
  test('never reached in a complete search → violated', () => {
    const impossible: Property<Counters> = { name: 'x beyond limit', description: '', kind: 'sometimes', check: (s) => (s.x > 9 ? undefined : 'no') };
    const r = search(counters(9), { strategy: 'bfs', properties: [impossible] });
    expect(r.verdict).toBe('violated');
    expect(r.property).toBe('x beyond limit');
    expect(r.message).toBe('never reached');
    expect(r.trace).toBeUndefined();
    expect(r.states).toBe(100);
  });

  test('a ModelError is verdict error with a trace to the failing state', () => {
    const model = unbounded(5);
    const r = search(model, { strategy: 'dfs', properties: [] });
    expect(r.verdict).toBe('error');
    expect(r.message).toBe('inc: counter overflow at 5');
    expect(r.errorAction).toBe('inc');
    expect(r.trace!.states).toEqual([0, 1, 2, 3, 4, 5]);
  });

  test('other exceptions propagate', () => {
    const model: Model<number, number> = { ...unbounded(), next: () => { throw new TypeError('bug'); } } as unknown as Model<number, number>;
    expect(() => search(model, { strategy: 'bfs', properties: [] })).toThrow(TypeError);
  });

  test('options are validated', () => {
    expect(() => search(counters(2), { strategy: 'bfs', properties: [], symmetry: true })).toThrow(/canonical/);
    expect(() => search(counters(2), { strategy: 'xfs' as 'bfs', properties: [] })).toThrow(/strategy/);
    expect(() => search(counters(2), { strategy: 'bfs', properties: [], maxStates: -1 })).toThrow(/maxStates/);
    expect(() => search(counters(2), { strategy: 'bfs', properties: [plantedBug, plantedBug] })).toThrow(/two properties/);
  });
});

describe('frontier', () => {
  test('many initial states and a wide frontier (ring buffer growth and wrap-around)', () => {
    // 5000 initial states, each with a chain of 3 successors: 20000 states.
    const model: Model<[number, number], 'step'> = {
      initial: () => Array.from({ length: 5000 }, (_, i): [number, number] => [i, 0]),
      actions: (s) => (s[1] < 3 ? ['step'] : []),
      next: (s) => [s[0], s[1] + 1],
      key: (s) => `${s[0]}.${s[1]}`,
      label: () => 'step',
      vars: (s) => ({ id: s[0], n: s[1] }),
    };
    const deep: Property<[number, number]> = { name: 'deep', description: '', kind: 'sometimes', check: (s) => (s[0] === 4999 && s[1] === 3 ? undefined : 'no') };
    for (const strategy of ['bfs', 'dfs'] as const) {
      const r = search(model, { strategy, properties: [deep] });
      expect(r.verdict).toBe('holds');
      expect(r.states).toBe(20000);
      expect(r.transitions).toBe(15000);
      const w = r.witnesses['deep']!;
      expect(w.states[0]).toEqual([4999, 0]);
      expect(w.actions).toHaveLength(3);
    }
  });

  test('BFS discovers states in order of distance', () => {
    // In `counters` the distance of (x, y) from (0, 0) is x + y: increments add one, decX only leads back.
    const seen: number[] = [];
    const spy: Property<Counters> = { name: 'spy', description: '', kind: 'always', check: (s) => (seen.push(s.x + s.y), undefined) };
    search(counters(5), { strategy: 'bfs', properties: [spy] });
    expect(seen).toHaveLength(36);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });
});

describe('two-phase commit state type', () => {
  test('vars are JSON-like with Maps and Sets', () => {
    const m = twoPhaseCommit(2);
    const v = m.vars(m.initial()[0] as TwoPhaseState);
    expect(v.rmState).toEqual(new Map([['rm1', 'working'], ['rm2', 'working']]));
    expect(v.tmPrepared).toEqual(new Set());
  });
});
