/**
 * Compact canonical encodings of machine contexts for the explorer's visited set.
 *
 * Each field the explorer's small configurations can vary becomes one character code (values there are small
 * integers), so a context encodes to a short one-byte string. Every field of the context is covered, so two contexts
 * with equal encodings are equal (test/checked-encode.test.ts compares every reachable successor); cold machines
 * (VMM, wire) use canonical JSON, cached by identity by the caller.
 */
import type { IddContext } from '../driver-domain.js';
import type { NicContext } from '../nic-vnic.js';
import type { SharedNicContext } from '../nic-shared.js';
import type { Packet } from '../packet.js';
import type { ComponentKind } from '../system.js';
import type { VmContext } from '../vm-driver.js';
import type { VmmContext } from '../vmm.js';

const KINDS = { request: 1, reply: 2, flood: 3 } as const;

/** Strings (state names, component ids) are few: each is interned to one code, in order of first appearance. */
const strings = new Map<string, number>();

class Writer {
  private readonly codes: number[] = [];
  n(x: number): void {
    // Non-integers and large values cannot be one character: spell them out (never the case in small configs).
    if (Number.isInteger(x) && x >= -1 && x < 60000) this.codes.push(x + 2);
    else {
      this.codes.push(1);
      for (const ch of String(x)) this.codes.push(ch.charCodeAt(0));
      this.codes.push(1);
    }
  }
  b(x: boolean): void {
    this.codes.push(x ? 3 : 2);
  }
  s(x: string): void {
    let id = strings.get(x);
    if (id === undefined) {
      id = strings.size;
      strings.set(x, id);
    }
    this.codes.push(id + 2);
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
  done(): string {
    let out = '';
    for (let i = 0; i < this.codes.length; i += 4096) out += String.fromCharCode(...this.codes.slice(i, i + 4096));
    return out;
  }
}

function nic(c: NicContext): string {
  const w = new Writer();
  w.n(c.dmaSlot);
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
  w.n(c.memory);
  w.n(c.waitCap);
  w.n(c.timing.dmaSetupNs);
  w.n(c.timing.dmaNsPerByte);
  w.n(c.timing.wireNsPerByte);
  w.n(c.tx.length);
  for (const t of c.tx) {
    w.n(t.slot);
    w.packet(t.packet);
  }
  w.n(c.vnics.length);
  for (const v of c.vnics) {
    w.s(v.status);
    w.s(v.vm);
    w.numbers(v.macs);
    w.n(v.vector);
    w.n(v.bucket.rate);
    w.n(v.bucket.burst);
    w.n(v.bucket.tokens);
    w.n(v.bucket.lastNs);
    w.n(v.capacity);
    w.n(v.used);
    w.packets(v.queue);
    w.n(v.priority);
    w.n(v.weight);
    w.n(v.rxCredits);
    w.n(v.txRing);
    w.n(v.txUsed);
    w.b(v.irqMasked);
    w.n(v.headWait);
  }
  return w.done();
}

function sharedNic(c: SharedNicContext): string {
  const w = new Writer();
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
  w.n(c.timing.dmaSetupNs);
  w.n(c.timing.dmaNsPerByte);
  w.n(c.timing.wireNsPerByte);
  return w.done();
}

function vm(c: VmContext): string {
  const w = new Writer();
  w.s(c.self);
  w.numbers(c.macs);
  w.s(c.device);
  w.n(c.slot);
  w.s(c.mode);
  w.packets(c.ring);
  w.n(c.lent);
  w.n(c.replySize);
  w.n(c.tx.rate);
  w.n(c.tx.burst);
  w.n(c.tx.tokens);
  w.n(c.tx.lastNs);
  return w.done();
}

function idd(c: IddContext): string {
  const w = new Writer();
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
    w.n(p.bucket.rate);
    w.n(p.bucket.burst);
    w.n(p.bucket.tokens);
    w.n(p.bucket.lastNs);
    w.n(p.credits);
    w.b(p.notifyMasked);
  }
  return w.done();
}

/** The VMM changes on every interrupt (in-service bits), so it gets a compact encoder too. */
function vmm(c: VmmContext): string {
  const w = new Writer();
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
  return w.done();
}

/** JSON with keys sorted at every level: canonical whatever order the fields were created in. */
export function canonicalJson(x: unknown): string {
  if (x === null || typeof x !== 'object') return JSON.stringify(x) ?? 'null';
  if (Array.isArray(x)) return `[${x.map(canonicalJson).join(',')}]`;
  const o = x as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .filter((k) => o[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(',')}}`;
}

export function encodeContext(kind: ComponentKind, context: unknown): string {
  switch (kind) {
    case 'nic-vnic':
      return nic(context as NicContext);
    case 'nic-shared':
      return sharedNic(context as SharedNicContext);
    case 'vm':
    case 'os':
      return vm(context as VmContext);
    case 'idd':
      return idd(context as IddContext);
    case 'vmm':
      return vmm(context as VmmContext);
    case 'wire':
    case 'source':
      return canonicalJson(context);
  }
}
