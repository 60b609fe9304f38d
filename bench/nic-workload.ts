/**
 * A fixed, realistic event loop for the vNIC NIC machine (spec/nic-vnic.ts), shared by every stepping variant.
 *
 * Two vNICs are set up with the simulator's default QoS (200 Mbit/s, 64 KiB burst, 128 KiB partition, rings of 256);
 * then every 50 µs of simulated time: a 128-byte request for VM 1, a 1500-byte flood packet for VM 2 (30 MB/s against
 * a 25 MB/s specification: once the burst is spent, some are rejected as rate-exceeded), a packet for an unknown MAC
 * (rejected), two DMA completions (the second is disabled when the flood packet was rejected), and each driver
 * returning one Rx descriptor with its interrupt re-enabled. Admission, classification, the DRR arbiter, MSI
 * moderation and the descriptor credits are all exercised; every variant sees the identical event objects.
 */
import type { NicEvent, NicInput } from '../spec/nic-vnic.js';
import type { Packet } from '../spec/packet.js';

export const NIC_INPUT: NicInput = {
  slots: 2,
  memory: 1024 * 1024,
  arbiter: 'drr',
  quantum: 1514,
  timing: { dmaSetupNs: 500, dmaNsPerByte: 0.5, wireNsPerByte: 8 },
  waitCap: 1_000_000_000,
};

const QOS = { rate: 25_000_000, burst: 64 * 1024, capacity: 128 * 1024, priority: 0, weight: 1 } as const;

export const SETUP: readonly NicEvent[] = [
  { type: 'vnic.setup', slot: 0, vm: 'vm0', macs: [1], vector: 0, qos: QOS, rxRing: 256, txRing: 256 },
  { type: 'vnic.setup', slot: 1, vm: 'vm1', macs: [2], vector: 1, qos: QOS, rxRing: 256, txRing: 256 },
];

/** The setup events followed by `cycles` cycles. */
export function nicEventLoop(cycles: number): NicEvent[] {
  const events: NicEvent[] = [...SETUP];
  let id = 0;
  const packet = (dst: number, size: number, kind: Packet['kind'], nowNs: number): Packet => ({ id: id++, dst, src: 0x200, size, bornNs: nowNs, kind, stream: 0 });
  for (let k = 1; k <= cycles; k++) {
    const nowNs = k * 50_000;
    events.push(
      { type: 'rx.arrive', packet: packet(1, 128, 'request', nowNs), nowNs },
      { type: 'rx.arrive', packet: packet(2, 1500, 'flood', nowNs), nowNs },
      { type: 'rx.arrive', packet: packet(0x100, 64, 'flood', nowNs), nowNs },
      { type: 'dma.done' },
      { type: 'dma.done' },
      { type: 'rx.refill', slot: 0, from: 'vm0', count: 1, unmask: true },
      { type: 'rx.refill', slot: 1, from: 'vm1', count: 1, unmask: true },
    );
  }
  return events;
}
