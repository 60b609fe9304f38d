/**
 * The Xen driver domain (IDD) of the existing architecture (Lakshmi & Nandy §1, §2, §3 "bottlenecks").
 *
 * The IDD owns the physical NIC. Every received packet is DMA'd into the IDD's memory, then — on the IDD's own core —
 * the native driver, the software bridge and netback handle it and copy it into the destination VM's ring (netfront).
 * Packet-level QoS exists only in software here, *after* the packet was received: "the decision to drop an incoming
 * packet is taken after the device has received the packet". Transmit is the mirror: netfront posts to netback,
 * which bridges and hands the packet to the physical NIC. Towards VMs, netback speaks the same ring protocol as a
 * NIC (ring.deposit / virq in, rx.refill / irq.unmask / tx.post out), so the VM driver machine serves as netfront.
 */
import { setup } from 'xstate';
import { probe, send, work, type Output } from '../src/network/outputs.js';
import { does, labels, type Effected } from './effect.js';
import { patcher } from './record.js';
import type { Packet } from './packet.js';
import { conforms, refillBy, refillTo, take, type Bucket } from './token-bucket.js';

/** One VM's port on the driver domain's bridge: its MACs, software rate limit and netfront ring credits. */
export interface Port {
  readonly vm: string;
  readonly macs: readonly number[];
  /** Software rate limit (netfilter-style), applied after reception. rate 0: unlimited. */
  readonly bucket: Bucket;
  /** Free descriptors in the VM's netfront Rx ring. */
  readonly credits: number;
  readonly notifyMasked: boolean;
}

/** The driver domain's state: its device, the bridge ports, its own Rx ring, the transmit backlog, what its core runs. */
export interface IddContext {
  readonly self: string;
  /** The NIC (or vNIC slot, in the mixed architecture) this driver domain drives. */
  readonly device: string;
  readonly slot: number;
  readonly ports: readonly Port[];
  /** Packets the physical NIC DMA'd into the IDD's Rx ring. */
  readonly ring: readonly Packet[];
  /** Packets netfronts posted for transmission, waiting for netback. */
  readonly txBacklog: readonly { readonly from: string; readonly packet: Packet }[];
  /** What the IDD's core is working on: '' idle. */
  readonly current: '' | 'rx' | 'tx';
  readonly vmRing: number;
}

/** What the driver domain is built with: its id, the device it may be bound to at boot, the VMs' ring size. */
export interface IddInput {
  readonly self: string;
  /** Bound at boot to the physical NIC in the Xen baseline; bound by the VMM to a vNIC in the mixed architecture. */
  readonly device?: { readonly id: string; readonly slot: number };
  readonly vmRing: number;
}

/** The driver domain's events: its device's deposits and interrupts, netfront's requests, bridge changes, CPU work done. */
export type IddEvent =
  | { readonly type: 'ring.deposit'; readonly packet: Packet; readonly slot: number }
  | { readonly type: 'virq'; readonly vector: number }
  | { readonly type: 'tx.post'; readonly slot: number; readonly from: string; readonly packet: Packet }
  /** The driver returns Rx descriptors; `unmask` also re-enables its interrupt (one register write). */
  | { readonly type: 'rx.refill'; readonly slot: number; readonly from: string; readonly count: number; readonly unmask?: boolean }
  | { readonly type: 'irq.unmask'; readonly slot: number; readonly from: string }
  | { readonly type: 'rx.occupied'; readonly slot: number; readonly from: string; readonly count: number }
  | { readonly type: 'work.done'; readonly nowNs: number }
  | { readonly type: 'bridge.add'; readonly vm: string; readonly macs: readonly number[]; readonly rate: number; readonly burst: number }
  | { readonly type: 'bridge.remove'; readonly vm: string }
  | { readonly type: 'clock.tick'; readonly dtNs: number }
  | { readonly type: 'driver.bind'; readonly device: string; readonly slot: number }
  | { readonly type: 'driver.unbind' };

type Ev<T extends IddEvent['type']> = Extract<IddEvent, { type: T }>;

/** Why the driver domain dropped a packet in software, after the device had received it. */
export type SoftwareDropReason = 'unknown-destination' | 'rate-exceeded' | 'vm-ring-full';

const patch = patcher<IddContext>({ self: true, device: true, slot: true, ports: true, ring: true, txBacklog: true, current: true, vmRing: true });
const patchPort = patcher<Port>({ vm: true, macs: true, bucket: true, credits: true, notifyMasked: true });

const RX_DEMAND = ['idd.driverRx', 'idd.bridge', 'idd.netbackRx'] as const;
const TX_DEMAND = ['idd.netbackTx', 'idd.bridge', 'idd.driverTx'] as const;
/** Every calibration key the driver domain asks a price for. */
export const IDD_DEMAND_KEYS: readonly string[] = [...new Set([...RX_DEMAND, ...TX_DEMAND])];

const portOf = (c: IddContext, vm: string): number => c.ports.findIndex((p) => p.vm === vm);
const portForMac = (c: IddContext, mac: number): number => c.ports.findIndex((p) => p.macs.includes(mac));

