/**
 * A deterministic discrete-event simulator for a `Network` of machines. It knows nothing about NICs.
 *
 * Virtual time is integer nanoseconds. The event queue holds two kinds of entries, ordered by (time, insertion):
 * - a message: `event` for component `to` (a delayed send — "timer" — or an external kick), delivered with
 *   `network.deliver`, which also runs the synchronous cascade it starts;
 * - a CPU job completion on a core: the job's `then` is delivered to the component that asked for the work, and
 *   the next job waiting on that core (FIFO, non-preemptive) starts.
 *
 * What a delivery leaves for later (`Deferred`) is scheduled at the delivery's time t:
 * - a timer with a fixed delay d (rounded to an integer ns) at t + d; with `{ exponentialMeanNs: m }` at
 *   t + `streamFor(seed, 'timer:' + senderId).exponential(m)` — one stream per sending component;
 * - work goes to the emitting component's core (per `pinning`); on an idle core it starts at t and completes at
 *   t + demand, where demand is the rounded sum of one draw of `demandNs(key)` per key: a deterministic cost is
 *   itself, a distribution (service.ts) is drawn from `streamFor(seed, 'work:' + componentId)` — one stream per
 *   component, so a component's service times do not depend on who else draws.
 *
 * Start-up: `network.initial()`'s deferred items are scheduled at t = 0 and its probes reported at 0, then the
 * kicks are queued, in the order given (so at equal times initial timers come before kicks).
 *
 * Stopping: the run ends `completed` when the next entry lies past `durationNs` (entries at exactly `durationNs`
 * are delivered) or when the queue runs dry (`quiescent`); either way `endNs` = `durationNs`, as in SimPy's
 * `run(until)`: the observation window, over which utilisation is computed. With `durationNs: Infinity` the run
 * goes to quiescence and `endNs` is the last event's time. The run ends early, with `endNs` = the stopping
 * event's time, on `violation` when the monitor reports one (`states` include the violating step), and on
 * `spec-error` when the specification misbehaves: a synchronous message not handled by its receiver, a bad
 * output, an invalid delay, work from a component without a core, or a demand key without a calibrated cost
 * (`states` are those after the last completed delivery). A message or job completion that its receiver does not accept at all (`disabled`)
 * is not an error — a machine may ignore a stale timer — and is counted in `ignored`. Finally `signal` (Ctrl-C, a
 * wall-clock timeout) ends it `interrupted` at the time of the last event delivered, after a last monitor check:
 * `signal.aborted` is read every 128 events, so a polling signal (Ctrl-C, a deadline) is seen within 128 events.
 *
 * Time stamping: machines do not read a clock. Every event this simulator delivers (timer, job completion, kick)
 * that has an own `nowNs` field is delivered with `nowNs` set to the delivery time; the explorer leaves it as sent.
 *
 * Everything is deterministic: same options (and same machines) → the same result, deep-equal.
 * The loop allocates nothing of its own per event: heap entries are the network's own `Deferred` objects, the
 * caller's kicks, or a core index for job completions.
 */
import type { EventObject, MachineState } from '../machine/types.js';
import type { Deferred, DeliverResult, Network, Probe } from '../network/network.js';
import { Core, DemandError, serviceOf } from './cpu.js';
import { EventHeap } from './heap.js';
import { streamFor, type RandomStream } from './rng.js';
import { draw, isRandom, type ServiceTime } from './service.js';

export interface Kick {
  readonly atNs: number;
  readonly to: number;
  readonly event: EventObject;
}

