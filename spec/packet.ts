/**
 * Packets as the specification sees them. MAC addresses are small integers; a VM owns one or more of them.
 * In the simulator `id` is unique per run and `bornNs` is the arrival time at the NIC; the explorer uses a
 * small pool of ids (so the state space stays finite) and `bornNs = 0`.
 */
/** A request (answered by the VM's server), its reply, or flood traffic (never answered). */
export type PacketKind = 'request' | 'reply' | 'flood';

/** A packet: destination and source MACs, size, arrival time, kind and stream. */
export interface Packet {
  readonly id: number;
  /** Destination MAC: classifies the packet to a vNIC (§3.1 "identify the incoming packet to the corresponding VM"). */
  readonly dst: number;
  /** Source MAC: for replies, the sending VM's MAC. */
  readonly src: number;
  readonly size: number;
  readonly bornNs: number;
  readonly kind: PacketKind;
  /** The workload stream that produced it (statistics, closed-loop clients). */
  readonly stream: number;
}

/** MACs in the 0x100 range belong to no VM in the built-in scenarios; any MAC not set up is unknown to the NIC. */
export const macOfVm = (vm: number): number => vm + 1;

/** The VM index owning `mac` among `vms` VMs (the inverse of `macOfVm`), or -1 for a MAC of no VM. */
export const vmOfMac = (mac: number, vms: number): number => (mac >= 1 && mac <= vms ? mac - 1 : -1);

export function replyTo(request: Packet, size: number): Packet {
  return { id: request.id, dst: request.src, src: request.dst, size, bornNs: request.bornNs, kind: 'reply', stream: request.stream };
}
