/**
 * The shared-buffer NIC of the existing architecture (spec/nic-shared.ts, paper §1, §3 "bottlenecks"): one device
 * buffer, one ring, one interrupt, owned by the driver domain (Xen) or the OS (native). One scenario block per
 * SharedNicEvent type through an exhaustive ts-pattern match, then invariants on random sequences.
 */
import fc from 'fast-check';
import { match } from 'ts-pattern';
import { describe, expect, it } from 'vitest';
import { arbSharedNicScript, Driver, probesOf, sendsOf } from '../properties/arbitraries.js';
import type { NicEvent, NicInput } from '../spec/nic-vnic.js';
import { sharedNicMachine, type SharedNicContext, type SharedNicEvent, type SharedNicInput } from '../spec/nic-shared.js';
import { macOfVm, type Packet } from '../spec/packet.js';
import { compileMachine } from '../src/machine/index.js';
import type { Output } from '../src/network/outputs.js';
import { NicHarness } from './nic-harness.js';
import { scenarioBlocks, type Scenario } from './scenarios.js';

const stepper = compileMachine<SharedNicContext, SharedNicEvent, SharedNicInput>(sharedNicMachine);
const TIMING = { dmaSetupNs: 100, dmaNsPerByte: 1, wireNsPerByte: 8 };
const xen = (over: Partial<SharedNicInput> = {}): SharedNicInput => ({ host: 'idd', irqTo: 'vmm', irqEvent: 'msi', capacity: 3000, rxRing: 8, timing: TIMING, ...over });
const native = (over: Partial<SharedNicInput> = {}): SharedNicInput => ({ host: 'os', irqTo: 'os', irqEvent: 'virq', capacity: 3000, rxRing: 8, timing: TIMING, ...over });

let nextId = 1;
const pkt = (dst: number, size = 1000, kind: Packet['kind'] = 'request'): Packet => ({ id: nextId++, dst, src: 0x1000, size, bornNs: 0, kind, stream: 0 });
const arrive = (packet: Packet, nowNs = 0): SharedNicEvent => ({ type: 'rx.arrive', packet, nowNs });
const DMA_DONE: SharedNicEvent = { type: 'dma.done' };

const shared = (inp: SharedNicInput, ...events: SharedNicEvent[]) => {
  const d = new Driver(stepper, inp);
  d.run(events);
  return d;
};
const rejections = (outs: readonly Output[]) => probesOf(outs, 'rx.rejected').map((p) => p.data);
const irqs = (outs: readonly Output[]) => sendsOf(outs).filter((s) => s.event.type === 'msi' || s.event.type === 'virq').map((s) => [s.to, s.event]);

const samples: { readonly [K in SharedNicEvent['type']]: Extract<SharedNicEvent, { type: K }> } = {
  'rx.arrive': { type: 'rx.arrive', packet: pkt(1), nowNs: 0 },
  'dma.done': { type: 'dma.done' },
  'tx.post': { type: 'tx.post', slot: 0, from: 'idd', packet: pkt(1) },
  'tx.done': { type: 'tx.done' },
  'rx.refill': { type: 'rx.refill', slot: 0, from: 'idd', count: 1 },
  'irq.unmask': { type: 'irq.unmask', slot: 0, from: 'idd' },
  'clock.tick': { type: 'clock.tick', dtNs: 1 },
};

