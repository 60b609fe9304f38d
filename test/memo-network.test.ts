/**
 * `MemoNetwork.deliver` must give exactly `Network.deliver`'s results on the real checked systems: the same result
 * kind, equal machine states (the interned representative of every component equals the state the network computes,
 * up to the NIC arbiter rotation that `encodeState` deliberately identifies), equal deferred items and probes in the
 * same order, and deferred targets that match the deferred items.
 *
 * Random paths through `CheckedModel` give realistic composed states; at every state of a path, every delivery the
 * explorer could make there (each pending item, each packet arrival, the clock tick, the VMM's management requests
 * under churn) is done both ways, through a MemoNetwork of the test's own (not the model's), and compared. The same
 * MemoNetwork serves all paths of a configuration, so later deliveries come from its memo tables. A small
 * hand-written network covers what the checked systems never produce: refused synchronous sends, bad outputs,
 * timers to another component, an endless cascade.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Emitted, EventObject, MachineState, Stepper } from '../src/machine/index.js';
import { MemoNetwork } from '../src/network/memo-network.js';
import { Network, type DeliverResult } from '../src/network/network.js';
import { probe, send, work } from '../src/network/outputs.js';
import { canonicalJson } from '../src/util/canonical-json.js';
import { WordBuffer } from '../src/util/packed-set.js';
import { defaultCheckConfig, type CheckShortcuts } from '../spec/checked/config.js';
import { encodeState } from '../spec/checked/encode.js';
import { buildCheckedSystem, CheckedModel, type CheckedState, type CheckedSystem } from '../spec/checked/model.js';
import type { DmaContext } from '../spec/nic-dma.js';
import { macOfVm, type Packet } from '../spec/packet.js';

/**
 * A DMA engine state with a round-robin arbiter rotated to start at its next slot (`next` 0): two states are equal
 * after this exactly when they are equal up to the rotation that `encodeState` identifies.
 */
function normalisedDma(m: MachineState<unknown>): MachineState<DmaContext> {
  const c = m.context as DmaContext;
  const { order, next, kind } = c.arbiter;
  if (kind === 'strict' || order.length === 0) return m as MachineState<DmaContext>;
  const rotated = order.map((_, i) => order[(i + next) % order.length]!);
  return { value: m.value, context: { ...c, arbiter: { ...c.arbiter, order: rotated, next: 0 } } };
}

interface Coverage {
  deliveries: number;
  ok: number;
  /** Deliveries whose cascade changed more than one component. */
  cascades: number;
  withDeferred: number;
  withProbes: number;
  notOk: number;
  /** States whose JSON differed from the representative's but whose encodings were equal (nic-dma only). */
  rotations: number;
}

const newCoverage = (): Coverage => ({ deliveries: 0, ok: 0, cascades: 0, withDeferred: 0, withProbes: 0, notOk: 0, rotations: 0 });

class Harness {
  readonly sys: CheckedSystem;
  readonly model: CheckedModel;
  /** The test's own MemoNetwork, independent of the model's. */
  readonly memo: MemoNetwork;
  readonly coverage = newCoverage();

  constructor(config: CheckShortcuts) {
    this.sys = buildCheckedSystem(defaultCheckConfig(config));
    this.model = new CheckedModel(this.sys, { stepChecks: [] });
    const sys = this.sys;
    this.memo = new MemoNetwork(sys.network, (i, m, out) => encodeState(sys.kinds[i]!, m, out));
  }

  encoding(i: number, m: MachineState<unknown>): number[] {
    const buf = new WordBuffer();
    encodeState(this.sys.kinds[i]!, m, buf);
    return Array.from(buf.words.subarray(0, buf.length));
  }

