/**
 * The properties of the checked system, each a named, documented predicate over the composed state (and, where the
 * property is about what a step did, a check over the transition that raises a flag the predicate reports; where it
 * is about what happened over time, history counters kept in the state with bounds on them — `History`).
 * The explorer checks them exhaustively. The parts that hold for any run — isolation, the state part of
 * qos-admission, conservation, the rate bound, vmm-nic-agreement, msi-routing — are also checked by every
 * simulation's runtime monitor (runtime.ts).
 *
 * No property takes the specification's own functions as its reference (references.ts says what they use instead):
 * where a packet belongs comes from the MACs each VM was configured with and the VMM's attachment records, what a VM
 * may be admitted from an independent shadow bucket over the configured QoS (bandwidth.ts), what the DMA arbiter owes
 * each vNIC from the grants it reports and the configured weights (dma-grants.ts).
 */
import type { Property } from '../src/explore/index.js';
import type { Probe } from '../src/network/network.js';
import type { SharedNicContext } from '../spec/nic-shared.js';
import type { VnicContext } from '../spec/vnic.js';
import type { Packet } from '../spec/packet.js';
import type { VmContext } from '../spec/vm-driver.js';
import type { CheckedState, CheckedSystem, History, HistoryBound, StepCheck, TransitionCheck } from '../spec/checked/model.js';
import type { PropertyParts } from '../spec/checked/packed.js';
import type { MachineState } from '../src/machine/index.js';
import { grown } from '../src/util/grown.js';
import { observe } from '../src/network/packed/observe.js';
import { deviceBudgets, qosInProbe } from './bandwidth.js';
import { msiRoutingInProbe, vmmNicAgreementForSlot, vmmNicAgreementVectors } from './between.js';
import { dmaGrants, fairArbiter } from './dma-grants.js';
import { conservationOf, hasVnics, isolationAcrossComponents, isolationAcrossForSlot, isolationInComponent, isolationInStep, qosInComponent } from './invariants.js';
import { addHeld } from './packets.js';
import { macOwners, payerOf, vmmRecords } from './references.js';

/**
 * A property of the checked system, before it is bound to one configuration: `state(sys)` gives the predicate the
 * explorer evaluates on every reachable state (`undefined`: holds / witnessed; a string: why not). Write one of your
 * own and pass it to `check({ properties: [...] })` from `vnicspec` (see examples/custom-property.ts).
 */
export interface CheckedProperty {
  readonly name: string;
  readonly description: string;
  readonly kind: 'always' | 'sometimes';
  /** Build the predicate for one system. */
  readonly state: (sys: CheckedSystem) => (s: CheckedState) => string | undefined;
  /** Transition checks feeding this property (their flags carry the property's name). */
  readonly step?: StepCheck;
  /** Whether the property says anything about this configuration (default: yes). */
  readonly applies?: (sys: CheckedSystem) => boolean;
  /**
   * Optional, for speed: the same verdict as `state` from parts the explorer decides on packed states — once per
   * machine state, or per combination of the few machine states a part reads — instead of on every composed state.
   * A property without parts is checked on objects (slower, same results).
   */
  readonly parts?: (sys: CheckedSystem) => PropertyParts;
  /**
   * History counters the property keeps in the state (spec/checked/history.ts), shared by `key` among the chosen
   * properties: `make` gets the chosen property names, and the history's `bounds` naming this property are part of it.
   */
  readonly history?: { readonly key: string; readonly make: (sys: CheckedSystem, chosen: readonly string[]) => History };
}

export type { PropertyParts };

const ctx = <T>(s: CheckedState, i: number): T => s.machines[i]!.context as T;
const flagged = (name: string) => (s: CheckedState) => {
  // Almost no state carries flags.
  for (let i = 0; i < s.flags.length; i++) if (s.flags[i]!.property === name) return s.flags[i]!.message;
  return undefined;
};
const firstOf = (...checks: ((s: CheckedState) => string | undefined)[]) => (s: CheckedState) => {
  for (const c of checks) {
    const r = c(s);
    if (r !== undefined) return r;
  }
  return undefined;
};
const packetOf = (p: Probe): Packet => (p.data as { packet: Packet }).packet;

