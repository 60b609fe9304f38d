/**
 * The Xen driver domain (spec/driver-domain.ts, paper §1–3): native driver + software bridge + netback on one core.
 * Packet QoS exists only in software, after reception. One scenario block per IddEvent type through an exhaustive
 * ts-pattern match, then invariants on random sequences.
 */
import fc from 'fast-check';
import { match } from 'ts-pattern';
import { describe, expect, it } from 'vitest';
import { arbIddScript, Driver, probesOf, sendsOf, worksOf } from '../properties/arbitraries.js';
import { driverDomainMachine, type IddContext, type IddEvent, type IddInput } from '../spec/driver-domain.js';
import { macOfVm, type Packet } from '../spec/packet.js';
import { compileMachine } from '../src/machine/index.js';
import type { Output } from '../src/network/outputs.js';
import { scenarioBlocks, type Scenario } from './scenarios.js';

const stepper = compileMachine<IddContext, IddEvent, IddInput>(driverDomainMachine);
const xen = (vmRing = 4): IddInput => ({ self: 'idd', vmRing, device: { id: 'nic', slot: 0 } });
const RX = ['idd.driverRx', 'idd.bridge', 'idd.netbackRx'];
const TX = ['idd.netbackTx', 'idd.bridge', 'idd.driverTx'];

let nextId = 1;
const pkt = (dstVm: number, size = 500, kind: Packet['kind'] = 'request'): Packet => ({
  id: nextId++,
  dst: dstVm < 0 ? 0x100 : macOfVm(dstVm),
  src: 0x1000,
  size,
  bornNs: 0,
  kind,
  stream: 0,
});
const port = (vm: number, rate = 0, burst = 0): IddEvent => ({ type: 'bridge.add', vm: `vm${vm}`, macs: [macOfVm(vm)], rate, burst });
const deposit = (p: Packet): IddEvent => ({ type: 'ring.deposit', packet: p, slot: 0 });
const VIRQ: IddEvent = { type: 'virq', vector: 0 };
const done = (nowNs = 0): IddEvent => ({ type: 'work.done', nowNs });
const post = (vm: number, p: Packet): IddEvent => ({ type: 'tx.post', slot: -1, from: `vm${vm}`, packet: p });

const idd = (inp: IddInput = xen(), ...events: IddEvent[]) => {
  const d = new Driver(stepper, inp);
  d.run(events);
  return d;
};
const dropped = (outs: readonly Output[]) => probesOf(outs, 'rx.dropped').map((p) => [p.data['reason'], p.data['vm']]);
const demand = (outs: readonly Output[]) => worksOf(outs).map((w) => w.demand);

const samples: { readonly [K in IddEvent['type']]: Extract<IddEvent, { type: K }> } = {
  'ring.deposit': { type: 'ring.deposit', packet: pkt(0), slot: 0 },
  virq: { type: 'virq', vector: 0 },
  'tx.post': { type: 'tx.post', slot: -1, from: 'vm0', packet: pkt(0) },
  'rx.refill': { type: 'rx.refill', slot: -1, from: 'vm0', count: 1 },
  'irq.unmask': { type: 'irq.unmask', slot: -1, from: 'vm0' },
  'rx.occupied': { type: 'rx.occupied', slot: -1, from: 'vm0', count: 1 },
  'work.done': { type: 'work.done', nowNs: 0 },
  'bridge.add': { type: 'bridge.add', vm: 'vm0', macs: [1], rate: 0, burst: 0 },
  'bridge.remove': { type: 'bridge.remove', vm: 'vm0' },
  'clock.tick': { type: 'clock.tick', dtNs: 1 },
  'driver.bind': { type: 'driver.bind', device: 'nic', slot: 0 },
  'driver.unbind': { type: 'driver.unbind' },
};

