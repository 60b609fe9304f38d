/**
 * `Network.deliver` with every machine step memoized — the explorer's fast path over the same machines.
 *
 * A machine step is a pure function of (state, event). The explorer meets the same few component states and events
 * again and again in millions of composed states (collapse compression, as SPIN calls it, keeps each component
 * state once), so each component's distinct states and all events are interned to small integers and each
 * (component, state id, event id) is stepped through the machine once; afterwards a delivery is a cascade of table
 * lookups. Results are exactly `Network.deliver`'s: the same cascade order, equal deferred items and probes.
 * test/memo-network.test.ts checks it against `Network.deliver` on random deliveries.
 *
 * Soundness rests on the caller's `stateKey`: equal encodings must mean states no event tells apart; events are
 * keyed by their canonical JSON, so they need no help.
 */
import type { EventObject, MachineState } from '../machine/types.js';
import { canonicalJson } from '../util/canonical-json.js';
import { grown } from '../util/grown.js';
import { HashCons } from '../util/hash-cons.js';
import { PackedSet, WordBuffer } from '../util/packed-set.js';
import { cascadeTooLong, MAX_CASCADE, type DeliverResult, type Deferred, type Network, type Probe } from './network.js';
import { BAD, DISABLED, StepTable, UNKNOWN } from './step-table.js';

/**
 * What a step does besides changing its own state: sends already resolved to (component, event id), deferred items
 * with their targets resolved likewise, probes, and the custom actions taken. Effects are interned (the 3 VMs × 2
 * slots check has 80), so a memoized step is one int32 cell of a StepTable: next state id and effect id.
 */
export interface StepEffect {
  /** to0, event0, to1, event1, … */
  readonly sends: readonly number[];
  readonly deferred: readonly Deferred[];
  /** Per deferred item: receiving component, event id (timers: `to`, `event`; work: the emitter, `then`). */
  readonly deferredTargets: readonly number[];
  readonly probes: readonly Probe[];
  readonly actions: readonly string[];
}

export type MemoDelivery =
  | {
      readonly kind: 'ok';
      readonly ids: readonly number[];
      readonly deferred: readonly Deferred[];
      /** Receiving component and event id of each deferred item, flattened. */
      readonly deferredTargets: readonly number[];
      readonly probes: readonly Probe[];
    }
  | Exclude<DeliverResult, { kind: 'ok' }>;

const NONE: readonly never[] = Object.freeze([]);

export class MemoNetwork {
  private readonly stateSets: PackedSet[];
  private readonly reps: MachineState<unknown>[][];
  private readonly cons = new HashCons();
  private readonly keyBuf = new WordBuffer();
  private readonly eventIds = new Map<string, number>();
  private readonly eventTexts = new Map<string, number>();
  private readonly events: EventObject[] = [];
  private readonly effects: StepEffect[] = [];
  /** Per component, per event id: the effects seen for that event, candidates for interning a new step's. */
  private readonly effectBuckets: number[][][];
  /** (state id, event id) → (next state id, effect id), per component. */
  private readonly steps: StepTable[];
  private readonly errors = new Map<string, Exclude<DeliverResult, { kind: 'ok' }>>();
  private queueTo = new Int32Array(64);
  private queueEvent = new Int32Array(64);

  /**
   * `stateKey` appends a complete canonical encoding of component `component`'s state `m` to `out`: equal
   * encodings must mean states no event can tell apart.
   */
  constructor(
    readonly network: Network,
    private readonly stateKey: (component: number, m: MachineState<unknown>, out: WordBuffer) => void,
  ) {
    const n = network.components.length;
    this.stateSets = Array.from({ length: n }, () => new PackedSet());
    this.reps = Array.from({ length: n }, () => []);
    this.steps = Array.from({ length: n }, () => new StepTable());
    this.effectBuckets = Array.from({ length: n }, () => []);
  }

