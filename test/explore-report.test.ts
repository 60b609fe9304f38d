import { describe, expect, test } from 'vitest';
import { formatBytes, formatCount, formatProgress, formatSummary, search, type Progress } from '../src/explore/index.js';
import { counters, plantedBug, twoPhaseCommit, twoPhaseProperties, unbounded } from './fixtures/explore-examples.js';

describe('progress', () => {
  test('reported about once per progressEveryMs of the injected clock', () => {
    let t = 0;
    const reports: Progress[] = [];
    const r = search(unbounded(), {
      strategy: 'bfs',
      properties: [],
      maxStates: 200_000,
      now: () => (t += 1), // 1 ms per reading
      progressEveryMs: 5,
      onProgress: (p) => reports.push(p),
    });
    expect(r.verdict).toBe('incomplete');
    expect(reports.length).toBeGreaterThan(2);
    for (let i = 1; i < reports.length; i++) {
      expect(reports[i]!.elapsedMs - reports[i - 1]!.elapsedMs).toBeGreaterThanOrEqual(5);
      expect(reports[i]!.states).toBeGreaterThan(reports[i - 1]!.states);
    }
    const last = reports.at(-1)!;
    expect(last.depth).toBe(last.states - 1); // a chain: depth = states - 1
    expect(last.queue).toBe(0); // the one state of the chain being expanded is off the queue
    expect(last.statesPerSecond).toBeGreaterThan(0);
    expect(last.memoryBytes).toBeGreaterThan(0);
  });

  test('the clock is read rarely (about every 4096 states at most), not per state', () => {
    let readings = 0;
    const r = search(unbounded(), { strategy: 'dfs', properties: [], maxStates: 400_000, now: () => (readings++, 0) });
    expect(r.states).toBe(400_000);
    expect(readings).toBeLessThan(400_000 / 1000);
  });

  test('progress line', () => {
    const line = formatProgress({ states: 1_234_567, depth: 12, queue: 4321, statesPerSecond: 345_678.4, memoryBytes: 50 * 1024 * 1024, elapsedMs: 3000 });
    expect(line).toBe('Progress(12) at 3.0s: 1,234,567 distinct states, 4,321 on queue, 345,678 states/s, memory 50.0 MiB');
  });
});

describe('summary', () => {
  test('holds', () => {
    const text = formatSummary(search(twoPhaseCommit(3), { strategy: 'bfs', properties: twoPhaseProperties }));
    expect(text).toContain('Model checking completed. No error has been found.');
    expect(text).toContain('288 distinct states found, 1,145 transitions, depth 10.');
    expect(text).toContain("sometimes 'commit agreement': witnessed after 10 steps");
  });

  test('violated, never reached, incomplete, error', () => {
    expect(formatSummary(search(counters(9), { strategy: 'bfs', properties: [plantedBug] }))).toMatch(
      /^Error: property 'no \(4,3\)' is violated: x = 4 and y = 3\nCounterexample: 7 steps\./,
    );
    const never = search(counters(2), {
      strategy: 'bfs',
      properties: [{ name: 'far', description: '', kind: 'sometimes', check: () => 'no' }],
    });
    expect(formatSummary(never)).toContain("Error: property 'far' (sometimes) was never reached.");
    expect(formatSummary(never)).toContain("sometimes 'far': not witnessed");
    expect(formatSummary(search(unbounded(), { strategy: 'bfs', properties: [], maxStates: 10 }))).toMatch(/^Search incomplete \(max-states\)/);
    expect(formatSummary(search(unbounded(3), { strategy: 'bfs', properties: [] }))).toMatch(
      /^Error: the model raised a specification error: inc: counter overflow at 3\nTrace to the failing state: 3 steps\./,
    );
  });

  test('number formats do not depend on the locale', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(1000)).toBe('1,000');
    expect(formatCount(1234567.6)).toBe('1,234,568');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
  });
});
