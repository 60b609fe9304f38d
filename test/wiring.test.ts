/**
 * One model, two executions: for the same architecture and VMs, the simulator's system (spec/system.ts) and the
 * checker's (spec/checked/model.ts) have the same components, give the VMM, driver domain, VMs and NIC the same
 * structure, and boot the same attachments. Only quantities may differ (bytes and nanoseconds against packet slots
 * and ticks), so those are left out of the comparison.
 */
import { describe, expect, it } from 'vitest';
import { defaultCheckConfig, type CheckArch } from '../spec/checked/config.js';
import { buildCheckedSystem } from '../spec/checked/model.js';
import type { IddInput } from '../spec/driver-domain.js';
import type { SharedNicInput } from '../spec/nic-shared.js';
import type { ClassifierInput, DmaInput, VnicInput } from '../spec/nic-vnic.js';
import { loadCalibration, parseScenario, type Scenario } from '../spec/scenario.js';
import { buildSystem } from '../spec/system.js';
import type { VmInput } from '../spec/vm-driver.js';
import type { VmmInput } from '../spec/vmm.js';
import type { AttachEvent } from '../spec/wiring.js';
import type { ComponentSpec } from '../src/network/network.js';

const VMS = 3;

function scenario(arch: CheckArch): Scenario {
  // As many vectors as VMs, the last VM best effort under mixed: the checker's configuration of 3 VMs.
  const raw = { name: 'wiring', arch, nic: { msiVectors: VMS }, vms: [{ name: 'a' }, { name: 'b' }, { name: 'c', bestEffort: arch === 'mixed' }] };
  const s = parseScenario(raw, 'wiring');
  if (!s.ok) throw new Error(s.error);
  return s.value;
}

/** The structure of each component's input, without the quantities the two executions count differently. */
function structure(components: readonly ComponentSpec[], kinds: readonly string[]): unknown[] {
  return components.flatMap((c, i) => {
    switch (kinds[i]) {
      case 'vmm': {
        const { vms, vectors, driverDomain, reserved } = c.input as VmmInput;
        return [{ id: c.id, vms, vectors, driverDomain, reserved }];
      }
      case 'idd': {
        const { self, device } = c.input as IddInput;
        return [{ id: c.id, self, device }];
      }
      case 'vm': {
        const { self, macs, device } = c.input as VmInput;
        return [{ id: c.id, self, macs, device }];
      }
      case 'nic-classifier':
        return [{ id: c.id, slots: (c.input as ClassifierInput).slots }];
      case 'nic-dma': {
        const { slots, arbiter } = c.input as DmaInput;
        return [{ id: c.id, slots, arbiter }];
      }
      case 'nic-tx':
        return [{ id: c.id }];
      case 'vnic':
        return [{ id: c.id, slot: (c.input as VnicInput).slot }];
      case 'nic-shared': {
        const { host, irqTo, irqEvent } = c.input as SharedNicInput;
        return [{ id: c.id, host, irqTo, irqEvent }];
      }
      case 'wire':
        return [{ id: c.id }];
      default:
        return []; // the simulator's traffic sources; the checker's environment plays them
    }
  });
}

const attachments = (events: readonly AttachEvent[]) => events.map((e) => ({ vm: e.vm, bestEffort: e.bestEffort }));

describe('the simulator and the checker wire the same system', () => {
  const cal = loadCalibration(undefined, '');
  if (!cal.ok) throw new Error(cal.error);

  for (const arch of ['vnic', 'xen-idd', 'mixed'] as const) {
    it(arch, () => {
      const sim = buildSystem(scenario(arch), arch, 'multi', cal.value);
      const checked = buildCheckedSystem(defaultCheckConfig({ arch, vms: VMS }));
      expect(structure(sim.network.components, sim.kinds)).toEqual(structure(checked.network.components, checked.kinds));

      const vmm = sim.network.index('vmm');
      const simBoot = sim.kicks.filter((k) => k.to === vmm).map((k) => k.event as AttachEvent);
      expect(attachments(simBoot)).toEqual(attachments(checked.boot));
      expect(simBoot.length).toBe(arch === 'mixed' ? VMS + 1 : VMS);
    });
  }
});