function withPort(c: IddContext, i: number, p: Port): IddContext {
  const ports = c.ports.slice();
  ports[i] = p;
  return patch(c, { ports });
}

/** Pick the next job for the IDD's core, alternating between receive and transmit when both wait. */
function next(c: IddContext, last: '' | 'rx' | 'tx', out: Output[]): IddContext {
  const rx = c.ring.length > 0;
  const tx = c.txBacklog.length > 0;
  const dir = rx && tx ? (last === 'rx' ? 'tx' : 'rx') : rx ? 'rx' : tx ? 'tx' : '';
  if (dir === 'rx') out.push(work(RX_DEMAND, { type: 'work.done', nowNs: 0 }));
  else if (dir === 'tx') out.push(work(TX_DEMAND, { type: 'work.done', nowNs: 0 }));
  else if (c.device !== '') out.push(send(c.device, { type: 'irq.unmask', slot: c.slot, from: c.self }));
  return dir === c.current ? c : patch(c, { current: dir });
}

const deposit = (c: IddContext, e: Ev<'ring.deposit'>): Effected<IddContext> => ({ context: patch(c, { ring: [...c.ring, e.packet] }), out: [] });

/** Which component took a virtual interrupt on which vector (msi-routing judges it against the vector's owner). */
const interrupted = (c: IddContext, e: Ev<'virq'>): Output => probe('virq.received', { vm: c.self, vector: e.vector });

function wake(c: IddContext, e: Ev<'virq'>): Effected<IddContext> {
  const out: Output[] = [interrupted(c, e)];
  return { context: next(c, '', out), out };
}

function acceptTx(c: IddContext, e: Ev<'tx.post'>): Effected<IddContext> {
  // netfront's transmit ring holds as many requests as its receive ring: a full one drops.
  if (c.txBacklog.filter((t) => t.from === e.from).length >= c.vmRing) {
    return { context: c, out: [probe('tx.dropped', { packet: e.packet, reason: 'tx-ring-full', slot: -1 })] };
  }
  const out: Output[] = [];
  const queued = patch(c, { txBacklog: [...c.txBacklog, { from: e.from, packet: e.packet }] });
  return { context: c.current === '' ? next(queued, '', out) : queued, out };
}

/** Driver + bridge + netback for one received packet, then software QoS, then the copy into the VM. */
function bridgeRx(c: IddContext, e: Ev<'work.done'>): Effected<IddContext> {
  const packet = c.ring[0]!;
  let ctx = patch(c, { ring: c.ring.slice(1) });
  const out: Output[] = c.device === '' ? [] : [send(c.device, { type: 'rx.refill', slot: c.slot, from: c.self, count: 1 })];
  const i = portForMac(ctx, packet.dst);
  const drop = (reason: SoftwareDropReason, vm: string) => out.push(probe('rx.dropped', { packet, reason, slot: -1, vm }));
  if (i < 0) drop('unknown-destination', '');
  else {
    const port = ctx.ports[i]!;
    const bucket = port.bucket.rate > 0 ? refillTo(port.bucket, e.nowNs) : port.bucket;
    if (port.bucket.rate > 0 && !conforms(bucket, packet.size)) {
      drop('rate-exceeded', port.vm);
      ctx = withPort(ctx, i, patchPort(port, { bucket }));
    } else if (port.credits === 0) drop('vm-ring-full', port.vm);
    else {
      out.push(probe('dma.write', { packet, slot: -1, vm: port.vm }), send(port.vm, { type: 'ring.deposit', packet, slot: -1 }));
      let p = patchPort(port, { bucket: port.bucket.rate > 0 ? take(bucket, packet.size) : bucket, credits: port.credits - 1 });
      if (!p.notifyMasked) {
        out.push(send(port.vm, { type: 'virq', vector: -1 }));
        p = patchPort(p, { notifyMasked: true });
      }
      ctx = withPort(ctx, i, p);
    }
  }
  return { context: next(ctx, 'rx', out), out };
}

function bridgeTx(c: IddContext): Effected<IddContext> {
  const { packet } = c.txBacklog[0]!;
  const out: Output[] =
    c.device === '' ? [probe('tx.dropped', { packet, reason: 'no-device', slot: -1 })] : [send(c.device, { type: 'tx.post', slot: c.slot, from: c.self, packet })];
  return { context: next(patch(c, { txBacklog: c.txBacklog.slice(1) }), 'tx', out), out };
}

const refillPort = (c: IddContext, e: Ev<'rx.refill'>): Effected<IddContext> => {
  const i = portOf(c, e.from);
  const p = c.ports[i]!;
  return { context: withPort(c, i, patchPort(p, { credits: p.credits + e.count, notifyMasked: e.unmask === true ? false : p.notifyMasked })), out: [] };
};

