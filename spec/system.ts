/**
 * Assembles the machines of one architecture into a network the engines can run.
 *
 * - vnic (§3, Fig. 3): vNIC NIC + VMM + one native-driver VM per guest; each VM on its own core (multi-core) and
 *   the VMM on core 0, as in §5.
 * - xen-idd (§1–3 baseline): shared-buffer NIC owned by the driver domain; VMs are netfront guests bridged by it.
 *   The VMM has no vectors to give, so every VM is attached para-virtualized. Driver domain and VMM share core 0.
 * - native: the shared NIC driven by one non-virtualized OS serving every stream (reference).
 * - mixed (§3.1): vNIC NIC; the driver domain gets a vNIC of its own at boot, VMs get vNICs while vectors and memory
 *   last, and best-effort VMs beyond that are bridged through the driver domain.
 *
 * What each architecture gives its components at boot is decided in wiring.ts, shared with the checker; here the
 * quantities come from the scenario and its calibration.
 */
import { compileMachine, referenceStepper, type EventObject, type Stepper } from '../src/machine/index.js';
import { Network, type ComponentSpec } from '../src/network/network.js';
import type { AnyStateMachine } from 'xstate';
import { IDD_DEMAND_KEYS, driverDomainMachine } from './driver-domain.js';
import { classifierMachine } from './nic-classifier.js';
import { dmaMachine } from './nic-dma.js';
import { sharedNicMachine } from './nic-shared.js';
import { txMachine } from './nic-tx.js';
import type { NicPartKind, VnicQos } from './nic-vnic.js';
import { vnicMachine } from './vnic.js';
import { macOfVm } from './packet.js';
import { serviceTimeOf, type Arch, type Calibration, type CoreLayout, type Scenario } from './scenario.js';
import type { ServiceTime } from '../src/sim/service.js';
import { demandKeysOf, vmMachine, type DriverMode, type VmInput } from './vm-driver.js';
import { vmmMachine } from './vmm.js';
import {
  bootAttachments,
  driverDomainQos,
  hasDriverDomain,
  hasVnicNic,
  iddInput,
  sharedNicInput,
  vmId,
  vmInput,
  vmmInput,
  vnicNicComponents,
  type VmTraffic,
  type VnicResources,
} from './wiring.js';
import { closedLoopMachine, openLoopMachine, wireMachine, type ClosedLoopInput, type OpenLoopInput } from './workload.js';

/** What a component of a composed system is (its machine); the vNIC NIC is several (nic-vnic.ts): its classifier, DMA engine, transmit path and vNICs. */
export type ComponentKind = NicPartKind | 'nic-shared' | 'vmm' | 'vm' | 'idd' | 'os' | 'source' | 'wire';

/** How machines are stepped: `compiled` (fast; fast-check tests show it agrees with xstate) or `xstate` (the reference `transition()`). */
export type StepperKind = 'compiled' | 'xstate';

/** An event delivered at a given time to start a component (e.g. a traffic source's first tick). */
export interface Kick {
  readonly atNs: number;
  readonly to: number;
  readonly event: EventObject;
}

/** A scenario's machines composed for the simulator: the network, the cores and what runs where, per-operation CPU demands. */
export interface BuiltSystem {
  readonly network: Network;
  readonly kinds: readonly ComponentKind[];
  readonly cores: readonly string[];
  readonly pinning: readonly (number | undefined)[];
  /** What runs on each core, by display name. */
  readonly coreRuns: readonly (readonly string[])[];
  readonly kicks: readonly Kick[];
  /** Scenario VM names, by VM index; VM i owns MAC macOfVm(i). */
  readonly vmNames: readonly string[];
  /** Component id receiving each VM's packets ('vm0'…, or 'os' for native). */
  readonly vmComponent: readonly string[];
  readonly demandNs: (key: string) => ServiceTime;
}

const MACHINES = {
  'nic-classifier': classifierMachine,
  'nic-dma': dmaMachine,
  'nic-tx': txMachine,
  vnic: vnicMachine,
  'nic-shared': sharedNicMachine,
  vmm: vmmMachine,
  vm: vmMachine,
  os: vmMachine,
  idd: driverDomainMachine,
  openLoop: openLoopMachine,
  closedLoop: closedLoopMachine,
  wire: wireMachine,
} as const satisfies Record<string, AnyStateMachine>;

type MachineName = keyof typeof MACHINES;

const cache = new Map<string, Stepper<unknown, EventObject, unknown>>();

