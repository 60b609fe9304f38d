/**
 * The liveness checker on hand-made graphs: fair against unfair cycles, tasks disabled somewhere on a cycle,
 * self-loops, prefixes, bounds; and on random small graphs against a brute-force search that does not use
 * strongly connected components at all.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkLasso, checkLiveness, checkLivenessAsync, type Lasso } from '../src/explore/index.js';
import { graphModel, graphProperty, type Edge, type GraphAction, type GraphSpec } from './fixtures/graph-models.js';

const ALL = { 0: 1, 1: 1, 2: 1, 3: 1, 4: 1, 5: 1 };

function check(spec: GraphSpec, options: Parameters<typeof checkLiveness>[2] = {}) {
  const model = graphModel(spec);
  const property = graphProperty(spec);
  const r = checkLiveness(model, [property], options);
  if (r.lasso !== undefined) {
    // Every lasso the checker prints is one its own judge (used by replay) accepts as a fair violation.
    expect(checkLasso(model, [property], r.lasso)).toMatchObject({ kind: 'violated' });
  }
  return r;
}

const nodes = (l: Lasso<number, GraphAction> | undefined): number[] => l?.states ?? [];

describe('fair cycles on hand-made graphs', () => {
  it('a plain cycle with the obligation open everywhere is a violation; its lasso closes on its first state', () => {
    const r = check({ initial: [0], level: ALL, edges: [{ from: 0, to: 1, task: -1 }, { from: 1, to: 0, task: -1 }] });
    expect(r.verdict).toBe('violated');
    expect(r.obligation).toBe('o');
    expect(r.lasso!.loop).toBe(0);
    expect(nodes(r.lasso)).toEqual([0, 1, 0]);
  });

  it('a cycle is unfair when a task enabled in all its states is never taken on it (here: the escape)', () => {
    const r = check({
      initial: [0],
      level: { 0: 1, 1: 1 },
      edges: [
        { from: 0, to: 1, task: -1 },
        { from: 1, to: 0, task: -1 },
        { from: 0, to: 2, task: 7 },
        { from: 1, to: 2, task: 7 },
      ],
    });
    expect(r.verdict).toBe('holds');
  });

  it('a task disabled in one state of the cycle does not make it unfair', () => {
    const r = check({
      initial: [0],
      level: ALL,
      edges: [
        { from: 0, to: 1, task: -1 },
        { from: 1, to: 0, task: -1 },
        { from: 0, to: 2, task: 7 },
      ],
    });
    expect(r.verdict).toBe('violated');
  });

  it('a task taken on the cycle keeps it fair, and a cycle on which the level falls (and rises again) is progress', () => {
    const fair = check({ initial: [0], level: ALL, edges: [{ from: 0, to: 1, task: 3 }, { from: 1, to: 0, task: 3 }, { from: 0, to: 2, task: 3 }] });
    expect(fair.verdict).toBe('violated');
    const progress = check({ initial: [0], level: { 0: 1, 1: 2 }, edges: [{ from: 0, to: 1, task: -1 }, { from: 1, to: 0, task: -1 }] });
    expect(progress.verdict).toBe('holds');
  });

  it('an environment self-loop is not fair while a task waits; a self-loop taking the task is', () => {
    const env = check({ initial: [0], level: ALL, edges: [{ from: 0, to: 0, task: -1 }, { from: 0, to: 1, task: 2 }] });
    expect(env.verdict).toBe('holds');
    const stuck = check({ initial: [0], level: ALL, edges: [{ from: 0, to: 0, task: 2 }, { from: 0, to: 1, task: 5 }] });
    expect(stuck.verdict).toBe('holds'); // task 5 is enabled and never taken on the self-loop
    const livelock = check({ initial: [0], level: ALL, edges: [{ from: 0, to: 0, task: 2 }] });
    expect(livelock.verdict).toBe('violated');
    expect(nodes(livelock.lasso)).toEqual([0, 0]);
  });

  it('the obligation must be outstanding in every state of the cycle', () => {
    const r = check({ initial: [0], level: { 0: 1, 1: 0 }, edges: [{ from: 0, to: 1, task: -1 }, { from: 1, to: 0, task: -1 }] });
    expect(r.verdict).toBe('holds');
  });

  it('the lasso goes round the part of the component that makes the cycle fair, not the shortest cycle', () => {
    // 0 <-> 1 is the shortest cycle but task 7 is enabled in both and never taken there; 2 disables it.
    const spec: GraphSpec = {
      initial: [0],
      level: { 0: 1, 1: 1, 2: 1 },
      edges: [
        { from: 0, to: 1, task: -1 },
        { from: 1, to: 0, task: -1 },
        { from: 1, to: 2, task: -1 },
        { from: 2, to: 1, task: -1 },
        { from: 0, to: 3, task: 7 },
        { from: 1, to: 3, task: 7 },
      ],
    };
    const r = check(spec);
    expect(r.verdict).toBe('violated');
    expect(nodes(r.lasso)).toContain(2);
    expect(r.lasso!.states.at(-1)).toBe(r.lasso!.states[r.lasso!.loop]);
  });

  it('a prefix leads to the shallowest state of the cycle', () => {
    const r = check({
      initial: [0],
      level: { 2: 1, 3: 1, 4: 1 },
      edges: [
        { from: 0, to: 1, task: -1 },
        { from: 1, to: 2, task: -1 },
        { from: 2, to: 3, task: -1 },
        { from: 3, to: 4, task: -1 },
        { from: 4, to: 2, task: -1 },
      ],
    });
    expect(r.lasso!.loop).toBe(2);
    expect(nodes(r.lasso)).toEqual([0, 1, 2, 3, 4, 2]);
  });

  it('names the obligation that stays open, among several', () => {
    const r = check({
      initial: [0],
      obligations: ['a', 'b'],
      level: { 0: 1, 1: 2 },
      more: [{ 0: 1, 1: 1 }],
      edges: [{ from: 0, to: 1, task: -1 }, { from: 1, to: 0, task: -1 }],
    });
    expect(r.verdict).toBe('violated');
    expect(r.obligation).toBe('b');
    expect(r.message).toBe('b stays outstanding');
  });

  it('bounds: a cut graph proves nothing, but a cycle in what was explored is still a violation', () => {
    const ring = (n: number): Edge[] => Array.from({ length: n }, (_, i) => ({ from: i, to: (i + 1) % n, task: -1 }));
    const level = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [i, 1]));
    expect(check({ initial: [0], level, edges: ring(10) }, { maxStates: 5 })).toMatchObject({ verdict: 'incomplete', incompleteReason: 'max-states' });
    const early: GraphSpec = { initial: [0], level, edges: [{ from: 0, to: 0, task: -1 }, ...ring(10).slice(1)] };
    expect(check(early, { maxStates: 5 }).verdict).toBe('violated');
  });

  it('a cycle of 100,000 states: no recursion limit', () => {
    const n = 100_000;
    const edges = Array.from({ length: n }, (_, i) => ({ from: i, to: (i + 1) % n, task: i % 3 }));
    const r = checkLiveness(graphModel({ initial: [0], level: {}, edges }), [{ ...graphProperty({ initial: [0], level: {}, edges }), levels: () => [1] }]);
    expect(r.verdict).toBe('violated');
    expect(r.lasso!.actions.length).toBe(n);
  });

  it('stops: Ctrl-C (an aborted signal), the memory budget and the clock end it as incomplete; async gives the same verdicts', async () => {
    const n = 10_000;
    const spec: GraphSpec = { initial: [0], level: {}, edges: Array.from({ length: n }, (_, i) => ({ from: i, to: (i + 1) % n, task: -1 })) };
    const model = graphModel(spec);
    const property = { ...graphProperty(spec), levels: () => [1] };
    expect(checkLiveness(model, [property], { signal: AbortSignal.abort() })).toMatchObject({ verdict: 'incomplete', incompleteReason: 'interrupted' });
    expect(checkLiveness(model, [property], { memoryLimitBytes: 1e9, memoryUsage: () => 2e9 })).toMatchObject({ verdict: 'incomplete', incompleteReason: 'memory' });
    let t = 0;
    expect(checkLiveness(model, [property], { timeoutMs: 5, now: () => (t += 10) })).toMatchObject({ verdict: 'incomplete', incompleteReason: 'timeout' });
    const sync = checkLiveness(model, [property]);
    const async = await checkLivenessAsync(model, [property]);
    expect(sync.verdict).toBe('violated');
    expect({ ...async, seconds: 0, graphSeconds: 0 }).toEqual({ ...sync, seconds: 0, graphSeconds: 0 });
  });

  it('checkLasso rejects a cycle that does not close and one that is not fair', () => {
    const spec: GraphSpec = { initial: [0], level: ALL, edges: [{ from: 0, to: 1, task: -1 }, { from: 1, to: 0, task: -1 }, { from: 0, to: 2, task: 4 }, { from: 1, to: 2, task: 4 }] };
    const model = graphModel(spec);
    const [a, b] = [model.actions(0)[0]!, model.actions(1)[0]!];
    expect(checkLasso(model, [graphProperty(spec)], { states: [0, 1], actions: [a], loop: 0 }).kind).toBe('not-closed');
    expect(checkLasso(model, [graphProperty(spec)], { states: [0, 1, 0], actions: [a, b], loop: 0 })).toMatchObject({ kind: 'unfair', task: 4 });
  });
});

// ---- against brute force ---------------------------------------------------------------------------------------

/**
 * Whether some fair behaviour keeps obligation 0 outstanding forever without its level falling, decided without
 * components: the edges a behaviour takes infinitely often form a non-empty, strongly connected set of edges that
 * keep the level positive and never lower it, reachable from an initial state, in which every task enabled at all
 * of its states is taken. Enumerate every such edge set.
 */
