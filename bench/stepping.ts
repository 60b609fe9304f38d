/**
 * Machine transitions per second on one vNIC machine (spec/vnic.ts), five ways, on one fixed event loop
 * (nic-workload.ts):
 *   (a) xstate's public pure `transition(machine, snapshot, event)`;
 *   (b) `machine.transition(snapshot, event, scope)` with one scope reused for every step;
 *   (c) an actor: `createActor(machine).start()` then `actor.send(event)`;
 *   (d) our compiled stepper (`compileMachine`);
 *   (e) a plain hand-written reducer (nic-reducer.ts).
 * All five must end in the same state (value and context, canonical JSON); a mismatch is reported as an ERROR row.
 * Plus the record-copy measurement behind spec/record.ts (object spread vs generated literal).
 */
import { Bench } from 'tinybench';
import { createActor, createEmptyActor, initialTransition, transition, type AnyStateMachine } from 'xstate';
import { compileMachine } from '../src/machine/index.js';
import type { Output } from '../src/network/outputs.js';
import type { VnicInput } from '../spec/nic-vnic.js';
import { vnicMachine, type VnicContext, type VnicEvent } from '../spec/vnic.js';
import type { MachineState } from '../src/machine/index.js';
import { canonicalJson } from '../src/util/canonical-json.js';
import { reduceVnic, reducerInitial } from './nic-reducer.js';
import { vnicEventLoop, VNIC_INPUT } from './nic-workload.js';
import { measureRecordCopy } from './record-copy.js';
import { row, type BenchContext, type Row } from './report.js';

const SECTION = '2. stepping the vNIC machine';

type Scope = Parameters<typeof vnicMachine.transition>[2];

/**
 * An actor scope built from xstate's public `createEmptyActor()`, as @xstate/graph builds its own. xstate keeps an
 * actor's real scope in the private field `_actorScope` (private in its typings), so this is the public route.
 * `actionExecutor` collects the custom actions, as `transition()` does.
 */
function reusableScope(collected: unknown[]): Scope {
  const empty = createEmptyActor();
  const scope = {
    self: empty,
    logger: () => {},
    id: '',
    sessionId: 'bench',
    defer: () => {},
    system: empty.system,
    stopChild: () => {},
    emit: () => {},
    actionExecutor: (action: unknown) => {
      collected.push(action);
    },
  };
  return scope as unknown as Scope;
}

interface Variant {
  readonly key: string;
  readonly what: string;
  /** Runs the whole event loop from the initial state; returns the final state. */
  readonly run: (events: readonly VnicEvent[]) => MachineState<VnicContext>;
}

const final = (value: unknown, context: VnicContext): MachineState<VnicContext> => ({ value: value as string, context });

function variants(input: VnicInput): Variant[] {
  const compiled = compileMachine<VnicContext, VnicEvent, VnicInput>(vnicMachine);
  const collected: unknown[] = [];
  const scope = reusableScope(collected);
  return [
    {
      key: 'a',
      what: "(a) xstate transition(machine, snapshot, event)",
      run: (events) => {
        let [snap] = initialTransition(vnicMachine, input);
        for (let i = 0; i < events.length; i++) [snap] = transition(vnicMachine, snap, events[i]!);
        return final(snap.value, snap.context);
      },
    },
    {
      key: 'b',
      what: '(b) machine.transition(snapshot, event, reused scope)',
      run: (events) => {
        let snap = vnicMachine.getInitialSnapshot(scope, input);
        for (let i = 0; i < events.length; i++) {
          collected.length = 0;
          snap = vnicMachine.transition(snap, events[i]!, scope);
        }
        return final(snap.value, snap.context);
      },
    },
    {
      key: 'c',
      what: '(c) createActor(machine).start() + actor.send(event)',
      run: (events) => {
        const actor = createActor(vnicMachine, { input }).start();
        for (let i = 0; i < events.length; i++) actor.send(events[i]!);
        const snap = actor.getSnapshot();
        actor.stop();
        return final(snap.value, snap.context);
      },
    },
    {
      key: 'd',
      what: '(d) compiled stepper (compileMachine)',
      run: (events) => {
        let state = compiled.initial(input).state;
        for (let i = 0; i < events.length; i++) {
          const r = compiled.step(state, events[i]!);
          if (r !== undefined) state = r.state;
        }
        return state;
      },
    },
    {
      key: 'e',
      what: '(e) plain hand-written reducer',
      run: (events) => {
        const out: Output[] = [];
        let s = reducerInitial(input);
        for (let i = 0; i < events.length; i++) {
          out.length = 0;
          const n = reduceVnic(s, events[i]!, out);
          if (n !== undefined) s = n;
        }
        return s;
      },
    },
  ];
}

