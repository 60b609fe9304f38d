/**
 * Composition root for a simulation: scenario → machines (spec/) → simulator (src/sim) → per-VM report.
 * This is the one place (with the other src/cli modules) where the engines meet the specification.
 */
import type { MachineState } from '../machine/types.js';
import type { Probe } from '../network/network.js';
import { Counters, LatencyRecorder, simulate, type SimStop } from '../sim/index.js';
import { heldPerVm } from '../../properties/packets.js';
import { RuntimeMonitor, simulationShape } from '../../properties/runtime.js';
import { vmOfMac, type Packet } from '../../spec/packet.js';
import type { Arch, Calibration, CoreLayout, Scenario } from '../../spec/scenario.js';
import { buildSystem, type StepperKind } from '../../spec/system.js';

export interface VmReport {
  id: string;
  attachment: string;
  offered: number;
  admitted: number;
  rejected: Record<string, number>;
  dropped: number;
  droppedBy: Record<string, number>;
  delivered: number;
  /** Requests answered: replies that left on the wire. */
  completed: number;
  heldAtEnd: number;
  throughputPerS: number;
  deliveredPerS: number;
  latencyMs: { p50: number | null; p99: number | null; mean: number | null; max: number | null };
  txDropped: number;
}

export interface CpuReportOut {
  id: string;
  runs: string[];
  utilisation: number;
  /**
   * Each of `runs`' share of the window (they add up to `utilisation`): the VMM's and the driver domain's part of
   * cpu0. Always set by runSimulation; optional for reports built by hand.
   */
  byRun?: Record<string, number>;
}

export interface SimulationReport {
  scenario: string;
  arch: Arch;
  cores: CoreLayout;
  seed: number;
  durationS: number;
  stepper: StepperKind;
  outcome: 'ok' | 'violation' | 'spec-error';
  message?: string;
  stoppedAtS: number;
  events: number;
  vms: VmReport[];
  /** Packets addressed to MACs no VM owns (floods at unknown destinations). */
  unknownDestination: { offered: number; rejected: number; dropped: number };
  cpus: CpuReportOut[];
}

export interface SimulationOptions {
  scenario: Scenario;
  calibration: Calibration;
  arch: Arch;
  cores: CoreLayout;
  seed: number;
  durationS: number;
  stepper?: StepperKind;
  /** Runtime invariants are checked every this many events (and at the end). */
  monitorEvery?: number;
  onProgress?: (fraction: number) => void;
}

