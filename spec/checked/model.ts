/**
 * The checked system: the same spec/ machines the simulator runs, composed into one finite model for the explorer.
 *
 * A step is one `Network.deliver` — exactly the simulator's step — of either
 * - an environment choice: a packet arrival of any size of the system's set (for a conforming VM while its shadow
 *   bucket has the tokens, for a flooding VM at any time, for an adversary either, for an unknown MAC), a clock tick
 *   (abstract time: every bucket earns its rate), a management request to the VMM (detach, attach — to the first
 *   free slot and vector, possibly one another VM left —, resize) when churn is on, or a hostile driver's write to a
 *   register set it does not own; or
 * - a pending item: anything a machine deferred — a DMA or wire completion, a CPU job (VMM forwarding, VM polling,
 *   driver-domain processing) — delivered in any order. That nondeterminism stands for all timings.
 * Synchronous sends run to completion inside the step, as in the simulator.
 *
 * The state is the machines' states, the pending items as a sorted multiset, the environment's bookkeeping (packets
 * outstanding per VM, shadow buckets), the properties' history counters (`History`) and the step-property
 * violations seen on the transition into the state.
 *
 * The system is wired and booted as the simulator's (wiring.ts), in abstract units: bytes and ticks (config.ts).
 */
import type { EventObject, MachineState } from '../../src/machine/index.js';
import { Network, type ComponentSpec, type Probe } from '../../src/network/network.js';
import { MemoNetwork } from '../../src/network/memo-network.js';
import { PairMap } from '../../src/util/pair-map.js';
import { ModelError, type LivenessProperty, type Model, type PackedBinding, type Property } from '../../src/explore/index.js';
import type { PackedLiveness } from '../../src/explore/packed/graph.js';
import { checkedPackedBinding, checkedPackedLiveness, type PropertyParts } from './packed.js';
import type { WordBuffer } from '../../src/util/packed-set.js';
import type { VnicQos } from '../nic-vnic.js';
import { macOfVm, type Packet } from '../packet.js';
import { stepperFor, type ComponentKind } from '../system.js';
import {
  attachEvent,
  bootAttachments,
  driverDomainQos,
  hasDriverDomain,
  hasVnicNic,
  iddInput,
  sharedNicInput,
  vmId,
  vmInput,
  vmmInput,
  vnicNicComponents,
  type AttachEvent,
  type VnicResources,
} from '../wiring.js';
import { dmaWaitBound, offersConforming, offersFloods, type CheckConfig } from './config.js';
import { applyOp, type CounterOp, type History } from './history.js';
export { applyOp, NO_HI, NO_LO, type CounterOp, type History, type HistoryBound } from './history.js';
import { encodeState } from './encode.js';
import { permute, symmetryPermutations } from './symmetry.js';

/** A deferred event waiting to be delivered; `id` (the pair (to, event) interned) is its canonical sort key. */
export interface Pending {
  readonly to: number;
  readonly event: EventObject;
  /** The event's id in the model's MemoNetwork. */
  readonly eventId: number;
  readonly label: string;
  readonly id: number;
}

export interface EnvState {
  /** Received packets offered and not yet rejected, dropped or delivered: per VM, then unknown destinations. */
  readonly outstanding: readonly number[];
  /** Shadow token bucket, in bytes, of each VM's conforming traffic (VMs offered no conforming traffic: 0, unused). */
  readonly shadow: readonly number[];
  /** The chosen properties' history counters, one slice per `History`, in the order the model was given them. */
  readonly history: readonly number[];
}

export interface Flag {
  readonly property: string;
  readonly message: string;
}

/** A state of the checked system: every machine's state, the pending deliveries, the environment, step flags. */
export interface CheckedState {
  readonly machines: readonly MachineState<unknown>[];
  /** Interned id of each machine's (state, context): the state key is built from these (collapse compression). */
  readonly ids: readonly number[];
  readonly pending: readonly Pending[];
  readonly env: EnvState;
  readonly flags: readonly Flag[];
}

/** A register write a hostile driver makes to a register set it does not own. */
export type StrayWrite = 'tx.post' | 'rx.refill' | 'irq.unmask';
export const STRAY_WRITES: readonly StrayWrite[] = ['tx.post', 'rx.refill', 'irq.unmask'];

/**
 * A step of the checked system: the environment offers a packet, ticks the clock, manages vNICs or lets a hostile
 * driver write where it should not, or a pending event is delivered.
 */
export type CheckAction =
  /** A packet of `size` bytes for VM `vm` (-1: an unknown MAC), offered as a flood or within the VM's specification. */
  | { readonly kind: 'arrive'; readonly vm: number; readonly size: number; readonly flood: boolean }
  | { readonly kind: 'tick' }
  | { readonly kind: 'deliver'; readonly index: number; readonly label: string }
  | { readonly kind: 'detach'; readonly vm: number }
  | { readonly kind: 'attach'; readonly vm: number }
  | { readonly kind: 'resize'; readonly vm: number; readonly capacity: number }
  /** VM `vm`'s hostile driver writes `write` to register set `slot` (a vNIC, or the shared NIC's), which it does not own. */
  | { readonly kind: 'write'; readonly vm: number; readonly slot: number; readonly write: StrayWrite };

/** Checks made on a transition (its pre-state and the probes it raised): they push flags that properties report. */
export type StepCheck = (sys: CheckedSystem, pre: CheckedState, probes: readonly Probe[], flags: Flag[]) => void;

/** What the model runs on each transition for the chosen properties: step checks, and histories. */
export type TransitionCheck = StepCheck | History;

const TICK: CheckAction = { kind: 'tick' };

/** Almost every state has no flags: they share one empty list instead of allocating one per successor. */
const NO_FLAGS: readonly Flag[] = Object.freeze([]);

