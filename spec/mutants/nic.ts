/**
 * Mutants of the vNIC NIC (Lakshmi & Nandy §3.1, §3.2, Fig. 3, 4a/4b): its classifier, the vNICs, the DMA engine with
 * its arbiter, and the transmit path (spec/nic-classifier.ts, vnic.ts, nic-dma.ts, nic-tx.ts).
 */
import { probe, send } from '../../src/network/outputs.js';
import { initialArbiter } from '../dma-arbiter.js';
import { refillTo } from '../token-bucket.js';
import type { CheckShortcuts } from '../checked/config.js';
import type { DmaContext, DmaEvent } from '../nic-dma.js';
import type { TxContext, TxEvent } from '../nic-tx.js';
import type { ClassifierContext, ClassifierEvent } from '../nic-classifier.js';
import { vnicId } from '../nic-vnic.js';
import type { VnicContext, VnicEvent } from '../vnic.js';
import { EXHAUSTIVE, effect, guard, mutant, type Mutant } from './mutant.js';

type VnicEv<T extends VnicEvent['type']> = Extract<VnicEvent, { type: T }>;

/** Classification (§3.1 "identify the incoming packet to the corresponding VM"). */
export const classifyFirstActive: Mutant = mutant({
  name: 'classify-first-active',
  description:
    'The classifier hands every packet whose destination it knows to the first active vNIC instead of the vNIC whose ' +
    'MAC it carries: one VM’s packets land in another VM’s partition (and ring).',
  replace: {
    'nic-classifier': {
      actions: {
        classify: effect<ClassifierContext, Extract<ClassifierEvent, { type: 'rx.arrive' }>>((c, e) => ({
          context: c,
          out: [send(vnicId(c.routes.findIndex((macs) => macs.length > 0)), e)],
        })),
      },
    },
  },
  kills: [{ config: {}, search: EXHAUSTIVE, killer: 'isolation' }],
});

/** Admission arithmetic at the device: a partition admits one packet too many (§3.2 "partition's free memory"). */
export const partitionOffByOne: Mutant = mutant({
  name: 'partition-off-by-one',
  description:
    'The vNIC calls its partition full only once it holds more than its capacity (used > capacity): it admits a ' +
    'packet into a full partition, overcommitting device memory the VMM gave another vNIC.',
  replace: { vnic: { guards: { partitionFull: guard<VnicContext, VnicEv<'rx.arrive'>>((c) => c.used > c.capacity) } } },
  kills: [{ config: {}, search: EXHAUSTIVE, killer: 'qos-admission' }],
});

/** Token bucket: idle time earns tokens without bound (the burst is the bucket's depth, §3.1). */
export const bucketOverfill: Mutant = mutant({
  name: 'bucket-overfill',
  description:
    'The token bucket keeps earning tokens while its vNIC is idle, beyond its depth (the burst): after a quiet ' +
    'period a VM is admitted any burst at all, more than its bandwidth specification allows.',
  replace: {
    vnic: {
      actions: {
        tick: effect<VnicContext, VnicEv<'clock.tick'>>((c, e, specified) => {
          // The specified refill caps tokens at the burst; this one earns the whole tick's worth (free and closing
          // vNICs have a rate-0 bucket: nothing to earn).
          const b = c.bucket;
          return b.rate === 0 ? specified(c, e) : { context: { ...c, bucket: { ...b, tokens: b.tokens + (e.dtNs * b.rate) / 1e9 } }, out: [] };
        }),
      },
    },
  },
  kills: [{ config: {}, search: EXHAUSTIVE, killer: 'qos-admission' }],
});

/** Resize (§3.1 "memory partitions may be resized"): shrinking below what is buffered. */
export const resizeBelowOccupancy: Mutant = mutant({
  name: 'resize-below-occupancy',
  description:
    'The vNIC accepts any resize of its partition, even below the bytes it buffers: the partition then holds more ' +
    'than its size, memory the VMM has meanwhile handed to another vNIC.',
  replace: { vnic: { guards: { shrinksBelowOccupancy: guard<VnicContext>(() => false) } } },
  kills: [{ config: { vms: 1, churn: true }, search: EXHAUSTIVE, killer: 'qos-admission' }],
});

