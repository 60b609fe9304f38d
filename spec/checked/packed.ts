/**
 * The checked system in packed form (src/network/packed/): what the generic packed network needs to know about this
 * model and nothing more — its environment (counters of packets outstanding per VM and the shadow buckets, in bytes, of
 * the VMs offered conforming traffic; arrivals of every size, ticks and, decided by the VMM's state, churn's
 * management requests and hostile drivers' stray register writes), what a probe does to the counters, and the
 * properties as parts (properties/checked.ts). The machines, their steps and the pending items are the
 * MemoNetwork's and the KeyEncoder's, so packed and object states use the same ids.
 *
 * A state's packed fields: one machine-state id per component, the pending multiset's id, outstanding[0..vms]
 * (index vms: unknown MACs), shadow[0..vms), the properties' history counters + 1 (model.ts `History`: they may be
 * -1), and the id of the step-flag list.
 */
import type { Property } from '../../src/explore/model.js';
import type { PackedBinding } from '../../src/explore/packed/model.js';
import { compiledModuleUrl } from '../../src/explore/parallel/urls.js';
import type { Probe } from '../../src/network/network.js';
import { NetworkOwner, type OwnerHooks, type StepFlag } from '../../src/network/packed/owner.js';
import { PackedNetwork } from '../../src/network/packed/core.js';
import { envField, fieldCount, flagField, pendingField, type EnvAction, type Program, type PropertyShape } from '../../src/network/packed/program.js';
import { pendingTasks } from '../../src/network/packed/fairness.js';
import type { Tables } from '../../src/network/packed/tables.js';
import type { LivenessProperty } from '../../src/explore/model.js';
import type { PackedLiveness } from '../../src/explore/packed/graph.js';
import type { MachineState } from '../../src/machine/index.js';
import type { Packet } from '../packet.js';
import type { CheckedModel, CheckedState } from './model.js';
import { offersConforming } from './config.js';
import { NO_HI, NO_LO, type CounterOp } from './history.js';

/**
 * A property as parts: `check` fails exactly when a part fails ('always'), or holds exactly when a part witnesses
 * ('sometimes'); messages still come from `check`. properties/checked.ts gives the built-in properties theirs.
 */
export interface PropertyParts {
  /** The flags its step check raises make it fail. */
  readonly flagged?: boolean;
  /** Its part in one component's state alone: true when it fails (always) or witnesses (sometimes). */
  readonly local?: (i: number, m: MachineState<unknown>) => boolean;
  /** Parts reading several machines (memoized on the states of the machines each reads): true when it fails / witnesses. */
  readonly across?: readonly ((machines: readonly MachineState<unknown>[]) => boolean)[];
  /** Per component, packets held per VM (index vms: unknown MACs); their sum must equal the outstanding counters. */
  readonly outstanding?: (i: number, m: MachineState<unknown>, out: number[]) => void;
  /** History counters (index in the state's `env.history`) that must stay within [min, max]. */
  readonly bounds?: readonly { readonly counter: number; readonly min: number; readonly max: number }[];
}