/** Static facts about the composed system that properties and encoders need. */
export interface CheckedSystem {
  readonly config: CheckConfig;
  readonly network: Network;
  readonly kinds: readonly ComponentKind[];
  /** Component index of each VM. */
  readonly vmComponent: readonly number[];
  /** Each VM's name ('vm0', …), by VM index. */
  readonly vmNames: readonly string[];
  /** The NIC that takes packets from the wire: the vNIC NIC's classifier, or the shared-buffer NIC. */
  readonly nic: number;
  /** Component of each vNIC, by slot (none on the shared-buffer NIC). */
  readonly vnics: readonly number[];
  /** Component of each register set a driver may write, by slot: the vNICs, or the shared NIC's one (slot 0). */
  readonly registerSets: readonly number[];
  /** The vNIC NIC's DMA engine and transmit path, or -1. */
  readonly dma: number;
  readonly tx: number;
  readonly vmm: number;
  readonly idd: number;
  /** VM index owning a MAC as configured (each VM's driver input), or -1: the environment's bookkeeping. */
  vmOfMac(mac: number): number;
  /** VM index of a component id ('vm1' → 1), or -1 for non-VM components. */
  vmOfId(id: string): number;
  readonly unknownMac: number;
  readonly waitBound: number;
  readonly qos: readonly VnicQos[];
  /** The VMM's attachments at boot, in order. */
  readonly boot: readonly AttachEvent[];
  /** Each VM's component id, by VM index. */
  readonly vmIds: readonly string[];
  /** Each VM's MACs as configured (its driver's input), by VM index. */
  readonly vmMacs: readonly (readonly number[])[];
  /** Who holds a device bandwidth specification (every VM, and the driver domain under mixed), with its configured QoS. */
  readonly holders: readonly { readonly id: string; readonly qos: VnicQos }[];
}

const UNKNOWN_MAC = 100;

function qosOf(c: CheckConfig, vm: number): VnicQos {
  // rate: bytes per tick, a tick being one second of abstract time.
  return { rate: c.rates[vm]!, burst: c.bursts[vm]!, capacity: c.capacities[vm]!, priority: c.priorities[vm]!, weight: c.weights[vm]! };
}

const sum = (xs: readonly number[]): number => xs.reduce((a, x) => a + x, 0);

/** Compose the machines of a checked configuration with its nondeterministic environment. */
export function buildCheckedSystem(config: CheckConfig): CheckedSystem {
  const components: ComponentSpec[] = [];
  const kinds: ComponentKind[] = [];
  const add = (id: string, kind: ComponentKind, machine: Parameters<typeof stepperFor>[0], input: unknown) => {
    components.push({ id, stepper: stepperFor(machine, 'compiled'), input });
    kinds.push(kind);
  };
  const n = config.vms;
  const arch = config.arch;
  const timing = { dmaSetupNs: 1, dmaNsPerByte: 1, wireNsPerByte: 1 };
  const rings = { rxRing: config.rxRing, txRing: config.txRing };
  // One vector per VM. Mixed: the driver domain takes one of them, so the last VM is declared best effort (below)
  // and bridged para-virtualized.
  const device: VnicResources = { vectors: config.vectors, memory: config.memory };
  add('wire', 'wire', 'wire', { streams: 0 });
  if (hasVnicNic(arch)) {
    const o = { arbiter: config.dma, quantum: config.quantum, timing, waitCap: dmaWaitBound(config) + 1 };
    for (const part of vnicNicComponents(device, o)) add(part.id, part.kind, part.kind, part.input);
  } else {
    // The one shared buffer holds every VM's share.
    add('nic', 'nic-shared', 'nic-shared', sharedNicInput(arch, sum(config.capacities), rings, timing));
  }
  add('vmm', 'vmm', 'vmm', vmmInput(arch, n, device, rings));
  if (hasDriverDomain(arch)) add('idd', 'idd', 'idd', iddInput(arch, config.rxRing));
  // The checker's VMs reply with one packet (of the smallest size) per request and send nothing of their own.
  const vmInputs = Array.from({ length: n }, (_, i) => vmInput(i, { replySize: config.sizes[0]!, txRate: 0, txBurst: 0 }));
  for (let i = 0; i < n; i++) add(vmId(i), 'vm', 'vm', vmInputs[i]);
  // Whose MAC is it: each VM's MACs as configured (its driver's input), not a function of the spec's addressing.
  const macOwner = new Map<number, number>();
  vmInputs.forEach((x, v) => x.macs.forEach((mac) => macOwner.set(mac, v)));
  const network = new Network(components);
  const ids = components.map((c) => c.id);
  // Looked up for every new state by the isolation property: a map, not string parsing.
  const vmIndex = new Map(Array.from({ length: n }, (_, i) => [vmId(i), i] as const));
  const qos = Array.from({ length: n }, (_, i) => qosOf(config, i));
  const vms = qos.map((q, i) => ({ qos: q, bestEffort: config.bestEffort[i]!, attached: config.attached[i]! }));
  const boot = bootAttachments(arch, vms, driverDomainQos(1, Math.max(...config.bursts), Math.max(...config.capacities)));
  const vnics = kinds.flatMap((k, i) => (k === 'vnic' ? [i] : []));
  return {
    config,
    network,
    kinds,
    vmComponent: Array.from({ length: n }, (_, i) => ids.indexOf(vmId(i))),
    vmNames: Array.from({ length: n }, (_, i) => vmId(i)),
    nic: ids.indexOf('nic'),
    vnics,
    registerSets: vnics.length > 0 ? vnics : [ids.indexOf('nic')],
    dma: kinds.indexOf('nic-dma'),
    tx: kinds.indexOf('nic-tx'),
    vmm: ids.indexOf('vmm'),
    idd: ids.indexOf('idd'),
    vmOfMac: (mac) => macOwner.get(mac) ?? -1,
    vmOfId: (id) => vmIndex.get(id) ?? -1,
    unknownMac: UNKNOWN_MAC,
    waitBound: dmaWaitBound(config),
    qos,
    boot,
    vmIds: Array.from({ length: n }, (_, i) => vmId(i)),
    vmMacs: vmInputs.map((x) => x.macs),
    // Every VM, attached at boot or not (churn may attach it later), after the driver domain's vNIC under mixed.
    holders: [...boot.filter((e) => vmIndex.get(e.vm) === undefined).map((e) => ({ id: e.vm, qos: e.qos })), ...qos.map((q, i) => ({ id: vmId(i), qos: q }))],
  };
}