/** Teardown (§3.1 set-up and tear-down by the VMM): buffered packets vanish without a trace. */
export const teardownLosesPackets: Mutant = mutant({
  name: 'teardown-loses-packets',
  description:
    'Tearing a vNIC down frees its partition without accounting for the packets buffered in it: they are neither ' +
    'delivered nor reported dropped — lost without a reason.',
  replace: {
    vnic: {
      actions: {
        teardownVnic: effect<VnicContext, VnicEv<'vnic.teardown'>>((c, e, specified) => {
          const r = specified(c, e);
          return { context: r.context, out: r.out.filter((o) => !(o.kind === 'probe' && o.name === 'rx.dropped')) };
        }),
      },
    },
  },
  kills: [{ config: { vms: 1, churn: true }, search: EXHAUSTIVE, killer: 'conservation' }],
});

/** Teardown: the I/O page-table mapping outlives the vNIC while its last transfer is in flight. */
export const teardownKeepsMapping: Mutant = mutant({
  name: 'teardown-keeps-mapping',
  description:
    'A vNIC torn down while a transfer is in flight keeps the VM’s I/O page-table mapping until the transfer lands, ' +
    'and the transfer completes into the VM: a packet is DMA’d into a VM through a vNIC no longer mapped to it.',
  replace: {
    vnic: {
      actions: {
        teardownVnic: effect<VnicContext, VnicEv<'vnic.teardown'>>((c, e, specified) => {
          const r = specified(c, e);
          // Closing keeps the owner instead of the free register set's '' (so the completion knows where to write).
          return c.dmaInFlight ? { context: { ...r.context, vm: c.vm }, out: r.out } : r;
        }),
        completeClosing: effect<VnicContext, VnicEv<'dma.complete'>>((c, e, specified) => {
          const r = specified(c, e);
          const packet = c.queue[0]!;
          const out = r.out.filter((o) => !(o.kind === 'probe' && o.name === 'rx.dropped'));
          return { context: r.context, out: [probe('dma.write', { packet, slot: c.slot, vm: c.vm }), send(c.vm, { type: 'ring.deposit', packet, slot: c.slot }), ...out] };
        }),
      },
    },
  },
  kills: [{ config: { vms: 1, churn: true }, search: EXHAUSTIVE, killer: 'isolation' }],
});

/** The vNIC never counts the descriptors the driver posted at set-up: nothing is ever DMA'd. */
export const noInitialDescriptors: Mutant = mutant({
  name: 'no-initial-descriptors',
  description:
    'Setting up a vNIC forgets the receive descriptors of the VM’s ring (the NIC starts with none): its DMA channel ' +
    'never requests a transfer, and no packet ever reaches a VM, although every admitted packet stays accounted for.',
  replace: {
    vnic: {
      actions: {
        setupVnic: effect<VnicContext, VnicEv<'vnic.setup'>>((c, e, specified) => {
          const r = specified(c, e);
          return { context: { ...r.context, rxCredits: 0 }, out: r.out };
        }),
      },
    },
  },
  kills: [{ config: {}, search: EXHAUSTIVE, killer: 'reach-conforming-delivery' }],
});

/** DMA arbitration (§3.2 "issues DMA … based on the virtual NIC's priority"): the round-robin turn is forgotten. */
export const arbiterForgetsTurn: Mutant = mutant({
  name: 'arbiter-forgets-turn',
  description:
    'The DMA arbiter forgets whose turn it is after every grant and scans from the first channel again: the lowest ' +
    'vNIC wins whenever it requests, and another vNIC’s head packet waits without bound.',
  replace: {
    'nic-dma': {
      actions: {
        grant: effect<DmaContext, DmaEvent>((c, e, specified) => specified({ ...c, arbiter: initialArbiter(c.arbiter.kind, c.channels.length, c.arbiter.quantum) }, e)),
      },
    },
  },
  kills: [{ config: {}, search: EXHAUSTIVE, killer: 'no-cross-vm-starvation' }],
});

