/**
 * The vNIC NIC's DMA engine and its arbiter (Lakshmi & Nandy §3.1, Fig. 3: a DMA channel per virtual NIC; §3.2,
 * Fig. 4a: the NIC "issues DMA to the destination VM based on the virtual NIC's priority"). The channels share one
 * engine; each channel's request line says whether its vNIC has a transfer to make (a buffered packet and a free Rx
 * descriptor), with the head packet's size and the vNIC's priority and weight. When the engine is idle and some
 * channel requests, the arbiter (dma-arbiter.ts: strict, wrr or drr) grants one; the transfer takes the DMA time of
 * its packet; on completion the engine hands the transfer back to its vNIC and arbitrates again once that channel
 * has said what it requests next.
 *
 * idle ──a channel requests──▶ transferring ──dma.done──▶ idle
 *
 * The engine also counts, per channel, how many transfers it granted to other channels while this one was
 * requesting: the waiting bound of no-cross-vm-starvation (saturating at `waitCap`, reset when its vNIC is torn down).
 */
import { setup } from 'xstate';
import { probe, send, type Output } from '../src/network/outputs.js';
import { initialArbiter, pick, type ArbiterState } from './dma-arbiter.js';
import { does, labels, type Effected } from './effect.js';
import { DMA_ID, dmaTime, vnicId, type DmaInput, type NicTiming } from './nic-vnic.js';
import { patcher } from './record.js';

/** A DMA channel's request line, as the engine sees it (an arbiter candidate), and its head-wait counter. */
export interface Channel {
  /** The channel has a packet to transfer and somewhere to put it. */
  readonly eligible: boolean;
  /** Size of the head packet (0 while not requesting). */
  readonly headSize: number;
  readonly priority: number;
  readonly weight: number;
  /** Transfers granted to other channels while this one requested (saturates at `waitCap`). */
  readonly headWait: number;
}

/** The DMA engine's data; idle or transferring is the statechart state. */
export interface DmaContext {
  readonly arbiter: ArbiterState;
  /** The channel (vNIC slot) whose transfer is in progress, -1 when idle. */
  readonly slot: number;
  readonly channels: readonly Channel[];
  readonly timing: NicTiming;
  readonly waitCap: number;
}

/** What the DMA engine takes: its channels' request lines and its own completions. */
export type DmaEvent =
  /** Channel `slot` requests a transfer of its head packet (`size` bytes). */
  | { readonly type: 'dma.request'; readonly slot: number; readonly size: number; readonly priority: number; readonly weight: number }
  /** Channel `slot` has nothing to transfer (any more). */
  | { readonly type: 'dma.withdraw'; readonly slot: number }
  /** Channel `slot`'s vNIC was torn down: it stops requesting and its waiting starts afresh. */
  | { readonly type: 'dma.detach'; readonly slot: number }
  /** The transfer in progress has completed (a delayed send to itself). */
  | { readonly type: 'dma.done' };

type Ev<T extends DmaEvent['type']> = Extract<DmaEvent, { type: T }>;
type ChannelEvent = Ev<'dma.request' | 'dma.withdraw' | 'dma.detach'>;

const patch = patcher<DmaContext>({ arbiter: true, slot: true, channels: true, timing: true, waitCap: true });
const patchChannel = patcher<Channel>({ eligible: true, headSize: true, priority: true, weight: true, headWait: true });

/** A channel that requests nothing; every field but the wait at its reset value. */
const quiet = (headWait: number): Channel => ({ eligible: false, headSize: 0, priority: 0, weight: 1, headWait });

/** The table with channel `e.slot`'s line as the event sets it. */
function recorded(c: DmaContext, e: ChannelEvent): DmaContext {
  const was = c.channels[e.slot]!;
  const now =
    e.type === 'dma.request'
      ? { eligible: true, headSize: e.size, priority: e.priority, weight: e.weight, headWait: was.headWait }
      : quiet(e.type === 'dma.detach' ? 0 : was.headWait);
  if (now.eligible === was.eligible && now.headSize === was.headSize && now.priority === was.priority && now.weight === was.weight && now.headWait === was.headWait) return c;
  const channels = c.channels.slice();
  channels[e.slot] = now;
  return patch(c, { channels });
}

