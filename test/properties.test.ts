/**
 * The properties are written once (properties/invariants.ts) and used by the explorer, by every simulation's runtime
 * monitor and by these fast-check tests:
 * - random walks through checked systems too large to explore exhaustively: every property that the configuration
 *   is meant to satisfy holds in every state visited;
 * - adversarial traffic through the simulator: the runtime monitor never fires, on any architecture;
 * - planted bugs: a NIC that misfiles, loses or over-admits packets is caught, by the same invariant, in both engines.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { search } from '../src/explore/index.js';
import type { EventObject, MachineState, Stepper } from '../src/machine/types.js';
import { Network } from '../src/network/network.js';
import { simulate } from '../src/sim/index.js';
import { runSimulation } from '../src/api/run-simulation.js';
import { arbCheckConfig, arbScenario } from '../properties/arbitraries.js';
import { PROPERTY_NAMES, propertiesFor, propertyParts, type PropertyParts } from '../properties/checked.js';
import { conservationInState, isolationInState, qosInState } from '../properties/invariants.js';
import { RuntimeMonitor, simulationShape } from '../properties/runtime.js';
import { defaultCheckConfig, type CheckConfig } from '../spec/checked/config.js';
import { buildCheckedSystem, CheckedModel, type CheckedState, type CheckedSystem } from '../spec/checked/model.js';
import type { ClassifierContext } from '../spec/nic-classifier.js';
import type { Output } from '../src/network/outputs.js';
import type { StepResult } from '../src/machine/types.js';
import type { VnicContext } from '../spec/vnic.js';
import { loadCalibration, loadScenario, type Scenario } from '../spec/scenario.js';
import { buildSystem, type BuiltSystem, type ComponentKind } from '../spec/system.js';

const calibration = (() => {
  const c = loadCalibration(undefined, '');
  if (!c.ok) throw new Error(c.error);
  return c.value;
})();

/** The properties a configuration is meant to satisfy: the baselines starve conforming VMs, strict DMA makes them wait. */
function expectedToHold(c: CheckConfig): string[] {
  const starves = c.arch !== 'vnic' || c.dma === 'strict';
  return PROPERTY_NAMES.filter((p) => !(starves && p === 'no-cross-vm-starvation'));
}

