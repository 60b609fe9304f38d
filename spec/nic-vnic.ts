/**
 * The NIC of the proposed architecture: partitionable device memory, n register sets, DMA channels and MSI
 * vectors forming virtual NICs (Lakshmi & Nandy §3.1, Fig. 3), with the receive and transmit workflows of §3.2
 * (Fig. 4a, 4b).
 *
 * Receive (Fig. 4a): a packet arrives → classified by destination MAC to a vNIC (unknown → rejected) → admitted or
 * rejected *at the device* from the vNIC's bandwidth specification (token bucket) and its partition's free memory
 * → buffered in the vNIC's own partition → DMA'd on the vNIC's channel into the VM's Rx ring through the I/O page
 * table the VMM set up, in the order the DMA arbiter chooses → MSI on the vNIC's own vector (to the VMM).
 * Transmit (Fig. 4b): the VM's driver posts a packet into its own partition (Tx descriptors), the NIC serialises it
 * onto the wire, and a completion interrupt follows.
 *
 * Simplifications, stated: one DMA engine shared by the channels (the arbiter is the "priority" of §3.2); Rx
 * descriptors are tracked as credits the driver returns; interrupts are moderated NAPI-style (the vector is masked
 * after it fires until the driver unmasks it), which the paper does not discuss but every real driver does.
 */
import { setup } from 'xstate';
import { probe, send, type Output } from '../src/network/outputs.js';
import { does, labels, type Effected } from './effect.js';
import { patcher } from './record.js';
import { initialArbiter, pick, type ArbiterKind, type ArbiterState } from './dma-arbiter.js';
import type { Packet } from './packet.js';
import { conforms, refillBy, refillTo, take, type Bucket } from './token-bucket.js';

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

/** A vNIC slot is free, active (set up for a VM), or closing (torn down, a transfer still in flight). */
export type VnicStatus = 'free' | 'active' | 'closing';

/** One virtual NIC: a register set, a memory partition, a DMA channel and an MSI vector given to one VM (§3.1). */
export interface Vnic {
  readonly status: VnicStatus;
  /** Component whose memory the I/O page table maps this vNIC's rings into (set by the VMM). */
  readonly vm: string;
  readonly macs: readonly number[];
  readonly vector: number;
  readonly bucket: Bucket;
  readonly capacity: number;
  readonly used: number;
  /** Buffered packets in the partition; the head is the one being DMA'd when `dmaSlot` is this slot. */
  readonly queue: readonly Packet[];
  readonly priority: number;
  readonly weight: number;
  /** Free Rx descriptors in the VM's ring, as far as the NIC knows. */
  readonly rxCredits: number;
  readonly txRing: number;
  readonly txUsed: number;
  readonly irqMasked: boolean;
  /** DMA grants to other vNICs while this vNIC's head packet was eligible (saturates at `waitCap`). */
  readonly headWait: number;
}

/** How long DMA and the wire take (nanoseconds); the simulator's timing, abstract in the explorer. */
export interface NicTiming {
  readonly dmaSetupNs: number;
  readonly dmaNsPerByte: number;
  readonly wireNsPerByte: number;
}

/** The vNIC NIC's state: its vNIC slots, free device memory, the DMA arbiter and engine, the transmit queue. */
export interface NicContext {
  readonly vnics: readonly Vnic[];
  readonly memory: number;
  readonly arbiter: ArbiterState;
  /** Slot whose head packet the DMA engine is transferring, -1 when idle. */
  readonly dmaSlot: number;
  readonly tx: readonly { readonly slot: number; readonly packet: Packet }[];
  readonly timing: NicTiming;
  readonly waitCap: number;
}

/** What the vNIC NIC is built with: slots, device memory, DMA arbitration and timing. */
export interface NicInput {
  readonly slots: number;
  readonly memory: number;
  readonly arbiter: ArbiterKind;
  /** drr bytes per unit weight per round */
  readonly quantum: number;
  readonly timing: NicTiming;
  readonly waitCap: number;
}