function bruteForce(spec: GraphSpec): boolean {
  const reach = new Set<number>(spec.initial);
  for (let changed = true; changed; ) {
    changed = false;
    for (const e of spec.edges) {
      if (reach.has(e.from) && !reach.has(e.to)) {
        reach.add(e.to);
        changed = true;
      }
    }
  }
  const level = (v: number) => spec.level[v] ?? 0;
  const kept = spec.edges.filter((e) => reach.has(e.from) && level(e.from) > 0 && level(e.to) >= level(e.from));
  for (let subset = 1; subset < 1 << kept.length; subset++) {
    const es = kept.filter((_, i) => (subset & (1 << i)) !== 0);
    const vs = [...new Set(es.flatMap((e) => [e.from, e.to]))];
    const reachableWithin = (from: number): Set<number> => {
      const seen = new Set([from]);
      for (let changed = true; changed; ) {
        changed = false;
        for (const e of es) {
          if (seen.has(e.from) && !seen.has(e.to)) {
            seen.add(e.to);
            changed = true;
          }
        }
      }
      return seen;
    };
    if (!vs.every((v) => reachableWithin(v).size === vs.length && es.some((e) => e.from === v))) continue;
    const enabledAt = (v: number) => new Set(spec.edges.filter((e) => e.from === v && e.task >= 0).map((e) => e.task));
    const always = vs.map(enabledAt).reduce((a, b) => new Set([...a].filter((t) => b.has(t))));
    if ([...always].every((t) => es.some((e) => e.task === t))) return true;
  }
  return false;
}