/**
 * `transition()` builds a throw-away actor per call (xstate's createInertActorScope → createActor(machine)), and the
 * Actor constructor eagerly computes an initial snapshot — without input. vnicMachine's context factory needs its
 * input, so it throws inside xstate, which catches the TypeError (stack trace and all) and moves on.
 */
function whyTransitionIsSlow(): string {
  // Exactly what createInertActorScope does: no input.
  const machine: AnyStateMachine = vnicMachine;
  const n = 2000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) createActor(machine);
  const us = ((performance.now() - t0) * 1000) / n;
  const snap = createActor(machine).getSnapshot();
  const threw = snap.status === 'error';
  return `each call creates an actor; createActor(vnicMachine) alone costs ${us.toFixed(0)} µs here${
    threw ? ' — its eager initial snapshot runs the context factory without input, which throws (caught by xstate)' : ''
  }`;
}

export function benchStepping(ctx: BenchContext): Row[] {
  const rows: Row[] = [];
  const cycles = ctx.quick ? 200 : 1000;
  const events = vnicEventLoop(cycles);
  const vs = variants(VNIC_INPUT);

  // Correctness first: every variant must compute the same final state.
  const finals = vs.map((v) => canonicalJson(v.run(events)));
  const mismatched = vs.filter((_, i) => finals[i] !== finals[0]);
  if (mismatched.length > 0) {
    rows.push(
      row(SECTION, {
        what: 'MISMATCH: variants disagree on the final state',
        value: null,
        unit: '',
        verdict: 'ERROR',
        note: `differs from (a): ${mismatched.map((v) => v.key).join(', ')}`,
      }),
    );
  }

  const timeMs = ctx.quick ? 250 : 1200;
  const bench = new Bench({ time: timeMs, warmupTime: ctx.quick ? 100 : 300, iterations: 3, warmupIterations: 2 });
  for (const v of vs) bench.add(v.key, () => v.run(events));
  ctx.log(`stepping: ${vs.length} variants × ${events.length} events, ~${timeMs} ms each`);
  bench.runSync();

  const rate = new Map<string, number>();
  for (const v of vs) {
    const r = bench.getTask(v.key)?.result;
    if (r === undefined || (r.state !== 'completed' && r.state !== 'aborted-with-statistics')) {
      rows.push(row(SECTION, { what: v.what, value: null, unit: 'steps/s', verdict: 'ERROR', note: r && r.state === 'errored' ? r.error.message : 'did not run' }));
      continue;
    }
    rate.set(v.key, (events.length * 1000) / r.period);
  }
  const a = rate.get('a');
  const why = whyTransitionIsSlow();
  for (const v of vs) {
    const x = rate.get(v.key);
    if (x === undefined) continue;
    rows.push(
      row(SECTION, {
        what: v.what,
        value: x,
        unit: 'steps/s',
        ...(v.key !== 'a' && a !== undefined ? { reference: { value: a, direction: 'at-least' as const, label: '(a)' } } : {}),
        ...(v.key === 'a' ? { note: why } : {}),
      }),
    );
  }
  const d = rate.get('d');
  const e = rate.get('e');
  if (d !== undefined && e !== undefined) {
    rows.push(row(SECTION, { what: '(d) compiled stepper vs (e) plain reducer', value: d, unit: 'steps/s', reference: { value: e, direction: 'at-least', label: '(e)' } }));
  }
  rows[rows.length - 1] = { ...rows[rows.length - 1]!, note: `workload: ${events.length} events (1 setup + ${cycles} cycles of 2 arrivals, 2 DMA grants and completions, 1 refill); all variants end in the same state: ${mismatched.length === 0 ? 'yes' : 'NO'}` };

  const n = ctx.quick ? 200_000 : 2_000_000;
  ctx.log(`stepping: record copy, ${n} copies each`);
  const rc = measureRecordCopy(n);
  rows.push(row(SECTION, { what: 'record copy: object spread with 2 overrides (15 fields)', value: rc.spreadNs, unit: 'ns/copy' }));
  rows.push(
    row(SECTION, {
      what: 'record copy: generated literal (spec/record.ts copier)',
      value: rc.copierNs,
      unit: 'ns/copy',
      reference: { value: rc.spreadNs, direction: 'at-most', label: 'spread' },
    }),
  );
  return rows;
}