/** The DMA engine arbitrates when a request line rises, not when one falls: a waiting channel is forgotten. */
export const dmaIdleAfterWithdraw: Mutant = mutant({
  name: 'dma-idle-after-withdraw',
  description:
    'The idle DMA engine arbitrates only when a channel raises its request line: when the channel it just served ' +
    'withdraws, another channel that has been requesting all along is not granted, and its packets wait forever.',
  replace: { 'nic-dma': { guards: { channelRequesting: guard<DmaContext>(() => false) } } },
  kills: [{ config: {}, search: EXHAUSTIVE, killer: 'eventual-delivery' }],
});

/** Transmit (Fig. 4b): teardown flushes nothing, so a torn-down vNIC's queued packets still go out. */
export const txFlushKeepsQueued: Mutant = mutant({
  name: 'tx-flush-keeps-queued',
  description:
    'Tearing a vNIC down does not flush the packets it had queued for the wire: they are still transmitted later, ' +
    'from a partition the slot’s next owner now holds — another VM’s vNIC sends them — and their completions reach ' +
    'that VM’s vNIC.',
  replace: {
    'nic-tx': {
      actions: {
        flush: effect<TxContext, Extract<TxEvent, { type: 'tx.flush' }>>((c, e) => ({
          context: { ...c, queue: c.queue.map((t, i) => (i === 0 && t.slot === e.slot ? { slot: -1, packet: t.packet } : t)) },
          out: [],
        })),
      },
    },
  },
  kills: [{ config: { churn: true, capacity: 1, rxRing: 1 }, search: EXHAUSTIVE, killer: 'isolation' }],
});

/** Classification at scale: the MAC filter has room for two vNICs only. */
export const macTableTwoEntries: Mutant = mutant({
  name: 'mac-table-two-entries',
  description:
    'The classifier’s MAC filter has entries for two vNICs only: setting up a third vNIC does not program its MACs, ' +
    'so its VM’s packets are rejected at the device as unknown-destination although the VMM set its vNIC up. ' +
    'Small systems cannot show it; random walks on four VMs do.',
  replace: {
    'nic-classifier': {
      actions: {
        route: effect<ClassifierContext, Extract<ClassifierEvent, { type: 'nic.route' }>>((c, e, specified) => (e.slot >= 2 ? { context: c, out: [] } : specified(c, e))),
      },
    },
  },
  kills: [
    { config: {}, search: EXHAUSTIVE, killer: 'qos-admission' },
    { config: { vms: 4, capacity: 2 }, search: { kind: 'random', seed: 1, traces: 200, depth: 40 }, killer: 'qos-admission' },
  ],
});

/** Register ownership (§3.1: each vNIC's device registers are mapped into its own VM only). */
export const vnicAcceptsAnyWriter: Mutant = mutant({
  name: 'vnic-accepts-any-writer',
  description:
    'The vNIC acts on a register write without checking that the writer owns it: a hostile driver posts a transmit ' +
    'on another VM’s vNIC, which sends it from that VM’s partition under that VM’s MAC. Honest drivers never show it.',
  replace: { vnic: { guards: { writerOwnsVnic: guard<VnicContext>(() => true) } } },
  kills: [{ config: { drivers: ['honest', 'hostile'] }, search: EXHAUSTIVE, killer: 'isolation' }],
});

/** One VM offered floods of 1- and 2-byte packets, a partition of 2 bytes, a bucket of 3: where byte arithmetic at admission shows. */
const twoSizes = (): CheckShortcuts => ({ vms: 1, roles: ['flooding'], sizes: [1, 2], capacity: 2, burst: 3 });

