/**
 * Liveness properties of the checked system, checked by src/explore/liveness.ts on the whole state graph under weak
 * fairness of the machines' deferred steps (`CheckedModel.fairTask`: every pending delivery — DMA and wire
 * completions, CPU jobs such as VM polling and driver-domain processing, VMM interrupt forwarding — is a fair task;
 * the environment's arrivals, clock ticks and churn are not: it may stop sending, or keep sending, at will).
 */
import type { LivenessProperty } from '../src/explore/index.js';
import type { CheckedState, CheckedSystem } from '../spec/checked/model.js';
import type { OutstandingLevels } from '../spec/checked/packed.js';

/** A liveness property of the checked system: its name and description, and how to build it for one system. */
export interface CheckedLivenessProperty {
  readonly name: string;
  readonly description: string;
  readonly kind: 'leads-to';
  readonly build: (sys: CheckedSystem) => LivenessProperty<CheckedState>;
}

/**
 * `eventual-delivery`: every admitted packet is eventually delivered to its VM or dropped with a reason.
 *
 * What is checked, per VM v: the obligation's level is `env.outstanding[v]` — packets offered to v and not yet
 * rejected, dropped or delivered, which the `conservation` invariant equates with the packets held in v's partition
 * (or the shared buffer), the driver domain and v's ring. It falls exactly when one of v's packets is delivered to v
 * (`packet.delivered`) or dropped with a reason (`rx.dropped`: teardown, driver-domain overflow); an arrival raises
 * it when admitted and leaves it when rejected. The property is violated by a reachable cycle that is fair (every
 * pending delivery enabled in all its states is taken on it) on which v has packets outstanding in every state and
 * the count never falls. It then never rises either (it returns to its value), so the packets held when the cycle
 * starts are held forever on an infinite fair behaviour: the lasso is a real counterexample.
 *
 * Limits:
 * - Per VM, not per packet: a packet overtaken forever by later packets of the same VM, while v's traffic keeps
 *   moving, is not reported. The specified partitions, rings and driver-domain queues are FIFO, so the
 *   specification has no such overtaking; a variant that reorders a queue could.
 * - A count, not names: a step that admitted one of v's packets *and* delivered or dropped another would leave the
 *   level as it was and look like no progress. No step of the specification does both — packets are delivered and
 *   dropped by pending deliveries and management requests, and an arrival only admits or rejects —
 *   test/liveness-checked.test.ts checks that on random walks.
 * - The receive path only: the VMs' replies on the transmit path carry no obligation. Unknown-destination traffic is
 *   rejected on arrival and never held.
 * - On the explored graph only, without symmetry reduction; a bound that cuts the graph leaves the verdict
 *   'incomplete' unless a violation was found in the explored part.
 */
function eventualDelivery(sys: CheckedSystem): LivenessProperty<CheckedState> & OutstandingLevels {
  return {
    name: 'eventual-delivery',
    description: EVENTUAL_DELIVERY,
    kind: 'leads-to',
    obligations: sys.vmNames,
    // One entry per VM, then the unknown-destination count (not an obligation, ignored).
    levels: (s) => s.env.outstanding,
    // The same levels on packed states: the outstanding counters (spec/checked/packed.ts).
    levelsAre: 'outstanding-per-vm',
    violation: (v) =>
      `${sys.vmNames[v]}'s packets are held forever: on this fair cycle ${sys.vmNames[v]} always has packets outstanding, and none of them is delivered to it or dropped with a reason`,
  };
}

const EVENTUAL_DELIVERY =
  'Liveness, under weak fairness of the deferred steps (DMA and wire completions, CPU jobs, VMM forwarding; not of the environment): every admitted packet is eventually delivered to its VM or dropped with a reason — no VM keeps packets held forever while nothing of it moves.';

/** The liveness properties `check` knows (after the safety ones): `eventual-delivery`. */
export const LIVENESS_PROPERTIES: readonly CheckedLivenessProperty[] = [
  { name: 'eventual-delivery', description: EVENTUAL_DELIVERY, kind: 'leads-to', build: eventualDelivery },
];

/** Their names, in order. */
export const LIVENESS_NAMES = LIVENESS_PROPERTIES.map((p) => p.name);

/** The liveness properties among `names`, in LIVENESS_PROPERTIES order, built for `sys`. */
export function livenessFor(sys: CheckedSystem, names: readonly string[]): LivenessProperty<CheckedState>[] {
  return LIVENESS_PROPERTIES.filter((p) => names.includes(p.name)).map((p) => p.build(sys));
}
