/**
 * What the explorer checks: a system (spec/system-file.ts) in the flat form the checked model reads — per-VM
 * arrays and NIC-wide values, every default filled in. There is one way to make one: a system object (a file, the
 * library's `check({ system })`), or the command line's shortcut flags, which build that object first
 * (`systemOfShortcuts`), then `checkConfigOf`. `defaultCheckConfig(shortcuts)` is the two in a row.
 *
 * Quantities are abstract: bytes (packet sizes, partitions, buckets, DRR quantum) and ticks of time (`tick` earns each
 * bucket `rate` bytes). With the flags' default size 1, bytes count packets: today's configurations and their state
 * counts are unchanged.
 *
 * Each VM has a traffic role: a *conforming* VM receives traffic within its bandwidth specification (the environment
 * keeps a shadow token bucket and only offers a packet when it has the tokens); a *flooding* VM receives traffic at
 * any rate; an *idle* VM none; an *adversary* at every step any of these. Unknown-destination floods may be offered
 * too. A *hostile* driver writes to register sets it does not own. VMs of the same role, QoS and driver are
 * interchangeable (symmetry.ts).
 */
import type { ArbiterKind } from '../dma-arbiter.js';
import type { SystemFile, SystemVm } from '../system-file.js';

/** The architectures the explorer checks: vnic, xen-idd, mixed. */
export type CheckArch = 'vnic' | 'xen-idd' | 'mixed';
/** The traffic the environment may offer a VM (see the module comment). */
export type Role = 'conforming' | 'flooding' | 'idle' | 'adversary';
/** A VM driver: the specified one, or one that also writes to register sets it does not own. */
export type DriverKind = 'honest' | 'hostile';

/** A system as the checked model reads it (`vnicspec check` options, and the ITF `#meta` of its traces). */
export interface CheckConfig {
  readonly arch: CheckArch;
  readonly vms: number;
  /** Packet sizes the environment offers, in abstract bytes: distinct, ascending. */
  readonly sizes: readonly number[];
  /** Per VM, its name in reports ('vm0', … unless the system names it). */
  readonly names: readonly string[];
  /** Per VM, the traffic the environment may offer it. */
  readonly roles: readonly Role[];
  /** Per VM, whether its driver writes to register sets it does not own. */
  readonly drivers: readonly DriverKind[];
  /** Per VM, whether the VMM attaches it at boot. */
  readonly attached: readonly boolean[];
  /** Per VM, under mixed: whether it may be bridged through the driver domain when vectors or memory run out. */
  readonly bestEffort: readonly boolean[];
  /** Per VM, bytes its vNIC admits per tick. */
  readonly rates: readonly number[];
  /** Per VM, its bucket's depth in bytes. */
  readonly bursts: readonly number[];
  /** Per VM, its partition in bytes (xen-idd: its share of the shared buffer, which holds them all). */
  readonly capacities: readonly number[];
  /** Strict priority: larger wins. The flags give the flooding VMs the higher priority (the interesting case). */
  readonly priorities: readonly number[];
  readonly weights: readonly number[];
  readonly dma: ArbiterKind;
  /** drr: bytes per unit of weight per round. */
  readonly quantum: number;
  /** Rx descriptors per VM ring. */
  readonly rxRing: number;
  readonly txRing: number;
  /** MSI vectors, one per vNIC register set (vnic, mixed). */
  readonly vectors: number;
  /** Device memory the VMM partitions (vnic, mixed), bytes. */
  readonly memory: number;
  /** Environment may tear down, set up again and resize vNICs. */
  readonly churn: boolean;
  /** Per VM: the partition sizes churn may resize its vNIC to, besides its capacity. */
  readonly resizeTo: readonly (readonly number[])[];
  /** Whether unknown-destination packets are offered. */
  readonly unknownTraffic: boolean;
}

/**
 * The command line's shortcuts (and the library's flat options): one value for every VM, per-VM lists where given.
 * Every field of a `CheckConfig` is accepted too, so a configuration read back from a trace's `#meta` rebuilds itself.
 */