/** The vNIC NIC's events: arrivals, DMA and transmit completions, driver registers, and the VMM's vNIC management. */
export type NicEvent =
  | { readonly type: 'rx.arrive'; readonly packet: Packet; readonly nowNs: number }
  | { readonly type: 'clock.tick'; readonly dtNs: number }
  | { readonly type: 'dma.done' }
  | { readonly type: 'tx.post'; readonly slot: number; readonly from: string; readonly packet: Packet }
  | { readonly type: 'tx.done' }
  /** The driver returns Rx descriptors; `unmask` also re-enables its interrupt (one register write). */
  | { readonly type: 'rx.refill'; readonly slot: number; readonly from: string; readonly count: number; readonly unmask?: boolean }
  | { readonly type: 'irq.unmask'; readonly slot: number; readonly from: string }
  /** On binding, the driver says how many of its ring's descriptors still hold packets from an earlier attachment. */
  | { readonly type: 'rx.occupied'; readonly slot: number; readonly from: string; readonly count: number }
  | {
      readonly type: 'vnic.setup';
      readonly slot: number;
      readonly vm: string;
      readonly macs: readonly number[];
      readonly vector: number;
      readonly qos: VnicQos;
      readonly rxRing: number;
      readonly txRing: number;
    }
  | { readonly type: 'vnic.teardown'; readonly slot: number }
  | { readonly type: 'vnic.resize'; readonly slot: number; readonly capacity: number }
  /** The VMM changes which MACs classify to a vNIC (mixed: the driver domain's vNIC carries para-virtualized VMs). */
  | { readonly type: 'vnic.macs'; readonly slot: number; readonly macs: readonly number[] };

/** Why the device rejected an arriving packet (§3.2: admission at the device). */
export type RejectReason = 'unknown-destination' | 'rate-exceeded' | 'partition-full';

const freeVnic: Vnic = {
  status: 'free',
  vm: '',
  macs: [],
  vector: -1,
  bucket: { rate: 0, burst: 0, tokens: 0, lastNs: 0 },
  capacity: 0,
  used: 0,
  queue: [],
  priority: 0,
  weight: 1,
  rxCredits: 0,
  txRing: 0,
  txUsed: 0,
  irqMasked: false,
  headWait: 0,
};

// ---- the steps of §3.2 as pure functions; the machine below names them ----

const patchVnic = patcher<Vnic>({ status: true, vm: true, macs: true, vector: true, bucket: true, capacity: true, used: true, queue: true, priority: true, weight: true, rxCredits: true, txRing: true, txUsed: true, irqMasked: true, headWait: true });
const patchNic = patcher<NicContext>({ vnics: true, memory: true, arbiter: true, dmaSlot: true, tx: true, timing: true, waitCap: true });

/** Classification by destination MAC (§3.1): the active vNIC owning the MAC, or -1. */
export function classify(c: NicContext, dst: number): number {
  for (let i = 0; i < c.vnics.length; i++) {
    const v = c.vnics[i]!;
    if (v.status === 'active' && v.macs.includes(dst)) return i;
  }
  return -1;
}

function withVnic(c: NicContext, slot: number, v: Vnic): NicContext {
  if (c.vnics[slot] === v) return c;
  const vnics = c.vnics.slice();
  vnics[slot] = v;
  return patchNic(c, { vnics });
}

type Ev<T extends NicEvent['type']> = Extract<NicEvent, { type: T }>;

/**
 * The destination's vNIC with its bucket refilled up to the arrival time. The admission guards and the step that
 * follows all ask this of the same (context, event), so the last answer is kept.
 */
let lastC: NicContext | undefined;
let lastE: Ev<'rx.arrive'> | undefined;
let lastR: { slot: number; vnic: Vnic } = { slot: -1, vnic: undefined as unknown as Vnic };
function refilledFor(c: NicContext, e: Ev<'rx.arrive'>): { slot: number; vnic: Vnic } {
  if (c === lastC && e === lastE) return lastR;
  const slot = classify(c, e.packet.dst);
  const v = c.vnics[slot];
  let r: { slot: number; vnic: Vnic };
  if (v === undefined) r = { slot, vnic: v as unknown as Vnic };
  else {
    const bucket = refillTo(v.bucket, e.nowNs);
    r = { slot, vnic: bucket === v.bucket ? v : patchVnic(v, { bucket }) };
  }
  lastC = c;
  lastE = e;
  lastR = r;
  return r;
}