/** `forward.done(vector=0, vm=vm0)` — payload fields in a fixed order, packets by their destination. */
export function eventLabel(e: EventObject): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(e)) {
    if (k === 'type' || k === 'nowNs') continue;
    if (v !== null && typeof v === 'object' && 'dst' in (v as object)) parts.push(`${k}=${packetLabel(v as Packet)}`);
    else parts.push(`${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  }
  return parts.length === 0 ? e.type : `${e.type}(${parts.join(', ')})`;
}

export const packetLabel = (p: Packet): string => `${p.kind}→${p.dst}`;

/** An arrival the environment may offer, and its event. */
export interface Offer {
  readonly action: Extract<CheckAction, { kind: 'arrive' }>;
  readonly event: number;
}

/**
 * Per VM (last: unknown MACs), the arrivals the environment may offer, by size: a conforming one (a request its
 * server answers) when the VM is offered conforming traffic, a flood when it is offered floods. Unknown MACs get floods.
 */
function arrivalOffers(sys: CheckedSystem, eventOf: (p: Packet) => number): Offer[][] {
  const c = sys.config;
  const offers: Offer[][] = [];
  const offer = (vm: number, size: number, flood: boolean): Offer => {
    const packet: Packet = { id: 0, dst: vm < 0 ? sys.unknownMac : macOfVm(vm), src: 0, size, bornNs: 0, kind: flood ? 'flood' : 'request', stream: 0 };
    return { action: { kind: 'arrive', vm, size, flood }, event: eventOf(packet) };
  };
  for (let v = 0; v < c.vms; v++) {
    const role = c.roles[v]!;
    const list: Offer[] = [];
    for (const size of c.sizes) {
      if (offersConforming(role)) list.push(offer(v, size, false));
      if (offersFloods(role)) list.push(offer(v, size, true));
    }
    offers.push(list);
  }
  offers.push(c.unknownTraffic ? c.sizes.map((size) => offer(-1, size, true)) : []);
  return offers;
}

/** A stray write and its event. */
interface Stray {
  readonly action: Extract<CheckAction, { kind: 'write' }>;
  readonly event: number;
}

/** A hostile VM's stray writes, per register set (slot). */
interface StrayVm {
  readonly vm: number;
  readonly writes: readonly (readonly Stray[])[];
}

/**
 * The writes a hostile driver makes to register sets it does not own: a transmit (of its own packet, to no VM's MAC),
 * an Rx descriptor returned, the interrupt unmasked — the register writes its own driver makes (vm-driver.ts).
 */
function strayWrites(sys: CheckedSystem, eventOf: (e: EventObject) => number): StrayVm[] {
  const c = sys.config;
  const out: StrayVm[] = [];
  for (let vm = 0; vm < c.vms; vm++) {
    if (c.drivers[vm] !== 'hostile') continue;
    const from = vmId(vm);
    const packet: Packet = { id: 0, dst: sys.unknownMac, src: macOfVm(vm), size: c.sizes[0]!, bornNs: 0, kind: 'flood', stream: 0 };
    const writes = sys.registerSets.map((_, slot) =>
      STRAY_WRITES.map((write): Stray => {
        const e = write === 'tx.post' ? { type: write, slot, from, packet } : write === 'rx.refill' ? { type: write, slot, from, count: 1 } : { type: write, slot, from };
        return { action: { kind: 'write', vm, slot, write }, event: eventOf(e as EventObject) };
      }),
    );
    out.push({ vm, writes });
  }
  return out;
}

/** What the environment reads of the VMM: each VM's attachment. */
type VmmView = { readonly vms: readonly { readonly id: string; readonly attachment: { readonly kind: string; readonly slot?: number; readonly capacity?: number } }[] };

/** Inserts `id` into the draft's sorted pending ids. */
function insertSorted(d: Draft, id: number): void {
  if (d.pendingCount === d.pending.length) {
    const bigger = new Int32Array(d.pending.length * 2);
    bigger.set(d.pending);
    d.pending = bigger;
  }
  const list = d.pending;
  let i = d.pendingCount++;
  while (i > 0 && list[i - 1]! > id) {
    list[i] = list[i - 1]!;
    i--;
  }
  list[i] = id;
}

function sameIds(pending: readonly Pending[], ids: Int32Array, n: number): boolean {
  if (pending.length !== n) return false;
  for (let i = 0; i < n; i++) if (pending[i]!.id !== ids[i]) return false;
  return true;
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether the draft is the state `s` itself. */
function sameAsDraft(s: CheckedState, d: Draft): boolean {
  if (d.flags.length > 0 || s.flags.length > 0 || !sameIds(s.pending, d.pending, d.pendingCount)) return false;
  for (let i = 0; i < d.ids.length; i++) if (d.ids[i] !== s.ids[i]) return false;
  return sameNumbers(s.env.outstanding, d.outstanding) && sameNumbers(s.env.shadow, d.shadow) && sameNumbers(s.env.history, d.history);
}

/**
 * A successor under construction, as plain numbers — machine ids, sorted pending ids, the environment's counters,
 * flags — so that a successor the search has already visited costs no objects. Reused from one step to the next.
 */
class Draft {
  ids: readonly number[] = [];
  /** Sorted pending ids: the first `pendingCount`. */
  pending = new Int32Array(16);
  pendingCount = 0;
  readonly outstanding: number[];
  readonly shadow: number[];
  readonly history: number[];
  readonly flags: Flag[] = [];

  constructor(vms: number, history: number) {
    this.outstanding = new Array<number>(vms + 1).fill(0);
    this.shadow = new Array<number>(vms).fill(0);
    this.history = new Array<number>(history).fill(0);
  }

  reset(s: CheckedState): this {
    this.ids = s.ids;
    const n = s.pending.length;
    if (n > this.pending.length) this.pending = new Int32Array(n * 2);
    for (let i = 0; i < n; i++) this.pending[i] = s.pending[i]!.id;
    this.pendingCount = n;
    for (let i = 0; i < this.outstanding.length; i++) this.outstanding[i] = s.env.outstanding[i]!;
    for (let i = 0; i < this.shadow.length; i++) this.shadow[i] = s.env.shadow[i]!;
    for (let i = 0; i < this.history.length; i++) this.history[i] = s.env.history[i]!;
    if (this.flags.length > 0) this.flags.length = 0;
    return this;
  }
}

/** The transition checks whose flags the properties report (from `propertiesFor`). */
export interface CheckedModelOptions {
  /** Step checks, and the histories of properties that keep some (`propertiesFor` gives both, in one list). */
  readonly stepChecks: readonly TransitionCheck[];
  /**
   * The parts of the properties (`propertyParts` of properties/checked.ts): with them the search runs on packed
   * states (spec/checked/packed.ts); without, on objects.
   */
  readonly parts?: (p: Property<CheckedState>) => PropertyParts | undefined;
}

/** The checked system as a `Model` for `search` (vnicspec/explore): memoized machine steps, packed states, symmetry. */
export class CheckedModel implements Model<CheckedState, CheckAction> {
  readonly sys: CheckedSystem;
  /** The step checks of the chosen properties, in order (their flags are part of the state). */
  readonly stepChecks: readonly StepCheck[];
  /** The chosen properties' histories, each with its offset in `env.history`. */
  readonly histories: readonly { readonly history: History; readonly at: number }[];
  /** Scratch for a probe's counter operations. */
  private readonly opScratch: CounterOp[] = [];
  private readonly init: CheckedState;
  readonly keys: KeyEncoder;
  /** The machines' steps, memoized: every delivery of the search goes through it. */
  readonly memo: MemoNetwork;
  /** The arrivals the environment may offer, per VM (last: unknown MACs), in the order `actions` lists them. */
  readonly offers: readonly (readonly Offer[])[];
  /** The event id of the environment's clock tick. */
  readonly tickEvent: number;
  private readonly draft: Draft;
  /** Symmetry reduction (see symmetry.ts); absent when the configuration has no interchangeable VMs. */
  readonly canonical?: (s: CheckedState) => CheckedState;
  /** Size of the symmetry group used by `canonical` (1: none). */
  readonly symmetryGroupSize: number;

  constructor(sys: CheckedSystem, options: CheckedModelOptions) {
    this.sys = sys;
    this.memo = new MemoNetwork(sys.network, (i, m, out) => encodeState(sys.kinds[i]!, m, out));
    this.keys = new KeyEncoder(sys, this.memo);
    const c0 = sys.config;
    this.offers = arrivalOffers(sys, (packet) => this.memo.event({ type: 'rx.arrive', packet, nowNs: 0 } as EventObject));
    this.strays = strayWrites(sys, (e) => this.memo.event(e));
    this.vmmOffers = sys.config.churn || this.strays.length > 0;
    this.tickEvent = this.memo.event({ type: 'clock.tick', dtNs: 1e9 } as EventObject);
    const histories: { history: History; at: number }[] = [];
    let width = 0;
    for (const t of options.stepChecks) {
      if (typeof t === 'function') continue;
      histories.push({ history: t, at: width });
      width += t.initial.length;
    }
    this.histories = histories;
    this.draft = new Draft(c0.vms, width);
    this.keys.historyWidth = width;
    const perms = symmetryPermutations(sys);
    this.symmetryGroupSize = perms.length + 1;
    if (perms.length > 0) {
      const hooks = {
        idOf: (i: number, m: MachineState<unknown>) => this.keys.idOf(i, m),
        pending: (to: number, e: EventObject) => this.keys.pending(to, e),
        history: (h: readonly number[], pi: readonly number[]) => {
          const out: number[] = [];
          for (const { history, at } of this.histories) out.push(...history.permute(h.slice(at, at + history.initial.length), pi));
          return out;
        },
      };
      // The representative of an orbit: the renaming with the smallest key (identity included).
      this.canonical = (s) => {
        let best = s;
        let bestKey = this.keys.key(s);
        for (const pi of perms) {
          const p = permute(sys, s, pi, hooks);
          const k = this.keys.key(p);
          if (k < bestKey) {
            best = p;
            bestKey = k;
          }
        }
        return best;
      };
    }
    this.stepChecks = options.stepChecks.filter((t): t is StepCheck => typeof t === 'function');
    this.partsOf = options.parts;
    const r = sys.network.initial();
    if (r.kind !== 'ok') throw new Error(`initial state: ${r.kind}`);
    const c = sys.config;
    let s: CheckedState = {
      machines: r.states,
      ids: r.states.map((m, i) => this.keys.idOf(i, m)),
      pending: [],
      env: {
        outstanding: new Array<number>(c.vms + 1).fill(0),
        shadow: c.roles.map((role, v) => (offersConforming(role) ? c.bursts[v]! : 0)),
        history: histories.flatMap((h) => h.history.initial),
      },
      flags: NO_FLAGS,
    };
    // Boot: the VMM attaches the driver domain (mixed) and every VM, as in the simulator.
    for (const e of sys.boot) {
      const d = this.draft.reset(s);
      this.apply(s, d, sys.vmm, this.memo.event(e), false);
      s = this.materialize(s, d);
    }
    this.init = s;
  }

  initial(): readonly CheckedState[] {
    return [this.init];
  }

  private readonly partsOf: ((p: Property<CheckedState>) => PropertyParts | undefined) | undefined;

  /** The packed form for these properties (spec/checked/packed.ts), when each has parts. */
  packed(properties: readonly Property<CheckedState>[]): PackedBinding<CheckedState> | undefined {
    return this.partsOf === undefined ? undefined : checkedPackedBinding(this, properties, this.partsOf);
  }

  /** The packed form for liveness checking of these properties (spec/checked/packed.ts), when it can decide them. */
  packedLiveness(properties: readonly LivenessProperty<CheckedState>[]): PackedLiveness<CheckedState> | undefined {
    return this.partsOf === undefined ? undefined : checkedPackedLiveness(this, properties, this.partsOf);
  }

  actions(s: CheckedState): readonly CheckAction[] {
    const out: CheckAction[] = [];
    // Action objects are immutable and few: each is made once and shared (a search or a walk asks on every state).
    const offers = this.offers;
    for (let v = 0; v < offers.length; v++) {
      for (const o of offers[v]!) if (o.action.flood || s.env.shadow[v]! >= o.action.size) out.push(o.action);
    }
    out.push(TICK);
    for (let i = 0; i < s.pending.length; i++) {
      const p = s.pending[i]!;
      // Identical pending items lead to the same successor: offer one of them.
      if (i > 0 && s.pending[i - 1]!.id === p.id) continue;
      out.push(this.deliverAction(i, p));
    }
    if (this.vmmOffers) out.push(...this.vmmActions(s.machines[this.sys.vmm]!));
    return out;
  }

  /** Whether the VMM's state offers actions (`vmmActions`): with churn, or with a hostile driver. */
  readonly vmmOffers: boolean;

  /**
   * The environment's actions that depend on the VMM's state alone (what is attached where): with churn, a request
   * to attach each detached VM, detach each attached one and resize its partition; then each hostile driver's stray
   * writes to every register set but the one the VMM attached it to.
   */
  vmmActions(vmmState: MachineState<unknown>): CheckAction[] {
    const c = this.sys.config;
    const out: CheckAction[] = [];
    const vmm = vmmState.context as VmmView;
    if (c.churn) {
      for (let v = 0; v < c.vms; v++) {
        const rec = vmm.vms.find((r) => r.id === vmId(v))!;
        if (rec.attachment.kind === 'none') out.push({ kind: 'attach', vm: v });
        else {
          out.push({ kind: 'detach', vm: v });
          if (rec.attachment.kind === 'vnic') {
            const cap = rec.attachment.capacity!;
            for (const to of [c.capacities[v]!, ...c.resizeTo[v]!]) if (to !== cap) out.push({ kind: 'resize', vm: v, capacity: to });
          }
        }
      }
    }
    for (const { vm, writes } of this.strays) {
      const a = vmm.vms.find((r) => r.id === vmId(vm))?.attachment;
      const own = a?.kind === 'vnic' ? a.slot! : -1;
      for (let slot = 0; slot < writes.length; slot++) if (slot !== own) for (const w of writes[slot]!) out.push(w.action);
    }
    return out;
  }

  /** The delivery an action of `vmmActions` makes: the component and the event id. */
  vmmDelivery(a: CheckAction): { readonly to: number; readonly event: number } {
    switch (a.kind) {
      case 'detach':
      case 'attach':
      case 'resize':
        return { to: this.sys.vmm, event: this.managementEvent(a) };
      case 'write':
        return { to: this.sys.registerSets[a.slot]!, event: this.strayEvent(a) };
      default:
        throw new ModelError(`'${this.label(a)}' is not an action of the VMM's state`);
    }
  }

  /** Per hostile VM, per register set, its stray writes (action and event). */
  private readonly strays: readonly StrayVm[];

  /** Per position in the pending list, per pending item id: its delivery action. */
  private readonly deliverActions: Map<number, CheckAction>[] = [];

  private deliverAction(index: number, p: Pending): CheckAction {
    const byId = (this.deliverActions[index] ??= new Map());
    let a = byId.get(p.id);
    if (a === undefined) {
      a = { kind: 'deliver', index, label: p.label };
      byId.set(p.id, a);
    }
    return a;
  }

  next(s: CheckedState, a: CheckAction): CheckedState {
    return this.materialize(s, this.successor(s, a));
  }

  /**
   * `pack(next(s, a), out)` without building the successor: most successors are already visited. Returns false,
   * packing nothing, when the successor is `s` itself (a rejected arrival, a stale timer: about one step in four).
   */
  nextPacked(s: CheckedState, a: CheckAction, out: WordBuffer): boolean {
    const d = this.successor(s, a);
    if (sameAsDraft(s, d)) return false;
    this.keys.packParts(d.ids, d.pending, d.pendingCount, d.outstanding, d.shadow, d.history, d.flags, out);
    return true;
  }

  /** The successor of `s` by `a`, as a draft (reused between calls). */
  private successor(s: CheckedState, a: CheckAction): Draft {
    const sys = this.sys;
    const c = sys.config;
    const d = this.draft.reset(s);
    switch (a.kind) {
      case 'arrive': {
        const i = a.vm < 0 ? c.vms : a.vm;
        d.outstanding[i]!++;
        if (!a.flood) d.shadow[a.vm]! -= a.size;
        this.apply(s, d, sys.nic, this.arrivalEvent(a), false);
        break;
      }
      case 'tick': {
        for (let v = 0; v < c.vms; v++) if (offersConforming(c.roles[v]!)) d.shadow[v] = Math.min(c.bursts[v]!, d.shadow[v]! + c.rates[v]!);
        for (const { history, at } of this.histories) for (const op of history.tick) this.counterOp(d, at, op);
        this.apply(s, d, sys.nic, this.tickEvent, false);
        // The driver domain's tick sees the state the NIC's tick left: that is its pre-state for step checks.
        if (sys.idd >= 0) this.apply(s, d, sys.idd, this.tickEvent, false, true);
        break;
      }
      case 'deliver': {
        const p = s.pending[a.index]!;
        d.pending.copyWithin(a.index, a.index + 1, d.pendingCount);
        d.pendingCount--;
        this.apply(s, d, p.to, p.eventId, true);
        break;
      }
      case 'detach':
      case 'attach':
      case 'resize':
        this.apply(s, d, sys.vmm, this.managementEvent(a), false);
        break;
      case 'write':
        this.apply(s, d, sys.registerSets[a.slot]!, this.strayEvent(a), false);
        break;
    }
    return d;
  }

  /** The event id of an arrival (made once per VM, size and kind). */
  private arrivalEvent(a: Extract<CheckAction, { kind: 'arrive' }>): number {
    const offers = this.offers[a.vm < 0 ? this.sys.config.vms : a.vm]!;
    for (const o of offers) if (o.action.size === a.size && o.action.flood === a.flood) return o.event;
    throw new ModelError(`no arrival of ${a.size} bytes${a.flood ? ' (flood)' : ''} is offered to ${a.vm < 0 ? 'unknown MACs' : vmId(a.vm)}`);
  }

  /** The event id of a hostile driver's write. */
  private strayEvent(a: Extract<CheckAction, { kind: 'write' }>): number {
    const w = this.strays.find((x) => x.vm === a.vm)?.writes[a.slot]?.find((x) => x.action.write === a.write);
    if (w === undefined) throw new ModelError(`${vmId(a.vm)}'s driver makes no stray write '${a.write}' to register set ${a.slot}`);
    return w.event;
  }

  /**
   * What the environment sends for a step that is not a pending delivery, in order: the very deliveries `next`
   * makes (traces draw them as the environment's messages).
   */
  environmentDeliveries(a: Exclude<CheckAction, { kind: 'deliver' }>): { readonly to: number; readonly event: EventObject }[] {
    const sys = this.sys;
    const memo = this.memo;
    switch (a.kind) {
      case 'arrive':
        return [{ to: sys.nic, event: memo.eventOf(this.arrivalEvent(a)) }];
      case 'write':
        return [{ to: sys.registerSets[a.slot]!, event: memo.eventOf(this.strayEvent(a)) }];
      case 'tick': {
        const tick = memo.eventOf(this.tickEvent);
        return sys.idd >= 0 ? [{ to: sys.nic, event: tick }, { to: sys.idd, event: tick }] : [{ to: sys.nic, event: tick }];
      }
      case 'detach':
      case 'attach':
      case 'resize':
        return [{ to: sys.vmm, event: memo.eventOf(this.managementEvent(a)) }];
    }
  }

  /** The event id of a management request (interned once per request: churn checks send them on every step). */
  managementEvent(a: CheckAction & { kind: 'detach' | 'attach' | 'resize' }): number {
    const key = a.kind === 'resize' ? `resize ${a.vm} ${a.capacity}` : `${a.kind} ${a.vm}`;
    let id = this.managementEvents.get(key);
    if (id === undefined) {
      const vm = vmId(a.vm);
      const arch = this.sys.config.arch;
      // Unlike at boot, where only the last VM is, every VM of mixed is declared best effort when re-attached: a
      // re-attach that finds no free vector (a torn-down vNIC's not yet freed) is bridged rather than refused.
      const e =
        a.kind === 'detach'
          ? { type: 'vm.detach', vm }
          : a.kind === 'attach'
            ? attachEvent(arch, a.vm, { qos: this.sys.qos[a.vm]!, bestEffort: arch === 'mixed' })
            : { type: 'partition.resize', vm, capacity: a.capacity };
      id = this.memo.event(e);
      this.managementEvents.set(key, id);
    }
    return id;
  }

  private readonly managementEvents = new Map<string, number>();

  /**
   * One network delivery into the draft, plus bookkeeping. The step checks see `s`, or with `preIsDraft` the draft as
   * it was before this delivery (built only if the delivery raised probes to check). A pending item
   * the receiver no longer accepts (a stale timer) is consumed without effect, as in the simulator; anything else a
   * machine refuses is a specification error.
   */
  private apply(s: CheckedState, d: Draft, to: number, event: number, mayBeStale: boolean, preIsDraft = false): void {
    const memo = this.memo;
    const r = memo.deliver(d.ids, to, event);
    if (r.kind === 'disabled') {
      if (mayBeStale) return;
      throw new ModelError(`${this.sys.network.components[to]!.id} does not accept '${memo.eventOf(event).type}' in state '${memo.state(to, d.ids[to]!).value}'`);
    }
    if (r.kind === 'unhandled') {
      throw new ModelError(`${this.sys.network.components[r.component]!.id} in state '${r.state}' did not handle '${r.event.type}'`);
    }
    if (r.kind === 'bad-output') {
      throw new ModelError(`${this.sys.network.components[r.component]!.id}: action '${r.action}': ${r.reason}`);
    }
    const pre = preIsDraft && r.probes.length > 0 && (this.stepChecks.length > 0 || this.histories.length > 0) ? this.materialize(s, d) : s;
    d.ids = r.ids;
    const targets = r.deferredTargets;
    for (let j = 0; j < targets.length; j += 2) insertSorted(d, this.keys.pendingAt(targets[j]!, targets[j + 1]!).id);
    const probes = r.probes;
    if (probes.length === 0) return;
    const vms = this.sys.config.vms;
    for (let j = 0; j < probes.length; j++) {
      const p = probes[j]!;
      if (p.name !== 'rx.rejected' && p.name !== 'rx.dropped' && p.name !== 'packet.delivered') continue;
      const v = this.sys.vmOfMac((p.data as { packet: Packet }).packet.dst);
      d.outstanding[v < 0 ? vms : v]!--;
    }
    for (const check of this.stepChecks) check(this.sys, pre, probes, d.flags);
    for (const { history, at } of this.histories) {
      const ops = this.opScratch;
      ops.length = 0;
      history.ops(pre.machines, probes, ops);
      for (let o = 0; o < ops.length; o++) this.counterOp(d, at, ops[o]!);
    }
  }

  /** A history's counter operation on the draft (`at`: the history's offset). */
  private counterOp(d: Draft, at: number, op: CounterOp): void {
    const i = at + op.counter;
    const v = applyOp(d.history[i]!, op);
    if (!(v >= -1 && v <= 65534)) throw new ModelError(`history counter ${d.history.length > 0 ? this.historyName(i) : i} set to ${v}: outside [-1, 65534]`);
    d.history[i] = v;
  }

  private historyName(i: number): string {
    for (const { history, at } of this.histories) if (i >= at && i < at + history.names.length) return history.names[i - at]!;
    return String(i);
  }

  /** The draft as a state; unchanged parts are shared with `s`. */
  private materialize(s: CheckedState, d: Draft): CheckedState {
    const memo = this.memo;
    let machines = s.machines;
    if (d.ids !== s.ids) {
      const m = s.machines.slice();
      for (let i = 0; i < m.length; i++) if (d.ids[i] !== s.ids[i]) m[i] = memo.state(i, d.ids[i]!);
      machines = m;
    }
    let pending = s.pending;
    if (!sameIds(s.pending, d.pending, d.pendingCount)) {
      const list = new Array<Pending>(d.pendingCount);
      for (let i = 0; i < list.length; i++) list[i] = this.keys.pendingById(d.pending[i]!);
      pending = list;
    }
    const env =
      sameNumbers(s.env.outstanding, d.outstanding) && sameNumbers(s.env.shadow, d.shadow) && sameNumbers(s.env.history, d.history)
        ? s.env
        : { outstanding: d.outstanding.slice(), shadow: d.shadow.slice(), history: d.history.slice() };
    return { machines, ids: d.ids, pending, env, flags: d.flags.length === 0 ? NO_FLAGS : d.flags.slice() };
  }

  key(s: CheckedState): string {
    return this.keys.key(s);
  }

  pack(s: CheckedState, out: WordBuffer): void {
    this.keys.pack(s, out);
  }

  unpack(words: Uint32Array, length: number): CheckedState {
    return this.keys.unpack(words, length);
  }


  /**
   * Weak fairness (src/explore/liveness.ts): delivering a pending item — a DMA or wire completion, a CPU job, VMM
   * forwarding — is the fair task named by the item's id; the environment's choices (arrivals, ticks, churn) are not
   * fair. Identical pending items are one task (the model offers one delivery for them).
   */
  fairTask(s: CheckedState, a: CheckAction): number {
    return a.kind === 'deliver' ? s.pending[a.index]!.id : -1;
  }

  describeTask(task: number): string {
    return this.keys.pendingById(task).label;
  }

  label(a: CheckAction): string {
    switch (a.kind) {
      case 'arrive': {
        // The size only when there is a choice of sizes: traces of single-size systems read as before.
        const size = this.sys.config.sizes.length > 1 ? `, ${a.size} bytes` : '';
        return a.vm < 0 ? `arrive(unknown MAC${size})` : `arrive(vm${a.vm}, ${a.flood ? 'flooding' : 'conforming'}${size})`;
      }
      case 'write':
        return `stray-write(vm${a.vm} → ${this.sys.network.components[this.sys.registerSets[a.slot]!]!.id}: ${a.write})`;
      case 'tick':
        return 'tick';
      case 'deliver':
        return a.label;
      case 'detach':
      case 'attach':
        return `${a.kind}(vm${a.vm})`;
      case 'resize':
        return `resize(vm${a.vm}, ${a.capacity})`;
    }
  }

  /**
   * The kind of `a` for swarm random search: an arrival per VM, the tick, a management request per VM, and a pending
   * delivery by its receiver and event type (`dma: dma.done`), whatever its payload.
   */
  actionKind(a: CheckAction): string {
    switch (a.kind) {
      case 'arrive':
        return a.vm < 0 ? 'arrive(unknown MAC)' : `arrive(vm${a.vm})`;
      case 'tick':
        return 'tick';
      case 'deliver': {
        let kind = this.deliveryKinds.get(a.label);
        if (kind === undefined) {
          const paren = a.label.indexOf('(');
          kind = paren < 0 ? a.label : a.label.slice(0, paren);
          this.deliveryKinds.set(a.label, kind);
        }
        return kind;
      }
      case 'detach':
      case 'attach':
      case 'resize':
        return `${a.kind}(vm${a.vm})`;
      case 'write':
        return `stray-write(vm${a.vm})`;
    }
  }

  private readonly deliveryKinds = new Map<string, string>();

  vars(s: CheckedState): Readonly<Record<string, unknown>> {
    const vars: Record<string, unknown> = {};
    this.sys.network.components.forEach((c, i) => {
      if (this.sys.kinds[i] === 'wire') return;
      const m = s.machines[i]!;
      vars[c.id] = { state: m.value, ...(m.context as object) };
    });
    vars['pending'] = s.pending.map((p) => p.label);
    const env: Record<string, unknown> = { outstanding: s.env.outstanding, shadow: s.env.shadow };
    if (this.histories.length > 0) {
      const history: Record<string, number> = {};
      for (const { history: h, at } of this.histories) h.names.forEach((name, i) => (history[name] = s.env.history[at + i]!));
      env['history'] = history;
    }
    vars['env'] = env;
    if (s.flags.length > 0) vars['flags'] = s.flags;
    return vars;
  }
}

