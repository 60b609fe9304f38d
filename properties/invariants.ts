/**
 * The invariants both engines check, each written once over the composed system's machine states, whichever engine
 * produced them: the explorer (properties/checked.ts, on every reachable state of a small configuration) and every
 * simulation's runtime monitor (properties/runtime.ts). test/properties.test.ts drives both with fast-check
 * and shows each invariant catching a planted bug in both.
 *
 * A state invariant looks at the machines' states (and, for conservation, at how many packets the environment has
 * outstanding); a step invariant looks at the probes one delivery raised and the states before it.
 */
import type { MachineState } from '../src/machine/types.js';
import type { Probe } from '../src/network/network.js';
import { observe } from '../src/network/packed/observe.js';
import type { SharedNicContext } from '../spec/nic-shared.js';
import type { TxContext } from '../spec/nic-tx.js';
import type { Packet } from '../spec/packet.js';
import type { ComponentKind } from '../spec/system.js';
import type { VmContext } from '../spec/vm-driver.js';
import type { VmmContext } from '../spec/vmm.js';
import type { VnicContext } from '../spec/vnic.js';
import { addHeld } from './packets.js';
import { macOwners, ownerOfMac, type Holder } from './references.js';

/** Where things are in the composed system (both `CheckedSystem` and the simulator's system provide it). */
export interface SystemShape {
  readonly kinds: readonly ComponentKind[];
  /** Component index of the NIC taking packets from the wire (the vNIC NIC's classifier, or the shared NIC). */
  readonly nic: number;
  /** Component index of each vNIC, by slot (empty on the shared-buffer NIC). */
  readonly vnics: readonly number[];
  /** Component index of the vNIC NIC's transmit path, or -1. */
  readonly tx: number;
  /** Component index of the vNIC NIC's DMA engine, or -1. */
  readonly dma: number;
  /** Component index of the VMM, or -1 (native: none). */
  readonly vmm: number;
  /** Component index of each VM's driver, by VM index (native: the one OS, for every VM). */
  readonly vmComponent: readonly number[];
  /** Each VM's name, by VM index (for messages). */
  readonly vmNames: readonly string[];
  /** Each VM's component id, by VM index: how the VMM's records and the vNICs name it. */
  readonly vmIds: readonly string[];
  /** Each VM's MACs as configured (given to its driver), by VM index: the MAC→VM map properties judge by. */
  readonly vmMacs: readonly (readonly number[])[];
  /** Who holds a device bandwidth specification, with the QoS the VMM was asked to attach it with (references.ts). */
  readonly holders: readonly Holder[];
  /** VM index of a component id, or -1 for one that is no VM (the driver domain and the native OS see everyone's). */
  vmOfId(id: string): number;
}

type States = readonly MachineState<unknown>[];
const ctx = <T>(states: States, i: number): T => states[i]!.context as T;
/** Whether the NIC is the vNIC one (partitions, an arbiter) rather than the shared-buffer one. */
export const hasVnics = (shape: SystemShape): boolean => shape.vnics.length > 0;

/** vNIC `slot`'s machine state, or undefined when there is no such vNIC. */
const vnicAt = (shape: SystemShape, states: States, slot: number): MachineState<VnicContext> | undefined =>
  slot >= 0 && slot < shape.vnics.length ? (states[shape.vnics[slot]!] as MachineState<VnicContext>) : undefined;

// ---- isolation -------------------------------------------------------------------------------------------------

/**
 * isolation's part that one component's own state decides: each VM's vNIC buffers only packets for that VM's MACs
 * and transmits only its owner's packets (the NIC), and each VM's Rx ring holds only its own packets (a VM). The
 * driver domain and a native OS are trusted with everyone's packets (as in the step part). Reads `m` alone, so the
 * explorer decides it once per distinct machine state. Reference: the MACs each VM was configured with
 * (`shape.vmMacs`), not the MACs the vNIC was programmed with.
 */
export function isolationInComponent(shape: SystemShape, i: number, m: MachineState<unknown>): string | undefined {
  const kind = shape.kinds[i];
  if (kind === 'vnic') {
    const v = m.context as VnicContext;
    // The driver domain's vNIC (mixed) bridges for others and may still hold packets of a VM detached since.
    const owner = shape.vmOfId(v.vm);
    if (m.value !== 'active' || owner < 0) return undefined;
    const macs = shape.vmMacs[owner]!;
    for (const p of v.queue) if (!macs.includes(p.dst)) return `vNIC ${v.slot} (${v.vm}) buffers a packet for MAC ${p.dst}`;
  } else if (kind === 'vm' || kind === 'os') {
    const vm = m.context as VmContext;
    // A native OS is no VM: nothing to isolate it from, and it sees whatever the wire brings.
    const self = shape.vmOfId(vm.self);
    if (self < 0) return undefined;
    for (const p of vm.ring) if (ownerOfMac(shape, p.dst) !== self) return `${vm.self}'s Rx ring holds a packet for MAC ${p.dst}`;
  }
  return undefined;
}

