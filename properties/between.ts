/**
 * What the design promises between machines (Lakshmi & Nandy §3.1 "Accessing virtual-NIC": device management stays
 * with the VMM, device access moves to the VM; §3.2: the VMM "only identifies and forwards the device interrupt to
 * the destination VM"):
 *
 * - vmm-nic-agreement: the VMM's view of each attachment agrees with the NIC's vNICs at every quiescent point.
 *   Reference: the two sides against each other, and the configuration — the VMM's records (slot, MSI vector,
 *   partition size, MACs of each attached VM; which slots it considers in use or draining; who owns each vector), the
 *   QoS each VM was configured with, and the NIC's vNICs (free / active / closing, owner, vector, partition, MACs,
 *   bucket rate and burst, DMA priority and weight) and the DMA engine's request line for each of them. A point is
 *   quiescent when no management message between the VMM and the NIC is in flight; this model delivers every such
 *   message within the step that sends them (none is ever a pending item: test/properties-promises.test.ts), so every
 *   state is quiescent, and a torn-down vNIC still draining its last transfer (closing) is agreement too: the VMM
 *   keeps its slot reserved until the NIC reports it freed.
 *
 * - msi-routing: every interrupt the VMM forwards reaches the VM that owns the vector at that moment. Reference: the
 *   NIC — the owner of the active vNIC raising that vector in the state the forward is delivered in (the VMM's
 *   routing is what is judged, so its own tables are not the reference); a vector no active vNIC has belongs to
 *   nobody, and an interrupt on it must reach no VM. Observed where interrupts land (probe `virq.received`).
 */
import type { MachineState } from '../src/machine/types.js';
import type { Probe } from '../src/network/network.js';
import { observe } from '../src/network/packed/observe.js';
import type { DmaContext } from '../spec/nic-dma.js';
import type { VmmContext, VmRecord } from '../spec/vmm.js';
import type { VnicContext } from '../spec/vnic.js';
import { hasVnics, type SystemShape } from './invariants.js';

/** The VMM's management view: records, slots in use or draining, vector owners (not the interrupts in service). */
const vmmView = (m: MachineState<unknown>): Pick<VmmContext, 'vms' | 'driverDomain' | 'slots' | 'vectors'> => {
  const c = m.context as VmmContext;
  return { vms: c.vms, driverDomain: c.driverDomain, slots: c.slots, vectors: c.vectors };
};

/** A vNIC as management and the DMA engine see it. */
interface VnicView {
  readonly state: string;
  readonly vm: string;
  readonly vector: number;
  readonly capacity: number;
  readonly macs: readonly number[];
  readonly rate: number;
  readonly burst: number;
  readonly priority: number;
  readonly weight: number;
  /** It has a packet and a descriptor for it: its DMA channel must request. */
  readonly requesting: boolean;
  readonly headSize: number;
}

const vnicView = (m: MachineState<unknown>): VnicView => {
  const v = m.context as VnicContext;
  return {
    state: m.value,
    vm: v.vm,
    vector: v.vector,
    capacity: v.capacity,
    macs: v.macs,
    rate: v.bucket.rate,
    burst: v.bucket.burst,
    priority: v.priority,
    weight: v.weight,
    requesting: m.value === 'active' && v.queue.length > 0 && v.rxCredits > 0,
    headSize: v.queue[0]?.size ?? 0,
  };
};

/** An active vNIC's owner and vector (null when not active): who owns which MSI vector, by the NIC. */
const vnicVector = (m: MachineState<unknown>): readonly [string, number] | null => (m.value === 'active' ? [(m.context as VnicContext).vm, (m.context as VnicContext).vector] : null);

/** The DMA engine's request line for channel `slot` (a function per slot, kept: `observe` memoizes by identity). */
const lines: ((m: MachineState<unknown>) => { eligible: boolean; headSize: number; priority: number; weight: number })[] = [];
function lineOf(slot: number): (m: MachineState<unknown>) => { eligible: boolean; headSize: number; priority: number; weight: number } {
  return (lines[slot] ??= (m) => {
    const ch = (m.context as DmaContext).channels[slot]!;
    return { eligible: ch.eligible, headSize: ch.headSize, priority: ch.priority, weight: ch.weight };
  });
}

const sameSet = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((x) => b.includes(x));

