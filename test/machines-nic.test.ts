/**
 * The vNIC NIC (spec/nic-vnic.ts, paper §3.1–3.2, Fig. 3/4): its classifier, vNICs, DMA engine and transmit path,
 * composed as in the system and driven from outside (test/nic-harness.ts) through the compiled stepper.
 *
 * One block of scenarios per NicEvent type (what the NIC takes from outside), chosen by an exhaustive ts-pattern
 * match: adding an event type to NicEvent without scenarios here is a compile error (both in `samples` and in
 * `scenarios`). Then invariants over random event sequences (properties/arbitraries.ts), including that the parts
 * agree with each other: the classifier's table and the DMA engine's channel table say what the vNICs say.
 */
import fc from 'fast-check';
import { match } from 'ts-pattern';
import { describe, expect, it } from 'vitest';
import { arbNicScript, arbRxArrivals, probesOf, sendsOf } from '../properties/arbitraries.js';
import type { NicEvent, NicInput, VnicQos } from '../spec/nic-vnic.js';
import { macOfVm, type Packet } from '../spec/packet.js';
import { freeVnic } from '../spec/vnic.js';
import type { Output } from '../src/network/outputs.js';
import { NicHarness } from './nic-harness.js';
import { scenarioBlocks, type Scenario } from './scenarios.js';

// ---------------------------------------------------------------- fixtures

const TIMING = { dmaSetupNs: 100, dmaNsPerByte: 1, wireNsPerByte: 8 };
const input = (over: Partial<NicInput> = {}): NicInput => ({ slots: 3, arbiter: 'strict', quantum: 1500, timing: TIMING, waitCap: 100, ...over });
const qos = (over: Partial<VnicQos> = {}): VnicQos => ({ rate: 1e9, burst: 1 << 20, capacity: 1 << 16, priority: 0, weight: 1, ...over });
const vmName = (vm: number): string => `vm${vm}`;

/** vnic.setup of VM `vm` (MAC macOfVm(vm)) on `slot`, vector = slot. */
const setupEv = (slot: number, vm: number, q: Partial<VnicQos> = {}, rings: { rx?: number; tx?: number } = {}): NicEvent => ({
  type: 'vnic.setup',
  slot,
  vm: vmName(vm),
  macs: [macOfVm(vm)],
  vector: slot,
  qos: qos(q),
  rxRing: rings.rx ?? 16,
  txRing: rings.tx ?? 4,
});

let nextId = 1;
const pkt = (dstVm: number, size = 100, kind: Packet['kind'] = 'request'): Packet => ({
  id: nextId++,
  dst: dstVm < 0 ? 0x100 : macOfVm(dstVm),
  src: 0x1000,
  size,
  bornNs: 0,
  kind,
  stream: 0,
});
const arrive = (packet: Packet, nowNs = 0): NicEvent => ({ type: 'rx.arrive', packet, nowNs });
const DMA_DONE: NicEvent = { type: 'dma.done' };
const TX_DONE: NicEvent = { type: 'tx.done' };

function nic(over: Partial<NicInput> = {}, ...setups: NicEvent[]): NicHarness {
  const d = new NicHarness(input(over));
  d.run(setups);
  return d;
}

const rejected = (outs: readonly Output[]) => probesOf(outs, 'rx.rejected').map((p) => p.data['reason']);
const deposits = (outs: readonly Output[]) => sendsOf<{ type: 'ring.deposit'; packet: Packet; slot: number }>(outs, undefined, 'ring.deposit');
const msis = (outs: readonly Output[]) => sendsOf<{ type: 'msi'; vector: number }>(outs, 'vmm', 'msi').map((s) => s.event.vector);
const dmaKicks = (outs: readonly Output[]) => sendsOf(outs, 'dma', 'dma.done');

/** Completes DMAs until the engine is idle; the VM each transfer landed in, in order. */
function drainDma(d: NicHarness, max = 100): { vm: string; size: number }[] {
  const order: { vm: string; size: number }[] = [];
  for (let i = 0; i < max && d.dmaSlot >= 0; i++) {
    for (const s of deposits(d.step(DMA_DONE))) order.push({ vm: s.to, size: s.event.packet.size });
  }
  return order;
}

// ---------------------------------------------------------------- one scenario list per event type