/** The worker form of every packed network (its module and export). */
const CORE_MODULE = new URL(`../../src/network/packed/core${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;

/**
 * The packed form of `model` deciding `properties` (as made by `propertiesFor`, in that order), or undefined when
 * one of them has no parts (it is then checked on objects).
 */
export function checkedPackedBinding(
  model: CheckedModel,
  properties: readonly Property<CheckedState>[],
  partsOf: (p: Property<CheckedState>) => PropertyParts | undefined,
): PackedBinding<CheckedState> | undefined {
  return checkedNetwork(model, properties, partsOf)?.binding;
}

/**
 * A liveness property whose levels are the environment's counters of packets outstanding per VM (`env.outstanding`,
 * entry v for obligation v): properties/liveness.ts's `eventual-delivery`. Such levels are read from packed states.
 */
export interface OutstandingLevels {
  readonly levelsAre: 'outstanding-per-vm';
}

function outstandingLevels(p: LivenessProperty<CheckedState>): boolean {
  return (p as Partial<OutstandingLevels>).levelsAre === 'outstanding-per-vm';
}

/**
 * The packed form of `model` for liveness (src/explore/packed/graph.ts): its packed network, deciding no safety
 * property; the fair tasks of `CheckedModel.fairTask` (a pending delivery is the task of its pending id, nothing else
 * is fair), which the packed network's action order gives (src/network/packed/fairness.ts); and the levels of
 * `properties` when each reads the outstanding counters (else undefined: the graph is built on objects).
 */
export function checkedPackedLiveness(
  model: CheckedModel,
  properties: readonly LivenessProperty<CheckedState>[],
  partsOf: (p: Property<CheckedState>) => PropertyParts | undefined,
): PackedLiveness<CheckedState> | undefined {
  const vms = model.sys.config.vms;
  if (!properties.every((p) => outstandingLevels(p) && p.obligations.length <= vms)) return undefined;
  const net = checkedNetwork(model, [], partsOf);
  if (net === undefined) return undefined;
  const { binding, program, tables } = net;
  const fieldOf = properties.flatMap((p) => p.obligations.map((_, v) => envField(program, v)));
  const fields = new Int32Array(fieldCount(program));
  return {
    binding,
    tasks: (keys, at, layout, out) => pendingTasks(tables, keys, at, layout, fields, out),
    levels(keys, at, layout, out) {
      for (let j = 0; j < fieldOf.length; j++) out[j] = layout.get(keys, at, fieldOf[j]!);
    },
  };
}

function checkedNetwork(
  model: CheckedModel,
  properties: readonly Property<CheckedState>[],
  partsOf: (p: Property<CheckedState>) => PropertyParts | undefined,
): { binding: PackedBinding<CheckedState>; program: Program; tables: Tables } | undefined {
  const parts: PropertyParts[] = [];
  for (const p of properties) {
    const x = partsOf(p);
    if (x === undefined) return undefined;
    parts.push(x);
  }
  const sys = model.sys;
  const c = sys.config;
  const vms = c.vms;
  const C = sys.network.components.length;
  const outstanding = (v: number): number => v;
  const shadow = (v: number): number => vms + 1 + v;
  const conforming = (v: number): boolean => offersConforming(c.roles[v]!);
  // History counters are stored + 1 (fields are non-negative); an operation's clamps move with them.
  const H = model.histories.reduce((a, h) => a + h.history.initial.length, 0);
  const history = (i: number): number => 2 * vms + 1 + i;
  const shift = (x: number): number => (x === NO_LO || x === NO_HI ? x : x + 1);
  const tickUpdates = model.histories.flatMap(({ history: h, at }) =>
    h.tick.map((op) => {
      if (op.lo !== NO_LO) throw new Error('packed: a history tick operation with a lower clamp is not supported');
      return { field: history(at + op.counter), delta: op.add, ...(op.hi !== NO_HI ? { max: op.hi + 1 } : {}) };
    }),
  );

  // The environment's actions, in CheckedModel.actions order: arrivals per VM (then unknown MACs) by size, tick.
  const envActions: EnvAction[] = [];
  model.offers.forEach((offers, v) => {
    for (const { action: a, event } of offers) {
      envActions.push({
        guards: a.flood ? [] : [{ field: shadow(v), min: a.size }],
        updates: [{ field: outstanding(v), delta: 1 }, ...(a.flood ? [] : [{ field: shadow(v), delta: -a.size }])],
        deliveries: [{ to: sys.nic, event, stale: false }],
      });
    }
  });
  envActions.push({
    guards: [],
    updates: [...Array.from({ length: vms }, (_, v) => v).flatMap((v) => (conforming(v) ? [{ field: shadow(v), delta: c.rates[v]!, max: c.bursts[v]! }] : [])), ...tickUpdates],
    deliveries: [{ to: sys.nic, event: model.tickEvent, stale: false }, ...(sys.idd >= 0 ? [{ to: sys.idd, event: model.tickEvent, stale: false }] : [])],
  });

  // Properties: local parts per machine state, parts across machines, outstanding sums.
  const groups: ((machines: readonly MachineState<unknown>[]) => boolean)[] = [];
  let sumWidth = 0;
  const shapes: PropertyShape[] = properties.map((p, i) => {
    const x = parts[i]!;
    const own = (x.across ?? []).map((g) => groups.push(g) - 1);
    let sums: PropertyShape['sums'];
    if (x.outstanding !== undefined) {
      sums = { fields: Array.from({ length: vms + 1 }, (_, v) => outstanding(v)), offset: sumWidth };
      sumWidth += vms + 1;
    }
    const bounds = x.bounds?.map((b) => ({ field: history(b.counter), min: b.min + 1, max: b.max + 1 }));
    return { kind: p.kind, flagged: x.flagged === true, local: x.local !== undefined, groups: own, ...(sums !== undefined ? { sums } : {}), ...(bounds !== undefined ? { bounds } : {}) };
  });
  const program: Program = {
    components: C,
    envFields: 2 * vms + 1 + H,
    envHints: [
      ...new Array<number>(vms + 1).fill(Math.max(...c.capacities) + c.rxRing),
      ...c.bursts,
      ...model.histories.flatMap(({ history: h }) => h.initial.map((x) => Math.max(2, x + 2))),
    ],
    envActions,
    stateActionComponents: model.vmmOffers ? [sys.vmm] : [],
    properties: shapes,
    groupParts: groups.length,
    stepChecks: model.stepChecks.length,
    counterOps: H > 0,
    sumWidth,
  };

  const names = properties.map((p) => p.name);
  const hooks: OwnerHooks = {
    memo: model.memo,
    pendingId: (to, event) => model.keys.pendingAt(to, event).id,
    probeEnv(p: Probe, out: number[]) {
      if (p.name !== 'rx.rejected' && p.name !== 'rx.dropped' && p.name !== 'packet.delivered') return;
      const v = sys.vmOfMac((p.data as { packet: Packet }).packet.dst);
      out.push(outstanding(v < 0 ? vms : v), -1);
    },
    stateActions: (_k, m) =>
      model.vmmActions(m).flatMap((a) => {
        const d = model.vmmDelivery(a);
        return [d.to, d.event];
      }),
    local: (p, i, m) => parts[p]!.local!(i, m),
    count: (p, i, m, out) => parts[p]!.outstanding!(i, m, out),
    group: (g, machines) => groups[g]!(machines),
    stepCheck(k, pre, probes) {
      const flags: StepFlag[] = [];
      // Step checks read the machines of the pre-state only: anything else would escape the memo.
      const state = {
        machines: pre,
        get ids(): never {
          throw new Error('a step check read ids');
        },
        get pending(): never {
          throw new Error('a step check read pending items');
        },
        get env(): never {
          throw new Error('a step check read the environment');
        },
        get flags(): never {
          throw new Error('a step check read flags');
        },
      } as unknown as CheckedState;
      model.stepChecks[k]!(sys, state, probes, flags);
      return flags;
    },
    counterOps(pre, probes, out) {
      for (const { history: h, at } of model.histories) {
        const ops: CounterOp[] = [];
        h.ops(pre, probes, ops);
        for (const op of ops) out.push(history(at + op.counter) , op.add, shift(op.lo), shift(op.hi));
      }
    },
    flagProperty: (f) => names.indexOf(f.property),
  };
  const owner = new NetworkOwner(program, hooks);
  const packed = new PackedNetwork(owner.tables, owner);
  const P = pendingField(program);
  const F = flagField(program);
  const binding: PackedBinding<CheckedState> = {
    model: packed,
    fieldsOf(s, out) {
      for (let i = 0; i < C; i++) out[i] = s.ids[i]!;
      out[P] = owner.internSet(s.pending.map((p) => p.id));
      for (let v = 0; v <= vms; v++) out[envField(program, outstanding(v))] = s.env.outstanding[v]!;
      for (let v = 0; v < vms; v++) out[envField(program, shadow(v))] = s.env.shadow[v]!;
      for (let i = 0; i < H; i++) out[envField(program, history(i))] = s.env.history[i]! + 1;
      out[F] = owner.internFlags(s.flags);
    },
    worker: {
      module: compiledModuleUrl(CORE_MODULE),
      export: 'packedNetworkWorker',
      data: () => ({ tables: owner.tables.data() }),
      version: () => owner.tables.version,
    },
  };
  return { binding, program, tables: owner.tables };
}