/**
 * isolation's part across components: the transmit path sends only packets from the MACs of the vNIC that posted
 * them, and the VMM forwards each active vNIC's MSI vector to that vNIC's owner.
 */
export function isolationAcrossComponents(shape: SystemShape, states: States): string | undefined {
  return isolationAcross(shape, states, -1);
}

/**
 * `isolationAcrossComponents` for vNIC `slot` alone: its transmits and its MSI vector. The whole part holds exactly
 * when this holds for every slot; it reads the transmit path, that one vNIC and the VMM, so the explorer can
 * memoize it per (transmit path, vNIC, VMM) state instead of per combination of all vNICs.
 */
export function isolationAcrossForSlot(shape: SystemShape, states: States, slot: number): string | undefined {
  if (!hasVnics(shape)) return undefined;
  // What `isolationAcross` reads for this slot, each through a narrow projection (`observe`), so that the packed
  // explorer decides it again only when one of these changes — not at every packet through the vNIC or the VMM.
  const v = observe(states, shape.vnics[slot]!, activeVector);
  if (v === null) return undefined;
  const [vm, vector] = v;
  const owner = shape.vmOfId(vm);
  if (owner >= 0) {
    for (const src of observe(states, shape.tx, txSourcesOf(slot))) {
      if (ownerOfMac(shape, src) !== owner) return `vNIC ${slot} (${vm}) transmits a packet from MAC ${src}`;
    }
  }
  if (shape.vmm < 0) return undefined;
  const to = observe(states, shape.vmm, vmmVectors)[vector];
  return to !== vm ? `MSI vector ${vector} of vNIC ${slot} (${vm}) is forwarded to '${to}'` : undefined;
}

/** An active vNIC's owner and MSI vector; null when it is not active (a projection for `observe`). */
const activeVector = (m: MachineState<unknown>): readonly [string, number] | null =>
  m.value === 'active' ? [(m.context as VnicContext).vm, (m.context as VnicContext).vector] : null;

/** The VMM's vector table: which VM each MSI vector is forwarded to (a projection for `observe`). */
const vmmVectors = (m: MachineState<unknown>): readonly string[] => (m.context as VmmContext).vectors;

/** The source MACs of the packets vNIC `slot` posted to the transmit path (one function per slot, kept: `observe` memoizes by identity). */
const txSources: ((m: MachineState<unknown>) => readonly number[])[] = [];
function txSourcesOf(slot: number): (m: MachineState<unknown>) => readonly number[] {
  return (txSources[slot] ??= (m) => (m.context as TxContext).queue.filter((t) => t.slot === slot).map((t) => t.packet.src));
}

/** Transmits, then vectors, of every vNIC (`only` −1) or of vNIC `only`. */
function isolationAcross(shape: SystemShape, states: States, only: number): string | undefined {
  if (!hasVnics(shape)) return undefined;
  const tx = (states[shape.tx]!.context as TxContext).queue;
  for (const t of tx) {
    if (only >= 0 && t.slot !== only) continue;
    // slot -1: a transmit already on the wire when its vNIC was torn down; it belongs to no vNIC any more.
    const m = vnicAt(shape, states, t.slot);
    if (m === undefined || m.value !== 'active') continue;
    const v = m.context;
    const owner = shape.vmOfId(v.vm);
    if (owner >= 0 && ownerOfMac(shape, t.packet.src) !== owner) return `vNIC ${t.slot} (${v.vm}) transmits a packet from MAC ${t.packet.src}`;
  }
  if (shape.vmm < 0) return undefined;
  for (let slot = 0; slot < shape.vnics.length; slot++) {
    if (only >= 0 && slot !== only) continue;
    const m = vnicAt(shape, states, slot)!;
    if (m.value !== 'active') continue;
    const v = m.context;
    const vectors = ctx<VmmContext>(states, shape.vmm).vectors;
    if (vectors[v.vector] !== v.vm) return `MSI vector ${v.vector} of vNIC ${slot} (${v.vm}) is forwarded to '${vectors[v.vector]}'`;
  }
  return undefined;
}

/** isolation, in a state: every component's own part (`isolationInComponent`), then the parts across components. */
export function isolationInState(shape: SystemShape, states: States): string | undefined {
  for (let i = 0; i < states.length; i++) {
    const why = isolationInComponent(shape, i, states[i]!);
    if (why !== undefined) return why;
  }
  return isolationAcrossComponents(shape, states);
}

