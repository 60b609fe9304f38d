import { describe, expect, test, vi } from 'vitest';
import { ACTION_VAR, ItfError, deepEqual, formatItf, parseItf, printable, replayTrace, toItf, type PrintableTrace } from '../src/trace/index.js';
import { search } from '../src/explore/index.js';
import { twoPhaseCommit, twoPhaseProperties } from './fixtures/explore-examples.js';

function twoPhaseTrace(): PrintableTrace {
  const model = twoPhaseCommit(3);
  const r = search(model, { strategy: 'bfs', properties: twoPhaseProperties });
  return printable(model, r.witnesses['commit agreement']!);
}

describe('ITF encoding', () => {
  test('exact form: #meta, vars with action_taken, #bigint/#map/#set, one state per line', () => {
    const trace: PrintableTrace = {
      steps: [
        { label: 'init', vars: { n: 0, m: new Map([['a', [1, 2]]]), s: new Set(['x']), r: { ok: true } } },
        { label: 'inc', vars: { n: 5, m: new Map(), s: new Set<string>(), r: { ok: false } } },
      ],
    };
    expect(formatItf(trace, { source: 'toy', status: 'ok', description: 'test', timestamp: 1700000000000 })).toBe(
      [
        '{',
        '  "#meta": {"format":"ITF","format-description":"https://apalache-mc.org/docs/adr/015adr-trace.html","source":"toy","status":"ok","description":"test","timestamp":1700000000000},',
        '  "vars": ["n","m","s","r","action_taken"],',
        '  "states": [',
        '    {"#meta":{"index":0},"n":{"#bigint":"0"},"m":{"#map":[["a",[{"#bigint":"1"},{"#bigint":"2"}]]]},"s":{"#set":["x"]},"r":{"ok":true},"action_taken":"init"},',
        '    {"#meta":{"index":1},"n":{"#bigint":"5"},"m":{"#map":[]},"s":{"#set":[]},"r":{"ok":false},"action_taken":"inc"}',
        '  ]',
        '}',
        '',
      ].join('\n'),
    );
  });

  test('round trip: parse(encode(trace)) gives the same variables and labels', () => {
    const trace = twoPhaseTrace();
    const parsed = parseItf(formatItf(trace));
    expect(parsed.vars).toEqual(['rmState', 'tmState', 'tmPrepared', 'msgs', ACTION_VAR]);
    expect(parsed.trace.steps.map((s) => s.label)).toEqual(trace.steps.map((s) => s.label));
    expect(parsed.trace.steps).toHaveLength(11);
    parsed.trace.steps.forEach((step, i) => {
      expect(deepEqual(step.vars, trace.steps[i]!.vars)).toBe(true);
      expect(step.vars).toEqual(trace.steps[i]!.vars); // Maps and Sets come back as Maps and Sets
    });
    expect(parsed.states[0]![ACTION_VAR]).toBe('init');
    expect(parsed.meta).toMatchObject({ format: 'ITF', timestamp: 0 });
  });

  test('a parsed trace replays on the model', () => {
    const r = replayTrace(twoPhaseCommit(3), parseItf(formatItf(twoPhaseTrace())).trace);
    expect(r.kind).toBe('ok');
  });

  test('deterministic: same input, same bytes, whatever the clock says', () => {
    const a = formatItf(twoPhaseTrace());
    vi.useFakeTimers();
    try {
      vi.setSystemTime(new Date('2031-01-01T00:00:00Z'));
      const b = formatItf(twoPhaseTrace());
      expect(b).toBe(a);
    } finally {
      vi.useRealTimers();
    }
    expect(a).toContain('"timestamp":0');
  });

  test('values outside ITF round-trip through #unserializable; big integers stay exact', () => {
    const vars = { f: 0.5, z: null, u: undefined, nan: NaN, big: 2n ** 70n, neg: -3, list: [1.25, -7] };
    const text = formatItf({ steps: [{ label: 'init', vars }] });
    expect(text).toContain('"f":{"#unserializable":"0.5"}');
    expect(text).toContain('"big":{"#bigint":"1180591620717411303424"}');
    const back = parseItf(text).trace.steps[0]!.vars;
    expect(back).toEqual({ f: 0.5, z: null, u: undefined, nan: NaN, big: 2n ** 70n, neg: -3, list: [1.25, -7] });
  });

  test('encoding refuses what it cannot represent', () => {
    expect(() => toItf({ steps: [{ label: 'init', vars: { r: { '#bigint': '1' } } }] })).toThrow("steps[0].r: record key '#bigint' starts with '#'");
    expect(() => toItf({ steps: [{ label: 'init', vars: { f: () => 1 } }] })).toThrow('steps[0].f: cannot encode a function');
    expect(() => toItf({ steps: [{ label: 'init', vars: { action_taken: 'x' } }] })).toThrow(/reserved/);
    expect(() => toItf({ steps: [{ label: 'init', vars: { a: 1 } }, { label: 'x', vars: {} }] })).toThrow("steps[1]: missing variable 'a'");
  });
});