/** Steppers are stateless (apart from a referentially transparent memo), so one per machine and kind is shared. */
export function stepperFor(name: MachineName, kind: StepperKind): Stepper<unknown, EventObject, unknown> {
  const key = `${kind}:${name}`;
  let s = cache.get(key);
  if (s === undefined) {
    s = kind === 'compiled' ? compileMachine(MACHINES[name]) : referenceStepper(MACHINES[name]);
    cache.set(key, s);
  }
  return s;
}

export const bytesPerSecond = (mbps: number): number => (mbps * 1e6) / 8;

export function vnicQos(q: Scenario['vms'][number]['qos']): VnicQos {
  return { rate: bytesPerSecond(q.rateMbps), burst: q.burstBytes, capacity: q.partitionBytes, priority: q.priority, weight: q.weight };
}

const MODES: Readonly<Record<Arch, readonly DriverMode[]>> = { vnic: ['vnic'], 'xen-idd': ['netfront'], native: ['native'], mixed: ['vnic', 'netfront'] };

/** The driver modes VMs may run in under `arch` (mixed: a vNIC, or bridged through the driver domain). */
export const driverModesOf = (arch: Arch): readonly DriverMode[] => MODES[arch];

/**
 * Every calibration key a run of `arch` may ask a price for: the VMM's interrupt forwarding, the drivers' work in
 * each mode a VM may end up in, the driver domain's. A profile missing one of them cannot run that architecture.
 */
export function demandKeys(arch: Arch): readonly string[] {
  const keys = [...(arch !== 'native' ? ['vmm.forward'] : []), ...MODES[arch].flatMap(demandKeysOf), ...(hasDriverDomain(arch) ? IDD_DEMAND_KEYS : [])];
  return [...new Set(keys)];
}

/** The keys of `demandKeys(arch)` that `cal` has no price for. */
export function missingDemands(cal: Calibration, arch: Arch): string[] {
  return demandKeys(arch).filter((k) => serviceTimeOf(cal, k) === undefined);
}