/**
 * State keys use collapse compression, as SPIN does: each machine's (state, context) is interned once to a small
 * number per component (by the MemoNetwork, which steps each of them once per event), and pending items likewise.
 * A state key is then a handful of characters, one per component, whatever the size of the contexts.
 */
export class KeyEncoder {
  private readonly pendingIds = new PairMap();
  private readonly pendings: Pending[] = [];

  constructor(
    private readonly sys: CheckedSystem,
    private readonly memo: MemoNetwork,
  ) {}

  /** Distinct machine (state, context) pairs seen, over all components: what collapse compression stores once. */
  get internedContexts(): number {
    return this.memo.internedStates;
  }

  /** The id of component `i` in machine state `m`; the active state name is interned with the context. */
  idOf(i: number, m: MachineState<unknown>): number {
    return this.memo.intern(i, m);
  }

  /** The pending item delivering `event` to component `to`; one object per distinct (to, event). */
  pending(to: number, event: EventObject): Pending {
    return this.pendingAt(to, this.memo.event(event));
  }

  /** The pending item delivering event id `eventId` to component `to`. */
  pendingAt(to: number, eventId: number): Pending {
    const known = this.pendingIds.get(to, eventId);
    if (known !== -1) return this.pendings[known]!;
    const id = this.pendings.length;
    const event = this.memo.eventOf(eventId);
    const p: Pending = { to, event, eventId, label: `${this.sys.network.components[to]!.id}: ${eventLabel(event)}`, id };
    this.pendings.push(p);
    this.pendingIds.add(to, eventId);
    return p;
  }

