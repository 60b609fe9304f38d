/**
 * Lassos (liveness counterexamples) in every trace format: the text marks where the cycle starts and that it goes
 * back; ITF carries ADR-015's "loop" and reads it back (and refuses a bad one); Mermaid draws the cycle in a
 * `loop` block; replay re-executes the lasso and checks that its last state is the state the cycle starts from.
 */
import { describe, expect, test } from 'vitest';
import { checkLiveness } from '../src/explore/index.js';
import { ItfError, formatItf, formatTextTrace, parseItf, printable, replayTrace, toMermaid, type PrintableTrace } from '../src/trace/index.js';
import { graphModel, graphProperty, type GraphSpec } from './fixtures/graph-models.js';

// 0 → 1 → 2 → 1 …: a prefix of one step, then a cycle of two.
const spec: GraphSpec = {
  initial: [0],
  level: { 1: 1, 2: 1 },
  edges: [
    { from: 0, to: 1, task: -1 },
    { from: 1, to: 2, task: 0 },
    { from: 2, to: 1, task: 1 },
  ],
};
const model = graphModel(spec);

function lasso(): PrintableTrace {
  const r = checkLiveness(model, [graphProperty(spec)]);
  expect(r.verdict).toBe('violated');
  return printable(model, r.lasso!);
}

describe('a lasso in each format', () => {
  test('the checker gives it with its loop index; printable keeps it', () => {
    const t = lasso();
    expect(t.loop).toBe(1);
    expect(t.steps.map((s) => s.vars['node'])).toEqual([0, 1, 2, 1]);
  });

  test('text: the cycle is marked before its first step, and the end goes back to the state of step `loop`', () => {
    expect(formatTextTrace(lasso())).toBe(
      [
        '0: init',
        '    node = 0',
        '1: e0: 0->1',
        '    node = 1',
        '-- cycle: steps 2..3 repeat forever --',
        '2: e1: 1->2 [t0]',
        '    node = 2',
        '3: e2: 2->1 [t1]',
        '    node = 1',
        '-- back to the state of step 1 --',
        '',
      ].join('\n'),
    );
  });

  test('ITF: a top-level "loop" after the states, read back by parseItf', () => {
    const text = formatItf(lasso());
    expect(text).toMatch(/\],\n {2}"loop": 1\n\}\n$/);
    expect(JSON.parse(text).loop).toBe(1);
    const parsed = parseItf(text);
    expect(parsed.trace.loop).toBe(1);
    // A finite trace has no "loop" at all.
    const finite = formatItf({ steps: lasso().steps });
    expect(JSON.parse(finite)).not.toHaveProperty('loop');
    expect(parseItf(finite).trace.loop).toBeUndefined();
  });

  test.each([
    [-1, /"loop" must be the index of one of its 4 states, got -1/],
    [4, /"loop" must be the index of one of its 4 states, got 4/],
    ['1', /"loop" must be the index of one of its 4 states, got "1"/],
    [1.5, /"loop" must be the index/],
  ])('ITF: a bad "loop" (%j) is refused, naming it', (loop, message) => {
    const itf = JSON.parse(formatItf(lasso())) as Record<string, unknown>;
    itf['loop'] = loop;
    expect(() => parseItf(JSON.stringify(itf))).toThrow(ItfError);
    expect(() => parseItf(JSON.stringify(itf))).toThrow(message);
  });

  test('Mermaid: the steps of the cycle inside a loop block', () => {
    const out = toMermaid(lasso(), { participants: ['env'] });
    expect(out.split('\n')).toEqual([
      'sequenceDiagram',
      '  participant env',
      '  Note over env: 0. init',
      '  Note over env: 1. e0: 0-#62;1',
      '  loop steps 2 to 3 repeat forever, back to the state of step 1',
      '    Note over env: 2. e1: 1-#62;2 [t0]',
      '    Note over env: 3. e2: 2-#62;1 [t1]',
      '  end',
      '',
    ]);
  });
});

describe('replaying a lasso', () => {
  test('it re-executes prefix and cycle, and checks that the cycle returns to its first state', () => {
    const r = replayTrace(model, parseItf(formatItf(lasso())).trace);
    expect(r).toMatchObject({ kind: 'ok', loop: 1 });
  });

  test('a cycle that does not come back is refused, naming the step and what differs', () => {
    const t = lasso();
    const r = replayTrace(model, { steps: t.steps, loop: 0 });
    expect(r).toEqual({ kind: 'illegal', step: 3, message: 'step 3 does not return to the state of step 0, where the cycle starts (node is 1 there, 0 at step 0)' });
    expect(replayTrace(model, { steps: t.steps, loop: 3 })).toMatchObject({ kind: 'illegal', message: 'the cycle must have a step: it starts at step 3, the last step is 3' });
  });
});
