/**
 * The NIC of the existing architecture (Lakshmi & Nandy §1, §3 "bottlenecks"): one device buffer shared by every
 * VM, one Rx ring, one interrupt, owned by a single host — the Xen driver domain (IDD) or, for the non-virtualized
 * reference, the OS. The device cannot tell VMs apart, so it admits any packet that fits in the shared buffer:
 * "one misbehaving VM can ensure deprivation leading to data loss for another VM".
 */
import { setup } from 'xstate';
import { probe, send, type Output } from '../src/network/outputs.js';
import { does, labels, type Effected } from './effect.js';
import { patcher } from './record.js';
import { dmaTime, wireTime, type NicTiming } from './nic-vnic.js';
import type { Packet } from './packet.js';

/** The shared NIC's state: one device buffer and one Rx ring for everybody, owned by one host. */
export interface SharedNicContext {
  readonly host: string;
  /** How the host hears the interrupt: through the VMM ('msi', Xen) or directly ('virq', native). */
  readonly irqTo: string;
  readonly irqEvent: 'msi' | 'virq';
  readonly capacity: number;
  readonly used: number;
  readonly buffer: readonly Packet[];
  readonly rxCredits: number;
  readonly irqMasked: boolean;
  readonly dmaBusy: boolean;
  readonly tx: readonly Packet[];
  /** Transmit descriptors: a full ring drops the packet (the host's driver would have to retry). */
  readonly txRing: number;
  readonly timing: NicTiming;
}

/** What the shared NIC is built with: its host, how the host hears interrupts, buffer and ring sizes, timing. */
export interface SharedNicInput {
  readonly host: string;
  readonly irqTo: string;
  readonly irqEvent: 'msi' | 'virq';
  readonly capacity: number;
  readonly rxRing: number;
  /** Default 256. */
  readonly txRing?: number;
  readonly timing: NicTiming;
}

/** The shared NIC's events: arrivals, DMA and transmit completions, and its host driver's registers. */
export type SharedNicEvent =
  | { readonly type: 'rx.arrive'; readonly packet: Packet; readonly nowNs: number }
  | { readonly type: 'dma.done' }
  | { readonly type: 'tx.post'; readonly slot: number; readonly from: string; readonly packet: Packet }
  | { readonly type: 'tx.done' }
  /** The driver returns Rx descriptors; `unmask` also re-enables its interrupt (one register write). */
  | { readonly type: 'rx.refill'; readonly slot: number; readonly from: string; readonly count: number; readonly unmask?: boolean }
  | { readonly type: 'irq.unmask'; readonly slot: number; readonly from: string }
  | { readonly type: 'clock.tick'; readonly dtNs: number };

type Ev<T extends SharedNicEvent['type']> = Extract<SharedNicEvent, { type: T }>;

const patch = patcher<SharedNicContext>({ host: true, irqTo: true, irqEvent: true, capacity: true, used: true, buffer: true, rxCredits: true, irqMasked: true, dmaBusy: true, tx: true, txRing: true, timing: true });

function kickDma(c: SharedNicContext, out: Output[]): SharedNicContext {
  if (c.dmaBusy || c.buffer.length === 0 || c.rxCredits === 0) return c;
  out.push(send('nic', { type: 'dma.done' }, dmaTime(c.timing, c.buffer[0]!)));
  return patch(c, { dmaBusy: true });
}

function raiseIrq(c: SharedNicContext, out: Output[]): SharedNicContext {
  if (c.irqMasked) return c;
  out.push(send(c.irqTo, { type: c.irqEvent, vector: 0 }));
  return patch(c, { irqMasked: true });
}

/**
 * The destination MACs of a buffer's packets, distinct and ascending: whose packets block a rejected one. Buffers are
 * never changed in place, so this is computed once per buffer: a flood rejects tens of packets against the same full
 * buffer between two DMA completions, and collecting and sorting thousands of packets for each was half of a xen-idd
 * flood simulation's time.
 */
const blockersByBuffer = new WeakMap<readonly Packet[], readonly number[]>();

function blockersOf(buffer: readonly Packet[]): readonly number[] {
  let blockers = blockersByBuffer.get(buffer);
  if (blockers === undefined) {
    blockers = Object.freeze([...new Set(buffer.map((p) => p.dst))].sort((a, b) => a - b));
    blockersByBuffer.set(buffer, blockers);
  }
  return blockers;
}

/** The only admission test the device can make: does the packet fit in the shared buffer? */
function rejectBufferFull(c: SharedNicContext, e: Ev<'rx.arrive'>): Effected<SharedNicContext> {
  return { context: c, out: [probe('rx.rejected', { packet: e.packet, reason: 'device-buffer-full', slot: 0, blockers: blockersOf(c.buffer) })] };
}

function admitAndBuffer(c: SharedNicContext, e: Ev<'rx.arrive'>): Effected<SharedNicContext> {
  const out: Output[] = [probe('rx.admitted', { packet: e.packet, slot: 0, vm: c.host })];
  const next = patch(c, { used: c.used + e.packet.size, buffer: [...c.buffer, e.packet] });
  return { context: kickDma(next, out), out };
}

