/**
 * A fixed, realistic event loop for one vNIC machine (spec/vnic.ts), shared by every stepping variant.
 *
 * The vNIC is set up with the simulator's default QoS (200 Mbit/s, 64 KiB burst, 128 KiB partition, rings of 256);
 * then every 50 µs of simulated time the classifier hands it a 128-byte request and a 1500-byte packet (32.6 MB/s
 * against a 25 MB/s specification: once the burst is spent, some are rejected as rate-exceeded), the DMA engine grants
 * and completes a transfer twice (disabled when nothing is requesting or in flight), and the driver returns one Rx
 * descriptor with its interrupt re-enabled. Admission, the channel's request line, MSI moderation and the descriptor
 * credits are all exercised; every variant sees the identical event objects.
 */
import type { VnicInput } from '../spec/nic-vnic.js';
import type { Packet } from '../spec/packet.js';
import type { VnicEvent } from '../spec/vnic.js';

export const VNIC_INPUT: VnicInput = { slot: 0 };

const QOS = { rate: 25_000_000, burst: 64 * 1024, capacity: 128 * 1024, priority: 0, weight: 1 } as const;

export const SETUP: readonly VnicEvent[] = [{ type: 'vnic.setup', slot: 0, vm: 'vm0', macs: [1], vector: 0, qos: QOS, rxRing: 256, txRing: 256 }];

/** The setup event followed by `cycles` cycles. */
export function vnicEventLoop(cycles: number): VnicEvent[] {
  const events: VnicEvent[] = [...SETUP];
  let id = 0;
  const packet = (size: number, kind: Packet['kind'], nowNs: number): Packet => ({ id: id++, dst: 1, src: 0x200, size, bornNs: nowNs, kind, stream: 0 });
  const grant: VnicEvent = { type: 'dma.grant' };
  const complete: VnicEvent = { type: 'dma.complete' };
  const refill: VnicEvent = { type: 'rx.refill', slot: 0, from: 'vm0', count: 1, unmask: true };
  for (let k = 1; k <= cycles; k++) {
    const nowNs = k * 50_000;
    events.push(
      { type: 'rx.arrive', packet: packet(128, 'request', nowNs), nowNs },
      { type: 'rx.arrive', packet: packet(1500, 'flood', nowNs), nowNs },
      grant,
      complete,
      grant,
      complete,
      refill,
    );
  }
  return events;
}
