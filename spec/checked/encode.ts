/**
 * Compact canonical encodings of machine states, by which the explorer's MemoNetwork interns them.
 *
 * Each field becomes one word (values in the small configurations are small integers, stored as one byte), strings
 * an interned number. Every field of every context is covered, so two states with equal encodings behave alike
 * (test/checked-encode.test.ts compares every reachable successor); the one deliberate identification is a
 * round-robin arbiter's rotation (see `dma`). The wire, which never changes, uses canonical JSON.
 */
import type { MachineState } from '../../src/machine/index.js';
import { canonicalJson } from '../../src/util/canonical-json.js';
import type { WordBuffer } from '../../src/util/packed-set.js';
import type { IddContext } from '../driver-domain.js';
import type { ClassifierContext } from '../nic-classifier.js';
import type { DmaContext } from '../nic-dma.js';
import type { SharedNicContext } from '../nic-shared.js';
import type { TxContext } from '../nic-tx.js';
import type { NicTiming } from '../nic-vnic.js';
import type { Packet } from '../packet.js';
import type { Bucket } from '../token-bucket.js';
import type { ComponentKind } from '../system.js';
import type { VmContext } from '../vm-driver.js';
import type { VmmContext } from '../vmm.js';
import type { VnicContext } from '../vnic.js';

const KINDS = { request: 1, reply: 2, flood: 3 } as const;

/** Strings (state names, component ids) are few: each is interned to one code, in order of first appearance. */
const strings = new Map<string, number>();

class Writer {
  constructor(private readonly out: WordBuffer) {}
  n(x: number): void {
    // Non-integers and other values outside [-1, 2^31) are spelled out between two 0 words (x + 2 is never 0).
    if (Number.isInteger(x) && x >= -1 && x < 0x7fffffff) this.out.push(x + 2);
    else {
      this.out.push(0);
      for (const ch of String(x)) this.out.push(ch.charCodeAt(0));
      this.out.push(0);
    }
  }
  b(x: boolean): void {
    this.out.push(x ? 3 : 2);
  }
  s(x: string): void {
    let id = strings.get(x);
    if (id === undefined) {
      id = strings.size;
      strings.set(x, id);
    }
    this.out.push(id + 2);
  }
  packet(p: Packet): void {
    this.n(p.id);
    this.n(p.dst);
    this.n(p.src);
    this.n(p.size);
    this.n(p.bornNs);
    this.n(KINDS[p.kind]);
    this.n(p.stream);
  }
  packets(ps: readonly Packet[]): void {
    this.n(ps.length);
    for (const p of ps) this.packet(p);
  }
  numbers(xs: readonly number[]): void {
    this.n(xs.length);
    for (const x of xs) this.n(x);
  }
  bucket(b: Bucket): void {
    this.n(b.rate);
    this.n(b.burst);
    this.n(b.tokens);
    this.n(b.lastNs);
  }
  timing(t: NicTiming): void {
    this.n(t.dmaSetupNs);
    this.n(t.dmaNsPerByte);
    this.n(t.wireNsPerByte);
  }
}

function classifier(c: ClassifierContext, out: WordBuffer): void {
  const w = new Writer(out);
  w.n(c.routes.length);
  for (const macs of c.routes) w.numbers(macs);
}

function vnic(v: VnicContext, out: WordBuffer): void {
  const w = new Writer(out);
  w.n(v.slot);
  w.s(v.vm);
  w.numbers(v.macs);
  w.n(v.vector);
  w.bucket(v.bucket);
  w.n(v.capacity);
  w.n(v.used);
  w.packets(v.queue);
  w.n(v.priority);
  w.n(v.weight);
  w.n(v.rxCredits);
  w.n(v.txRing);
  w.n(v.txUsed);
  w.b(v.irqMasked);
  w.b(v.dmaInFlight);
}

