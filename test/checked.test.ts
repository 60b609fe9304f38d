/**
 * The expected verdicts of issue "State-space explorer, properties and counterexample traces", on the same spec/
 * machines the simulator runs (spec/checked/model.ts composes them; properties/checked.ts states the properties).
 * State counts are pinned like TLA+ Examples' manifests: a change to the spec that changes them should be noticed.
 */
import { getAdjacencyMap } from '@xstate/graph';
import { describe, expect, it } from 'vitest';
import { search, type Model, type SearchResult, type Strategy } from '../src/explore/index.js';
import { compileMachine, type EventObject, type MachineState } from '../src/machine/index.js';
import { defaultCheckConfig, type CheckShortcuts } from '../spec/checked/config.js';
import { canonicalJson } from '../src/util/canonical-json.js';
import { buildCheckedSystem, CheckedModel, type CheckAction, type CheckedState } from '../spec/checked/model.js';
import { sharedNicMachine, type SharedNicContext, type SharedNicEvent, type SharedNicInput } from '../spec/nic-shared.js';
import type { Packet } from '../spec/packet.js';
import { vnicMachine, type VnicContext, type VnicEvent } from '../spec/vnic.js';
import { PROPERTY_NAMES, propertiesFor } from '../properties/checked.js';

function check(config: CheckShortcuts, o: { strategy?: Strategy; symmetry?: boolean; properties?: string[] } = {}) {
  const sys = buildCheckedSystem(defaultCheckConfig(config));
  const { properties, stepChecks } = propertiesFor(sys, o.properties ?? PROPERTY_NAMES);
  const model = new CheckedModel(sys, { stepChecks });
  const result: SearchResult<CheckedState, CheckAction> = search(model, { strategy: o.strategy ?? 'bfs', properties, symmetry: o.symmetry ?? false });
  const labels = result.trace?.actions.map((a) => model.label(a)) ?? [];
  return { result, labels, model };
}

describe('xen-idd: the shared device buffer lets a flooding VM starve a conforming one', () => {
  it('violates no-cross-vm-starvation, and BFS gives the shortest trace: four floods fill the buffer, then the conforming packet is rejected', () => {
    const { result, labels } = check({ arch: 'xen-idd' });
    expect(result.verdict).toBe('violated');
    expect(result.property).toBe('no-cross-vm-starvation');
    expect(labels).toEqual(['arrive(vm1, flooding)', 'arrive(vm1, flooding)', 'arrive(vm1, flooding)', 'arrive(vm1, flooding)', 'arrive(vm0, conforming)']);
    expect(result.message).toContain('device-buffer-full');
  });

  it('DFS finds a violation too; its trace is no shorter than BFS’s', () => {
    const bfs = check({ arch: 'xen-idd' });
    const dfs = check({ arch: 'xen-idd' }, { strategy: 'dfs' });
    expect(dfs.result.verdict).toBe('violated');
    expect(dfs.labels.length).toBeGreaterThanOrEqual(bfs.labels.length);
  });

  it('the other properties hold there: the baseline is unfair, not broken', () => {
    // A smaller buffer than the default: the full xen-idd space is wide (millions of states).
    const { result } = check({ arch: 'xen-idd', capacity: 1, rxRing: 1 }, { properties: ['isolation', 'qos-admission', 'conservation'] });
    expect(result.verdict).toBe('holds');
  });
});