  /** The id of component `i` in state `m` (interning it on first sight). */
  intern(i: number, m: MachineState<unknown>): number {
    const buf = this.keyBuf;
    buf.clear();
    this.stateKey(i, m, buf);
    const set = this.stateSets[i]!;
    const id = set.find(buf);
    if (id !== -1) return id;
    // Representatives are kept for the whole search: share their unchanged parts.
    this.reps[i]!.push({ value: m.value, context: this.cons.top(m.context) });
    return set.add();
  }

  /** The representative state of id `id` of component `i`. */
  state(i: number, id: number): MachineState<unknown> {
    return this.reps[i]![id]!;
  }

  /** Distinct component states interned, over all components. */
  get internedStates(): number {
    return this.reps.reduce((a, r) => a + r.length, 0);
  }

  /** Distinct (component, state, event) steps taken through the machines. */
  get memoizedSteps(): number {
    return this.steps.reduce((a, t) => a + t.size, 0);
  }

  event(e: EventObject): number {
    // Native JSON first (fast, but field order matters); the canonical form only for text not seen before.
    const text = JSON.stringify(e);
    const seen = this.eventTexts.get(text);
    if (seen !== undefined) return seen;
    const key = canonicalJson(e);
    let id = this.eventIds.get(key);
    if (id === undefined) {
      id = this.events.length;
      this.eventIds.set(key, id);
      this.events.push(e);
    }
    this.eventTexts.set(text, id);
    return id;
  }

  eventOf(id: number): EventObject {
    return this.events[id]!;
  }

  /**
   * Deliver event `event` (an id) to component `to` of the composed state `ids`, running the synchronous cascade.
   * `ids` is not modified.
   */
  deliver(ids: readonly number[], to: number, event: number): MemoDelivery {
    let table = this.steps[to]!;
    let cell = this.stepOf(to, table, ids[to]!, event);
    let n = table.nextOf(cell);
    if (n === DISABLED) return { kind: 'disabled' };
    if (n === BAD) return this.errors.get(`${to}:${ids[to]}:${event}`)!;
    const next = ids.slice();
    next[to] = n;
    let effect = this.effects[table.effectOf(cell)]!;
    // Most deliveries are one step with nothing sent on: return its lists as they are.
    if (effect.sends.length === 0) return { kind: 'ok', ids: next, deferred: effect.deferred, deferredTargets: effect.deferredTargets, probes: effect.probes };
    let deferred: Deferred[] | undefined;
    let targets: number[] | undefined;
    let probes: Probe[] | undefined;
    let qt = this.queueTo;
    let qe = this.queueEvent;
    let tail = 0;
    for (let head = -1; ; head++) {
      if (head >= 0) {
        if (head >= tail) break;
        const c = qt[head]!;
        const e = qe[head]!;
        if (head >= MAX_CASCADE) {
          return cascadeTooLong(c, this.events[e]!);
        }
        table = this.steps[c]!;
        cell = this.stepOf(c, table, next[c]!, e);
        n = table.nextOf(cell);
        if (n === DISABLED) return { kind: 'unhandled', component: c, event: this.events[e]!, state: this.reps[c]![next[c]!]!.value };
        if (n === BAD) return this.errors.get(`${c}:${next[c]}:${e}`)!;
        next[c] = n;
        effect = this.effects[table.effectOf(cell)]!;
      }
      const s = effect.sends;
      for (let j = 0; j < s.length; j += 2) {
        if (tail === qt.length) {
          qt = this.queueTo = grown(qt, tail * 2);
          qe = this.queueEvent = grown(qe, tail * 2);
        }
        qt[tail] = s[j]!;
        qe[tail] = s[j + 1]!;
        tail++;
      }
      if (effect.deferred.length > 0) {
        (deferred ??= []).push(...effect.deferred);
        (targets ??= []).push(...effect.deferredTargets);
      }
      if (effect.probes.length > 0) (probes ??= []).push(...effect.probes);
    }
    return { kind: 'ok', ids: next, deferred: deferred ?? NONE, deferredTargets: targets ?? NONE, probes: probes ?? NONE };
  }

