/**
 * What each architecture gives its VMM, driver domain, VMs and NIC at boot, and which attachments the VMM is asked
 * for: decided once here, used by both the simulator (system.ts, from a scenario) and the checker
 * (checked/model.ts, from a check configuration). One model, two executions: if the two wirings drifted, the checker
 * would prove things about a system the simulator does not run.
 *
 * Quantities are arguments, because the two executions count differently: the simulator in bytes and nanoseconds
 * from the scenario and its calibration, the checker in packet slots and abstract ticks.
 */
import type { IddInput } from './driver-domain.js';
import type { ArbiterKind } from './dma-arbiter.js';
import { vnicNicParts, type NicPart, type NicTiming, type VnicQos } from './nic-vnic.js';
import type { SharedNicInput } from './nic-shared.js';
import { macOfVm } from './packet.js';
import type { Arch } from './scenario.js';
import type { VmInput } from './vm-driver.js';
import type { VmmEvent, VmmInput } from './vmm.js';

/** The architectures with a VMM (all but the native reference). */
export type VirtualArch = Exclude<Arch, 'native'>;
/** The architectures with a driver domain. */
export type IddArch = 'xen-idd' | 'mixed';

export type AttachEvent = Extract<VmmEvent, { type: 'vm.attach' }>;

/** The NIC's data-path timing, in nanoseconds (the checker: 1 each). */
export type { NicTiming };

export interface Rings {
  readonly rxRing: number;
  readonly txRing: number;
}

/** What the vNIC NIC has for the VMM to hand out: MSI vectors (one register set each) and device memory. */
export interface VnicResources {
  readonly vectors: number;
  readonly memory: number;
}

export const hasDriverDomain = (arch: Arch): arch is IddArch => arch === 'xen-idd' || arch === 'mixed';

/** vnic and mixed run on the vNIC NIC (§3.1, Fig. 3); xen-idd and native on the shared-buffer NIC. */
export const hasVnicNic = (arch: Arch): arch is 'vnic' | 'mixed' => arch === 'vnic' || arch === 'mixed';

/** Component id of VM `i`; it owns MAC `macOfVm(i)`. */
export const vmId = (i: number): string => `vm${i}`;

/**
 * The vNIC NIC's parts (nic-vnic.ts): classifier, DMA engine, transmit path and one vNIC per MSI vector. Device memory
 * is the VMM's to divide; the NIC only enforces each partition's size.
 */
export function vnicNicComponents(device: VnicResources, o: { arbiter: ArbiterKind; quantum: number; timing: NicTiming; waitCap: number }): NicPart[] {
  return vnicNicParts({ slots: device.vectors, arbiter: o.arbiter, quantum: o.quantum, timing: o.timing, waitCap: o.waitCap });
}

/**
 * The shared-buffer NIC: owned by the driver domain, its interrupt going through the VMM (Xen baseline), or driven
 * directly by the native OS.
 */
export function sharedNicInput(arch: 'xen-idd' | 'native', capacity: number, rings: Rings, timing: NicTiming): SharedNicInput {
  const native = arch === 'native';
  return {
    host: native ? 'os' : 'idd',
    irqTo: native ? 'os' : 'vmm',
    irqEvent: native ? 'virq' : 'msi',
    capacity,
    rxRing: rings.rxRing,
    txRing: rings.txRing,
    timing,
  };
}

/**
 * The VMM sets up vNICs from the NIC's vectors and memory (§3.1 "Accessing virtual-NIC"). Under mixed the driver
 * domain is one of its VMs: it gets a vNIC of its own at boot. In the Xen baseline the VMM has no vNICs to give; the
 * shared NIC's one interrupt, vector 0, belongs to the driver domain.
 */
export function vmmInput(arch: VirtualArch, vms: number, device: VnicResources, rings: Rings): VmmInput {
  const xen = arch === 'xen-idd';
  return {
    vms: [...(arch === 'mixed' ? [{ id: 'idd', macs: [] }] : []), ...Array.from({ length: vms }, (_, i) => ({ id: vmId(i), macs: [macOfVm(i)] }))],
    vectors: xen ? 1 : device.vectors,
    memory: xen ? 0 : device.memory,
    driverDomain: hasDriverDomain(arch) ? 'idd' : '',
    reserved: xen ? [{ vector: 0, owner: 'idd' }] : [],
    rxRing: rings.rxRing,
    txRing: rings.txRing,
  };
}

/** In the Xen baseline the driver domain owns the physical NIC from boot; under mixed the VMM binds it to a vNIC. */
export function iddInput(arch: IddArch, vmRing: number): IddInput {
  return { self: 'idd', vmRing, ...(arch === 'xen-idd' ? { device: { id: 'nic', slot: 0 } } : {}) };
}

/** A VM's own traffic parameters (the checker's VMs reply with one packet and send nothing else). */
export interface VmTraffic {
  readonly replySize: number;
  readonly txRate: number;
  readonly txBurst: number;
}

export function vmInput(i: number, t: VmTraffic): VmInput {
  return { self: vmId(i), macs: [macOfVm(i)], replySize: t.replySize, txRate: t.txRate, txBurst: t.txBurst };
}

/** The driver domain's own vNIC under mixed: it carries the para-virtualized VMs' traffic, at no particular priority. */
export function driverDomainQos(rate: number, burst: number, capacity: number): VnicQos {
  return { rate, burst, capacity, priority: 0, weight: 1 };
}

/**
 * Whether the VMM may attach a VM para-virtualized through the driver domain when vectors or memory run out (§3.1,
 * "judicious use of native and para-virtualized access"): as the VM declares, except in the Xen baseline, where there
 * are no vNICs and every VM is para-virtualized.
 */
export const bestEffortOf = (arch: VirtualArch, declared: boolean): boolean => arch === 'xen-idd' || declared;

/** A VM as the VMM attaches it. */
export interface BootVm {
  readonly qos: VnicQos;
  /** Declared best effort (see `bestEffortOf`). */
  readonly bestEffort: boolean;
  /** Attached at boot (default); a VM that is not waits for a later `vm.attach` (the checker's churn). */
  readonly attached?: boolean;
}

/**
 * The attachments the VMM makes at boot, in order: under mixed the driver domain first (it must get a vNIC, so it is
 * never best effort), then every VM attached at boot in order — with too few vectors, the last ones are the ones
 * bridged.
 */
export function bootAttachments(arch: VirtualArch, vms: readonly BootVm[], iddQos: VnicQos): AttachEvent[] {
  const idd: AttachEvent[] = arch === 'mixed' ? [{ type: 'vm.attach', vm: 'idd', qos: iddQos, bestEffort: false }] : [];
  return [...idd, ...vms.flatMap((v, i) => (v.attached === false ? [] : [attachEvent(arch, i, v)]))];
}

/** The VMM's request to attach VM `i`. */
export function attachEvent(arch: VirtualArch, i: number, vm: BootVm): AttachEvent {
  return { type: 'vm.attach', vm: vmId(i), qos: vm.qos, bestEffort: bestEffortOf(arch, vm.bestEffort) };
}