describe('vnic: partitions, buckets and a fair DMA arbiter isolate the VMs', () => {
  for (const dma of ['drr', 'wrr'] as const) {
    it(`with ${dma} DMA all four properties hold exhaustively for 2 VMs (capacity 2 and 3)`, () => {
      for (const capacity of [2, 3]) {
        const { result } = check({ arch: 'vnic', dma, capacity });
        expect(result.verdict, `${dma} capacity ${capacity}: ${result.property} ${result.message}`).toBe('holds');
        expect(result.witnessed).toEqual({ 'reach-conforming-delivery': true, 'reach-buffer-full': true });
      }
    });
  }

  it('pins the state count of the default configuration, the same for BFS and DFS', () => {
    const bfs = check({});
    const dfs = check({}, { strategy: 'dfs' });
    expect(bfs.result.verdict).toBe('holds');
    expect(bfs.result.states).toBe(5127);
    expect(dfs.result.states).toBe(bfs.result.states);
    expect(dfs.result.transitions).toBe(bfs.result.transitions);
  });

  it('with strict-priority DMA the flooding (higher-priority) VM makes the other wait without bound', () => {
    const { result, labels } = check({ arch: 'vnic', dma: 'strict' });
    expect(result.verdict).toBe('violated');
    expect(result.property).toBe('no-cross-vm-starvation');
    expect(result.message).toMatch(/waited \d+ DMA slots/);
    expect(labels.length).toBe(7);
  });

  it('teardown, set-up and resize (churn) keep every property, for one VM and for two', () => {
    for (const config of [
      { churn: true, vms: 1, roles: ['conforming' as const], capacity: 2, rxRing: 1 },
      { churn: true, capacity: 1, rxRing: 1, unknownTraffic: false },
    ]) {
      const { result } = check(config);
      expect(result.verdict, `${result.property} ${result.message}`).toBe('holds');
    }
  });

  it('mixed: a para-virtualized best-effort VM behind the driver domain’s vNIC, isolation and conservation hold', () => {
    const { result } = check({ arch: 'mixed', vms: 2, roles: ['conforming', 'flooding'] }, { properties: ['isolation', 'qos-admission', 'conservation'] });
    expect(result.verdict, `${result.property} ${result.message}`).toBe('holds');
  });
});

describe('symmetry reduction: same verdicts, fewer states', () => {
  // [name, configuration, states without symmetry, states with it] — counts pinned, as in TLA+ Examples' manifests.
  const cases: [string, CheckShortcuts, number, number][] = [
    ['two identical flooding VMs (vnic, drr)', { vms: 2, roles: ['flooding', 'flooding'] }, 1571, 786],
    ['three identical VMs (vnic, wrr: rotations)', { vms: 3, capacity: 1, rxRing: 1, dma: 'wrr', roles: ['flooding', 'flooding', 'flooding'] }, 3675, 1225],
    ['two identical flooders beside a conforming VM (xen-idd)', { arch: 'xen-idd', vms: 3, roles: ['conforming', 'flooding', 'flooding'] }, 8421, 4698],
  ];
  for (const [name, config, plainStates, reducedStates] of cases) {
    it(name, () => {
      const plain = check(config);
      const reduced = check(config, { symmetry: true });
      expect([plain.result.states, reduced.result.states]).toEqual([plainStates, reducedStates]);
      expect(reduced.result.verdict).toBe(plain.result.verdict);
      expect(reduced.result.property).toBe(plain.result.property);
      expect(reduced.labels.length).toBe(plain.labels.length);
      expect(reduced.result.states).toBeLessThan(plain.result.states);
    });
  }
});

describe('cross-check with @xstate/graph on a single machine', () => {
  // The shared NIC with capacity 2 and a 2-descriptor ring; descriptors are returned only while some are out,
  // so the space is finite. Both explorers get the same event alphabet per state.
  const input: SharedNicInput = { host: 'idd', irqTo: 'vmm', irqEvent: 'msi', capacity: 2, rxRing: 2, timing: { dmaSetupNs: 1, dmaNsPerByte: 1, wireNsPerByte: 1 } };
  const pkt = (dst: number) => ({ id: 0, dst, src: 0, size: 1, bornNs: 0, kind: 'request' as const, stream: 0 });
  const events = (c: SharedNicContext): SharedNicEvent[] => [
    { type: 'rx.arrive', packet: pkt(1), nowNs: 0 },
    { type: 'rx.arrive', packet: pkt(2), nowNs: 0 },
    { type: 'dma.done' },
    ...(c.rxCredits < input.rxRing ? [{ type: 'rx.refill', slot: 0, from: 'idd', count: 1 } as const] : []),
    { type: 'irq.unmask', slot: 0, from: 'idd' },
  ];
  const keyOf = (value: unknown, context: unknown) => canonicalJson({ value, context });

  it('both reach the same set of states', () => {
    const stepper = compileMachine<SharedNicContext, SharedNicEvent, SharedNicInput>(sharedNicMachine);
    type S = MachineState<SharedNicContext>;
    const model: Model<S, SharedNicEvent> = {
      initial: () => [stepper.initial(input).state],
      actions: (s) => events(s.context).filter((e) => stepper.step(s, e) !== undefined),
      next: (s, e) => stepper.step(s, e)!.state,
      key: (s) => keyOf(s.value, s.context),
      label: (e) => canonicalJson(e),
      vars: (s) => ({ value: s.value, ...s.context }),
    };
    const ours = new Set<string>();
    const probe = { name: 'collect', description: 'collects every state', kind: 'always' as const, check: (s: S) => (ours.add(model.key(s)), undefined) };
    const r = search(model, { strategy: 'bfs', properties: [probe] });
    expect(r.verdict).toBe('holds');

    const adjacency = getAdjacencyMap(sharedNicMachine, {
      input,
      events: (snapshot) => events(snapshot.context as SharedNicContext) as EventObject[] as SharedNicEvent[],
      serializeState: (snapshot) => keyOf(snapshot.value, snapshot.context),
    });
    const theirs = new Set(Object.keys(adjacency));
    expect(theirs.size).toBeGreaterThan(20);
    expect([...ours].sort()).toEqual([...theirs].sort());
  });
});

