/**
 * The runtime monitor of every simulation: the properties `conservation` and `isolation` checked on the running
 * system (the explorer checks the same properties exhaustively on small configurations, see properties/index.ts).
 *
 * - conservation: for every VM, offered = rejected + dropped + held + delivered, where held counts the VM's packets
 *   in device buffers, the driver domain and rings at this instant.
 * - isolation: a packet is only DMA'd into, and only delivered by, the VM that owns its destination MAC.
 */
import type { Packet } from '../spec/packet.js';

export interface RxTally {
  offered: number;
  rejected: number;
  dropped: number;
  delivered: number;
}

export function conservationBreach(name: string, t: RxTally, held: number): string | undefined {
  const accounted = t.rejected + t.dropped + held + t.delivered;
  if (accounted === t.offered) return undefined;
  return `conservation: ${name}: offered ${t.offered} ≠ rejected ${t.rejected} + dropped ${t.dropped} + held ${held} + delivered ${t.delivered} (= ${accounted})`;
}

/**
 * `owner` is the VM index that owns the packet's destination; `receiver` the VM index of the component the data
 * reached (-1 for a host that is not a VM: the driver domain or the native OS, which legitimately see everyone's).
 */
export function isolationBreach(what: 'DMA' | 'delivery', packet: Packet, owner: number, receiver: number, names: readonly string[]): string | undefined {
  if (receiver < 0 || receiver === owner) return undefined;
  const to = names[receiver] ?? `#${receiver}`;
  const whose = owner >= 0 ? names[owner] : `unknown MAC ${packet.dst}`;
  return `isolation: ${what} of packet ${packet.id} for ${whose} reached ${to}`;
}
