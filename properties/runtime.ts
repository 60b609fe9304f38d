/**
 * The runtime monitor of every simulation: the invariants of invariants.ts — isolation, the state part of
 * qos-admission, conservation — checked on the running system, the very predicates the explorer checks
 * exhaustively on small configurations (properties/checked.ts).
 *
 * The simulator reports every probe with the states before its delivery (for isolation's step part) and calls
 * `check` every so many deliveries and at the end (for the state parts). Conservation needs to know how many
 * received packets are outstanding per VM; the monitor counts them from the probes, as the explorer counts them
 * from the arrivals it offers.
 */
import type { MachineState } from '../src/machine/types.js';
import type { Probe } from '../src/network/network.js';
import { vmOfMac, type Packet } from '../spec/packet.js';
import type { BuiltSystem } from '../spec/system.js';
import { conservationInState, isolationInProbe, isolationInState, qosInState, type SystemShape } from './invariants.js';

/** Where the invariants find things in a simulated system. */
export function simulationShape(sys: BuiltSystem): SystemShape {
  const index = (id: string): number => sys.network.components.findIndex((c) => c.id === id);
  const vmComponent = sys.vmComponent.map(index);
  const n = sys.vmNames.length;
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
    vmm: index('vmm'),
    vmComponent,
    vmNames: sys.vmNames,
    vmOfMac: (mac) => vmOfMac(mac, n),
    vmOfId: (id) => vmIndex.get(id) ?? -1,
  };
}

/** The properties the runtime monitor checks, by the explorer's names. */
export const MONITORED_PROPERTIES = ['isolation', 'qos-admission', 'conservation'] as const;

/**
 * Checks a running simulation against the invariants: feed it every probe with `onProbe` and call `check` now and
 * then (and at the end); it returns the first breach as "property: why".
 */
export class RuntimeMonitor {
  /** Per VM (last: MACs of no VM): received packets offered and not yet rejected, dropped or delivered. */
  private readonly outstanding: number[];
  private readonly held: number[];
  private breach: string | undefined;

  constructor(private readonly shape: SystemShape) {
    this.outstanding = new Array<number>(shape.vmComponent.length + 1).fill(0);
    this.held = new Array<number>(shape.vmComponent.length + 1).fill(0);
  }

  /** A probe raised by a delivery; `pre` are the machines' states before that delivery. */
  onProbe(p: Probe, pre: readonly MachineState<unknown>[]): void {
    switch (p.name) {
      case 'rx.admitted':
        this.outstanding[this.vmIndex(p)]!++;
        return;
      case 'rx.dropped':
        this.outstanding[this.vmIndex(p)]!--;
        return;
      case 'packet.delivered':
        this.outstanding[this.vmIndex(p)]!--;
        this.breach ??= prefixed('isolation', isolationInProbe(this.shape, pre, p));
        return;
      case 'dma.write':
        this.breach ??= prefixed('isolation', isolationInProbe(this.shape, pre, p));
        return;
      default:
        // rx.rejected: offered and rejected at once, nothing outstanding.
        return;
    }
  }

  /** The first breach so far, as "property: why", checking the state invariants on `states` now. */
  check(states: readonly MachineState<unknown>[]): string | undefined {
    this.breach ??=
      prefixed('isolation', isolationInState(this.shape, states)) ??
      prefixed('qos-admission', qosInState(this.shape, states)) ??
      prefixed('conservation', conservationInState(this.shape, states, this.outstanding, this.held));
    return this.breach;
  }

  private vmIndex(p: Probe): number {
    const v = this.shape.vmOfMac((p.data as { packet: Packet }).packet.dst);
    return v < 0 ? this.shape.vmComponent.length : v;
  }
}

const prefixed = (property: string, why: string | undefined): string | undefined => (why === undefined ? undefined : `${property}: ${why}`);
