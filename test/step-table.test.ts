/**
 * The memo's dense step table against a Map: cells are found again with the values set, cells never set read as
 * UNKNOWN, across new event columns (re-laying the rows), new rows, and the switch to the wide layout that large
 * state ids or many effects force.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BAD, DISABLED, StepTable, UNKNOWN } from '../src/network/step-table.js';

type Op = { state: number; event: number; next: number; effect: number };

const op = (maxNext: number, maxEffect: number): fc.Arbitrary<Op> =>
  fc.record({
    state: fc.integer({ min: 0, max: 300 }),
    event: fc.integer({ min: 0, max: 40 }),
    next: fc.oneof(fc.integer({ min: 0, max: maxNext }), fc.constant(DISABLED), fc.constant(BAD)),
    effect: fc.integer({ min: 0, max: maxEffect }),
  });

function check(ops: readonly Op[]): void {
  const table = new StepTable();
  const model = new Map<string, { next: number; effect: number }>();
  const cellOf = (state: number, event: number): number => table.cell(state, event);
  for (const o of ops) {
    const k = `${o.state},${o.event}`;
    if (model.has(k)) continue; // the memo sets a cell once
    const cell = cellOf(o.state, o.event);
    expect(table.nextOf(cell)).toBe(UNKNOWN);
    table.set(cell, o.next, o.effect);
    model.set(k, { next: o.next, effect: o.effect });
  }
  expect(table.size).toBe(model.size);
  for (const [k, v] of model) {
    const [state, event] = k.split(',').map(Number) as [number, number];
    const cell = cellOf(state, event);
    expect(table.nextOf(cell), k).toBe(v.next);
    if (v.next >= 0) expect(table.effectOf(cell), k).toBe(v.effect);
  }
  // A few cells never set.
  for (let state = 0; state < 5; state++) {
    for (let event = 41; event < 44; event++) expect(table.nextOf(cellOf(state, event))).toBe(UNKNOWN);
  }
}

describe('StepTable', () => {
  it('agrees with a Map (narrow cells: small ids and few effects)', () => {
    fc.assert(fc.property(fc.array(op(5000, 100), { maxLength: 600 }), check), { numRuns: 100, seed: 11 });
  });

  it('agrees with a Map when large state ids or many effects switch it to the wide layout mid-way', () => {
    fc.assert(fc.property(fc.array(op(2 ** 26, 5000), { maxLength: 600 }), check), { numRuns: 100, seed: 12 });
  });

  it('keeps every cell when it widens after many narrow ones', () => {
    const table = new StepTable();
    const cells: [number, number, number][] = [];
    for (let s = 0; s < 200; s++) {
      for (let e = 0; e < 10; e++) {
        const cell = table.cell(s, e);
        table.set(cell, s * 10 + e, (s + e) % 127);
        cells.push([s, e, s * 10 + e]);
      }
    }
    table.set(table.cell(200, 0), 2 ** 25, 1); // forces the wide layout
    for (const [s, e, next] of cells) {
      expect(table.nextOf(table.cell(s, e))).toBe(next);
      expect(table.effectOf(table.cell(s, e))).toBe((s + e) % 127);
    }
    expect(table.nextOf(table.cell(200, 0))).toBe(2 ** 25);
  });
});
