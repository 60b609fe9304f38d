/**
 * The VM's network driver (spec/vm-driver.ts, paper §3.1 "Accessing virtual-NIC", §3.2 last step): native driver
 * on a vNIC, netfront behind the driver domain, or a non-virtualized OS. One scenario block per VmEvent type through
 * an exhaustive ts-pattern match, then invariants on random sequences.
 */
import fc from 'fast-check';
import { match } from 'ts-pattern';
import { describe, expect, it } from 'vitest';
import { arbVmScript, Driver, probesOf, sendsOf, worksOf } from '../properties/arbitraries.js';
import { macOfVm, replyTo, type Packet } from '../spec/packet.js';
import { vmMachine, type VmContext, type VmEvent, type VmInput } from '../spec/vm-driver.js';
import { compileMachine } from '../src/machine/index.js';
import { probe, type Output } from '../src/network/outputs.js';
import { scenarioBlocks, type Scenario } from './scenarios.js';

const stepper = compileMachine<VmContext, VmEvent, VmInput>(vmMachine);
const input = (over: Partial<VmInput> = {}): VmInput => ({
  self: 'vm0',
  macs: [macOfVm(0)],
  replySize: 200,
  txRate: 0,
  txBurst: 0,
  device: { id: 'nic', slot: 2, mode: 'vnic' },
  ...over,
});
const unbound = (): VmInput => {
  const { device: _, ...rest } = input();
  return rest;
};

let nextId = 1;
const pkt = (kind: Packet['kind'] = 'request', size = 100): Packet => ({ id: nextId++, dst: macOfVm(0), src: 0x1000, size, bornNs: 0, kind, stream: 0 });
const deposit = (packet: Packet): VmEvent => ({ type: 'ring.deposit', packet, slot: 2 });
const VIRQ: VmEvent = { type: 'virq', vector: 2 };
const processedEv = (p: Packet, nowNs = 0): VmEvent => ({ type: 'rx.processed', id: p.id, nowNs });

const vm = (inp: VmInput = input(), ...events: VmEvent[]) => {
  const d = new Driver(stepper, inp);
  d.run(events);
  return d;
};
const sent = (outs: readonly Output[]) => sendsOf(outs).map((s) => [s.to, s.event]);
const work = (outs: readonly Output[]) => worksOf(outs).map((w) => [w.demand, w.then]);

const samples: { readonly [K in VmEvent['type']]: Extract<VmEvent, { type: K }> } = {
  'driver.bind': { type: 'driver.bind', device: 'nic', slot: 0, mode: 'vnic' },
  'driver.unbind': { type: 'driver.unbind' },
  'ring.deposit': { type: 'ring.deposit', packet: pkt(), slot: 0 },
  virq: { type: 'virq', vector: 0 },
  'rx.processed': { type: 'rx.processed', id: 0, nowNs: 0 },
  'clock.tick': { type: 'clock.tick', dtNs: 1 },
};