  /** The environment's events, built as CheckedModel builds them: one arrival per VM (then unknown MAC), the tick. */
  arrivals(): { to: number; event: EventObject }[] {
    const { sys } = this;
    const c = sys.config;
    const out: { to: number; event: EventObject }[] = [];
    for (let v = -1; v < c.vms; v++) {
      const dst = v < 0 ? sys.unknownMac : macOfVm(v);
      const kind = v >= 0 && c.roles[v] === 'conforming' ? 'request' : 'flood';
      const packet: Packet = { id: 0, dst, src: 0, size: 1, bornNs: 0, kind, stream: 0 };
      out.push({ to: sys.nic, event: { type: 'rx.arrive', packet, nowNs: 0 } as EventObject });
    }
    const tick = { type: 'clock.tick', dtNs: 1e9 } as EventObject;
    out.push({ to: sys.nic, event: tick });
    if (sys.idd >= 0) out.push({ to: sys.idd, event: tick });
    return out;
  }

  /** The VMM's management requests (churn), as CheckedModel builds them. */
  management(): { to: number; event: EventObject }[] {
    const { sys } = this;
    const c = sys.config;
    if (!c.churn) return [];
    const out: { to: number; event: EventObject }[] = [];
    for (let v = 0; v < c.vms; v++) {
      out.push({ to: sys.vmm, event: { type: 'vm.detach', vm: `vm${v}` } as EventObject });
      out.push({ to: sys.vmm, event: { type: 'vm.attach', vm: `vm${v}`, qos: sys.qos[v]!, bestEffort: c.arch !== 'vnic' } as EventObject });
      for (const capacity of [c.capacities[0]! - 1, c.capacities[0]!]) {
        out.push({ to: sys.vmm, event: { type: 'partition.resize', vm: `vm${v}`, capacity } as EventObject });
      }
    }
    return out;
  }

  /** Every delivery possible in `s`: its pending items (each distinct one once), arrivals, ticks, management. */
  candidates(s: CheckedState): { to: number; event: EventObject }[] {
    const seen = new Set<number>();
    const pending: { to: number; event: EventObject }[] = [];
    for (const p of s.pending) {
      if (seen.has(p.id)) continue;
      seen.add(p.id);
      pending.push({ to: p.to, event: p.event });
    }
    return [...pending, ...this.arrivals(), ...this.management()];
  }

  /** Delivers `event` to `to` in `machines` both ways and compares the results; returns the network's result. */
  compare(machines: readonly MachineState<unknown>[], to: number, event: EventObject, ids = this.ids(machines)): DeliverResult {
    const { sys, memo } = this;
    const cov = this.coverage;
    const what = (detail = ''): string => `deliver ${canonicalJson(event)} to ${sys.network.components[to]!.id}${detail}`;
    const expected = sys.network.deliver(machines, to, event, true);
    const before = ids.slice();
    const eventId = memo.event(event);
    const actual = memo.deliver(ids, to, eventId);
    cov.deliveries++;
    same(actual.kind, expected.kind, what);
    if (expected.kind !== 'ok' || actual.kind !== 'ok') {
      cov.notOk++;
      same(canonicalJson(actual), canonicalJson(expected.kind === 'ok' ? { ...expected, micro: undefined } : expected), what);
      if (expected.kind === 'disabled') same(memo.actionsOf(to, ids[to]!, eventId), undefined, () => what(': actions when disabled'));
      return expected;
    }
    cov.ok++;
    // The custom actions of the first step (for traces).
    same(canonicalJson(memo.actionsOf(to, ids[to]!, eventId)), canonicalJson(expected.micro![0]!.actions), () => what(': actions'));
    // The input ids are not modified.
    for (let i = 0; i < ids.length; i++) same(ids[i], before[i], () => what(': input ids modified'));
    same(actual.ids.length, expected.states.length, what);
    let changed = 0;
    for (let i = 0; i < expected.states.length; i++) {
      const net = expected.states[i]!;
      const id = actual.ids[i]!;
      const component = (detail: string) => () => what(`: ${detail} of ${sys.network.components[i]!.id}`);
      // Unchanged both ways (the network kept the state object, the memo the input id): nothing to compare.
      if (net === machines[i] && id === ids[i]) continue;
      changed++;
      const rep = memo.state(i, id);
      const repJson = canonicalJson({ value: rep.value, context: rep.context });
      const netJson = canonicalJson({ value: net.value, context: net.context });
      if (repJson !== netJson) {
        // Only the DMA engine's encoding identifies different contexts: round-robin arbiters that visit the same
        // cycle from the same next slot. Beyond that the two must be equal field for field (an encoder that dropped a
        // field would make them differ here).
        same(sys.kinds[i], 'nic-dma', component(`state\nmemo:    ${repJson}\nnetwork: ${netJson}\n`));
        same(canonicalJson(normalisedDma(rep)), canonicalJson(normalisedDma(net)), component('state up to the arbiter rotation'));
        cov.rotations++;
      }
      // The id the memo gives is the id of the network's state.
      same(memo.intern(i, net), id, component('id'));
    }
    if (changed > 1) cov.cascades++;
    same(canonicalJson(actual.deferred), canonicalJson(expected.deferred), () => what(': deferred'));
    same(canonicalJson(actual.probes), canonicalJson(expected.probes), () => what(': probes'));
    const targets: number[] = [];
    for (const d of expected.deferred) {
      if (d.kind === 'timer') targets.push(d.to, memo.event(d.event));
      else targets.push(d.component, memo.event(d.then));
    }
    same(actual.deferredTargets.join(','), targets.join(','), () => what(': deferred targets'));
    for (let j = 0; j < actual.deferredTargets.length; j += 2) {
      const d = actual.deferred[j / 2]!;
      same(canonicalJson(memo.eventOf(actual.deferredTargets[j + 1]!)), canonicalJson(d.kind === 'timer' ? d.event : d.then), () => what(': deferred target event'));
    }
    if (expected.deferred.length > 0) cov.withDeferred++;
    if (expected.probes.length > 0) cov.withProbes++;
    return expected;
  }