export interface SimOptions {
  readonly network: Network;
  /** Core ids, e.g. `['core0', 'core1']`. */
  readonly cores: readonly string[];
  /** Per component index: index into `cores`, or `undefined` for hardware without a CPU (which may not emit work). */
  readonly pinning: readonly (number | undefined)[];
  /**
   * Calibrated cost of a demand key: ns, or a distribution with a mean in ns (service.ts). A key without a valid
   * one (a throw, a number that is not finite and ≥ 0, a malformed distribution) is a spec-error. Looked up once
   * per key and run (the function must be pure).
   */
  readonly demandNs: (key: string) => ServiceTime;
  /** Any safe integer. */
  readonly seed: number;
  /** Horizon: the run stops when the next event lies past this time; `Infinity` runs until the queue is empty. */
  readonly durationNs: number;
  /** External first events (workload starts). */
  readonly kicks?: readonly Kick[];
  /**
   * Every probe, in order, with the time of the delivery that produced it and the machines' states before that
   * delivery (a step invariant may need them; start-up's probes come with the initial states).
   */
  readonly onProbe?: (timeNs: number, probe: Probe, pre: readonly MachineState<unknown>[]) => void;
  /**
   * Runtime invariant; a returned string is a violation and stops the run. Called after start-up (t = 0), every
   * `monitorEvery` accepted deliveries, and at the end of a completed run. `probes` are those produced since the
   * previous call (the array is reused: copy what you keep).
   */
  readonly monitor?: (timeNs: number, states: readonly MachineState<unknown>[], probes: readonly Probe[]) => string | undefined;
  /** Call `monitor` every N accepted deliveries (default 1). */
  readonly monitorEvery?: number;
  /**
   * Start of the measurement window (a warm-up cut), default 0: CPU busy time and utilisation are reported over
   * [measureFromNs, endNs] only. Must not exceed `durationNs`.
   */
  readonly measureFromNs?: number;
  /** Called about every 2^16 events, with the fraction of `durationNs` simulated so far; and with 1 at the end. */
  readonly onProgress?: (fraction: number, eventsSoFar: number) => void;
  /** Stops the run (`interrupted`, a partial result) once `aborted`; read every 128 events. */
  readonly signal?: AbortSignal;
}

export type SimStop =
  | { readonly kind: 'completed' }
  | { readonly kind: 'violation'; readonly atNs: number; readonly message: string }
  | { readonly kind: 'spec-error'; readonly atNs: number; readonly message: string }
  /** Stopped by `signal` at `atNs`, the last event's time; `reason` is the signal's. */
  | { readonly kind: 'interrupted'; readonly atNs: number; readonly reason: unknown };

export interface CpuReport {
  readonly id: string;
  /** Busy time within the measurement window [measureFromNs, endNs]. */
  readonly busyNs: number;
  /** busyNs / (endNs − measureFromNs) (0 for an empty window). */
  readonly utilisation: number;
  /** The components pinned to this core, in index order. */
  readonly byComponent: readonly { readonly component: number; readonly busyNs: number }[];
}

export interface SimResult {
  readonly stop: SimStop;
  /**
   * End of the observation window: `durationNs` for a completed run (the last event's time if `durationNs` is
   * Infinity); the stopping event's time for a violation or spec-error.
   */
  readonly endNs: number;
  /** Time of the last delivered event (0 if none). */
  readonly lastEventNs: number;
  /** Number of `network.deliver` calls. */
  readonly events: number;
  /** Deliveries the receiver did not accept (`disabled`): stale timers, kicks or job completions. */
  readonly ignored: number;
  /** Of `ignored`, how many were CPU job completions (a machine that asks for work usually expects the result). */
  readonly ignoredCompletions: number;
  /** The event queue ran dry before the horizon. */
  readonly quiescent: boolean;
  readonly states: readonly MachineState<unknown>[];
  readonly cpus: readonly CpuReport[];
}

/** A queued message: a timer `Deferred` from the network or a kick — both carry `to` and `event`. */
interface Message {
  readonly to: number;
  readonly event: EventObject;
}

/** Heap payload: a message, or the index of a core whose running job completes. */
type Entry = Message | number;

const PROGRESS_MASK = 0xffff;
const SIGNAL_MASK = 0x7f;

