/**
 * Traffic sources, as machines in the same network as the system under test.
 *
 * - open loop (httperf, §1/§5): requests at a constant rate or as a Poisson stream, whatever happens to them;
 * - closed loop (netperf TCP_CRR-like): one request outstanding, the next after the reply (or a retransmission
 *   timeout) plus a think time;
 * - flood: an open-loop stream of non-request packets at a given rate, to any MAC — including MACs no VM owns.
 * The simulator stamps `nowNs` on the events it delivers after a delay, which is how a source knows the time.
 */
import { setup } from 'xstate';
import { probe, send, type Delay, type Output } from '../src/network/outputs.js';
import { does, labels, type Effected } from './effect.js';
import { patcher } from './record.js';
import type { Packet, PacketKind } from './packet.js';

/** Packet ids are seq · MAX_STREAMS + stream: unique in a run. */
export const MAX_STREAMS = 1024;

export type Arrivals = { readonly kind: 'constant'; readonly perSecond: number } | { readonly kind: 'poisson'; readonly perSecond: number };

/** An open-loop source: sends requests (or flood packets) at a constant or Poisson rate, whatever the replies. */
export interface OpenLoopInput {
  readonly stream: number;
  readonly nic: string;
  readonly packetKind: PacketKind;
  readonly dst: number;
  readonly src: number;
  readonly size: number;
  readonly arrivals: Arrivals;
}

/** A closed-loop client (TCP_CRR-like): one request at a time, the next after the reply and a think time. */
export interface ClosedLoopInput {
  readonly stream: number;
  readonly nic: string;
  readonly dst: number;
  readonly src: number;
  readonly size: number;
  readonly thinkNs: number;
  readonly timeoutNs: number;
}

/** An open-loop source's state: its input plus the sequence number of the next request. */
export interface OpenLoopContext extends OpenLoopInput {
  readonly seq: number;
}

/** A closed-loop client's state: its input, the next sequence number, and the packet id whose reply it awaits (-1: thinking). */
export interface ClosedLoopContext extends ClosedLoopInput {
  readonly seq: number;
  readonly awaiting: number;
}

/** The traffic sources' events: their own ticks and timeouts, and replies coming back. */
export type SourceEvent =
  | { readonly type: 'client.tick'; readonly nowNs: number }
  | { readonly type: 'reply'; readonly packet: Packet }
  | { readonly type: 'client.timeout'; readonly seq: number; readonly nowNs: number };

type Ev<T extends SourceEvent['type']> = Extract<SourceEvent, { type: T }>;

const patchOpen = patcher<OpenLoopContext>({ stream: true, nic: true, packetKind: true, dst: true, src: true, size: true, arrivals: true, seq: true });
const patchClosed = patcher<ClosedLoopContext>({ stream: true, nic: true, dst: true, src: true, size: true, thinkNs: true, timeoutNs: true, seq: true, awaiting: true });

const tick: SourceEvent = { type: 'client.tick', nowNs: 0 };

/** Integer-ns gaps whose sum stays exact: the k-th constant arrival is at round(k · 1e9 / rate). */
function gap(c: OpenLoopContext): Delay {
  const a = c.arrivals;
  if (a.kind === 'poisson') return { exponentialMeanNs: 1e9 / a.perSecond };
  const period = 1e9 / a.perSecond;
  return Math.max(1, Math.round((c.seq + 1) * period) - Math.round(c.seq * period));
}

function packetOf(c: { stream: number; dst: number; src: number; size: number }, seq: number, kind: PacketKind, nowNs: number): Packet {
  return { id: seq * MAX_STREAMS + c.stream, dst: c.dst, src: c.src, size: c.size, bornNs: nowNs, kind, stream: c.stream };
}

function emitOpenLoop(c: OpenLoopContext, e: Ev<'client.tick'>): Effected<OpenLoopContext> {
  const packet = packetOf(c, c.seq, c.packetKind, e.nowNs);
  const out: Output[] = [send(c.nic, { type: 'rx.arrive', packet, nowNs: e.nowNs }), send(`stream${c.stream}`, tick, gap(c))];
  return { context: patchOpen(c, { seq: c.seq + 1 }), out };
}

const ignoreReply = (c: OpenLoopContext): Effected<OpenLoopContext> => ({ context: c, out: [] });

