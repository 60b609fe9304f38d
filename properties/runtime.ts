/**
 * The runtime monitor of every simulation: the properties that hold for any run, checked on the running system with
 * the very predicates the explorer checks exhaustively on small configurations (properties/checked.ts):
 * - isolation, the state part of qos-admission, conservation (invariants.ts);
 * - bandwidth-conformance: an independent shadow bucket per VM on the simulator's clock (bandwidth.ts);
 * - vmm-nic-agreement and msi-routing (between.ts);
 * - a progress watchdog: a VM holding received packets with none delivered (or dropped with a reason) for
 *   `watchdogNs` of simulated time is reported — the run-time face of liveness (eventual-delivery), e.g. a VM driver
 *   that is never woken again because it lost its interrupt re-arm.
 *
 * The simulator reports every probe with the states before its delivery and its time (`onProbe`), and calls `check`
 * every so many deliveries and at the end (for the state parts and the watchdog). Conservation needs to know how
 * many received packets are outstanding per VM; the monitor counts them from the probes, as the explorer counts them
 * from the arrivals it offers.
 */
import type { MachineState } from '../src/machine/types.js';
import type { Probe } from '../src/network/network.js';
import type { Packet } from '../spec/packet.js';
import type { BuiltSystem } from '../spec/system.js';
import { BandwidthMonitor } from './bandwidth.js';
import { msiRoutingInProbe, vmmNicAgreement } from './between.js';
import { conservationInState, isolationInProbe, isolationInState, qosInState, type SystemShape } from './invariants.js';
import { holdersFrom, macOwners } from './references.js';

/** Where the invariants find things in a simulated system. */
export function simulationShape(sys: BuiltSystem): SystemShape {
  const index = (id: string): number => sys.network.components.findIndex((c) => c.id === id);
  const vmComponent = sys.vmComponent.map(index);
  // Only VM drivers are VMs: the native OS (every VM's component there) and the driver domain see everyone's.
  // A map: isolation looks a receiver up on every DMA and delivery.
  const vmIndex = new Map<string, number>();
  vmComponent.forEach((c, v) => {
    if (sys.kinds[c] === 'vm') vmIndex.set(sys.network.components[c]!.id, v);
  });
  return {
    kinds: sys.kinds,
    nic: index('nic'),
    vnics: sys.kinds.flatMap((k, i) => (k === 'vnic' ? [i] : [])),
    tx: sys.kinds.indexOf('nic-tx'),
    dma: sys.kinds.indexOf('nic-dma'),
    vmm: index('vmm'),
    vmComponent,
    vmNames: sys.vmNames,
    vmOfId: (id) => vmIndex.get(id) ?? -1,
    vmIds: sys.vmComponent,
    // The MACs each VM's driver was given; the native OS serves every VM, VM v on its v-th MAC.
    vmMacs: sys.vmComponent.map((id, v) => {
      const macs = (sys.network.components[index(id)]!.input as { macs?: readonly number[] }).macs ?? [];
      return sys.kinds[index(id)] === 'os' ? [macs[v]!] : macs;
    }),
    holders: holdersFrom(sys.kicks.map((k) => k.event)),
  };
}

/** The properties the runtime monitor checks, by the explorer's names (and the watchdog's). */
export const MONITORED_PROPERTIES = ['isolation', 'qos-admission', 'bandwidth-conformance', 'conservation', 'vmm-nic-agreement', 'msi-routing', 'progress'] as const;

/** The watchdog's default: a VM holding packets with none delivered for this long (simulated) is reported. */
export const DEFAULT_WATCHDOG_NS = 1e9;

export interface RuntimeMonitorOptions {
  /** Simulated nanoseconds a VM may hold received packets without one being delivered or dropped; 0: no watchdog. */
  readonly watchdogNs?: number;
}

/**
 * Checks a running simulation: feed it every probe with `onProbe` and call `check` now and then (and at the end); it
 * returns the first breach as "property: why".
 */