const samples: { readonly [K in NicEvent['type']]: Extract<NicEvent, { type: K }> } = {
  'rx.arrive': { type: 'rx.arrive', packet: pkt(0), nowNs: 0 },
  'clock.tick': { type: 'clock.tick', dtNs: 1 },
  'dma.done': { type: 'dma.done' },
  'tx.post': { type: 'tx.post', slot: 0, from: 'vm0', packet: pkt(0) },
  'tx.done': { type: 'tx.done' },
  'rx.refill': { type: 'rx.refill', slot: 0, from: 'vm0', count: 1 },
  'irq.unmask': { type: 'irq.unmask', slot: 0, from: 'vm0' },
  'rx.occupied': { type: 'rx.occupied', slot: 0, from: 'vm0', count: 1 },
  'vnic.setup': { type: 'vnic.setup', slot: 0, vm: 'vm0', macs: [1], vector: 0, qos: qos(), rxRing: 1, txRing: 1 },
  'vnic.teardown': { type: 'vnic.teardown', slot: 0 },
  'vnic.resize': { type: 'vnic.resize', slot: 0, capacity: 1 },
  'vnic.macs': { type: 'vnic.macs', slot: 0, macs: [] },
};

function scenarios(event: NicEvent): readonly Scenario[] {
  return match(event)
    .with({ type: 'rx.arrive' }, (): Scenario[] => [
      {
        name: 'unknown destination MAC is rejected at the device (unknown-destination), nothing changes',
        run: () => {
          const d = nic({}, setupEv(0, 0));
          const before = d.states;
          const out = d.step(arrive(pkt(-1)));
          expect(probesOf(out, 'rx.rejected').map((p) => p.data)).toMatchObject([{ reason: 'unknown-destination', slot: -1, blockers: [] }]);
          expect(d.states).toStrictEqual(before);
          expect(dmaKicks(out)).toEqual([]);
        },
      },
      {
        name: 'beyond the token bucket → rate-exceeded, blamed on the vNIC itself; admitted again after refill by time',
        run: () => {
          // 1000 B/s, burst 1000: the second 600-byte packet at the same instant does not conform.
          const d = nic({}, setupEv(0, 0, { rate: 1000, burst: 1000 }));
          expect(rejected(d.step(arrive(pkt(0, 600), 0)))).toEqual([]);
          const out = d.step(arrive(pkt(0, 600), 0));
          expect(probesOf(out, 'rx.rejected').map((p) => p.data)).toMatchObject([{ reason: 'rate-exceeded', slot: 0, blockers: [macOfVm(0)] }]);
          expect(d.vnic(0).queue).toHaveLength(1);
          // Still short 0.1 s later (400 + 100 tokens), fine after 0.2 s more.
          expect(rejected(d.step(arrive(pkt(0, 600), 100_000_000)))).toEqual(['rate-exceeded']);
          const later = d.step(arrive(pkt(0, 600), 300_000_000));
          expect(rejected(later)).toEqual([]);
          expect(probesOf(later, 'rx.admitted')).toHaveLength(1);
        },
      },
      {
        name: 'beyond the token bucket → admitted again after clock.tick refills it',
        run: () => {
          const d = nic({}, setupEv(0, 0, { rate: 1000, burst: 1000 }));
          d.step(arrive(pkt(0, 600)));
          expect(rejected(d.step(arrive(pkt(0, 600))))).toEqual(['rate-exceeded']);
          d.step({ type: 'clock.tick', dtNs: 200_000_000 });
          expect(rejected(d.step(arrive(pkt(0, 600))))).toEqual([]);
        },
      },
      {
        name: 'a full partition → partition-full; another vNIC is unaffected (isolation at the device)',
        run: () => {
          // No Rx descriptors: nothing drains, the partition of 1000 bytes holds one 600-byte packet.
          const d = nic({}, setupEv(0, 0, { capacity: 1000 }, { rx: 0 }), setupEv(1, 1, { capacity: 1000 }, { rx: 0 }));
          d.step(arrive(pkt(0, 600)));
          const out = d.step(arrive(pkt(0, 600)));
          expect(probesOf(out, 'rx.rejected').map((p) => p.data)).toMatchObject([{ reason: 'partition-full', slot: 0, blockers: [macOfVm(0)] }]);
          expect(rejected(d.step(arrive(pkt(1, 600))))).toEqual([]);
          expect(d.vnic(1).queue).toHaveLength(1);
        },
      },
      {
        name: "an admitted packet is buffered in its own vNIC's partition only, and starts the DMA",
        run: () => {
          const d = nic({}, setupEv(0, 0), setupEv(1, 1), setupEv(2, 2));
          const before = d.vnics();
          const p = pkt(1, 700);
          const out = d.step(arrive(p));
          expect(probesOf(out, 'rx.admitted').map((x) => x.data)).toStrictEqual([{ packet: p, slot: 1, vm: 'vm1' }]);
          expect(d.vnic(1).queue).toStrictEqual([p]);
          expect(d.vnic(1).used).toBe(700);
          expect(d.vnic(0)).toBe(before[0]);
          expect(d.vnic(2)).toBe(before[2]);
          expect(dmaKicks(out).map((s) => s.delay)).toEqual([100 + 700]);
          expect(d.dmaSlot).toBe(1);
        },
      },
    ])
    .with({ type: 'clock.tick' }, (): Scenario[] => [
      {
        name: 'earns tokens for active buckets only, up to the burst, without moving lastNs',
        run: () => {
          const d = nic({}, setupEv(0, 0, { rate: 1000, burst: 1000 }));
          d.step(arrive(pkt(0, 1000), 5));
          expect(d.vnic(0).bucket.tokens).toBe(0);
          d.step({ type: 'clock.tick', dtNs: 500_000_000 });
          expect(d.vnic(0).bucket).toStrictEqual({ rate: 1000, burst: 1000, tokens: 500, lastNs: 5 });
          d.step({ type: 'clock.tick', dtNs: 5e9 });
          expect(d.vnic(0).bucket.tokens).toBe(1000);
          expect([d.vnic(1), d.vnic(2)]).toStrictEqual([freeVnic(1), freeVnic(2)]);
        },
      },
    ])
    .with({ type: 'dma.done' }, (): Scenario[] => [
      {
        name: 'not enabled while the DMA engine is idle',
        run: () => {
          expect(nic({}, setupEv(0, 0)).tryStep(DMA_DONE)).toBeUndefined();
        },
      },
      {
        name: "completes into the vNIC's own VM (ring.deposit), raises its MSI to the VMM once until unmasked",
        run: () => {
          const d = nic({}, setupEv(0, 0), setupEv(2, 1));
          const a = pkt(1);
          const b = pkt(1);
          const c = pkt(1);
          d.run([arrive(a), arrive(b), arrive(c)]);
          const first = d.step(DMA_DONE);
          expect(deposits(first).map((s) => [s.to, s.event])).toStrictEqual([['vm1', { type: 'ring.deposit', packet: a, slot: 2 }]]);
          expect(probesOf(first, 'dma.write').map((p) => p.data)).toStrictEqual([{ packet: a, slot: 2, vm: 'vm1' }]);
          expect(msis(first)).toEqual([2]);
          expect(dmaKicks(first)).toHaveLength(1); // the next transfer starts at once
          const second = d.step(DMA_DONE);
          expect(deposits(second).map((s) => s.to)).toEqual(['vm1']);
          expect(msis(second)).toEqual([]); // moderated: masked until the driver unmasks
          d.step({ type: 'irq.unmask', slot: 2, from: 'vm1' });
          expect(msis(d.step(DMA_DONE))).toEqual([2]);
          expect(d.vnic(2).rxCredits).toBe(16 - 3);
        },
      },
      {
        name: 'waits for Rx descriptors: with none left, the packet stays buffered',
        run: () => {
          const d = nic({}, setupEv(0, 0, {}, { rx: 1 }));
          d.run([arrive(pkt(0)), arrive(pkt(0))]);
          expect(dmaKicks(d.step(DMA_DONE))).toEqual([]);
          expect(d.dmaSlot).toBe(-1);
          expect(d.vnic(0).queue).toHaveLength(1);
        },
      },
      {
        name: 'arbiter strict: the higher priority vNIC gets every transfer while it has packets',
        run: () => {
          const d = nic({ arbiter: 'strict' }, setupEv(0, 0, { priority: 0 }), setupEv(1, 1, { priority: 2 }));
          d.step(arrive(pkt(0))); // vm0 gets the idle engine
          for (let i = 0; i < 3; i++) d.run([arrive(pkt(0)), arrive(pkt(1))]);
          expect(drainDma(d).map((x) => x.vm)).toEqual(['vm0', 'vm1', 'vm1', 'vm1', 'vm0', 'vm0', 'vm0']);
        },
      },
      {
        name: 'arbiter wrr: packets alternate in proportion to the weights (2:1)',
        run: () => {
          const d = nic({ arbiter: 'wrr' }, setupEv(0, 0, { weight: 2 }), setupEv(1, 1, { weight: 1 }));
          d.step(arrive(pkt(0)));
          for (let i = 0; i < 5; i++) d.run([arrive(pkt(0)), arrive(pkt(1))]);
          expect(drainDma(d).slice(0, 9).map((x) => x.vm)).toEqual(['vm0', 'vm0', 'vm1', 'vm0', 'vm0', 'vm1', 'vm0', 'vm0', 'vm1']);
        },
      },
      {
        name: 'arbiter drr: bytes, not packets, are shared by weight (1500-byte vs 500-byte packets)',
        run: () => {
          const d = nic({ arbiter: 'drr', quantum: 1500 }, setupEv(0, 0), setupEv(1, 1));
          d.step(arrive(pkt(0, 1500)));
          for (let i = 0; i < 3; i++) d.step(arrive(pkt(0, 1500)));
          for (let i = 0; i < 9; i++) d.step(arrive(pkt(1, 500)));
          const order = drainDma(d);
          expect(order.slice(0, 9).map((x) => x.vm)).toEqual(['vm0', 'vm1', 'vm1', 'vm1', 'vm0', 'vm1', 'vm1', 'vm1', 'vm0']);
          const bytes = (vm: string) => order.slice(1, 9).filter((x) => x.vm === vm).reduce((s, x) => s + x.size, 0);
          expect(bytes('vm0')).toBe(3000);
          expect(bytes('vm1')).toBe(3000);
        },
      },
    ])
    .with({ type: 'tx.post' }, (): Scenario[] => [
      {
        name: 'the owner posts: queued for the wire, the first one starts transmitting (tx.done after wire time)',
        run: () => {
          const d = nic({}, setupEv(0, 0));
          const p = pkt(-1, 100, 'reply');
          const out = d.step({ type: 'tx.post', slot: 0, from: 'vm0', packet: p });
          expect(probesOf(out, 'tx.posted').map((x) => x.data)).toStrictEqual([{ packet: p, slot: 0, vm: 'vm0' }]);
          expect(sendsOf(out, 'tx', 'tx.done').map((s) => s.delay)).toEqual([800]);
          expect(d.vnic(0).txUsed).toBe(1);
          // Only the head is on the wire: the second post does not start another transmission.
          expect(sendsOf(d.step({ type: 'tx.post', slot: 0, from: 'vm0', packet: pkt(-1, 100, 'reply') }), 'tx', 'tx.done')).toEqual([]);
        },
      },
      {
        name: "a non-owner's post is ignored (nic.stale-write), as is a post to a free slot",
        run: () => {
          const d = nic({}, setupEv(0, 0));
          const before = d.states;
          const p = pkt(-1, 100, 'reply');
          const out = d.step({ type: 'tx.post', slot: 0, from: 'vm1', packet: p });
          expect(probesOf(out, 'nic.stale-write').map((x) => x.data)).toStrictEqual([{ slot: 0, from: 'vm1', event: 'tx.post', packet: p }]);
          expect(probesOf(d.step({ type: 'tx.post', slot: 1, from: 'vm1', packet: p }), 'nic.stale-write')).toHaveLength(1);
          expect(d.states).toStrictEqual(before);
        },
      },
      {
        name: 'a full Tx ring drops the packet (tx-ring-full)',
        run: () => {
          const d = nic({}, setupEv(0, 0, {}, { tx: 1 }));
          d.step({ type: 'tx.post', slot: 0, from: 'vm0', packet: pkt(-1, 100, 'reply') });
          const out = d.step({ type: 'tx.post', slot: 0, from: 'vm0', packet: pkt(-1, 100, 'reply') });
          expect(probesOf(out, 'tx.dropped').map((x) => x.data['reason'])).toEqual(['tx-ring-full']);
          expect(d.tx.queue).toHaveLength(1);
        },
      },
    ])
    .with({ type: 'tx.done' }, (): Scenario[] => [
      {
        name: 'not enabled with nothing on the wire',
        run: () => {
          expect(nic({}, setupEv(0, 0)).tryStep(TX_DONE)).toBeUndefined();
        },
      },
      {
        name: 'the packet leaves (wire.tx), a completion MSI is raised, the next transmit starts',
        run: () => {
          const d = nic({}, setupEv(1, 0));
          const p = pkt(-1, 100, 'reply');
          const q = pkt(-1, 200, 'reply');
          d.run([
            { type: 'tx.post', slot: 1, from: 'vm0', packet: p },
            { type: 'tx.post', slot: 1, from: 'vm0', packet: q },
          ]);
          const out = d.step(TX_DONE);
          expect(sendsOf(out, 'wire').map((s) => s.event)).toStrictEqual([{ type: 'wire.tx', packet: p }]);
          expect(probesOf(out, 'wire.tx')).toHaveLength(1);
          expect(msis(out)).toEqual([1]);
          expect(sendsOf(out, 'tx', 'tx.done').map((s) => s.delay)).toEqual([1600]);
          expect(d.vnic(1).txUsed).toBe(1);
          expect(msis(d.step(TX_DONE))).toEqual([]); // still masked
        },
      },
    ])
    .with({ type: 'rx.refill' }, (): Scenario[] => [
      {
        name: "the owner's refill returns descriptors and restarts a DMA that waited for them",
        run: () => {
          const d = nic({}, setupEv(0, 0, {}, { rx: 0 }));
          d.step(arrive(pkt(0)));
          expect(d.dmaSlot).toBe(-1);
          const out = d.step({ type: 'rx.refill', slot: 0, from: 'vm0', count: 2 });
          expect(dmaKicks(out)).toHaveLength(1);
          expect(d.vnic(0).rxCredits).toBe(2);
        },
      },
      {
        name: 'with unmask: true the same write re-enables the interrupt',
        run: () => {
          const d = nic({}, setupEv(0, 0));
          d.run([arrive(pkt(0)), DMA_DONE]);
          expect(d.vnic(0).irqMasked).toBe(true);
          d.step({ type: 'rx.refill', slot: 0, from: 'vm0', count: 1, unmask: true });
          expect(d.vnic(0).irqMasked).toBe(false);
        },
      },
      {
        name: "a non-owner's refill is ignored (nic.stale-write)",
        run: () => {
          const d = nic({}, setupEv(0, 0, {}, { rx: 0 }));
          d.step(arrive(pkt(0)));
          const before = d.states;
          const out = d.step({ type: 'rx.refill', slot: 0, from: 'vm1', count: 5, unmask: true });
          expect(probesOf(out, 'nic.stale-write').map((p) => p.data)).toStrictEqual([{ slot: 0, from: 'vm1', event: 'rx.refill' }]);
          expect(d.states).toStrictEqual(before);
        },
      },
    ])
    .with({ type: 'irq.unmask' }, (): Scenario[] => [
      {
        name: 'by the owner: the next completion raises the MSI again',
        run: () => {
          const d = nic({}, setupEv(0, 0));
          d.run([arrive(pkt(0)), DMA_DONE, arrive(pkt(0))]);
          d.step({ type: 'irq.unmask', slot: 0, from: 'vm0' });
          expect(msis(d.step(DMA_DONE))).toEqual([0]);
        },
      },
      {
        name: 'by a non-owner: ignored (nic.stale-write), the vector stays masked',
        run: () => {
          const d = nic({}, setupEv(0, 0), setupEv(1, 1));
          d.run([arrive(pkt(0)), DMA_DONE, arrive(pkt(0))]);
          const out = d.step({ type: 'irq.unmask', slot: 0, from: 'vm1' });
          expect(probesOf(out, 'nic.stale-write')).toHaveLength(1);
          expect(msis(d.step(DMA_DONE))).toEqual([]);
        },
      },
    ])
    .with({ type: 'vnic.setup' }, (): Scenario[] => [
      {
        name: 'a free slot becomes an active vNIC with its QoS, rings and vector; its MAC now classifies to it',
        run: () => {
          const d = nic();
          const out = d.step(setupEv(1, 2, { rate: 5000, burst: 700, capacity: 900, priority: 3, weight: 2 }, { rx: 3, tx: 2 }));
          expect(probesOf(out, 'vnic.up').map((p) => p.data)).toStrictEqual([{ slot: 1, vm: 'vm2' }]);
          expect(d.vnicState(1)).toBe('active');
          expect(d.vnic(1)).toMatchObject({
            vm: 'vm2',
            macs: [macOfVm(2)],
            vector: 1,
            bucket: { rate: 5000, burst: 700, tokens: 700, lastNs: 0 },
            capacity: 900,
            priority: 3,
            weight: 2,
            rxCredits: 3,
            txRing: 2,
            used: 0,
            queue: [],
          });
          expect(probesOf(d.step(arrive(pkt(2))), 'rx.admitted')).toHaveLength(1);
        },
      },
      {
        name: 'an active slot is refused (nic.refused); a slot the NIC does not have is no register set at all',
        run: () => {
          const d = nic({}, setupEv(0, 0));
          const before = d.states;
          expect(probesOf(d.step(setupEv(0, 1)), 'nic.refused')).toHaveLength(1);
          expect(d.tryStep(setupEv(7, 1))).toBeUndefined();
          expect(d.states).toStrictEqual(before);
        },
      },
      {
        // Was a spec bug (found here): the VMM reused a slot whose last DMA was still in flight, the NIC refused the
        // set-up and nobody noticed. Now the slot is closing until dma.done, the NIC tells the VMM (vnic.freed) only
        // then, and the VMM gives the slot out again only after that.
        name: 'a slot torn down with DMA in flight is reported free (vnic.freed) only when the DMA ends',
        run: () => {
          const d = nic({}, setupEv(0, 0));
          d.step(arrive(pkt(0))); // DMA in flight on slot 0
          const down = d.step({ type: 'vnic.teardown', slot: 0 });
          expect(sendsOf(down, 'vmm')).toEqual([]);
          expect(probesOf(d.step(setupEv(0, 1)), 'nic.refused')).toHaveLength(1);
          const done = d.step(DMA_DONE);
          expect(sendsOf(done, 'vmm').map((s) => s.event)).toStrictEqual([{ type: 'vnic.freed', slot: 0 }]);
          d.step(setupEv(0, 1));
          expect([d.vnicState(0), d.vnic(0).vm]).toEqual(['active', 'vm1']);
        },
      },
    ])
    .with({ type: 'vnic.teardown' }, (): Scenario[] => [
      {
        name: 'buffered packets are dropped explicitly (rx.dropped teardown), the slot is free, its MAC unknown',
        run: () => {
          const d = nic({}, setupEv(0, 0, {}, { rx: 0 }));
          const a = pkt(0);
          const b = pkt(0);
          d.run([arrive(a), arrive(b)]);
          const out = d.step({ type: 'vnic.teardown', slot: 0 });
          expect(probesOf(out, 'rx.dropped').map((p) => p.data)).toStrictEqual([
            { packet: a, reason: 'teardown', slot: 0 },
            { packet: b, reason: 'teardown', slot: 0 },
          ]);
          expect(probesOf(out, 'vnic.down').map((p) => p.data)).toStrictEqual([{ slot: 0, vm: 'vm0' }]);
          expect(d.vnicState(0)).toBe('free');
          expect(rejected(d.step(arrive(pkt(0))))).toEqual(['unknown-destination']);
          expect(probesOf(d.step({ type: 'rx.refill', slot: 0, from: 'vm0', count: 1 }), 'nic.stale-write')).toHaveLength(1);
        },
      },
      {
        name: 'with its DMA in flight: the transfer completes into no VM (rx.dropped teardown, no deposit, no MSI)',
        run: () => {
          const d = nic({}, setupEv(0, 0));
          const a = pkt(0);
          const b = pkt(0);
          d.run([arrive(a), arrive(b)]);
          const down = d.step({ type: 'vnic.teardown', slot: 0 });
          expect(probesOf(down, 'rx.dropped').map((p) => p.data['packet'])).toStrictEqual([b]);
          expect(d.vnicState(0)).toBe('closing');
          const out = d.step(DMA_DONE);
          expect(deposits(out)).toEqual([]);
          expect(msis(out)).toEqual([]);
          expect(probesOf(out, 'rx.dropped').map((p) => p.data)).toStrictEqual([{ packet: a, reason: 'teardown', slot: 0 }]);
          expect(d.vnicState(0)).toBe('free');
          expect(d.dmaSlot).toBe(-1);
        },
      },
      {
        name: "queued transmits of the slot are flushed (tx.dropped teardown) except the one on the wire; others' stay",
        run: () => {
          const d = nic({}, setupEv(0, 0), setupEv(1, 1));
          const p = (n: number) => ({ ...pkt(-1, 100, 'reply'), id: 1000 + n });
          d.run([
            { type: 'tx.post', slot: 0, from: 'vm0', packet: p(1) },
            { type: 'tx.post', slot: 1, from: 'vm1', packet: p(2) },
            { type: 'tx.post', slot: 0, from: 'vm0', packet: p(3) },
          ]);
          const out = d.step({ type: 'vnic.teardown', slot: 0 });
          expect(probesOf(out, 'tx.dropped').map((x) => x.data)).toStrictEqual([{ packet: p(3), reason: 'teardown', slot: 0 }]);
          expect(d.tx.queue.map((t) => t.packet.id)).toEqual([1001, 1002]);
          const sent = d.step(TX_DONE);
          expect(msis(sent)).toEqual([]); // no completion interrupt for a vNIC that is gone
          expect(sendsOf(sent, 'wire')).toHaveLength(1);
        },
      },
      {
        name: 'a free slot is refused (nic.refused)',
        run: () => {
          expect(probesOf(nic().step({ type: 'vnic.teardown', slot: 2 }), 'nic.refused')).toHaveLength(1);
        },
      },
      {
        // Was a spec bug (found here): the transmit already on the wire at teardown was charged to the slot's next
        // owner. Teardown now detaches it from the slot (slot -1).
        name: "a transmit finishing after its slot was torn down and set up again is not charged to the new owner",
        run: () => {
          const d = nic({}, setupEv(0, 0));
          d.step({ type: 'tx.post', slot: 0, from: 'vm0', packet: pkt(-1, 100, 'reply') });
          d.run([{ type: 'vnic.teardown', slot: 0 }, setupEv(0, 1)]);
          const out = d.step(TX_DONE);
          expect(msis(out)).toEqual([]);
          expect(d.vnic(0).txUsed).toBe(0);
        },
      },
    ])
    .with({ type: 'vnic.resize' }, (): Scenario[] => [
      {
        name: 'below the occupancy: refused, the VMM is told (vnic.resized ok:false, old capacity)',
        run: () => {
          const d = nic({}, setupEv(0, 0, { capacity: 2000 }, { rx: 0 }));
          d.run([arrive(pkt(0, 600)), arrive(pkt(0, 600))]);
          const out = d.step({ type: 'vnic.resize', slot: 0, capacity: 1199 });
          expect(sendsOf(out, 'vmm').map((s) => s.event)).toStrictEqual([{ type: 'vnic.resized', slot: 0, capacity: 2000, ok: false }]);
          expect(d.vnic(0).capacity).toBe(2000);
        },
      },
      {
        name: 'at or above the occupancy: accepted (vnic.resized ok:true) and enforced',
        run: () => {
          const d = nic({}, setupEv(0, 0, { capacity: 2000 }, { rx: 0 }));
          d.run([arrive(pkt(0, 600)), arrive(pkt(0, 600))]);
          const out = d.step({ type: 'vnic.resize', slot: 0, capacity: 1200 });
          expect(sendsOf(out, 'vmm').map((s) => s.event)).toStrictEqual([{ type: 'vnic.resized', slot: 0, capacity: 1200, ok: true }]);
          expect(rejected(d.step(arrive(pkt(0, 1))))).toEqual(['partition-full']);
          d.step({ type: 'vnic.resize', slot: 0, capacity: 5000 });
          expect(rejected(d.step(arrive(pkt(0, 1))))).toEqual([]);
        },
      },
      {
        name: 'a slot that is not active is refused (nic.refused)',
        run: () => {
          expect(probesOf(nic().step({ type: 'vnic.resize', slot: 0, capacity: 10 }), 'nic.refused')).toHaveLength(1);
        },
      },
    ])
    .with({ type: 'vnic.macs' }, (): Scenario[] => [
      {
        name: 'reclassifies: the new MACs reach the vNIC, the old one is unknown; refused on a free slot',
        run: () => {
          const d = nic({}, setupEv(0, 0));
          d.step({ type: 'vnic.macs', slot: 0, macs: [macOfVm(0), macOfVm(5)] });
          expect(probesOf(d.step(arrive(pkt(5))), 'rx.admitted').map((p) => p.data['slot'])).toEqual([0]);
          d.step({ type: 'vnic.macs', slot: 0, macs: [macOfVm(5)] });
          expect(rejected(d.step(arrive(pkt(0))))).toEqual(['unknown-destination']);
          expect(probesOf(d.step({ type: 'vnic.macs', slot: 1, macs: [] }), 'nic.refused')).toHaveLength(1);
        },
      },
    ])
    .with({ type: 'rx.occupied' }, (): Scenario[] => [
      {
        name: 'descriptors still occupied from an earlier attachment are withheld; only the owner may say so',
        run: () => {
          const d = nic({}, setupEv(0, 0, {}, { rx: 4 }));
          d.step({ type: 'rx.occupied', slot: 0, from: 'vm0', count: 3 });
          expect(d.vnic(0).rxCredits).toBe(1);
          expect(probesOf(d.step({ type: 'rx.occupied', slot: 0, from: 'vm9', count: 1 }), 'nic.stale-write')).toHaveLength(1);
          d.step({ type: 'rx.occupied', slot: 0, from: 'vm0', count: 9 });
          expect(d.vnic(0).rxCredits).toBe(0);
        },
      },
    ])
    .exhaustive();
}