/** An open-loop traffic source (httperf-like, or a flood). */
export const openLoopMachine = setup({
  types: { context: {} as OpenLoopContext, events: {} as SourceEvent, input: {} as OpenLoopInput },
  actions: labels('emitPacket', 'ignoreReply'),
}).createMachine({
  id: 'openLoop',
  context: ({ input }) => ({ stream: input.stream, nic: input.nic, packetKind: input.packetKind, dst: input.dst, src: input.src, size: input.size, arrivals: input.arrivals, seq: 0 }),
  initial: 'sending',
  states: {
    sending: {
      on: {
        'client.tick': { actions: does('emitPacket', emitOpenLoop) },
        reply: { actions: does('ignoreReply', ignoreReply) },
      },
    },
  },
});

function sendRequest(c: ClosedLoopContext, e: Ev<'client.tick' | 'client.timeout'>): Effected<ClosedLoopContext> {
  const packet = packetOf(c, c.seq, 'request', e.nowNs);
  return {
    context: patchClosed(c, { seq: c.seq + 1, awaiting: packet.id }),
    out: [send(c.nic, { type: 'rx.arrive', packet, nowNs: e.nowNs }), send(`stream${c.stream}`, { type: 'client.timeout', seq: c.seq, nowNs: 0 }, c.timeoutNs)],
  };
}

const thinkThenSend = (c: ClosedLoopContext): Effected<ClosedLoopContext> => ({
  context: patchClosed(c, { awaiting: -1 }),
  out: [send(`stream${c.stream}`, tick, Math.max(1, c.thinkNs))],
});

function retransmit(c: ClosedLoopContext, e: Ev<'client.timeout'>): Effected<ClosedLoopContext> {
  const r = sendRequest(c, e);
  return { context: r.context, out: [probe('client.timeout', { stream: c.stream, seq: e.seq }), ...r.out] };
}

const nothing = (c: ClosedLoopContext): Effected<ClosedLoopContext> => ({ context: c, out: [] });

/** A closed-loop client (netperf TCP_CRR-like): request, await the reply (or time out and retransmit), think. */
export const closedLoopMachine = setup({
  types: { context: {} as ClosedLoopContext, events: {} as SourceEvent, input: {} as ClosedLoopInput },
  guards: {
    awaitedReply: ({ context, event }) => (event as Ev<'reply'>).packet.id === context.awaiting,
    awaitedTimeout: ({ context, event }) => (event as Ev<'client.timeout'>).seq * MAX_STREAMS + context.stream === context.awaiting,
  },
  actions: labels('sendRequest', 'thinkThenSend', 'retransmit', 'stale'),
}).createMachine({
  id: 'closedLoop',
  context: ({ input }) => ({ stream: input.stream, nic: input.nic, dst: input.dst, src: input.src, size: input.size, thinkNs: input.thinkNs, timeoutNs: input.timeoutNs, seq: 0, awaiting: -1 }),
  initial: 'thinking',
  states: {
    thinking: {
      on: {
        'client.tick': { target: 'waiting', actions: does('sendRequest', sendRequest) },
        reply: { actions: does('stale', nothing) },
        'client.timeout': { actions: does('stale', nothing) },
      },
    },
    waiting: {
      on: {
        reply: [{ guard: 'awaitedReply', target: 'thinking', actions: does('thinkThenSend', thinkThenSend) }, { actions: does('stale', nothing) }],
        'client.timeout': [{ guard: 'awaitedTimeout', actions: does('retransmit', retransmit) }, { actions: does('stale', nothing) }],
      },
    },
  },
});

/** A packet leaving the NIC onto the wire. */
export type WireEvent = { readonly type: 'wire.tx'; readonly packet: Packet };

/** The wire's state: how many streams there are and which of them wait for replies. */
export interface WireContext {
  readonly streams: number;
  /** Streams that wait for replies (closed loop); absent: all of them. Open-loop sources ignore replies anyway. */
  readonly listening?: readonly boolean[];
}

/** The network beyond the NIC: replies go back to the stream that asked. */
export const wireMachine = setup({
  types: { context: {} as WireContext, events: {} as WireEvent, input: {} as WireContext },
  guards: {
    isReplyToAStream: ({ context, event }) =>
      event.packet.kind === 'reply' && event.packet.stream < context.streams && (context.listening?.[event.packet.stream] ?? true),
  },
  actions: labels('toClient', 'leaves'),
}).createMachine({
  id: 'wire',
  context: ({ input }) => (input.listening === undefined ? { streams: input.streams } : { streams: input.streams, listening: input.listening }),
  initial: 'up',
  states: {
    up: {
      on: {
        'wire.tx': [
          {
            guard: 'isReplyToAStream',
            actions: does('toClient', (c: WireContext, e: WireEvent) => ({ context: c, out: [send(`stream${e.packet.stream}`, { type: 'reply', packet: e.packet })] })),
          },
          { actions: does('leaves', (c: WireContext) => ({ context: c, out: [] })) },
        ],
      },
    },
  },
});