function completeDma(c: SharedNicContext): Effected<SharedNicContext> {
  const packet = c.buffer[0]!;
  const out: Output[] = [probe('dma.write', { packet, slot: 0, vm: c.host }), send(c.host, { type: 'ring.deposit', packet, slot: 0 })];
  const next = raiseIrq(patch(c, { used: c.used - packet.size, buffer: c.buffer.slice(1), rxCredits: c.rxCredits - 1, dmaBusy: false }), out);
  return { context: kickDma(next, out), out };
}

function postTx(c: SharedNicContext, e: Ev<'tx.post'>): Effected<SharedNicContext> {
  if (c.tx.length >= c.txRing) return { context: c, out: [probe('tx.dropped', { packet: e.packet, reason: 'tx-ring-full', slot: 0 })] };
  const out: Output[] = [probe('tx.posted', { packet: e.packet, slot: 0, vm: c.host })];
  if (c.tx.length === 0) out.push(send('nic', { type: 'tx.done' }, wireTime(c.timing, e.packet)));
  return { context: patch(c, { tx: [...c.tx, e.packet] }), out };
}

function transmitted(c: SharedNicContext): Effected<SharedNicContext> {
  const packet = c.tx[0]!;
  const out: Output[] = [probe('wire.tx', { packet, slot: 0 }), send('wire', { type: 'wire.tx', packet })];
  const next = raiseIrq(patch(c, { tx: c.tx.slice(1) }), out);
  const head = next.tx[0];
  if (head !== undefined) out.push(send('nic', { type: 'tx.done' }, wireTime(c.timing, head)));
  return { context: next, out };
}

const refillRx = (c: SharedNicContext, e: Ev<'rx.refill'>): Effected<SharedNicContext> => {
  const out: Output[] = [];
  return { context: kickDma(patch(c, { rxCredits: c.rxCredits + e.count, irqMasked: e.unmask === true ? false : c.irqMasked }), out), out };
};

const unmask = (c: SharedNicContext): Effected<SharedNicContext> => ({ context: patch(c, { irqMasked: false }), out: [] });

const staleWrite = (c: SharedNicContext, e: Ev<'tx.post' | 'rx.refill' | 'irq.unmask'>): Effected<SharedNicContext> => ({
  context: c,
  out: [probe('nic.stale-write', { slot: e.slot, from: e.from, event: e.type })],
});

const nothing = (c: SharedNicContext): Effected<SharedNicContext> => ({ context: c, out: [] });

/**
 * The NIC of the existing architecture (§1, §3 "bottlenecks"): one shared device buffer, admission only by
 * free space, so one flooding VM can fill it for everybody.
 */
export const sharedNicMachine = setup({
  types: { context: {} as SharedNicContext, events: {} as SharedNicEvent, input: {} as SharedNicInput },
  guards: {
    sharedBufferFull: ({ context, event }) => context.used + (event as Ev<'rx.arrive'>).packet.size > context.capacity,
    fromHost: ({ context, event }) => (event as Ev<'tx.post'>).from === context.host,
    dmaInFlight: ({ context }) => context.dmaBusy,
    onTheWire: ({ context }) => context.tx.length > 0,
  },
  actions: labels('rejectBufferFull', 'admitAndBuffer', 'completeDma', 'postTx', 'transmitted', 'refillRx', 'unmaskIrq', 'staleWrite', 'tick'),
}).createMachine({
  id: 'nic',
  context: ({ input }) => ({
    host: input.host,
    irqTo: input.irqTo,
    irqEvent: input.irqEvent,
    capacity: input.capacity,
    used: 0,
    buffer: [],
    rxCredits: input.rxRing,
    irqMasked: false,
    dmaBusy: false,
    tx: [],
    txRing: input.txRing ?? 256,
    timing: input.timing,
  }),
  initial: 'operating',
  states: {
    operating: {
      on: {
        'rx.arrive': [
          { guard: 'sharedBufferFull', actions: does('rejectBufferFull', rejectBufferFull) },
          { actions: does('admitAndBuffer', admitAndBuffer) },
        ],
        'dma.done': { guard: 'dmaInFlight', actions: does('completeDma', completeDma) },
        'rx.refill': [{ guard: 'fromHost', actions: does('refillRx', refillRx) }, { actions: does('staleWrite', staleWrite) }],
        'irq.unmask': [{ guard: 'fromHost', actions: does('unmaskIrq', unmask) }, { actions: does('staleWrite', staleWrite) }],
        'tx.post': [{ guard: 'fromHost', actions: does('postTx', postTx) }, { actions: does('staleWrite', staleWrite) }],
        'tx.done': { guard: 'onTheWire', actions: does('transmitted', transmitted) },
        // No bandwidth specification at the device: time passing changes nothing here.
        'clock.tick': { actions: does('tick', nothing) },
      },
    },
  },
});
