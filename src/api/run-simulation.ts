/**
 * Composition root for a simulation: scenario → machines (spec/) → simulator (src/sim) → per-VM report.
 * With the rest of src/api, the one place where the engines meet the specification (the command line is a layer
 * over src/api).
 */
import type { AnyStateMachine } from 'xstate';
import { compileMachine, referenceStepper } from '../machine/index.js';
import type { MachineState } from '../machine/types.js';
import { Network, type Probe } from '../network/network.js';
import { BatchSeries, halves, shifted } from '../sim/batches.js';
import { Counters, LatencyRecorder, simulate, type SimStop } from '../sim/index.js';
import { heldPerVm } from '../../properties/packets.js';
import { DEFAULT_WATCHDOG_NS, RuntimeMonitor, simulationShape } from '../../properties/runtime.js';
import { vmOfMac, type Packet } from '../../spec/packet.js';
import type { Arch, Calibration, CoreLayout, Scenario } from '../../spec/scenario.js';
import { buildSystem, type BuiltSystem, type ComponentKind, type StepperKind } from '../../spec/system.js';

/** One VM's traffic over the measurement window: what arrived, what the device and the driver domain did with it, and what was answered how fast. */
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
  /** Requests answered per second of the measurement window. */
  throughputPerS: number;
  deliveredPerS: number;
  /** (rejected + dropped) / offered within the window; null when nothing was offered. */
  lossFraction: number | null;
  /**
   * Response time of the requests answered in the window (request born → reply on the wire). Percentiles come
   * from a streaming HdrHistogram: at most 0.1 % above the exact nearest-rank sample; mean and max are exact.
   */
  latencyMs: { p50: number | null; p90: number | null; p99: number | null; p999: number | null; mean: number | null; max: number | null };
  txDropped: number;
}

/** A first-half vs second-half comparison over the measurement window that found a real shift. */
export interface SteadyStateWarning {
  vm: string;
  metric: 'throughput' | 'loss' | 'latency';
  first: number;
  second: number;
  message: string;
}

/** One core: what runs on it and how busy it was. */
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

/** One simulation's results, as `vnicspec simulate --json` prints them and `simulate()` resolves with: deterministic for a scenario and seed. */
export interface SimulationReport {
  scenario: string;
  arch: Arch;
  cores: CoreLayout;
  seed: number;
  durationS: number;
  /** Statistics cover [warmupS, durationS]: what happened before the cut is simulated but not counted. */
  warmupS: number;
  /** The calibration profile's description (its first sentence). */
  calibration: string;
  stepper: StepperKind;
  outcome: 'ok' | 'violation' | 'spec-error';
  message?: string;
  /**
   * Present when the run was stopped before `durationS` (Ctrl-C, a wall-clock timeout): the figures cover the
   * simulated window [0, stoppedAtS] only.
   */
  partial?: 'interrupted' | 'timeout';
  stoppedAtS: number;
  events: number;
  vms: VmReport[];
  /** Packets addressed to MACs no VM owns (floods at unknown destinations). */
  unknownDestination: { offered: number; rejected: number; dropped: number };
  /** Utilisation over the measurement window. */
  cpus: CpuReportOut[];
  /**
   * The steady-state check: the window cut into `batches` equal slices; each VM's throughput, loss and mean
   * latency compared between the first and second half (a warning when they moved by more than 4.78 standard
   * errors and a practical threshold: 2 % of throughput, 1 point of loss, 10 % of latency).
   */
  steadyState: { batches: number; ok: boolean; warnings: SteadyStateWarning[] };
  /** Things the user asked for that the model does differently (e.g. native ignores --cores multi). */
  notes: string[];
  /** What the model leaves out that bears on these numbers (see docs/calibration.md, "Not modelled"). */
  notModelled: string[];
}

export interface SimulationOptions {
  scenario: Scenario;
  calibration: Calibration;
  arch: Arch;
  cores: CoreLayout;
  seed: number;
  durationS: number;
  /** Warm-up cut in seconds (default 0): statistics cover [warmupS, durationS]; must be < durationS. */
  warmupS?: number;
  stepper?: StepperKind;
  /** Runtime invariants are checked every this many events (and at the end). */
  monitorEvery?: number;
  onProgress?: (fraction: number, eventsSoFar: number) => void;
  /** Stops the run early (a partial report); its reason, 'timeout' or else 'interrupted', is the report's `partial`. */
  signal?: AbortSignal;
  /**
   * The progress watchdog (properties/runtime.ts): a VM holding received packets with none delivered or dropped for
   * this many simulated seconds stops the run as a violation ('progress: …'). Default 1; 0 turns it off.
   */
  watchdogS?: number;
  /**
   * Run other machines for some kinds of component (compiled): a variant of the specified system, e.g. a planted bug
   * from spec/mutants/. Not on the command line; the report is that of the variant.
   */
  machines?: Partial<Record<ComponentKind, AnyStateMachine>>;
}