function scenarios(event: VmEvent): readonly Scenario[] {
  return match(event)
    .with({ type: 'driver.bind' }, (): Scenario[] => [
      {
        name: 'binds to the device, slot and mode the VMM gives (driver.bound); later writes go there',
        run: () => {
          const d = vm(unbound());
          const out = d.step({ type: 'driver.bind', device: 'idd', slot: -1, mode: 'netfront' });
          expect(probesOf(out, 'driver.bound').map((p) => p.data)).toStrictEqual([{ vm: 'vm0', device: 'idd', slot: -1 }]);
          expect(d.context).toMatchObject({ device: 'idd', slot: -1, mode: 'netfront' });
          expect(sent(d.step(VIRQ))).toStrictEqual([['idd', { type: 'irq.unmask', slot: -1, from: 'vm0' }]]);
        },
      },
    ])
    .with({ type: 'driver.unbind' }, (): Scenario[] => [
      {
        name: 'the device goes away; packets already in memory are still processed, replies dropped (no-device)',
        run: () => {
          const p = pkt('request');
          const d = vm(input(), deposit(p), VIRQ, { type: 'driver.unbind' });
          expect(d.context).toMatchObject({ device: '', slot: -1, ring: [p] });
          const out = d.step(processedEv(p));
          expect(probesOf(out, 'packet.delivered')).toHaveLength(1);
          expect(probesOf(out, 'tx.dropped').map((x) => x.data['reason'])).toEqual(['no-device']);
          expect(sendsOf(out)).toEqual([]); // no refill, no unmask: nobody to write to
          expect(d.value).toBe('idle');
        },
      },
    ])
    .with({ type: 'ring.deposit' }, (): Scenario[] => [
      {
        name: 'appends to the Rx ring in either state, silently (the interrupt is what wakes the driver)',
        run: () => {
          const a = pkt();
          const b = pkt();
          const d = vm(input());
          expect(d.step(deposit(a))).toEqual([]);
          d.step(VIRQ);
          expect(d.value).toBe('polling');
          expect(d.step(deposit(b))).toEqual([]);
          expect(d.context.ring).toStrictEqual([a, b]);
        },
      },
    ])
    .with({ type: 'virq' }, (): Scenario[] => [
      {
        name: 'idle with packets: starts polling, CPU work for the head packet (driver Rx + app + driver Tx for a request)',
        run: () => {
          const p = pkt('request');
          const d = vm(input(), deposit(p));
          const out = d.step(VIRQ);
          expect(d.value).toBe('polling');
          expect(work(out)).toStrictEqual([[['vm.driverRx', 'vm.app', 'vm.driverTx'], { type: 'rx.processed', id: p.id, nowNs: 0 }]]);
        },
      },
      {
        name: 'the CPU demand depends on mode and packet kind (netfront, native OS, a flood packet)',
        run: () => {
          const demand = (inp: VmInput, p: Packet) => worksOf(vm(inp, deposit(p)).step(VIRQ))[0]!.demand;
          expect(demand(input({ device: { id: 'idd', slot: -1, mode: 'netfront' } }), pkt('request'))).toEqual(['vm.netfrontRx', 'vm.app', 'vm.netfrontTx']);
          expect(demand(input({ device: { id: 'nic', slot: 0, mode: 'native' } }), pkt('request'))).toEqual(['native.driverRx', 'native.app', 'native.driverTx']);
          expect(demand(input(), pkt('flood'))).toEqual(['vm.driverRx']);
        },
      },
      {
        name: 'idle with an empty ring: re-enables the interrupt (irq.unmask) and stays idle',
        run: () => {
          const d = vm(input());
          expect(sent(d.step(VIRQ))).toStrictEqual([['nic', { type: 'irq.unmask', slot: 2, from: 'vm0' }]]);
          expect(d.value).toBe('idle');
          expect(sent(vm(unbound()).step(VIRQ))).toEqual([]);
        },
      },
      {
        name: 'while polling: ignored (already polling)',
        run: () => {
          const d = vm(input(), deposit(pkt()), deposit(pkt()), VIRQ);
          const before = d.context;
          // Nothing is sent; the interrupt is reported as taken (msi-routing judges where interrupts land).
          expect(d.step(VIRQ)).toEqual([probe('virq.received', { vm: 'vm0', vector: 2 })]);
          expect(d.lastActions).toEqual(['alreadyPolling']);
          expect(d.context).toStrictEqual(before);
        },
      },
    ])
    .with({ type: 'rx.processed' }, (): Scenario[] => [
      {
        name: 'more in the ring: delivered, reply posted, descriptor returned, next packet polled, still polling',
        run: () => {
          const p = pkt('request');
          const q = pkt('request');
          const d = vm(input(), deposit(p), deposit(q), VIRQ);
          const out = d.step(processedEv(p));
          expect(probesOf(out, 'packet.delivered').map((x) => x.data)).toStrictEqual([{ packet: p, vm: 'vm0' }]);
          expect(sent(out)).toStrictEqual([
            ['nic', { type: 'tx.post', slot: 2, from: 'vm0', packet: replyTo(p, 200) }],
            ['nic', { type: 'rx.refill', slot: 2, from: 'vm0', count: 1 }],
          ]);
          expect(work(out).map(([, then]) => then)).toStrictEqual([{ type: 'rx.processed', id: q.id, nowNs: 0 }]);
          expect(d.value).toBe('polling');
        },
      },
      {
        name: 'the last packet: delivered, replied, and the descriptor write also unmasks (NAPI); back to idle',
        run: () => {
          const p = pkt('request');
          const d = vm(input(), deposit(p), VIRQ);
          const out = d.step(processedEv(p));
          expect(sent(out)).toStrictEqual([
            ['nic', { type: 'tx.post', slot: 2, from: 'vm0', packet: replyTo(p, 200) }],
            ['nic', { type: 'rx.refill', slot: 2, from: 'vm0', count: 1, unmask: true }],
          ]);
          expect(worksOf(out)).toEqual([]);
          expect(d.value).toBe('idle');
          expect(d.context.ring).toEqual([]);
        },
      },
      {
        name: 'a flood packet is delivered without a reply',
        run: () => {
          const p = pkt('flood');
          const out = vm(input(), deposit(p), VIRQ).step(processedEv(p));
          expect(sendsOf(out, 'nic', 'tx.post')).toEqual([]);
          expect(probesOf(out, 'packet.delivered')).toHaveLength(1);
        },
      },
      {
        name: "outbound shaping by the VM itself: a reply over the VM's tx bucket is dropped (tx-rate-exceeded), refilled by time",
        run: () => {
          // 200-byte replies, 1000 B/s, burst 300: one reply fits, the next 0 ns later does not, one 1 s later does.
          const [a, b, c] = [pkt('request'), pkt('request'), pkt('request')];
          const d = vm(input({ txRate: 1000, txBurst: 300 }), deposit(a), deposit(b), deposit(c), VIRQ);
          expect(sendsOf(d.step(processedEv(a, 0)), 'nic', 'tx.post')).toHaveLength(1);
          const out = d.step(processedEv(b, 0));
          expect(probesOf(out, 'tx.dropped').map((x) => x.data['reason'])).toEqual(['tx-rate-exceeded']);
          expect(sendsOf(out, 'nic', 'rx.refill')).toHaveLength(1); // the descriptor still goes back
          expect(sendsOf(d.step(processedEv(c, 1e9)), 'nic', 'tx.post')).toHaveLength(1);
        },
      },
      {
        name: 'not enabled when idle, or for a packet that is not the head of a one-packet ring',
        run: () => {
          const p = pkt();
          expect(vm(input(), deposit(p)).tryStep(processedEv(p))).toBeUndefined();
          expect(vm(input(), deposit(p), VIRQ).tryStep({ type: 'rx.processed', id: p.id + 1000, nowNs: 0 })).toBeUndefined();
        },
      },
    ])
    .with({ type: 'clock.tick' }, (): Scenario[] => [
      {
        name: 'refills a shaped VM\'s tx bucket; nothing for an unshaped one',
        run: () => {
          const p = pkt('request');
          const d = vm(input({ txRate: 1000, txBurst: 300 }), deposit(p), VIRQ, processedEv(p));
          expect(d.context.tx.tokens).toBe(100);
          d.step({ type: 'clock.tick', dtNs: 1e8 });
          expect(d.context.tx.tokens).toBe(200);
          const u = vm(input());
          const before = u.context;
          u.step({ type: 'clock.tick', dtNs: 1e9 });
          expect(u.context).toBe(before);
        },
      },
    ])
    .exhaustive();
}

