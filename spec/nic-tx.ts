/**
 * The vNIC NIC's transmit path (Lakshmi & Nandy §3.2, Fig. 4b): the packets the vNICs' drivers posted into their
 * partitions are serialised onto the one wire in the order they were posted; when one has left, its vNIC is told
 * (it frees the Tx descriptor and raises the completion interrupt) and the next one starts.
 *
 * idle ──tx.enqueue──▶ sending ──tx.done (last one)──▶ idle
 *
 * A vNIC torn down while some of its packets wait here has them flushed (tx.flush); the one already on the wire
 * finishes but belongs to no vNIC any more (slot -1), so no completion reaches the slot's next owner.
 */
import { setup } from 'xstate';
import { probe, send, type Output } from '../src/network/outputs.js';
import { does, labels, type Effected } from './effect.js';
import { TX_ID, vnicId, wireTime, type NicTiming, type TxInput } from './nic-vnic.js';
import type { Packet } from './packet.js';

/** A posted packet waiting for (or on) the wire, with the vNIC that posted it. */
export interface TxEntry {
  /** The vNIC that posted it; -1 once that vNIC was torn down while the packet was on the wire. */
  readonly slot: number;
  readonly packet: Packet;
}

/** The transmit path's data; idle or sending is the statechart state. */
export interface TxContext {
  /** Posted packets in order; the head is on the wire while `sending`. */
  readonly queue: readonly TxEntry[];
  readonly timing: NicTiming;
}

/** What the transmit path takes: posts from vNICs, its own completions, flushes at teardown. */
export type TxEvent =
  | { readonly type: 'tx.enqueue'; readonly slot: number; readonly packet: Packet }
  /** The head packet has been serialised (a delayed send to itself). */
  | { readonly type: 'tx.done' }
  | { readonly type: 'tx.flush'; readonly slot: number };

type Ev<T extends TxEvent['type']> = Extract<TxEvent, { type: T }>;

function startSending(c: TxContext, e: Ev<'tx.enqueue'>): Effected<TxContext> {
  return { context: { queue: [{ slot: e.slot, packet: e.packet }], timing: c.timing }, out: [send(TX_ID, { type: 'tx.done' }, wireTime(c.timing, e.packet))] };
}

const enqueue = (c: TxContext, e: Ev<'tx.enqueue'>): Effected<TxContext> => ({ context: { queue: [...c.queue, { slot: e.slot, packet: e.packet }], timing: c.timing }, out: [] });

/** The head has left: onto the wire, its vNIC told, the next one started. */
function transmitted(c: TxContext): Effected<TxContext> {
  const { slot, packet } = c.queue[0]!;
  const queue = c.queue.slice(1);
  const out: Output[] = [probe('wire.tx', { packet, slot }), send('wire', { type: 'wire.tx', packet })];
  if (slot >= 0) out.push(send(vnicId(slot), { type: 'tx.complete' }));
  const head = queue[0];
  if (head !== undefined) out.push(send(TX_ID, { type: 'tx.done' }, wireTime(c.timing, head.packet)));
  return { context: { queue, timing: c.timing }, out };
}

/** Queued transmits of a torn-down vNIC are dropped; the one on the wire finishes, belonging to no vNIC. */
function flush(c: TxContext, e: Ev<'tx.flush'>): Effected<TxContext> {
  const out: Output[] = [];
  for (let i = 1; i < c.queue.length; i++) if (c.queue[i]!.slot === e.slot) out.push(probe('tx.dropped', { packet: c.queue[i]!.packet, reason: 'teardown', slot: e.slot }));
  const queue = c.queue.filter((t, i) => t.slot !== e.slot || i === 0).map((t) => (t.slot === e.slot ? { slot: -1, packet: t.packet } : t));
  return { context: { queue, timing: c.timing }, out };
}

/** The transmit path (§3.2, Fig. 4b): idle / sending. */
export const txMachine = setup({
  types: { context: {} as TxContext, events: {} as TxEvent, input: {} as TxInput },
  guards: {
    moreQueued: ({ context }) => context.queue.length > 1,
  },
  actions: labels('startSending', 'enqueue', 'transmitted', 'flush'),
}).createMachine({
  id: 'tx',
  context: ({ input }) => ({ queue: [], timing: input.timing }),
  initial: 'idle',
  states: {
    idle: {
      on: {
        'tx.enqueue': { target: 'sending', actions: does('startSending', startSending) },
      },
    },
    sending: {
      on: {
        'tx.enqueue': { actions: does('enqueue', enqueue) },
        'tx.done': [
          { guard: 'moreQueued', actions: does('transmitted', transmitted) },
          { target: 'idle', actions: does('transmitted', transmitted) },
        ],
        'tx.flush': { actions: does('flush', flush) },
      },
    },
  },
});