/**
 * isolation, in a step: a packet is DMA'd, and delivered, only to the VM owning its destination MAC, and DMA goes
 * through a vNIC that was mapped to that VM before the step (so nothing reaches a VM after teardown). `pre` are the
 * states before the delivery that raised the probe.
 */
export function isolationInProbe(shape: SystemShape, pre: States, p: Probe): string | undefined {
  if (p.name !== 'dma.write' && p.name !== 'packet.delivered') return undefined;
  const d = p.data as { packet: Packet; vm: string; slot: number };
  const receiver = shape.vmOfId(d.vm);
  if (receiver < 0) return undefined; // the driver domain legitimately receives everyone's packets
  if (ownerOfMac(shape, d.packet.dst) !== receiver) return `${p.name === 'dma.write' ? 'DMA' : 'delivery'} of a packet for MAC ${d.packet.dst} reached ${d.vm}`;
  if (p.name === 'dma.write' && hasVnics(shape) && d.slot >= 0) {
    const m = vnicAt(shape, pre, d.slot)!;
    if (m.value !== 'active' || m.context.vm !== d.vm) return `DMA into ${d.vm} through vNIC ${d.slot}, which is not mapped to it (${m.value})`;
  }
  return undefined;
}

/** `isolationInProbe` over one delivery's probes: the first breach. */
export function isolationInStep(shape: SystemShape, pre: States, probes: readonly Probe[]): string | undefined {
  for (let i = 0; i < probes.length; i++) {
    const why = isolationInProbe(shape, pre, probes[i]!);
    if (why !== undefined) return why;
  }
  return undefined;
}

// ---- qos-admission ---------------------------------------------------------------------------------------------

/**
 * qos-admission, in a state: each active vNIC's token bucket holds between 0 and its burst, so admissions (which
 * spend tokens) never exceed rate·t + burst; each partition accounts exactly the bytes it holds and holds no more
 * than its capacity; the shared buffer likewise. Reads component `i`'s state `m` alone.
 */
export function qosInComponent(shape: SystemShape, i: number, m: MachineState<unknown>): string | undefined {
  const kind = shape.kinds[i];
  if (kind === 'vnic') {
    if (m.value !== 'active') return undefined;
    const v = m.context as VnicContext;
    if (v.bucket.tokens < 0 || v.bucket.tokens > v.bucket.burst) return `vNIC ${v.slot}: ${v.bucket.tokens} tokens outside [0, ${v.bucket.burst}]`;
    const sum = v.queue.reduce((a, p) => a + p.size, 0);
    if (v.used !== sum) return `vNIC ${v.slot}: partition accounts ${v.used} bytes but holds ${sum}`;
    if (v.used > v.capacity) return `vNIC ${v.slot}: partition holds ${v.used} bytes, capacity ${v.capacity}`;
  } else if (kind === 'nic-shared') {
    const nic = m.context as SharedNicContext;
    const sum = nic.buffer.reduce((a, p) => a + p.size, 0);
    if (nic.used !== sum || nic.used > nic.capacity) return `shared buffer: accounts ${nic.used}, holds ${sum}, capacity ${nic.capacity}`;
  }
  return undefined;
}

/** qos-admission, in a state: `qosInComponent` for every component (the vNICs in slot order). */
export function qosInState(shape: SystemShape, states: States): string | undefined {
  for (let i = 0; i < states.length; i++) {
    const why = qosInComponent(shape, i, states[i]!);
    if (why !== undefined) return why;
  }
  return undefined;
}

// ---- conservation ----------------------------------------------------------------------------------------------

/**
 * conservation: for every VM (index `vms`: MACs of no VM), the received packets offered and not yet rejected,
 * dropped (with a reason) or delivered — `outstanding`, counted by the engine from what happened — are exactly the
 * packets the machines hold: in device buffers, the driver domain and Rx rings. `held` is scratch of length vms + 1.
 */
export function conservationInState(shape: SystemShape, states: States, outstanding: readonly number[], held: number[]): string | undefined {
  held.fill(0);
  const owner = macOwners(shape);
  for (let i = 0; i < states.length; i++) addHeld(shape.kinds[i]!, states[i]!.context, owner, held, shape.vmComponent.length);
  return conservationOf(shape, held, outstanding);
}

/** conservation's verdict from the packets held per VM (`addHeld` over every component) and those outstanding. */
export function conservationOf(shape: SystemShape, held: ArrayLike<number>, outstanding: readonly number[]): string | undefined {
  const n = shape.vmComponent.length;
  for (let v = 0; v <= n; v++) {
    if (held[v] !== outstanding[v]) {
      const who = v === n ? 'unknown destinations' : shape.vmNames[v];
      return `${who}: ${outstanding[v]} packets offered and not yet rejected, dropped or delivered, but ${held[v]} held (${held[v]! < outstanding[v]! ? 'lost' : 'duplicated'})`;
    }
  }
  return undefined;
}