scenarioBlocks('VM driver: one scenario block per event type', Object.values(samples), scenarios);

describe('VM driver invariants on random event sequences', () => {
  it('polling ⇔ work outstanding for the ring head; every processed packet is delivered once, in ring order', () => {
    fc.assert(
      fc.property(arbVmScript(), ({ input: inp, events }) => {
        const d = new Driver(stepper, inp);
        let outstanding: number | undefined; // packet id of the CPU work in progress
        for (const e of events) {
          const wasPolling = d.value === 'polling';
          const head = d.context.ring[0];
          const out = d.tryStep(e);
          if (out === undefined) continue;
          const delivered = probesOf(out, 'packet.delivered').map((p) => p.data['packet'] as Packet);
          if (e.type === 'rx.processed') {
            // the head is delivered: the one the work was for, unless a stale completion names another packet
            expect(delivered).toStrictEqual([head]);
          } else expect(delivered).toEqual([]);
          const works = worksOf(out);
          expect(works.length).toBeLessThanOrEqual(1);
          if (works.length === 1) {
            expect(works[0]!.then).toMatchObject({ type: 'rx.processed', id: d.context.ring[0]!.id });
            outstanding = d.context.ring[0]!.id;
          } else if (e.type === 'rx.processed') outstanding = undefined;
          if (e.type === 'virq' && wasPolling) expect(out.filter((o) => o.kind !== 'probe')).toEqual([]);
          if (e.type === 'virq') expect(probesOf(out, 'virq.received').map((p) => p.data)).toStrictEqual([{ vm: d.context.self, vector: e.vector }]);
          expect(d.value === 'polling').toBe(outstanding !== undefined);
          if (d.value === 'polling') expect(d.context.ring.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
  });
});