/**
 * A check that reads component `i`'s state alone, memoized per interned state id: the explorer meets each machine
 * state in many composed states (3 VMs × 3 slots: 3.1 million states, 326 machine states over 11 components). Only "holds" is
 * remembered; a violation ends the search.
 */
function perMachineState(i: number, check: (m: MachineState<unknown>) => string | undefined): (s: CheckedState) => string | undefined {
  let holds = new Uint8Array(1024);
  return (s) => {
    const id = s.ids[i]!;
    if (id < holds.length && holds[id] === 1) return undefined;
    const why = check(s.machines[i]!);
    if (why === undefined) {
      if (id >= holds.length) holds = grown(holds, Math.max(id + 1, holds.length * 2));
      holds[id] = 1;
    }
    return why;
  };
}

/**
 * A check made of one part per component (each reading that component's state alone, memoized per state id) and
 * an optional part across the components `reads`. Every component gets its part, even those with none today: a part
 * added to invariants.ts is then checked here too (a component with few states costs a lookup in a small table).
 *
 * Consecutive states checked (a random walk's, siblings in a search) share most machine states: the ids for which
 * the parts held last are kept, and only components whose state changed since are looked at; the part across
 * components is evaluated again only when one of the components it reads changed since it last held.
 */
function perComponent(
  sys: CheckedSystem,
  part: (i: number, m: MachineState<unknown>) => string | undefined,
  across?: { readonly reads: readonly number[]; readonly check: (s: CheckedState) => string | undefined },
): (s: CheckedState) => string | undefined {
  const n = sys.kinds.length;
  const parts = sys.kinds.map((_, i) => perMachineState(i, (m) => part(i, m)));
  const reads = new Uint8Array(n);
  for (const i of across?.reads ?? []) if (i >= 0) reads[i] = 1;
  /** Per component: the state id its part last held for (-1: none yet). */
  const held = new Int32Array(n).fill(-1);
  /** Whether `across` held for the states `held` names of the components it reads. */
  let acrossHeld = false;
  return (s) => {
    for (let j = 0; j < n; j++) {
      const id = s.ids[j]!;
      if (id === held[j]) continue;
      const why = parts[j]!(s);
      if (why !== undefined) return why;
      held[j] = id;
      if (reads[j] === 1) acrossHeld = false;
    }
    if (across === undefined || acrossHeld) return undefined;
    const why = across.check(s);
    acrossHeld = why === undefined;
    return why;
  };
}

// ---- isolation -------------------------------------------------------------------------------------------------

/** `isolationInState` (invariants.ts) with each component's own part memoized per machine state. */
const isolationState = (sys: CheckedSystem) =>
  perComponent(sys, (i, m) => isolationInComponent(sys, i, m), {
    // What isolationAcrossComponents reads: the transmit queue, the vNICs and the VMM's vector table.
    reads: [sys.tx, ...sys.vnics, sys.vmm],
    check: (s) => isolationAcrossComponents(sys, s.machines),
  });

/** The explorer's step check for isolation: a flag for the first breach in the delivery (invariants.ts). */
const isolationStep: StepCheck = (sys, pre, probes, flags) => {
  const why = isolationInStep(sys, pre.machines, probes);
  if (why !== undefined) flags.push({ property: 'isolation', message: why });
};

// ---- qos-admission ---------------------------------------------------------------------------------------------

/**
 * qos-admission's step part: on the vNIC NIC, each admission and rejection judged against the configured MAC map, the
 * VMM's records and the partition's packets (bandwidth.ts `qosInProbe`); on the shared-buffer NIC (xen-idd), a
 * rejection only when the buffer's packets leave no room.
 */
