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
import { HashCons } from '../util/hash-cons.js';
import { PackedSet, WordBuffer } from '../util/packed-set.js';
import { PairMap } from '../util/pair-map.js';
import type { DeliverResult, Deferred, Network, Probe } from './network.js';

/**
 * What a step does besides changing its own state: sends already resolved to (component, event id), deferred items
 * with their targets resolved likewise, probes, and the custom actions taken. Effects are interned: few distinct
 * ones exist, so a memoized step costs two int32s (next state id, effect id) plus its slot in the table.
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

const DISABLED = -1;
/** Effect slot of a step whose outputs were malformed; the error result is kept in `errors`. */
const BAD = -2;

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
const MAX_CASCADE = 100_000;

export class MemoNetwork {
  private readonly stateSets: PackedSet[];
  private readonly reps: MachineState<unknown>[][];
  private readonly cons = new HashCons();
  private readonly keyBuf = new WordBuffer();
  private readonly eventIds = new Map<string, number>();
  private readonly eventTexts = new Map<string, number>();
  private readonly events: EventObject[] = [];
  private readonly effectIds = new Map<string, number>();
  private readonly effects: StepEffect[] = [];
  /** (state id, event id) → step index, per component. */
  private readonly steps: PairMap[];
  /** Per component, per step index: next state id and effect id (DISABLED, BAD). */
  private nexts: Int32Array[];
  private effectOf: Int32Array[];
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
    this.steps = Array.from({ length: n }, () => new PairMap());
    this.nexts = Array.from({ length: n }, () => new Int32Array(256));
    this.effectOf = Array.from({ length: n }, () => new Int32Array(256));
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

  /** Distinct step effects. */
  get distinctEffects(): number {
    return this.effects.length;
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
    const k0 = this.stepOf(to, ids[to]!, event);
    let fx = this.effectOf[to]![k0]!;
    if (fx === DISABLED) return { kind: 'disabled' };
    if (fx === BAD) return this.errors.get(`${to}:${k0}`)!;
    const next = ids.slice();
    next[to] = this.nexts[to]![k0]!;
    let effect = this.effects[fx]!;
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
          return { kind: 'bad-output', component: c, action: this.events[e]!.type, reason: `synchronous cascade longer than ${MAX_CASCADE} steps` };
        }
        const k = this.stepOf(c, next[c]!, e);
        fx = this.effectOf[c]![k]!;
        if (fx === DISABLED) return { kind: 'unhandled', component: c, event: this.events[e]!, state: this.reps[c]![next[c]!]!.value };
        if (fx === BAD) return this.errors.get(`${c}:${k}`)!;
        next[c] = this.nexts[c]![k]!;
        effect = this.effects[fx]!;
      }
      const s = effect.sends;
      for (let j = 0; j < s.length; j += 2) {
        if (tail === qt.length) {
          const bigger = new Int32Array(qt.length * 2);
          bigger.set(qt);
          qt = this.queueTo = bigger;
          const biggerE = new Int32Array(qe.length * 2);
          biggerE.set(qe);
          qe = this.queueEvent = biggerE;
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
    const k = this.stepOf(i, id, event);
    const fx = this.effectOf[i]![k]!;
    return fx >= 0 ? this.effects[fx]!.actions : undefined;
  }

  /** Step index of (component, state, event), stepping the machine on a miss. */
  private stepOf(c: number, state: number, event: number): number {
    const table = this.steps[c]!;
    const known = table.get(state, event);
    if (known !== -1) return known;
    const index = table.size;
    if (index === this.nexts[c]!.length) {
      const nexts = new Int32Array(index * 2);
      nexts.set(this.nexts[c]!);
      this.nexts[c] = nexts;
      const effects = new Int32Array(index * 2);
      effects.set(this.effectOf[c]!);
      this.effectOf[c] = effects;
    }
    const r = this.network.components[c]!.stepper.step(this.reps[c]![state]!, this.events[event]!);
    if (r === undefined) {
      this.nexts[c]![index] = state;
      this.effectOf[c]![index] = DISABLED;
    } else {
      const sends: number[] = [];
      const deferred: Deferred[] = [];
      const probes: Probe[] = [];
      const routed = this.network.routeAll(c, r.emitted, (to, e) => sends.push(to, this.event(e)), deferred, probes);
      if (routed !== undefined) {
        this.errors.set(`${c}:${index}`, routed);
        this.nexts[c]![index] = state;
        this.effectOf[c]![index] = BAD;
      } else {
        this.nexts[c]![index] = this.intern(c, r.state);
        this.effectOf[c]![index] = this.effectId(sends, deferred, probes, r.emitted.map((x) => x.type));
      }
    }
    table.add(state, event, index);
    return index;
  }

  private effectId(sends: number[], deferred: Deferred[], probes: Probe[], actions: string[]): number {
    const targets: number[] = [];
    for (const d of deferred) {
      if (d.kind === 'timer') targets.push(d.to, this.event(d.event));
      else targets.push(d.component, this.event(d.then));
    }
    // Deferred items and probes are keyed in full (delays, demands, probe data), not just by their targets. Native
    // JSON may spell one effect two ways (field order); that only costs a duplicate effect, never a wrong one.
    const key = `${sends.join(',')}|${JSON.stringify(deferred)}|${JSON.stringify(probes)}|${actions.join(',')}`;
    let id = this.effectIds.get(key);
    if (id === undefined) {
      id = this.effects.length;
      this.effectIds.set(key, id);
      this.effects.push({
        sends,
        deferred: deferred.length === 0 ? NONE : deferred,
        deferredTargets: targets.length === 0 ? NONE : targets,
        probes: probes.length === 0 ? NONE : probes,
        actions,
      });
    }
    return id;
  }
}