const eligible = (v: Vnic): boolean => v.queue.length > 0 && (v.status === 'closing' || (v.status === 'active' && v.rxCredits > 0));

/** Time to DMA a packet into host memory, and to serialise it onto the wire (both NIC models use these). */
export const dmaTime = (t: NicTiming, p: Packet): number => t.dmaSetupNs + Math.ceil(p.size * t.dmaNsPerByte);
export const wireTime = (t: NicTiming, p: Packet): number => Math.max(1, Math.ceil(p.size * t.wireNsPerByte));

/** If the DMA engine is idle, the arbiter grants the next transfer on one vNIC's channel. */
function kickDma(c: NicContext, out: Output[]): NicContext {
  if (c.dmaSlot >= 0) return c;
  const grant = pick(
    c.arbiter,
    c.vnics.map((v) => ({ eligible: eligible(v), priority: v.priority, weight: v.weight, headSize: v.queue[0]?.size ?? 0 })),
  );
  if (grant === undefined) return c;
  // Every other eligible vNIC waits one more DMA slot (the waiting bound of no-cross-vm-starvation).
  let vnics = c.vnics;
  for (let i = 0; i < c.vnics.length; i++) {
    const v = c.vnics[i]!;
    const wait = i === grant.slot ? 0 : eligible(v) ? Math.min(c.waitCap, v.headWait + 1) : v.headWait;
    if (wait !== v.headWait) {
      if (vnics === c.vnics) vnics = c.vnics.slice();
      (vnics as Vnic[])[i] = patchVnic(v, { headWait: wait });
    }
  }
  out.push(send('nic', { type: 'dma.done' }, dmaTime(c.timing, vnics[grant.slot]!.queue[0]!)));
  return patchNic(c, { vnics, arbiter: grant.state, dmaSlot: grant.slot });
}

/** The next queued transmit goes onto the wire. */
function kickTx(c: NicContext, out: Output[]): void {
  const head = c.tx[0];
  if (head !== undefined) out.push(send('nic', { type: 'tx.done' }, wireTime(c.timing, head.packet)));
}

/** MSI on the vNIC's own vector unless moderated; it goes to the VMM (§3.2 "raises an interrupt to the VMM"). */
function raiseMsi(v: Vnic, out: Output[]): Vnic {
  if (v.irqMasked || v.status !== 'active') return v;
  out.push(send('vmm', { type: 'msi', vector: v.vector }));
  return patchVnic(v, { irqMasked: true });
}

const reject =
  (reason: RejectReason) =>
  (c: NicContext, e: Ev<'rx.arrive'>): Effected<NicContext> => {
    if (reason === 'unknown-destination') {
      return { context: c, out: [probe('rx.rejected', { packet: e.packet, reason, slot: -1, blockers: [] })] };
    }
    // The bucket and the partition are the vNIC's own: only its own traffic can exhaust them.
    const { slot, vnic } = refilledFor(c, e);
    return { context: withVnic(c, slot, vnic), out: [probe('rx.rejected', { packet: e.packet, reason, slot, blockers: vnic.macs })] };
  };

function admitAndBuffer(c: NicContext, e: Ev<'rx.arrive'>): Effected<NicContext> {
  const { slot, vnic } = refilledFor(c, e);
  const p = e.packet;
  const admitted = patchVnic(vnic, { bucket: take(vnic.bucket, p.size), used: vnic.used + p.size, queue: [...vnic.queue, p] });
  const out: Output[] = [probe('rx.admitted', { packet: p, slot, vm: vnic.vm })];
  return { context: kickDma(withVnic(c, slot, admitted), out), out };
}

