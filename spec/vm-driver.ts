/**
 * A VM's network driver and the server behind it (Lakshmi & Nandy §3.1 "Accessing virtual-NIC", §3.2 last step).
 *
 * "The VM's device driver then receives the data from the VM specific device descriptor rings as it would do in
 * the case of non-virtualized server." The same machine is
 * - the native driver of a VM on its vNIC (mode `vnic`, device = the NIC),
 * - netfront of a para-virtualized VM in the Xen baseline or the mixed architecture (mode `netfront`, device = the
 *   driver domain's netback, which speaks the same ring protocol),
 * - the driver of a non-virtualized OS (mode `native`, device = the shared NIC) for the reference architecture.
 * Only the CPU cost per packet differs by mode. On a virtual interrupt the driver polls its Rx ring one packet at a
 * time (CPU work per packet), hands requests to the server, and the replies go out on the transmit path, rate
 * limited by the VM itself (§3.1: "the outbound traffic can be controlled by the VM itself").
 */
import { setup } from 'xstate';
import { probe, send, work, type Output } from '../src/network/outputs.js';
import { does, labels, type Effected } from './effect.js';
import { patcher } from './record.js';
import { replyTo, type Packet } from './packet.js';
import { conforms, refillBy, refillTo, take, type Bucket } from './token-bucket.js';

/** Which driver a VM runs: native on its vNIC, netfront behind the driver domain, or a non-virtualized OS's. */
export type DriverMode = 'vnic' | 'netfront' | 'native';

/** A VM driver's state: its bound device, its Rx ring, the descriptors it holds, and its outbound shaping. */
export interface VmContext {
  readonly self: string;
  readonly macs: readonly number[];
  /** Component the driver's rings and registers belong to; '' when no device is bound. */
  readonly device: string;
  readonly slot: number;
  readonly mode: DriverMode;
  readonly ring: readonly Packet[];
  /** Descriptors of the current device holding packets: only those are returned to it (not an earlier device's). */
  readonly lent: number;
  readonly replySize: number;
  /** Outbound shaping by the VM; rate 0 means unlimited. */
  readonly tx: Bucket;
}

/** What a VM driver is built with: its id, MACs, reply size and outbound rate. */
export interface VmInput {
  readonly self: string;
  readonly macs: readonly number[];
  readonly replySize: number;
  readonly txRate: number;
  readonly txBurst: number;
  /** Bound at boot (native OS); VMs are bound by the VMM. */
  readonly device?: { readonly id: string; readonly slot: number; readonly mode: DriverMode };
}

/** A VM driver's events: binding to a device, deposits into its ring, virtual interrupts, processed packets. */
export type VmEvent =
  | { readonly type: 'driver.bind'; readonly device: string; readonly slot: number; readonly mode: DriverMode }
  | { readonly type: 'driver.unbind' }
  | { readonly type: 'ring.deposit'; readonly packet: Packet; readonly slot: number }
  | { readonly type: 'virq'; readonly vector: number }
  | { readonly type: 'rx.processed'; readonly id: number; readonly nowNs: number }
  | { readonly type: 'clock.tick'; readonly dtNs: number };

type Ev<T extends VmEvent['type']> = Extract<VmEvent, { type: T }>;

const DEMANDS: Readonly<Record<DriverMode, readonly [rx: string, app: string, tx: string]>> = {
  vnic: ['vm.driverRx', 'vm.app', 'vm.driverTx'],
  netfront: ['vm.netfrontRx', 'vm.app', 'vm.netfrontTx'],
  native: ['native.driverRx', 'native.app', 'native.driverTx'],
};

/** Every calibration key a driver in `mode` may ask a price for (receive, serve a request, send the reply). */
export const demandKeysOf = (mode: DriverMode): readonly string[] => DEMANDS[mode];

/** Calibration keys of the CPU work per packet, by mode (see calibration/default.json). */
export function demandFor(mode: DriverMode, p: Packet): readonly string[] {
  const keys = DEMANDS[mode];
  return p.kind === 'request' ? keys : [keys[0]];
}

const patch = patcher<VmContext>({ self: true, macs: true, device: true, slot: true, mode: true, ring: true, lent: true, replySize: true, tx: true });

const processHead = (c: VmContext, out: Output[]): void => {
  const head = c.ring[0]!;
  out.push(work(demandFor(c.mode, head), { type: 'rx.processed', id: head.id, nowNs: 0 }));
};

function deposit(c: VmContext, e: Ev<'ring.deposit'>): Effected<VmContext> {
  return { context: patch(c, { ring: [...c.ring, e.packet], lent: c.lent + 1 }), out: [] };
}

/** Which VM took a virtual interrupt on which vector (msi-routing judges it against the vector's owner). */
const interrupted = (c: VmContext, e: Ev<'virq'>): Output => probe('virq.received', { vm: c.self, vector: e.vector });

/** Virtual interrupt while idle: start polling the ring, or re-enable the interrupt when it is empty. */
function wake(c: VmContext, e: Ev<'virq'>): Effected<VmContext> {
  const out: Output[] = [interrupted(c, e)];
  if (c.ring.length > 0) processHead(c, out);
  else if (c.device !== '') out.push(send(c.device, { type: 'irq.unmask', slot: c.slot, from: c.self }));
  return { context: c, out };
}

