/**
 * The properties for what the design promises at the device and between machines — bandwidth-conformance,
 * vmm-nic-agreement, msi-routing, dma-fairness — each shown failing on a planted bug selected without editing the
 * spec (spec/mutants/, machine.provide over named guards and effects) with a short trace, and holding on the
 * specified machines on the same configuration. Their references are their own (properties/references.ts): the
 * configured MAC map and QoS, the VMM's records, shadow counters kept from the probes.
 */
import { describe, expect, it } from 'vitest';
import { PROPERTY_NAMES } from '../properties/checked.js';
import { bucketInDebt, bucketUnspentTokens, partitionCountsPackets, wrrPointerResumesWrong } from '../spec/mutants/nic.js';
import { vmLostRearm, vmmEarlySlotRelease, vmmMsiByRecordIndex } from '../spec/mutants/hosts.js';
import { checkVariant } from './variants.js';
import { search, type Property } from '../src/explore/index.js';
import { defaultCheckConfig } from '../spec/checked/config.js';
import { buildCheckedSystem, CheckedModel, type CheckedState } from '../spec/checked/model.js';
import { renderReport } from '../src/cli/format/report.js';
import { runSimulation, type SimulationOptions } from '../src/api/run-simulation.js';
import { loadCalibration, loadScenario } from '../spec/scenario.js';

const others = (name: string) => PROPERTY_NAMES.filter((p) => p !== name);

describe('bandwidth-conformance: what a VM is admitted, against a shadow bucket of its own', () => {
  it('a vNIC that never spends tokens on admission: every other property holds, bandwidth-conformance finds it in 2 steps', () => {
    const variant = bucketUnspentTokens.machines;
    // The vNIC's own bucket stays within [0, burst] and agrees with every decision: only the shadow tells.
    const rest = checkVariant({}, others('bandwidth-conformance'), variant);
    expect(rest.result.verdict, `${rest.result.property}: ${rest.result.message}`).toBe('holds');
    const { result, labels } = checkVariant({}, ['bandwidth-conformance'], variant);
    expect(result.verdict).toBe('violated');
    expect(result.property).toBe('bandwidth-conformance');
    // Burst 1, one packet per tick: the second back-to-back admission for the flooding VM is one too many.
    expect(labels).toEqual(['arrive(vm1, flooding)', 'arrive(vm1, flooding)']);
    expect(result.message).toBe('vm1 was admitted more than burst + rate × elapsed time over an interval ending here: its shadow token bucket (burst 1 bytes, 1 bytes per tick, as configured) is overdrawn');
  });

  it('a bucket that may go into debt: found by bandwidth-conformance, and by qos-admission in the vNIC’s own bucket', () => {
    const variant = bucketInDebt.machines;
    const bw = checkVariant({}, ['bandwidth-conformance'], variant);
    expect(bw.result.verdict).toBe('violated');
    expect(bw.labels).toEqual(['arrive(vm1, flooding)', 'arrive(vm1, flooding)']);
    const qos = checkVariant({}, ['qos-admission'], variant);
    expect(qos.result.verdict).toBe('violated');
    expect(qos.result.message).toMatch(/tokens outside \[0, 1\]/);
  });

  it('holds for the driver domain’s vNIC too (mixed), and across detach and re-attach (churn)', () => {
    for (const config of [{ arch: 'mixed' as const }, { vms: 1, churn: true, roles: ['flooding' as const] }]) {
      const { result } = checkVariant(config, ['bandwidth-conformance']);
      expect(result.verdict, `${JSON.stringify(config)}: ${result.message}`).toBe('holds');
      expect(result.states).toBeGreaterThan(100);
    }
  });
});