const qosStep: StepCheck = (sys, pre, probes, flags) => {
  const conforming = (v: number) => sys.config.roles[v] === 'conforming';
  for (const p of probes) {
    if (p.name !== 'rx.rejected' && p.name !== 'rx.admitted') continue;
    let why: string | undefined;
    if (hasVnics(sys)) why = qosInProbe(sys, pre.machines, p, conforming);
    else if (p.name === 'rx.rejected') {
      const d = p.data as { packet: Packet; reason?: string };
      const nic = ctx<SharedNicContext>(pre, sys.nic);
      const held = nic.buffer.reduce((a, q) => a + q.size, 0);
      if (d.reason !== 'device-buffer-full' || held + d.packet.size <= nic.capacity) why = `packet rejected as '${d.reason}' with ${held}/${nic.capacity} bytes held`;
    }
    if (why !== undefined) flags.push({ property: 'qos-admission', message: why });
  }
};

/** The shadow buckets of bandwidth-conformance (bandwidth.ts). */
const DEVICE_BUDGETS: NonNullable<CheckedProperty['history']> = {
  key: 'device-budgets',
  make: (sys, chosen) => deviceBudgets(sys, chosen.includes('bandwidth-conformance')),
};

// ---- no-cross-vm-starvation ------------------------------------------------------------------------------------

/**
 * Whether `packet`, for VM `v`, was offered within the VM's bandwidth specification: every packet of a conforming
 * VM; an adversary's requests (the environment offers its conforming packets as requests, its floods as floods).
 */
const offeredConforming = (sys: CheckedSystem, v: number, packet: Packet): boolean => {
  const role = sys.config.roles[v];
  return role === 'conforming' || (role === 'adversary' && packet.kind === 'request');
};

/**
 * A packet offered within its VM's bandwidth specification is never rejected or dropped because of resources other
 * VMs' packets occupy. Reference:
 * the buffer that refused it as it was (the vNIC's partition or the shared buffer, in the pre-state), its packets'
 * owners by the configured MAC map; for a rate rejection, the other VMs admitted under the same bandwidth
 * specification by the VMM's records (bridged VMs share the driver domain's); for a drop, the owners the dropping
 * component names.
 */
const starvationStep: StepCheck = (sys, pre, probes, flags) => {
  for (const p of probes) {
    if (p.name !== 'rx.rejected' && p.name !== 'rx.dropped') continue;
    const owner = macOwners(sys);
    const packet = packetOf(p);
    const v = owner(packet.dst);
    if (v < 0 || !offeredConforming(sys, v, packet)) continue;
    const d = p.data as { reason: string; slot: number; blockers?: readonly number[] };
    let macs: readonly number[] = p.name === 'rx.dropped' ? (d.blockers ?? []) : [];
    let shared = false;
    if (p.name === 'rx.rejected' && d.reason === 'partition-full' && hasVnics(sys)) macs = (pre.machines[sys.vnics[d.slot]!]!.context as VnicContext).queue.map((q) => q.dst);
    else if (p.name === 'rx.rejected' && d.reason === 'device-buffer-full') macs = ctx<SharedNicContext>(pre, sys.nic).buffer.map((q) => q.dst);
    else if (p.name === 'rx.rejected' && d.reason === 'rate-exceeded' && sys.vmm >= 0) {
      // The bucket is a resource too: bridged VMs share the driver domain's (mixed), by the VMM's records.
      const records = observe(pre.machines, sys.vmm, vmmRecords);
      const payer = payerOf(sys, records, v);
      macs = sys.vmMacs.flatMap((m, o) => (o !== v && payer >= 0 && payerOf(sys, records, o) === payer ? m : []));
      shared = true;
    }
    const others = [...new Set(macs.map((mac) => owner(mac)).filter((o) => o !== v))].sort((a, b) => a - b);
    if (others.length > 0) {
      const whose = others.map((o) => (o >= 0 ? sys.vmNames[o] : 'unknown destinations')).join(', ');
      const why = shared ? `while it shares its bandwidth specification with ${whose}` : `while the buffer held packets of ${whose}`;
      flags.push({
        property: 'no-cross-vm-starvation',
        message: `${sys.vmNames[v]} conforms to its bandwidth specification, yet its packet was ${p.name === 'rx.rejected' ? 'rejected' : 'dropped'} (${d.reason}) ${why}`,
      });
    }
  }
};

