/**
 * A network of machines: components, each a stepped machine, talking through the Output protocol.
 *
 * `deliver` is the one step both engines take: it hands an event to a component and runs the synchronous cascade
 * (undelayed sends, first in first out) to quiescence. What is left for later — delayed sends and CPU work — comes
 * back as `Deferred` items; the simulator times them, the explorer keeps them as pending nondeterministic steps.
 * Because a simulator step and an explorer step are the same `deliver` call, a trace from either replays in both.
 */
import type { EventObject, MachineState, Stepper } from '../machine/types.js';
import { isOutput, type Delay, type Output } from './outputs.js';

/** Where `routeAll` puts a step's synchronous sends. */
export interface SendSink {
  send(to: number, event: EventObject): void;
}

export interface ComponentSpec {
  readonly id: string;
  readonly stepper: Stepper<unknown, EventObject, unknown>;
  readonly input: unknown;
}

export type Deferred =
  | { readonly kind: 'timer'; readonly from: number; readonly to: number; readonly event: EventObject; readonly delay: Delay }
  | { readonly kind: 'work'; readonly component: number; readonly demand: string | readonly string[]; readonly then: EventObject };

export interface Probe {
  readonly component: number;
  readonly name: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** One machine transition inside a cascade, for traces. */
export interface MicroStep {
  /** The component whose synchronous send this is; -1 for the delivered event itself. */
  readonly from: number;
  readonly component: number;
  readonly event: EventObject;
  readonly actions: readonly string[];
}

export type DeliverResult =
  | {
      readonly kind: 'ok';
      readonly states: readonly MachineState<unknown>[];
      readonly deferred: readonly Deferred[];
      readonly probes: readonly Probe[];
      readonly micro: readonly MicroStep[] | undefined;
    }
  /** The first event is not accepted in the target's current state: the step is not enabled. */
  | { readonly kind: 'disabled' }
  /** A synchronous message was refused by its receiver: a specification error, never silently dropped. */
  | { readonly kind: 'unhandled'; readonly component: number; readonly event: EventObject; readonly state: string }
  | { readonly kind: 'bad-output'; readonly component: number; readonly action: string; readonly reason: string };

/** A synchronous send waiting in a cascade, with its sender (for traces). */
interface Queued {
  readonly to: number;
  readonly event: EventObject;
  readonly from: number;
}

/** A synchronous cascade this long is a send loop in the specification, reported as a bad output. */
export const MAX_CASCADE = 100_000;

export function cascadeTooLong(component: number, event: EventObject): Exclude<DeliverResult, { kind: 'ok' }> {
  return { kind: 'bad-output', component, action: event.type, reason: `synchronous cascade longer than ${MAX_CASCADE} steps` };
}

export class Network {
  readonly components: readonly ComponentSpec[];
  private readonly indexOf: Map<string, number>;

  constructor(components: readonly ComponentSpec[]) {
    this.components = components;
    this.indexOf = new Map(components.map((c, i) => [c.id, i]));
    if (this.indexOf.size !== components.length) throw new Error('component ids must be unique');
  }

  index(id: string): number {
    const i = this.indexOf.get(id);
    if (i === undefined) throw new Error(`unknown component '${id}'`);
    return i;
  }

  /** Initial states; the initial entry actions' outputs are processed like a cascade's. */
  initial(): DeliverResult {
    const states: MachineState<unknown>[] = [];
    const deferred: Deferred[] = [];
    const probes: Probe[] = [];
    const queue: Queued[] = [];
    for (let i = 0; i < this.components.length; i++) {
      const c = this.components[i]!;
      const r = c.stepper.initial(c.input);
      states.push(r.state);
      const bad = this.route(i, r.emitted, queue, deferred, probes);
      if (bad) return bad;
    }
    return this.cascade(states, queue, deferred, probes, undefined);
  }