function completeDma(c: NicContext): Effected<NicContext> {
  const slot = c.dmaSlot;
  const v = c.vnics[slot]!;
  const packet = v.queue[0]!;
  const out: Output[] = [];
  let after: Vnic;
  if (v.status === 'closing') {
    // Torn down while its last transfer was in flight: the pages are unmapped, so the data reaches no VM.
    out.push(probe('rx.dropped', { packet, reason: 'teardown', slot }), send('vmm', { type: 'vnic.freed', slot }));
    after = freeVnic;
  } else {
    // The write lands where the I/O page table maps this vNIC's Rx ring: the owning VM's memory.
    out.push(probe('dma.write', { packet, slot, vm: v.vm }));
    out.push(send(v.vm, { type: 'ring.deposit', packet, slot }));
    after = raiseMsi(patchVnic(v, { used: v.used - packet.size, queue: v.queue.slice(1), rxCredits: v.rxCredits - 1 }), out);
  }
  const vnics = c.vnics.slice();
  vnics[slot] = after;
  return { context: kickDma(patchNic(c, { vnics, dmaSlot: -1 }), out), out };
}

function postTx(c: NicContext, e: Ev<'tx.post'>): Effected<NicContext> {
  const v = c.vnics[e.slot]!;
  if (v.txUsed >= v.txRing) return { context: c, out: [probe('tx.dropped', { packet: e.packet, reason: 'tx-ring-full', slot: e.slot })] };
  const next = patchNic(withVnic(c, e.slot, patchVnic(v, { txUsed: v.txUsed + 1 })), { tx: [...c.tx, { slot: e.slot, packet: e.packet }] });
  const out: Output[] = [probe('tx.posted', { packet: e.packet, slot: e.slot, vm: v.vm })];
  if (c.tx.length === 0) kickTx(next, out);
  return { context: next, out };
}

function transmitted(c: NicContext): Effected<NicContext> {
  const { slot, packet } = c.tx[0]!;
  const rest = patchNic(c, { tx: c.tx.slice(1) });
  const out: Output[] = [probe('wire.tx', { packet, slot }), send('wire', { type: 'wire.tx', packet })];
  const v = slot < 0 ? undefined : c.vnics[slot]!;
  // Tx completion interrupt (Fig. 4b) on the sender's vector, moderated like receive.
  const next = v !== undefined && v.status === 'active' ? withVnic(rest, slot, raiseMsi(patchVnic(v, { txUsed: v.txUsed - 1 }), out)) : rest;
  kickTx(next, out);
  return { context: next, out };
}

const refillRx = (c: NicContext, e: Ev<'rx.refill'>): Effected<NicContext> => {
  const v = c.vnics[e.slot]!;
  const out: Output[] = [];
  const refilled = patchVnic(v, { rxCredits: v.rxCredits + e.count, irqMasked: e.unmask === true ? false : v.irqMasked });
  return { context: kickDma(withVnic(c, e.slot, refilled), out), out };
};

const withholdRx = (c: NicContext, e: Ev<'rx.occupied'>): Effected<NicContext> => {
  const v = c.vnics[e.slot]!;
  // A transfer already granted keeps the descriptor it was granted with.
  const floor = c.dmaSlot === e.slot ? 1 : 0;
  return { context: withVnic(c, e.slot, patchVnic(v, { rxCredits: Math.max(floor, v.rxCredits - e.count) })), out: [] };
};

const unmaskIrq = (c: NicContext, e: Ev<'irq.unmask'>): Effected<NicContext> => ({
  context: withVnic(c, e.slot, patchVnic(c.vnics[e.slot]!, { irqMasked: false })),
  out: [],
});

/** Register writes through a mapping the VMM has revoked (or never granted) have no effect. */
const staleWrite = (c: NicContext, e: Ev<'tx.post' | 'rx.refill' | 'irq.unmask' | 'rx.occupied'>): Effected<NicContext> => ({
  context: c,
  out: [probe('nic.stale-write', { slot: e.slot, from: e.from, event: e.type, ...(e.type === 'tx.post' ? { packet: e.packet } : {}) })],
});