function dma(c: DmaContext, out: WordBuffer): void {
  const w = new Writer(out);
  w.n(c.slot);
  w.s(c.arbiter.kind);
  // A round-robin arbiter visiting [a, b, c] from position p behaves exactly like one visiting [b, c, a] from p - 1:
  // encode the rotation that starts at the smallest slot. (Strict priority uses the order as a linear tie-break.)
  const { order, next } = c.arbiter;
  const r = c.arbiter.kind === 'strict' || order.length === 0 ? 0 : order.indexOf(Math.min(...order));
  for (let i = 0; i < order.length; i++) w.n(order[(i + r) % order.length]!);
  w.n(order.length === 0 ? next : (next - r + order.length) % order.length);
  w.n(c.arbiter.credit);
  w.numbers(c.arbiter.deficits);
  w.n(c.arbiter.quantum);
  w.n(c.waitCap);
  w.timing(c.timing);
  w.n(c.channels.length);
  for (const ch of c.channels) {
    w.b(ch.eligible);
    w.n(ch.headSize);
    w.n(ch.priority);
    w.n(ch.weight);
    w.n(ch.headWait);
  }
}

function tx(c: TxContext, out: WordBuffer): void {
  const w = new Writer(out);
  w.timing(c.timing);
  w.n(c.queue.length);
  for (const t of c.queue) {
    w.n(t.slot);
    w.packet(t.packet);
  }
}

function sharedNic(c: SharedNicContext, out: WordBuffer): void {
  const w = new Writer(out);
  w.s(c.host);
  w.s(c.irqTo);
  w.s(c.irqEvent);
  w.n(c.capacity);
  w.n(c.used);
  w.packets(c.buffer);
  w.n(c.rxCredits);
  w.b(c.irqMasked);
  w.b(c.dmaBusy);
  w.packets(c.tx);
  w.n(c.txRing);
  w.timing(c.timing);
}

function vm(c: VmContext, out: WordBuffer): void {
  const w = new Writer(out);
  w.s(c.self);
  w.numbers(c.macs);
  w.s(c.device);
  w.n(c.slot);
  w.s(c.mode);
  w.packets(c.ring);
  w.n(c.lent);
  w.n(c.replySize);
  w.bucket(c.tx);
}

function idd(c: IddContext, out: WordBuffer): void {
  const w = new Writer(out);
  w.s(c.self);
  w.s(c.device);
  w.n(c.slot);
  w.s(c.current);
  w.n(c.vmRing);
  w.packets(c.ring);
  w.n(c.txBacklog.length);
  for (const t of c.txBacklog) {
    w.s(t.from);
    w.packet(t.packet);
  }
  w.n(c.ports.length);
  for (const p of c.ports) {
    w.s(p.vm);
    w.numbers(p.macs);
    w.bucket(p.bucket);
    w.n(p.credits);
    w.b(p.notifyMasked);
  }
}

/** The VMM changes on every interrupt (in-service bits), so it gets a compact encoder too. */
function vmm(c: VmmContext, out: WordBuffer): void {
  const w = new Writer(out);
  w.n(c.vms.length);
  for (const r of c.vms) {
    w.s(r.id);
    w.numbers(r.macs);
    const a = r.attachment;
    w.s(a.kind);
    if (a.kind === 'vnic') {
      w.n(a.slot);
      w.n(a.vector);
      w.n(a.capacity);
    }
  }
  w.n(c.vectors.length);
  for (const v of c.vectors) w.s(v);
  for (const b of c.inService) w.b(b);
  for (const b of c.slots) w.b(b);
  w.n(c.memoryFree);
  w.s(c.driverDomain);
  w.n(c.rxRing);
  w.n(c.txRing);
}

/**
 * Appends a complete encoding of a machine state — the active state's name, then the context — to `out`.
 * The state name is interned like any string, so states that differ only in their name stay distinct.
 */
export function encodeState(kind: ComponentKind, m: MachineState<unknown>, out: WordBuffer): void {
  new Writer(out).s(m.value);
  const context = m.context;
  switch (kind) {
    case 'nic-classifier':
      return classifier(context as ClassifierContext, out);
    case 'vnic':
      return vnic(context as VnicContext, out);
    case 'nic-dma':
      return dma(context as DmaContext, out);
    case 'nic-tx':
      return tx(context as TxContext, out);
    case 'nic-shared':
      return sharedNic(context as SharedNicContext, out);
    case 'vm':
    case 'os':
      return vm(context as VmContext, out);
    case 'idd':
      return idd(context as IddContext, out);
    case 'vmm':
      return vmm(context as VmmContext, out);
    case 'wire':
    case 'source': {
      const text = canonicalJson(context);
      for (let i = 0; i < text.length; i++) out.push(text.charCodeAt(i));
      return;
    }
  }
}