  /**
   * Deliver `event` to component `to`. `states` is not modified; the result holds a new array.
   * With `trace` set, every machine transition of the cascade is reported in `micro`.
   */
  deliver(states: readonly MachineState<unknown>[], to: number, event: EventObject, trace = false): DeliverResult {
    const first = this.components[to]!.stepper.step(states[to]!, event);
    if (first === undefined) return { kind: 'disabled' };
    const next = states.slice();
    next[to] = first.state;
    const queue: Queued[] = [];
    const deferred: Deferred[] = [];
    const probes: Probe[] = [];
    const micro: MicroStep[] | undefined = trace ? [{ from: -1, component: to, event, actions: first.emitted.map((e) => e.type) }] : undefined;
    const bad = this.route(to, first.emitted, queue, deferred, probes);
    if (bad) return bad;
    return this.cascade(next, queue, deferred, probes, micro);
  }

  private cascade(
    states: MachineState<unknown>[],
    queue: Queued[],
    deferred: Deferred[],
    probes: Probe[],
    micro: MicroStep[] | undefined,
  ): DeliverResult {
    for (let head = 0; head < queue.length; head++) {
      if (head >= MAX_CASCADE) {
        const m = queue[head]!;
        return cascadeTooLong(m.to, m.event);
      }
      const { to, event, from } = queue[head]!;
      const r = this.components[to]!.stepper.step(states[to]!, event);
      if (r === undefined) return { kind: 'unhandled', component: to, event, state: states[to]!.value };
      states[to] = r.state;
      if (micro) micro.push({ from, component: to, event, actions: r.emitted.map((e) => e.type) });
      const bad = this.route(to, r.emitted, queue, deferred, probes);
      if (bad) return bad;
    }
    return { kind: 'ok', states, deferred, probes, micro };
  }

  private route(
    from: number,
    emitted: readonly { type: string; params: unknown }[],
    queue: Queued[],
    deferred: Deferred[],
    probes: Probe[],
  ): DeliverResult | undefined {
    // One sink object reused for every step (the simulator routes millions): no closure per call.
    this.sink.queue = queue;
    this.sink.from = from;
    return this.routeAll(from, emitted, this.sink, deferred, probes);
  }

  private readonly sink = {
    queue: [] as Queued[],
    from: -1,
    send(to: number, event: EventObject): void {
      this.queue.push({ to, event, from: this.from });
    },
  };

  /**
   * Sort one step's outputs, in emission order: synchronous sends to `sink.send`, delayed sends and work to `deferred`,
   * observations to `probes`. Returns the error result when an output is malformed or addressed to no component.
   */
  routeAll(
    from: number,
    emitted: readonly { type: string; params: unknown }[],
    sink: SendSink,
    deferred: Deferred[],
    probes: Probe[],
  ): Exclude<DeliverResult, { kind: 'ok' }> | undefined {
    for (let i = 0; i < emitted.length; i++) {
      const e = emitted[i]!;
      const p = e.params;
      if (p === undefined) continue;
      if (Array.isArray(p)) {
        for (const o of p) {
          const bad = this.routeOne(from, e.type, o, sink, deferred, probes);
          if (bad) return bad;
        }
      } else {
        const bad = this.routeOne(from, e.type, p, sink, deferred, probes);
        if (bad) return bad;
      }
    }
    return undefined;
  }

  private routeOne(
    from: number,
    action: string,
    o: unknown,
    sink: SendSink,
    deferred: Deferred[],
    probes: Probe[],
  ): Exclude<DeliverResult, { kind: 'ok' }> | undefined {
    if (!isOutput(o)) return { kind: 'bad-output', component: from, action, reason: 'params are not an Output' };
    const out = o as Output;
    switch (out.kind) {
      case 'send': {
        const to = this.indexOf.get(out.to);
        if (to === undefined) return { kind: 'bad-output', component: from, action, reason: `no component '${out.to}'` };
        if (out.delay === undefined) sink.send(to, out.event);
        else deferred.push({ kind: 'timer', from, to, event: out.event, delay: out.delay });
        return undefined;
      }
      case 'work':
        deferred.push({ kind: 'work', component: from, demand: out.demand, then: out.then });
        return undefined;
      case 'probe':
        probes.push({ component: from, name: out.name, data: out.data });
        return undefined;
    }
  }
}