export type CheckShortcuts = Partial<CheckConfig> & {
  /** Every VM's partition, bytes (default 2). */
  readonly capacity?: number;
  /** Every VM's bucket depth, bytes (default 1). */
  readonly burst?: number;
  /** Every VM's rate, bytes per tick (default 1). */
  readonly rate?: number;
};

/**
 * The system the shortcuts describe, as a system file would: by default 2 VMs (the last one floods, the others
 * conform; flooding VMs get DMA priority 1), capacity 2, burst 1, rate 1, packet size 1, drr.
 */
export function systemOfShortcuts(o: CheckShortcuts = {}): SystemFile {
  const n = o.vms ?? 2;
  const roles = o.roles ?? Array.from({ length: n }, (_, i) => (i === 0 || (n > 2 && i < n - 1) ? 'conforming' : 'flooding') as Role);
  const arch = o.arch ?? 'vnic';
  const vms: SystemVm[] = Array.from({ length: n }, (_, i) => ({
    ...(o.names?.[i] !== undefined && o.names[i] !== `vm${i}` ? { name: o.names[i] } : {}),
    qos: {
      rate: o.rates?.[i] ?? o.rate ?? 1,
      burst: o.bursts?.[i] ?? o.burst ?? 1,
      capacity: o.capacities?.[i] ?? o.capacity ?? 2,
      priority: o.priorities?.[i] ?? (roles[i] === 'flooding' ? 1 : 0),
      weight: o.weights?.[i] ?? 1,
    },
    traffic: roles[i] ?? 'conforming',
    driver: o.drivers?.[i] ?? 'honest',
    attached: o.attached?.[i] ?? true,
    // Under mixed the last VM is the one bridged through the driver domain.
    bestEffort: o.bestEffort?.[i] ?? (arch === 'mixed' && i === n - 1),
  }));
  const resize = o.resizeTo;
  return {
    name: 'system',
    description: '',
    arch,
    sizes: o.sizes !== undefined ? [...o.sizes] : [1],
    unknownTraffic: o.unknownTraffic ?? true,
    nic: {
      dmaArbiter: o.dma ?? 'drr',
      ...(o.quantum !== undefined ? { drrQuantum: o.quantum } : {}),
      rxRing: o.rxRing ?? 2,
      txRing: o.txRing ?? 1,
      ...(o.vectors !== undefined ? { msiVectors: o.vectors } : {}),
      ...(o.memory !== undefined ? { memory: o.memory } : {}),
    },
    churn: {
      enabled: o.churn ?? false,
      // Per-VM lists (a trace's #meta) become a file's one list only when every VM has the same.
      ...(resize !== undefined && resize.every((r) => JSON.stringify(r) === JSON.stringify(resize[0])) && resize[0] !== undefined ? { resizeTo: [...resize[0]].filter((x) => x >= 1) } : {}),
    },
    units: { bytes: 512, tickS: 1e-5 },
    vms,
  };
}

/** The flat configuration the checked model reads, every default of the system filled in. */
export function checkConfigOf(s: SystemFile): CheckConfig {
  const sizes = [...new Set(s.sizes)].sort((a, b) => a - b);
  const vms = s.vms;
  const capacities = vms.map((v) => v.qos.capacity);
  return {
    arch: s.arch,
    vms: vms.length,
    sizes,
    names: vms.map((v, i) => v.name ?? `vm${i}`),
    roles: vms.map((v) => v.traffic),
    drivers: vms.map((v) => v.driver),
    attached: vms.map((v) => v.attached),
    bestEffort: vms.map((v) => v.bestEffort),
    rates: vms.map((v) => v.qos.rate),
    bursts: vms.map((v) => v.qos.burst),
    capacities,
    priorities: vms.map((v) => v.qos.priority),
    weights: vms.map((v) => v.qos.weight),
    dma: s.nic.dmaArbiter,
    quantum: s.nic.drrQuantum ?? sizes[sizes.length - 1]!,
    rxRing: s.nic.rxRing,
    txRing: s.nic.txRing,
    vectors: s.nic.msiVectors ?? vms.length,
    memory: s.nic.memory ?? capacities.reduce((a, c) => a + c, 0) + vms.length,
    churn: s.churn.enabled,
    resizeTo: capacities.map((c) => (s.churn.resizeTo !== undefined ? [...new Set(s.churn.resizeTo)].filter((x) => x !== c) : [c - 1])),
    unknownTraffic: s.unknownTraffic,
  };
}