function scenarios(event: IddEvent): readonly Scenario[] {
  return match(event)
    .with({ type: 'ring.deposit' }, (): Scenario[] => [
      {
        name: "the NIC's DMA lands in the driver domain's own ring; nothing runs until the interrupt",
        run: () => {
          const p = pkt(0);
          const d = idd(xen(), port(0));
          expect(d.step(deposit(p))).toEqual([]);
          expect(d.context.ring).toStrictEqual([p]);
          expect(d.context.current).toBe('');
        },
      },
    ])
    .with({ type: 'virq' }, (): Scenario[] => [
      {
        name: 'idle with received packets: CPU work for driver + bridge + netback on the Rx side',
        run: () => {
          const d = idd(xen(), port(0), deposit(pkt(0)));
          expect(demand(d.step(VIRQ))).toStrictEqual([RX]);
          expect(d.context.current).toBe('rx');
        },
      },
      {
        name: 'busy: ignored; idle with nothing to do: re-enables the NIC interrupt',
        run: () => {
          const d = idd(xen(), port(0), deposit(pkt(0)), VIRQ);
          expect(sendsOf(d.step(VIRQ))).toEqual([]);
          expect(d.lastActions).toEqual(['alreadyBusy']);
          expect(sendsOf(idd().step(VIRQ)).map((s) => [s.to, s.event])).toStrictEqual([['nic', { type: 'irq.unmask', slot: 0, from: 'idd' }]]);
        },
      },
    ])
    .with({ type: 'tx.post' }, (): Scenario[] => [
      {
        name: "from a bridged VM's netfront: queued; an idle driver domain starts the Tx work at once",
        run: () => {
          const d = idd(xen(), port(0));
          expect(demand(d.step(post(0, pkt(-1, 100, 'reply'))))).toStrictEqual([TX]);
          expect(d.context.current).toBe('tx');
          expect(demand(d.step(post(0, pkt(-1, 100, 'reply'))))).toEqual([]); // busy: just queued
          expect(d.context.txBacklog).toHaveLength(2);
        },
      },
      {
        name: 'from a VM without a port: ignored (idd.stale-write)',
        run: () => {
          const d = idd(xen(), port(0));
          const before = d.context;
          expect(probesOf(d.step(post(1, pkt(-1))), 'idd.stale-write')).toHaveLength(1);
          expect(d.context).toStrictEqual(before);
        },
      },
    ])
    .with({ type: 'rx.refill' }, (): Scenario[] => [
      {
        name: "returns netfront descriptors to the VM's port; unmask: true also re-arms the notification",
        run: () => {
          const d = idd(xen(1), port(0), deposit(pkt(0)), VIRQ, done());
          expect(d.context.ports[0]).toMatchObject({ credits: 0, notifyMasked: true });
          d.step({ type: 'rx.refill', slot: -1, from: 'vm0', count: 1 });
          expect(d.context.ports[0]).toMatchObject({ credits: 1, notifyMasked: true });
          d.step({ type: 'rx.refill', slot: -1, from: 'vm0', count: 1, unmask: true });
          expect(d.context.ports[0]).toMatchObject({ credits: 2, notifyMasked: false });
        },
      },
      {
        name: 'from a VM without a port: ignored (idd.stale-write)',
        run: () => {
          expect(probesOf(idd(xen(), port(0)).step({ type: 'rx.refill', slot: -1, from: 'vm1', count: 1 }), 'idd.stale-write')).toHaveLength(1);
        },
      },
    ])
    .with({ type: 'irq.unmask' }, (): Scenario[] => [
      {
        name: 'the VM re-arms its notification: the next deposit notifies it again; a stranger is ignored',
        run: () => {
          const d = idd(xen(), port(0), deposit(pkt(0)), deposit(pkt(0)), deposit(pkt(0)), VIRQ, done());
          expect(sendsOf(d.step(done()), 'vm0', 'virq')).toEqual([]); // still masked
          expect(probesOf(d.step({ type: 'irq.unmask', slot: -1, from: 'vm1' }), 'idd.stale-write')).toHaveLength(1);
          d.step({ type: 'irq.unmask', slot: -1, from: 'vm0' });
          expect(sendsOf(d.step(done()), 'vm0', 'virq')).toHaveLength(1);
        },
      },
    ])
    .with({ type: 'work.done' }, (): Scenario[] => [
      {
        name: 'not enabled while idle',
        run: () => {
          expect(idd(xen(), port(0)).tryStep(done())).toBeUndefined();
        },
      },
      {
        name: "Rx: the descriptor goes back to the NIC, netback copies into the VM's ring and notifies it once",
        run: () => {
          const [a, b] = [pkt(1), pkt(1)];
          const d = idd(xen(), port(0), port(1), deposit(a), deposit(b), VIRQ);
          const out = d.step(done());
          expect(sendsOf(out).map((s) => [s.to, s.event])).toStrictEqual([
            ['nic', { type: 'rx.refill', slot: 0, from: 'idd', count: 1 }],
            ['vm1', { type: 'ring.deposit', packet: a, slot: -1 }],
            ['vm1', { type: 'virq', vector: -1 }],
          ]);
          expect(probesOf(out, 'dma.write').map((p) => p.data)).toStrictEqual([{ packet: a, slot: -1, vm: 'vm1' }]);
          expect(demand(out)).toStrictEqual([RX]); // next packet
          const second = d.step(done());
          expect(sendsOf(second, 'vm1').map((s) => s.event.type)).toEqual(['ring.deposit']); // no second notification
          expect(d.context.ports[1]!.credits).toBe(2);
        },
      },
      {
        name: 'software QoS drops happen after reception: the packet was DMA\'d, interrupted on and processed first',
        run: () => {
          // vm0's port: 1000 B/s, burst 500. The second 500-byte packet is over the limit, but it already occupied
          // the NIC, the driver domain's ring and a full Rx work item before the bridge drops it.
          const [a, b] = [pkt(0, 500), pkt(0, 500)];
          const d = idd(xen(), port(0, 1000, 500), deposit(a), deposit(b));
          expect(demand(d.step(VIRQ))).toStrictEqual([RX]);
          expect(dropped(d.step(done()))).toEqual([]);
          const out = d.step(done());
          expect(dropped(out)).toStrictEqual([['rate-exceeded', 'vm0']]);
          expect(sendsOf(out, 'nic', 'rx.refill')).toHaveLength(1); // the NIC had received it
          expect(sendsOf(out, 'vm0')).toEqual([]);
        },
      },
      {
        name: 'software drops: unknown destination (no port) and a full netfront ring (vm-ring-full)',
        run: () => {
          const d = idd(xen(1), port(0), deposit(pkt(-1)), deposit(pkt(0)), deposit(pkt(0)), VIRQ);
          expect(dropped(d.step(done()))).toStrictEqual([['unknown-destination', '']]);
          expect(dropped(d.step(done()))).toEqual([]);
          expect(dropped(d.step(done()))).toStrictEqual([['vm-ring-full', 'vm0']]);
        },
      },
      {
        name: 'Rx and Tx alternate on the one core while both have work',
        run: () => {
          const d = idd(xen(8), port(0), deposit(pkt(0)), deposit(pkt(0)), deposit(pkt(0)), VIRQ);
          d.run([post(0, pkt(-1, 100, 'reply')), post(0, pkt(-1, 100, 'reply'))]);
          const order: string[] = [d.context.current];
          while (d.context.current !== '') {
            d.step(done());
            order.push(d.context.current);
          }
          expect(order).toEqual(['rx', 'tx', 'rx', 'tx', 'rx', '']);
        },
      },
      {
        name: 'Tx: netback + bridge + driver hand the packet to the NIC; unbound, it is dropped (no-device)',
        run: () => {
          const p = pkt(-1, 100, 'reply');
          const d = idd(xen(), port(0), post(0, p));
          const out = d.step(done());
          expect(sendsOf(out, 'nic', 'tx.post').map((s) => s.event)).toStrictEqual([{ type: 'tx.post', slot: 0, from: 'idd', packet: p }]);
          // Nothing left: the NIC interrupt is re-enabled.
          expect(sendsOf(out, 'nic', 'irq.unmask')).toHaveLength(1);
          const u = idd({ self: 'idd', vmRing: 4 }, port(0), post(0, p));
          expect(probesOf(u.step(done()), 'tx.dropped').map((x) => x.data['reason'])).toEqual(['no-device']);
        },
      },
    ])
    .with({ type: 'bridge.add' }, (): Scenario[] => [
      {
        name: "adds a port with the VM's MACs, software rate limit and a full netfront ring",
        run: () => {
          const d = idd(xen(3));
          expect(probesOf(d.step(port(2, 1000, 700)), 'idd.port-added')).toHaveLength(1);
          expect(d.context.ports).toStrictEqual([
            { vm: 'vm2', macs: [macOfVm(2)], bucket: { rate: 1000, burst: 700, tokens: 700, lastNs: 0 }, credits: 3, notifyMasked: false },
          ]);
        },
      },
    ])
    .with({ type: 'bridge.remove' }, (): Scenario[] => [
      {
        name: "removes the VM's port: its packets are now unknown destinations and its writes stale",
        run: () => {
          const d = idd(xen(), port(0), port(1), deposit(pkt(0)), VIRQ);
          expect(probesOf(d.step({ type: 'bridge.remove', vm: 'vm0' }), 'idd.port-removed')).toHaveLength(1);
          expect(d.context.ports.map((p) => p.vm)).toEqual(['vm1']);
          expect(dropped(d.step(done()))).toStrictEqual([['unknown-destination', '']]);
          expect(probesOf(d.step(post(0, pkt(-1))), 'idd.stale-write')).toHaveLength(1);
        },
      },
    ])
    .with({ type: 'clock.tick' }, (): Scenario[] => [
      {
        name: 'refills rate-limited ports up to their burst; unlimited ports are untouched',
        run: () => {
          const d = idd(xen(), port(0, 1000, 500), port(1), deposit(pkt(0, 500)), VIRQ, done());
          expect(d.context.ports[0]!.bucket.tokens).toBe(0);
          d.step({ type: 'clock.tick', dtNs: 2e8 });
          expect(d.context.ports[0]!.bucket.tokens).toBe(200);
          d.step({ type: 'clock.tick', dtNs: 1e10 });
          expect(d.context.ports[0]!.bucket.tokens).toBe(500);
          expect(d.context.ports[1]!.bucket).toStrictEqual({ rate: 0, burst: 0, tokens: 0, lastNs: 0 });
        },
      },
    ])
    .with({ type: 'driver.bind' }, (): Scenario[] => [
      {
        name: '(mixed) the VMM binds the driver domain to its vNIC slot: descriptors and Tx go there',
        run: () => {
          const p = pkt(-1, 100, 'reply');
          const d = idd({ self: 'idd', vmRing: 4 }, port(0), { type: 'driver.bind', device: 'nic', slot: 3 }, post(0, p));
          expect(sendsOf(d.step(done()), 'nic', 'tx.post').map((s) => s.event)).toStrictEqual([{ type: 'tx.post', slot: 3, from: 'idd', packet: p }]);
        },
      },
    ])
    .with({ type: 'driver.unbind' }, (): Scenario[] => [
      {
        name: 'no device: received packets are still bridged, but no descriptor is returned and Tx is dropped',
        run: () => {
          const d = idd(xen(), port(0), deposit(pkt(0)), VIRQ, { type: 'driver.unbind' });
          const out = d.step(done());
          expect(sendsOf(out, 'nic')).toEqual([]);
          expect(sendsOf(out, 'vm0', 'ring.deposit')).toHaveLength(1);
        },
      },
    ])
    .with({ type: 'rx.occupied' }, (): Scenario[] => [
      {
        name: 'descriptors a re-attached netfront still has occupied are withheld from its port (never below zero)',
        run: () => {
          const d = idd(xen(), port(0));
          const before = d.context.ports[0]!.credits;
          d.step({ type: 'rx.occupied', slot: -1, from: 'vm0', count: 2 });
          expect(d.context.ports[0]!.credits).toBe(Math.max(0, before - 2));
          d.step({ type: 'rx.occupied', slot: -1, from: 'vm0', count: 1000 });
          expect(d.context.ports[0]!.credits).toBe(0);
        },
      },
    ])
    .exhaustive();
}