describe('the three admission bugs of the rate bound, on two packet sizes (1 VM flooding packets of 1 and 2 bytes; a partition of 2, a bucket of 3)', () => {
  const twoSizes = { vms: 1, roles: ['flooding' as const], sizes: [1, 2], capacity: 2, burst: 3 };

  const overdrawn = /^vm0 was admitted more than burst \+ rate × elapsed time over an interval ending here: its shadow token bucket \(burst 3 bytes, 1 bytes per tick, as configured\) is overdrawn$/;

  it('no token spent on admission: bandwidth-conformance, 3 steps (the vNIC’s own bucket looks fine)', () => {
    const { result, labels } = checkVariant(twoSizes, PROPERTY_NAMES, bucketUnspentTokens.machines);
    expect([result.verdict, result.property]).toEqual(['violated', 'bandwidth-conformance']);
    // 2 + 2 bytes within one tick against a burst of 3 (the first transfer makes room in the 2-byte partition).
    expect(labels).toEqual(['arrive(vm0, flooding, 2 bytes)', 'dma: dma.done', 'arrive(vm0, flooding, 2 bytes)']);
    expect(result.message).toMatch(overdrawn);
  });

  it('a bucket in debt: qos-admission in 2 steps (a rejection reason that was not true), bandwidth-conformance alone in 3', () => {
    const all = checkVariant(twoSizes, PROPERTY_NAMES, bucketInDebt.machines);
    expect([all.result.verdict, all.result.property]).toEqual(['violated', 'qos-admission']);
    // 1 token left and a 2-byte packet: the bucket in debt does not call it over the rate, so the partition is blamed.
    expect(all.labels).toEqual(['arrive(vm0, flooding, 2 bytes)', 'arrive(vm0, flooding, 2 bytes)']);
    expect(all.result.message).toBe("a 2-byte packet for vm0 was rejected as 'partition-full', which was not true: partition 2 of 2 bytes, 1 tokens");
    const bw = checkVariant(twoSizes, ['bandwidth-conformance'], bucketInDebt.machines);
    expect(bw.result.verdict).toBe('violated');
    expect(bw.labels).toEqual(['arrive(vm0, flooding, 2 bytes)', 'dma: dma.done', 'arrive(vm0, flooding, 2 bytes)']);
    expect(bw.result.message).toMatch(overdrawn);
  });

  it('the partition guard `used >= capacity`: qos-admission, 2 steps (a 2-byte packet into a partition holding 1 of 2 bytes)', () => {
    const { result, labels } = checkVariant(twoSizes, PROPERTY_NAMES, partitionCountsPackets.machines);
    expect([result.verdict, result.property]).toEqual(['violated', 'qos-admission']);
    expect(labels).toEqual(['arrive(vm0, flooding, 1 bytes)', 'arrive(vm0, flooding, 2 bytes)']);
    expect(result.message).toBe('a 2-byte packet for vm0 was admitted into a partition holding 1 of 2 bytes');
  });

  it('the specified NIC on the same system: every property holds', () => {
    const { result } = checkVariant(twoSizes, PROPERTY_NAMES);
    expect(result.verdict, `${result.property}: ${result.message}`).toBe('holds');
    expect(result.states).toBeGreaterThan(300);
  });
});

describe('vmm-nic-agreement: the VMM’s view of each attachment agrees with the NIC’s vNICs', () => {
  it('a VMM that frees a slot at detach instead of when the NIC reports it freed: found within 3 steps, with churn', () => {
    const { result, labels } = checkVariant({ vms: 1, churn: true, roles: ['flooding'] }, ['vmm-nic-agreement'], vmmEarlySlotRelease.machines);
    expect(result.verdict).toBe('violated');
    // A packet in DMA when the VM is detached: the NIC's vNIC drains it (closing), the VMM already calls the slot free.
    expect(labels).toEqual(['arrive(vm0, flooding)', 'detach(vm0)']);
    expect(result.message).toBe("the VMM considers vNIC slot 0 free, but the NIC's vNIC 0 is closing");
  });

  it('every state is quiescent: no management message between the VMM and the NIC is ever left in flight', () => {
    // vmm-nic-agreement is stated at quiescent points; the model delivers management messages within the step.
    const management = new Set(['vnic.setup', 'vnic.teardown', 'vnic.resize', 'vnic.macs', 'vnic.freed', 'vnic.resized', 'nic.route', 'vm.attach', 'vm.detach', 'partition.resize']);
    const sys = buildCheckedSystem(defaultCheckConfig({ churn: true, capacity: 1, rxRing: 1 }));
    const inFlight: Property<CheckedState> = { name: 'quiescent', description: '', kind: 'always', check: (s) => s.pending.find((p) => management.has(p.event.type))?.label };
    const r = search(new CheckedModel(sys, { stepChecks: [] }), { strategy: 'bfs', properties: [inFlight] });
    expect(r.verdict, r.message).toBe('holds');
    expect(r.states).toBeGreaterThan(5_000);
  });

  it('the specified VMM and NIC agree with churn (1 VM; 2 VMs with one slot each)', () => {
    for (const config of [{ vms: 1, churn: true, roles: ['flooding' as const] }, { churn: true, capacity: 1, rxRing: 1 }]) {
      const { result } = checkVariant(config, ['vmm-nic-agreement', 'msi-routing']);
      expect(result.verdict, `${JSON.stringify(config)}: ${result.property}: ${result.message}`).toBe('holds');
    }
  });
});

describe('msi-routing: every forwarded interrupt reaches the VM that owns the vector at that moment', () => {
  it('a VMM that routes an MSI by record index instead of by the vector’s owner: found once churn detaches vm0', () => {
    const { result, labels } = checkVariant({ churn: true, capacity: 1, rxRing: 1 }, ['msi-routing'], vmmMsiByRecordIndex.machines);
    expect(result.verdict).toBe('violated');
    // Record 0 is vm0's whoever owns vector 0 now: once vm0 is detached, its vector's interrupts still go to vm0.
    expect(result.message).toBe('the interrupt on MSI vector 0 reached vm0, but no active vNIC raises that vector now');
    expect(labels).toContain('detach(vm0)');
    expect(labels.length).toBeLessThanOrEqual(6);
    // Without churn VM i keeps vector i: the bug is invisible, which is why churn to other VMs matters.
    expect(checkVariant({}, ['msi-routing'], vmmMsiByRecordIndex.machines).result.verdict).toBe('holds');
  });
});