const withholdPort = (c: IddContext, e: Ev<'rx.occupied'>): Effected<IddContext> => {
  const i = portOf(c, e.from);
  const p = c.ports[i]!;
  return { context: withPort(c, i, patchPort(p, { credits: Math.max(0, p.credits - e.count) })), out: [] };
};

const unmaskPort = (c: IddContext, e: Ev<'irq.unmask'>): Effected<IddContext> => {
  const i = portOf(c, e.from);
  return { context: withPort(c, i, patchPort(c.ports[i]!, { notifyMasked: false })), out: [] };
};

const stale = (c: IddContext, e: Ev<'tx.post' | 'rx.refill' | 'irq.unmask' | 'rx.occupied'>): Effected<IddContext> => ({
  context: c,
  out: [probe('idd.stale-write', { from: e.from, event: e.type, ...(e.type === 'tx.post' ? { packet: e.packet } : {}) })],
});

const addPort = (c: IddContext, e: Ev<'bridge.add'>): Effected<IddContext> => ({
  context: patch(c, {
    ports: [...c.ports, { vm: e.vm, macs: e.macs, bucket: { rate: e.rate, burst: e.burst, tokens: e.burst, lastNs: 0 }, credits: c.vmRing, notifyMasked: false }],
  }),
  out: [probe('idd.port-added', { vm: e.vm })],
});

const removePort = (c: IddContext, e: Ev<'bridge.remove'>): Effected<IddContext> => ({
  context: patch(c, { ports: c.ports.filter((p) => p.vm !== e.vm) }),
  out: [probe('idd.port-removed', { vm: e.vm })],
});

const tick = (c: IddContext, e: Ev<'clock.tick'>): Effected<IddContext> => ({
  context: patch(c, { ports: c.ports.map((p) => (p.bucket.rate > 0 ? patchPort(p, { bucket: refillBy(p.bucket, e.dtNs) }) : p)) }),
  out: [],
});

const bind = (c: IddContext, e: Ev<'driver.bind'>): Effected<IddContext> => ({ context: patch(c, { device: e.device, slot: e.slot }), out: [] });
const unbind = (c: IddContext): Effected<IddContext> => ({ context: patch(c, { device: '', slot: -1 }), out: [] });

/** Busy: the interrupt changes nothing, but it was taken. */
const alreadyBusy = (c: IddContext, e: Ev<'virq'>): Effected<IddContext> => ({ context: c, out: [interrupted(c, e)] });

/**
 * The Xen driver domain (§1–3 baseline): native driver, software bridge and netback on its own core, with QoS
 * applied in software only after a packet was received.
 */
export const driverDomainMachine = setup({
  types: { context: {} as IddContext, events: {} as IddEvent, input: {} as IddInput },
  guards: {
    hasWork: ({ context }) => context.ring.length > 0 || context.txBacklog.length > 0,
    busyWithRx: ({ context }) => context.current === 'rx',
    busyWithTx: ({ context }) => context.current === 'tx',
    fromPort: ({ context, event }) => portOf(context, (event as Ev<'tx.post'>).from) >= 0,
  },
  actions: labels('deposit', 'wake', 'acceptTx', 'bridgeRx', 'bridgeTx', 'refillPort', 'withholdPort', 'unmaskPort', 'stale', 'addPort', 'removePort', 'tick', 'alreadyBusy', 'bind', 'unbind'),
}).createMachine({
  id: 'idd',
  context: ({ input }) => ({
    self: input.self,
    device: input.device?.id ?? '',
    slot: input.device?.slot ?? -1,
    ports: [],
    ring: [],
    txBacklog: [],
    current: '',
    vmRing: input.vmRing,
  }),
  initial: 'running',
  states: {
    running: {
      on: {
        'ring.deposit': { actions: does('deposit', deposit) },
        virq: [
          { guard: 'busyWithRx', actions: does('alreadyBusy', alreadyBusy) },
          { guard: 'busyWithTx', actions: does('alreadyBusy', alreadyBusy) },
          { actions: does('wake', wake) },
        ],
        'work.done': [
          { guard: 'busyWithRx', actions: does('bridgeRx', bridgeRx) },
          { guard: 'busyWithTx', actions: does('bridgeTx', bridgeTx) },
        ],
        'tx.post': [{ guard: 'fromPort', actions: does('acceptTx', acceptTx) }, { actions: does('stale', stale) }],
        'rx.refill': [{ guard: 'fromPort', actions: does('refillPort', refillPort) }, { actions: does('stale', stale) }],
        'irq.unmask': [{ guard: 'fromPort', actions: does('unmaskPort', unmaskPort) }, { actions: does('stale', stale) }],
        'rx.occupied': [{ guard: 'fromPort', actions: does('withholdPort', withholdPort) }, { actions: does('stale', stale) }],
        'bridge.add': { actions: does('addPort', addPort) },
        'bridge.remove': { actions: does('removePort', removePort) },
        'clock.tick': { actions: does('tick', tick) },
        'driver.bind': { actions: does('bind', bind) },
        'driver.unbind': { actions: does('unbind', unbind) },
      },
    },
  },
});