export function simulate(options: SimOptions): SimResult {
  const { network, durationNs, seed, demandNs, onProbe, monitor, onProgress, signal } = options;
  const components = network.components;
  const nComponents = components.length;
  validate(options, nComponents);
  const monitorEvery = options.monitorEvery ?? 1;

  const cores = options.cores.map((id) => new Core(id, nComponents));
  const pinning = options.pinning;
  const timerStreams: (RandomStream | undefined)[] = new Array<RandomStream | undefined>(nComponents).fill(undefined);
  const workStreams: (RandomStream | undefined)[] = new Array<RandomStream | undefined>(nComponents).fill(undefined);
  // Each key is validated once; a random one is drawn per job from the emitting component's own stream.
  const services = new Map<string, ServiceTime>();
  const serviceFor = (key: string): ServiceTime => {
    let sv = services.get(key);
    if (sv === undefined) {
      sv = serviceOf(key, demandNs);
      services.set(key, sv);
    }
    return sv;
  };
  const drawOne = (key: string, c: number): number => {
    const sv = serviceFor(key);
    if (typeof sv === 'number') return sv;
    let stream: RandomStream | undefined;
    if (isRandom(sv)) {
      stream = workStreams[c];
      if (stream === undefined) {
        stream = streamFor(seed, 'work:' + components[c]!.id);
        workStreams[c] = stream;
      }
    }
    return draw(sv, stream);
  };
  const jobNs = (demand: string | readonly string[], c: number): number => {
    if (typeof demand === 'string') return Math.round(drawOne(demand, c));
    let sum = 0;
    for (let i = 0; i < demand.length; i++) sum += drawOne(demand[i]!, c);
    return Math.round(sum);
  };
  const heap = new EventHeap<Entry>(4096);

  let states: readonly MachineState<unknown>[] = [];
  let now = 0;
  let events = 0;
  let ignored = 0;
  let ignoredCompletions = 0;
  let sinceMonitor = 0;
  // With monitorEvery > 1 the probes between monitor calls are collected here.
  const pendingProbes: Probe[] = [];
  let stop: SimStop | undefined;

  const nameOf = (i: number): string => `'${components[i]?.id ?? `#${i}`}'`;
  const specError = (message: string): SimStop => ({ kind: 'spec-error', atNs: now, message: `at ${now} ns: ${message}` });

  /** Schedules a delivery's deferred items at `now`; returns an error stop or undefined. */
  const schedule = (deferred: readonly Deferred[]): SimStop | undefined => {
    for (let i = 0; i < deferred.length; i++) {
      const d = deferred[i]!;
      if (d.kind === 'timer') {
        const delay = d.delay;
        let dt: number;
        if (typeof delay === 'number') {
          if (!(delay >= 0) || delay === Infinity) {
            return specError(`component ${nameOf(d.from)} sent '${d.event.type}' to ${nameOf(d.to)} with invalid delay ${delay}`);
          }
          dt = Math.round(delay);
        } else {
          const mean = delay.exponentialMeanNs;
          if (!(mean > 0) || mean === Infinity) {
            return specError(`component ${nameOf(d.from)} sent '${d.event.type}' to ${nameOf(d.to)} with invalid exponential mean ${mean}`);
          }
          let stream = timerStreams[d.from];
          if (stream === undefined) {
            stream = streamFor(seed, 'timer:' + components[d.from]!.id);
            timerStreams[d.from] = stream;
          }
          dt = stream.exponential(mean);
        }
        heap.push(now + dt, d);
      } else {
        const c = d.component;
        const coreIndex = pinning[c];
        if (coreIndex === undefined) {
          return specError(`component ${nameOf(c)} emitted work ${JSON.stringify(d.demand)} (then '${d.then.type}') but is not pinned to a core`);
        }
        let demand: number;
        try {
          demand = jobNs(d.demand, c);
        } catch (e) {
          if (e instanceof DemandError) return specError(`component ${nameOf(c)} emitted work with ${e.message}`);
          throw e;
        }
        const end = cores[coreIndex]!.submit(c, demand, d.then, now);
        if (end >= 0) heap.push(end, coreIndex);
      }
    }
    return undefined;
  };

  const reportProbes = (probes: readonly Probe[], pre: readonly MachineState<unknown>[]): void => {
    if (onProbe !== undefined) for (let i = 0; i < probes.length; i++) onProbe(now, probes[i]!, pre);
    if (monitor !== undefined && monitorEvery !== 1) for (let i = 0; i < probes.length; i++) pendingProbes.push(probes[i]!);
  };

  const runMonitor = (probes: readonly Probe[]): SimStop | undefined => {
    if (monitor === undefined) return undefined;
    const message = monitor(now, states, probes);
    pendingProbes.length = 0;
    sinceMonitor = 0;
    return message === undefined ? undefined : { kind: 'violation', atNs: now, message };
  };

  /** A specification error from a cascade; `origin` says which, e.g. "(initial entry actions)". */
  const failure = (r: Exclude<DeliverResult, { kind: 'ok' | 'disabled' }>, origin: string): SimStop => {
    if (r.kind === 'unhandled') {
      return specError(`component ${nameOf(r.component)} in state '${r.state}' did not handle synchronous event '${r.event.type}' ${origin}`);
    }
    return specError(`component ${nameOf(r.component)}, action '${r.action}': bad output: ${r.reason} ${origin}`);
  };

  // Start-up.
  const init = network.initial();
  if (init.kind === 'ok') {
    states = init.states;
    stop = schedule(init.deferred);
    if (stop === undefined) {
      reportProbes(init.probes, states);
      stop = runMonitor(monitorEvery === 1 ? init.probes : pendingProbes);
    }
  } else if (init.kind === 'disabled') {
    stop = specError('network.initial() reported disabled');
  } else {
    stop = failure(init, '(initial entry actions)');
    states = components.map((c) => c.stepper.initial(c.input).state);
  }
  if (stop === undefined && options.kicks !== undefined) {
    for (const k of options.kicks) heap.push(k.atNs, k);
  }

  // Busy time of each core (and component) at the start of the measurement window, taken just before the first
  // event past it: no event happens in between, so the cores' state is the one at measureFromNs.
  const measureFrom = options.measureFromNs ?? 0;
  let baseline: { core: number; byComponent: Float64Array }[] | undefined;
  const takeBaseline = (): void => {
    if (baseline !== undefined) return;
    baseline = cores.map((core) => {
      const byComponent = new Float64Array(nComponents);
      for (let c = 0; c < nComponents; c++) byComponent[c] = core.busyNsOfComponentAt(c, measureFrom);
      return { core: core.busyNsAt(measureFrom), byComponent };
    });
  };

  // Main loop.
  let quiescent = false;
  if (stop === undefined) {
    for (;;) {
      if (heap.size === 0) {
        quiescent = true;
        break;
      }
      const t = heap.peekTime();
      if (t > durationNs) break;
      if (t > measureFrom && baseline === undefined) takeBaseline();
      const entry = heap.pop()!;
      now = t;
      let to: number;
      let event: EventObject;
      let completion = false;
      if (typeof entry === 'number') {
        const core = cores[entry]!;
        event = core.complete(t);
        to = core.completedComponent;
        if (core.running) heap.push(core.runningEndNs, entry);
        completion = true;
      } else {
        to = entry.to;
        event = entry.event;
      }
      events++;
      // Machines do not see the clock; an event that declares `nowNs` is told the time it is delivered at.
      if ('nowNs' in event) event = { ...event, nowNs: t } as EventObject;
      const r = network.deliver(states, to, event);
      if (r.kind === 'ok') {
        const pre = states;
        states = r.states;
        if (r.deferred.length > 0) {
          stop = schedule(r.deferred);
          if (stop !== undefined) break;
        }
        if (r.probes.length > 0) reportProbes(r.probes, pre);
        if (monitor !== undefined && ++sinceMonitor >= monitorEvery) {
          stop = runMonitor(monitorEvery === 1 ? r.probes : pendingProbes);
          if (stop !== undefined) break;
        }
      } else if (r.kind === 'disabled') {
        ignored++;
        if (completion) ignoredCompletions++;
      } else {
        stop = failure(r, `(cascade of '${event.type}' delivered to ${nameOf(to)})`);
        break;
      }
      if (onProgress !== undefined && (events & PROGRESS_MASK) === 0) onProgress(durationNs > 0 ? Math.min(1, now / durationNs) : 1, events);
      if (signal !== undefined && (events & SIGNAL_MASK) === 0 && signal.aborted) {
        stop = runMonitor(pendingProbes) ?? { kind: 'interrupted', atNs: now, reason: signal.reason };
        break;
      }
    }
  }

  const lastEventNs = now;
  if (stop === undefined) {
    if (durationNs !== Infinity) now = durationNs;
    stop = runMonitor(pendingProbes) ?? { kind: 'completed' };
    onProgress?.(1, events);
  }

  const endNs = now;
  // A run that stopped before the window opened has an empty window.
  const from = Math.min(measureFrom, endNs);
  if (baseline === undefined && measureFrom <= endNs) takeBaseline();
  const windowNs = endNs - from;
  const cpus: CpuReport[] = cores.map((core, ci) => {
    const base = baseline?.[ci];
    const busyNs = base === undefined ? 0 : core.busyNsAt(endNs) - base.core;
    const byComponent: { component: number; busyNs: number }[] = [];
    for (let c = 0; c < nComponents; c++) {
      if (pinning[c] === ci) byComponent.push({ component: c, busyNs: base === undefined ? 0 : core.busyNsOfComponentAt(c, endNs) - base.byComponent[c]! });
    }
    return { id: core.id, busyNs, utilisation: windowNs > 0 ? busyNs / windowNs : 0, byComponent };
  });

  return { stop, endNs, lastEventNs, events, ignored, ignoredCompletions, quiescent, states, cpus };
}