  ids(machines: readonly MachineState<unknown>[]): number[] {
    return machines.map((m, i) => this.memo.intern(i, m));
  }

  /** Walks one path: at each state compare every possible delivery, then take the action `choices` picks. */
  walk(choices: readonly number[]): void {
    let s = this.model.initial()[0]!;
    for (const choice of choices) {
      const ids = this.ids(s.machines);
      for (const { to, event } of this.candidates(s)) this.compare(s.machines, to, event, ids);
      const actions = this.model.actions(s);
      s = this.model.next(s, actions[choice % actions.length]!);
    }
  }
}

/** `expect(actual).toBe(expected)`, without the cost of `expect` on the (hot, passing) path. */
function same<T>(actual: T, expected: T, what: () => string): void {
  if (actual !== expected) expect(actual, what()).toBe(expected);
}

const configs: [string, CheckShortcuts, number][] = [
  ['vnic, drr, 2 VMs', { arch: 'vnic', dma: 'drr', vms: 2 }, 20],
  ['vnic, strict, 3 VMs, capacity 1, rx ring 1', { arch: 'vnic', dma: 'strict', vms: 3, capacity: 1, rxRing: 1 }, 16],
  ['xen-idd, 2 VMs', { arch: 'xen-idd', vms: 2 }, 20],
  ['mixed, 3 VMs', { arch: 'mixed', vms: 3 }, 16],
  ['vnic with churn', { arch: 'vnic', vms: 2, churn: true }, 16],
];

/**
 * A small hand-written network for what the checked systems never do: timers to another component than the sender,
 * synchronous sends that are refused ('unhandled'), malformed or misaddressed outputs ('bad-output'), endless cascades.
 * Contexts count modulo 5, so the state space is finite and the memo tables are hit often.
 */
