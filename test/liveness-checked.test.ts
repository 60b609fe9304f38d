/**
 * eventual-delivery on the checked system: the specified machines keep it; a VM driver that loses its interrupt
 * re-arm (spec/mutants/hosts.ts `vm-lost-rearm`, selected with machine.provide, no code path in the spec) breaks it with a
 * short lasso that survives ITF and replay; and the assumptions the property's per-VM count rests on hold.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbCheckConfig, outputsOf } from '../properties/arbitraries.js';
import { setUp, type SystemVariant } from '../src/api/check-setup.js';
import { itfText } from '../src/api/trace-files.js';
import { InputError } from '../src/api/errors.js';
import { replayOn } from '../src/api/replay.js';
import { checkLasso, checkLiveness, type Model } from '../src/explore/index.js';
import { buildGraph } from '../src/explore/liveness-graph.js';
import { compileMachine, referenceStepper, type EventObject, type MachineState, type Stepper } from '../src/machine/index.js';
import { parseItf } from '../src/trace/index.js';
import { defaultCheckConfig, type CheckConfig } from '../spec/checked/config.js';
import type { CheckAction, CheckedState } from '../spec/checked/model.js';
import { vmLostRearm } from '../spec/mutants/hosts.js';
import { packetLabel } from '../spec/checked/model.js';
import { vmMachine } from '../spec/vm-driver.js';
import { vmInput } from '../spec/wiring.js';

const lostRearmVmMachine = vmLostRearm.machines.vm!;
const LOST_REARM: SystemVariant = { machines: { vm: lostRearmVmMachine } };

function liveness(config: Partial<CheckConfig>, variant?: SystemVariant) {
  const setup = setUp(defaultCheckConfig(config), ['eventual-delivery'], variant !== undefined ? { variant } : {});
  return { setup, result: checkLiveness(setup.model, setup.liveness) };
}

describe('eventual-delivery', () => {
  it.each([
    ['vnic, 2 VMs', { arch: 'vnic' }],
    ['mixed, 2 VMs', { arch: 'mixed' }],
    ['vnic, 1 VM with churn', { arch: 'vnic', vms: 1, churn: true, roles: ['conforming'] }],
    ['mixed, 1 VM with churn', { arch: 'mixed', vms: 1, churn: true, roles: ['conforming'] }],
    ['xen-idd, 1 VM', { arch: 'xen-idd', vms: 1, roles: ['conforming'] }],
  ] as const)('holds for the specified machines: %s', (_name, config) => {
    const { result } = liveness(config as Partial<CheckConfig>);
    expect(result.verdict, result.message).toBe('holds');
    expect(result.states).toBeGreaterThan(100);
  });

  it('a VM driver that does not re-arm its interrupt when its ring drains: found, with a short fair lasso', () => {
    const { setup, result } = liveness({ arch: 'vnic' }, LOST_REARM);
    expect(result.verdict).toBe('violated');
    expect(result.property).toBe('eventual-delivery');
    expect(result.obligation).toBe('vm1');
    const lasso = result.lasso!;
    expect(lasso.actions.length).toBeLessThanOrEqual(10);
    // The cycle is closed, fair, and keeps vm1's packets outstanding: the same judge replay uses.
    expect(checkLasso(setup.model, setup.liveness, lasso)).toMatchObject({ kind: 'violated', obligation: 'vm1' });
    const stuck = lasso.states[lasso.loop]!;
    expect(stuck.env.outstanding[1]).toBeGreaterThan(0);
    // Held in vm1's own ring, with nothing pending that could wake it: the interrupt stays masked.
    const vm1 = stuck.machines[setup.sys.vmComponent[1]!]!;
    expect(vm1.value).toBe('idle');
    expect((vm1.context as { ring: unknown[] }).ring.length).toBeGreaterThan(0);
    expect(stuck.pending.filter((p) => p.to === setup.sys.vmComponent[1] || p.label.includes('vm1'))).toEqual([]);
  });

  it('the lasso survives ITF: replay re-executes prefix and cycle on the variant and reports it; the real VM driver cannot take its steps', () => {
    const { setup, result } = liveness({ arch: 'vnic' }, LOST_REARM);
    const lasso = result.lasso!;
    const text = itfText(setup, lasso, { status: 'violation', description: `eventual-delivery: ${result.message}` }, { config: setup.config, properties: setup.names, property: 'eventual-delivery' });
    expect(JSON.parse(text)).toMatchObject({ loop: lasso.loop });
    const itf = parseItf(text);
    expect(itf.trace.loop).toBe(lasso.loop);

    const base = { file: 'lasso.itf.json', recorded: null, config: setup.config, recordedProperty: 'eventual-delivery' };
    const report = replayOn(setup, itf, 'lasso.itf.json', base);
    expect(report).toMatchObject({ verdict: 'violated', violation: null, steps: lasso.actions.length, loop: lasso.loop });
    expect(report.lasso).toEqual({ verdict: 'violated', property: 'eventual-delivery', obligation: 'vm1', message: result.message });

    const real = setUp(setup.config, setup.names);
    expect(() => replayOn(real, itf, 'lasso.itf.json', base)).toThrow(InputError);
  });

  it('a cut graph proves nothing: incomplete', () => {
    const setup = setUp(defaultCheckConfig(), ['eventual-delivery']);
    expect(checkLiveness(setup.model, setup.liveness, { maxStates: 500 })).toMatchObject({ verdict: 'incomplete', incompleteReason: 'max-states' });
  });
});

// ---- the graph and the count the property rests on -----------------------------------------------------------

describe('the liveness graph of the checked model', () => {
  it('built through pack/unpack/nextPacked is the graph built through next (same ids, edges, tasks, levels)', () => {
    const setup = setUp(defaultCheckConfig({ vms: 1, churn: true, roles: ['conforming'] }), ['eventual-delivery']);
    const m = setup.model;
    const plain: Model<CheckedState, CheckAction> = {
      initial: () => m.initial(),
      actions: (s) => m.actions(s),
      next: (s, a) => m.next(s, a),
      key: (s) => m.key(s),
      label: (a) => m.label(a),
      vars: (s) => m.vars(s),
      fairTask: (s, a) => m.fairTask(s, a),
    };
    const packed = buildGraph(m, setup.liveness).graph;
    const keyed = buildGraph(plain, setup.liveness).graph;
    expect(packed.states).toBe(keyed.states);
    expect([...packed.offsets]).toEqual([...keyed.offsets]);
    expect([...packed.targets]).toEqual([...keyed.targets]);
    expect([...packed.tasks.data.slice(0, packed.edges)]).toEqual([...keyed.tasks.data.slice(0, keyed.edges)]);
    expect([...packed.levels.data.slice(0, packed.states)]).toEqual([...keyed.levels.data.slice(0, keyed.states)]);
    expect(packed.taskCount).toBeGreaterThan(1);
  });

  it('no arrival step delivers or drops a packet: a step that admits never also serves (random walks, churn, every architecture)', () => {
    let arrivals = 0;
    fc.assert(
      fc.property(arbCheckConfig, fc.array(fc.nat(), { minLength: 100, maxLength: 100 }), (config, choices) => {
        const setup = setUp(config, ['eventual-delivery']);
        const { model, sys } = setup;
        let s = model.initial()[0]!;
        for (const choice of choices) {
          const actions = model.actions(s);
          const a = actions[choice % actions.length]!;
          if (a.kind === 'arrive') {
            arrivals++;
            let states: readonly MachineState<unknown>[] = s.machines;
            for (const d of model.environmentDeliveries(a)) {
              const r = sys.network.deliver(states, d.to, d.event);
              if (r.kind !== 'ok') break;
              expect(r.probes.filter((p) => p.name === 'packet.delivered' || p.name === 'rx.dropped').map((p) => `${p.name} ${packetLabel((p.data as { packet: never }).packet)}`)).toEqual([]);
              states = r.states;
            }
          }
          s = model.next(s, a);
        }
      }),
      { numRuns: 40 },
    );
    expect(arrivals).toBeGreaterThan(500);
  });
});

// ---- the variant mechanism -------------------------------------------------------------------------------------

describe('machine.provide over a named effect', () => {
  type AnyStepper = Stepper<unknown, EventObject, unknown>;
  /** Bind a VM, give it one packet, wake it, finish the packet: the outputs of that last (draining) step. */
  function drain(stepper: AnyStepper): ReturnType<typeof outputsOf> {
    let s = stepper.initial(vmInput(0, { replySize: 1, txRate: 0, txBurst: 0 })).state;
    const packet = { id: 7, dst: 1, src: 0, size: 1, bornNs: 0, kind: 'request', stream: 0 };
    for (const e of [
      { type: 'driver.bind', device: 'nic', slot: 0, mode: 'vnic' },
      { type: 'ring.deposit', packet, slot: 0 },
      { type: 'virq', vector: 0 },
    ]) s = stepper.step(s, e)!.state;
    return outputsOf(stepper.step(s, { type: 'rx.processed', id: 7, nowNs: 0 } as EventObject)!.emitted);
  }

  it('both steppers perform what the variant returns: the specified driver re-arms, the variant does not', () => {
    const refill = (outs: ReturnType<typeof outputsOf>) => outs.filter((o) => o.kind === 'send' && o.event.type === 'rx.refill').map((o) => (o as { event: unknown }).event);
    expect(refill(drain(compileMachine(vmMachine)))).toEqual([{ type: 'rx.refill', slot: 0, from: 'vm0', count: 1, unmask: true }]);
    expect(refill(drain(referenceStepper(vmMachine)))).toEqual([{ type: 'rx.refill', slot: 0, from: 'vm0', count: 1, unmask: true }]);
    const compiled = drain(compileMachine(lostRearmVmMachine));
    expect(refill(compiled)).toEqual([{ type: 'rx.refill', slot: 0, from: 'vm0', count: 1 }]);
    expect(drain(referenceStepper(lostRearmVmMachine))).toEqual(compiled);
  });
});

