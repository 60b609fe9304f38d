/**
 * The VMM of the proposed architecture (Lakshmi & Nandy §3.1 "Accessing virtual-NIC", §3.2).
 *
 * Device management stays with the VMM, device access moves to the VM: the VMM sets up a vNIC for a VM (a device
 * memory partition, a register set, a DMA channel, an MSI vector and the I/O page table entries mapping the VM's
 * rings), tears it down and resizes partitions. On the data path it "only identifies and forwards the device
 * interrupt to the destination VM" and schedules that VM. When MSI vectors or device memory run out, a VM that
 * only needs best-effort service may be attached para-virtualized through the driver domain (the mixed
 * architecture, §3.1 "judicious use of native and para-virtualized access").
 *
 * In the Xen baseline the same machine plays the hypervisor: the physical NIC's interrupt (vector 0) belongs to the
 * driver domain, and the VMM forwards it there.
 */
import { setup } from 'xstate';
import { probe, send, work, type Output } from '../src/network/outputs.js';
import { does, labels, type Effected } from './effect.js';
import { vnicId, type VnicQos } from './nic-vnic.js';

/** How a VM reaches the network: not at all, through a vNIC of its own, or para-virtualized via the driver domain. */
export type Attachment =
  | { readonly kind: 'none' }
  | { readonly kind: 'vnic'; readonly slot: number; readonly vector: number; readonly capacity: number }
  | { readonly kind: 'paravirt' };

/** What the VMM knows about one VM: its id, its MACs and its attachment. */
export interface VmRecord {
  readonly id: string;
  readonly macs: readonly number[];
  readonly attachment: Attachment;
}

/** The VMM's state: the VMs, MSI vector owners, vNIC slots and free device memory. */
export interface VmmContext {
  readonly vms: readonly VmRecord[];
  /** Owner (component id) of each MSI vector, '' when free. */
  readonly vectors: readonly string[];
  /**
   * Vectors whose interrupt the VMM is forwarding right now. Like a pending bit in an interrupt controller, a
   * second MSI on such a vector is coalesced into the one being forwarded instead of queueing another.
   */
  readonly inService: readonly boolean[];
  /** vNIC register-set slots in use or still draining after teardown (slot i uses vector i in this model). */
  readonly slots: readonly boolean[];
  /** Device memory not given to any partition. */
  readonly memoryFree: number;
  /** Whether a driver domain exists to host para-virtualized VMs. */
  readonly driverDomain: string;
  readonly rxRing: number;
  readonly txRing: number;
}

/** What the VMM is built with: the VMs, the NIC's vectors and memory, the driver domain (if any), ring sizes. */
export interface VmmInput {
  readonly vms: readonly { readonly id: string; readonly macs: readonly number[] }[];
  readonly vectors: number;
  readonly memory: number;
  /** Component id of the driver domain, '' when the architecture has none. */
  readonly driverDomain: string;
  /** Vectors reserved at boot for other owners (the Xen baseline gives vector 0 to the driver domain). */
  readonly reserved: readonly { readonly vector: number; readonly owner: string }[];
  readonly rxRing: number;
  readonly txRing: number;
}

/** Why the VMM refused to attach a VM. */
export type RefusalReason = 'no-msi-vector' | 'no-device-memory' | 'already-attached' | 'unknown-vm';

/** The VMM's events: management requests (attach, detach, resize), the NIC's answers, and interrupts to forward. */
export type VmmEvent =
  | { readonly type: 'vm.attach'; readonly vm: string; readonly qos: VnicQos; readonly bestEffort: boolean }
  | { readonly type: 'vm.detach'; readonly vm: string }
  | { readonly type: 'partition.resize'; readonly vm: string; readonly capacity: number }
  | { readonly type: 'vnic.resized'; readonly slot: number; readonly capacity: number; readonly ok: boolean }
  /** The NIC has no transfer of a torn-down vNIC in flight any more: its register set may be reused. */
  | { readonly type: 'vnic.freed'; readonly slot: number }
  | { readonly type: 'msi'; readonly vector: number }
  | { readonly type: 'forward.done'; readonly vector: number; readonly vm: string };

type Ev<T extends VmmEvent['type']> = Extract<VmmEvent, { type: T }>;