const round = (x: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** Batches of the steady-state check. */
export const STEADY_STATE_BATCHES = 20;

export function runSimulation(o: SimulationOptions): SimulationReport {
  const stepper = o.stepper ?? 'compiled';
  const warmupS = o.warmupS ?? 0;
  if (!(warmupS >= 0 && warmupS < o.durationS)) throw new RangeError(`warm-up must be >= 0 and below the duration (${o.durationS} s), got ${warmupS}`);
  const sys = withMachines(buildSystem(o.scenario, o.arch, o.cores, o.calibration, stepper), o.machines, stepper);
  const n = sys.vmNames.length;
  const vmOf = (mac: number): number => vmOfMac(mac, n);
  const watchdogS = o.watchdogS ?? DEFAULT_WATCHDOG_NS / 1e9;
  if (!(watchdogS >= 0 && Number.isFinite(watchdogS))) throw new RangeError(`watchdog must be a finite number of seconds >= 0, got ${watchdogS}`);
  const monitor = new RuntimeMonitor(simulationShape(sys), { watchdogNs: Math.round(watchdogS * 1e9) });
  const durationNs = Math.round(o.durationS * 1e9);
  const fromNs = Math.round(warmupS * 1e9);

  const tally = Array.from({ length: n }, () => ({ offered: 0, rejected: 0, dropped: 0, delivered: 0 }));
  const admitted = new Array<number>(n).fill(0);
  const completed = new Array<number>(n).fill(0);
  const txDropped = new Array<number>(n).fill(0);
  const rejectedBy = Array.from({ length: n }, () => new Counters());
  const droppedBy = Array.from({ length: n }, () => new Counters());
  const latency = Array.from({ length: n }, () => new LatencyRecorder());
  const batch = () => new BatchSeries(fromNs, durationNs, STEADY_STATE_BATCHES);
  const offeredB = Array.from({ length: n }, batch);
  const lostB = Array.from({ length: n }, batch);
  const repliesB = Array.from({ length: n }, batch);
  const attachment: string[] = sys.vmComponent.map(() => (o.arch === 'native' ? 'native' : 'none'));
  const unknown = { offered: 0, rejected: 0, dropped: 0 };

  const onProbe = (t: number, p: Probe, pre: readonly MachineState<unknown>[]): void => {
    monitor.onProbe(p, pre, t);
    const d = p.data as { packet?: Packet; reason?: string; vm?: string; kind?: string };
    // Attachments are state, whenever they happen; traffic counts only inside the measurement window.
    if (p.name === 'vmm.attached' || p.name === 'vmm.refused') {
      const v = sys.vmComponent.indexOf(d.vm!);
      if (v >= 0) attachment[v] = p.name === 'vmm.attached' ? d.kind! : `refused: ${d.reason}`;
      return;
    }
    if (t < fromNs) return;
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
        offeredB[v]!.add(t);
        if (rejected) {
          tally[v]!.rejected++;
          rejectedBy[v]!.inc(d.reason!);
          lostB[v]!.add(t);
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
        lostB[v]!.add(t);
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
          repliesB[v]!.add(t, t - packet!.bornNs);
        }
        return;
      }
      case 'tx.dropped': {
        const v = vmOf(packet!.src);
        if (v >= 0) txDropped[v]!++;
        return;
      }
      default:
        return;
    }
  };

  const result = simulate({
    network: sys.network,
    cores: sys.cores,
    pinning: sys.pinning,
    demandNs: sys.demandNs,
    seed: o.seed,
    durationNs,
    measureFromNs: fromNs,
    kicks: sys.kicks,
    onProbe,
    monitor: (t, states) => monitor.check(states, t),
    monitorEvery: o.monitorEvery ?? 4096,
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });

  const finalHeld = heldPerVm(sys.kinds, result.states.map((s) => s.context), vmOf, n);
  const windowS = Math.max(0, result.endNs - fromNs) / 1e9;
  const outcome = (stop: SimStop): SimulationReport['outcome'] => (stop.kind === 'completed' || stop.kind === 'interrupted' ? 'ok' : stop.kind);
  const stop = result.stop;
  const ms = (ns: number): number => round(ns / 1e6, 3);
  const warnings = result.stop.kind === 'completed' ? steadyStateWarnings(sys.vmNames, offeredB, lostB, repliesB) : [];

  return {
    scenario: o.scenario.name,
    arch: o.arch,
    cores: o.cores,
    seed: o.seed,
    durationS: o.durationS,
    warmupS,
    calibration: firstSentence(o.calibration.description),
    stepper,
    outcome: outcome(result.stop),
    ...(stop.kind === 'violation' || stop.kind === 'spec-error' ? { message: stop.message } : {}),
    ...(stop.kind === 'interrupted' ? { partial: stop.reason === 'timeout' ? ('timeout' as const) : ('interrupted' as const) } : {}),
    stoppedAtS: round(result.endNs / 1e9, 9),
    events: result.events,
    vms: sys.vmNames.map((id, v) => {
      const lat = latency[v]!;
      const has = lat.count > 0;
      const pct = (p: number): number | null => (has ? ms(lat.percentile(p)) : null);
      const t = tally[v]!;
      return {
        id,
        attachment: attachment[v]!,
        offered: t.offered,
        admitted: admitted[v]!,
        rejected: rejectedBy[v]!.toObject(),
        dropped: t.dropped,
        droppedBy: droppedBy[v]!.toObject(),
        delivered: t.delivered,
        completed: completed[v]!,
        heldAtEnd: finalHeld[v]!,
        throughputPerS: windowS > 0 ? round(completed[v]! / windowS, 3) : 0,
        deliveredPerS: windowS > 0 ? round(t.delivered / windowS, 3) : 0,
        lossFraction: t.offered > 0 ? round((t.rejected + t.dropped) / t.offered, 6) : null,
        latencyMs: { p50: pct(50), p90: pct(90), p99: pct(99), p999: pct(99.9), mean: has ? ms(lat.mean()) : null, max: has ? ms(lat.max()) : null },
        txDropped: txDropped[v]!,
      };
    }),
    unknownDestination: unknown,
    cpus: result.cpus.map((c, i) => {
      const runs = sys.coreRuns[i]!;
      const byRun: Record<string, number> = {};
      const windowNs = result.endNs - Math.min(fromNs, result.endNs);
      c.byComponent.forEach((b, k) => (byRun[runs[k]!] = round(windowNs > 0 ? b.busyNs / windowNs : 0, 4)));
      return { id: c.id, runs: [...runs], utilisation: round(c.utilisation, 4), byRun };
    }),
    steadyState: { batches: STEADY_STATE_BATCHES, ok: warnings.length === 0, warnings },
    notes: o.arch === 'native' && o.cores === 'multi' ? [NATIVE_ONE_CORE] : [],
    notModelled: notModelled(o.arch),
  };
}