// ---- what the liveness check found in the specification --------------------------------------------------------

describe('VM driver under churn (found by eventual-delivery: both left a packet held forever)', () => {
  const stepper = compileMachine(vmMachine) as Stepper<unknown, EventObject, unknown>;
  const packet = (id: number) => ({ id, dst: 1, src: 0, size: 1, bornNs: 0, kind: 'request', stream: 0 });
  const run = (events: readonly object[]) => {
    let s = stepper.initial(vmInput(0, { replySize: 1, txRate: 0, txBurst: 0 })).state;
    let last: ReturnType<typeof outputsOf> = [];
    for (const e of events) {
      const r = stepper.step(s, e as EventObject)!;
      s = r.state;
      last = outputsOf(r.emitted);
    }
    return { state: s as MachineState<{ ring: unknown[]; lent: number; device: string }>, last };
  };
  const bind = { type: 'driver.bind', device: 'nic', slot: 0, mode: 'vnic' };

  it('detached while idle with packets in its ring (its interrupt was still at the VMM), it polls them', () => {
    const { state, last } = run([bind, { type: 'ring.deposit', packet: packet(1), slot: 0 }, { type: 'driver.unbind' }]);
    expect(state.value).toBe('polling');
    expect(state.context.device).toBe('');
    expect(last.map((o) => o.kind)).toEqual(['work']);
  });

  it('re-attached with packets in its ring, it returns their descriptors to the new device as it processes them', () => {
    const { state, last } = run([
      bind,
      { type: 'ring.deposit', packet: packet(1), slot: 0 },
      { type: 'driver.unbind' },
      { ...bind, slot: 1 },
      { type: 'rx.processed', id: 1, nowNs: 0 },
    ]);
    expect(state.value).toBe('idle');
    expect(last.filter((o) => o.kind === 'send' && o.event.type === 'rx.refill').map((o) => (o as { to: string; event: unknown }).event)).toEqual([
      { type: 'rx.refill', slot: 1, from: 'vm0', count: 1, unmask: true },
    ]);
  });
});
