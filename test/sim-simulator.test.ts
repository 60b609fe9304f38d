import { describe, expect, it } from 'vitest';
import { assign, setup, type AnyStateMachine } from 'xstate';
import { compileMachine } from '../src/machine/compile.js';
import type { EventObject, MachineState } from '../src/machine/types.js';
import { Network, type ComponentSpec, type Probe } from '../src/network/network.js';
import { probe, send, work, type Delay, type Output } from '../src/network/outputs.js';
import type { ServiceTime } from '../src/sim/service.js';
import { simulate, type SimOptions } from '../src/sim/simulator.js';

type Out = Output | readonly Output[];
const outputs = { out: (_: unknown, _params: Out) => {} };

const component = (id: string, machine: AnyStateMachine, input: unknown = undefined): ComponentSpec => ({
  id,
  stepper: compileMachine<unknown, EventObject, unknown>(machine),
  input,
});

/** Sends PING to `peer` after `delay`, counts PONGs, stops after `rounds`. */
const pinger = setup({
  types: {
    context: {} as { n: number; rounds: number; peer: string; delay: Delay },
    events: {} as { type: 'PONG' },
    input: {} as { rounds: number; peer: string; delay: Delay },
  },
  actions: outputs,
}).createMachine({
  id: 'pinger',
  context: ({ input }) => ({ n: 0, rounds: input.rounds, peer: input.peer, delay: input.delay }),
  initial: 'running',
  states: {
    running: {
      entry: { type: 'out', params: ({ context }) => send(context.peer, { type: 'PING' }, context.delay) },
      on: {
        PONG: [
          {
            guard: ({ context }) => context.n + 1 < context.rounds,
            actions: [
              assign({ n: ({ context }) => context.n + 1 }),
              {
                type: 'out',
                params: ({ context }) => [send(context.peer, { type: 'PING' }, context.delay), probe('round', { n: context.n })],
              },
            ],
          },
          { target: 'done', actions: [assign({ n: ({ context }) => context.n + 1 }), { type: 'out', params: probe('finished', {}) }] },
        ],
      },
    },
    done: {},
  },
});

/** Answers every PING with a PONG to `peer` after `delay`. */
const ponger = setup({
  types: {
    context: {} as { peer: string; delay: Delay },
    events: {} as { type: 'PING' },
    input: {} as { peer: string; delay: Delay },
  },
  actions: outputs,
}).createMachine({
  id: 'ponger',
  context: ({ input }) => ({ peer: input.peer, delay: input.delay }),
  initial: 'idle',
  states: {
    idle: { on: { PING: { actions: { type: 'out', params: ({ context }) => send(context.peer, { type: 'PONG' }, context.delay) } } } },
  },
});

function pingPong(rounds: number, aToB: Delay, bToA: Delay): Network {
  return new Network([
    component('a', pinger, { rounds, peer: 'b', delay: aToB }),
    component('b', ponger, { peer: 'a', delay: bToA }),
  ]);
}

const noCpu = (network: Network): Pick<SimOptions, 'cores' | 'pinning' | 'demandNs'> => ({
  cores: [],
  pinning: network.components.map(() => undefined),
  demandNs: () => {
    throw new Error('no demand expected');
  },
});

