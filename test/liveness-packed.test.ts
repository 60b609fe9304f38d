/**
 * The liveness graph on packed states (src/explore/packed/graph.ts) is the graph on objects (liveness-graph.ts):
 * the same ids, edges, fair tasks, levels and discovering edges — so the same verdicts, counts and
 * lassos — on the checked system (including the mutants only liveness kills), under bounds and size hints; its stops
 * are the liveness check's; and a specification error found on packed states is reported as on objects.
 */
import { describe, expect, it } from 'vitest';
import { setUp, type CheckedSetup, type SystemVariant } from '../src/api/check-setup.js';
import { checkLiveness, type LivenessProperty, type Model } from '../src/explore/index.js';
import { buildGraph, obligationBases, type GraphOptions, type LivenessGraph } from '../src/explore/liveness-graph.js';
import { explorePackedGraph, type PackedLiveness } from '../src/explore/packed/graph.js';
import { fromPacked, type Fields, type PackedAction } from '../src/explore/packed/adapter.js';
import { Successors, type PackedModel } from '../src/explore/packed/model.js';
import type { Layout } from '../src/explore/packed/layout.js';
import { defaultCheckConfig, type CheckConfig } from '../spec/checked/config.js';
import { MUTANTS } from '../spec/mutants/index.js';

function packedGraphOf<S>(live: PackedLiveness<S>, model: Model<S, unknown>, properties: readonly LivenessProperty<S>[], options: GraphOptions = {}) {
  const steps = explorePackedGraph(live, model.initial(), obligationBases(properties).total, options);
  for (let r = steps.next(); ; r = steps.next()) if (r.done === true) return r.value;
}

function columns(g: LivenessGraph) {
  return {
    states: g.states,
    edges: g.edges,
    taskCount: g.taskCount,
    offsets: [...g.offsets],
    targets: [...g.targets],
    tasks: [...g.tasks.data.slice(0, g.edges)],
    levels: [...g.levels.data.slice(0, g.states * g.obligations)],
    via: [...g.via],
  };
}

/** Both graphs of `setup`'s liveness properties, and both checks' results (timings and the engine flag aside). */
function compare(setup: CheckedSetup, options: GraphOptions = {}, graphs = true) {
  if (graphs) {
    const live = setup.model.packedLiveness(setup.liveness)!;
    expect(live).toBeDefined();
    const packed = packedGraphOf(live, setup.model, setup.liveness, options);
    const objects = buildGraph(setup.model, setup.liveness, options);
    expect(columns(packed.graph)).toEqual(columns(objects.graph));
    expect([packed.cut, packed.depth]).toEqual([objects.cut, objects.depth]);
  }
  const untimed = ({ seconds: _s, graphSeconds: _g, packed: _p, ...rest }: ReturnType<typeof checkLiveness>) => rest;
  const p = checkLiveness(setup.model, setup.liveness, options);
  const o = checkLiveness(setup.model, setup.liveness, { ...options, objects: true });
  expect([p.packed, o.packed]).toEqual([true, false]);
  expect(untimed(p)).toEqual(untimed(o));
  return p;
}

const liveSetup = (config: Partial<CheckConfig>, variant?: SystemVariant) =>
  setUp(defaultCheckConfig(config), ['eventual-delivery'], variant !== undefined ? { variant } : {});