/** The waiting bound and dma-fairness judge the DMA engine's grants (dma-grants.ts): one history for both. */
const DMA_GRANTS: NonNullable<CheckedProperty['history']> = {
  key: 'dma-grants',
  make: (sys, chosen) => {
    const dma = sys.dma >= 0 ? (sys.network.components[sys.dma]!.input as { quantum: number }) : { quantum: 1 };
    const sizes = (sys.config as { sizes?: readonly number[] }).sizes ?? [1];
    return dmaGrants(
      sys,
      { waitBound: sys.waitBound, arbiter: sys.config.dma, quantum: dma.quantum, maxPacket: Math.max(1, ...sizes) },
      { starvation: chosen.includes('no-cross-vm-starvation'), fairness: chosen.includes('dma-fairness') },
    );
  },
};

// ---- between machines ------------------------------------------------------------------------------------------

/**
 * A check across the components `reads`, evaluated again only when one of them changed since it last held (the
 * object explorer's memo; the packed one memoizes it per combination of what it read).
 */
function acrossOnly(reads: readonly number[], check: (s: CheckedState) => string | undefined): (s: CheckedState) => string | undefined {
  const comps = reads.filter((i) => i >= 0);
  const last = new Int32Array(comps.length).fill(-1);
  let held = false;
  return (s) => {
    let same = held;
    for (let k = 0; k < comps.length; k++) {
      const id = s.ids[comps[k]!]!;
      if (id !== last[k]) {
        same = false;
        last[k] = id;
      }
    }
    if (same) return undefined;
    const why = check(s);
    held = why === undefined;
    return why;
  };
}

/** vmm-nic-agreement (between.ts): per vNIC slot and on vectors, each memoized on the machines it reads. */
function agreementState(sys: CheckedSystem): (s: CheckedState) => string | undefined {
  const parts = [
    ...sys.vnics.map((_, slot) => acrossOnly([sys.vmm, sys.vnics[slot]!, sys.dma], (s) => vmmNicAgreementForSlot(sys, s.machines, slot))),
    acrossOnly([sys.vmm, ...sys.vnics], (s) => vmmNicAgreementVectors(sys, s.machines)),
  ];
  return (s) => {
    for (const part of parts) {
      const why = part(s);
      if (why !== undefined) return why;
    }
    return undefined;
  };
}

/** msi-routing's step check: a flag for an interrupt that reached a VM not owning its vector (between.ts). */
const msiRoutingStep: StepCheck = (sys, pre, probes, flags) => {
  for (const p of probes) {
    if (p.name !== 'virq.received') continue;
    const why = msiRoutingInProbe(sys, pre.machines, p);
    if (why !== undefined) flags.push({ property: 'msi-routing', message: why });
  }
};

// ---- conservation ----------------------------------------------------------------------------------------------

/**
 * `conservationInState` (invariants.ts) with each component's packets held per VM (`addHeld`) memoized per machine
 * state: a row of vms + 1 counts per state id. The totals are kept for the state checked last and updated by the
 * rows of the components whose state changed since: consecutive states (a random walk's, siblings in a search)
 * share most machine states, so a 16-VM state costs a few rows instead of 37.
 */
function conservationState(sys: CheckedSystem): (s: CheckedState) => string | undefined {
  const width = sys.config.vms + 1;
  const n = sys.kinds.length;
  const rows = sys.kinds.map(() => ({ known: new Uint8Array(1024), held: new Int32Array(1024 * width) }));
  const scratch = new Array<number>(width).fill(0);
  const lastIds = new Int32Array(n).fill(-1);
  const held = new Int32Array(width);
  const owner = macOwners(sys);
  return (s) => {
    for (let i = 0; i < n; i++) {
      const id = s.ids[i]!;
      const was = lastIds[i]!;
      if (id === was) continue;
      const r = rows[i]!;
      if (id >= r.known.length) {
        const size = Math.max(id + 1, r.known.length * 2);
        r.known = grown(r.known, size);
        r.held = grown(r.held, size * width);
      }
      if (r.known[id] === 0) {
        scratch.fill(0);
        addHeld(sys.kinds[i]!, s.machines[i]!.context, owner, scratch, width - 1);
        for (let v = 0; v < width; v++) r.held[id * width + v] = scratch[v]!;
        r.known[id] = 1;
      }
      if (was >= 0) for (let v = 0; v < width; v++) held[v]! -= r.held[was * width + v]!;
      for (let v = 0; v < width; v++) held[v]! += r.held[id * width + v]!;
      lastIds[i] = id;
    }
    return conservationOf(sys, held, s.env.outstanding);
  };
}