describe('random walks through the checked system (fast-check)', () => {
  it('every expected property holds in every state of 300-step walks, on configurations up to 4 VMs × 4 slots with churn', () => {
    fc.assert(
      fc.property(arbCheckConfig, fc.array(fc.nat(), { minLength: 300, maxLength: 300 }), (config, choices) => {
        const sys = buildCheckedSystem(config);
        const { properties, stepChecks } = propertiesFor(sys, expectedToHold(config));
        const always = properties.filter((p) => p.kind === 'always');
        const model = new CheckedModel(sys, { stepChecks });
        let s = model.initial()[0]!;
        const path: string[] = [];
        for (const choice of choices) {
          const actions = model.actions(s);
          const a = actions[choice % actions.length]!;
          path.push(model.label(a));
          s = model.next(s, a);
          for (const p of always) {
            const why = p.check(s);
            if (why !== undefined) throw new Error(`${p.name}: ${why}\n  after ${path.join(', ')}`);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('adversarial traffic through the simulator (fast-check)', () => {
  it('the runtime monitor (isolation, qos-admission, conservation after every delivery) never fires, on any architecture', () => {
    fc.assert(
      fc.property(arbScenario, ({ scenario, arch, cores, seed }) => {
        const r = runSimulation({ scenario, calibration, arch, cores, seed, durationS: 0.01, monitorEvery: 1 });
        expect(r.outcome, r.message).toBe('ok');
        // The runs are not trivial: something arrived.
        expect(r.vms.reduce((a, v) => a + v.offered, 0) + r.unknownDestination.offered).toBeGreaterThan(0);
      }),
      { numRuns: 200 },
    );
  });
});

// ---- planted bugs ----------------------------------------------------------------------------------------------

type AnyStepper = Stepper<unknown, EventObject, unknown>;
/** A planted bug: a part of the NIC that behaves like the specified one except in what `step` rewrites. */
interface Plant {
  readonly part: ComponentKind;
  /** The step the specified part took on a packet arrival, rewritten (or returned as it is). */
  readonly rewrite: (pre: MachineState<unknown>, r: StepResult<unknown>) => StepResult<unknown>;
}

function planted(stepper: AnyStepper, plant: Plant): AnyStepper {
  return {
    id: stepper.id,
    initial: (input) => stepper.initial(input),
    step: (state, event) => {
      const r = stepper.step(state, event);
      return r === undefined || event.type !== 'rx.arrive' ? r : plant.rewrite(state, r);
    },
  };
}

/** A vNIC that, having just queued an admitted packet behind another one (so its DMA request is unchanged), applies `change`. */
const onAdmittingVnic = (change: (v: VnicContext) => VnicContext): Plant => ({
  part: 'vnic',
  rewrite: (pre, r) => {
    const before = pre.context as VnicContext;
    const after = r.state.context as VnicContext;
    if (after.queue.length <= before.queue.length || after.queue.length < 2) return r;
    return { ...r, state: { value: r.state.value, context: change(after) } };
  },
});

const PLANTS: { name: string; property: string; plant: Plant }[] = [
  {
    name: 'files the packet in another VM’s partition (the classifier hands it to the next vNIC with MACs)',
    property: 'isolation',
    plant: {
      part: 'nic-classifier',
      rewrite: (pre, r) => {
        const routes = (pre.context as ClassifierContext).routes;
        const emitted = r.emitted.map((e) => {
          const out = e.params as Output[];
          return {
            ...e,
            params: out.map((o) => {
              if (o.kind !== 'send') return o;
              const slot = Number(o.to.slice('vnic'.length));
              const other = routes.findIndex((macs, k) => k !== slot && macs.length > 0);
              return other < 0 ? o : { ...o, to: `vnic${other}` };
            }),
          };
        });
        return { ...r, emitted };
      },
    },
  },
  {
    name: 'loses the packet it admitted',
    property: 'conservation',
    plant: onAdmittingVnic((v) => ({ ...v, queue: v.queue.slice(0, -1), used: v.used - v.queue[v.queue.length - 1]!.size })),
  },
  {
    name: 'overfills the token bucket',
    property: 'qos-admission',
    plant: onAdmittingVnic((v) => ({ ...v, bucket: { ...v.bucket, tokens: v.bucket.burst + 1 } })),
  },
];

function withPlantedNic<T extends { network: Network; kinds: readonly ComponentKind[] }>(sys: T, plant: Plant): T {
  return { ...sys, network: new Network(sys.network.components.map((c, i) => (sys.kinds[i] === plant.part ? { ...c, stepper: planted(c.stepper, plant) } : c))) };
}

/** The flood scenario with VM2's bandwidth raised to the line rate: its partition then queues (the bugs act on queued packets). */
function floodScenario(): Scenario {
  const s = loadScenario('flood');
  if (!s.ok) throw new Error(s.error);
  const flood = s.value.scenario;
  return { ...flood, vms: flood.vms.map((v) => (v.name === 'vm2' ? { ...v, qos: { ...v.qos, rateMbps: 1000 } } : v)) };
}

/** 10 simulated ms of `built` with the runtime monitor after every delivery. */
function monitoredRun(built: BuiltSystem): ReturnType<typeof simulate> {
  const monitor = new RuntimeMonitor(simulationShape(built));
  return simulate({
    network: built.network,
    cores: built.cores,
    pinning: built.pinning,
    demandNs: built.demandNs,
    kicks: built.kicks,
    seed: 1,
    durationNs: 0.01e9,
    onProbe: (t, p, pre) => monitor.onProbe(p, pre, t),
    monitor: (t, states) => monitor.check(states, t),
  });
}

describe('a planted bug is caught by the same invariant in the explorer and in the simulator', () => {
  for (const { name, property, plant } of PLANTS) {
    it(`a NIC that ${name}: ${property}`, () => {
      const sys: CheckedSystem = withPlantedNic(buildCheckedSystem(defaultCheckConfig()), plant);
      const { properties, stepChecks } = propertiesFor(sys, PROPERTY_NAMES);
      // Bounded: a NIC that loses packets has unboundedly many outstanding, so a missed bug would never finish.
      const checked = search(new CheckedModel(sys, { stepChecks }), { strategy: 'bfs', properties, maxStates: 50_000 });
      expect(checked.verdict, `${checked.property}: ${checked.message}`).toBe('violated');
      expect(checked.property).toBe(property);

      const built: BuiltSystem = withPlantedNic(buildSystem(floodScenario(), 'vnic', 'multi', calibration), plant);
      const run = monitoredRun(built);
      expect(run.stop.kind, JSON.stringify(run.stop)).toBe('violation');
      expect(run.stop.kind === 'violation' ? run.stop.message : '').toMatch(new RegExp(`^${property}: `));
    });
  }

  /** Whether a property's parts (spec/checked/packed.ts) say it fails in `s`. */
  function partsFail(parts: PropertyParts, name: string, s: CheckedState, vms: number): boolean {
    if (parts.flagged === true && s.flags.some((f) => f.property === name)) return true;
    if (parts.local !== undefined && s.machines.some((m, i) => parts.local!(i, m))) return true;
    if (parts.across?.some((g) => g(s.machines)) === true) return true;
    if (parts.outstanding !== undefined) {
      const held = new Array<number>(vms + 1).fill(0);
      s.machines.forEach((m, i) => parts.outstanding!(i, m, held));
      if (held.some((h, v) => h !== s.env.outstanding[v])) return true;
    }
    return false;
  }

  it('the explorer’s memoized state checks give the invariants’ own verdicts, with and without a planted bug', () => {
    // properties/checked.ts remembers per machine state what held there; invariants.ts evaluated afresh is the
    // reference, on walks that do run into violations (a caching slip would show as a missed or a stale one).
    const fresh: Record<string, (sys: CheckedSystem, s: CheckedState) => string | undefined> = {
      isolation: (sys, s) => isolationInState(sys, s.machines),
      'qos-admission': (sys, s) => qosInState(sys, s.machines),
      conservation: (sys, s) => conservationInState(sys, s.machines, s.env.outstanding, new Array<number>(sys.config.vms + 1).fill(0)),
    };
    let violations = 0;
    fc.assert(
      fc.property(
        arbCheckConfig.filter((c) => c.arch === 'vnic'),
        fc.option(fc.constantFrom(...PLANTS), { nil: undefined }),
        fc.array(fc.nat(), { minLength: 200, maxLength: 200 }),
        (config, planted, choices) => {
          const base = buildCheckedSystem(config);
          const sys = planted === undefined ? base : withPlantedNic(base, planted.plant);
          const { properties, stepChecks } = propertiesFor(sys, Object.keys(fresh));
          const model = new CheckedModel(sys, { stepChecks });
          let s = model.initial()[0]!;
          for (const choice of choices) {
            const actions = model.actions(s);
            s = model.next(s, actions[choice % actions.length]!);
            for (const p of properties) {
              const flag = s.flags.find((f) => f.property === p.name)?.message;
              const expected = flag ?? fresh[p.name]!(sys, s);
              expect(p.check(s), p.name).toBe(expected);
              // The packed explorer decides from the property's parts: they must give the same verdict.
              expect(partsFail(propertyParts(p)!, p.name, s, sys.config.vms), `${p.name} (parts)`).toBe(expected !== undefined);
              if (expected !== undefined) violations++;
            }
          }
        },
      ),
      { numRuns: 100 },
    );
    // The walks did meet violations: the comparison covered both verdicts.
    expect(violations).toBeGreaterThan(0);
  });

  it('and the specified NIC, run the same way, is not flagged (the planted bug is what they catch)', () => {
    const built = buildSystem(floodScenario(), 'vnic', 'multi', calibration);
    const run = monitoredRun(built);
    expect(run.stop.kind).toBe('completed');
  });
});
