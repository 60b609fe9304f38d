/**
 * isolation's part across components is decided per vNIC slot in the packed explorer (`isolationAcrossForSlot`, which
 * reads the vNIC, the transmit path and the VMM through narrow projections). It must hold exactly when the whole
 * part (`isolationAcrossComponents`) holds, with the same message for a breach in one slot — on reachable states and
 * on states tampered with (a vNIC's owner, its vector, the VMM's vector table, a posted packet's source MAC).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MachineState } from '../src/machine/types.js';
import { arbCheckConfig } from '../properties/arbitraries.js';
import { isolationAcrossComponents, isolationAcrossForSlot } from '../properties/invariants.js';
import { buildCheckedSystem, CheckedModel, type CheckedSystem } from '../spec/checked/model.js';
import type { TxContext } from '../spec/nic-tx.js';
import type { VmmContext } from '../spec/vmm.js';
import type { VnicContext } from '../spec/vnic.js';

type Tamper = { kind: 'owner' | 'vector' | 'table' | 'src'; slot: number; value: number };

function tampered(sys: CheckedSystem, machines: readonly MachineState<unknown>[], t: Tamper): MachineState<unknown>[] {
  const out = [...machines];
  const slot = t.slot % sys.vnics.length;
  const at = sys.vnics[slot]!;
  const v = out[at]!.context as VnicContext;
  const vmNames = sys.config.names;
  if (t.kind === 'owner') out[at] = { ...out[at]!, context: { ...v, vm: vmNames[t.value % vmNames.length]! } };
  if (t.kind === 'vector') out[at] = { ...out[at]!, context: { ...v, vector: t.value % Math.max(1, sys.vnics.length) } };
  if (t.kind === 'table' && sys.vmm >= 0) {
    const c = out[sys.vmm]!.context as VmmContext;
    const vectors = [...c.vectors];
    if (vectors.length > 0) vectors[t.value % vectors.length] = vmNames[(t.value >> 3) % vmNames.length]!;
    out[sys.vmm] = { ...out[sys.vmm]!, context: { ...c, vectors } };
  }
  if (t.kind === 'src' && sys.tx >= 0) {
    const c = out[sys.tx]!.context as TxContext;
    if (c.queue.length > 0) {
      const i = t.value % c.queue.length;
      const queue = c.queue.map((e, j) => (j === i ? { ...e, packet: { ...e.packet, src: e.packet.src + 1 + (t.value >> 4) } } : e));
      out[sys.tx] = { ...out[sys.tx]!, context: { ...c, queue } };
    }
  }
  return out;
}

describe('isolation across components, per slot = whole', () => {
  it('holds in every slot exactly when the whole part holds, and a breach in one slot gives the whole part’s message', () => {
    const arbTamper = fc.record({ kind: fc.constantFrom('owner', 'vector', 'table', 'src'), slot: fc.nat(), value: fc.nat() }) as fc.Arbitrary<Tamper>;
    fc.assert(
      fc.property(arbCheckConfig, fc.array(fc.nat(), { minLength: 60, maxLength: 60 }), fc.array(arbTamper, { maxLength: 2 }), (config, choices, tampers) => {
        const sys = buildCheckedSystem(config);
        if (sys.vnics.length === 0) return;
        const model = new CheckedModel(sys, { stepChecks: [] });
        let s = model.initial()[0]!;
        for (const choice of choices) {
          const actions = model.actions(s);
          if (actions.length === 0) break;
          s = model.next(s, actions[choice % actions.length]!);
          let machines: readonly MachineState<unknown>[] = s.machines;
          for (const t of tampers) machines = tampered(sys, machines, t);
          const whole = isolationAcrossComponents(sys, machines);
          const slots = sys.vnics.map((_, slot) => isolationAcrossForSlot(sys, machines, slot));
          const breaches = slots.filter((w) => w !== undefined);
          expect(breaches.length === 0).toBe(whole === undefined);
          if (breaches.length === 1) expect(breaches[0]).toBe(whole);
        }
      }),
      { numRuns: 60 },
    );
  });
});
