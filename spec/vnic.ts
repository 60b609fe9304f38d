/**
 * One virtual NIC (Lakshmi & Nandy §3.1 "QoS and virtual-NIC", Fig. 3): a register set, its device-memory
 * partition, its DMA channel and MSI vector, handed by the VMM to one VM. The receive and transmit steps of §3.2
 * (Fig. 4a, 4b) that happen at one vNIC are here; the classifier, the shared DMA engine and the transmit path are
 * machines of their own (see nic-vnic.ts for how they talk).
 *
 * free ──vnic.setup──▶ active ──vnic.teardown──▶ free              (no transfer of this vNIC in flight)
 *                             ──vnic.teardown──▶ closing ──dma.complete──▶ free   (its head packet is being DMA'd)
 *
 * In `active` the vNIC, for a packet the classifier hands it, admits or rejects *at the device* from its bandwidth
 * specification (token bucket) and its partition's free memory; buffers the admitted packet; tells the DMA engine
 * whether its channel has a transfer to make (a head packet and a free Rx descriptor); when the transfer lands,
 * deposits into the VM's ring (through the I/O page table the VMM set up) and raises its MSI to the VMM. Only the VM
 * it belongs to may write its registers (post transmits, return descriptors, unmask the interrupt). `closing` is a
 * torn-down vNIC whose last transfer is still in flight: the data reaches no VM, and the register set is reported
 * free to the VMM (vnic.freed) only when the transfer ends.
 */
import { setup } from 'xstate';
import { probe, send, type Output } from '../src/network/outputs.js';
import { does, labels, type Effected } from './effect.js';
import { DMA_ID, NIC_ID, TX_ID, type RejectReason, type VnicInput, type VnicQos } from './nic-vnic.js';
import type { Packet } from './packet.js';
import { patcher } from './record.js';
import { conforms, refillBy, refillTo, take, type Bucket } from './token-bucket.js';

/** A vNIC's data; its mode (free, active, closing) is the statechart state. */
export interface VnicContext {
  /** The register set's index: fixed by the hardware. */
  readonly slot: number;
  /** Component whose memory the I/O page table maps this vNIC's rings into (set by the VMM); '' when free. */
  readonly vm: string;
  readonly macs: readonly number[];
  readonly vector: number;
  readonly bucket: Bucket;
  readonly capacity: number;
  readonly used: number;
  /** Buffered packets in the partition; the head is the one being DMA'd when `dmaInFlight`. */
  readonly queue: readonly Packet[];
  readonly priority: number;
  readonly weight: number;
  /** Free Rx descriptors in the VM's ring, as far as the NIC knows. */
  readonly rxCredits: number;
  readonly txRing: number;
  readonly txUsed: number;
  readonly irqMasked: boolean;
  /** The DMA engine granted this channel's head packet and has not completed it yet. */
  readonly dmaInFlight: boolean;
}

/** What a vNIC takes: from the classifier, the DMA engine, the transmit path, its driver and the VMM. */
export type VnicEvent =
  /** From the classifier: a packet whose destination MAC is this vNIC's. */
  | { readonly type: 'rx.arrive'; readonly packet: Packet; readonly nowNs: number }
  /** Abstract time (the checker), distributed by the classifier. */
  | { readonly type: 'clock.tick'; readonly dtNs: number }
  /** From the DMA engine: this channel's head packet is being transferred now, then has landed. */
  | { readonly type: 'dma.grant' }
  | { readonly type: 'dma.complete' }
  /** From the transmit path: a packet this vNIC posted has left on the wire. */
  | { readonly type: 'tx.complete' }
  /** Register writes by a driver. */
  | { readonly type: 'tx.post'; readonly slot: number; readonly from: string; readonly packet: Packet }
  /** The driver returns Rx descriptors; `unmask` also re-enables its interrupt (one register write). */
  | { readonly type: 'rx.refill'; readonly slot: number; readonly from: string; readonly count: number; readonly unmask?: boolean }
  | { readonly type: 'irq.unmask'; readonly slot: number; readonly from: string }
  /** On binding, the driver says how many of its ring's descriptors still hold packets from an earlier attachment. */
  | { readonly type: 'rx.occupied'; readonly slot: number; readonly from: string; readonly count: number }
  /** Management by the VMM (§3.1 "Accessing virtual-NIC"). */
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
  /** The VMM changes which MACs classify to this vNIC (mixed: the driver domain's vNIC carries para-virtualized VMs). */
  | { readonly type: 'vnic.macs'; readonly slot: number; readonly macs: readonly number[] };