  /** The pending item with id `id`. */
  pendingById(id: number): Pending {
    return this.pendings[id]!;
  }

  /** Width of `env.history` (the model sets it once it knows its histories). */
  historyWidth = 0;

  /** The state as words: machine ids, pending count and ids, outstanding + 1, shadow + 1, history + 1 two to a word, flag-list id (0: none). */
  pack(s: CheckedState, out: WordBuffer): void {
    const ids = s.ids;
    for (let i = 0; i < ids.length; i++) out.push(ids[i]!);
    const pending = s.pending;
    out.push(pending.length);
    for (let i = 0; i < pending.length; i++) out.push(pending[i]!.id);
    this.packEnv(s.env.outstanding, s.env.shadow, s.env.history, s.flags, out);
  }

  /** `pack` from a state's parts: machine ids, the first `n` sorted pending ids, counters and flags. */
  packParts(
    ids: readonly number[],
    pending: ArrayLike<number>,
    n: number,
    outstanding: readonly number[],
    shadow: readonly number[],
    history: readonly number[],
    flags: readonly Flag[],
    out: WordBuffer,
  ): void {
    for (let i = 0; i < ids.length; i++) out.push(ids[i]!);
    out.push(n);
    for (let i = 0; i < n; i++) out.push(pending[i]!);
    this.packEnv(outstanding, shadow, history, flags, out);
  }

