/**
 * A plain, hand-written immutable reducer implementing the vNIC NIC's setup / arrive / dma.done / rx.refill logic on
 * the very same context shape as `nicMachine` (spec/nic-vnic.ts), with the same outputs. It exists only as the
 * "what would a plain function cost" baseline of the stepping benchmark; the benchmark checks that it ends in the
 * same context as the machine on the workload, so the comparison is between equal computations.
 *
 * Records are copied with one literal per type (no object spread), like spec/record.ts; the token bucket and the DMA
 * arbiter are the specification's own pure functions.
 */
import { initialArbiter, pick } from '../spec/dma-arbiter.js';
import type { NicContext, NicEvent, NicInput, Vnic } from '../spec/nic-vnic.js';
import type { Packet } from '../spec/packet.js';
import type { Mutable } from '../spec/record.js';
import { conforms, refillTo, take } from '../spec/token-bucket.js';
import { probe, send, type Output } from '../src/network/outputs.js';

const copyVnic = (v: Vnic): Mutable<Vnic> => ({
  status: v.status,
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
  headWait: v.headWait,
});

const copyNic = (c: NicContext): Mutable<NicContext> => ({
  vnics: c.vnics,
  memory: c.memory,
  arbiter: c.arbiter,
  dmaSlot: c.dmaSlot,
  tx: c.tx,
  timing: c.timing,
  waitCap: c.waitCap,
});

const FREE: Vnic = {
  status: 'free',
  vm: '',
  macs: [],
  vector: -1,
  bucket: { rate: 0, burst: 0, tokens: 0, lastNs: 0 },
  capacity: 0,
  used: 0,
  queue: [],
  priority: 0,
  weight: 1,
  rxCredits: 0,
  txRing: 0,
  txUsed: 0,
  irqMasked: false,
  headWait: 0,
};

export function reducerInitial(input: NicInput): NicContext {
  return {
    vnics: new Array<Vnic>(input.slots).fill(FREE),
    memory: input.memory,
    arbiter: initialArbiter(input.arbiter, input.slots, input.quantum),
    dmaSlot: -1,
    tx: [],
    timing: input.timing,
    waitCap: input.waitCap,
  };
}

function classify(c: NicContext, dst: number): number {
  for (let i = 0; i < c.vnics.length; i++) {
    const v = c.vnics[i]!;
    if (v.status === 'active' && v.macs.includes(dst)) return i;
  }
  return -1;
}

function withVnic(c: NicContext, slot: number, v: Vnic): NicContext {
  if (c.vnics[slot] === v) return c;
  const vnics = c.vnics.slice();
  vnics[slot] = v;
  const n = copyNic(c);
  n.vnics = vnics;
  return n;
}

const eligible = (v: Vnic): boolean => v.queue.length > 0 && (v.status === 'closing' || (v.status === 'active' && v.rxCredits > 0));

function kickDma(c: NicContext, out: Output[]): NicContext {
  if (c.dmaSlot >= 0) return c;
  const grant = pick(
    c.arbiter,
    c.vnics.map((v) => ({ eligible: eligible(v), priority: v.priority, weight: v.weight, headSize: v.queue[0]?.size ?? 0 })),
  );
  if (grant === undefined) return c;
  let vnics = c.vnics;
  for (let i = 0; i < c.vnics.length; i++) {
    const v = c.vnics[i]!;
    const wait = i === grant.slot ? 0 : eligible(v) ? Math.min(c.waitCap, v.headWait + 1) : v.headWait;
    if (wait !== v.headWait) {
      if (vnics === c.vnics) vnics = c.vnics.slice();
      const w = copyVnic(v);
      w.headWait = wait;
      (vnics as Vnic[])[i] = w;
    }
  }
  const head = vnics[grant.slot]!.queue[0]!;
  out.push(send('nic', { type: 'dma.done' }, c.timing.dmaSetupNs + Math.ceil(head.size * c.timing.dmaNsPerByte)));
  const n = copyNic(c);
  n.vnics = vnics;
  n.arbiter = grant.state;
  n.dmaSlot = grant.slot;
  return n;
}

