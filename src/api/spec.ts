/**
 * `vnicspec/spec`: the executable specification — the xstate v5 machines of the paper's components, the scenario
 * and calibration formats, and the two ways they are composed: a timed system for the simulator
 * ({@link buildSystem}) and a nondeterministic one for the explorer ({@link buildCheckedSystem},
 * {@link CheckedModel}), which `search` from `vnicspec/explore` checks directly.
 *
 * Every machine cites the section of Lakshmi & Nandy, "I/O Device Virtualization in the multi-core era, a QoS
 * perspective", that it encodes. A machine's custom actions return outputs (send now, send after a delay, run CPU
 * work, record a probe) instead of calling each other, so one definition runs in both engines.
 *
 * @example
 * ```ts
 * import { buildCheckedSystem, CheckedModel, defaultCheckConfig } from 'vnicspec/spec';
 * import { propertiesFor } from 'vnicspec/properties';
 * import { search } from 'vnicspec/explore';
 * const sys = buildCheckedSystem(defaultCheckConfig({ arch: 'xen-idd' }));
 * const { properties, stepChecks } = propertiesFor(sys, ['no-cross-vm-starvation']);
 * const r = search(new CheckedModel(sys, { stepChecks }), { strategy: 'bfs', properties });
 * console.log(r.verdict); // 'violated': a flood fills the shared buffer
 * ```
 * @packageDocumentation
 */
// The machines (§3–5 of the paper).
// The vNIC NIC is several machines, as Fig. 3 draws it: classifier ('nic'), one vNIC per slot ('vnic0'…), the DMA
// engine with its arbiter ('dma') and the transmit path ('tx').
export {
  receiverOf,
  vnicId,
  vnicNicParts,
  type NicEvent,
  type NicInput,
  type NicPart,
  type NicPartKind,
  type NicTiming,
  type RejectReason,
  type VnicQos,
} from '../../spec/nic-vnic.js';
export { vnicMachine, freeVnic, type VnicContext, type VnicEvent } from '../../spec/vnic.js';
export { classifierMachine, type ClassifierContext, type ClassifierEvent } from '../../spec/nic-classifier.js';
export { dmaMachine, type Channel, type DmaContext, type DmaEvent } from '../../spec/nic-dma.js';
export { txMachine, type TxContext, type TxEntry, type TxEvent } from '../../spec/nic-tx.js';
export { sharedNicMachine, type SharedNicContext, type SharedNicEvent, type SharedNicInput } from '../../spec/nic-shared.js';
export { vmmMachine, type Attachment, type RefusalReason, type VmmContext, type VmmEvent, type VmmInput } from '../../spec/vmm.js';
export { vmMachine, type DriverMode, type VmContext, type VmEvent, type VmInput } from '../../spec/vm-driver.js';
export { driverDomainMachine, type IddContext, type IddEvent, type IddInput, type SoftwareDropReason } from '../../spec/driver-domain.js';
export {
  closedLoopMachine,
  openLoopMachine,
  wireMachine,
  type ClosedLoopContext,
  type ClosedLoopInput,
  type OpenLoopContext,
  type OpenLoopInput,
  type SourceEvent,
  type WireContext,
  type WireEvent,
} from '../../spec/workload.js';
export { initialArbiter, pick, type ArbiterKind, type ArbiterState, type Candidate, type Grant } from '../../spec/dma-arbiter.js';
export { macOfVm, vmOfMac, type Packet, type PacketKind } from '../../spec/packet.js';
// Scenario and calibration files.
export {
  ARCHS,
  BUILT_IN_SCENARIOS,
  CORE_LAYOUTS,
  calibrationSchema,
  loadCalibration,
  loadScenario,
  parseScenario,
  scenarioSchema,
  type Arch,
  type Calibration,
  type CoreLayout,
  type Scenario,
  type StreamSpec,
} from '../../spec/scenario.js';
export type { Loaded } from '../../spec/json-file.js';
// System files (what check checks; a scenario may take its VMs from one).
export {
  BUILT_IN_SYSTEMS,
  loadSystem,
  parseSystem,
  systemSchema,
  type SystemFile,
  type SystemInput,
  type SystemVm,
} from '../../spec/system-file.js';
export { scenarioOfSystem } from '../../spec/system-scenario.js';
// Composition: the simulator's timed system and the explorer's checked one.
export { buildSystem, type BuiltSystem, type ComponentKind, type StepperKind } from '../../spec/system.js';
export {
  checkConfigOf,
  defaultCheckConfig,
  systemOfCheckConfig,
  systemOfShortcuts,
  type CheckArch,
  type CheckConfig,
  type CheckShortcuts,
  type DriverKind,
  type Role,
} from '../../spec/checked/config.js';
export {
  CheckedModel,
  buildCheckedSystem,
  type CheckAction,
  type CheckedModelOptions,
  type CheckedState,
  type CheckedSystem,
  type StepCheck,
} from '../../spec/checked/model.js';
