/**
 * Symmetry reduction for interchangeable VMs: VMs the system describes alike — the same traffic role, QoS (rate,
 * burst, capacity, priority, weight), driver and boot attachment — can be renamed into each other without changing
 * what the system can do. The groups come from the system (its file or flags), not from a fixed layout. Renaming VM i to π(i) renames, consistently, its component, MAC,
 * vNIC slot (and that vNIC's component) and MSI vector (vnic: slot = vector = VM index at boot), its packets
 * everywhere, the classifier's table, the DMA engine's channels, the transmit queue, the driver domain's bridge ports,
 * the VMM's tables, pending events and the environment's per-VM bookkeeping.
 *
 * Why this is sound: every machine treats slots, vectors and MACs only by equality and lookup — except the DMA
 * arbiter's round-robin order, which is therefore explicit state (`ArbiterState.order`) and is renamed too — so π
 * maps transitions to transitions (a hostile driver's stray writes to every register set but its own are renamed
 * with it), and every property is stated for all VMs of a role alike.
 * Not offered with churn (a re-attached VM may get another slot), in the mixed architecture (slots are shifted by
 * the driver domain's vNIC), or when slot i is not VM i's at boot (spare vectors, VMs detached at boot or refused for
 * want of memory); the model then has no `canonical` and the CLI says so.
 */
import type { EventObject, MachineState } from '../../src/machine/index.js';
import type { IddContext, Port } from '../driver-domain.js';
import type { ClassifierContext } from '../nic-classifier.js';
import type { DmaContext } from '../nic-dma.js';
import type { SharedNicContext } from '../nic-shared.js';
import type { TxContext } from '../nic-tx.js';
import { vnicId } from '../nic-vnic.js';
import type { VnicContext } from '../vnic.js';
import type { Packet } from '../packet.js';
import type { VmContext } from '../vm-driver.js';
import type { Attachment, VmRecord, VmmContext } from '../vmm.js';
import type { CheckedState, CheckedSystem, Pending } from './model.js';
import type { CheckConfig } from './config.js';

/** The renamings of VMs (identity excluded) that are automorphisms of the checked system: the model's symmetries. */
export function symmetryPermutations(sys: CheckedSystem): number[][] {
  return symmetryUnavailableReason(sys) === undefined ? usablePermutations(sys) : [];
}

/**
 * Canonicalisation tries every renaming on every state, so a group larger than this is not enumerated (7! = 5040;
 * the exhaustive limits stay far below it, and `check --random` on 16 VMs does not use symmetry).
 */
export const MAX_RENAMINGS = 5040;

/** Why the checked system has no symmetry to reduce by, or undefined when it has. */
export function symmetryUnavailableReason(sys: CheckedSystem): string | undefined {
  if (sys.config.churn) return 'not with --churn (a re-attached VM may get another vNIC slot)';
  if (sys.config.arch === 'mixed') return 'not with --arch mixed (the driver domain shifts the vNIC slots)';
  const why = slotsNotVms(sys.config);
  if (why !== undefined) return why;
  const groups = symmetryGroups(sys);
  if (groups.length === 0) return 'no two VMs have the same traffic, QoS and driver';
  const count = renamingCount(sys, groups);
  if (count > MAX_RENAMINGS) return `too many renamings of interchangeable VMs to try on every state (${count} > ${MAX_RENAMINGS})`;
  if (usablePermutations(sys).length === 0) return "the DMA arbiter's order tells the interchangeable VMs apart";
  return undefined;
}

/** How many renamings `usablePermutations` would list (identity included), without listing them. */
function renamingCount(sys: CheckedSystem, groups: readonly (readonly number[])[]): number {
  // Round-robin arbiters allow at most the n rotations, strict priority only the identity (see arbiterPreserving).
  if (sys.dma >= 0) return sys.config.vms;
  let count = 1;
  for (const g of groups) for (let k = 2; k <= g.length; k++) count *= k;
  return count;
}

function usablePermutations(sys: CheckedSystem): number[][] {
  const groups = symmetryGroups(sys);
  if (sys.dma < 0) return groupPermutations(sys.config.vms, groups).slice(1);
  // Only rotations can preserve a round-robin arbiter's order: try those (n of them) rather than all n! renamings.
  const n = sys.config.vms;
  const groupOf = new Array<number>(n).fill(-1);
  groups.forEach((g, j) => g.forEach((v) => (groupOf[v] = j)));
  const rotations: number[][] = [];
  for (let k = 1; k < n; k++) {
    const p = Array.from({ length: n }, (_, i) => (i + k) % n);
    if (p.every((x, i) => x === i || (groupOf[i]! >= 0 && groupOf[x] === groupOf[i]))) rotations.push(p);
  }
  return arbiterPreserving(sys, rotations);
}