  /** The custom actions component `i` takes on `event` in state `id` (for traces); undefined when disabled. */
  actionsOf(i: number, id: number, event: number): readonly string[] | undefined {
    const table = this.steps[i]!;
    const cell = this.stepOf(i, table, id, event);
    return table.nextOf(cell) >= 0 ? this.effects[table.effectOf(cell)]!.actions : undefined;
  }

  /**
   * The memoized step of component `c` in state `state` on event `event`: the next state id (DISABLED or BAD when
   * the event is refused, or the step is a specification error), with its effect id in `lastEffect`.
   */
  stepCell(c: number, state: number, event: number): number {
    const table = this.steps[c]!;
    const cell = this.stepOf(c, table, state, event);
    const next = table.nextOf(cell);
    this.lastEffect = next >= 0 ? table.effectOf(cell) : -1;
    return next;
  }

  /** The effect id of the last `stepCell` (−1 when it was disabled or an error). */
  lastEffect = -1;

  /** The effect with id `id` (from `stepCell`). */
  effect(id: number): StepEffect {
    return this.effects[id]!;
  }

  /** The cell of (component, state, event) in `table`, stepping the machine on a miss. */
  private stepOf(c: number, table: StepTable, state: number, event: number): number {
    const cell = table.cell(state, event);
    if (table.nextOf(cell) !== UNKNOWN) return cell;
    const r = this.network.components[c]!.stepper.step(this.reps[c]![state]!, this.events[event]!);
    if (r === undefined) {
      table.set(cell, DISABLED, 0);
      return cell;
    }
    const sends: number[] = [];
    const deferred: Deferred[] = [];
    const probes: Probe[] = [];
    const routed = this.network.routeAll(c, r.emitted, { send: (to, e) => sends.push(to, this.event(e)) }, deferred, probes);
    if (routed !== undefined) {
      this.errors.set(`${c}:${state}:${event}`, routed);
      table.set(cell, BAD, 0);
      return cell;
    }
    // A step that left the state as it was keeps its id without encoding it again.
    const rep = this.reps[c]![state]!;
    const next = r.state === rep || (r.state.context === rep.context && r.state.value === rep.value) ? state : this.intern(c, r.state);
    // Nothing here touches this component's table, so `cell` stays where it is.
    table.set(cell, next, this.effectId(c, event, sends, deferred, probes, r.emitted.map((x) => x.type)));
    return cell;
  }

  /**
   * The id of an effect, interned. Candidates are the effects already seen for the same (component, event) — a
   * handful — compared field by field, which costs far less than serialising every new step's outputs.
   */
  private effectId(c: number, event: number, sends: number[], deferred: Deferred[], probes: Probe[], actions: string[]): number {
    const buckets = this.effectBuckets[c]!;
    const bucket = (buckets[event] ??= []);
    for (let i = 0; i < bucket.length; i++) {
      const id = bucket[i]!;
      const fx = this.effects[id]!;
      if (sameList(fx.sends, sends) && sameList(fx.actions, actions) && sameJsonValue(fx.deferred, deferred) && sameJsonValue(fx.probes, probes)) return id;
    }
    const targets: number[] = [];
    for (const d of deferred) {
      if (d.kind === 'timer') targets.push(d.to, this.event(d.event));
      else targets.push(d.component, this.event(d.then));
    }
    const id = this.effects.length;
    this.effects.push({
      sends,
      deferred: deferred.length === 0 ? NONE : deferred,
      deferredTargets: targets.length === 0 ? NONE : targets,
      probes: probes.length === 0 ? NONE : probes,
      actions,
    });
    bucket.push(id);
    return id;
  }
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Structural equality of JSON-like values (a field set to undefined counts as present: stricter than JSON). */
function sameJsonValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJsonValue(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let n = 0;
  for (const k in x) {
    if (!Object.prototype.hasOwnProperty.call(y, k) || !sameJsonValue(x[k], y[k])) return false;
    n++;
  }
  for (const _ in y) n--;
  return n === 0;
}