export class RuntimeMonitor {
  /** Per VM (last: MACs of no VM): received packets offered and not yet rejected, dropped or delivered. */
  private readonly outstanding: number[];
  private readonly held: number[];
  /** Per VM: when it last made progress (a packet delivered or dropped, or its first packet held since). */
  private readonly progressNs: number[];
  private readonly owner: (mac: number) => number;
  private readonly bandwidth: BandwidthMonitor;
  private readonly watchdogNs: number;
  private breach: string | undefined;

  constructor(
    private readonly shape: SystemShape,
    options: RuntimeMonitorOptions = {},
  ) {
    const n = shape.vmComponent.length;
    this.outstanding = new Array<number>(n + 1).fill(0);
    this.held = new Array<number>(n + 1).fill(0);
    this.progressNs = new Array<number>(n).fill(0);
    this.owner = macOwners(shape);
    this.bandwidth = new BandwidthMonitor(shape);
    this.watchdogNs = options.watchdogNs ?? DEFAULT_WATCHDOG_NS;
    if (!(this.watchdogNs >= 0)) throw new RangeError(`watchdog must be >= 0 ns, got ${this.watchdogNs}`);
  }

  /** A probe raised by a delivery at time `t` (ns); `pre` are the machines' states before that delivery. */
  onProbe(p: Probe, pre: readonly MachineState<unknown>[], t: number): void {
    switch (p.name) {
      case 'rx.admitted': {
        const v = this.vmIndex(p);
        if (this.outstanding[v]!++ === 0 && v < this.progressNs.length) this.progressNs[v] = t;
        this.breach ??= prefixed('bandwidth-conformance', this.bandwidth.onProbe(p, pre, t));
        return;
      }
      case 'rx.dropped':
        this.progress(this.vmIndex(p), t);
        return;
      case 'packet.delivered':
        this.progress(this.vmIndex(p), t);
        this.breach ??= prefixed('isolation', isolationInProbe(this.shape, pre, p));
        return;
      case 'dma.write':
        this.breach ??= prefixed('isolation', isolationInProbe(this.shape, pre, p));
        return;
      case 'virq.received':
        this.breach ??= prefixed('msi-routing', msiRoutingInProbe(this.shape, pre, p));
        return;
      case 'vmm.detached':
        this.bandwidth.onProbe(p, pre, t);
        return;
      default:
        // rx.rejected: offered and rejected at once, nothing outstanding.
        return;
    }
  }

  /** The first breach so far, as "property: why", checking the state invariants and the watchdog on `states` at time `t`. */
  check(states: readonly MachineState<unknown>[], t: number): string | undefined {
    this.breach ??=
      prefixed('isolation', isolationInState(this.shape, states)) ??
      prefixed('qos-admission', qosInState(this.shape, states)) ??
      prefixed('conservation', conservationInState(this.shape, states, this.outstanding, this.held)) ??
      prefixed('vmm-nic-agreement', vmmNicAgreement(this.shape, states)) ??
      prefixed('progress', this.stalled(t));
    return this.breach;
  }

  private progress(v: number, t: number): void {
    this.outstanding[v]!--;
    if (v < this.progressNs.length) this.progressNs[v] = t;
  }

  /** The first VM holding packets with no progress for longer than the watchdog allows. */
  private stalled(t: number): string | undefined {
    if (this.watchdogNs === 0) return undefined;
    for (let v = 0; v < this.progressNs.length; v++) {
      const since = t - this.progressNs[v]!;
      if (this.outstanding[v]! > 0 && since > this.watchdogNs) {
        const s = (ns: number) => `${+(ns / 1e9).toFixed(6)} s`;
        return (
          `${this.shape.vmNames[v]} holds ${this.outstanding[v]} received packet(s) and none has been delivered or dropped for ${s(since)} of simulated time ` +
          `(watchdog ${s(this.watchdogNs)}; --watchdog changes it): a VM that is never woken again (e.g. a lost interrupt re-arm) or starved`
        );
      }
    }
    return undefined;
  }

  private vmIndex(p: Probe): number {
    const v = this.owner((p.data as { packet: Packet }).packet.dst);
    return v < 0 ? this.shape.vmComponent.length : v;
  }
}

const prefixed = (property: string, why: string | undefined): string | undefined => (why === undefined ? undefined : `${property}: ${why}`);