function scenarios(event: SharedNicEvent): readonly Scenario[] {
  return match(event)
    .with({ type: 'rx.arrive' }, (): Scenario[] => [
      {
        name: 'anything that fits is admitted for the host, whatever its destination (even MACs no VM owns)',
        run: () => {
          const d = shared(xen({ rxRing: 0 }));
          const p = pkt(0x1ff);
          const out = d.step(arrive(p));
          expect(probesOf(out, 'rx.admitted').map((x) => x.data)).toStrictEqual([{ packet: p, slot: 0, vm: 'idd' }]);
          expect(d.context.buffer).toStrictEqual([p]);
          expect(d.context.used).toBe(1000);
        },
      },
      {
        name: "buffer full → device-buffer-full; blockers are the MACs occupying it: a flooding VM blocks another VM's packet",
        run: () => {
          // The Rx ring is exhausted, so the buffer does not drain: vm0's flood fills it.
          const d = shared(xen({ rxRing: 0, capacity: 3000 }), arrive(pkt(macOfVm(0), 1500, 'flood')), arrive(pkt(macOfVm(0), 1500, 'flood')));
          const victim = pkt(macOfVm(1), 64);
          expect(rejections(d.step(arrive(victim)))).toStrictEqual([{ packet: victim, reason: 'device-buffer-full', slot: 0, blockers: [macOfVm(0)] }]);
          expect(d.context.buffer.map((p) => p.dst)).toEqual([macOfVm(0), macOfVm(0)]);
        },
      },
      {
        name: 'blockers list every MAC in the buffer once, sorted',
        run: () => {
          const d = shared(xen({ rxRing: 0, capacity: 3000 }), ...[3, 1, 3].map((vm) => arrive(pkt(macOfVm(vm), 1000))));
          expect(rejections(d.step(arrive(pkt(macOfVm(2), 1)))).map((r) => r['blockers'])).toStrictEqual([[macOfVm(1), macOfVm(3)]]);
        },
      },
      {
        name: 'contrast: with vNICs the same flood only fills its own partition and the other VM is admitted',
        run: () => {
          const nicInput: NicInput = { slots: 2, arbiter: 'strict', quantum: 1500, timing: TIMING, waitCap: 9 };
          const n = new NicHarness(nicInput);
          const q = { rate: 1e9, burst: 1e6, capacity: 3000, priority: 0, weight: 1 };
          n.run([0, 1].map((i): NicEvent => ({ type: 'vnic.setup', slot: i, vm: `vm${i}`, macs: [macOfVm(i)], vector: i, qos: q, rxRing: 0, txRing: 1 })));
          n.run([0, 1, 2].map(() => ({ type: 'rx.arrive', packet: pkt(macOfVm(0), 1500, 'flood'), nowNs: 0 }) as NicEvent));
          const out = n.step({ type: 'rx.arrive', packet: pkt(macOfVm(1), 64), nowNs: 0 });
          expect(probesOf(out, 'rx.admitted')).toHaveLength(1);
        },
      },
    ])
    .with({ type: 'dma.done' }, (): Scenario[] => [
      {
        name: 'not enabled while no DMA is in flight',
        run: () => {
          expect(shared(xen()).tryStep(DMA_DONE)).toBeUndefined();
        },
      },
      {
        name: 'Xen: deposits into the driver domain, MSI through the VMM once until unmasked, next DMA starts',
        run: () => {
          const a = pkt(macOfVm(0));
          const d = shared(xen(), arrive(a), arrive(pkt(macOfVm(1))));
          const out = d.step(DMA_DONE);
          expect(sendsOf(out, 'idd').map((s) => s.event)).toStrictEqual([{ type: 'ring.deposit', packet: a, slot: 0 }]);
          expect(irqs(out)).toStrictEqual([['vmm', { type: 'msi', vector: 0 }]]);
          expect(sendsOf(out, 'nic', 'dma.done')).toHaveLength(1);
          expect(irqs(d.step(DMA_DONE))).toEqual([]);
          expect(d.context.rxCredits).toBe(6);
        },
      },
      {
        name: 'native: deposits into the OS and interrupts it directly (virq)',
        run: () => {
          const out = shared(native(), arrive(pkt(macOfVm(0)))).step(DMA_DONE);
          expect(sendsOf(out, 'os', 'ring.deposit')).toHaveLength(1);
          expect(irqs(out)).toStrictEqual([['os', { type: 'virq', vector: 0 }]]);
        },
      },
      {
        name: 'waits for Rx descriptors',
        run: () => {
          const d = shared(xen({ rxRing: 1 }), arrive(pkt(1)), arrive(pkt(1)));
          expect(sendsOf(d.step(DMA_DONE), 'nic', 'dma.done')).toEqual([]);
          expect(d.context.dmaBusy).toBe(false);
        },
      },
    ])
    .with({ type: 'tx.post' }, (): Scenario[] => [
      {
        name: 'from the host: queued, the first starts on the wire',
        run: () => {
          const d = shared(xen());
          const out = d.step({ type: 'tx.post', slot: 0, from: 'idd', packet: pkt(0x1000, 100, 'reply') });
          expect(probesOf(out, 'tx.posted')).toHaveLength(1);
          expect(sendsOf(out, 'nic', 'tx.done').map((s) => s.delay)).toEqual([800]);
          expect(sendsOf(d.step({ type: 'tx.post', slot: 0, from: 'idd', packet: pkt(0x1000, 100, 'reply') }), 'nic', 'tx.done')).toEqual([]);
        },
      },
      {
        name: 'from anyone else: ignored (nic.stale-write)',
        run: () => {
          const d = shared(xen());
          const out = d.step({ type: 'tx.post', slot: 0, from: 'vm0', packet: pkt(0x1000, 100, 'reply') });
          expect(probesOf(out, 'nic.stale-write')).toHaveLength(1);
          expect(d.context.tx).toEqual([]);
        },
      },
    ])
    .with({ type: 'tx.done' }, (): Scenario[] => [
      {
        name: 'not enabled with nothing on the wire',
        run: () => {
          expect(shared(xen()).tryStep({ type: 'tx.done' })).toBeUndefined();
        },
      },
      {
        name: 'the packet leaves on the wire, completion interrupt, next one starts',
        run: () => {
          const p = pkt(0x1000, 100, 'reply');
          const d = shared(xen(), { type: 'tx.post', slot: 0, from: 'idd', packet: p }, { type: 'tx.post', slot: 0, from: 'idd', packet: pkt(0x1000, 50, 'reply') });
          const out = d.step({ type: 'tx.done' });
          expect(sendsOf(out, 'wire').map((s) => s.event)).toStrictEqual([{ type: 'wire.tx', packet: p }]);
          expect(irqs(out)).toStrictEqual([['vmm', { type: 'msi', vector: 0 }]]);
          expect(sendsOf(out, 'nic', 'tx.done').map((s) => s.delay)).toEqual([400]);
        },
      },
    ])
    .with({ type: 'rx.refill' }, (): Scenario[] => [
      {
        name: 'from the host: descriptors back, a waiting DMA starts; unmask: true re-enables the interrupt',
        run: () => {
          const d = shared(xen({ rxRing: 0 }), arrive(pkt(1)));
          expect(d.context.dmaBusy).toBe(false);
          expect(sendsOf(d.step({ type: 'rx.refill', slot: 0, from: 'idd', count: 1 }), 'nic', 'dma.done')).toHaveLength(1);
          d.step(DMA_DONE);
          expect(d.context.irqMasked).toBe(true);
          d.step({ type: 'rx.refill', slot: 0, from: 'idd', count: 1, unmask: true });
          expect(d.context.irqMasked).toBe(false);
        },
      },
      {
        name: 'from anyone else: ignored (nic.stale-write)',
        run: () => {
          const d = shared(xen({ rxRing: 0 }), arrive(pkt(1)));
          const before = d.context;
          expect(probesOf(d.step({ type: 'rx.refill', slot: 0, from: 'vm0', count: 4, unmask: true }), 'nic.stale-write')).toHaveLength(1);
          expect(d.context).toStrictEqual(before);
        },
      },
    ])
    .with({ type: 'irq.unmask' }, (): Scenario[] => [
      {
        name: 'from the host: the next completion interrupts again; from anyone else: ignored',
        run: () => {
          const d = shared(native(), arrive(pkt(1)), arrive(pkt(1)), DMA_DONE);
          expect(probesOf(d.step({ type: 'irq.unmask', slot: 0, from: 'vm0' }), 'nic.stale-write')).toHaveLength(1);
          expect(d.context.irqMasked).toBe(true);
          d.step({ type: 'irq.unmask', slot: 0, from: 'os' });
          expect(irqs(d.step(DMA_DONE))).toStrictEqual([['os', { type: 'virq', vector: 0 }]]);
        },
      },
    ])
    .with({ type: 'clock.tick' }, (): Scenario[] => [
      {
        name: 'no bandwidth specification at the device: time passing changes nothing',
        run: () => {
          const d = shared(xen(), arrive(pkt(1)));
          const before = d.context;
          expect(d.step({ type: 'clock.tick', dtNs: 1e9 })).toEqual([]);
          expect(d.context).toStrictEqual(before);
        },
      },
    ])
    .exhaustive();
}

scenarioBlocks('shared NIC: one scenario block per event type', Object.values(samples), scenarios);

describe('shared NIC invariants on random event sequences', () => {
  it('buffer accounting, capacity, DMA only with a packet and a descriptor, conservation', () => {
    fc.assert(
      fc.property(arbSharedNicScript(), ({ input: inp, events }) => {
        const d = new Driver(stepper, inp);
        let admitted = 0;
        let deposited = 0;
        for (const e of events) {
          const out = d.tryStep(e);
          if (out === undefined) continue;
          admitted += probesOf(out, 'rx.admitted').length;
          deposited += sendsOf(out, inp.host, 'ring.deposit').length;
          const c = d.context;
          expect(c.used).toBe(c.buffer.reduce((s, p) => s + p.size, 0));
          expect(c.used).toBeLessThanOrEqual(c.capacity);
          expect(admitted).toBe(deposited + c.buffer.length);
          if (c.dmaBusy) expect(c.buffer.length).toBeGreaterThan(0);
          else expect(c.buffer.length === 0 || c.rxCredits === 0).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