describe('dma-fairness: under wrr/drr each eligible vNIC gets grants in proportion to its weight, within one round', () => {
  // Two packets per vNIC: a vNIC can stay eligible across its own grant; vm1 idle: the arbiter skips its vNIC.
  const config = { vms: 3, capacity: 2, rxRing: 2, dma: 'wrr' as const, roles: ['flooding' as const, 'idle' as const, 'flooding' as const], unknownTraffic: false };

  it('a WRR pointer that resumes from the wrong place breaks dma-fairness in 7 steps, and not the waiting bound', () => {
    const variant = wrrPointerResumesWrong.machines;
    const { result, labels } = checkVariant(config, ['dma-fairness'], variant);
    expect(result.verdict).toBe('violated');
    // vm1 idle: the pointer skips vNIC 1 to grant vNIC 2, resumes at vNIC 2 instead of vNIC 0, and grants it again.
    expect(labels).toEqual(['arrive(vm0, flooding)', 'arrive(vm2, flooding)', 'tick', 'arrive(vm0, flooding)', 'arrive(vm2, flooding)', 'dma: dma.done', 'dma: dma.done']);
    expect(result.message).toBe('while vm2 (weight 1) and vm0 (weight 1) both requested DMA, the first got ahead of the second by more than 1 grants per unit of weight (one round) over a run of grants: 2');
    // Every other property, the waiting bound included, holds on the whole state space.
    const rest = checkVariant(config, others('dma-fairness'), variant);
    expect(rest.result.verdict, `${rest.result.property}: ${rest.result.message}`).toBe('holds');
    expect(rest.result.states).toBeGreaterThan(1_000);
    expect(checkVariant(config, PROPERTY_NAMES).result.verdict).toBe('holds');
  });

  it('the specified arbiters are fair, with unequal weights too', () => {
    for (const dma of ['wrr', 'drr'] as const) {
      const { result } = checkVariant({ vms: 3, capacity: 1, rxRing: 1, dma, weights: [2, 1, 1] }, ['dma-fairness']);
      expect(result.verdict, `${dma}: ${result.message}`).toBe('holds');
    }
  });
});

describe('the simulator’s runtime monitor: the rate bound and a progress watchdog', () => {
  const calibration = (() => {
    const c = loadCalibration(undefined, '');
    if (!c.ok) throw new Error(c.error);
    return c.value;
  })();
  const scenario = (name: string) => {
    const s = loadScenario(name);
    if (!s.ok) throw new Error(s.error);
    return s.value.scenario;
  };
  const run = (name: string, o: Partial<SimulationOptions> = {}) =>
    runSimulation({ scenario: scenario(name), calibration, arch: 'vnic', cores: 'multi', seed: 1, durationS: 2, ...o });

  it('a vNIC that never spends tokens: the flooded VM’s shadow bucket runs dry within milliseconds, exit 1', () => {
    const r = run('flood', { machines: bucketUnspentTokens.machines });
    expect(r.outcome).toBe('violation');
    expect(r.message).toMatch(/^bandwidth-conformance: vm2 was admitted more than burst \+ rate × elapsed time over an interval ending at /);
    expect(r.stoppedAtS).toBeLessThan(0.1);
    expect(run('flood', { durationS: 0.2 }).outcome).toBe('ok');
  });

  it('a VM driver that loses its interrupt re-arm: the watchdog stops the run (it used to deliver 1 packet and exit 0)', () => {
    const lost = { machines: vmLostRearm.machines };
    const silent = run('httperf-2vm', { ...lost, watchdogS: 0 });
    expect(silent.outcome).toBe('ok');
    expect(silent.vms.map((v) => v.delivered)).toEqual([1, 1]);
    const r = run('httperf-2vm', { ...lost, watchdogS: 0.5 });
    expect(r.outcome).toBe('violation');
    // Checked with the other runtime properties, every 4,096 deliveries: the run stops soon after the watchdog expires.
    expect(r.message).toMatch(/^progress: vm1 holds \d+ received packet\(s\) and none has been delivered or dropped for \d+\.\d+ s of simulated time \(watchdog 0\.5 s; --watchdog changes it\)/);
    expect(r.stoppedAtS).toBeLessThan(1.5);
    expect(renderReport(r)).toMatch(/^NO PROGRESS: progress: vm1 holds/m);
    expect(run('httperf-2vm').outcome).toBe('ok');
  });
});