/** Token bucket (§3.1 bandwidth specification): admission tests the bucket but never spends it. */
export const bucketUnspentTokens: Mutant = mutant({
  name: 'bucket-unspent-tokens',
  description:
    'The vNIC admits a packet only when its bucket holds the packet’s bytes, but never takes them out: the bucket ' +
    'stays full, every decision agrees with it, and a flooding VM is admitted at any rate — more than burst + rate × ' +
    'time. Only a reference of the property’s own (a shadow bucket fed by the admissions) sees it.',
  replace: {
    vnic: {
      actions: {
        admitAndBuffer: effect<VnicContext, VnicEv<'rx.arrive'>>((c, e, specified) => {
          const r = specified(c, e);
          return { context: { ...r.context, bucket: { ...r.context.bucket, tokens: r.context.bucket.tokens + e.packet.size } }, out: r.out };
        }),
      },
    },
  },
  kills: [{ config: twoSizes(), search: EXHAUSTIVE, killer: 'bandwidth-conformance' }],
});

/** Token bucket: a packet is admitted while the bucket is not negative, so the bucket goes into debt. */
export const bucketInDebt: Mutant = mutant({
  name: 'bucket-in-debt',
  description:
    'The vNIC admits a packet while its bucket is not negative (tokens ≥ 0) instead of while it holds the packet’s ' +
    'bytes, then spends them: the bucket goes into debt and a VM gets up to one packet more than its bandwidth ' +
    'specification; with packets larger than the tokens left, a rate rejection is reported as partition-full.',
  replace: {
    vnic: {
      guards: {
        exceedsBandwidthSpec: guard<VnicContext, VnicEv<'rx.arrive'>>((c, e) => refillTo(c.bucket, e.nowNs).tokens < 0),
      },
    },
  },
  kills: [{ config: twoSizes(), search: EXHAUSTIVE, killer: 'qos-admission' }],
});

/** Admission arithmetic in bytes (§3.2 "partition's free memory"): the partition guard written for size-1 packets. */
export const partitionCountsPackets: Mutant = mutant({
  name: 'partition-counts-packets',
  description:
    'The vNIC calls its partition full only once the bytes used reach its capacity (used ≥ capacity) instead of when ' +
    'the arriving packet does not fit (used + size > capacity): with packets of one byte the two agree, with larger ' +
    'ones a packet overfills the partition into memory the VMM gave another vNIC.',
  replace: { vnic: { guards: { partitionFull: guard<VnicContext, VnicEv<'rx.arrive'>>((c) => c.used >= c.capacity) } } },
  kills: [{ config: twoSizes(), search: EXHAUSTIVE, killer: 'qos-admission' }],
});

/** DMA arbitration (§3.2 priority): weighted round-robin resumes after where it started looking. */
export const wrrPointerResumesWrong: Mutant = mutant({
  name: 'wrr-pointer-resumes-wrong',
  description:
    'When a vNIC’s weighted round-robin turn ends, the DMA arbiter’s pointer resumes after the position it started ' +
    'looking from instead of after the vNIC it granted: when it skipped an idle vNIC, the one just granted gets a ' +
    'second turn in a row. Every vNIC is still served within a round (the waiting bound holds), but not in ' +
    'proportion to its weight.',
  replace: {
    'nic-dma': {
      actions: {
        grant: effect<DmaContext, DmaEvent>((c, e, specified) => {
          const r = specified(c, e);
          const a = r.context.arbiter;
          if (a.kind !== 'wrr' || a.credit !== 0) return r;
          return { context: { ...r.context, arbiter: { ...a, next: (c.arbiter.next + 1) % a.order.length } }, out: r.out };
        }),
      },
    },
  },
  // vm1 idle: the arbiter skips its vNIC between the two flooding ones.
  kills: [{ config: { vms: 3, capacity: 2, rxRing: 2, dma: 'wrr', roles: ['flooding', 'idle', 'flooding'], unknownTraffic: false }, search: EXHAUSTIVE, killer: 'dma-fairness' }],
});