const round = (x: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

export function runSimulation(o: SimulationOptions): SimulationReport {
  const stepper = o.stepper ?? 'compiled';
  const sys = buildSystem(o.scenario, o.arch, o.cores, o.calibration, stepper);
  const n = sys.vmNames.length;
  const vmOf = (mac: number): number => vmOfMac(mac, n);
  const monitor = new RuntimeMonitor(simulationShape(sys));

  const tally = Array.from({ length: n }, () => ({ offered: 0, rejected: 0, dropped: 0, delivered: 0 }));
  const admitted = new Array<number>(n).fill(0);
  const completed = new Array<number>(n).fill(0);
  const txDropped = new Array<number>(n).fill(0);
  const rejectedBy = Array.from({ length: n }, () => new Counters());
  const droppedBy = Array.from({ length: n }, () => new Counters());
  const latency = Array.from({ length: n }, () => new LatencyRecorder(1 << 12));
  const attachment: string[] = sys.vmComponent.map(() => (o.arch === 'native' ? 'native' : 'none'));
  const unknown = { offered: 0, rejected: 0, dropped: 0 };

  const onProbe = (t: number, p: Probe, pre: readonly MachineState<unknown>[]): void => {
    monitor.onProbe(p, pre);
    const d = p.data as { packet?: Packet; reason?: string; vm?: string; kind?: string };
    const packet = d.packet;
    switch (p.name) {
      case 'rx.admitted':
      case 'rx.rejected': {
        const v = vmOf(packet!.dst);
        const rejected = p.name === 'rx.rejected';
        if (v < 0) {
          unknown.offered++;
          if (rejected) unknown.rejected++;
          return;
        }
        tally[v]!.offered++;
        if (rejected) {
          tally[v]!.rejected++;
          rejectedBy[v]!.inc(d.reason!);
        } else admitted[v]!++;
        return;
      }
      case 'rx.dropped': {
        const v = vmOf(packet!.dst);
        if (v < 0) {
          unknown.dropped++;
          return;
        }
        tally[v]!.dropped++;
        droppedBy[v]!.inc(d.reason!);
        return;
      }
      case 'packet.delivered': {
        const owner = vmOf(packet!.dst);
        if (owner >= 0) tally[owner]!.delivered++;
        return;
      }
      case 'wire.tx': {
        const v = vmOf(packet!.src);
        if (v >= 0 && packet!.kind === 'reply') {
          completed[v]!++;
          latency[v]!.record(t - packet!.bornNs);
        }
        return;
      }
      case 'tx.dropped': {
        const v = vmOf(packet!.src);
        if (v >= 0) txDropped[v]!++;
        return;
      }
      case 'vmm.attached': {
        const v = sys.vmComponent.indexOf(d.vm!);
        if (v >= 0) attachment[v] = d.kind!;
        return;
      }
      case 'vmm.refused': {
        const v = sys.vmComponent.indexOf(d.vm!);
        if (v >= 0) attachment[v] = `refused: ${d.reason}`;
        return;
      }
      default:
        return;
    }
  };

  const durationNs = Math.round(o.durationS * 1e9);
  const result = simulate({
    network: sys.network,
    cores: sys.cores,
    pinning: sys.pinning,
    demandNs: sys.demandNs,
    seed: o.seed,
    durationNs,
    kicks: sys.kicks,
    onProbe,
    monitor: (_t, states) => monitor.check(states),
    monitorEvery: o.monitorEvery ?? 4096,
    ...(o.onProgress ? { onProgress: (f: number) => o.onProgress!(f) } : {}),
  });

  const finalHeld = heldPerVm(sys.kinds, result.states.map((s) => s.context), vmOf, n);
  const windowS = result.endNs / 1e9;
  const outcome = (stop: SimStop): SimulationReport['outcome'] => (stop.kind === 'completed' ? 'ok' : stop.kind);
  const ms = (ns: number): number => round(ns / 1e6, 3);

  return {
    scenario: o.scenario.name,
    arch: o.arch,
    cores: o.cores,
    seed: o.seed,
    durationS: o.durationS,
    stepper,
    outcome: outcome(result.stop),
    ...(result.stop.kind !== 'completed' ? { message: result.stop.message } : {}),
    stoppedAtS: round(result.endNs / 1e9, 9),
    events: result.events,
    vms: sys.vmNames.map((id, v) => {
      const lat = latency[v]!;
      const has = lat.count > 0;
      return {
        id,
        attachment: attachment[v]!,
        offered: tally[v]!.offered,
        admitted: admitted[v]!,
        rejected: rejectedBy[v]!.toObject(),
        dropped: tally[v]!.dropped,
        droppedBy: droppedBy[v]!.toObject(),
        delivered: tally[v]!.delivered,
        completed: completed[v]!,
        heldAtEnd: finalHeld[v]!,
        throughputPerS: windowS > 0 ? round(completed[v]! / windowS, 3) : 0,
        deliveredPerS: windowS > 0 ? round(tally[v]!.delivered / windowS, 3) : 0,
        latencyMs: {
          p50: has ? ms(lat.percentile(50)) : null,
          p99: has ? ms(lat.percentile(99)) : null,
          mean: has ? ms(lat.mean()) : null,
          max: has ? ms(lat.max()) : null,
        },
        txDropped: txDropped[v]!,
      };
    }),
    unknownDestination: unknown,
    cpus: result.cpus.map((c, i) => {
      const runs = sys.coreRuns[i]!;
      const byRun: Record<string, number> = {};
      c.byComponent.forEach((b, k) => (byRun[runs[k]!] = round(result.endNs > 0 ? b.busyNs / result.endNs : 0, 4)));
      return { id: c.id, runs: [...runs], utilisation: round(c.utilisation, 4), byRun };
    }),
  };
}