const recordOf = (c: VmmContext, vm: string): number => c.vms.findIndex((r) => r.id === vm);

function withRecord(c: VmmContext, i: number, r: VmRecord): VmmContext {
  const vms = c.vms.slice();
  vms[i] = r;
  return { ...c, vms };
}

/**
 * A slot the NIC has freed whose vector has no owner and no interrupt in service. A vector the VMM is still
 * forwarding is not handed to another VM: the new owner's first MSI would be coalesced into the old owner's forward,
 * which ends as spurious, and the new owner — its interrupt masked until it is woken — would never be woken
 * (`eventual-delivery`, found by the liveness check with churn).
 */
const freeSlot = (c: VmmContext): number => c.slots.findIndex((used, i) => !used && c.vectors[i] === '' && c.inService[i] !== true);

function refusal(c: VmmContext, e: Ev<'vm.attach'>): RefusalReason | undefined {
  const i = recordOf(c, e.vm);
  if (i < 0) return 'unknown-vm';
  if (c.vms[i]!.attachment.kind !== 'none') return 'already-attached';
  if (freeSlot(c) < 0) return 'no-msi-vector';
  if (e.qos.capacity > c.memoryFree) return 'no-device-memory';
  return undefined;
}

/** Set up a vNIC: partition, register set, DMA channel and MSI vector, I/O page table for the VM's rings. */
function setupVnic(c: VmmContext, e: Ev<'vm.attach'>): Effected<VmmContext> {
  const i = recordOf(c, e.vm);
  const r = c.vms[i]!;
  const slot = freeSlot(c);
  const vector = slot;
  const slots = c.slots.slice();
  slots[slot] = true;
  const vectors = c.vectors.slice();
  vectors[vector] = e.vm;
  const next = withRecord(
    { ...c, slots, vectors, memoryFree: c.memoryFree - e.qos.capacity },
    i,
    { ...r, attachment: { kind: 'vnic', slot, vector, capacity: e.qos.capacity } },
  );
  return {
    context: next,
    out: [
      send(vnicId(slot), { type: 'vnic.setup', slot, vm: e.vm, macs: r.macs, vector, qos: e.qos, rxRing: c.rxRing, txRing: c.txRing }),
      // The VM's driver gets the vNIC's own register set: it writes to that vNIC directly from now on.
      send(e.vm, { type: 'driver.bind', device: vnicId(slot), slot, mode: 'vnic' }),
      probe('vmm.attached', { vm: e.vm, kind: 'vnic', slot }),
    ],
  };
}

/** Out of vectors or memory, a best-effort VM is bridged through the driver domain instead (mixed). */
function attachParavirt(c: VmmContext, e: Ev<'vm.attach'>): Effected<VmmContext> {
  const i = recordOf(c, e.vm);
  const r = c.vms[i]!;
  const next = withRecord(c, i, { ...r, attachment: { kind: 'paravirt' } });
  return {
    context: next,
    out: [
      ...driverDomainMacs(next),
      send(c.driverDomain, { type: 'bridge.add', vm: e.vm, macs: r.macs, rate: e.qos.rate, burst: e.qos.burst }),
      send(e.vm, { type: 'driver.bind', device: c.driverDomain, slot: -1, mode: 'netfront' }),
      probe('vmm.attached', { vm: e.vm, kind: 'paravirt', slot: -1, reason: refusal(c, e) ?? '' }),
    ],
  };
}

/**
 * When the driver domain has a vNIC of its own (mixed), the MACs of para-virtualized VMs classify to it; in the
 * Xen baseline the shared NIC does no classification and nothing is sent.
 */
function driverDomainMacs(c: VmmContext): Output[] {
  const idd = c.vms.find((r) => r.id === c.driverDomain);
  if (idd === undefined || idd.attachment.kind !== 'vnic') return [];
  const macs = [...idd.macs, ...c.vms.filter((r) => r.attachment.kind === 'paravirt').flatMap((r) => r.macs)];
  return [send(vnicId(idd.attachment.slot), { type: 'vnic.macs', slot: idd.attachment.slot, macs })];
}

const refuseAttach = (c: VmmContext, e: Ev<'vm.attach'>): Effected<VmmContext> => ({
  context: c,
  out: [probe('vmm.refused', { vm: e.vm, reason: refusal(c, e) ?? 'unknown-vm' })],
});

