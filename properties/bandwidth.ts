/**
 * What a VM is admitted at the device, judged against an independent shadow token bucket per bandwidth
 * specification — `bandwidth-conformance` and the rate part of `qos-admission`.
 *
 * The promise (Lakshmi & Nandy §3.1: the NIC accepts or rejects a packet "based on the bandwidth specification"): for
 * every holder of a specification (each VM attached to a vNIC; under mixed also the driver domain, whose vNIC carries
 * the bridged VMs), conforming or not, the bytes admitted over any interval of one attachment never exceed
 * burst + rate × the interval's length. "Any interval" is checked exactly with the classical equivalence: those
 * bounds hold for every interval iff a bucket of depth `burst`, full when the attachment starts, refilled at `rate`
 * (capped at `burst`) and spending each admitted packet's bytes, never goes below zero. The shadow bucket is the
 * property's own (history counters in the explorer, floating point with the simulator's clock at run time):
 * - its rate and burst are the QoS the VMM was asked to attach the holder with (the configuration), not the vNIC's;
 * - who pays for an admitted packet: the destination MAC's owner as configured, looked up in the VMM's attachment
 *   records (its own vNIC, or the driver domain's when bridged);
 * - time: the checker's clock ticks (one second of abstract time each; rates are whole bytes per tick), the
 *   simulator's clock at run time;
 * - a new attachment starts with a full bucket (the VM's specification is set anew by the VMM): the shadow is reset
 *   when the VMM reports the holder detached.
 * In the explorer the shadow equals the specified vNIC's bucket in every reachable state, so it adds no states; a NIC
 * that does not spend tokens, or lets a bucket go into debt, makes them part ways, and the shadow goes negative.
 */
import type { MachineState } from '../src/machine/types.js';
import type { Probe } from '../src/network/network.js';
import { observe } from '../src/network/packed/observe.js';
import { NO_HI, NO_LO, type CounterOp, type History } from '../spec/checked/history.js';
import type { Packet } from '../spec/packet.js';
import type { VnicContext } from '../spec/vnic.js';
import { hasVnics, type SystemShape } from './invariants.js';
import { holderIndex, macOwners, payerOf, recordOf, slotOfHolder, vmmRecords } from './references.js';

/** Abstract time: one tick is one second. */
const TICK_S = 1;

const describe = (sys: SystemShape, k: number): string => {
  const h = sys.holders[k]!;
  const v = sys.vmIds.indexOf(h.id);
  return v >= 0 ? sys.vmNames[v]! : h.id;
};

/**
 * The explorer's shadow buckets: one counter per holder (bytes of budget left, -1 once overdrawn), and with
 * `bandwidth` the bound of bandwidth-conformance on each (never below zero).
 */
export function deviceBudgets(sys: SystemShape, bandwidth: boolean): History {
  if (!hasVnics(sys) || sys.vmm < 0) return { names: [], initial: [], ops: () => {}, tick: [], bounds: [], permute: (h) => h.slice() };
  const holders = sys.holders;
  const burst = holders.map((h) => h.qos.burst);
  const perTick = holders.map((h) => h.qos.rate * TICK_S);
  holders.forEach((h, k) => {
    if (!Number.isInteger(perTick[k]!) || !Number.isInteger(burst[k]!) || burst[k]! > 65534) {
      throw new Error(`${h.id}: the checker's shadow bucket needs a whole number of bytes per tick and a burst of at most 65534 (rate ${h.qos.rate}/s, burst ${h.qos.burst})`);
    }
  });
  const owner = macOwners(sys);
  return {
    names: holders.map((h) => `budget(${h.id})`),
    initial: burst,
    tick: holders.map((_, k): CounterOp => ({ counter: k, add: perTick[k]!, lo: NO_LO, hi: burst[k]! })),
    ops: (pre, probes, out) => {
      for (const p of probes) {
        if (p.name === 'vmm.detached') {
          // The attachment ended: the next one starts with a full bucket, as the VMM sets a vNIC up anew.
          const k = holderIndex(sys, (p.data as { vm: string }).vm);
          if (k >= 0) out.push({ counter: k, add: 0, lo: burst[k]!, hi: burst[k]! });
        } else if (p.name === 'rx.admitted') {
          // Who pays: the destination's owner as configured, attached as the VMM's records say (bridged: the driver domain).
          const packet = (p.data as { packet: Packet }).packet;
          const k = payerOf(sys, observe(pre, sys.vmm, vmmRecords), owner(packet.dst));
          if (k >= 0) out.push({ counter: k, add: -packet.size, lo: -1, hi: NO_HI });
        }
      }
    },
    bounds: bandwidth
      ? holders.map((_, k) => ({
          counter: k,
          min: 0,
          max: 65534,
          property: 'bandwidth-conformance',
          message: () =>
            `${describe(sys, k)} was admitted more than burst + rate × elapsed time over an interval ending here: its shadow token bucket (burst ${burst[k]} bytes, ${perTick[k]} bytes per tick, as configured) is overdrawn`,
        }))
      : [],
    // Holders are the VMs (in VM order) and, under mixed, the driver domain first; symmetry is not used under mixed.
    permute: (h, pi) => {
      const out = h.slice();
      const base = holders.length - pi.length;
      for (let v = 0; v < pi.length; v++) out[base + pi[v]!] = h[base + v]!;
      return out;
    },
  };
}

