import { describe, expect, test } from 'vitest';
import { formatTextTrace, differences, deepEqual, formatValue, printable, ABSENT, type PrintableTrace } from '../src/trace/index.js';
import { search } from '../src/explore/index.js';
import { counters, plantedBug } from './fixtures/explore-examples.js';

const vnic = (queue: number[], irq = false) => ({ queue, irq });

const trace: PrintableTrace = {
  steps: [
    { label: 'init', vars: { nic: { vnics: [vnic([]), vnic([])] }, clock: 0, mode: 'idle', seen: new Set<number>() } },
    { label: 'tx(vnic=1)', vars: { nic: { vnics: [vnic([]), vnic([7])] }, clock: 0, mode: 'idle', seen: new Set<number>() } },
    {
      label: 'tick',
      vars: { nic: { vnics: [vnic([]), vnic([7], true)] }, clock: 1, mode: 'idle', seen: new Set([7]) },
      micro: [{ from: 'timer', to: 'nic', label: 'tick' }],
    },
    { label: 'noop', vars: { nic: { vnics: [vnic([]), vnic([7], true)] }, clock: 1, mode: 'idle', seen: new Set([7]) } },
  ],
};

describe('text traces', () => {
  test('numbered steps showing only what changed, by path', () => {
    expect(formatTextTrace(trace)).toBe(
      [
        '0: init',
        '    nic = {vnics: [{queue: [], irq: false}, {queue: [], irq: false}]}',
        '    clock = 0',
        '    mode = "idle"',
        '    seen = Set{}',
        '1: tx(vnic=1)',
        '    nic.vnics[1].queue = [7]',
        '2: tick',
        '    | timer -> nic: tick',
        '    nic.vnics[1].irq = true',
        '    clock = 1',
        '    seen = Set{7}',
        '3: noop',
        '    (no change)',
        '',
      ].join('\n'),
    );
  });

  test('options: previous values, no micro', () => {
    const text = formatTextTrace(trace, { previous: true, micro: false });
    expect(text).toContain('    clock = 1  (was 0)');
    expect(text).not.toContain('timer -> nic');
  });

  test('Map entries, added and removed keys', () => {
    const d = differences({ m: new Map([['a', 1], ['b', 2]]), r: { x: 1 } }, { m: new Map([['a', 1], ['c', 3]]), r: { x: 1, 'y-z': 2 } });
    expect(d.map((x) => x.path)).toEqual(['m["b"]', 'm["c"]', 'r["y-z"]']);
    expect(d[0]!.after).toBe(ABSENT);
    const text = formatTextTrace({ steps: [{ label: 'init', vars: { m: new Map([['b', 2]]) } }, { label: 'del', vars: { m: new Map() } }] });
    expect(text).toContain('    m["b"] = (removed)');
  });

  test('a list that grew or shrank at its end shows only those elements; one that lost its head, the whole list', () => {
    const q = (...ids: number[]) => ({ queue: ids.map((id) => ({ id })) });
    const steps = [q(), q(1), q(1, 2, 3), q(1, 2), q(2)].map((vars, i) => ({ label: `s${i}`, vars }));
    const text = formatTextTrace({ steps });
    expect(text).toContain('1: s1\n    queue = [{id: 1}]\n');
    expect(text).toContain('2: s2\n    queue[1] = {id: 2}\n    queue[2] = {id: 3}\n');
    expect(text).toContain('3: s3\n    queue[2] = (removed)\n');
    expect(text).toContain('4: s4\n    queue = [{id: 2}]\n');
  });

  test('a search trace in printable form', () => {
    const model = counters(9);
    const r = search(model, { strategy: 'bfs', properties: [plantedBug] });
    const text = formatTextTrace(printable(model, r.trace!));
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('0: init');
    expect(lines.filter((l) => /^\d: /.test(l))).toHaveLength(8);
    expect(lines.filter((l) => l.startsWith('    '))).toHaveLength(2 + 7); // all vars at step 0, one change per step
  });

  test('value equality is structural', () => {
    expect(deepEqual(new Map([[1, 'a'], [2, 'b']]), new Map([[2, 'b'], [1, 'a']]))).toBe(true);
    expect(deepEqual(new Set([{ a: 1 }]), new Set([{ a: 1 }]))).toBe(true);
    expect(deepEqual(5, 5n)).toBe(true);
    expect(deepEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(deepEqual([1, 2], [2, 1])).toBe(false);
    expect(deepEqual({ a: [1] }, { a: [1, 2] })).toBe(false);
    expect(formatValue({ 'a b': [1, 'x'], m: new Map([[1, true]]) })).toBe('{"a b": [1, "x"], m: Map{1 => true}}');
  });
});