function detach(c: VmmContext, e: Ev<'vm.detach'>): Effected<VmmContext> {
  const i = recordOf(c, e.vm);
  const r = c.vms[i]!;
  const a = r.attachment;
  const out: Output[] = [send(e.vm, { type: 'driver.unbind' })];
  let next = withRecord(c, i, { ...r, attachment: { kind: 'none' } });
  if (a.kind === 'vnic') {
    // Teardown first revokes the mappings; the slot stays taken until the NIC reports it free (vnic.freed).
    const vectors = next.vectors.slice();
    vectors[a.vector] = '';
    next = { ...next, vectors, memoryFree: next.memoryFree + a.capacity };
    out.unshift(send(vnicId(a.slot), { type: 'vnic.teardown', slot: a.slot }));
  } else if (a.kind === 'paravirt') {
    out.unshift(send(c.driverDomain, { type: 'bridge.remove', vm: e.vm }), ...driverDomainMacs(next));
  }
  out.push(probe('vmm.detached', { vm: e.vm }));
  return { context: next, out };
}

function requestResize(c: VmmContext, e: Ev<'partition.resize'>): Effected<VmmContext> {
  const r = c.vms[recordOf(c, e.vm)]!;
  const a = r.attachment;
  if (a.kind !== 'vnic' || e.capacity - a.capacity > c.memoryFree || e.capacity <= 0) {
    return { context: c, out: [probe('vmm.resize-refused', { vm: e.vm, capacity: e.capacity })] };
  }
  return { context: c, out: [send(vnicId(a.slot), { type: 'vnic.resize', slot: a.slot, capacity: e.capacity })] };
}

function resized(c: VmmContext, e: Ev<'vnic.resized'>): Effected<VmmContext> {
  const i = c.vms.findIndex((r) => r.attachment.kind === 'vnic' && r.attachment.slot === e.slot);
  const r = c.vms[i]!;
  const a = r.attachment as Extract<Attachment, { kind: 'vnic' }>;
  if (!e.ok) return { context: c, out: [probe('vmm.resize-refused', { vm: r.id, capacity: e.capacity })] };
  return {
    context: withRecord({ ...c, memoryFree: c.memoryFree - (e.capacity - a.capacity) }, i, { ...r, attachment: { ...a, capacity: e.capacity } }),
    out: [probe('vmm.resized', { vm: r.id, capacity: e.capacity })],
  };
}

function withService(c: VmmContext, vector: number, on: boolean): VmmContext {
  const inService = c.inService.slice();
  inService[vector] = on;
  return { ...c, inService };
}

/** "The VMM intercepts the interrupt, determines the destination VM" — the work costs VMM CPU time. */
const interceptMsi = (c: VmmContext, e: Ev<'msi'>): Effected<VmmContext> => ({
  context: withService(c, e.vector, true),
  out: [work('vmm.forward', { type: 'forward.done', vector: e.vector, vm: c.vectors[e.vector]! })],
});

const coalesce = (c: VmmContext, e: Ev<'msi'>): Effected<VmmContext> => ({ context: c, out: [probe('vmm.coalesced', { vector: e.vector })] });

/** "… forwards the interrupt to the VM and schedules it." The owner is looked up again: it may have changed. */
const forwardVirq = (c: VmmContext, e: Ev<'forward.done'>): Effected<VmmContext> =>
  c.vectors[e.vector] === e.vm
    ? { context: withService(c, e.vector, false), out: [send(e.vm, { type: 'virq', vector: e.vector })] }
    : { context: withService(c, e.vector, false), out: [probe('vmm.spurious', { vector: e.vector })] };

const slotFreed = (c: VmmContext, e: Ev<'vnic.freed'>): Effected<VmmContext> => {
  const slots = c.slots.slice();
  slots[e.slot] = false;
  return { context: { ...c, slots }, out: [] };
};

const spuriousFreed = (c: VmmContext, e: Ev<'vnic.freed'>): Effected<VmmContext> => ({ context: c, out: [probe('vmm.spurious-freed', { slot: e.slot })] });

