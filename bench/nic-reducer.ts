/**
 * A plain, hand-written immutable reducer implementing one vNIC's setup / arrive / dma.grant / dma.complete /
 * rx.refill logic on the very same context shape as `vnicMachine` (spec/vnic.ts), with the same outputs. It exists
 * only as the "what would a plain function cost" baseline of the stepping benchmark; the benchmark checks that it
 * ends in the same state as the machine on the workload, so the comparison is between equal computations.
 *
 * Records are copied with one literal per type (no object spread), like spec/record.ts; the token bucket is the
 * specification's own pure functions.
 */
import { DMA_ID, NIC_ID, type VnicInput } from '../spec/nic-vnic.js';
import type { Mutable } from '../spec/record.js';
import { conforms, refillTo, take } from '../spec/token-bucket.js';
import { freeVnic, type VnicContext, type VnicEvent } from '../spec/vnic.js';
import type { MachineState } from '../src/machine/index.js';
import { probe, send, type Output } from '../src/network/outputs.js';

const copy = (v: VnicContext): Mutable<VnicContext> => ({
  slot: v.slot,
  vm: v.vm,
  macs: v.macs,
  vector: v.vector,
  bucket: v.bucket,
  capacity: v.capacity,
  used: v.used,
  queue: v.queue,
  priority: v.priority,
  weight: v.weight,
  rxCredits: v.rxCredits,
  txRing: v.txRing,
  txUsed: v.txUsed,
  irqMasked: v.irqMasked,
  dmaInFlight: v.dmaInFlight,
});

export function reducerInitial(input: VnicInput): MachineState<VnicContext> {
  return { value: 'free', context: freeVnic(input.slot) };
}

const requesting = (v: VnicContext): boolean => v.queue.length > 0 && v.rxCredits > 0;

function channel(v: VnicContext, out: Output[]): void {
  out.push(
    requesting(v)
      ? send(DMA_ID, { type: 'dma.request', slot: v.slot, size: v.queue[0]!.size, priority: v.priority, weight: v.weight })
      : send(DMA_ID, { type: 'dma.withdraw', slot: v.slot }),
  );
}

function report(before: VnicContext, after: VnicContext, out: Output[]): void {
  const was = requesting(before);
  const is = requesting(after);
  if (was !== is || (is && before.queue[0]!.size !== after.queue[0]!.size)) channel(after, out);
}

/**
 * One step: the next state, or `undefined` when the event is not enabled (like xstate's unchanged snapshot).
 * Outputs are appended to `out`. Only the events of the benchmark workload are implemented, in `free` and `active`.
 */
export function reduceVnic(s: MachineState<VnicContext>, e: VnicEvent, out: Output[]): MachineState<VnicContext> | undefined {
  const c = s.context;
  if (s.value === 'free') {
    if (e.type !== 'vnic.setup') throw new Error(`bench reducer: '${e.type}' in 'free' is not part of the workload`);
    const v = copy(freeVnic(c.slot));
    v.vm = e.vm;
    v.macs = e.macs;
    v.vector = e.vector;
    v.bucket = { rate: e.qos.rate, burst: e.qos.burst, tokens: e.qos.burst, lastNs: 0 };
    v.capacity = e.qos.capacity;
    v.priority = e.qos.priority;
    v.weight = e.qos.weight;
    v.rxCredits = e.rxRing;
    v.txRing = e.txRing;
    out.push(probe('vnic.up', { slot: c.slot, vm: e.vm }), send(NIC_ID, { type: 'nic.route', slot: c.slot, macs: e.macs }));
    return { value: 'active', context: v };
  }
  switch (e.type) {
    case 'rx.arrive': {
      const p = e.packet;
      const bucket = refillTo(c.bucket, e.nowNs);
      let v: VnicContext = c;
      if (bucket !== c.bucket) {
        const w = copy(c);
        w.bucket = bucket;
        v = w;
      }
      if (!conforms(bucket, p.size)) out.push(probe('rx.rejected', { packet: p, reason: 'rate-exceeded', slot: v.slot, blockers: v.macs }));
      else if (v.used + p.size > v.capacity) out.push(probe('rx.rejected', { packet: p, reason: 'partition-full', slot: v.slot, blockers: v.macs }));
      else {
        const a = copy(v);
        a.bucket = take(bucket, p.size);
        a.used = v.used + p.size;
        a.queue = [...v.queue, p];
        out.push(probe('rx.admitted', { packet: p, slot: v.slot, vm: v.vm }));
        report(v, a, out);
        v = a;
      }
      return { value: 'active', context: v };
    }
    case 'dma.grant': {
      if (!requesting(c) || c.dmaInFlight) return undefined;
      const v = copy(c);
      v.dmaInFlight = true;
      return { value: 'active', context: v };
    }
    case 'dma.complete': {
      if (!c.dmaInFlight) return undefined;
      const packet = c.queue[0]!;
      const v = copy(c);
      v.used = c.used - packet.size;
      v.queue = c.queue.slice(1);
      v.rxCredits = c.rxCredits - 1;
      v.dmaInFlight = false;
      out.push(probe('dma.write', { packet, slot: c.slot, vm: c.vm }));
      channel(v, out);
      out.push(send(c.vm, { type: 'ring.deposit', packet, slot: c.slot }));
      if (!v.irqMasked) {
        out.push(send('vmm', { type: 'msi', vector: v.vector }));
        v.irqMasked = true;
      }
      return { value: 'active', context: v };
    }
    case 'rx.refill': {
      if (c.vm !== e.from) {
        out.push(probe('nic.stale-write', { slot: e.slot, from: e.from, event: e.type }));
        return s;
      }
      const v = copy(c);
      v.rxCredits = c.rxCredits + e.count;
      v.irqMasked = e.unmask === true ? false : c.irqMasked;
      report(c, v, out);
      return { value: 'active', context: v };
    }
    default:
      throw new Error(`bench reducer: event '${e.type}' is not part of the workload`);
  }
}