function setupVnic(c: NicContext, e: Ev<'vnic.setup'>): Effected<NicContext> {
  const v: Vnic = {
    ...freeVnic,
    status: 'active',
    vm: e.vm,
    macs: e.macs,
    vector: e.vector,
    bucket: { rate: e.qos.rate, burst: e.qos.burst, tokens: e.qos.burst, lastNs: 0 },
    capacity: e.qos.capacity,
    priority: e.qos.priority,
    weight: e.qos.weight,
    rxCredits: e.rxRing,
    txRing: e.txRing,
  };
  return { context: withVnic(c, e.slot, v), out: [probe('vnic.up', { slot: e.slot, vm: e.vm })] };
}

function teardownVnic(c: NicContext, e: Ev<'vnic.teardown'>): Effected<NicContext> {
  const slot = e.slot;
  const v = c.vnics[slot]!;
  const inFlight = c.dmaSlot === slot;
  const kept = inFlight ? v.queue.slice(0, 1) : [];
  const out: Output[] = (inFlight ? v.queue.slice(1) : v.queue).map((packet) => probe('rx.dropped', { packet, reason: 'teardown', slot }));
  // Queued transmits of the slot are flushed; one already on the wire finishes but belongs to no vNIC any more.
  const tx = c.tx.filter((t, i) => t.slot !== slot || i === 0).map((t) => (t.slot === slot ? { slot: -1, packet: t.packet } : t));
  for (let i = 1; i < c.tx.length; i++) if (c.tx[i]!.slot === slot) out.push(probe('tx.dropped', { packet: c.tx[i]!.packet, reason: 'teardown', slot }));
  const after: Vnic = inFlight
    ? { ...freeVnic, status: 'closing', queue: kept, used: kept[0]!.size, capacity: v.capacity }
    : freeVnic;
  out.push(probe('vnic.down', { slot, vm: v.vm }));
  // The register set can be given to another VM only once no transfer of the old one is in flight.
  if (!inFlight) out.push(send('vmm', { type: 'vnic.freed', slot }));
  return { context: patchNic(withVnic(c, slot, after), { tx }), out };
}

function resizePartition(c: NicContext, e: Ev<'vnic.resize'>): Effected<NicContext> {
  const v = c.vnics[e.slot]!;
  // Shrinking below what is buffered would lose packets: refused, and the VMM keeps the old size.
  if (e.capacity < v.used) {
    return { context: c, out: [send('vmm', { type: 'vnic.resized', slot: e.slot, capacity: v.capacity, ok: false })] };
  }
  return {
    context: withVnic(c, e.slot, patchVnic(v, { capacity: e.capacity })),
    out: [send('vmm', { type: 'vnic.resized', slot: e.slot, capacity: e.capacity, ok: true })],
  };
}

const setMacs = (c: NicContext, e: Ev<'vnic.macs'>): Effected<NicContext> => ({
  context: withVnic(c, e.slot, patchVnic(c.vnics[e.slot]!, { macs: e.macs })),
  out: [],
});

const refuse = (c: NicContext, e: Ev<'vnic.setup' | 'vnic.teardown' | 'vnic.resize' | 'vnic.macs'>): Effected<NicContext> => ({
  context: c,
  out: [probe('nic.refused', { slot: e.slot, event: e.type })],
});

/** Abstract time for the explorer: every bucket earns `dtNs` worth of tokens. */
const tick = (c: NicContext, e: Ev<'clock.tick'>): Effected<NicContext> => {
  const vnics = c.vnics.map((v) => (v.status === 'active' ? ((b) => (b === v.bucket ? v : patchVnic(v, { bucket: b })))(refillBy(v.bucket, e.dtNs)) : v));
  return { context: vnics.every((v, i) => v === c.vnics[i]) ? c : patchNic(c, { vnics }), out: [] };
};

/**
 * The NIC of the proposed architecture (§3.1, §3.2, Fig. 3, 4a/4b): classify, admit or reject, buffer in the
 * vNIC's partition, DMA in arbiter order, raise the vNIC's MSI; transmit from the VM's own partition.
 */
