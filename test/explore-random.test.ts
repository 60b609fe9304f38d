import { describe, expect, it } from 'vitest';
import { combine, randomSearch, runChunk, shrinkTrace, walkGenerator, Walker, type RandomOptions } from '../src/explore/random/index.js';
import type { Model, Property } from '../src/explore/model.js';
import { counters, lostUpdate, lostUpdateProperty, plantedBug, twoPhaseCommit, twoPhaseProperties, unbounded, type Counters } from './fixtures/explore-examples.js';

const opts = <S>(properties: readonly Property<S>[], o: Partial<RandomOptions<S>> = {}): RandomOptions<S> => ({
  properties,
  seed: 1,
  depth: 50,
  swarm: false,
  first: 0,
  end: 200,
  ...o,
});

/** Every step of `trace` is a real execution: each action enabled where it is taken and leading to the next state. */
function expectReal<S, A>(model: Model<S, A>, states: readonly S[], actions: readonly A[]): void {
  expect(model.key(states[0]!)).toBe(model.key(model.initial()[0]!));
  actions.forEach((a, i) => {
    expect(model.actions(states[i]!).map((x) => model.label(x))).toContain(model.label(a));
    expect(model.key(model.next(states[i]!, a))).toBe(model.key(states[i + 1]!));
  });
}