function validate(options: SimOptions, nComponents: number): void {
  const { cores, pinning, durationNs, kicks, monitorEvery } = options;
  if (!Number.isSafeInteger(options.seed)) throw new RangeError(`seed must be a safe integer, got ${options.seed}`);
  if (!(durationNs >= 0)) throw new RangeError(`durationNs must be >= 0, got ${durationNs}`);
  const from = options.measureFromNs;
  if (from !== undefined && !(from >= 0 && from <= durationNs && from !== Infinity)) {
    throw new RangeError(`measureFromNs must be in [0, durationNs], got ${from}`);
  }
  if (new Set(cores).size !== cores.length) throw new RangeError('core ids must be unique');
  if (pinning.length !== nComponents) {
    throw new RangeError(`pinning has ${pinning.length} entries for ${nComponents} components`);
  }
  for (let c = 0; c < pinning.length; c++) {
    const p = pinning[c];
    if (p !== undefined && !(Number.isInteger(p) && p >= 0 && p < cores.length)) {
      throw new RangeError(`pinning of component #${c} is ${p}, not a core index below ${cores.length}`);
    }
  }
  if (monitorEvery !== undefined && !(Number.isInteger(monitorEvery) && monitorEvery >= 1)) {
    throw new RangeError(`monitorEvery must be a positive integer, got ${monitorEvery}`);
  }
  if (kicks !== undefined) {
    for (const k of kicks) {
      if (!(k.atNs >= 0) || k.atNs === Infinity) throw new RangeError(`kick '${k.event.type}' at invalid time ${k.atNs}`);
      if (!(Number.isInteger(k.to) && k.to >= 0 && k.to < nComponents)) throw new RangeError(`kick '${k.event.type}' to unknown component #${k.to}`);
    }
  }
}