describe('cross-check with @xstate/graph on one vNIC machine', () => {
  // One vNIC with a partition of 3 bytes, packets of 1 and 2 bytes, a bucket of burst 2 refilled by the tick, a ring
  // of 2 descriptors returned only while some are out; the DMA engine's grants and completions, the transmit path's
  // completions, its owner's writes, teardown and set-up again are all offered, so free, active and closing are
  // reached. Both explorers get the same event alphabet per state.
  const capacity = 3;
  const ring = 2;
  const pkt = (size: number): Packet => ({ id: 0, dst: 1, src: 0, size, bornNs: 0, kind: 'request', stream: 0 });
  const fixed: VnicEvent[] = [
    { type: 'vnic.setup', slot: 0, vm: 'vm0', macs: [1], vector: 0, qos: { rate: 1, burst: 2, capacity, priority: 0, weight: 1 }, rxRing: ring, txRing: 1 },
    { type: 'rx.arrive', packet: pkt(1), nowNs: 0 },
    { type: 'rx.arrive', packet: pkt(2), nowNs: 0 },
    { type: 'dma.grant' },
    { type: 'dma.complete' },
    { type: 'tx.post', slot: 0, from: 'vm0', packet: { ...pkt(1), kind: 'reply' } },
    { type: 'tx.complete' },
    { type: 'irq.unmask', slot: 0, from: 'vm0' },
    { type: 'clock.tick', dtNs: 1e9 },
    { type: 'vnic.teardown', slot: 0 },
  ];
  const events = (value: unknown, c: VnicContext): VnicEvent[] =>
    value === 'active' && c.rxCredits < ring ? [...fixed, { type: 'rx.refill', slot: 0, from: 'vm0', count: 1, unmask: true }] : fixed;
  const keyOf = (value: unknown, context: unknown) => canonicalJson({ value, context });

  it('both reach the same set of states, in every one of the three statechart states', () => {
    const stepper = compileMachine<VnicContext, VnicEvent, { slot: number }>(vnicMachine);
    type S = MachineState<VnicContext>;
    const model: Model<S, VnicEvent> = {
      initial: () => [stepper.initial({ slot: 0 }).state],
      actions: (s) => events(s.value, s.context).filter((e) => stepper.step(s, e) !== undefined),
      next: (s, e) => stepper.step(s, e)!.state,
      key: (s) => keyOf(s.value, s.context),
      label: (e) => canonicalJson(e),
      vars: (s) => ({ value: s.value, ...s.context }),
    };
    const ours = new Set<string>();
    const values = new Set<string>();
    const probe = { name: 'collect', description: 'collects every state', kind: 'always' as const, check: (s: S) => (ours.add(model.key(s)), values.add(s.value), undefined) };
    const r = search(model, { strategy: 'bfs', properties: [probe] });
    expect(r.verdict).toBe('holds');
    expect([...values].sort()).toEqual(['active', 'closing', 'free']);

    const adjacency = getAdjacencyMap(vnicMachine, {
      input: { slot: 0 },
      events: (snapshot) => events(snapshot.value, snapshot.context as VnicContext) as EventObject[] as VnicEvent[],
      serializeState: (snapshot) => keyOf(snapshot.value, snapshot.context),
    });
    const theirs = new Set(Object.keys(adjacency));
    expect(theirs.size).toBeGreaterThan(100);
    expect([...ours].sort()).toEqual([...theirs].sort());
  });
});