type Ev<T extends VnicEvent['type']> = Extract<VnicEvent, { type: T }>;
type RegisterWrite = Ev<'tx.post' | 'rx.refill' | 'irq.unmask' | 'rx.occupied'>;

const patch = patcher<VnicContext>({
  slot: true,
  vm: true,
  macs: true,
  vector: true,
  bucket: true,
  capacity: true,
  used: true,
  queue: true,
  priority: true,
  weight: true,
  rxCredits: true,
  txRing: true,
  txUsed: true,
  irqMasked: true,
  dmaInFlight: true,
});

const EMPTY_BUCKET: Bucket = { rate: 0, burst: 0, tokens: 0, lastNs: 0 };

/** A register set no VM holds: every field at its reset value, so free vNICs of a slot are one state. */
export const freeVnic = (slot: number): VnicContext => ({
  slot,
  vm: '',
  macs: [],
  vector: -1,
  bucket: EMPTY_BUCKET,
  capacity: 0,
  used: 0,
  queue: [],
  priority: 0,
  weight: 1,
  rxCredits: 0,
  txRing: 0,
  txUsed: 0,
  irqMasked: false,
  dmaInFlight: false,
});

// ---- the DMA channel's request line ----------------------------------------------------------------------------

/** An active vNIC's channel has a transfer to make: a buffered packet and a free Rx descriptor to put it in. */
const requesting = (v: VnicContext): boolean => v.queue.length > 0 && v.rxCredits > 0;

/** The channel's state as the DMA engine must see it. */
function channelMessage(v: VnicContext): Output {
  return requesting(v)
    ? send(DMA_ID, { type: 'dma.request', slot: v.slot, size: v.queue[0]!.size, priority: v.priority, weight: v.weight })
    : send(DMA_ID, { type: 'dma.withdraw', slot: v.slot });
}

/** Tells the DMA engine when an active vNIC's request (whether it requests, its head packet's size) changed. */
function reportChannel(before: VnicContext, after: VnicContext, out: Output[]): void {
  const was = requesting(before);
  const is = requesting(after);
  if (was !== is || (is && before.queue[0]!.size !== after.queue[0]!.size)) out.push(channelMessage(after));
}

// ---- receive: admission at the device (Fig. 4a) ----------------------------------------------------------------

/**
 * The vNIC with its bucket refilled up to the arrival time. The admission guards and the step that follows all ask
 * this of the same (context, event), so the last answer is kept.
 */
let lastC: VnicContext | undefined;
let lastE: Ev<'rx.arrive'> | undefined;
let lastR: VnicContext | undefined;
function refilled(c: VnicContext, e: Ev<'rx.arrive'>): VnicContext {
  if (c === lastC && e === lastE) return lastR!;
  const bucket = refillTo(c.bucket, e.nowNs);
  const r = bucket === c.bucket ? c : patch(c, { bucket });
  lastC = c;
  lastE = e;
  lastR = r;
  return r;
}

/** The bucket and the partition are the vNIC's own: only its own traffic can exhaust them. */
const reject =
  (reason: Exclude<RejectReason, 'unknown-destination'>) =>
  (c: VnicContext, e: Ev<'rx.arrive'>): Effected<VnicContext> => {
    const v = refilled(c, e);
    return { context: v, out: [probe('rx.rejected', { packet: e.packet, reason, slot: v.slot, blockers: v.macs })] };
  };

function admitAndBuffer(c: VnicContext, e: Ev<'rx.arrive'>): Effected<VnicContext> {
  const v = refilled(c, e);
  const p = e.packet;
  const admitted = patch(v, { bucket: take(v.bucket, p.size), used: v.used + p.size, queue: [...v.queue, p] });
  const out: Output[] = [probe('rx.admitted', { packet: p, slot: v.slot, vm: v.vm })];
  reportChannel(v, admitted, out);
  return { context: admitted, out };
}

// ---- receive: the DMA transfer and the interrupt -----------------------------------------------------------------

const granted = (c: VnicContext): Effected<VnicContext> => ({ context: patch(c, { dmaInFlight: true }), out: [] });