describe('simulate: ping-pong', () => {
  it('ends at the exact time with the exact event count', () => {
    const network = pingPong(10, 100, 50);
    const probes: [number, string][] = [];
    const r = simulate({ network, ...noCpu(network), seed: 1, durationNs: 1_000_000, onProbe: (t, p) => probes.push([t, p.name]) });
    expect(r.stop).toEqual({ kind: 'completed' });
    expect(r.quiescent).toBe(true);
    expect(r.endNs).toBe(1_000_000);
    expect(r.lastEventNs).toBe(1500); // 10 rounds of 100 + 50 ns
    expect(r.events).toBe(20);
    expect(r.ignored).toBe(0);
    expect(r.states[0]).toEqual({ value: 'done', context: { n: 10, rounds: 10, peer: 'b', delay: 100 } });
    expect(probes.map(([t]) => t)).toEqual([150, 300, 450, 600, 750, 900, 1050, 1200, 1350, 1500]);
    expect(probes.at(-1)).toEqual([1500, 'finished']);
    // Run to quiescence.
    const open = simulate({ network, ...noCpu(network), seed: 1, durationNs: Infinity });
    expect(open).toEqual({ ...r, endNs: 1500 });
  });

  it('stops at the horizon, delivering events at exactly durationNs', () => {
    const network = pingPong(10, 100, 50);
    const r = simulate({ network, ...noCpu(network), seed: 1, durationNs: 1000 });
    expect(r.stop).toEqual({ kind: 'completed' });
    expect(r.quiescent).toBe(false);
    expect(r.endNs).toBe(1000);
    // PINGs at 100, 250, …, 1000 (7) and PONGs at 150, …, 900 (6).
    expect(r.events).toBe(13);
    expect((r.states[0]!.context as { n: number }).n).toBe(6);
  });

  it('kicks are delivered at their time; a kick or timer the receiver ignores is counted, not an error', () => {
    const network = pingPong(2, 100, 50);
    const r = simulate({
      network,
      ...noCpu(network),
      seed: 1,
      durationNs: 10_000,
      kicks: [{ atNs: 5000, to: 0, event: { type: 'PONG' } }],
    });
    expect(r.stop).toEqual({ kind: 'completed' });
    expect(r.events).toBe(5);
    expect(r.ignored).toBe(1);
    expect(r.ignoredCompletions).toBe(0);
    expect(r.endNs).toBe(10_000);
    expect(r.lastEventNs).toBe(5000);
  });

  it('same seed → identical results; another seed with exponential delays → different', () => {
    const network = pingPong(200, { exponentialMeanNs: 1000 }, { exponentialMeanNs: 300 });
    const run = (seed: number) => {
      const probes: [number, Probe][] = [];
      const result = simulate({ network, ...noCpu(network), seed, durationNs: 1e12, onProbe: (t, p) => probes.push([t, p]) });
      return { result, probes };
    };
    const first = run(1);
    expect(first.result.stop).toEqual({ kind: 'completed' });
    expect(first.result.events).toBe(400);
    expect(run(1)).toEqual(first);
    const other = run(2);
    expect(other.result.events).toBe(400);
    expect(other.result.lastEventNs).not.toBe(first.result.lastEventNs);
    expect(other.probes).not.toEqual(first.probes);
    // About 200 × 1300 ns.
    expect(first.result.lastEventNs).toBeGreaterThan(200_000);
    expect(first.result.lastEventNs).toBeLessThan(320_000);
  });

  it('reports progress, ending with 1', () => {
    const network = pingPong(100_000, 10, 10);
    const calls: [number, number][] = [];
    const r = simulate({ network, ...noCpu(network), seed: 1, durationNs: 2_000_000, onProgress: (f, e) => calls.push([f, e]) });
    expect(r.events).toBe(200_000);
    expect(calls.map(([, e]) => e)).toEqual([65_536, 131_072, 196_608, 200_000]);
    expect(calls.at(-1)![0]).toBe(1);
    expect(calls[0]![0]).toBeCloseTo(65_536 * 10 / 2_000_000, 6);
  });
});