/** Why vNIC slot i is not VM i's at boot under vnic (renaming VMs renames slots alike only when it is), or undefined. */
function slotsNotVms(c: CheckConfig): string | undefined {
  if (c.arch !== 'vnic') return undefined;
  if (c.vectors !== c.vms) return `not with ${c.vectors} MSI vectors for ${c.vms} VMs (slot i must be VM i's)`;
  if (c.capacities.reduce((a, x) => a + x, 0) > c.memory) return "not when device memory cannot hold every partition at boot (slot i must be VM i's)";
  if (c.capacities.reduce((a, x) => a + x, 0) > c.memory) return 'not when device memory cannot hold every partition at boot (slot i must be VM i\'s)';
  return undefined;
}

/** Groups of interchangeable VM indices (same traffic, QoS, driver, attachment); singletons are left out. */
export function symmetryGroups(sys: CheckedSystem): number[][] {
  const c = sys.config;
  const byClass = new Map<string, number[]>();
  for (let v = 0; v < c.vms; v++) {
    const k = JSON.stringify([c.roles[v], c.rates[v], c.bursts[v], c.capacities[v], c.priorities[v], c.weights[v], c.drivers[v], c.attached[v], c.bestEffort[v], c.resizeTo[v]]);
    byClass.set(k, [...(byClass.get(k) ?? []), v]);
  }
  return [...byClass.values()].filter((g) => g.length > 1);
}

/**
 * The renamings that are automorphisms of the DMA arbiter too. Its order starts as 0, 1, … and never changes, so a
 * renaming can only identify reachable states if it maps that order to one the arbiter treats alike: a rotation
 * for the round-robin arbiters, nothing but the identity for strict priority (ties follow the linear order). Under
 * xen-idd there is no arbiter and every renaming within a group counts.
 */
export function arbiterPreserving(sys: CheckedSystem, perms: readonly (readonly number[])[]): number[][] {
  if (sys.dma < 0) return perms.map((p) => p.slice());
  const n = sys.config.vms;
  const isRotation = (p: readonly number[]) => p.every((x, k) => x === (p[0]! + k) % n);
  return perms.filter((p) => sys.config.dma !== 'strict' && isRotation(p)).map((p) => p.slice());
}

/** All permutations of VM indices that only move VMs within their groups. */
export function groupPermutations(n: number, groups: readonly (readonly number[])[]): number[][] {
  let perms: number[][] = [Array.from({ length: n }, (_, i) => i)];
  for (const g of groups) {
    const next: number[][] = [];
    for (const arrangement of permutationsOf(g)) {
      for (const p of perms) {
        const q = p.slice();
        g.forEach((v, i) => (q[v] = arrangement[i]!));
        next.push(q);
      }
    }
    perms = next;
  }
  return perms;
}

function permutationsOf(xs: readonly number[]): number[][] {
  if (xs.length <= 1) return [xs.slice()];
  return xs.flatMap((x, i) => permutationsOf([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));
}

/** Renaming of everything that names a VM, for one permutation π of VM indices. */
class Renaming {
  private readonly vnicArch: boolean;
  /** Slot of each vNIC component id. */
  private readonly vnicIds = new Map<string, number>();

  constructor(
    private readonly sys: CheckedSystem,
    private readonly pi: readonly number[],
  ) {
    this.vnicArch = sys.vnics.length > 0;
    sys.vnics.forEach((_, slot) => this.vnicIds.set(vnicId(slot), slot));
  }

  mac = (m: number): number => {
    const v = this.sys.vmOfMac(m);
    return v < 0 ? m : m - v + this.pi[v]!;
  };
  /** A component id: a VM's, or a vNIC's (its slot renamed). */
  id = (s: string): string => {
    const v = this.sys.vmOfId(s);
    if (v >= 0) return `vm${this.pi[v]!}`;
    const slot = this.vnicIds.get(s);
    return slot === undefined ? s : vnicId(this.slot(slot));
  };
  /** Slots and vectors are VM indices under vnic; under xen-idd the single vector belongs to the driver domain. */
  slot = (x: number): number => (this.vnicArch && x >= 0 && x < this.pi.length ? this.pi[x]! : x);
  packet = (p: Packet): Packet => ({ id: p.id, dst: this.mac(p.dst), src: this.mac(p.src), size: p.size, bornNs: p.bornNs, kind: p.kind, stream: p.stream });
  packets = (ps: readonly Packet[]): Packet[] => ps.map(this.packet);
  /** Moves entry i of a per-slot array to π(i). */
  perSlot = <T>(xs: readonly T[], f: (x: T) => T): T[] => {
    const out = xs.slice();
    xs.forEach((x, i) => (out[this.slot(i)] = f(x)));
    return out;
  };

  event(e: EventObject): EventObject {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(e)) {
      if (k === 'packet') out[k] = this.packet(v as Packet);
      else if (k === 'vm' || k === 'from' || k === 'device') out[k] = this.id(v as string);
      else if (k === 'slot' || k === 'vector') out[k] = this.slot(v as number);
      else out[k] = v;
    }
    return out as unknown as EventObject;
  }

  classifier(c: ClassifierContext): ClassifierContext {
    return { routes: this.perSlot(c.routes, (macs) => macs.map(this.mac)) };
  }

  vnic(v: VnicContext): VnicContext {
    return { ...v, slot: this.slot(v.slot), vm: this.id(v.vm), macs: v.macs.map(this.mac), vector: this.slot(v.vector), queue: this.packets(v.queue) };
  }

  dma(c: DmaContext): DmaContext {
    return {
      ...c,
      slot: c.slot < 0 ? c.slot : this.slot(c.slot),
      channels: this.perSlot(c.channels, (ch) => ch),
      arbiter: { ...c.arbiter, order: c.arbiter.order.map(this.slot), deficits: this.perSlot(c.arbiter.deficits, (d) => d) },
    };
  }

  tx(c: TxContext): TxContext {
    return { ...c, queue: c.queue.map((t) => ({ slot: this.slot(t.slot), packet: this.packet(t.packet) })) };
  }

  sharedNic(c: SharedNicContext): SharedNicContext {
    return { ...c, buffer: this.packets(c.buffer), tx: this.packets(c.tx) };
  }

  vmm(c: VmmContext): VmmContext {
    const attachment = (a: Attachment): Attachment => (a.kind === 'vnic' ? { ...a, slot: this.slot(a.slot), vector: this.slot(a.vector) } : a);
    const record = (r: VmRecord): VmRecord => ({ id: this.id(r.id), macs: r.macs.map(this.mac), attachment: attachment(r.attachment) });
    // Records stay in VM order: the record of vm i goes where vm π(i)'s was.
    const vms = c.vms.slice();
    c.vms.forEach((r) => {
      const renamed = record(r);
      vms[c.vms.findIndex((x) => x.id === renamed.id)] = renamed;
    });
    return { ...c, vms, vectors: this.perSlot(c.vectors, this.id), inService: this.perSlot(c.inService, (x) => x), slots: this.perSlot(c.slots, (x) => x) };
  }

  idd(c: IddContext): IddContext {
    const port = (p: Port): Port => ({ ...p, vm: this.id(p.vm), macs: p.macs.map(this.mac) });
    // Port order is only the order of bridge lookups by MAC; keep it canonical (by VM name).
    const ports = c.ports.map(port).sort((a, b) => (a.vm < b.vm ? -1 : a.vm > b.vm ? 1 : 0));
    return { ...c, ports, ring: this.packets(c.ring), txBacklog: c.txBacklog.map((t) => ({ from: this.id(t.from), packet: this.packet(t.packet) })) };
  }

  vm(c: VmContext): VmContext {
    return { ...c, self: this.id(c.self), macs: c.macs.map(this.mac), device: this.id(c.device), slot: this.slot(c.slot), ring: this.packets(c.ring) };
  }
}