/** MSI on the vNIC's own vector unless moderated; it goes to the VMM (§3.2 "raises an interrupt to the VMM"). */
function raiseMsi(v: VnicContext, out: Output[]): VnicContext {
  if (v.irqMasked) return v;
  out.push(send('vmm', { type: 'msi', vector: v.vector }));
  return patch(v, { irqMasked: true });
}

/** The write lands where the I/O page table maps this vNIC's Rx ring: the owning VM's memory. */
function completeDma(c: VnicContext): Effected<VnicContext> {
  const packet = c.queue[0]!;
  const after = patch(c, { used: c.used - packet.size, queue: c.queue.slice(1), rxCredits: c.rxCredits - 1, dmaInFlight: false });
  // The channel's new state first: the engine arbitrates the next transfer while the VM takes this one.
  const out: Output[] = [probe('dma.write', { packet, slot: c.slot, vm: c.vm }), channelMessage(after), send(c.vm, { type: 'ring.deposit', packet, slot: c.slot })];
  return { context: raiseMsi(after, out), out };
}

/** Torn down while its last transfer was in flight: the pages are unmapped, so the data reaches no VM. */
const completeClosing = (c: VnicContext): Effected<VnicContext> => ({
  context: freeVnic(c.slot),
  out: [
    probe('rx.dropped', { packet: c.queue[0]!, reason: 'teardown', slot: c.slot }),
    send(DMA_ID, { type: 'dma.withdraw', slot: c.slot }),
    send('vmm', { type: 'vnic.freed', slot: c.slot }),
  ],
});

// ---- register writes by the owning driver ------------------------------------------------------------------------

const refillRx = (c: VnicContext, e: Ev<'rx.refill'>): Effected<VnicContext> => {
  const after = patch(c, { rxCredits: c.rxCredits + e.count, irqMasked: e.unmask === true ? false : c.irqMasked });
  const out: Output[] = [];
  reportChannel(c, after, out);
  return { context: after, out };
};

const withholdRx = (c: VnicContext, e: Ev<'rx.occupied'>): Effected<VnicContext> => {
  // A transfer already granted keeps the descriptor it was granted with.
  const after = patch(c, { rxCredits: Math.max(c.dmaInFlight ? 1 : 0, c.rxCredits - e.count) });
  const out: Output[] = [];
  reportChannel(c, after, out);
  return { context: after, out };
};

const unmaskIrq = (c: VnicContext): Effected<VnicContext> => ({ context: patch(c, { irqMasked: false }), out: [] });

/** Register writes through a mapping the VMM has revoked (or never granted) have no effect. */
const staleWrite = (c: VnicContext, e: RegisterWrite): Effected<VnicContext> => ({
  context: c,
  out: [probe('nic.stale-write', { slot: e.slot, from: e.from, event: e.type, ...(e.type === 'tx.post' ? { packet: e.packet } : {}) })],
});

// ---- transmit (Fig. 4b) ------------------------------------------------------------------------------------------

/** The driver posts into its own partition; the transmit path sends it. */
const postTx = (c: VnicContext, e: Ev<'tx.post'>): Effected<VnicContext> => ({
  context: patch(c, { txUsed: c.txUsed + 1 }),
  out: [probe('tx.posted', { packet: e.packet, slot: c.slot, vm: c.vm }), send(TX_ID, { type: 'tx.enqueue', slot: c.slot, packet: e.packet })],
});

const dropTxRingFull = (c: VnicContext, e: Ev<'tx.post'>): Effected<VnicContext> => ({
  context: c,
  out: [probe('tx.dropped', { packet: e.packet, reason: 'tx-ring-full', slot: e.slot })],
});

/** Tx completion interrupt (Fig. 4b) on the sender's vector, moderated like receive. */
function transmitted(c: VnicContext): Effected<VnicContext> {
  const out: Output[] = [];
  return { context: raiseMsi(patch(c, { txUsed: c.txUsed - 1 }), out), out };
}

// ---- management by the VMM (§3.1) --------------------------------------------------------------------------------

function setupVnic(c: VnicContext, e: Ev<'vnic.setup'>): Effected<VnicContext> {
  const v = patch(freeVnic(c.slot), {
    vm: e.vm,
    macs: e.macs,
    vector: e.vector,
    bucket: { rate: e.qos.rate, burst: e.qos.burst, tokens: e.qos.burst, lastNs: 0 },
    capacity: e.qos.capacity,
    priority: e.qos.priority,
    weight: e.qos.weight,
    rxCredits: e.rxRing,
    txRing: e.txRing,
  });
  // Its MACs now classify to it.
  return { context: v, out: [probe('vnic.up', { slot: c.slot, vm: e.vm }), send(NIC_ID, { type: 'nic.route', slot: c.slot, macs: e.macs })] };
}

