/**
 * The small configurations the explorer checks exhaustively (issue: "2 VMs, 2–3 packet slots per partition").
 * Packets have size 1, so partitions and buckets count packets; time is abstract (`tick` refills one packet).
 *
 * Each VM has a role: a *conforming* VM receives traffic within its bandwidth specification (the environment keeps a
 * shadow token bucket and only offers a packet when it has a token); a *flooding* VM receives traffic at any rate.
 * Unknown-destination floods are always possible. VMs of the same role and QoS are interchangeable (symmetry).
 */
import type { ArbiterKind } from '../dma-arbiter.js';

/** The architectures the explorer checks: vnic, xen-idd, mixed. */
export type CheckArch = 'vnic' | 'xen-idd' | 'mixed';
/** A VM's traffic in a checked configuration: within its bandwidth specification, or flooding at any rate. */
export type Role = 'conforming' | 'flooding';

/** A small configuration for exhaustive checking (`vnicspec check` options, and the ITF `#meta` of its traces). */
export interface CheckConfig {
  readonly arch: CheckArch;
  readonly vms: number;
  /** Packet slots per vNIC partition (vnic) or in the shared device buffer (xen-idd: capacity × vms). */
  readonly capacity: number;
  readonly dma: ArbiterKind;
  /** Bucket depth in packets (rate: one packet per tick). */
  readonly burst: number;
  /** Rx descriptors per VM ring. */
  readonly rxRing: number;
  readonly txRing: number;
  readonly roles: readonly Role[];
  /** Strict priority: larger wins. The flooding VMs get the higher priority by default (the interesting case). */
  readonly priorities: readonly number[];
  readonly weights: readonly number[];
  /** Environment may tear down, set up again and resize vNICs. */
  readonly churn: boolean;
  /** Whether unknown-destination packets are offered. */
  readonly unknownTraffic: boolean;
}

/** A complete configuration from a partial one; by default 2 VMs (the last one floods, the others conform), capacity 2, drr. */
export function defaultCheckConfig(o: Partial<CheckConfig> & { arch?: CheckArch; vms?: number } = {}): CheckConfig {
  const vms = o.vms ?? 2;
  const roles = o.roles ?? Array.from({ length: vms }, (_, i) => (i === 0 || vms > 2 && i < vms - 1 ? 'conforming' : 'flooding') as Role);
  return {
    arch: o.arch ?? 'vnic',
    vms,
    capacity: o.capacity ?? 2,
    dma: o.dma ?? 'drr',
    burst: o.burst ?? 1,
    rxRing: o.rxRing ?? 2,
    txRing: o.txRing ?? 1,
    roles,
    priorities: o.priorities ?? roles.map((r) => (r === 'flooding' ? 1 : 0)),
    weights: o.weights ?? roles.map(() => 1),
    churn: o.churn ?? false,
    unknownTraffic: o.unknownTraffic ?? true,
  };
}

/**
 * The waiting bound of `no-cross-vm-starvation`: how many DMA grants to other vNICs an eligible head packet may
 * wait. Round-robin arbiters give every other vNIC at most its weight per round (packets of size 1).
 */
export const dmaWaitBound = (c: CheckConfig): number => c.weights.reduce((a, w) => a + w, 0) - Math.min(...c.weights);
