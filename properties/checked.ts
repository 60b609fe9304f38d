/**
 * The properties of the checked system, each a named, documented predicate over the composed state (and, where the
 * property is about what a step did, a check over the transition that raises a flag the predicate reports).
 * The explorer checks them exhaustively. The parts that hold for any run — isolation, the state part of
 * qos-admission, conservation — are the invariants of invariants.ts, which every simulation's runtime monitor
 * checks too (runtime.ts). The rest needs the checked system's abstract time (one token per tick: a rejection's
 * reason is checked against the bucket as it was) or its roles (which VM conforms, the DMA waiting bound).
 */
import type { Property } from '../src/explore/index.js';
import type { Probe } from '../src/network/network.js';
import type { DmaContext } from '../spec/nic-dma.js';
import type { SharedNicContext } from '../spec/nic-shared.js';
import type { VnicContext } from '../spec/vnic.js';
import type { Packet } from '../spec/packet.js';
import type { VmContext } from '../spec/vm-driver.js';
import type { CheckedState, CheckedSystem, StepCheck } from '../spec/checked/model.js';
import type { PropertyParts } from '../spec/checked/packed.js';
import type { MachineState } from '../src/machine/index.js';
import { grown } from '../src/util/grown.js';
import { observe } from '../src/network/packed/observe.js';
import { conservationOf, hasVnics, isolationAcrossComponents, isolationAcrossForSlot, isolationInComponent, isolationInStep, qosInComponent } from './invariants.js';
import { addHeld } from './packets.js';

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

/** The MACs an active vNIC serves (null when it is not active). */
const activeMacs = (m: MachineState<unknown>): readonly number[] | null => (m.value === 'active' ? (m.context as VnicContext).macs : null);