scenarioBlocks('vNIC NIC: one scenario block per event type', Object.values(samples), scenarios);

// ---------------------------------------------------------------- invariants over random sequences

/** Packet ids made unique per script (the arbitraries draw them from a small pool). */
function uniqueIds(events: readonly NicEvent[]): NicEvent[] {
  return events.map((e, i) => (e.type === 'rx.arrive' ? { ...e, packet: { ...e.packet, id: 100_000 + i } } : e));
}

describe('vNIC NIC invariants on random event sequences', () => {
  it('partition accounting, work-conserving DMA, isolation, no deposit after teardown, conservation, parts that agree', () => {
    fc.assert(
      fc.property(arbNicScript(), ({ input: inp, events }) => {
        const d = new NicHarness(inp);
        const ownerOf = new Map<number, string>(); // packet id -> VM it was admitted for
        const done = new Set<number>(); // deposited or dropped
        let admitted = 0;
        let finished = 0;
        for (const e of uniqueIds(events)) {
          const out = d.tryStep(e);
          if (out === undefined) continue;
          for (const p of probesOf(out, 'rx.admitted')) {
            ownerOf.set((p.data['packet'] as Packet).id, p.data['vm'] as string);
            admitted++;
          }
          for (const s of deposits(out)) {
            const id = s.event.packet.id;
            // isolation: the data lands in the VM the packet was admitted for, once
            expect(s.to).toBe(ownerOf.get(id));
            expect(done.has(id)).toBe(false);
            done.add(id);
            finished++;
          }
          for (const p of probesOf(out, 'rx.dropped')) {
            const id = (p.data['packet'] as Packet).id;
            expect(done.has(id)).toBe(false);
            done.add(id);
            finished++;
          }
          const vnics = d.vnics();
          const held = vnics.reduce((n, v) => n + v.queue.length, 0);
          expect(admitted).toBe(finished + held); // conservation at the device
          vnics.forEach((v, i) => {
            const status = d.vnicState(i);
            expect(v.used).toBe(v.queue.reduce((s, p) => s + p.size, 0));
            if (status === 'active') expect(v.used).toBeLessThanOrEqual(v.capacity);
            if (status === 'free') expect(v).toStrictEqual(freeVnic(i));
            if (status === 'closing') expect(d.dmaSlot).toBe(i);
            expect(v.dmaInFlight).toBe(d.dmaSlot === i);
            expect(v.rxCredits).toBeGreaterThanOrEqual(0);
            // The parts agree: the classifier routes an active vNIC's MACs to it, and the DMA engine's request line
            // for the channel is what the vNIC has to transfer.
            expect(d.routes[i]).toEqual(status === 'active' ? v.macs : []);
            const requesting = status === 'active' && v.queue.length > 0 && v.rxCredits > 0;
            const ch = d.dma.channels[i]!;
            expect(ch.eligible).toBe(requesting);
            if (requesting) expect([ch.headSize, ch.priority, ch.weight]).toEqual([v.queue[0]!.size, v.priority, v.weight]);
            if (status !== 'active') expect(ch.headWait).toBe(0);
            expect(d.tx.queue.filter((t) => t.slot === i)).toHaveLength(status === 'active' ? v.txUsed : 0);
          });
          // work-conserving: the engine is idle only when no vNIC has a packet and a descriptor
          const eligible = vnics.some((v, i) => v.queue.length > 0 && d.vnicState(i) === 'active' && v.rxCredits > 0);
          if (d.dmaSlot < 0) expect(eligible).toBe(false);
          else expect(vnics[d.dmaSlot]!.queue.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('vNIC bandwidth specification on random arrival streams', () => {
  it('bytes admitted for a vNIC over any window [t1, t2] never exceed burst + rate·(t2 − t1); unknown MACs never admitted', () => {
    fc.assert(
      fc.property(
        arbRxArrivals({ vms: 2, maxLength: 40 }),
        fc.constantFrom(1000, 1e5, 1e6),
        fc.integer({ min: 1, max: 3000 }),
        (arrivals, rate, burst) => {
          const d = nic({}, setupEv(0, 0, { rate, burst, capacity: 1 << 30 }), setupEv(1, 1, { rate, burst, capacity: 1 << 30 }));
          const admitted: { slot: number; at: number; size: number }[] = [];
          for (const a of arrivals) {
            const now = probesOf(d.step(a), 'rx.admitted');
            if (a.packet.dst !== macOfVm(0) && a.packet.dst !== macOfVm(1)) expect(now).toEqual([]);
            for (const p of now) admitted.push({ slot: p.data['slot'] as number, at: a.nowNs, size: a.packet.size });
          }
          for (const slot of [0, 1]) {
            const mine = admitted.filter((x) => x.slot === slot);
            for (let i = 0; i < mine.length; i++) {
              let bytes = 0;
              for (let j = i; j < mine.length; j++) {
                bytes += mine[j]!.size;
                expect(bytes).toBeLessThanOrEqual(burst + (rate * (mine[j]!.at - mine[i]!.at)) / 1e9 + 1e-6);
              }
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
