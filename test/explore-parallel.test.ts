/**
 * The parallel breadth-first search (src/explore/parallel/) finds exactly what the one-thread search finds — states,
 * transitions, depth, queue, verdict, message, traces, witnesses — for any number of workers, also when a bound, a
 * violation or a specification error stops it mid-level. Workers run compiled JavaScript: the project is built first.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { search, searchAsync, type Model, type SearchOptions, type SearchResult } from '../src/explore/index.js';
import type { Fields, PackedAction } from '../src/explore/packed/adapter.js';
import { pmlModel, type PmlConfig } from '../bench/pml-model.js';
import { ensureBuilt } from './built.js';
import { resultView } from './fixtures/result-view.js';
import { setBatchForTests, setCollectAtForTests, setMaskWordsForTests, setSerialNumberingForTests } from '../src/explore/parallel/coordinator.js';
import { idOf, popcount } from '../src/explore/parallel/phases.js';

beforeAll(() => ensureBuilt(), 120_000);

function view(model: Model<Fields, PackedAction>, r: SearchResult<Fields, PackedAction>): unknown {
  return {
    ...resultView(model, r),
    last: r.trace?.states.at(-1),
    errorAction: r.errorAction !== undefined ? model.label(r.errorAction) : undefined,
    fingerprint: r.fingerprintCollision,
  };
}

async function agree(c: PmlConfig, extra: Partial<SearchOptions<Fields>> = {}, workers = [2, 3]): Promise<SearchResult<Fields, PackedAction>> {
  const { model, properties } = pmlModel(c);
  const options: SearchOptions<Fields> = { strategy: 'bfs', properties, ...extra };
  const one = search(model, options);
  for (const n of workers) {
    // Workers from the first level on, and taking over from the one-thread search midway; levels in one batch,
    // and in batches of 13 states (a level's batches must give the ids one batch gives).
    for (const [parallelAfter, batch] of [[0, 1 << 19], [500, 1 << 19], [0, 13]] as const) {
      setBatchForTests(batch);
      const many = await searchAsync(model, { ...options, workers: n, parallelAfter });
      setBatchForTests(1 << 19);
      expect(view(model, many)).toEqual(view(model, one));
      if (many.states > parallelAfter && many.depth > 3) expect(many.workers).toBe(n);
    }
  }
  return one;
}

describe('parallel BFS = one-thread BFS', () => {
  test('vnic.pml 2 × 2 and 2 × 3: all states, holds', async () => {
    expect((await agree({ vms: 2, capacity: 2 })).states).toBe(5127);
    expect((await agree({ vms: 2, capacity: 3 }, {}, [2])).verdict).toBe('holds');
  });

  test('threads collecting garbage whenever partitions grew (collect.ts): the same states and ids', async () => {
    const { model, properties } = pmlModel({ vms: 2, capacity: 2 });
    const one = search(model, { strategy: 'bfs', properties });
    setCollectAtForTests(0);
    try {
      const many = await searchAsync(model, { strategy: 'bfs', properties, workers: 2, parallelAfter: 0 });
      expect(view(model, many)).toEqual(view(model, one));
    } finally {
      setCollectAtForTests();
    }
  });

  test('numbering on this thread (as a batch a bound or violation stops), and action bits widened midway: the same', async () => {
    const { model, properties } = pmlModel({ vms: 2, capacity: 2 });
    const one = search(model, { strategy: 'bfs', properties });
    try {
      setSerialNumberingForTests(true);
      expect(view(model, await searchAsync(model, { strategy: 'bfs', properties, workers: 2, parallelAfter: 0 }))).toEqual(view(model, one));
      setSerialNumberingForTests(false);
      setMaskWordsForTests(0);
      expect(view(model, await searchAsync(model, { strategy: 'bfs', properties, workers: 2, parallelAfter: 0 }))).toEqual(view(model, one));
    } finally {
      setSerialNumberingForTests(false);
      setMaskWordsForTests();
    }
  });

  test('ids from action bits: (parent, action) order over several words', () => {
    expect([0, 1, 0x80000000, -1, 0x55555555].map(popcount)).toEqual([0, 1, 1, 32, 16]);
    // Frontier state 0: actions 3 and 40 gave new states; state 1: actions 0, 31, 32 and 63.
    const masks = new Int32Array([1 << 3, 1 << 8, 1 | (1 << 31), 1 | (1 << 31)]);
    const firsts = new Int32Array([100, 102]);
    expect([idOf(firsts, masks, 2, 0, 3), idOf(firsts, masks, 2, 0, 40)]).toEqual([100, 101]);
    expect([0, 31, 32, 63].map((a) => idOf(firsts, masks, 2, 1, a))).toEqual([102, 103, 104, 105]);
  });

  test('a planted violation (DMA wait bound 0): the same shortest counterexample and counts', async () => {
    const r = await agree({ vms: 2, capacity: 2, waitBound: 0 });
    expect(r.verdict).toBe('violated');
    expect(r.trace!.actions.length).toBeGreaterThan(0);
  });

  test('a planted specification error: the same state, action and counts', async () => {
    const r = await agree({ vms: 2, capacity: 2, failAtRing: 2 });
    expect(r.verdict).toBe('error');
    expect(r.message).toMatch(/rx.processed: action \d+ failed/);
  });

  test('bounds cut it where the one-thread search stops', async () => {
    for (const maxStates of [1, 7, 1000, 5126, 5127]) await agree({ vms: 2, capacity: 2 }, { maxStates }, [2]);
    for (const maxDepth of [0, 3, 10, 24]) await agree({ vms: 2, capacity: 2 }, { maxDepth }, [2]);
  });

  test('fingerprint mode', async () => {
    const r = await agree({ vms: 2, capacity: 2 }, { fingerprint: true }, [2]);
    expect(r.fingerprintCollision).toBeGreaterThan(0);
  });
});