/** `sys` with the components of some kinds running other machines (`SimulationOptions.machines`). */
function withMachines(sys: BuiltSystem, machines: SimulationOptions['machines'], stepper: StepperKind): BuiltSystem {
  if (machines === undefined) return sys;
  const components = sys.network.components.map((c, i) => {
    const m = machines[sys.kinds[i]!];
    return m === undefined ? c : { ...c, stepper: stepper === 'xstate' ? referenceStepper(m) : compileMachine(m) };
  });
  return { ...sys, network: new Network(components) };
}

const firstSentence = (text: string): string => {
  const i = text.search(/\.(\s|$)/);
  return i < 0 ? text : text.slice(0, i + 1);
};

export const NATIVE_ONE_CORE =
  'native runs on one core (cpu0) whatever --cores says: the paper\'s non-virtualized server (section 2) is a single-core machine, and the model has one OS whose driver and server share that core; spreading a native OS over cores (receive-side scaling, one server thread per core) is not part of the paper';

/** What the model leaves out, by architecture (docs/calibration.md, "Not modelled", shows what each would change). */
export function notModelled(arch: Arch): string[] {
  const out = [
    'inbound wire time: requests reach the NIC without serialisation delay (~1.3 us per 128-byte request at 1 Gb/s)',
    'TCP/httperf connection set-up: no SYN/FIN packets; their CPU cost is inside the calibrated per-request demands',
  ];
  if (arch !== 'native') out.push('Xen scheduler and event-channel costs: no domain switch, hypercall or notification is charged');
  return out;
}

/** First half vs second half of the window, per VM: throughput, loss and mean latency. */
function steadyStateWarnings(names: readonly string[], offered: readonly BatchSeries[], lost: readonly BatchSeries[], replies: readonly BatchSeries[]): SteadyStateWarning[] {
  const out: SteadyStateWarning[] = [];
  names.forEach((vm, v) => {
    const r = replies[v]!;
    const sec = r.batchSeconds;
    const tput = halves(Array.from(r.counts, (c) => c / sec));
    if (tput !== undefined && shifted(tput, 0.02 * Math.max(tput.first, tput.second, 1))) {
      out.push({ vm, metric: 'throughput', first: round(tput.first, 1), second: round(tput.second, 1), message: `${vm}: throughput ${tput.first.toFixed(1)} -> ${tput.second.toFixed(1)} requests/s` });
    }
    const o = offered[v]!;
    const loss = halves(Array.from(o.counts, (c, i) => (c > 0 ? lost[v]!.counts[i]! / c : undefined)));
    if (loss !== undefined && shifted(loss, 0.01)) {
      out.push({ vm, metric: 'loss', first: round(loss.first, 4), second: round(loss.second, 4), message: `${vm}: loss ${(100 * loss.first).toFixed(1)}% -> ${(100 * loss.second).toFixed(1)}%` });
    }
    const lat = halves(Array.from(r.counts, (c, i) => (c > 0 ? r.sums[i]! / c / 1e6 : undefined)));
    if (lat !== undefined && shifted(lat, 0.1 * Math.max(lat.first, lat.second))) {
      out.push({ vm, metric: 'latency', first: round(lat.first, 3), second: round(lat.second, 3), message: `${vm}: mean latency ${lat.first.toFixed(2)} -> ${lat.second.toFixed(2)} ms` });
    }
  });
  return out;
}