// ---- sometimes: the interesting outcomes are reachable -----------------------------------------------------------

function conformingDelivered(sys: CheckedSystem): (s: CheckedState) => string | undefined {
  return (s) => (sys.vmComponent.some((i) => conformingHolds(sys, i, s.machines[i]!)) ? undefined : 'no conforming packet in a VM ring');
}

function bufferFull(sys: CheckedSystem): (s: CheckedState) => string | undefined {
  return (s) => {
    if (hasVnics(sys)) return sys.vnics.some((i) => fullIn(sys, i, s.machines[i]!)) ? undefined : 'no full partition';
    return fullIn(sys, sys.nic, s.machines[sys.nic]!) ? undefined : 'shared buffer not full';
  };
}

/** A VM's Rx ring holds a packet offered within its specification (`conformingDelivered`'s part in one machine). */
const conformingHolds = (sys: CheckedSystem, i: number, m: MachineState<unknown>): boolean => {
  const v = sys.vmComponent.indexOf(i);
  return v >= 0 && (m.context as VmContext).ring.some((p) => offeredConforming(sys, v, p));
};

/** A buffer is full: no room for a packet of the smallest size; with size 1, every byte used (`bufferFull`'s part in one machine). */
const fullIn = (sys: CheckedSystem, i: number, m: MachineState<unknown>): boolean => {
  const smallest = sys.config.sizes[0]!;
  if (hasVnics(sys)) {
    if (!sys.vnics.includes(i)) return false;
    const v = m.context as VnicContext;
    return m.value === 'active' && v.used + smallest > v.capacity;
  }
  if (i !== sys.nic) return false;
  const nic = m.context as SharedNicContext;
  return nic.used + smallest > nic.capacity;
};