function toyNetwork(): Network {
  type Ev = EventObject & { readonly n?: number };
  const machine = (id: string, on: (n: number, e: Ev) => { n: number; emitted: Emitted[] } | undefined): Stepper<unknown, EventObject, unknown> => ({
    id,
    initial: () => ({ state: { value: 'idle', context: { n: 0 } }, emitted: [] }),
    step: (s, e) => {
      const r = on((s.context as { n: number }).n, e as Ev);
      return r && { state: { value: r.n > 2 ? 'busy' : 'idle', context: { n: r.n, history: [r.n % 2 === 0, { last: e.type }] } }, emitted: r.emitted };
    },
  });
  const a = machine('a', (n, e) => {
    switch (e.type) {
      case 'ping': {
        const m = (n + 1) % 5;
        return {
          n: m,
          emitted: [
            { type: 'notifyB', params: send('b', { type: 'pong', n: m } as EventObject) },
            { type: 'later', params: [send('c', { type: 'later', from: 'a' } as EventObject, 5), work(['cpu', 'io'], { type: 'done', n: m } as EventObject)] },
            { type: 'observe', params: probe('pinged', { n: m, packet: { id: m } }) },
            { type: 'noOutput', params: undefined },
          ],
        };
      }
      case 'done':
        return { n, emitted: [] };
      case 'bad':
        return { n, emitted: [{ type: 'oops', params: { kind: 'nope' } }] };
      case 'lost':
        return { n, emitted: [{ type: 'misroute', params: send('zzz', { type: 'x' }) }] };
      case 'loop':
        return { n, emitted: [{ type: 'bounce', params: send('b', { type: 'loop' }) }] };
      default:
        return undefined;
    }
  });
  const b = machine('b', (n, e) => {
    switch (e.type) {
      case 'pong': {
        const m = (n + (e.n ?? 0)) % 5;
        return { n: m, emitted: [{ type: 'forward', params: [send('c', { type: m === 4 ? 'boom' : 'tick' }), probe('ponged', { m })] }] };
      }
      case 'loop':
        return { n, emitted: [{ type: 'bounce', params: send('a', { type: 'loop' }) }] };
      case 'relay':
        // a's step on 'bad' / 'lost' inside the cascade is a bad output.
        return { n, emitted: [{ type: 'relay', params: send('a', { type: n % 2 === 0 ? 'bad' : 'lost' }) }] };
      default:
        return undefined;
    }
  });
  const c = machine('c', (n, e) => {
    switch (e.type) {
      case 'later':
        return { n: (n + 1) % 5, emitted: [{ type: 'seen', params: probe('later', { n }) }, { type: 'again', params: send('a', { type: 'done', n }, { exponentialMeanNs: 10 }) }] };
      case 'tick':
        // Refused from 3 on: a synchronous 'tick' from b is then unhandled.
        return n < 3 ? { n, emitted: [] } : undefined;
      default:
        return undefined;
    }
  });
  return new Network([
    { id: 'a', stepper: a, input: undefined },
    { id: 'b', stepper: b, input: undefined },
    { id: 'c', stepper: c, input: undefined },
  ]);
}

/** Both ways, compared in full as canonical JSON (the toy's state key is its canonical JSON: no identifications). */
function compareToy(network: Network, memo: MemoNetwork, machines: readonly MachineState<unknown>[], to: number, event: EventObject): DeliverResult {
  const what = `deliver ${canonicalJson(event)} to ${network.components[to]!.id}`;
  const expected = network.deliver(machines, to, event);
  const ids = machines.map((m, i) => memo.intern(i, m));
  const actual = memo.deliver(ids, to, memo.event(event));
  if (expected.kind !== 'ok' || actual.kind !== 'ok') {
    expect(canonicalJson(actual), what).toBe(canonicalJson(expected));
    return expected;
  }
  expect(
    canonicalJson({ states: actual.ids.map((id, i) => memo.state(i, id)), deferred: actual.deferred, probes: actual.probes }),
    what,
  ).toBe(canonicalJson({ states: expected.states, deferred: expected.deferred, probes: expected.probes }));
  const targets = expected.deferred.flatMap((d) => (d.kind === 'timer' ? [d.to, memo.event(d.event)] : [d.component, memo.event(d.then)]));
  expect([...actual.deferredTargets], `${what}: deferred targets`).toEqual(targets);
  expect(actual.ids, what).toEqual(expected.states.map((m, i) => memo.intern(i, m)));
  return expected;
}