describe('simulate: monitor', () => {
  it('a violation stops the run at the violating event', () => {
    const network = pingPong(10, 100, 50);
    const seen: number[] = [];
    const r = simulate({
      network,
      ...noCpu(network),
      seed: 1,
      durationNs: 1_000_000,
      monitor: (t, states) => {
        seen.push(t);
        const n = (states[0]!.context as { n: number }).n;
        return n >= 3 ? `pinger reached ${n}` : undefined;
      },
    });
    expect(r.stop).toEqual({ kind: 'violation', atNs: 450, message: 'pinger reached 3' });
    expect(r.endNs).toBe(450);
    expect(r.events).toBe(6);
    expect((r.states[0]!.context as { n: number }).n).toBe(3);
    // Once after start-up, then after every delivery.
    expect(seen).toEqual([0, 100, 150, 250, 300, 400, 450]);
  });

  it('with monitorEvery, sees every probe since the previous call, and runs once more at the end', () => {
    const network = pingPong(10, 100, 50);
    const calls: { t: number; probes: string[] }[] = [];
    const r = simulate({
      network,
      ...noCpu(network),
      seed: 1,
      durationNs: 1_000_000,
      monitorEvery: 3,
      monitor: (t, _states, probes) => {
        calls.push({ t, probes: probes.map((p) => p.name) });
        return undefined;
      },
    });
    expect(r.stop).toEqual({ kind: 'completed' });
    expect(calls.map((c) => c.t)).toEqual([0, 250, 450, 700, 900, 1150, 1350, 1_000_000]);
    expect(calls.flatMap((c) => c.probes)).toEqual([...Array<string>(9).fill('round'), 'finished']);
  });

  it('can report a violation at the end of the run', () => {
    const network = pingPong(3, 100, 50);
    const r = simulate({
      network,
      ...noCpu(network),
      seed: 1,
      durationNs: 10_000,
      monitorEvery: 100,
      monitor: (t, states) => (t > 0 && states[0]!.value === 'done' ? 'done' : undefined),
    });
    expect(r.stop).toEqual({ kind: 'violation', atNs: 10_000, message: 'done' });
    expect(r.endNs).toBe(10_000);
  });
});

/** Hardware without a CPU: on TICK, a synchronous REQ to `target` and the next TICK after `period`. */
const generator = setup({
  types: {
    context: {} as { target: string; period: number },
    events: {} as { type: 'TICK' },
    input: {} as { target: string; period: number },
  },
  actions: outputs,
}).createMachine({
  id: 'generator',
  context: ({ input }) => ({ ...input }),
  initial: 'on',
  states: {
    on: {
      on: {
        TICK: {
          actions: { type: 'out', params: ({ context }) => [send(context.target, { type: 'REQ' }), send('gen', { type: 'TICK' }, context.period)] },
        },
      },
    },
  },
});

type JobEvent = { type: 'REQ' } | { type: 'DONE'; tag: string };

/** A CPU-bound server: every REQ asks for the given jobs; every DONE is counted and probed. */
const server = setup({
  types: {
    context: {} as { jobs: readonly { demand: string | readonly string[]; tag: string }[]; done: number },
    events: {} as JobEvent,
    input: {} as { jobs: readonly { demand: string | readonly string[]; tag: string }[] },
  },
  actions: outputs,
}).createMachine({
  id: 'server',
  context: ({ input }) => ({ jobs: input.jobs, done: 0 }),
  initial: 'serving',
  states: {
    serving: {
      on: {
        REQ: { actions: { type: 'out', params: ({ context }) => context.jobs.map((j) => work(j.demand, { type: 'DONE', tag: j.tag } as JobEvent)) } },
        DONE: {
          actions: [
            assign({ done: ({ context }) => context.done + 1 }),
            { type: 'out', params: ({ event }) => probe('done', { tag: event.type === 'DONE' ? event.tag : '' }) },
          ],
        },
      },
    },
  },
});

const costs = new Map<string, number>([
  ['handle', 300],
  ['a', 200],
  ['x', 100],
  ['y', 250.4],
]);
const demandNs = (key: string): number => {
  const v = costs.get(key);
  if (v === undefined) throw new Error(`unknown demand key '${key}'`);
  return v;
};