scenarioBlocks('driver domain: one scenario block per event type', Object.values(samples), scenarios);

describe('driver domain invariants on random event sequences', () => {
  it('one job at a time, on work that exists; every Rx job forwards its packet to the port owning its MAC or drops it', () => {
    fc.assert(
      fc.property(arbIddScript(), ({ input: inp, events }) => {
        const d = new Driver(stepper, inp);
        for (const e of events) {
          const ring = d.context.ring;
          const out = d.tryStep(e);
          if (out === undefined) continue;
          expect(worksOf(out).length).toBeLessThanOrEqual(1);
          const c = d.context;
          if (c.current === 'rx') expect(c.ring.length).toBeGreaterThan(0);
          if (c.current === 'tx') expect(c.txBacklog.length).toBeGreaterThan(0);
          if (e.type === 'work.done' && ring !== c.ring) {
            // an Rx job ended: exactly one packet left the ring, forwarded to one VM or dropped in software
            const forwarded = sendsOf<{ type: 'ring.deposit'; packet: Packet; slot: number }>(out, undefined, 'ring.deposit');
            expect(forwarded.length + probesOf(out, 'rx.dropped').length).toBe(1);
            for (const f of forwarded) {
              const owner = c.ports.find((p) => p.vm === f.to);
              expect(owner?.macs).toContain(f.event.packet.dst);
            }
          }
          for (const p of c.ports) expect(p.credits).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 300 },
    );
  });
});