const spurious = (c: VmmContext, e: Ev<'msi'>): Effected<VmmContext> => ({ context: c, out: [probe('vmm.spurious', { vector: e.vector })] });

const ignoreUnknown = (c: VmmContext, e: Ev<'vm.detach' | 'partition.resize'>): Effected<VmmContext> => ({
  context: c,
  out: [probe('vmm.refused', { vm: e.vm, reason: 'unknown-vm' })],
});

/**
 * The VMM (§3.1 "Accessing virtual-NIC", §3.2): sets up, tears down and resizes vNICs, and on the data path
 * only forwards each vNIC's MSI to its VM; attaches best-effort VMs para-virtualized when vectors or memory run out.
 */
export const vmmMachine = setup({
  types: { context: {} as VmmContext, events: {} as VmmEvent, input: {} as VmmInput },
  guards: {
    canSetUpVnic: ({ context, event }) => refusal(context, event as Ev<'vm.attach'>) === undefined,
    bestEffortViaDriverDomain: ({ context, event }) => {
      const e = event as Ev<'vm.attach'>;
      const why = refusal(context, e);
      return e.bestEffort && context.driverDomain !== '' && (why === 'no-msi-vector' || why === 'no-device-memory');
    },
    knownVm: ({ context, event }) => recordOf(context, (event as Ev<'vm.detach'>).vm) >= 0,
    vectorOwned: ({ context, event }) => (context.vectors[(event as Ev<'msi'>).vector] ?? '') !== '',
    vectorInService: ({ context, event }) => context.inService[(event as Ev<'msi'>).vector] === true,
    /** Only a slot no attached VM holds can be draining; anything else is a stale or bogus report. */
    slotDraining: ({ context, event }) => {
      const slot = (event as Ev<'vnic.freed'>).slot;
      return context.slots[slot] === true && !context.vms.some((r) => r.attachment.kind === 'vnic' && r.attachment.slot === slot);
    },
    resizeAnswered: ({ context, event }) =>
      context.vms.some((r) => r.attachment.kind === 'vnic' && r.attachment.slot === (event as Ev<'vnic.resized'>).slot),
  },
  actions: labels('coalesce', 'slotFreed', 'setupVnic', 'attachParavirt', 'refuseAttach', 'detach', 'requestResize', 'resized', 'interceptMsi', 'forwardVirq', 'spurious', 'ignoreUnknown'),
}).createMachine({
  id: 'vmm',
  context: ({ input }) => {
    const vectors = new Array<string>(input.vectors).fill('');
    for (const r of input.reserved) vectors[r.vector] = r.owner;
    return {
      vms: input.vms.map((v) => ({ id: v.id, macs: v.macs, attachment: { kind: 'none' } as const })),
      vectors,
      inService: new Array<boolean>(input.vectors).fill(false),
      slots: new Array<boolean>(input.vectors).fill(false),
      memoryFree: input.memory,
      driverDomain: input.driverDomain,
      rxRing: input.rxRing,
      txRing: input.txRing,
    };
  },
  initial: 'running',
  states: {
    running: {
      on: {
        'vm.attach': [
          { guard: 'canSetUpVnic', actions: does('setupVnic', setupVnic) },
          { guard: 'bestEffortViaDriverDomain', actions: does('attachParavirt', attachParavirt) },
          { actions: does('refuseAttach', refuseAttach) },
        ],
        'vm.detach': [{ guard: 'knownVm', actions: does('detach', detach) }, { actions: does('ignoreUnknown', ignoreUnknown) }],
        'partition.resize': [{ guard: 'knownVm', actions: does('requestResize', requestResize) }, { actions: does('ignoreUnknown', ignoreUnknown) }],
        'vnic.resized': { guard: 'resizeAnswered', actions: does('resized', resized) },
        msi: [
          { guard: 'vectorInService', actions: does('coalesce', coalesce) },
          { guard: 'vectorOwned', actions: does('interceptMsi', interceptMsi) },
          { actions: does('spurious', spurious) },
        ],
        'forward.done': { actions: does('forwardVirq', forwardVirq) },
        'vnic.freed': [{ guard: 'slotDraining', actions: does('slotFreed', slotFreed) }, { actions: does('spurious', spuriousFreed) }],
      },
    },
  },
});