describe('random search', () => {
  it('finds the planted bug of counters(6), shrinks it to a real execution of at most 9 steps (BFS: 7)', () => {
    const model = counters(6);
    const r = randomSearch(model, opts([plantedBug]));
    expect(r.verdict).toBe('violated');
    expect(r.property).toBe('no (4,3)');
    const last = r.trace!.states[r.trace!.states.length - 1] as Counters;
    expect([last.x, last.y]).toEqual([4, 3]);
    expect(r.trace!.actions.length).toBeLessThanOrEqual(9);
    expect(r.shrink!.to).toBe(r.trace!.actions.length);
    expect(r.shrink!.from).toBeGreaterThanOrEqual(r.shrink!.to);
    expectReal(model, r.trace!.states, r.trace!.actions);
    // Counts stop at the walk that found it.
    expect(r.traces).toBe(r.walk! + 1);
  });

  it('is deterministic for a seed, and different seeds take different walks', () => {
    const model = twoPhaseCommit(3, { eagerCommit: true });
    const a = randomSearch(model, opts(twoPhaseProperties, { seed: 7 }));
    const b = randomSearch(twoPhaseCommit(3, { eagerCommit: true }), opts(twoPhaseProperties, { seed: 7 }));
    const strip = (r: typeof a) => ({ ...r, seconds: 0, stepsPerSecond: 0, shrinkSeconds: 0, renewals: 0, trace: r.trace?.actions.map((x) => model.label(x)) });
    expect(strip(a)).toEqual(strip(b));
    expect(a.verdict).toBe('violated');
    const walks = new Set([1, 2, 3, 4, 5].map((seed) => JSON.stringify(Array.from({ length: 8 }, () => walkGenerator(seed, 0).next()))));
    expect(walks.size).toBe(5);
  });

  it('gives the same result whatever the chunks: one range equals consecutive ranges combined', () => {
    const model = lostUpdate(3);
    const props = [lostUpdateProperty(3)];
    const walker = new Walker(model, props, { seed: 3, depth: 10, swarm: false });
    const whole = runChunk(walker, 0, 300);
    const parts = combine([runChunk(walker, 0, 1), runChunk(walker, 1, 2), runChunk(walker, 2, 300)]);
    expect(whole.found).toBeDefined();
    expect(parts).toEqual({ walks: whole.walks, steps: whole.steps, deadlocks: whole.deadlocks, found: whole.found, witnesses: whole.witnesses });
  });

  it('renewing the model to bound memory changes nothing but the count of renewals', () => {
    const props = twoPhaseProperties;
    const plain = randomSearch(twoPhaseCommit(3), opts(props, { seed: 9, end: 400, depth: 12 }));
    let built = 0;
    const renew = { heapBytes: 0, build: () => (built++, { model: twoPhaseCommit(3), properties: props }) };
    const renewed = randomSearch(twoPhaseCommit(3), opts(props, { seed: 9, end: 400, depth: 12, renew }));
    expect(built).toBeGreaterThan(0);
    expect(renewed.renewals).toBe(built);
    const strip = <T extends { seconds: number; stepsPerSecond: number; shrinkSeconds: number; renewals: number }>(r: T) => ({ ...r, seconds: 0, stepsPerSecond: 0, shrinkSeconds: 0, renewals: 0 });
    expect(strip(renewed)).toEqual(strip(plain));
  });

  it('reports no-violation-found (never holds) and where sometimes-properties were first witnessed', () => {
    const r = randomSearch(twoPhaseCommit(3), opts(twoPhaseProperties, { end: 300, depth: 30 }));
    expect(r.verdict).toBe('no-violation-found');
    expect(r.traces).toBe(300);
    expect(r.witnessed['commit agreement']).not.toBeNull();
    expect(r.witnessed['abort agreement']).not.toBeNull();
    // Its receive actions stay enabled; lost update's processes all finish after 2n steps, with nothing enabled.
    expect(r.deadlocks).toBe(0);
    const done = randomSearch(lostUpdate(3), opts([], { end: 50, depth: 30 }));
    expect([done.traces, done.deadlocks, done.steps]).toEqual([50, 50, 300]);
  });

  it('turns a ModelError into verdict error with the failing action, and stops on timeout', () => {
    const r = randomSearch(unbounded(5), opts([], { depth: 20, end: 3 }));
    expect(r.verdict).toBe('error');
    expect(r.message).toBe('inc: counter overflow at 5');
    expect(r.trace!.actions).toHaveLength(5);
    expect(r.errorAction).toBe('inc');
    let t = 0;
    const slow = randomSearch(unbounded(), opts([], { depth: 10_000, end: 1000, timeoutMs: 5, now: () => (t += 1) }));
    expect(slow.verdict).toBe('incomplete');
    expect(slow.incompleteReason).toBe('timeout');
  });

  it('swarm walks keep to the kinds they allow whenever one is enabled', () => {
    const model = lostUpdate(4);
    const walker = new Walker(model, [], { seed: 11, depth: 8, swarm: true });
    let restricted = 0;
    for (let w = 0; w < 40; w++) {
      walker.run(w);
      let s = model.initial()[0]!;
      for (let i = 0; i < walker.steps; i++) {
        const enabled = model.actions(s);
        const a = enabled[walker.taken[i]!]!;
        if (enabled.some((x) => walker.allows(x))) expect(walker.allows(a)).toBe(true);
        else restricted++;
        s = model.next(s, a);
      }
    }
    // Some walk met a state where no allowed kind was enabled and fell back to any action.
    expect(restricted).toBeGreaterThan(0);
  });

  it('shrinks to a 1-minimal execution: removing any single step loses the violation', () => {
    const model = counters(8);
    const long: Counters[] = [{ x: 0, y: 0 }];
    const actions = ['incX', 'incY', 'incX', 'decX', 'incX', 'incX', 'incY', 'incX', 'incX', 'decX', 'incY'] as const;
    for (const a of actions) long.push(model.next(long[long.length - 1]!, a));
    const r = shrinkTrace(model, [plantedBug], { kind: 'violated', property: 'no (4,3)' }, { states: long, actions: [...actions] }, undefined);
    expectReal(model, r.trace.states, r.trace.actions);
    expect(r.trace.actions.length).toBeLessThan(actions.length);
    expect(r.exhausted).toBe(false);
    const reaches = (steps: readonly string[]): boolean => {
      let s: Counters = { x: 0, y: 0 };
      for (const a of steps) {
        if (!model.actions(s).includes(a as 'incX')) continue;
        s = model.next(s, a as 'incX');
        if (plantedBug.check(s) !== undefined) return true;
      }
      return false;
    };
    const shrunk = r.trace.actions as string[];
    expect(reaches(shrunk)).toBe(true);
    shrunk.forEach((_, i) => expect(reaches(shrunk.filter((__, j) => j !== i))).toBe(false));

    // A budget of steps stops it early, with a real, still failing, execution.
    const cut = shrinkTrace(model, [plantedBug], { kind: 'violated', property: 'no (4,3)' }, { states: long, actions: [...actions] }, undefined, { maxSteps: 14 });
    expect(cut.exhausted).toBe(true);
    expectReal(model, cut.trace.states, cut.trace.actions);
    expect(plantedBug.check(cut.trace.states[cut.trace.states.length - 1]!)).toBeDefined();
  });

  it('cuts the cycles of a walk before any candidate: a state met twice loses the steps between', () => {
    const model = counters(8);
    const walk = ['incX', 'incX', 'decX', 'incX', 'decX', 'decX', 'incY', 'incY', 'incY', 'incX', 'incX', 'incX', 'incX'] as const;
    const states: Counters[] = [{ x: 0, y: 0 }];
    for (const a of walk) states.push(model.next(states[states.length - 1]!, a));
    const r = shrinkTrace(model, [plantedBug], { kind: 'violated', property: 'no (4,3)' }, { states, actions: [...walk] }, undefined, { maxTests: 1 });
    // Only the cycle pass ran (one candidate allowed: the original): 0→1→2→1→2→1→0 collapses to 0.
    expect(r.trace.actions).toEqual(['incY', 'incY', 'incY', 'incX', 'incX', 'incX', 'incX']);
    expectReal(model, r.trace.states, r.trace.actions);
  });
});