/** Each rejection's reason was true in the state the packet arrived in; each admission was allowed there. */
const qosStep: StepCheck = (sys, pre, probes, flags) => {
  const flag = (message: string) => flags.push({ property: 'qos-admission', message });
  for (const p of probes) {
    if (p.name !== 'rx.rejected' && p.name !== 'rx.admitted') continue;
    const d = p.data as { packet: Packet; reason?: string; slot: number };
    const size = d.packet.size;
    if (hasVnics(sys)) {
      // The reference: the first active vNIC whose MACs include the destination, read from the vNICs themselves
      // (not from the classifier's table, whose job is to agree with them).
      // Only whether each vNIC is active and which MACs it serves matter here (`observe`: the explorer memoizes on
      // that, not on every state of every vNIC).
      let slot = -1;
      for (let k = 0; k < sys.vnics.length && slot < 0; k++) {
        if (observe(pre.machines, sys.vnics[k]!, activeMacs)?.includes(d.packet.dst) === true) slot = k;
      }
      const v = slot < 0 ? undefined : (pre.machines[sys.vnics[slot]!]!.context as VnicContext);
      if (p.name === 'rx.admitted') {
        if (v === undefined || v.bucket.tokens < size || v.used + size > v.capacity) flag(`packet for MAC ${d.packet.dst} admitted beyond its vNIC's bandwidth or memory`);
        continue;
      }
      const ok =
        d.reason === 'unknown-destination'
          ? slot < 0
          : d.reason === 'rate-exceeded'
            ? v !== undefined && v.bucket.tokens < size
            : d.reason === 'partition-full'
              ? v !== undefined && v.bucket.tokens >= size && v.used + size > v.capacity
              : false;
      if (!ok) flag(`packet for MAC ${d.packet.dst} rejected as '${d.reason}', which was not true`);
    } else if (p.name === 'rx.rejected') {
      const nic = ctx<SharedNicContext>(pre, sys.nic);
      if (d.reason !== 'device-buffer-full' || nic.used + size <= nic.capacity) flag(`packet rejected as '${d.reason}' with ${nic.used}/${nic.capacity} bytes used`);
    }
  }
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

/** A conforming VM's packet is never rejected or dropped because of resources other VMs' packets occupy. */
const starvationStep: StepCheck = (sys, _pre, probes, flags) => {
  for (const p of probes) {
    if (p.name !== 'rx.rejected' && p.name !== 'rx.dropped') continue;
    const packet = packetOf(p);
    const v = sys.vmOfMac(packet.dst);
    if (v < 0 || !offeredConforming(sys, v, packet)) continue;
    const blockers = ((p.data as { blockers?: readonly number[] }).blockers ?? []).filter((mac) => sys.vmOfMac(mac) !== v);
    if (blockers.length > 0) {
      const whose = blockers.map((mac) => (sys.vmOfMac(mac) >= 0 ? sys.vmNames[sys.vmOfMac(mac)] : `unknown MAC ${mac}`)).join(', ');
      flags.push({
        property: 'no-cross-vm-starvation',
        message: `${sys.vmNames[v]} conforms to its bandwidth specification, yet its packet was ${p.name === 'rx.rejected' ? 'rejected' : 'dropped'} (${(p.data as { reason: string }).reason}) while the buffer held packets of ${whose}`,
      });
    }
  }
};

/**
 * The DMA engine's head-wait counters within the bound. A torn-down vNIC's counter is reset (and stays 0 while it is
 * free or closing), so the engine's state alone decides; the message names the vNIC's owner.
 */
function waitingBound(sys: CheckedSystem): (s: CheckedState) => string | undefined {
  if (!hasVnics(sys)) return () => undefined;
  const overBound = (m: MachineState<unknown>): number => (m.context as DmaContext).channels.findIndex((ch) => ch.headWait > sys.waitBound);
  const engine = perMachineState(sys.dma, (m) => (overBound(m) < 0 ? undefined : 'over'));
  return (s) => {
    if (engine(s) === undefined) return undefined;
    const slot = overBound(s.machines[sys.dma]!);
    const wait = (s.machines[sys.dma]!.context as DmaContext).channels[slot]!.headWait;
    const vm = (s.machines[sys.vnics[slot]!]!.context as VnicContext).vm;
    return `the head packet of vNIC ${slot} (${vm}) waited ${wait} DMA slots for other vNICs (bound ${sys.waitBound})`;
  };
}

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
        addHeld(sys.kinds[i]!, s.machines[i]!.context, sys.vmOfMac, scratch, width - 1);
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

/** Whether the DMA engine's state `m` has a head wait over the bound (the part `waitingBound` memoizes). */
const overWaitBound = (sys: CheckedSystem, m: MachineState<unknown>): boolean => (m.context as DmaContext).channels.some((ch) => ch.headWait > sys.waitBound);

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
      'A packet is only buffered in its destination’s partition, DMA’d only into its own VM’s pages through a live I/O page-table mapping (so nothing reaches a VM after teardown), and its MSI is forwarded only to that VM; transmit reads only the sender’s partition.',
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
      'Bytes admitted for a vNIC never exceed rate·t + burst (its bucket stays within [0, burst] and admission spends tokens); a partition never holds more than its capacity; every rejection states a reason that was true at that moment.',
    kind: 'always',
    state: (sys) => firstOf(flagged('qos-admission'), perComponent(sys, (i, m) => qosInComponent(sys, i, m))),
    step: qosStep,
    parts: (sys) => ({ flagged: true, local: (i, m) => qosInComponent(sys, i, m) !== undefined }),
  },
  {
    name: 'no-cross-vm-starvation',
    description:
      'A packet of a VM that conforms to its bandwidth specification is never rejected or dropped because of other VMs’ traffic, and an eligible head packet is DMA’d within a bounded number of DMA slots granted to other vNICs.',
    kind: 'always',
    state: (sys) => firstOf(flagged('no-cross-vm-starvation'), waitingBound(sys)),
    step: starvationStep,
    parts: (sys) => ({ flagged: true, local: (i, m) => hasVnics(sys) && i === sys.dma && overWaitBound(sys, m) }),
  },
  {
    name: 'conservation',
    description:
      'No packet is lost or duplicated: for every VM, packets offered and not yet rejected, dropped (with a reason) or delivered are exactly the packets held in device buffers, the driver domain and rings — across resize and teardown too.',
    kind: 'always',
    state: conservationState,
    parts: (sys) => ({ outstanding: (i, m, out) => addHeld(sys.kinds[i]!, m.context, sys.vmOfMac, out, sys.config.vms) }),
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

/** Property `p` bound to one system, for the explorer; its parts (if any) are known to `propertyParts`. */
export function bindProperty(p: CheckedProperty, sys: CheckedSystem): Property<CheckedState> {
  const property: Property<CheckedState> = { name: p.name, description: p.description, kind: p.kind, check: p.state(sys) };
  if (p.parts !== undefined) PARTS.set(property, p.parts(sys));
  return property;
}

/** The explorer's properties and the model's step checks for the selected property names. */
export function propertiesFor(sys: CheckedSystem, names: readonly string[]): { properties: Property<CheckedState>[]; stepChecks: StepCheck[] } {
  const chosen = PROPERTIES.filter((p) => names.includes(p.name) && (p.applies?.(sys) ?? true));
  return {
    properties: chosen.map((p) => bindProperty(p, sys)),
    stepChecks: chosen.flatMap((p) => (p.step ? [p.step] : [])),
  };
}