function teardownVnic(c: VnicContext): Effected<VnicContext> {
  const slot = c.slot;
  const inFlight = c.dmaInFlight;
  const kept = inFlight ? c.queue.slice(0, 1) : [];
  const out: Output[] = (inFlight ? c.queue.slice(1) : c.queue).map((packet) => probe('rx.dropped', { packet, reason: 'teardown', slot }));
  // Queued transmits are flushed (txUsed counts exactly this vNIC's entries in the transmit queue).
  if (c.txUsed > 0) out.push(send(TX_ID, { type: 'tx.flush', slot }));
  // The channel stops requesting and its waiting starts afresh; the MACs classify nowhere.
  out.push(send(DMA_ID, { type: 'dma.detach', slot }), send(NIC_ID, { type: 'nic.route', slot, macs: [] }), probe('vnic.down', { slot, vm: c.vm }));
  // The register set can be given to another VM only once no transfer of the old one is in flight.
  if (!inFlight) out.push(send('vmm', { type: 'vnic.freed', slot }));
  const after = inFlight ? patch(freeVnic(slot), { queue: kept, used: kept[0]!.size, capacity: c.capacity, dmaInFlight: true }) : freeVnic(slot);
  return { context: after, out };
}

/** Shrinking below what is buffered would lose packets: refused, and the VMM keeps the old size. */
const refuseResize = (c: VnicContext, e: Ev<'vnic.resize'>): Effected<VnicContext> => ({
  context: c,
  out: [send('vmm', { type: 'vnic.resized', slot: e.slot, capacity: c.capacity, ok: false })],
});

const resizePartition = (c: VnicContext, e: Ev<'vnic.resize'>): Effected<VnicContext> => ({
  context: patch(c, { capacity: e.capacity }),
  out: [send('vmm', { type: 'vnic.resized', slot: e.slot, capacity: e.capacity, ok: true })],
});

const setMacs = (c: VnicContext, e: Ev<'vnic.macs'>): Effected<VnicContext> => ({
  context: patch(c, { macs: e.macs }),
  out: [send(NIC_ID, { type: 'nic.route', slot: c.slot, macs: e.macs })],
});

const refuse = (c: VnicContext, e: Ev<'vnic.setup' | 'vnic.teardown' | 'vnic.resize' | 'vnic.macs'>): Effected<VnicContext> => ({
  context: c,
  out: [probe('nic.refused', { slot: e.slot, event: e.type })],
});

/** Abstract time for the explorer: the bucket earns `dtNs` worth of tokens. */
const tick = (c: VnicContext, e: Ev<'clock.tick'>): Effected<VnicContext> => {
  const bucket = refillBy(c.bucket, e.dtNs);
  return { context: bucket === c.bucket ? c : patch(c, { bucket }), out: [] };
};

const unchanged = (c: VnicContext): Effected<VnicContext> => ({ context: c, out: [] });

const ownsVnic = (c: VnicContext, e: RegisterWrite): boolean => c.vm === e.from;

// Every register write is checked for its writer first; in `free` and `closing` nobody owns the register set.
const writes = {
  'rx.refill': [{ guard: 'writerOwnsVnic', actions: does('refillRx', refillRx) }, { actions: does('staleWrite', staleWrite) }],
  'irq.unmask': [{ guard: 'writerOwnsVnic', actions: does('unmaskIrq', unmaskIrq) }, { actions: does('staleWrite', staleWrite) }],
  'rx.occupied': [{ guard: 'writerOwnsVnic', actions: does('withholdRx', withholdRx) }, { actions: does('staleWrite', staleWrite) }],
} as const;
const noOwner = {
  'tx.post': { actions: does('staleWrite', staleWrite) },
  'rx.refill': { actions: does('staleWrite', staleWrite) },
  'irq.unmask': { actions: does('staleWrite', staleWrite) },
  'rx.occupied': { actions: does('staleWrite', staleWrite) },
} as const;
const refused = {
  'vnic.teardown': { actions: does('refuse', refuse) },
  'vnic.resize': { actions: does('refuse', refuse) },
  'vnic.macs': { actions: does('refuse', refuse) },
} as const;