/** A complete configuration from shortcuts: `checkConfigOf(systemOfShortcuts(o))`. */
export function defaultCheckConfig(o: CheckShortcuts = {}): CheckConfig {
  const c = checkConfigOf(systemOfShortcuts(o));
  // A #meta configuration may carry per-VM resize lists a file cannot (they differ between VMs): keep them.
  return o.resizeTo !== undefined && o.resizeTo.length === c.vms ? { ...c, resizeTo: o.resizeTo.map((r) => [...r]) } : c;
}

/**
 * The system file that `checkConfigOf` turns into `c`, every field written out: what `check --json` reports as
 * `system`, to be saved and checked again with `--system`.
 */
export function systemOfCheckConfig(c: CheckConfig, meta: { name?: string; description?: string } = {}): SystemFile {
  const s = systemOfShortcuts(c);
  const defaultResize = c.resizeTo.every((r, v) => r.length === 1 && r[0] === c.capacities[v]! - 1);
  return {
    ...s,
    name: meta.name ?? s.name,
    description: meta.description ?? s.description,
    nic: { ...s.nic, drrQuantum: c.quantum, msiVectors: c.vectors, memory: c.memory },
    churn: defaultResize ? { enabled: c.churn } : s.churn,
    vms: s.vms.map((v, i) => ({ ...v, name: c.names[i]! })),
  };
}

/** Roles whose conforming offers the environment makes (and whose shadow bucket it keeps). */
export const offersConforming = (r: Role): boolean => r === 'conforming' || r === 'adversary';
/** Roles whose floods the environment makes. */
export const offersFloods = (r: Role): boolean => r === 'flooding' || r === 'adversary';

/** Whether every VM has the same value of `f`; then the shortcut flags can state it. */
const uniform = <T>(xs: readonly T[]): boolean => xs.every((x) => x === xs[0]);

/**
 * Whether the command line's flags can state `c` (the same values the flags would give): then a reproduction
 * command can use flags; otherwise it needs a system file.
 */
export function flagsCanState(c: CheckConfig): boolean {
  const d = defaultCheckConfig({ arch: c.arch, vms: c.vms, capacity: c.capacities[0], burst: c.bursts[0], dma: c.dma, rxRing: c.rxRing, churn: c.churn, sizes: c.sizes });
  return JSON.stringify(d) === JSON.stringify(c) && uniform(c.capacities) && uniform(c.bursts);
}

/**
 * The waiting bound of `no-cross-vm-starvation`: how many DMA grants to other vNICs an eligible head packet may
 * wait. Between two turns of a waiting vNIC a round-robin arbiter visits every other vNIC at most once: wrr gives it
 * at most its weight in packets; drr at most its weight × quantum bytes plus the deficit it carried (less than the
 * largest packet), that is at most (weight × quantum + largest − 1) / smallest packets. Under drr the waiting vNIC
 * may need ⌈largest / (its weight × quantum)⌉ turns to earn its head packet. With packets of size 1 and a quantum of
 * 1 the bound is the sum of the other weights, as before sizes.
 */
export function dmaWaitBound(c: CheckConfig): number {
  const largest = c.sizes[c.sizes.length - 1]!;
  const smallest = c.sizes[0]!;
  const drr = c.dma === 'drr';
  const perVisit = c.weights.map((w) => (drr ? Math.floor((w * c.quantum + largest - 1) / smallest) : w));
  const total = perVisit.reduce((a, x) => a + x, 0);
  let bound = 0;
  c.weights.forEach((w, j) => {
    const turns = drr ? Math.ceil(largest / (w * c.quantum)) : 1;
    bound = Math.max(bound, turns * (total - perVisit[j]!));
  });
  return bound;
}
