/**
 * The packed strategies (packed/bfs.ts, packed/dfs.ts) against the object-level search on the same models: the same
 * verdicts, counts, depths and traces, whatever the bounds — the packed form is only a faster way to the same answer.
 */
import { describe, expect, test } from 'vitest';
import { search, type Model, type Property, type SearchOptions, type SearchResult } from '../src/explore/index.js';
import { Layout } from '../src/explore/packed/layout.js';
import { VisitedTable } from '../src/explore/packed/visited.js';
import { plantedBug, twoPhaseProperties, type Counters } from './fixtures/explore-examples.js';
import { resultView } from './fixtures/result-view.js';
import { countersPacked, objectOnly, twoPhasePacked, unboundedPacked } from './fixtures/packed-examples.js';

/** What a user sees of a result, with traces as action labels. */
function view<S, A>(model: Model<S, A>, r: SearchResult<S, A>): unknown {
  const labels = (t: { actions: A[] } | undefined) => t?.actions.map((a) => model.label(a));
  return {
    ...resultView(model, r),
    witnessed: r.witnessed,
    traceStates: r.trace?.states.map((s) => model.key(s)),
    witnesses: Object.fromEntries(Object.entries(r.witnesses).map(([k, w]) => [k, labels(w)])),
    errorAction: r.errorAction !== undefined ? model.label(r.errorAction) : undefined,
  };
}

function agree<S, A>(model: Model<S, A>, options: SearchOptions<S>): SearchResult<S, A> {
  const packed = search(model, options);
  const object = search(objectOnly(model), options);
  expect(view(model, packed)).toEqual(view(model, object));
  return packed;
}

const strategies = ['bfs', 'dfs'] as const;

describe('packed search agrees with the object-level search', () => {
  test('two-phase commit, 3 and 5 RMs: 288 and 8,832 states, witnesses', () => {
    for (const strategy of strategies) {
      expect(agree(twoPhasePacked(3), { strategy, properties: twoPhaseProperties }).states).toBe(288);
      expect(agree(twoPhasePacked(5), { strategy, properties: twoPhaseProperties }).states).toBe(8832);
    }
  });

  test('planted bugs: the same counterexample, message from the object-level property', () => {
    for (const strategy of strategies) {
      const r = agree(twoPhasePacked(3, { eagerCommit: true }), { strategy, properties: twoPhaseProperties });
      expect(r.verdict).toBe('violated');
      expect(r.message).toMatch(/aborted while .* committed/);
      expect(agree(countersPacked(9), { strategy, properties: [plantedBug] }).verdict).toBe('violated');
    }
    expect(agree(countersPacked(9), { strategy: 'bfs', properties: [plantedBug] }).trace!.actions).toHaveLength(7);
  });

  test('a violating initial state', () => {
    const positive: Property<Counters> = { name: 'positive', description: '', kind: 'always', check: (s) => (s.x + s.y > 0 ? undefined : 'zero') };
    for (const strategy of strategies) expect(agree(countersPacked(3), { strategy, properties: [positive] }).states).toBe(1);
  });

  test('bounds: max-states, max-depth (below and at the diameter)', () => {
    for (const strategy of strategies) {
      for (const maxStates of [1, 100, 287, 288]) agree(twoPhasePacked(3), { strategy, properties: twoPhaseProperties, maxStates });
      for (const maxDepth of [0, 4, 10, 11]) agree(twoPhasePacked(3), { strategy, properties: twoPhaseProperties, maxDepth });
    }
  });

  test('an unbounded model: the layout widens as the counter grows, and the state bound stops it', () => {
    const far: Property<number> = { name: 'reach 5000', description: '', kind: 'sometimes', check: (s) => (s === 5000 ? undefined : 'no') };
    for (const strategy of strategies) {
      const r = agree(unboundedPacked(), { strategy, properties: [far], maxStates: 70_000 });
      expect(r.incompleteReason).toBe('max-states');
      expect(r.witnessed).toEqual({ 'reach 5000': true });
    }
  });

  test('a specification error: verdict error, message and action from the object-level model', () => {
    for (const strategy of strategies) {
      const r = agree(unboundedPacked(5), { strategy, properties: [] });
      expect(r.verdict).toBe('error');
      expect(r.message).toBe('inc: counter overflow at 5');
    }
  });

  test('fingerprint mode: the same states, and TLC’s collision estimate n·(g − n) / 2^64', () => {
    const r = search(twoPhasePacked(5), { strategy: 'bfs', properties: twoPhaseProperties, fingerprint: true });
    const exact = search(twoPhasePacked(5), { strategy: 'bfs', properties: twoPhaseProperties });
    expect(r.states).toBe(exact.states);
    expect(r.transitions).toBe(exact.transitions);
    expect(exact.fingerprintCollision).toBeUndefined();
    expect(r.fingerprintCollision).toBeCloseTo((8832 * (exact.transitions + 1 - 8832)) / 2 ** 64, 30);
    expect(() => search(objectOnly(twoPhasePacked(3)), { strategy: 'bfs', properties: [], fingerprint: true })).toThrow(/packed form/);
  });

  test('a property the packed form cannot decide: the search runs on objects', () => {
    const other: Property<Counters> = { name: 'other', description: '', kind: 'always', check: (s) => (s.x === 2 && s.y === 2 ? 'two' : undefined) };
    const r = search(countersPacked(5), { strategy: 'bfs', properties: [other] });
    expect(r.verdict).toBe('violated');
    expect(r.message).toBe('two');
  });
});

describe('layout and visited table', () => {
  test('fields pack first-fit by width, widen to what a value needs (at least a bit more), and round-trip', () => {
    const l = new Layout([3, 20, 10, 1, 31]);
    expect(l.words).toBe(3);
    const keys = new Int32Array(l.words);
    l.encode([5, 1_000_000, 1000, 1, 2 ** 31 - 1], keys, 0);
    const out = [0, 0, 0, 0, 0];
    l.decode(keys, 0, out);
    expect(out).toEqual([5, 1_000_000, 1000, 1, 2 ** 31 - 1]);
    l.set(keys, 0, 0, 8);
    expect(l.overflowed).toBe(true);
    expect([l.overflowField, l.overflowValue]).toEqual([0, 8]);
    expect(l.get(keys, 0, 0)).toBe(5); // untouched
    const w = l.widened(0, 8);
    expect(w.bits[0]).toBe(4); // bitsFor(8)
    expect(l.widened(0, 100).bits[0]).toBe(7); // bitsFor(100)
    expect(new Layout([6]).widened(0, 8).bits[0]).toBe(7); // one more than now, at least
    expect(() => l.widened(0, 2 ** 31)).toThrow(/cannot hold/);
  });

  test('find/insert across growth, and re-laying keys under a wider layout keeps every id', () => {
    const l = new Layout([4, 4]);
    const t = new VisitedTable(l.words, false, 16);
    const k = new Int32Array(l.words);
    let id = 0;
    for (let x = 0; x < 16; x++) {
      for (let y = 0; y < 16; y++) {
        l.encode([x, y], k, 0);
        expect(t.find(k, 0)).toBe(-1);
        if (t.full) {
          t.grow();
          t.find(k, 0);
        }
        t.insert(k, 0, id++);
      }
    }
    const w = l.widened(1, 100);
    const r = t.relaid(l, w);
    const kw = new Int32Array(w.words);
    for (let x = 0; x < 16; x++) {
      for (let y = 0; y < 16; y++) {
        w.encode([x, y], kw, 0);
        expect(r.find(kw, 0)).toBe(x * 16 + y);
      }
    }
  });
});