/** The built-in properties, in the order the checker reports them. */
export const PROPERTIES: readonly CheckedProperty[] = [
  {
    name: 'isolation',
    description:
      'A packet is only buffered in its destination’s partition, DMA’d only into its own VM’s pages through a live I/O page-table mapping (so nothing reaches a VM after teardown), and its MSI is forwarded only to that VM; transmit reads only the sender’s partition. Reference: the MACs each VM was configured with.',
    kind: 'always',
    state: (sys) => firstOf(flagged('isolation'), isolationState(sys)),
    step: isolationStep,
    parts: (sys) => ({
      flagged: true,
      local: (i, m) => isolationInComponent(sys, i, m) !== undefined,
      across: sys.vnics.map((_, slot) => (machines: readonly MachineState<unknown>[]) => isolationAcrossForSlot(sys, machines, slot) !== undefined),
    }),
  },
  {
    name: 'qos-admission',
    description:
      'Every packet goes to the vNIC the VMM attached its owner to (or is rejected as unknown-destination when none), an admitted packet fits its partition, every rejection states a reason that was true at that moment (partition-full: the partition’s packets left no room; rate-exceeded: never for a VM whose traffic conforms to its own bucket, else its bucket lacked the bytes), each partition accounts exactly the bytes it holds and no more than its capacity, and each bucket stays within [0, burst]. References: the configured MAC→VM map, the VMM’s attachment records, the partition’s packets.',
    kind: 'always',
    state: (sys) => firstOf(flagged('qos-admission'), perComponent(sys, (i, m) => qosInComponent(sys, i, m))),
    step: qosStep,
    parts: (sys) => ({ flagged: true, local: (i, m) => qosInComponent(sys, i, m) !== undefined }),
  },
  {
    name: 'bandwidth-conformance',
    description:
      'For every VM (and, under mixed, the driver domain), conforming or not, the bytes admitted at the device over any interval of one attachment never exceed burst + rate × the elapsed abstract time. Reference: an independent shadow token bucket per VM over the QoS it was configured with, fed by the admissions (it never goes below zero exactly when the bound holds for every interval).',
    kind: 'always',
    state: () => () => undefined,
    applies: (sys) => hasVnics(sys) && sys.vmm >= 0,
    history: DEVICE_BUDGETS,
    parts: () => ({}),
  },
  {
    name: 'no-cross-vm-starvation',
    description:
      'A packet of a VM that conforms to its bandwidth specification is never rejected or dropped because of other VMs’ traffic, and an eligible head packet is DMA’d within a bounded number of DMA grants to other vNICs (the configured weights’ sum less the smallest). References: the refusing buffer’s packets, the grants the DMA engine reports, counted by the property.',
    kind: 'always',
    state: () => flagged('no-cross-vm-starvation'),
    step: starvationStep,
    history: DMA_GRANTS,
    parts: () => ({ flagged: true }),
  },
  {
    name: 'conservation',
    description:
      'No packet is lost or duplicated: for every VM, packets offered and not yet rejected, dropped (with a reason) or delivered are exactly the packets held in device buffers, the driver domain and rings — across resize and teardown too.',
    kind: 'always',
    state: conservationState,
    parts: (sys) => ({ outstanding: (i, m, out) => addHeld(sys.kinds[i]!, m.context, macOwners(sys), out, sys.config.vms) }),
  },
  {
    name: 'vmm-nic-agreement',
    description:
      'At every quiescent point (no management message in flight) the VMM’s view of each attachment — slot, MSI vector, partition size, MACs, owner, which slots are in use or draining — agrees with the NIC’s vNICs, each vNIC carries the QoS its owner was configured with, and the DMA engine’s request line for each vNIC is the vNIC’s. Reference: the two sides against each other and the configuration.',
    kind: 'always',
    state: agreementState,
    applies: (sys) => hasVnics(sys) && sys.vmm >= 0,
    parts: (sys) => ({
      across: [
        ...sys.vnics.map((_, slot) => (machines: readonly MachineState<unknown>[]) => vmmNicAgreementForSlot(sys, machines, slot) !== undefined),
        (machines: readonly MachineState<unknown>[]) => vmmNicAgreementVectors(sys, machines) !== undefined,
      ],
    }),
  },
  {
    name: 'msi-routing',
    description:
      'Every interrupt the VMM forwards reaches the VM that owns the vector at that moment, and an interrupt on a vector nobody owns reaches no VM. Reference: the owner of the active vNIC raising the vector, observed where the interrupt lands.',
    kind: 'always',
    state: () => flagged('msi-routing'),
    step: msiRoutingStep,
    applies: (sys) => hasVnics(sys) && sys.vmm >= 0,
    parts: () => ({ flagged: true }),
  },
  {
    name: 'dma-fairness',
    description:
      'Under wrr and drr, while two vNICs both request DMA each gets grants in proportion to its configured weight, within one round: over any run of grants, S_i·w_j − S_j·w_i ≤ w_i·w_j·Q + (M − 1)·(w_i + w_j) (S: packets under wrr with Q = 1, bytes under drr with Q the quantum; M the largest packet). Reference: the grants the DMA engine reports and the configured weights, with a lead counter per pair of VMs kept by the property.',
    kind: 'always',
    state: () => () => undefined,
    applies: (sys) => hasVnics(sys) && sys.vmm >= 0 && fairArbiter(sys.config.dma),
    history: DMA_GRANTS,
    parts: () => ({}),
  },
  {
    name: 'reach-conforming-delivery',
    description: 'Sanity: a conforming VM’s packet can reach its Rx ring.',
    kind: 'sometimes',
    state: conformingDelivered,
    applies: (sys) => sys.config.roles.some((r) => r === 'conforming' || r === 'adversary'),
    parts: (sys) => ({ local: (i, m) => conformingHolds(sys, i, m) }),
  },
  {
    name: 'reach-buffer-full',
    description: 'Sanity: a device buffer (a partition, or the shared buffer) can fill up.',
    kind: 'sometimes',
    state: bufferFull,
    // With every VM idle no packet for a VM is ever offered: nothing to witness, not a finding.
    applies: (sys) => sys.config.roles.some((r) => r !== 'idle'),
    parts: (sys) => ({ local: (i, m) => fullIn(sys, i, m) }),
  },
];