  private packEnv(outstanding: readonly number[], shadow: readonly number[], history: readonly number[], flags: readonly Flag[], out: WordBuffer): void {
    for (let i = 0; i < outstanding.length; i++) out.push(outstanding[i]! + 1);
    for (let i = 0; i < shadow.length; i++) out.push(shadow[i]! + 1);
    // History counters lie in [-1, 65534] (counterOp): two to a word.
    for (let i = 0; i < history.length; i += 2) out.push((history[i]! + 1) | (i + 1 < history.length ? (history[i + 1]! + 1) << 16 : 0));
    out.push(flags.length === 0 ? 0 : this.flagListId(flags) + 1);
  }

  unpack(words: Uint32Array, length: number): CheckedState {
    const n = this.sys.network.components.length;
    const vms = this.sys.config.vms;
    const ids = new Array<number>(n);
    const machines = new Array<MachineState<unknown>>(n);
    let p = 0;
    for (let i = 0; i < n; i++) {
      ids[i] = words[p++]!;
      machines[i] = this.memo.state(i, ids[i]!);
    }
    const pending = new Array<Pending>(words[p++]!);
    for (let i = 0; i < pending.length; i++) pending[i] = this.pendings[words[p++]!]!;
    const outstanding = new Array<number>(vms + 1);
    for (let i = 0; i <= vms; i++) outstanding[i] = words[p++]! - 1;
    const shadow = new Array<number>(vms);
    for (let i = 0; i < vms; i++) shadow[i] = words[p++]! - 1;
    const history = new Array<number>(this.historyWidth);
    for (let i = 0; i < history.length; i += 2) {
      const w = words[p++]!;
      history[i] = (w & 0xffff) - 1;
      if (i + 1 < history.length) history[i + 1] = (w >>> 16) - 1;
    }
    const f = words[p++]!;
    if (p !== length) throw new Error(`unpack: ${length} words, read ${p}`);
    return { machines, ids, pending, env: { outstanding, shadow, history }, flags: f === 0 ? NO_FLAGS : this.flagLists[f - 1]! };
  }

  private readonly flagListIds = new Map<string, number>();
  private readonly flagLists: (readonly Flag[])[] = [];

  private flagListId(flags: readonly Flag[]): number {
    const key = JSON.stringify(flags.map((f) => [f.property, f.message]));
    let id = this.flagListIds.get(key);
    if (id === undefined) {
      id = this.flagLists.length;
      this.flagListIds.set(key, id);
      this.flagLists.push(flags.slice());
    }
    return id;
  }

  key(s: CheckedState): string {
    const codes: number[] = [];
    const put = (id: number) => {
      // One UTF-16 unit for ids below 0xD000; beyond, an escape unit and two 15-bit halves (no surrogates).
      if (id < 0xd000) codes.push(id);
      else codes.push(0xd000, Math.floor(id / 0x8000), id % 0x8000);
    };
    for (const id of s.ids) put(id);
    put(s.pending.length);
    for (const p of s.pending) put(p.id);
    for (const x of s.env.outstanding) put(x + 1);
    for (const x of s.env.shadow) put(x + 1);
    for (const x of s.env.history) put(x + 1);
    let k = String.fromCharCode(...codes);
    if (s.flags.length > 0) k += '!' + s.flags.map((f) => f.property).join(',');
    return k;
  }
}