/** Recording is asked by the guard and by the step that follows: the last answer is kept. */
let lastC: DmaContext | undefined;
let lastE: ChannelEvent | undefined;
let lastR: DmaContext | undefined;
function afterRecording(c: DmaContext, e: ChannelEvent): DmaContext {
  if (c === lastC && e === lastE) return lastR!;
  const r = recorded(c, e);
  lastC = c;
  lastE = e;
  lastR = r;
  return r;
}

const record = (c: DmaContext, e: ChannelEvent): Effected<DmaContext> => ({ context: afterRecording(c, e), out: [] });

/**
 * The arbiter grants the next transfer to one requesting channel; every other requesting channel waits one more.
 * The grant is reported (probe `dma.granted`) with the channels that requested at that moment: the properties judge
 * the arbiter's choices from that and the configured weights, not from its own bookkeeping.
 */
function grant(c: DmaContext, e: ChannelEvent): Effected<DmaContext> {
  const r = afterRecording(c, e);
  const g = pick(r.arbiter, r.channels)!;
  const eligible: number[] = [];
  let channels = r.channels;
  for (let i = 0; i < channels.length; i++) {
    if (r.channels[i]!.eligible) eligible.push(i);
    const ch = r.channels[i]!;
    const wait = i === g.slot ? 0 : ch.eligible ? Math.min(r.waitCap, ch.headWait + 1) : ch.headWait;
    if (wait !== ch.headWait) {
      if (channels === r.channels) channels = r.channels.slice();
      (channels as Channel[])[i] = patchChannel(ch, { headWait: wait });
    }
  }
  const size = r.channels[g.slot]!.headSize;
  const out: Output[] = [
    probe('dma.granted', { slot: g.slot, size, eligible }),
    send(vnicId(g.slot), { type: 'dma.grant' }),
    send(DMA_ID, { type: 'dma.done' }, dmaTime(r.timing, { size })),
  ];
  return { context: patch(r, { arbiter: g.state, slot: g.slot, channels }), out };
}

/** The transfer has landed: its vNIC deposits it and says what its channel requests next. */
const complete = (c: DmaContext): Effected<DmaContext> => ({ context: patch(c, { slot: -1 }), out: [send(vnicId(c.slot), { type: 'dma.complete' })] });

/** The DMA engine and its arbiter (§3.1, §3.2 Fig. 4a): idle / transferring. */
export const dmaMachine = setup({
  types: { context: {} as DmaContext, events: {} as DmaEvent, input: {} as DmaInput },
  guards: {
    /** With the line just set, some channel requests a transfer. */
    channelRequesting: ({ context, event }) => afterRecording(context, event as ChannelEvent).channels.some((ch) => ch.eligible),
  },
  actions: labels('grant', 'record', 'complete'),
}).createMachine({
  id: 'dma',
  context: ({ input }) => ({
    arbiter: initialArbiter(input.arbiter, input.slots, input.quantum),
    slot: -1,
    channels: Array.from({ length: input.slots }, () => quiet(0)),
    timing: input.timing,
    waitCap: input.waitCap,
  }),
  initial: 'idle',
  states: {
    idle: {
      on: {
        'dma.request': { target: 'transferring', actions: does('grant', grant) },
        'dma.withdraw': [
          { guard: 'channelRequesting', target: 'transferring', actions: does('grant', grant) },
          { actions: does('record', record) },
        ],
        'dma.detach': [
          { guard: 'channelRequesting', target: 'transferring', actions: does('grant', grant) },
          { actions: does('record', record) },
        ],
      },
    },
    transferring: {
      on: {
        'dma.request': { actions: does('record', record) },
        'dma.withdraw': { actions: does('record', record) },
        'dma.detach': { actions: does('record', record) },
        'dma.done': { target: 'idle', actions: does('complete', complete) },
      },
    },
  },
});
