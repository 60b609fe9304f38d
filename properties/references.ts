/**
 * The references the properties judge the specification against. A property that asked the specification's own
 * functions what should have happened (its classifier for where a packet belongs, its token bucket for what a VM may
 * be admitted, its arbiter for who should get the next DMA slot) would move with any bug in them. So the answers
 * come from elsewhere:
 * - the system as configured: each VM's MACs as it was given them (its component's input), each VM's QoS as the VMM
 *   was asked to attach it with (the boot attachment requests), the weights and bounds derived from those;
 * - the VMM's attachment records (which VM holds which vNIC slot, vector and partition size): the management side,
 *   judged against the NIC's side by `vmm-nic-agreement`;
 * - shadows the properties keep themselves from the probes (history counters: properties/bandwidth.ts,
 *   properties/dma-grants.ts).
 * Nothing here imports a function from spec/: only types.
 */
import type { MachineState } from '../src/machine/types.js';
import type { VnicQos } from '../spec/nic-vnic.js';
import type { VmmContext, VmRecord } from '../spec/vmm.js';
import type { SystemShape } from './invariants.js';

/** Who holds a device bandwidth specification, with the QoS it was configured with. */
export interface Holder {
  /** Component id (as the VMM names it): a VM's, or the driver domain's under mixed. */
  readonly id: string;
  readonly qos: VnicQos;
}

/** The attachment requests a system boots with (any event list; the non-attach ones are skipped). */
export function holdersFrom(requests: readonly { readonly type: string }[]): Holder[] {
  const out: Holder[] = [];
  for (const e of requests) {
    if (e.type !== 'vm.attach') continue;
    const a = e as unknown as { vm: string; qos: VnicQos };
    if (!out.some((h) => h.id === a.vm)) out.push({ id: a.vm, qos: a.qos });
  }
  return out;
}

const owners = new WeakMap<SystemShape, (mac: number) => number>();

/**
 * The configured MAC→VM map of a system: the VM index owning a MAC (each VM's MACs as given to it), or -1 for a MAC
 * of no VM. One function per system, kept.
 */
export function macOwners(shape: SystemShape): (mac: number) => number {
  let f = owners.get(shape);
  if (f === undefined) {
    const m = new Map<number, number>();
    shape.vmMacs.forEach((macs, v) => macs.forEach((x) => m.set(x, v)));
    f = (mac) => m.get(mac) ?? -1;
    owners.set(shape, f);
  }
  return f;
}

/** The VM index owning `mac` in the configuration, or -1 (`macOwners`). */
export const ownerOfMac = (shape: SystemShape, mac: number): number => macOwners(shape)(mac);

/** What the properties read of the VMM: its attachment records (and which VM is the driver domain). */
export type VmmRecords = Pick<VmmContext, 'vms' | 'driverDomain'>;

/**
 * The VMM's records in machine state `m` — a projection for `observe` (src/network/packed/observe.ts), so that a
 * check reading them is memoized on the records, not on every VMM state (interrupts in service change it often).
 */
export function vmmRecords(m: MachineState<unknown>): VmmRecords {
  const c = m.context as VmmContext;
  return { vms: c.vms, driverDomain: c.driverDomain };
}

/** The VMM's record of the VM or driver domain named `id`, if it has one. */
export function recordOf(vmm: VmmRecords, id: string): VmRecord | undefined {
  for (const r of vmm.vms) if (r.id === id) return r;
  return undefined;
}

/** Index in `shape.holders` of `id`, or -1. */
export function holderIndex(shape: SystemShape, id: string): number {
  for (let k = 0; k < shape.holders.length; k++) if (shape.holders[k]!.id === id) return k;
  return -1;
}

/**
 * The holder whose device bandwidth specification a received packet for VM `v` is admitted under, by the VMM's
 * records: the VM's own when it is attached to a vNIC; the driver domain's when the VM is bridged through it and the
 * driver domain has a vNIC of its own (mixed); -1 when the NIC should not admit it at all.
 */
export function payerOf(shape: SystemShape, vmm: VmmRecords, v: number): number {
  if (v < 0) return -1;
  const r = recordOf(vmm, shape.vmIds[v]!);
  if (r === undefined) return -1;
  if (r.attachment.kind === 'vnic') return holderIndex(shape, r.id);
  if (r.attachment.kind === 'paravirt') {
    const idd = recordOf(vmm, vmm.driverDomain);
    return idd !== undefined && idd.attachment.kind === 'vnic' ? holderIndex(shape, idd.id) : -1;
  }
  return -1;
}

/** The vNIC slot the VMM's records say holder `k`'s traffic goes to, or -1. */
export function slotOfHolder(shape: SystemShape, vmm: VmmRecords, k: number): number {
  const r = k < 0 ? undefined : recordOf(vmm, shape.holders[k]!.id);
  return r !== undefined && r.attachment.kind === 'vnic' ? r.attachment.slot : -1;
}

/** The holder the VMM's records give vNIC `slot` to, or -1. */
export function holderOfSlot(shape: SystemShape, vmm: VmmRecords, slot: number): number {
  for (const r of vmm.vms) if (r.attachment.kind === 'vnic' && r.attachment.slot === slot) return holderIndex(shape, r.id);
  return -1;
}