describe('MemoNetwork gives the results of Network.deliver', () => {
  configs.forEach(([name, config, numRuns], k) => {
    it(name, () => {
      const h = new Harness(config);
      fc.assert(
        fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 40, size: 'max' }), (choices) => h.walk(choices)),
        { numRuns, seed: 0x5eed + k },
      );
      const cov = h.coverage;
      // The comparison saw the interesting cases: memo hits, cascades, deferred items and probes.
      expect(cov.ok).toBeGreaterThan(200);
      expect(cov.cascades).toBeGreaterThan(0);
      expect(cov.withDeferred).toBeGreaterThan(0);
      expect(cov.withProbes).toBeGreaterThan(0);
      expect(h.memo.memoizedSteps).toBeLessThan(cov.deliveries);
    });
  });

  it('the rotation-insensitive comparison of DMA engine states still tells apart states that differ in any other field', () => {
    const h = new Harness({ vms: 3 });
    const m = h.model.initial()[0]!.machines[h.sys.dma]! as MachineState<DmaContext>;
    const { order, next } = m.context.arbiter;
    const n = order.length;
    const rotated: MachineState<DmaContext> = { value: m.value, context: { ...m.context, arbiter: { ...m.context.arbiter, order: order.map((_, i) => order[(i + 1) % n]!), next: (next - 1 + n) % n } } };
    expect(canonicalJson(normalisedDma(rotated))).toBe(canonicalJson(normalisedDma(m)));
    const c0 = m.context.channels[0]!;
    const waited: MachineState<DmaContext> = { value: m.value, context: { ...m.context, channels: [{ ...c0, headWait: c0.headWait + 1 }, ...m.context.channels.slice(1)] } };
    expect(canonicalJson(normalisedDma(waited))).not.toBe(canonicalJson(normalisedDma(m)));
  });

  it('a DMA engine state with its round-robin arbiter rotated gets the results of the representative it is identified with', () => {
    // encodeState identifies an arbiter visiting [a, b, c] from position p with one visiting [b, c, a] from p - 1, so
    // the memo steps whichever of the two it met first. Deliveries to and through the rotated state must still agree.
    for (const arbiter of ['drr', 'wrr'] as const) {
      const h = new Harness({ arch: 'mixed', vms: 3, dma: arbiter });
      const dma = h.sys.dma;
      fc.assert(
        fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 25, size: 'max' }), fc.integer({ min: 1, max: 3 }), (choices, by) => {
          let s = h.model.initial()[0]!;
          for (const choice of choices) {
            const m = s.machines[dma]! as MachineState<DmaContext>;
            const { order, next } = m.context.arbiter;
            const n = order.length;
            const rotated: MachineState<DmaContext> = {
              value: m.value,
              context: { ...m.context, arbiter: { ...m.context.arbiter, order: order.map((_, i) => order[(i + by) % n]!), next: (next - by + n * by) % n } },
            };
            same(h.encoding(dma, rotated).join(','), h.encoding(dma, m).join(','), () => 'rotation changes the encoding');
            const machines = s.machines.slice();
            machines[dma] = rotated;
            // Intern the original first, so the memo's representative is never the rotated state.
            h.ids(s.machines);
            const ids = h.ids(machines);
            for (const { to, event } of h.candidates(s)) h.compare(machines, to, event, ids);
            const actions = h.model.actions(s);
            s = h.model.next(s, actions[choice % actions.length]!);
          }
        }),
        { numRuns: 6, seed: 31337, interruptAfterTimeLimit: 10_000 },
      );
      // The JSON of the network's DMA engine state differed from the representative's, and was compared up to the rotation.
      expect(h.coverage.rotations).toBeGreaterThan(0);
      expect(h.coverage.ok).toBeGreaterThan(100);
    }
  });

  it('a hand-written network: timers to other components, unhandled sends, bad outputs', () => {
    const network = toyNetwork();
    const memo = new MemoNetwork(network, (_i, m, out) => {
      const text = canonicalJson(m);
      for (let j = 0; j < text.length; j++) out.push(text.charCodeAt(j));
    });
    const events: [number, EventObject][] = [
      [0, { type: 'ping' }],
      [0, { type: 'ping' }],
      [0, { type: 'done', n: 1 } as EventObject],
      [0, { type: 'bad' }],
      [0, { type: 'lost' }],
      [1, { type: 'pong', n: 2 } as EventObject],
      [1, { type: 'pong', n: 3 } as EventObject],
      [2, { type: 'later', from: 'a' } as EventObject],
      [2, { type: 'tick' }],
      [2, { type: 'boom' }],
      [1, { type: 'nothing' }],
      [1, { type: 'relay' }],
    ];
    const initial = network.initial();
    if (initial.kind !== 'ok') throw new Error(initial.kind);
    const seen = new Set<string>();
    fc.assert(
      fc.property(fc.array(fc.nat(events.length - 1), { minLength: 1, maxLength: 30, size: 'max' }), (choices) => {
        let machines = initial.states;
        for (const k of choices) {
          const [to, event] = events[k]!;
          const r = compareToy(network, memo, machines, to, event);
          seen.add(r.kind === 'bad-output' ? `bad-output: ${r.reason}${to === 1 ? ' (in a cascade)' : ''}` : r.kind);
          if (r.kind === 'ok') {
            for (const d of r.deferred) seen.add(d.kind === 'timer' && d.from !== d.to ? 'timer to another component' : d.kind);
            machines = r.states;
          }
        }
      }),
      { numRuns: 60, seed: 77, interruptAfterTimeLimit: 10_000 },
    );
    expect([...seen].sort()).toEqual(
      [
        "bad-output: no component 'zzz'",
        "bad-output: no component 'zzz' (in a cascade)",
        'bad-output: params are not an Output',
        'bad-output: params are not an Output (in a cascade)',
        'disabled',
        'ok',
        'timer to another component',
        'unhandled',
        'work',
      ].sort(),
    );
    // An endless synchronous cascade is cut off the same way.
    const r = compareToy(network, memo, initial.states, 0, { type: 'loop' });
    expect(r.kind).toBe('bad-output');
  });

  it('arrivals and ticks from the initial state, twice (the second time from the memo tables)', () => {
    const h = new Harness({ arch: 'mixed', vms: 3 });
    const s = h.model.initial()[0]!;
    for (let round = 0; round < 2; round++) {
      for (const { to, event } of h.arrivals()) {
        const r = h.compare(s.machines, to, event);
        expect(r.kind).toBe('ok');
      }
    }
    // Arrivals with other packet ids and times are other events, stepped afresh and still equal.
    for (const id of [1, 2]) {
      const packet: Packet = { id, dst: macOfVm(0), src: 0, size: 1, bornNs: 0, kind: 'request', stream: 0 };
      expect(h.compare(s.machines, h.sys.nic, { type: 'rx.arrive', packet, nowNs: 5 } as EventObject).kind).toBe('ok');
    }
    expect(h.coverage.withProbes + h.coverage.withDeferred).toBeGreaterThan(0);
  });

  it("a first event the receiver does not accept is 'disabled' both ways", () => {
    const h = new Harness({ arch: 'xen-idd', vms: 2 });
    const s = h.model.initial()[0]!;
    const ids = s.machines.map((m, i) => h.memo.intern(i, m));
    const events: EventObject[] = [{ type: 'no.such.event' } as EventObject, { type: 'dma.done' } as EventObject];
    for (const event of events) {
      for (let to = 0; to < s.machines.length; to++) {
        const net = h.sys.network.deliver(s.machines, to, event);
        const memo = h.memo.deliver(ids, to, h.memo.event(event));
        expect(memo.kind).toBe(net.kind);
        // Unknown events are refused by everyone; a DMA completion by the NIC while its DMA engine is idle.
        if (event.type === 'no.such.event' || to === h.sys.nic) {
          expect(net).toEqual({ kind: 'disabled' });
          expect(memo).toEqual({ kind: 'disabled' });
        }
        // Asked again: the memoized answer is the same.
        expect(h.memo.deliver(ids, to, h.memo.event(event)).kind).toBe(net.kind);
        h.compare(s.machines, to, event);
      }
    }
  });

  it('events are interned by content, not by field order', () => {
    const h = new Harness({});
    const a = h.memo.event({ type: 'clock.tick', dtNs: 1e9 } as EventObject);
    const b = h.memo.event({ dtNs: 1e9, type: 'clock.tick' } as EventObject);
    const c = h.memo.event({ type: 'clock.tick', dtNs: 2e9 } as EventObject);
    const d = h.memo.event({ type: 'clock.tick', dtNs: '1000000000' } as unknown as EventObject);
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    expect(d).not.toBe(a);
    expect(h.memo.eventOf(a)).toEqual({ type: 'clock.tick', dtNs: 1e9 });
  });
});