function raiseMsi(v: Mutable<Vnic>, out: Output[]): void {
  if (v.irqMasked || v.status !== 'active') return;
  out.push(send('vmm', { type: 'msi', vector: v.vector }));
  v.irqMasked = true;
}

/**
 * One step: the next context, or `undefined` when the event is not enabled (like xstate's unchanged snapshot).
 * Outputs are appended to `out`. Only the events of the benchmark workload are implemented.
 */
export function reduceNic(c: NicContext, e: NicEvent, out: Output[]): NicContext | undefined {
  switch (e.type) {
    case 'vnic.setup': {
      if (c.vnics[e.slot]?.status !== 'free') {
        out.push(probe('nic.refused', { slot: e.slot, event: e.type }));
        return c;
      }
      const v: Vnic = {
        status: 'active',
        vm: e.vm,
        macs: e.macs,
        vector: e.vector,
        bucket: { rate: e.qos.rate, burst: e.qos.burst, tokens: e.qos.burst, lastNs: 0 },
        capacity: e.qos.capacity,
        used: 0,
        queue: [],
        priority: e.qos.priority,
        weight: e.qos.weight,
        rxCredits: e.rxRing,
        txRing: e.txRing,
        txUsed: 0,
        irqMasked: false,
        headWait: 0,
      };
      out.push(probe('vnic.up', { slot: e.slot, vm: e.vm }));
      return withVnic(c, e.slot, v);
    }
    case 'rx.arrive': {
      const p: Packet = e.packet;
      const slot = classify(c, p.dst);
      if (slot < 0) {
        out.push(probe('rx.rejected', { packet: p, reason: 'unknown-destination', slot: -1, blockers: [] }));
        return c;
      }
      const v = c.vnics[slot]!;
      const bucket = refillTo(v.bucket, e.nowNs);
      let refilled: Vnic = v;
      if (bucket !== v.bucket) {
        const w = copyVnic(v);
        w.bucket = bucket;
        refilled = w;
      }
      if (!conforms(bucket, p.size)) {
        out.push(probe('rx.rejected', { packet: p, reason: 'rate-exceeded', slot, blockers: refilled.macs }));
        return withVnic(c, slot, refilled);
      }
      if (refilled.used + p.size > refilled.capacity) {
        out.push(probe('rx.rejected', { packet: p, reason: 'partition-full', slot, blockers: refilled.macs }));
        return withVnic(c, slot, refilled);
      }
      const a = copyVnic(refilled);
      a.bucket = take(bucket, p.size);
      a.used = refilled.used + p.size;
      a.queue = [...refilled.queue, p];
      out.push(probe('rx.admitted', { packet: p, slot, vm: refilled.vm }));
      return kickDma(withVnic(c, slot, a), out);
    }
    case 'dma.done': {
      const slot = c.dmaSlot;
      if (slot < 0) return undefined;
      const v = c.vnics[slot]!;
      const packet = v.queue[0]!;
      let after: Vnic;
      if (v.status === 'closing') {
        out.push(probe('rx.dropped', { packet, reason: 'teardown', slot }));
        after = FREE;
      } else {
        out.push(probe('dma.write', { packet, slot, vm: v.vm }));
        out.push(send(v.vm, { type: 'ring.deposit', packet, slot }));
        const w = copyVnic(v);
        w.used = v.used - packet.size;
        w.queue = v.queue.slice(1);
        w.rxCredits = v.rxCredits - 1;
        raiseMsi(w, out);
        after = w;
      }
      const vnics = c.vnics.slice();
      vnics[slot] = after;
      const n = copyNic(c);
      n.vnics = vnics;
      n.dmaSlot = -1;
      return kickDma(n, out);
    }
    case 'rx.refill': {
      const v = c.vnics[e.slot];
      if (v === undefined || v.status !== 'active' || v.vm !== e.from) {
        out.push(probe('nic.stale-write', { slot: e.slot, from: e.from, event: e.type }));
        return c;
      }
      const w = copyVnic(v);
      w.rxCredits = v.rxCredits + e.count;
      w.irqMasked = e.unmask === true ? false : v.irqMasked;
      return kickDma(withVnic(c, e.slot, w), out);
    }
    default:
      throw new Error(`bench reducer: event '${e.type}' is not part of the workload`);
  }
}