/** One vNIC (§3.1, Fig. 3; its steps of Fig. 4a/4b): free / active / closing. */
export const vnicMachine = setup({
  types: { context: {} as VnicContext, events: {} as VnicEvent, input: {} as VnicInput },
  guards: {
    exceedsBandwidthSpec: ({ context, event }) => {
      const e = event as Ev<'rx.arrive'>;
      return !conforms(refilled(context, e).bucket, e.packet.size);
    },
    partitionFull: ({ context, event }) => {
      const e = event as Ev<'rx.arrive'>;
      const v = refilled(context, e);
      return v.used + e.packet.size > v.capacity;
    },
    /** Only the VM the VMM mapped this register set into may write it. */
    writerOwnsVnic: ({ context, event }) => ownsVnic(context, event as RegisterWrite),
    /** The owner posts with every Tx descriptor in use (a stranger's post is stale whatever the ring holds). */
    txRingFull: ({ context, event }) => ownsVnic(context, event as RegisterWrite) && context.txUsed >= context.txRing,
    headInFlight: ({ context }) => context.dmaInFlight,
    channelRequesting: ({ context }) => requesting(context) && !context.dmaInFlight,
    transmitPending: ({ context }) => context.txUsed > 0,
    shrinksBelowOccupancy: ({ context, event }) => (event as Ev<'vnic.resize'>).capacity < context.used,
  },
  actions: labels(
    'rejectRateExceeded',
    'rejectPartitionFull',
    'admitAndBuffer',
    'granted',
    'completeDma',
    'completeClosing',
    'postTx',
    'dropTxRingFull',
    'transmitted',
    'refillRx',
    'withholdRx',
    'unmaskIrq',
    'staleWrite',
    'setupVnic',
    'teardownVnic',
    'refuseResize',
    'resizePartition',
    'setMacs',
    'refuse',
    'tick',
  ),
}).createMachine({
  id: 'vnic',
  context: ({ input }) => freeVnic(input.slot),
  initial: 'free',
  states: {
    free: {
      on: {
        'vnic.setup': { target: 'active', actions: does('setupVnic', setupVnic) },
        ...refused,
        ...noOwner,
        'clock.tick': { actions: does('tick', unchanged) },
      },
    },
    active: {
      on: {
        // Fig. 4a: admit or reject at the device → buffer → DMA (the classifier sent the packet here).
        'rx.arrive': [
          { guard: 'exceedsBandwidthSpec', actions: does('rejectRateExceeded', reject('rate-exceeded')) },
          { guard: 'partitionFull', actions: does('rejectPartitionFull', reject('partition-full')) },
          { actions: does('admitAndBuffer', admitAndBuffer) },
        ],
        // The engine grants only a requesting channel, and completes only the transfer it granted.
        'dma.grant': { guard: 'channelRequesting', actions: does('granted', granted) },
        'dma.complete': { guard: 'headInFlight', actions: does('completeDma', completeDma) },
        // Fig. 4b: the driver posts into its own partition; the NIC sends and interrupts on completion.
        'tx.post': [
          { guard: 'txRingFull', actions: does('dropTxRingFull', dropTxRingFull) },
          { guard: 'writerOwnsVnic', actions: does('postTx', postTx) },
          { actions: does('staleWrite', staleWrite) },
        ],
        ...writes,
        'tx.complete': { guard: 'transmitPending', actions: does('transmitted', transmitted) },
        // Management by the VMM (§3.1): tear down, resize, reclassify; a second set-up is refused.
        'vnic.teardown': [
          { guard: 'headInFlight', target: 'closing', actions: does('teardownVnic', teardownVnic) },
          { target: 'free', actions: does('teardownVnic', teardownVnic) },
        ],
        'vnic.resize': [
          { guard: 'shrinksBelowOccupancy', actions: does('refuseResize', refuseResize) },
          { actions: does('resizePartition', resizePartition) },
        ],
        'vnic.macs': { actions: does('setMacs', setMacs) },
        'vnic.setup': { actions: does('refuse', refuse) },
        'clock.tick': { actions: does('tick', tick) },
      },
    },
    closing: {
      on: {
        'dma.complete': { target: 'free', actions: does('completeClosing', completeClosing) },
        'vnic.setup': { actions: does('refuse', refuse) },
        ...refused,
        ...noOwner,
        'clock.tick': { actions: does('tick', unchanged) },
      },
    },
  },
});