describe('ITF parsing errors are precise', () => {
  const meta = '"#meta": {"format": "ITF"}';
  const cases: [string, string][] = [
    ['{', 'not an ITF trace: invalid JSON'],
    ['[]', 'not an ITF trace: expected a JSON object at the top level'],
    ['{"vars": [], "states": []}', 'not an ITF trace: missing "#meta"'],
    ['{"#meta": {"format": "TLA"}, "vars": [], "states": []}', 'not an ITF trace: "#meta".format is "TLA", expected "ITF"'],
    [`{${meta}, "states": []}`, 'not an ITF trace: missing "vars"'],
    [`{${meta}, "vars": [1], "states": []}`, 'not an ITF trace: "vars" must be an array of strings'],
    [`{${meta}, "vars": ["a", "a"], "states": []}`, `not an ITF trace: "vars" lists 'a' twice`],
    [`{${meta}, "vars": ["a"]}`, 'not an ITF trace: missing "states"'],
    [`{${meta}, "vars": ["a"], "states": {}}`, 'not an ITF trace: "states" must be an array'],
    [`{${meta}, "vars": ["a"], "states": [7]}`, 'states[0]: expected an object'],
    [
      `{${meta}, "vars": ["nic", "x"], "states": [{"nic": true, "x": true}, {"nic": true, "x": true}, {"nic": true, "x": true}, {"x": true}]}`,
      "states[3]: missing variable 'nic'",
    ],
    [`{${meta}, "vars": ["a"], "states": [{"a": true, "b": true}]}`, "states[0]: unexpected variable 'b' (not in \"vars\")"],
    [`{${meta}, "vars": ["a"], "states": [{"#meta": {"index": 4}, "a": true}]}`, 'states[0]: "#meta".index is 4, expected 0'],
    [`{${meta}, "vars": ["a"], "states": [{"a": {"q": [true, {"#bigint": "1.5"}]}}]}`, 'states[0].a.q[1]["#bigint"]: expected a string of decimal digits'],
    [`{${meta}, "vars": ["a"], "states": [{"a": {"#map": [[1]]}}]}`, 'states[0].a["#map"][0]: expected a [key, value] pair'],
    [`{${meta}, "vars": ["a"], "states": [{"a": {"#foo": 1}}]}`, 'states[0].a: unknown ITF form "#foo"'],
    [`{${meta}, "vars": ["a"], "states": [{"a": {"#set": [], "x": 1}}]}`, 'states[0].a: "#set" must be the only key of its object'],
    [`{${meta}, "vars": ["a"], "states": [{"a": null}]}`, 'states[0].a: null is not an ITF value'],
    [`{${meta}, "vars": ["a"], "states": [{"a": 0.5}]}`, 'states[0].a: 0.5 is not an ITF value'],
    [`{${meta}, "vars": ["action_taken"], "states": [{"action_taken": {"#bigint": "1"}}]}`, 'states[0].action_taken: expected a string'],
  ];
  test.each(cases)('%s', (text, message) => {
    let error: unknown;
    try {
      parseItf(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ItfError);
    expect((error as Error).message.startsWith(message)).toBe(true);
  });

  test('accepts what other ITF writers produce: #tup, plain integers, params, no action_taken', () => {
    const parsed = parseItf(
      `{${meta}, "params": ["N"], "vars": ["t", "k"], "states": [{"N": {"#bigint": "3"}, "t": {"#tup": [1, "a"]}, "k": 2}, {"t": {"#tup": []}, "k": 3}]}`,
    );
    expect(parsed.trace.steps).toEqual([
      { label: 'init', vars: { t: [1, 'a'], k: 2 } },
      { label: '', vars: { t: [], k: 3 } },
    ]);
  });
});
