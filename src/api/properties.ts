/**
 * `vnicspec/properties`: what vnicspec checks, as named, documented predicates — the explorer's properties
 * ({@link PROPERTIES}: isolation, qos-admission, no-cross-vm-starvation, conservation and two reachability checks),
 * the liveness property eventual-delivery ({@link LIVENESS_PROPERTIES}), the invariants they share with the
 * simulator's runtime monitor, and that monitor.
 *
 * A property of your own is a {@link CheckedProperty}: give it to `check({ properties: [...] })` from `vnicspec`,
 * or build the explorer's properties with {@link propertiesFor} and run `search` from `vnicspec/explore`.
 *
 * @example
 * ```ts
 * import type { CheckedProperty } from 'vnicspec/properties';
 * const neverTwoActive: CheckedProperty = {
 *   name: 'at-most-one-active-vnic',
 *   description: 'No two vNICs are active at once (false: each VM has one).',
 *   kind: 'always',
 *   state: (sys) => (s) => {
 *     // sys.vnics: each vNIC's component; its statechart state is 'free', 'active' or 'closing'.
 *     const active = sys.vnics.filter((i) => s.machines[i]!.value === 'active').length;
 *     return active <= 1 ? undefined : `${active} vNICs are active`;
 *   },
 * };
 * ```
 * @packageDocumentation
 */
export { PROPERTIES, PROPERTY_NAMES, propertiesFor, type CheckedProperty } from '../../properties/checked.js';
/** Liveness ({@link LIVENESS_PROPERTIES}: eventual-delivery), checked on the whole graph under weak fairness by `check`. */
export { LIVENESS_NAMES, LIVENESS_PROPERTIES, livenessFor, type CheckedLivenessProperty } from '../../properties/liveness.js';
export {
  conservationOf,
  hasVnics,
  isolationAcrossComponents,
  isolationInComponent,
  isolationInState,
  isolationInStep,
  qosInComponent,
  qosInState,
  type SystemShape,
} from '../../properties/invariants.js';
export { MONITORED_PROPERTIES, RuntimeMonitor, simulationShape } from '../../properties/runtime.js';
