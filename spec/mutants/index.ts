/**
 * The mutant catalogue: named, documented wrong variants of the design (Lakshmi & Nandy §3), each a few lines from
 * the specified machines and selected without editing them (mutant.ts), with the checks that should find each.
 * `vnicspec mutants` runs them all and prints the kill matrix; test/mutants.test.ts asserts every one is killed
 * and the specified system by none of the same checks.
 */
import { bucketInDebt, bucketUnspentTokens, partitionCountsPackets, wrrPointerResumesWrong, dmaIdleAfterWithdraw, macTableTwoEntries, arbiterForgetsTurn, txFlushKeepsQueued, bucketOverfill, classifyFirstActive, noInitialDescriptors, partitionOffByOne, resizeBelowOccupancy, teardownKeepsMapping, teardownLosesPackets, vnicAcceptsAnyWriter } from './nic.js';
import { vmmEarlySlotRelease, vmForgetsOccupiedDescriptors, vmLostRearm, vmmMsiByRecordIndex, vmmReusesVectorInService, vmUnbindStrandsRing, vmmMemoryCheckInverted, iddBridgeWrongPort, iddRateDropUnreported, sharedBufferOffByOne, vmRingOverwrite } from './hosts.js';
import type { Mutant } from './mutant.js';

export type { Mutant, KillRun, KillSearch, DesignMachine } from './mutant.js';

/** Every mutant, in the order the kill matrix lists them (the NIC from the wire inwards, then the hosts). */
export const MUTANTS: readonly Mutant[] = [
  classifyFirstActive,
  macTableTwoEntries,
  partitionOffByOne,
  partitionCountsPackets,
  bucketOverfill,
  bucketUnspentTokens,
  bucketInDebt,
  resizeBelowOccupancy,
  teardownLosesPackets,
  teardownKeepsMapping,
  noInitialDescriptors,
  vnicAcceptsAnyWriter,
  arbiterForgetsTurn,
  wrrPointerResumesWrong,
  dmaIdleAfterWithdraw,
  txFlushKeepsQueued,
  vmmMemoryCheckInverted,
  vmmReusesVectorInService,
  vmmMsiByRecordIndex,
  vmmEarlySlotRelease,
  vmLostRearm,
  vmUnbindStrandsRing,
  vmForgetsOccupiedDescriptors,
  vmRingOverwrite,
  iddRateDropUnreported,
  iddBridgeWrongPort,
  sharedBufferOffByOne,
];
