/**
 * Planted bug: a VMM that releases a vNIC's register set at detach instead of when the NIC reports it freed.
 *
 * A vNIC torn down while its last DMA transfer is in flight stays `closing` until the transfer lands (spec/vnic.ts),
 * and only then tells the VMM `vnic.freed`. This VMM marks the slot free at once, so it may hand the slot to another
 * VM while the NIC still drains it: the NIC refuses that set-up, and the VMM records an attachment the NIC does not
 * have. `vmm-nic-agreement` sees the two views part at the detach itself.
 *
 * Built with `machine.provide()` over the named effect `detach` (spec/effect.ts `variant`): the specified step, then
 * the slot marked free.
 */
import { variant } from '../effect.js';
import { vmmMachine, type VmmContext, type VmmEvent } from '../vmm.js';

export const earlySlotReleaseDescription = 'a VMM that frees a vNIC slot at detach instead of when the NIC reports it freed';

export const earlySlotReleaseVmmMachine = vmmMachine.provide({
  actions: {
    detach: variant<VmmContext, VmmEvent>((c, e, specified) => {
      const r = specified(c, e);
      const a = c.vms.find((x) => x.id === (e as Extract<VmmEvent, { type: 'vm.detach' }>).vm)?.attachment;
      if (a === undefined || a.kind !== 'vnic') return r;
      const slots = r.context.slots.slice();
      slots[a.slot] = false;
      return { context: { ...r.context, slots }, out: r.out };
    }),
  },
});
