import { describe, expect, test } from 'vitest';
import { replay, replayTrace, printable } from '../src/trace/index.js';
import { ModelError, search, type Model } from '../src/explore/index.js';
import { counters, plantedBug, twoPhaseCommit, twoPhaseProperties } from './fixtures/explore-examples.js';

describe('replay', () => {
  const model = twoPhaseCommit(3);

  test('a legal trace re-executes, with or without recorded variables', () => {
    const w = search(model, { strategy: 'bfs', properties: twoPhaseProperties }).witnesses['commit agreement']!;
    const labels = w.actions.map((a) => model.label(a));
    const plain = replay(model, labels);
    expect(plain.kind).toBe('ok');
    if (plain.kind === 'ok') {
      expect(plain.states.map((s) => model.key(s))).toEqual(w.states.map((s) => model.key(s)));
      expect(plain.actions).toEqual(w.actions);
    }
    expect(replayTrace(model, printable(model, w)).kind).toBe('ok');
  });

  test('an action that is not enabled is named with its step', () => {
    const r = replay(model, ['RMPrepare(rm1)', 'RMPrepare(rm2)', 'TMRcvPrepared(rm1)', 'TMCommit', 'RMRcvCommitMsg(rm1)']);
    expect(r).toEqual({
      kind: 'illegal',
      step: 4,
      message: expect.stringMatching(/^step 4: 'TMCommit' is not enabled here; enabled: 'TMAbort', 'TMRcvPrepared\(rm1\)',/),
    });
  });

  test('an unknown label', () => {
    const r = replay(model, ['dma.done(vnic=1)']);
    expect(r.kind === 'illegal' && r.message.startsWith("step 1: 'dma.done(vnic=1)' is not enabled here")).toBe(true);
  });

  test('a recorded state that differs is named with its step and first differing variable', () => {
    const w = search(model, { strategy: 'bfs', properties: twoPhaseProperties }).witnesses['commit agreement']!;
    const trace = printable(model, w);
    const vars = trace.steps.map((s) => s.vars);
    const tampered = vars.map((v, i) => (i === 3 ? { ...v, rmState: new Map([...(v.rmState as Map<string, string>)].map(([k, x]) => [k, k === 'rm2' ? 'aborted' : x])) } : v));
    const r = replay(model, trace.steps.slice(1).map((s) => s.label), tampered);
    expect(r.kind).toBe('illegal');
    if (r.kind === 'illegal') {
      expect(r.step).toBe(3);
      expect(r.message).toBe(`step 3: after '${trace.steps[3]!.label}', variable rmState["rm2"] is "prepared" but the trace has "aborted"`);
    }
  });

  test('the initial state is chosen by the recorded variables', () => {
    const two: Model<number, 'inc'> = {
      initial: () => [10, 20],
      actions: () => ['inc'],
      next: (s) => s + 1,
      key: String,
      label: () => 'inc',
      vars: (s) => ({ n: s }),
    };
    const r = replay(two, ['inc'], [{ n: 20 }, { n: 21 }]);
    expect(r.kind === 'ok' && r.states).toEqual([20, 21]);
    expect(replay(two, [], [{ n: 30 }])).toEqual({
      kind: 'illegal',
      step: 0,
      message: 'step 0: no initial state matches the recorded one (initial state 0: variable n is 10 but the trace has 30)',
    });
    expect(replay(two, ['inc'], [{ n: 10 }]).kind).toBe('illegal');
  });

  test('a specification error during replay', () => {
    const failing: Model<number, 'inc'> = {
      initial: () => [0],
      actions: () => ['inc'],
      next: (s) => {
        if (s === 2) throw new ModelError('overflow');
        return s + 1;
      },
      key: String,
      label: () => 'inc',
      vars: (s) => ({ n: s }),
    };
    expect(replay(failing, ['inc', 'inc', 'inc'])).toEqual({ kind: 'illegal', step: 3, message: "step 3: 'inc' raised a specification error: overflow" });
  });

  test('a DFS counterexample replays', () => {
    const m = counters(9);
    const r = search(m, { strategy: 'dfs', properties: [plantedBug] });
    expect(replayTrace(m, printable(m, r.trace!)).kind).toBe('ok');
  });
});
