/**
 * The NIC of the proposed architecture (Lakshmi & Nandy §3.1, Fig. 3): partitionable device memory, n register
 * sets, DMA channels and MSI vectors forming virtual NICs, with the receive and transmit workflows of §3.2
 * (Fig. 4a, 4b). It is not one machine but the parts Fig. 3 draws, each its own xstate machine and component:
 *
 *   nic        the classifier at the wire (nic-classifier.ts): a packet is classified by destination MAC to a vNIC
 *              (unknown → rejected) and handed to that vNIC;
 *   vnic0…     one machine per register set (vnic.ts): free / active / closing; its partition, token bucket, rings
 *              and MSI vector. It admits or rejects at the device (rate-exceeded, partition-full), buffers, asks its
 *              DMA channel for a transfer, and raises its own MSI (to the VMM) when a transfer lands;
 *   dma        the DMA engine the channels share, with its arbiter (nic-dma.ts, dma-arbiter.ts): idle / transferring;
 *              it grants the next transfer in the order the arbiter chooses ("based on the virtual NIC's priority");
 *   tx         the transmit path (nic-tx.ts): idle / sending; it serialises the vNICs' posted packets onto the wire.
 *
 * The parts talk only by messages (src/network/outputs.ts), synchronous within one hardware action:
 *   wire → nic: rx.arrive → vnicK: rx.arrive → (admitted) dma: dma.request → vnicJ: dma.grant, later dma: dma.done
 *   → vnicJ: dma.complete → VM: ring.deposit, VMM: msi, dma: dma.request | dma.withdraw (the channel's new state).
 *   driver → vnicK: tx.post → tx: tx.enqueue, later tx: tx.done → wire: wire.tx, vnicK: tx.complete → VMM: msi.
 *   VMM → vnicK: vnic.setup | vnic.teardown | vnic.resize | vnic.macs → nic: nic.route (the MAC table),
 *   dma: dma.detach, tx: tx.flush.
 * The VMM and the VM drivers address a vNIC by its component id (`vnicId(slot)`): the register set the VMM maps
 * into the VM is that vNIC's own.
 *
 * Simplifications, stated: one DMA engine shared by the channels (the arbiter is the "priority" of §3.2); Rx
 * descriptors are tracked as credits the driver returns; interrupts are moderated NAPI-style (the vector is masked
 * after it fires until the driver unmasks it), which the paper does not discuss but every real driver does.
 */
import type { ArbiterKind } from './dma-arbiter.js';
import type { ClassifierEvent } from './nic-classifier.js';
import type { DmaEvent } from './nic-dma.js';
import type { TxEvent } from './nic-tx.js';
import type { VnicEvent } from './vnic.js';

/** A vNIC's bandwidth specification and its partition size and DMA share (§3.1). */
export interface VnicQos {
  /** bytes per second admitted over time */
  readonly rate: number;
  /** bytes admitted back to back */
  readonly burst: number;
  /** bytes of device memory in the partition */
  readonly capacity: number;
  /** strict-priority DMA: larger wins */
  readonly priority: number;
  /** wrr/drr share */
  readonly weight: number;
}

/** How long DMA and the wire take (nanoseconds); the simulator's timing, abstract in the explorer. */
export interface NicTiming {
  readonly dmaSetupNs: number;
  readonly dmaNsPerByte: number;
  readonly wireNsPerByte: number;
}

/** Why the device rejected an arriving packet (§3.2: admission at the device). */
export type RejectReason = 'unknown-destination' | 'rate-exceeded' | 'partition-full';

/** Time to DMA a packet into host memory (both NIC models use it). */
export const dmaTime = (t: NicTiming, p: { readonly size: number }): number => t.dmaSetupNs + Math.ceil(p.size * t.dmaNsPerByte);
/** Time to serialise a packet onto the wire (both NIC models use it). */
export const wireTime = (t: NicTiming, p: { readonly size: number }): number => Math.max(1, Math.ceil(p.size * t.wireNsPerByte));