describe('simulate: CPU', () => {
  it('periodic arrivals with deterministic service: exact busy time and utilisation', () => {
    const network = new Network([
      component('gen', generator, { target: 'srv', period: 1000 }),
      component('srv', server, { jobs: [{ demand: 'handle', tag: 'h' }] }),
    ]);
    const done: number[] = [];
    const r = simulate({
      network,
      cores: ['core0'],
      pinning: [undefined, 0],
      demandNs,
      seed: 1,
      durationNs: 10_100,
      kicks: [{ atNs: 0, to: 0, event: { type: 'TICK' } }],
      onProbe: (t) => done.push(t),
    });
    expect(r.stop).toEqual({ kind: 'completed' });
    expect(done).toEqual([300, 1300, 2300, 3300, 4300, 5300, 6300, 7300, 8300, 9300]);
    expect(r.events).toBe(11 + 10);
    // Ten jobs of 300 ns, and the 100 ns of the job started at 10 000 that fall inside the run.
    expect(r.cpus).toEqual([{ id: 'core0', busyNs: 3100, utilisation: 3100 / 10_100, byComponent: [{ component: 1, busyNs: 3100 }] }]);
  });

  it('a measurement window (warm-up cut) reports busy time and utilisation over [measureFromNs, end] only', () => {
    const network = new Network([
      component('gen', generator, { target: 'srv', period: 1000 }),
      component('srv', server, { jobs: [{ demand: 'handle', tag: 'h' }] }),
    ]);
    const at = (measureFromNs: number) =>
      simulate({ network, cores: ['core0'], pinning: [undefined, 0], demandNs, seed: 1, durationNs: 10_100, measureFromNs, kicks: [{ atNs: 0, to: 0, event: { type: 'TICK' } }] }).cpus[0]!;
    // Jobs [5000, 5300) … [9000, 9300) and 100 ns of the one started at 10 000.
    expect(at(5000)).toMatchObject({ busyNs: 1600, utilisation: 1600 / 5100, byComponent: [{ component: 1, busyNs: 1600 }] });
    // A window opening in the middle of a job counts only its remaining part: [5150, 5300) is 150 ns.
    expect(at(5150).busyNs).toBe(1450);
    expect(at(0).busyNs).toBe(3100);
    expect(at(10_100)).toMatchObject({ busyNs: 0, utilisation: 0 });
    expect(() => at(10_101)).toThrow(RangeError);
  });

  it('jobs on one core run one at a time, FIFO across components; multi-key demand is summed and rounded', () => {
    const network = new Network([
      component('burst', server, {
        jobs: [
          { demand: 'a', tag: 'A' },
          { demand: ['x', 'y'], tag: 'B' },
        ],
      }),
      component('other', server, { jobs: [{ demand: 'a', tag: 'C' }] }),
      component('idle', server, { jobs: [] }),
    ]);
    const done: [number, number, unknown][] = [];
    const r = simulate({
      network,
      cores: ['core0', 'core1'],
      pinning: [0, 0, 1],
      demandNs,
      seed: 1,
      durationNs: 1000,
      kicks: [
        { atNs: 0, to: 0, event: { type: 'REQ' } },
        { atNs: 100, to: 1, event: { type: 'REQ' } },
      ],
      onProbe: (t, p) => done.push([t, p.component, p.data['tag']]),
    });
    expect(r.stop).toEqual({ kind: 'completed' });
    // A: 0–200; B (100 + 250.4 → 350 ns): 200–550; C, submitted at 100 behind B: 550–750.
    expect(done).toEqual([
      [200, 0, 'A'],
      [550, 0, 'B'],
      [750, 1, 'C'],
    ]);
    expect(r.cpus).toEqual([
      {
        id: 'core0',
        busyNs: 750,
        utilisation: 0.75,
        byComponent: [
          { component: 0, busyNs: 550 },
          { component: 1, busyNs: 200 },
        ],
      },
      { id: 'core1', busyNs: 0, utilisation: 0, byComponent: [{ component: 2, busyNs: 0 }] },
    ]);
    expect(r.quiescent).toBe(true);
    expect(r.endNs).toBe(1000);
    expect(r.lastEventNs).toBe(750);
  });

  it('work from a component without a core is a spec-error', () => {
    const network = new Network([component('hw', server, { jobs: [{ demand: 'a', tag: 'A' }] })]);
    const r = simulate({
      network,
      cores: ['core0'],
      pinning: [undefined],
      demandNs,
      seed: 1,
      durationNs: 1000,
      kicks: [{ atNs: 42, to: 0, event: { type: 'REQ' } }],
    });
    expect(r.stop.kind).toBe('spec-error');
    if (r.stop.kind !== 'spec-error') return;
    expect(r.stop.atNs).toBe(42);
    expect(r.stop.message).toContain("'hw'");
    expect(r.stop.message).toContain('not pinned to a core');
    expect(r.events).toBe(1);
  });

  it('an unknown demand key is a spec-error, not a throw', () => {
    const network = new Network([component('srv', server, { jobs: [{ demand: ['a', 'nope'], tag: 'A' }] })]);
    const r = simulate({ network, cores: ['c'], pinning: [0], demandNs, seed: 1, durationNs: 1000, kicks: [{ atNs: 7, to: 0, event: { type: 'REQ' } }] });
    expect(r.stop).toMatchObject({ kind: 'spec-error', atNs: 7 });
    expect(r.stop.kind === 'spec-error' && r.stop.message).toContain("'nope'");
    const nan = simulate({ network, cores: ['c'], pinning: [0], demandNs: () => NaN, seed: 1, durationNs: 1000, kicks: [{ atNs: 7, to: 0, event: { type: 'REQ' } }] });
    expect(nan.stop.kind).toBe('spec-error');
  });

  it('a random service time is drawn per job from the component\'s own seeded stream', () => {
    const random = (key: string): ServiceTime => (key === 'a' ? { distribution: 'exponential', meanNs: 200 } : demandNs(key));
    const busy = (seed: number, extra: boolean): number[] => {
      const network = new Network([
        component('gen', generator, { target: 'srv', period: 1000 }),
        component('srv', server, { jobs: [{ demand: 'a', tag: 'A' }] }),
        component('other', server, { jobs: extra ? [{ demand: ['a', 'x'], tag: 'B' }] : [] }),
      ]);
      const r = simulate({
        network,
        cores: ['c0', 'c1'],
        pinning: [undefined, 0, 1],
        demandNs: random,
        seed,
        durationNs: 100_000,
        kicks: [
          { atNs: 0, to: 0, event: { type: 'TICK' } },
          ...Array.from({ length: 50 }, (_, i) => ({ atNs: 500 + 1000 * i, to: 2, event: { type: 'REQ' } })),
        ],
      });
      expect(r.stop).toEqual({ kind: 'completed' });
      return r.cpus.map((c) => c.busyNs);
    };
    const one = busy(1, false);
    expect(busy(1, false)).toEqual(one);
    expect(busy(2, false)[0]).not.toBe(one[0]);
    // Another component drawing from the same key does not shift srv's draws.
    expect(busy(1, true)[0]).toBe(one[0]);
    // 100 jobs of mean 200 ns: the total is near 20 000 ns, not the deterministic 100 · 200 exactly.
    expect(one[0]).not.toBe(20_000);
    expect(Math.abs(one[0]! - 20_000)).toBeLessThan(8_000);
  });

  it('a malformed distribution is a spec-error naming the key', () => {
    const network = new Network([component('srv', server, { jobs: [{ demand: 'a', tag: 'A' }] })]);
    const bad = (d: unknown) => simulate({ network, cores: ['c'], pinning: [0], demandNs: () => d as ServiceTime, seed: 1, durationNs: 1000, kicks: [{ atNs: 3, to: 0, event: { type: 'REQ' } }] });
    for (const d of [{ distribution: 'lognormal', meanNs: 5 }, { distribution: 'uniform', meanNs: 5 }, { distribution: 'exponential', meanNs: -1 }]) {
      const r = bad(d);
      expect(r.stop).toMatchObject({ kind: 'spec-error', atNs: 3 });
      expect(r.stop.kind === 'spec-error' && r.stop.message).toContain("demand key 'a'");
    }
    expect(bad({ distribution: 'lognormal', meanNs: 5, cv: 0 }).stop.kind).toBe('completed');
  });

  it('a job completion the component does not accept is counted as ignored', () => {
    const picky = setup({ types: { events: {} as JobEvent }, actions: outputs }).createMachine({
      id: 'picky',
      initial: 'waiting',
      states: {
        waiting: { on: { REQ: { target: 'gone', actions: { type: 'out', params: work('a', { type: 'DONE', tag: 'x' } as JobEvent) } } } },
        gone: {},
      },
    });
    const network = new Network([component('p', picky)]);
    const r = simulate({ network, cores: ['c'], pinning: [0], demandNs, seed: 1, durationNs: 1000, kicks: [{ atNs: 0, to: 0, event: { type: 'REQ' } }] });
    expect(r.stop).toEqual({ kind: 'completed' });
    expect(r.events).toBe(2);
    expect(r.ignored).toBe(1);
    expect(r.ignoredCompletions).toBe(1);
    expect(r.cpus[0]!.busyNs).toBe(200);
  });
});

