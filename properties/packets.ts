/**
 * Where packets live in the composed state. Every packet the specification holds sits in some machine's context
 * (pending timers and CPU jobs carry no packets), so conservation can be checked by looking at contexts alone.
 */
import type { IddContext } from '../spec/driver-domain.js';
import type { NicContext } from '../spec/nic-vnic.js';
import type { SharedNicContext } from '../spec/nic-shared.js';
import type { Packet } from '../spec/packet.js';
import type { ComponentKind } from '../spec/system.js';
import type { VmContext } from '../spec/vm-driver.js';

/** Received packets (requests and floods) held by a component; replies travel the other way and are not counted. */
export function heldRx(kind: ComponentKind, context: unknown): readonly Packet[] {
  switch (kind) {
    case 'nic-vnic':
      return (context as NicContext).vnics.flatMap((v) => v.queue);
    case 'nic-shared':
      return (context as SharedNicContext).buffer;
    case 'vm':
    case 'os':
      return (context as VmContext).ring;
    case 'idd':
      return (context as IddContext).ring;
    case 'vmm':
    case 'source':
    case 'wire':
      return [];
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
  for (let i = 0; i < kinds.length; i++) {
    for (const p of heldRx(kinds[i]!, contexts[i])) {
      const v = vmOfMac(p.dst);
      if (v >= 0) held[v]!++;
    }
  }
  return held;
}