/** What qos-admission reads of a vNIC: whether it is active, the bytes its partition's packets take, its tokens. */
const admissionView = (m: MachineState<unknown>): { active: boolean; held: number; tokens: number } => {
  const v = m.context as VnicContext;
  return { active: m.value === 'active', held: v.queue.reduce((a, q) => a + q.size, 0), tokens: v.bucket.tokens };
};

/**
 * qos-admission's judgement of one admission or rejection on the vNIC NIC, in the state before it (`pre`): the packet
 * went to the vNIC the VMM attached its owner to (configured MAC map, VMM records), an admitted packet fit the
 * partition (the bytes its packets take against the size the VMM gave it), and a rejection's reason was true —
 * partition-full: no room; rate-exceeded: not for a VM whose traffic conforms to its own bucket (the environment
 * offers a conforming VM's packets within its specification), else the vNIC's bucket lacked the bytes;
 * unknown-destination: nobody attached owns the MAC. An admission beyond the rate is bandwidth-conformance's.
 */
export function qosInProbe(sys: SystemShape, pre: readonly MachineState<unknown>[], p: Probe, conforming: (v: number) => boolean): string | undefined {
  if (p.name !== 'rx.admitted' && p.name !== 'rx.rejected') return undefined;
  const d = p.data as { packet: Packet; reason?: string; slot: number };
  const size = d.packet.size;
  const mac = d.packet.dst;
  const records = observe(pre, sys.vmm, vmmRecords);
  const v = macOwners(sys)(mac);
  const k = payerOf(sys, records, v);
  const what = p.name === 'rx.admitted' ? 'admitted' : `rejected as '${d.reason}'`;
  if (k < 0) {
    if (p.name === 'rx.admitted' || d.reason !== 'unknown-destination') return `a packet for MAC ${mac}, which no attached VM owns (VMM records), was ${what} by vNIC ${d.slot}`;
    return undefined;
  }
  const slot = slotOfHolder(sys, records, k);
  const who = describe(sys, k);
  if (d.slot !== slot) return `a packet for MAC ${mac} (${who}'s, on vNIC ${slot} by the VMM's records) was ${what} by ${d.slot < 0 ? 'the classifier' : `vNIC ${d.slot}`}`;
  const view = observe(pre, sys.vnics[slot]!, admissionView);
  const a = recordOf(records, sys.holders[k]!.id)!.attachment;
  const capacity = a.kind === 'vnic' ? a.capacity : 0;
  const full = view.held + size > capacity;
  if (p.name === 'rx.admitted') return full ? `a ${size}-byte packet for ${who} was admitted into a partition holding ${view.held} of ${capacity} bytes` : undefined;
  // The VM's own bucket (not one shared with bridged VMs) never runs dry under traffic that conforms to it.
  const own = sys.holders[k]!.id === sys.vmIds[v];
  const rateExceeded = own && conforming(v) ? false : view.tokens < size;
  const true_ = d.reason === 'rate-exceeded' ? rateExceeded : d.reason === 'partition-full' ? !rateExceeded && full : false;
  return true_ ? undefined : `a ${size}-byte packet for ${who} was rejected as '${d.reason}', which was not true: partition ${view.held} of ${capacity} bytes${own && conforming(v) ? `, ${who} conforms to its bandwidth specification` : `, ${view.tokens} tokens`}`;
}

/**
 * The runtime monitor's shadow buckets: the same promise on the simulator's clock. Floating point: a shortfall below
 * `epsilon` bytes (rounding in the two bucket computations) is not a violation.
 */
export class BandwidthMonitor {
  private readonly tokens: number[];
  private readonly lastNs: number[];
  private readonly owner: (mac: number) => number;

  constructor(
    private readonly shape: SystemShape,
    private readonly epsilon = 1e-6,
  ) {
    this.tokens = shape.holders.map((h) => h.qos.burst);
    this.lastNs = shape.holders.map(() => 0);
    this.owner = macOwners(shape);
  }

  /** A probe at time `t` with the states before its delivery: the breach it reveals, if any. */
  onProbe(p: Probe, pre: readonly MachineState<unknown>[], t: number): string | undefined {
    if (this.shape.vmm < 0) return undefined;
    if (p.name === 'vmm.detached') {
      const k = holderIndex(this.shape, (p.data as { vm: string }).vm);
      if (k >= 0) {
        this.tokens[k] = this.shape.holders[k]!.qos.burst;
        this.lastNs[k] = t;
      }
      return undefined;
    }
    if (p.name !== 'rx.admitted' || this.shape.vnics.length === 0) return undefined;
    const packet = (p.data as { packet: Packet }).packet;
    const k = payerOf(this.shape, vmmRecords(pre[this.shape.vmm]!), this.owner(packet.dst));
    if (k < 0) return undefined;
    const q = this.shape.holders[k]!.qos;
    const refilled = Math.min(q.burst, this.tokens[k]! + ((t - this.lastNs[k]!) * q.rate) / 1e9);
    this.lastNs[k] = t;
    this.tokens[k] = refilled - packet.size;
    if (this.tokens[k]! < -this.epsilon * Math.max(1, q.burst)) {
      const who = describe(this.shape, k);
      return `${who} was admitted more than burst + rate × elapsed time over an interval ending at ${(t / 1e9).toFixed(9)} s: a ${packet.size}-byte packet with ${refilled.toFixed(3)} bytes left in its shadow bucket (burst ${q.burst} bytes, rate ${q.rate} bytes/s, as configured)`;
    }
    return undefined;
  }
}