describe('simulate: specification errors', () => {
  const caller = setup({ types: { events: {} as { type: 'GO' } }, actions: outputs }).createMachine({
    id: 'caller',
    initial: 'ready',
    states: { ready: { on: { GO: { actions: { type: 'out', params: send('callee', { type: 'NOPE' }) } } } } },
  });
  const callee = setup({ types: { events: {} as { type: 'OTHER' } } }).createMachine({
    id: 'callee',
    initial: 'sleeping',
    states: { sleeping: { on: { OTHER: {} } } },
  });

  it('an unhandled synchronous send stops the run, naming the receiver, its state and the event', () => {
    const network = new Network([component('caller', caller), component('callee', callee)]);
    const before = simulate({ network, ...noCpu(network), seed: 1, durationNs: 1000 }).states;
    const r = simulate({ network, ...noCpu(network), seed: 1, durationNs: 1000, kicks: [{ atNs: 123, to: 0, event: { type: 'GO' } }] });
    expect(r.stop.kind).toBe('spec-error');
    if (r.stop.kind !== 'spec-error') return;
    expect(r.stop.atNs).toBe(123);
    expect(r.stop.message).toContain('123 ns');
    expect(r.stop.message).toContain("component 'callee'");
    expect(r.stop.message).toContain("state 'sleeping'");
    expect(r.stop.message).toContain("'NOPE'");
    expect(r.endNs).toBe(123);
    expect(r.events).toBe(1);
    expect(r.states).toEqual(before);
  });

  it('a bad output stops the run', () => {
    const broken = setup({ types: { events: {} as { type: 'GO' } }, actions: { out: (_: unknown, _p: unknown) => {} } }).createMachine({
      id: 'broken',
      initial: 's',
      states: { s: { on: { GO: { actions: { type: 'out', params: { hello: 1 } } } } } },
    });
    const network = new Network([component('broken', broken)]);
    const r = simulate({ network, ...noCpu(network), seed: 1, durationNs: 1000, kicks: [{ atNs: 5, to: 0, event: { type: 'GO' } }] });
    expect(r.stop).toMatchObject({ kind: 'spec-error', atNs: 5 });
    expect(r.stop.kind === 'spec-error' && r.stop.message).toContain("'broken'");
  });

  it('an initial cascade error is reported at 0', () => {
    const eager = setup({ actions: outputs }).createMachine({
      id: 'eager',
      initial: 's',
      states: { s: { entry: { type: 'out', params: send('callee', { type: 'NOPE' }) } } },
    });
    const network = new Network([component('eager', eager), component('callee', callee)]);
    const r = simulate({ network, ...noCpu(network), seed: 1, durationNs: 1000 });
    expect(r.stop).toMatchObject({ kind: 'spec-error', atNs: 0 });
    expect(r.events).toBe(0);
    expect(r.states.map((s: MachineState<unknown>) => s.value)).toEqual(['s', 'sleeping']);
  });

  it('rejects inconsistent options', () => {
    const network = pingPong(1, 1, 1);
    expect(() => simulate({ network, cores: ['c'], pinning: [0], demandNs, seed: 1, durationNs: 10 })).toThrow(RangeError);
    expect(() => simulate({ network, cores: ['c'], pinning: [0, 1], demandNs, seed: 1, durationNs: 10 })).toThrow(RangeError);
    expect(() => simulate({ network, ...noCpu(network), seed: 1, durationNs: 10, kicks: [{ atNs: 0, to: 5, event: { type: 'X' } }] })).toThrow(
      RangeError,
    );
  });
});
