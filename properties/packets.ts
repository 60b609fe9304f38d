/**
 * Where packets live in the composed state. Every packet the specification holds sits in some machine's context
 * (pending timers and CPU jobs carry no packets), so conservation can be checked by looking at contexts alone.
 */
import type { IddContext } from '../spec/driver-domain.js';
import type { SharedNicContext } from '../spec/nic-shared.js';
import type { Packet } from '../spec/packet.js';
import type { ComponentKind } from '../spec/system.js';
import type { VmContext } from '../spec/vm-driver.js';
import type { VnicContext } from '../spec/vnic.js';

/**
 * Adds, per VM index, the received packets (requests and floods; replies travel the other way and are not counted)
 * one component holds to `held` — index `unknown` for MACs of no VM, or skipped when `unknown` is -1. Allocates
 * nothing: the explorer calls it for every new state.
 */
export function addHeld(kind: ComponentKind, context: unknown, vmOfMac: (mac: number) => number, held: number[], unknown: number): void {
  switch (kind) {
    case 'vnic':
      return count((context as VnicContext).queue, vmOfMac, held, unknown);
    case 'nic-shared':
      return count((context as SharedNicContext).buffer, vmOfMac, held, unknown);
    case 'vm':
    case 'os':
      return count((context as VmContext).ring, vmOfMac, held, unknown);
    case 'idd':
      return count((context as IddContext).ring, vmOfMac, held, unknown);
    // The classifier and the DMA engine hold no packets; the transmit path holds replies, which are not counted.
    case 'nic-classifier':
    case 'nic-dma':
    case 'nic-tx':
    case 'vmm':
    case 'source':
    case 'wire':
      return;
  }
}

function count(packets: readonly Packet[], vmOfMac: (mac: number) => number, held: number[], unknown: number): void {
  for (let k = 0; k < packets.length; k++) {
    const v = vmOfMac(packets[k]!.dst);
    if (v >= 0) held[v]!++;
    else if (unknown >= 0) held[unknown]!++;
  }
}

/** Per VM index, how many of its received packets the system holds right now. */
export function heldPerVm(
  kinds: readonly ComponentKind[],
  contexts: readonly unknown[],
  vmOfMac: (mac: number) => number,
  vms: number,
): number[] {
  const held = new Array<number>(vms).fill(0);
  for (let i = 0; i < kinds.length; i++) addHeld(kinds[i]!, contexts[i], vmOfMac, held, -1);
  return held;
}