/** The built-in properties' names (`check --property NAME`). */
export const PROPERTY_NAMES = PROPERTIES.map((p) => p.name);

const PARTS = new WeakMap<Property<CheckedState>, PropertyParts>();

/** The parts of a property made by `propertiesFor` (for the packed explorer), if it has them. */
export function propertyParts(p: Property<CheckedState>): PropertyParts | undefined {
  return PARTS.get(p);
}

/** A history bound at its place in the state's `env.history`. */
type PlacedBound = HistoryBound & { readonly index: number };

/** The object form of a property's history bounds: the first counter outside its bound, as the bound words it. */
function boundsCheck(bounds: readonly PlacedBound[]): (s: CheckedState) => string | undefined {
  return (s) => {
    for (const b of bounds) {
      const v = s.env.history[b.index]!;
      if (v < b.min || v > b.max) return b.message(v, s.machines);
    }
    return undefined;
  };
}

/** Property `p` bound to one system, with the history bounds that are its; its parts (if any) are known to `propertyParts`. */
function bind(p: CheckedProperty, sys: CheckedSystem, bounds: readonly PlacedBound[]): Property<CheckedState> {
  const own = p.state(sys);
  const check = bounds.length === 0 ? own : firstOf(own, boundsCheck(bounds));
  const property: Property<CheckedState> = { name: p.name, description: p.description, kind: p.kind, check };
  if (p.parts !== undefined) {
    const parts = p.parts(sys);
    PARTS.set(property, bounds.length === 0 ? parts : { ...parts, bounds: bounds.map((b) => ({ counter: b.index, min: b.min, max: b.max })) });
  }
  return property;
}

/**
 * The chosen properties (those that apply) bound to one system, and what the model runs on each transition for them:
 * their step checks, then each history they keep, once (properties sharing a history share its counters), in the
 * order the model lays them out in `env.history`.
 */
export function bindProperties(sys: CheckedSystem, chosen: readonly CheckedProperty[]): { properties: Property<CheckedState>[]; stepChecks: TransitionCheck[] } {
  const names = chosen.map((p) => p.name);
  const histories: History[] = [];
  const bounds = new Map<string, PlacedBound[]>();
  const made = new Set<string>();
  let width = 0;
  for (const p of chosen) {
    if (p.history === undefined || made.has(p.history.key)) continue;
    made.add(p.history.key);
    const h = p.history.make(sys, names);
    for (const b of h.bounds) bounds.set(b.property, [...(bounds.get(b.property) ?? []), { ...b, index: width + b.counter }]);
    histories.push(h);
    width += h.initial.length;
  }
  return {
    properties: chosen.map((p) => bind(p, sys, bounds.get(p.name) ?? [])),
    stepChecks: [...chosen.flatMap((p) => (p.step ? [p.step] : [])), ...histories],
  };
}

/** Property `p` bound to one system alone (no history of another property shared): see `bindProperties`. */
export function bindProperty(p: CheckedProperty, sys: CheckedSystem): Property<CheckedState> {
  return bindProperties(sys, [p]).properties[0]!;
}

/** The explorer's properties and the model's transition checks (step checks and histories) for the selected property names. */
export function propertiesFor(sys: CheckedSystem, names: readonly string[]): { properties: Property<CheckedState>[]; stepChecks: TransitionCheck[] } {
  return bindProperties(
    sys,
    PROPERTIES.filter((p) => names.includes(p.name) && (p.applies?.(sys) ?? true)),
  );
}