export const nicMachine = setup({
  types: {
    context: {} as NicContext,
    events: {} as NicEvent,
    input: {} as NicInput,
  },
  guards: {
    unknownDestination: ({ context, event }) => refilledFor(context, event as Ev<'rx.arrive'>).slot < 0,
    exceedsBandwidthSpec: ({ context, event }) => {
      const e = event as Ev<'rx.arrive'>;
      return !conforms(refilledFor(context, e).vnic.bucket, e.packet.size);
    },
    partitionFull: ({ context, event }) => {
      const e = event as Ev<'rx.arrive'>;
      const v = refilledFor(context, e).vnic;
      return v.used + e.packet.size > v.capacity;
    },
    dmaInFlight: ({ context }) => context.dmaSlot >= 0,
    onTheWire: ({ context }) => context.tx.length > 0,
    writerOwnsVnic: ({ context, event }) => {
      const e = event as Ev<'tx.post' | 'rx.refill' | 'irq.unmask' | 'rx.occupied'>;
      const v = context.vnics[e.slot];
      return v !== undefined && v.status === 'active' && v.vm === e.from;
    },
    slotFree: ({ context, event }) => context.vnics[(event as Ev<'vnic.setup'>).slot]?.status === 'free',
    slotActive: ({ context, event }) => context.vnics[(event as Ev<'vnic.teardown'>).slot]?.status === 'active',
  },
  actions: labels(
    'rejectUnknownDestination',
    'rejectRateExceeded',
    'rejectPartitionFull',
    'admitAndBuffer',
    'completeDma',
    'postTx',
    'transmitted',
    'refillRx',
    'withholdRx',
    'unmaskIrq',
    'staleWrite',
    'setupVnic',
    'teardownVnic',
    'resizePartition',
    'refuse',
    'setMacs',
    'tick',
  ),
}).createMachine({
  id: 'nic',
  context: ({ input }) => ({
    vnics: new Array<Vnic>(input.slots).fill(freeVnic),
    memory: input.memory,
    arbiter: initialArbiter(input.arbiter, input.slots, input.quantum),
    dmaSlot: -1,
    tx: [],
    timing: input.timing,
    waitCap: input.waitCap,
  }),
  initial: 'operating',
  states: {
    operating: {
      on: {
        // Fig. 4a: classify → admit or reject at the device → buffer → DMA.
        'rx.arrive': [
          { guard: 'unknownDestination', actions: does('rejectUnknownDestination', reject('unknown-destination')) },
          { guard: 'exceedsBandwidthSpec', actions: does('rejectRateExceeded', reject('rate-exceeded')) },
          { guard: 'partitionFull', actions: does('rejectPartitionFull', reject('partition-full')) },
          { actions: does('admitAndBuffer', admitAndBuffer) },
        ],
        'dma.done': { guard: 'dmaInFlight', actions: does('completeDma', completeDma) },
        'rx.refill': [{ guard: 'writerOwnsVnic', actions: does('refillRx', refillRx) }, { actions: does('staleWrite', staleWrite) }],
        'irq.unmask': [{ guard: 'writerOwnsVnic', actions: does('unmaskIrq', unmaskIrq) }, { actions: does('staleWrite', staleWrite) }],
        'rx.occupied': [{ guard: 'writerOwnsVnic', actions: does('withholdRx', withholdRx) }, { actions: does('staleWrite', staleWrite) }],
        // Fig. 4b: the driver posts into its own partition; the NIC sends and interrupts on completion.
        'tx.post': [{ guard: 'writerOwnsVnic', actions: does('postTx', postTx) }, { actions: does('staleWrite', staleWrite) }],
        'tx.done': { guard: 'onTheWire', actions: does('transmitted', transmitted) },
        // Management by the VMM (§3.1): set up, tear down, resize.
        'vnic.setup': [{ guard: 'slotFree', actions: does('setupVnic', setupVnic) }, { actions: does('refuse', refuse) }],
        'vnic.teardown': [{ guard: 'slotActive', actions: does('teardownVnic', teardownVnic) }, { actions: does('refuse', refuse) }],
        'vnic.resize': [{ guard: 'slotActive', actions: does('resizePartition', resizePartition) }, { actions: does('refuse', refuse) }],
        'vnic.macs': [{ guard: 'slotActive', actions: does('setMacs', setMacs) }, { actions: does('refuse', refuse) }],
        'clock.tick': { actions: does('tick', tick) },
      },
    },
  },
});