/** vmm-nic-agreement for vNIC `slot` alone (reads the VMM's view, that vNIC and the DMA engine's line for it). */
export function vmmNicAgreementForSlot(shape: SystemShape, states: readonly MachineState<unknown>[], slot: number): string | undefined {
  if (!hasVnics(shape) || shape.vmm < 0) return undefined;
  const vmm = observe(states, shape.vmm, vmmView);
  const v = observe(states, shape.vnics[slot]!, vnicView);
  const held: VmRecord[] = vmm.vms.filter((r) => r.attachment.kind === 'vnic' && r.attachment.slot === slot);
  const inUse = vmm.slots[slot] === true;
  if (inUse !== (v.state !== 'free')) return `the VMM considers vNIC slot ${slot} ${inUse ? 'in use or draining' : 'free'}, but the NIC's vNIC ${slot} is ${v.state}`;
  if (shape.dma >= 0) {
    const line = observe(states, shape.dma, lineOf(slot));
    if (line.eligible !== v.requesting) return `the DMA engine's request line for vNIC ${slot} is ${line.eligible ? 'up' : 'down'}, but the vNIC ${v.requesting ? 'has' : 'has no'} packet and descriptor for a transfer`;
    if (line.eligible && (line.headSize !== v.headSize || line.weight !== v.weight || line.priority !== v.priority)) {
      return `the DMA engine sees vNIC ${slot}'s request as ${line.headSize} bytes, weight ${line.weight}, priority ${line.priority}; the vNIC has ${v.headSize}, ${v.weight}, ${v.priority}`;
    }
  }
  if (v.state !== 'active') return held.length > 0 ? `the VMM records ${held.map((r) => r.id).join(', ')} on vNIC slot ${slot}, but the NIC's vNIC ${slot} is ${v.state}` : undefined;
  if (held.length !== 1) return `the NIC's vNIC ${slot} is active for ${v.vm}, but the VMM records ${held.length === 0 ? 'no VM' : held.map((r) => r.id).join(' and ')} on that slot`;
  const r = held[0]!;
  const a = r.attachment as Extract<VmRecord['attachment'], { kind: 'vnic' }>;
  if (r.id !== v.vm) return `the VMM records ${r.id} on vNIC slot ${slot}, but the NIC's vNIC ${slot} belongs to ${v.vm}`;
  if (a.vector !== v.vector) return `the VMM records MSI vector ${a.vector} for ${r.id}, but its vNIC ${slot} raises vector ${v.vector}`;
  if (vmm.vectors[v.vector] !== v.vm) return `vNIC ${slot} of ${v.vm} raises MSI vector ${v.vector}, which the VMM gives to '${vmm.vectors[v.vector] ?? ''}'`;
  if (a.capacity !== v.capacity) return `the VMM records a ${a.capacity}-byte partition for ${r.id}, but its vNIC ${slot} has ${v.capacity} bytes`;
  // The driver domain's vNIC (mixed) carries the bridged VMs' MACs too.
  const macs = r.id === vmm.driverDomain ? [...r.macs, ...vmm.vms.filter((x) => x.attachment.kind === 'paravirt').flatMap((x) => x.macs)] : r.macs;
  if (!sameSet(macs, v.macs)) return `the VMM routes MACs [${macs.join(', ')}] to ${r.id}, but its vNIC ${slot} serves [${v.macs.join(', ')}]`;
  const q = shape.holders.find((h) => h.id === r.id)?.qos;
  if (q !== undefined && (q.rate !== v.rate || q.burst !== v.burst || q.priority !== v.priority || q.weight !== v.weight)) {
    return `${r.id} is configured with rate ${q.rate}, burst ${q.burst}, priority ${q.priority}, weight ${q.weight}, but its vNIC ${slot} has ${v.rate}, ${v.burst}, ${v.priority}, ${v.weight}`;
  }
  return undefined;
}

/** vmm-nic-agreement on vectors: every vector the VMM gives to one of its VMs is raised by an active vNIC of that VM. */
export function vmmNicAgreementVectors(shape: SystemShape, states: readonly MachineState<unknown>[]): string | undefined {
  if (!hasVnics(shape) || shape.vmm < 0) return undefined;
  const vmm = observe(states, shape.vmm, vmmView);
  for (let vector = 0; vector < vmm.vectors.length; vector++) {
    const owner = vmm.vectors[vector]!;
    // Vectors reserved at boot for components the VMM keeps no record of (the Xen baseline's) are not vNICs'.
    if (owner === '' || vmm.vms.every((r) => r.id !== owner)) continue;
    if (vectorOwner(shape, states, vector) !== owner) return `the VMM gives MSI vector ${vector} to ${owner}, but no active vNIC of ${owner} raises it`;
  }
  return undefined;
}

/** vmm-nic-agreement in one (quiescent) state: the first disagreement, or undefined. */
export function vmmNicAgreement(shape: SystemShape, states: readonly MachineState<unknown>[]): string | undefined {
  for (let slot = 0; slot < shape.vnics.length; slot++) {
    const why = vmmNicAgreementForSlot(shape, states, slot);
    if (why !== undefined) return why;
  }
  return vmmNicAgreementVectors(shape, states);
}

/** The component owning MSI vector `vector` now, by the NIC: the owner of the active vNIC raising it, or ''. */
export function vectorOwner(shape: SystemShape, states: readonly MachineState<unknown>[], vector: number): string {
  for (const i of shape.vnics) {
    const x = observe(states, i, vnicVector);
    if (x !== null && x[1] === vector) return x[0];
  }
  return '';
}

/** msi-routing for one probe of a delivery (`pre`: the states before it): a breach, or undefined. */
export function msiRoutingInProbe(shape: SystemShape, pre: readonly MachineState<unknown>[], p: Probe): string | undefined {
  if (p.name !== 'virq.received') return undefined;
  const { vm, vector } = p.data as { vm: string; vector: number };
  // Vector -1: the driver domain's event-channel notification to a bridged VM, not an MSI.
  if (vector < 0 || !hasVnics(shape)) return undefined;
  const owner = vectorOwner(shape, pre, vector);
  if (owner === vm) return undefined;
  return owner === ''
    ? `the interrupt on MSI vector ${vector} reached ${vm}, but no active vNIC raises that vector now`
    : `the interrupt on MSI vector ${vector} reached ${vm}, but the vector belongs to ${owner} now`;
}