const arbGraph: fc.Arbitrary<GraphSpec> = fc
  .integer({ min: 1, max: 6 })
  .chain((n) =>
    fc.record({
      initial: fc.constant([0]),
      edges: fc.array(
        fc.record({
          from: fc.integer({ min: 0, max: n - 1 }),
          to: fc.integer({ min: 0, max: n - 1 }),
          task: fc.integer({ min: -1, max: 2 }),
        }),
        { maxLength: 11 },
      ),
      level: fc.array(fc.constantFrom(0, 1, 1, 1, 2), { minLength: n, maxLength: n }).map((xs) => Object.fromEntries(xs.map((x, i) => [i, x]))),
    }),
  );

describe('against a brute-force search over edge sets (fast-check)', () => {
  it('finds a violation exactly when one exists, and every lasso it prints is a fair violation', () => {
    const seen = { holds: 0, violated: 0 };
    fc.assert(
      fc.property(arbGraph, (spec) => {
        const r = check(spec);
        const expected = bruteForce(spec) ? 'violated' : 'holds';
        expect(r.verdict).toBe(expected);
        seen[expected]++;
      }),
      { numRuns: 500 },
    );
    // Both verdicts were met often: the comparison covered fair and unfair cycles alike.
    expect(Math.min(seen.holds, seen.violated)).toBeGreaterThan(100);
  });
});
