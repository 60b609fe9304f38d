/**
 * Stops that are not bounds: an aborted signal ('interrupted') and the memory budget ('memory'), on the object-level
 * and the packed strategies alike. Both report what was explored and leave the verdict 'incomplete'.
 */
import { describe, expect, test } from 'vitest';
import { search, searchAsync, type Model } from '../src/explore/index.js';
import { unbounded } from './fixtures/explore-examples.js';
import { objectOnly, unboundedPacked } from './fixtures/packed-examples.js';

const models: [string, Model<number, 'inc'>][] = [
  ['objects', objectOnly(unboundedPacked())],
  ['packed', unboundedPacked()],
];

describe.each(models)('%s', (_, model) => {
  test('a signal aborted before the search: interrupted at once', () => {
    const r = search(model, { strategy: 'bfs', properties: [], signal: AbortSignal.abort() });
    expect(r.verdict).toBe('incomplete');
    expect(r.incompleteReason).toBe('interrupted');
    expect(r.states).toBe(0);
  });

  test('searchAsync yields to the event loop, so a timer can interrupt it midway', async () => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 100);
    const r = await searchAsync(model, { strategy: 'dfs', properties: [], signal: stop.signal });
    expect(r.verdict).toBe('incomplete');
    expect(r.incompleteReason).toBe('interrupted');
    expect(r.states).toBeGreaterThan(0);
    expect(r.memoryBytes).toBeGreaterThan(0);
  });

  test('the memory budget: stops once the measured memory exceeds it', () => {
    let reads = 0;
    const r = search(model, { strategy: 'bfs', properties: [], memoryLimitBytes: 1000, memoryUsage: () => (++reads > 10 ? 2000 : 500) });
    expect(r.verdict).toBe('incomplete');
    expect(r.incompleteReason).toBe('memory');
    expect(r.states).toBeGreaterThan(0);
  });
});

test('workers > 1 need searchAsync', () => {
  expect(() => search(unbounded(), { strategy: 'bfs', properties: [], workers: 2 })).toThrow(/searchAsync/);
  expect(() => search(unbounded(), { strategy: 'bfs', properties: [], workers: 0 })).toThrow(/positive integer/);
});
