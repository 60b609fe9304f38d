/**
 * The checked system's packed form (spec/checked/packed.ts over src/network/packed/) against its object form
 * (CheckedModel's actions/next and the properties' own predicates): the same successors from every state visited,
 * and the same search results — counts, verdicts, messages, traces — on every architecture, with churn, with
 * planted violations and with subsets of the properties.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { search, searchAsync, type SearchOptions, type SearchResult } from '../src/explore/index.js';
import { Layout } from '../src/explore/packed/layout.js';
import { Successors } from '../src/explore/packed/model.js';
import { PackedNetwork } from '../src/network/packed/core.js';
import { defaultCheckConfig, type CheckShortcuts } from '../spec/checked/config.js';
import { buildCheckedSystem, CheckedModel, type CheckAction, type CheckedState } from '../spec/checked/model.js';
import { PROPERTY_NAMES, propertiesFor, propertyParts } from '../properties/checked.js';
import { ensureBuilt } from './built.js';
import { resultView } from './fixtures/result-view.js';
import { withMachines, type Variant } from './variants.js';
import { bucketUnspentTokens, wrrPointerResumesWrong } from '../spec/mutants/nic.js';
import { vmmEarlySlotRelease, vmmMsiByRecordIndex } from '../spec/mutants/hosts.js';

function models(config: CheckShortcuts, names: readonly string[] = PROPERTY_NAMES, variant: Variant = {}) {
  const sys = withMachines(buildCheckedSystem(defaultCheckConfig(config)), variant);
  const { properties, stepChecks } = propertiesFor(sys, names);
  return {
    packed: new CheckedModel(sys, { stepChecks, parts: propertyParts }),
    object: new CheckedModel(sys, { stepChecks }),
    properties,
  };
}

function view(model: CheckedModel, r: SearchResult<CheckedState, CheckAction>) {
  return {
    ...resultView(model, r),
    witnessed: r.witnessed,
    witnesses: Object.fromEntries(Object.entries(r.witnesses).map(([k, w]) => [k, w.actions.map((a) => model.label(a))])),
  };
}

type Row = [name: string, config: CheckShortcuts, names?: readonly string[]];
const CONFIGS: Row[] = [
  ['vnic 2 × 2 (default)', {}],
  ['vnic 2 × 3, burst 2', { capacity: 3, burst: 2 }],
  ['vnic, rx ring of 1', { rxRing: 1 }],
  ['vnic, wrr', { dma: 'wrr' }],
  ['vnic, strict DMA priority (violates the waiting bound)', { dma: 'strict' }],
  ['xen-idd (violates no-cross-vm-starvation)', { arch: 'xen-idd' }],
  ['mixed', { arch: 'mixed' }],
  ['vnic churn, 1 VM', { vms: 1, churn: true }],
  ['vnic churn, 2 VMs, burst 2, rx ring 1', { vms: 2, churn: true, capacity: 1, rxRing: 1, unknownTraffic: false }],
  ['mixed churn', { arch: 'mixed', churn: true, capacity: 1 }],
  ['xen-idd 1 slot, conservation only', { arch: 'xen-idd', capacity: 1, rxRing: 1 }, ['conservation']],
  ['vnic, isolation and reach-buffer-full', {}, ['isolation', 'reach-buffer-full']],
  ['vnic, 1 conforming VM, sizes 1 and 3, capacity 3, burst 3, rx ring 1', { vms: 1, roles: ['conforming'], sizes: [1, 3], capacity: 3, burst: 3, rxRing: 1 }],
  ['vnic, an idle VM and an adversary, sizes 1 and 2, hostile driver', { roles: ['idle', 'adversary'], drivers: ['honest', 'hostile'], sizes: [1, 2], burst: 2, rxRing: 1 }],
  ['xen-idd, an adversary with a hostile driver (violates no-cross-vm-starvation)', { arch: 'xen-idd', roles: ['conforming', 'adversary'], drivers: ['hostile', 'hostile'] }],
  ['churn to another VM: one vector, a VM detached at boot, hostile drivers', { roles: ['conforming', 'conforming'], attached: [true, false], vectors: 1, drivers: ['hostile', 'hostile'], churn: true, rxRing: 1, resizeTo: [[1], [1]] }],
];

// History counters (bounds), parts across machines and step checks reading them, on the bugs they catch.
const PLANTED: [string, CheckShortcuts, Variant][] = [
  ['bandwidth-conformance: a vNIC that never spends tokens', {}, bucketUnspentTokens.machines],
  ['dma-fairness: a WRR pointer resuming from the wrong place', { vms: 3, capacity: 2, rxRing: 2, dma: 'wrr', roles: ['flooding', 'idle', 'flooding'], unknownTraffic: false }, wrrPointerResumesWrong.machines],
  ['vmm-nic-agreement: a VMM freeing a slot at detach', { vms: 1, churn: true, roles: ['flooding'] }, vmmEarlySlotRelease.machines],
  ['msi-routing: a VMM routing by record index', { churn: true, capacity: 1, rxRing: 1 }, vmmMsiByRecordIndex.machines],
];

describe('packed and object searches of the checked system agree', () => {
  it.each(CONFIGS)('%s', (_, config, names) => {
    const { packed, object, properties } = models(config, names);
    expect(packed.packed(properties)).toBeDefined();
    expect(object.packed(properties)).toBeUndefined();
    for (const strategy of ['bfs', 'dfs'] as const) {
      const options: SearchOptions<CheckedState> = { strategy, properties };
      expect(view(packed, search(packed, options))).toEqual(view(object, search(object, options)));
    }
  });

  it.each(PLANTED)('%s', (_, config, variant) => {
    const { packed, object, properties } = models(config, PROPERTY_NAMES, variant);
    expect(packed.packed(properties)).toBeDefined();
    const options: SearchOptions<CheckedState> = { strategy: 'bfs', properties };
    const r = view(packed, search(packed, options));
    expect(r.verdict).toBe('violated');
    expect(r).toEqual(view(object, search(object, options)));
  });

  // check() finds the group parts to decide again from an index of the codes they read (PackedNetwork.codeIndex);
  // a program it cannot index (more than 32 codes) takes the plain path: every part that read a changed machine.
  it.each([...PLANTED, ['xen-idd (violates no-cross-vm-starvation)', { arch: 'xen-idd' }, {}] as [string, CheckShortcuts, Variant]])(
    'without the code index: %s',
    (_, config, variant) => {
      const { packed, object, properties } = models(config, PROPERTY_NAMES, variant);
      const options: SearchOptions<CheckedState> = { strategy: 'bfs', properties };
      const proto = PackedNetwork.prototype as unknown as { codeIndex: () => boolean };
      const indexed = proto.codeIndex;
      proto.codeIndex = () => false;
      try {
        const r = view(packed, search(packed, options));
        expect(r.verdict).toBe('violated');
        expect(r).toEqual(view(object, search(object, options)));
      } finally {
        proto.codeIndex = indexed;
      }
    },
  );

  it('under bounds too', () => {
    const { packed, object, properties } = models({});
    for (const bound of [{ maxStates: 1000 }, { maxDepth: 7 }]) {
      const options: SearchOptions<CheckedState> = { strategy: 'bfs', properties, ...bound };
      expect(view(packed, search(packed, options))).toEqual(view(object, search(object, options)));
    }
  });
});

describe('packed successors are the packed object successors', () => {
  it.each([...CONFIGS.slice(0, 10), ...CONFIGS.slice(12)])('%s: from every state of a bounded search', (_, config) => {
    const { packed, properties } = models(config);
    const binding = packed.packed(properties)!;
    const fields = new Int32Array(binding.model.fields);
    const layout = Layout.wide(binding.model.fields);
    const key = new Int32Array(layout.words);
    const out = new Successors();
    const keyOf = (s: CheckedState): string => {
      binding.fieldsOf(s, fields);
      return fields.join(',');
    };
    // The states of a BFS (states are rebuilt through the object model: every action of every state is compared).
    const seen = new Set<string>();
    const queue: CheckedState[] = [...packed.initial()];
    let compared = 0;
    while (queue.length > 0 && compared < 3000) {
      const s = queue.shift()!;
      const k = keyOf(s);
      if (seen.has(k)) continue;
      seen.add(k);
      binding.fieldsOf(s, fields);
      layout.encode(fields, key, 0);
      out.reset(layout.words);
      const taken = binding.model.expand(key, 0, layout, out);
      const actions = packed.actions(s);
      expect(taken).toBe(actions.length);
      const expected: string[] = [];
      actions.forEach((a, i) => {
        const t = packed.next(s, a);
        const tk = keyOf(t);
        if (tk !== k) expected.push(`${i}:${tk}`);
        queue.push(t);
      });
      const got: string[] = [];
      const f = new Int32Array(binding.model.fields);
      for (let j = 0; j < out.count; j++) {
        layout.decode(out.keys, j * layout.words, f);
        got.push(`${out.actions[j]}:${f.join(',')}`);
      }
      expect(got).toEqual(expected);
      compared++;
    }
    expect(compared).toBeGreaterThan(10);
  });
});

describe('the parallel search of the checked system agrees with one thread', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  it.each(CONFIGS.filter(([name]) => !name.includes('2 × 3') && !name.includes('churn, 2')))('%s, 2 workers from the first level on', async (_, config, names) => {
    const { packed, properties } = models(config, names);
    const options: SearchOptions<CheckedState> = { strategy: 'bfs', properties };
    const one = search(packed, options);
    const again = models(config, names); // a fresh model: its tables are filled by the workers' misses
    const two = await searchAsync(again.packed, { ...options, workers: 2, parallelAfter: 0 });
    expect(view(again.packed, two)).toEqual(view(packed, one));
  });

  // History counters in the packed state, and violations found by them, under several workers.
  it.each(PLANTED)('%s, 2 workers', async (_, config, variant) => {
    const { packed, properties } = models(config, PROPERTY_NAMES, variant);
    const options: SearchOptions<CheckedState> = { strategy: 'bfs', properties };
    const one = search(packed, options);
    const again = models(config, PROPERTY_NAMES, variant);
    const two = await searchAsync(again.packed, { ...options, workers: 2, parallelAfter: 0 });
    expect(two.verdict).toBe('violated');
    expect(view(again.packed, two)).toEqual(view(packed, one));
  });

  it('3 workers: sizes, an idle VM and an adversary, a hostile driver; and history counters with churn', async () => {
    for (const [, config] of [CONFIGS[13]!, CONFIGS[15]!]) {
      const { packed, properties } = models(config);
      const options: SearchOptions<CheckedState> = { strategy: 'bfs', properties };
      const one = search(packed, options);
      const again = models(config);
      const three = await searchAsync(again.packed, { ...options, workers: 3, parallelAfter: 0 });
      expect(view(again.packed, three)).toEqual(view(packed, one));
    }
  });
});