/** One packet done: deliver it, reply, return the descriptor, and poll on or re-arm the interrupt. */
function processed(c: VmContext, e: Ev<'rx.processed'>): Effected<VmContext> {
  const packet = c.ring[0]!;
  const out: Output[] = [probe('packet.delivered', { packet, vm: c.self })];
  let tx = c.tx;
  if (packet.kind === 'request') {
    const reply = replyTo(packet, c.replySize);
    if (c.device === '') out.push(probe('tx.dropped', { packet: reply, reason: 'no-device', slot: c.slot }));
    else {
      if (tx.rate > 0) tx = refillTo(tx, e.nowNs);
      if (tx.rate > 0 && !conforms(tx, reply.size)) out.push(probe('tx.dropped', { packet: reply, reason: 'tx-rate-exceeded', slot: c.slot }));
      else {
        if (tx.rate > 0) tx = take(tx, reply.size);
        out.push(send(c.device, { type: 'tx.post', slot: c.slot, from: c.self, packet: reply }));
      }
    }
  }
  // The oldest packets in the ring are those of an earlier device, if any: their descriptors are not returned.
  const returns = c.device !== '' && c.lent >= c.ring.length;
  const next = patch(c, { ring: c.ring.slice(1), tx, lent: returns ? c.lent - 1 : c.lent });
  const drained = next.ring.length === 0;
  // Return the descriptor; when the ring is drained the same register write re-enables the interrupt (NAPI).
  if (returns) out.push(send(c.device, drained ? { type: 'rx.refill', slot: c.slot, from: c.self, count: 1, unmask: true } : { type: 'rx.refill', slot: c.slot, from: c.self, count: 1 }));
  else if (drained && c.device !== '') out.push(send(c.device, { type: 'irq.unmask', slot: c.slot, from: c.self }));
  if (!drained) processHead(next, out);
  return { context: next, out };
}

/**
 * A new device lends a full ring of descriptors; those still holding packets of an earlier attachment are not
 * free, and the driver says so (a real driver posts only its free descriptors when it initialises). It posts each
 * of them as its packet is processed, like any other: they count as lent. (When they did not, the new device never
 * got them back and, its credits gone, kept the VM's next packets in its partition forever: `eventual-delivery`,
 * found by the liveness check with churn.)
 */
const bind = (c: VmContext, e: Ev<'driver.bind'>): Effected<VmContext> => ({
  context: patch(c, { device: e.device, slot: e.slot, mode: e.mode, lent: c.ring.length }),
  out: [
    probe('driver.bound', { vm: c.self, device: e.device, slot: e.slot }),
    ...(c.ring.length > 0 ? [send(e.device, { type: 'rx.occupied', slot: e.slot, from: c.self, count: c.ring.length })] : []),
  ],
});

/** Packets already in the VM's memory stay there and are still processed; only the device goes away. */
const unbind = (c: VmContext): Effected<VmContext> => ({ context: patch(c, { device: '', slot: -1 }), out: [] });

/**
 * Unbound while idle with packets in its ring: no interrupt will come for them any more (the vector is gone, and one
 * the VMM still had in flight is dropped as spurious), so the driver polls them now, as a driver's remove path
 * drains its rings. Without this a detach at the wrong moment left a packet in the ring forever
 * (`eventual-delivery`, found by the liveness check with churn).
 */
function unbindAndPoll(c: VmContext): Effected<VmContext> {
  const next = patch(c, { device: '', slot: -1 });
  const out: Output[] = [];
  processHead(next, out);
  return { context: next, out };
}

const tick = (c: VmContext, e: Ev<'clock.tick'>): Effected<VmContext> =>
  c.tx.rate > 0 ? { context: patch(c, { tx: refillBy(c.tx, e.dtNs) }), out: [] } : { context: c, out: [] };

/** Already polling: the interrupt changes nothing (NAPI), but it was taken. */
const alreadyPolling = (c: VmContext, e: Ev<'virq'>): Effected<VmContext> => ({ context: c, out: [interrupted(c, e)] });

/**
 * A VM's network driver and its server (§3.1, §3.2 last step): reads its own descriptor rings on a virtual
 * interrupt, serves each request, and sends the reply on its transmit path.
 */
export const vmMachine = setup({
  types: { context: {} as VmContext, events: {} as VmEvent, input: {} as VmInput },
  guards: {
    ringHasPackets: ({ context }) => context.ring.length > 0,
    moreInRing: ({ context }) => context.ring.length > 1,
    isCurrentPacket: ({ context, event }) => context.ring[0]?.id === (event as Ev<'rx.processed'>).id,
  },
  actions: labels('deposit', 'wake', 'processed', 'bind', 'unbind', 'unbindAndPoll', 'tick', 'alreadyPolling'),
}).createMachine({
  id: 'vm',
  context: ({ input }) => ({
    self: input.self,
    macs: input.macs,
    device: input.device?.id ?? '',
    slot: input.device?.slot ?? -1,
    mode: input.device?.mode ?? 'vnic',
    ring: [],
    lent: 0,
    replySize: input.replySize,
    tx: { rate: input.txRate, burst: input.txBurst, tokens: input.txBurst, lastNs: 0 },
  }),
  initial: 'idle',
  on: {
    'driver.bind': { actions: does('bind', bind) },
    'driver.unbind': { actions: does('unbind', unbind) },
    'ring.deposit': { actions: does('deposit', deposit) },
    'clock.tick': { actions: does('tick', tick) },
  },
  states: {
    idle: {
      on: {
        virq: [{ guard: 'ringHasPackets', target: 'polling', actions: does('wake', wake) }, { actions: does('wake', wake) }],
        'driver.unbind': { guard: 'ringHasPackets', target: 'polling', actions: does('unbindAndPoll', unbindAndPoll) },
      },
    },
    polling: {
      on: {
        virq: { actions: does('alreadyPolling', alreadyPolling) },
        'rx.processed': [
          { guard: 'moreInRing', actions: does('processed', processed) },
          { guard: 'isCurrentPacket', target: 'idle', actions: does('processed', processed) },
        ],
      },
    },
  },
});