export interface PermuteHooks {
  /** Interned id of component i in machine state m. */
  idOf(i: number, m: MachineState<unknown>): number;
  /** A pending item for an event delivered to component `to`. */
  pending(to: number, event: EventObject): Pending;
  /** The properties' history counters renamed (each property renames its own: `History.permute`). */
  history(h: readonly number[], pi: readonly number[]): number[];
}

/** The state with VM i renamed to VM π(i) everywhere. */
export function permute(sys: CheckedSystem, s: CheckedState, pi: readonly number[], hooks: PermuteHooks): CheckedState {
  const r = new Renaming(sys, pi);
  const n = sys.config.vms;
  // Component index of each component after renaming: VM components move, and under vnic their vNICs (slot = VM
  // index) with them; the others stay.
  const moveTo = sys.network.components.map((_, i) => i);
  sys.vmComponent.forEach((comp, v) => (moveTo[comp] = sys.vmComponent[pi[v]!]!));
  sys.vnics.forEach((comp, slot) => (moveTo[comp] = sys.vnics[r.slot(slot)]!));
  const machines: MachineState<unknown>[] = new Array<MachineState<unknown>>(s.machines.length);
  s.machines.forEach((m, i) => {
    let context: unknown;
    switch (sys.kinds[i]) {
      case 'nic-classifier':
        context = r.classifier(m.context as ClassifierContext);
        break;
      case 'vnic':
        context = r.vnic(m.context as VnicContext);
        break;
      case 'nic-dma':
        context = r.dma(m.context as DmaContext);
        break;
      case 'nic-tx':
        context = r.tx(m.context as TxContext);
        break;
      case 'nic-shared':
        context = r.sharedNic(m.context as SharedNicContext);
        break;
      case 'vmm':
        context = r.vmm(m.context as VmmContext);
        break;
      case 'idd':
        context = r.idd(m.context as IddContext);
        break;
      case 'vm':
        context = r.vm(m.context as VmContext);
        break;
      default:
        context = m.context;
    }
    machines[moveTo[i]!] = { value: m.value, context };
  });
  const pending = s.pending.map((p) => hooks.pending(moveTo[p.to]!, r.event(p.event))).sort((a, b) => a.id - b.id);
  const outstanding = s.env.outstanding.slice();
  const shadow = s.env.shadow.slice();
  for (let v = 0; v < n; v++) {
    outstanding[pi[v]!] = s.env.outstanding[v]!;
    shadow[pi[v]!] = s.env.shadow[v]!;
  }
  return { machines, ids: machines.map((m, i) => hooks.idOf(i, m)), pending, env: { outstanding, shadow, history: hooks.history(s.env.history, pi) }, flags: s.flags };
}