describe('the packed liveness graph is the object graph', () => {
  it.each([
    ['vnic, 2 VMs', { arch: 'vnic' }],
    ['mixed, 1 VM with churn', { arch: 'mixed', vms: 1, churn: true, roles: ['conforming'] }],
    ['xen-idd, 1 VM', { arch: 'xen-idd', vms: 1, roles: ['conforming'] }],
    ['vnic, 2 sizes, a hostile driver', { arch: 'vnic', sizes: [1, 2], drivers: ['honest', 'hostile'] }],
  ] as const)('%s: same graph, holds', (_name, config) => {
    expect(compare(liveSetup(config as Partial<CheckConfig>)).verdict).toBe('holds');
  });

  const killedByLiveness = MUTANTS.flatMap((m) => m.kills.filter((k) => k.killer === 'eventual-delivery').map((k) => [m.name, k.config, m.machines] as const));
  it.each(killedByLiveness)('mutant %s: the same lasso', (_name, config, machines) => {
    const r = compare(liveSetup(config, { machines }), {}, false);
    expect(r.verdict).toBe('violated');
    expect(r.lasso!.actions.length).toBeGreaterThan(r.lasso!.loop);
  });

  it('under bounds (a cut in the middle of an expansion, a depth cut) and wrong size hints: the same graph', () => {
    const setup = liveSetup({ arch: 'vnic' });
    expect(compare(setup, { maxStates: 2000 })).toMatchObject({ verdict: 'incomplete', incompleteReason: 'max-states' });
    expect(compare(setup, { maxDepth: 6 })).toMatchObject({ verdict: 'incomplete', incompleteReason: 'max-depth' });
    const exact = compare(setup);
    compare(setup, { expectedStates: exact.states, expectedEdges: exact.transitions });
    compare(setup, { expectedStates: 10, expectedEdges: 3 });
    compare(setup, { expectedStates: 5 * exact.states, expectedEdges: 5 * exact.transitions });
  });

  it('stops as the liveness check does: Ctrl-C, the memory budget and the clock end it as incomplete', () => {
    const setup = liveSetup({ arch: 'vnic' });
    expect(checkLiveness(setup.model, setup.liveness, { signal: AbortSignal.abort() })).toMatchObject({ verdict: 'incomplete', incompleteReason: 'interrupted', packed: true });
    expect(checkLiveness(setup.model, setup.liveness, { memoryLimitBytes: 1e9, memoryUsage: () => 2e9 })).toMatchObject({ verdict: 'incomplete', incompleteReason: 'memory', packed: true });
    let t = 0;
    expect(checkLiveness(setup.model, setup.liveness, { timeoutMs: 5, now: () => (t += 10) })).toMatchObject({ verdict: 'incomplete', incompleteReason: 'timeout', packed: true });
    // Size hints whose storage would not fit the budget are not taken: the graph grows as it goes.
    const huge = { expectedStates: 2 ** 40, expectedEdges: 2 ** 43, memoryLimitBytes: 1e9, memoryUsage: () => 1e8 };
    expect(checkLiveness(setup.model, setup.liveness, huge)).toMatchObject({ verdict: 'holds', packed: true });
  });
});

// ---- a packed model of one's own: self-loops written, a specification error ------------------------------------

/** x counts up to 4 ('inc'); 'stay' is a self-loop; with `failAt`, 'inc' from x = failAt is a specification error. */
function counter(failAt: number) {
  const pm: PackedModel = {
    fields: 1,
    expand(keys: Int32Array, at: number, layout: Layout, out: Successors): number {
      const x = layout.get(keys, at, 0);
      out.add(keys, at, 0);
      if (x >= 4) return 1;
      if (x === failAt) {
        out.error = 1;
        return 1;
      }
      const o = out.add(keys, at, 1);
      layout.set(out.keys, o, 0, x + 1);
      return 2;
    },
    check: () => -1,
    witness: () => 0,
  };
  const adapted = fromPacked({ model: pm, initial: [[0]], properties: [], label: (_s, a) => (a === 0 ? 'stay' : 'inc') });
  const outstanding: LivenessProperty<Fields> = {
    name: 'drains',
    description: 'x is eventually 0',
    kind: 'leads-to',
    obligations: ['x'],
    levels: (s) => [s[0]!],
    violation: () => 'x stays positive',
  };
  const live: PackedLiveness<Fields> = {
    binding: adapted.model.packed!([])!,
    tasks(keys, at, layout, out) {
      out[0] = 0; // 'stay' is fair, 'inc' is not
      if (layout.get(keys, at, 0) >= 4) return 1;
      out[1] = -1;
      return 2;
    },
    levels(keys, at, layout, out) {
      out[0] = layout.get(keys, at, 0);
    },
  };
  const model: Model<Fields, PackedAction> = { ...adapted.model, fairTask: (_s, a) => (a.label === 'stay' ? 0 : -1), packedLiveness: () => live };
  return { model, outstanding };
}

describe('a packed model of its own', () => {
  it('the same lasso on packed states and on objects', () => {
    const { model, outstanding } = counter(-1);
    const p = checkLiveness(model, [outstanding]);
    const o = checkLiveness(model, [outstanding], { objects: true });
    expect(p).toMatchObject({ verdict: 'violated', packed: true, states: 5, transitions: 9 });
    expect(p.lasso!.actions.map((a) => a.label)).toEqual(['inc', 'stay']);
    expect({ ...p, seconds: 0, graphSeconds: 0, packed: false }).toEqual({ ...o, seconds: 0, graphSeconds: 0 });
  });

  it('a specification error: the same message, action and trace as on objects', () => {
    const { model, outstanding } = counter(2);
    const p = checkLiveness(model, [outstanding]);
    const o = checkLiveness(model, [outstanding], { objects: true });
    expect(p).toMatchObject({ verdict: 'error', packed: true, message: 'inc: action 1 failed' });
    expect(p.trace!.states).toEqual([[0], [1], [2]]);
    expect({ ...p, seconds: 0, graphSeconds: 0, packed: false }).toEqual({ ...o, seconds: 0, graphSeconds: 0 });
  });
});