/** Compose a scenario's machines for the simulator under one architecture and core layout, timed by the calibration. */
export function buildSystem(s: Scenario, arch: Arch, layout: CoreLayout, cal: Calibration, stepper: StepperKind = 'compiled'): BuiltSystem {
  const components: ComponentSpec[] = [];
  const kinds: ComponentKind[] = [];
  const display: string[] = [];
  const add = (id: string, kind: ComponentKind, machine: MachineName, input: unknown, name = id) => {
    components.push({ id, stepper: stepperFor(machine, stepper), input });
    kinds.push(kind);
    display.push(name);
  };
  const timing = { dmaSetupNs: cal.nic.dmaSetupNs, dmaNsPerByte: 1 / cal.nic.dmaBytesPerNs, wireNsPerByte: 8 / s.nic.linkGbps };
  const vmIds = s.vms.map((_, i) => vmId(i));
  const rings = { rxRing: s.nic.rxRing, txRing: s.nic.txRing };
  const device: VnicResources = { vectors: s.nic.msiVectors, memory: s.nic.memoryBytes };

  add('wire', 'wire', 'wire', { streams: s.streams.length, listening: s.streams.map((st) => st.kind === 'closed-loop') });
  if (hasVnicNic(arch)) {
    const o = { arbiter: s.nic.dmaArbiter, quantum: s.nic.drrQuantumBytes, timing, waitCap: 1_000_000_000 };
    for (const part of vnicNicComponents(device, o)) add(part.id, part.kind, part.kind, part.input);
  } else {
    add('nic', 'nic-shared', 'nic-shared', sharedNicInput(arch, s.nic.sharedBufferBytes, rings, timing));
  }
  if (arch !== 'native') add('vmm', 'vmm', 'vmm', vmmInput(arch, s.vms.length, device, rings));
  if (hasDriverDomain(arch)) add('idd', 'idd', 'idd', iddInput(arch, s.nic.rxRing), 'driver-domain');
  const traffic = (v: Scenario['vms'][number]): VmTraffic => ({
    replySize: v.replyBytes,
    txRate: v.txRateMbps === undefined ? 0 : bytesPerSecond(v.txRateMbps),
    txBurst: 64 * 1024,
  });
  if (arch === 'native') {
    const macs = s.vms.map((_, i) => macOfVm(i));
    const input: VmInput = { self: 'os', macs, ...traffic(s.vms[0]!), device: { id: 'nic', slot: 0, mode: 'native' } };
    add('os', 'os', 'os', input, 'os');
  } else {
    s.vms.forEach((v, i) => add(vmIds[i]!, 'vm', 'vm', vmInput(i, traffic(v)), v.name));
  }
  const streamStart: number[] = [];
  /** Arrivals per second of a stream; a flood without a rate runs at line rate for its packet size. */
  const rateOf = (st: Scenario['streams'][number]): number | undefined =>
    st.kind === 'closed-loop' ? undefined : st.kind === 'flood' ? (st.rate ?? (s.nic.linkGbps * 1e9) / 8 / st.packetBytes) : st.rate;
  s.streams.forEach((st, i) => {
    const dst = st.kind === 'flood' ? ('vm' in st.target ? macOfVm(s.vms.findIndex((v) => v.name === (st.target as { vm: string }).vm)) : st.target.mac) : macOfVm(s.vms.findIndex((v) => v.name === st.vm));
    const src = 0x1000 + i;
    // Without an explicit start, stream i starts i/n of its own period after 1 ms: two identical constant-rate
    // streams started almost together would stay phase-locked and split a shared bottleneck unfairly.
    const phasePeriodNs = 1e9 / (rateOf(st) ?? 10_000);
    streamStart.push(st.startS !== undefined ? Math.round(st.startS * 1e9) : 1_000_000 + Math.round((i / s.streams.length) * phasePeriodNs));
    if (st.kind === 'closed-loop') {
      const input: ClosedLoopInput = { stream: i, nic: 'nic', dst, src, size: st.requestBytes, thinkNs: Math.round(st.thinkMs * 1e6), timeoutNs: Math.round(st.timeoutMs * 1e6) };
      add(`stream${i}`, 'source', 'closedLoop', input);
    } else {
      const perSecond = rateOf(st)!;
      const input: OpenLoopInput = {
        stream: i,
        nic: 'nic',
        packetKind: st.kind === 'flood' ? 'flood' : 'request',
        dst,
        src,
        size: st.kind === 'flood' ? st.packetBytes : st.requestBytes,
        arrivals: { kind: st.arrivals, perSecond },
      };
      add(`stream${i}`, 'source', 'openLoop', input);
    }
  });

  const network = new Network(components);
  const kicks: Kick[] = [];
  if (arch !== 'native') {
    const vmm = network.index('vmm');
    // The driver domain's vNIC (mixed) carries every bridged VM's traffic: line rate, the shared NIC's buffer size.
    const iddQos = driverDomainQos((s.nic.linkGbps * 1e9) / 8, 256 * 1024, s.nic.sharedBufferBytes);
    const vms = s.vms.map((v) => ({ qos: vnicQos(v.qos), bestEffort: v.bestEffort, attached: v.attached }));
    for (const event of bootAttachments(arch, vms, iddQos)) kicks.push({ atNs: 0, to: vmm, event });
  }
  s.streams.forEach((_, i) => kicks.push({ atNs: streamStart[i]!, to: network.index(`stream${i}`), event: { type: 'client.tick', nowNs: 0 } as EventObject }));

  // Cores: single — everything on one; multi — the VMM/driver domain on core 0 and each VM on its own core (§5).
  const cpuKinds = new Set<ComponentKind>(['vmm', 'idd', 'vm', 'os']);
  const cores: string[] = [];
  const pinning: (number | undefined)[] = [];
  const coreRuns: string[][] = [];
  const coreOf = (name: string): number => {
    let i = cores.indexOf(name);
    if (i < 0) {
      i = cores.length;
      cores.push(name);
      coreRuns.push([]);
    }
    return i;
  };
  components.forEach((c, i) => {
    if (!cpuKinds.has(kinds[i]!)) {
      pinning.push(undefined);
      return;
    }
    const core = layout === 'single' || kinds[i] !== 'vm' ? coreOf('cpu0') : coreOf(`cpu${1 + vmIds.indexOf(c.id)}`);
    pinning.push(core);
    coreRuns[core]!.push(display[i]!);
  });

  return {
    network,
    kinds,
    cores,
    pinning,
    coreRuns,
    kicks,
    vmNames: s.vms.map((v) => v.name),
    vmComponent: arch === 'native' ? s.vms.map(() => 'os') : vmIds,
    demandNs: (key) => {
      const d = serviceTimeOf(cal, key);
      if (d === undefined) throw new Error(`calibration has no demand '${key}'`);
      return d;
    },
  };
}