/** Component id of the NIC's classifier. It keeps the name 'nic': the wire sends arrivals to it. */
export const NIC_ID = 'nic';
/** Component id of the NIC's DMA engine. */
export const DMA_ID = 'dma';
/** Component id of the NIC's transmit path. */
export const TX_ID = 'tx';
/** Component id of the vNIC (register set, partition, DMA channel, MSI vector) in slot `slot`. */
export const vnicId = (slot: number): string => `vnic${slot}`;

/** What the whole vNIC NIC is built from. */
export interface NicInput {
  /** Register sets (vNIC slots); one MSI vector each. */
  readonly slots: number;
  readonly arbiter: ArbiterKind;
  /** drr bytes per unit weight per round */
  readonly quantum: number;
  readonly timing: NicTiming;
  /** The DMA engine's head-wait counters saturate here (no-cross-vm-starvation's bound + 1 in the checker). */
  readonly waitCap: number;
}

/** The classifier's input: how many vNIC slots its table has. */
export interface ClassifierInput {
  readonly slots: number;
}

/** A vNIC's input: its register set's slot. */
export interface VnicInput {
  readonly slot: number;
}

/** The DMA engine's input: its channels (one per slot), arbiter, timing and the head-wait counters' cap. */
export interface DmaInput {
  readonly slots: number;
  readonly arbiter: ArbiterKind;
  readonly quantum: number;
  readonly timing: NicTiming;
  readonly waitCap: number;
}

/** The transmit path's input: its timing. */
export interface TxInput {
  readonly timing: NicTiming;
}

/** The kinds of the vNIC NIC's parts (component kinds of a composed system). */
export type NicPartKind = 'nic-classifier' | 'nic-dma' | 'nic-tx' | 'vnic';

/** One part of the vNIC NIC as a component: id, kind and input. */
export type NicPart =
  | { readonly id: string; readonly kind: 'nic-classifier'; readonly input: ClassifierInput }
  | { readonly id: string; readonly kind: 'nic-dma'; readonly input: DmaInput }
  | { readonly id: string; readonly kind: 'nic-tx'; readonly input: TxInput }
  | { readonly id: string; readonly kind: 'vnic'; readonly input: VnicInput };

/** The NIC's components, in the order both executions add them: classifier, DMA engine, transmit path, vNICs. */
export function vnicNicParts(input: NicInput): NicPart[] {
  return [
    { id: NIC_ID, kind: 'nic-classifier', input: { slots: input.slots } },
    { id: DMA_ID, kind: 'nic-dma', input: { slots: input.slots, arbiter: input.arbiter, quantum: input.quantum, timing: input.timing, waitCap: input.waitCap } },
    { id: TX_ID, kind: 'nic-tx', input: { timing: input.timing } },
    ...Array.from({ length: input.slots }, (_, slot): NicPart => ({ id: vnicId(slot), kind: 'vnic', input: { slot } })),
  ];
}

/**
 * What the vNIC NIC takes from outside: packets and the checker's clock from the wire side, its own DMA and wire
 * completions (delayed sends), register writes by drivers and management by the VMM.
 */
export type NicEvent =
  | Extract<ClassifierEvent, { type: 'rx.arrive' | 'clock.tick' }>
  | Extract<DmaEvent, { type: 'dma.done' }>
  | Extract<TxEvent, { type: 'tx.done' }>
  | Extract<VnicEvent, { type: 'tx.post' | 'rx.refill' | 'irq.unmask' | 'rx.occupied' | 'vnic.setup' | 'vnic.teardown' | 'vnic.resize' | 'vnic.macs' }>;

/** The part of the NIC that receives `e`: the classifier, the DMA engine, the transmit path or vNIC `e.slot`. */
export function receiverOf(e: NicEvent): string {
  switch (e.type) {
    case 'rx.arrive':
    case 'clock.tick':
      return NIC_ID;
    case 'dma.done':
      return DMA_ID;
    case 'tx.done':
      return TX_ID;
    default:
      return vnicId(e.slot);
  }
}
