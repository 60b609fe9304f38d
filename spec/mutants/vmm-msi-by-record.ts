/**
 * Planted bug: a VMM that forwards an MSI to the VM at the vector's index in its list of VMs, not to the vector's
 * current owner.
 *
 * At boot VM i holds slot i and vector i, so the two agree; once churn re-attaches a freed slot and its vector to
 * another VM they part, and the interrupt wakes the wrong VM (its owner, masked, is never woken). `msi-routing` sees
 * the interrupt land where the vector's owner is not.
 *
 * Built with `machine.provide()` over the named effect `forwardVirq` (spec/effect.ts `variant`).
 */
import { send } from '../../src/network/outputs.js';
import { variant } from '../effect.js';
import { vmmMachine, type VmmContext, type VmmEvent } from '../vmm.js';

export const msiByRecordDescription = "a VMM that routes an MSI to the VM at the vector's index in its records, not to the vector's current owner";

export const msiByRecordVmmMachine = vmmMachine.provide({
  actions: {
    forwardVirq: variant<VmmContext, VmmEvent>((c, e, specified) => {
      const r = specified(c, e);
      const vector = (e as Extract<VmmEvent, { type: 'forward.done' }>).vector;
      const byIndex = c.vms[vector]?.id;
      if ((c.vectors[vector] ?? '') === '' || byIndex === undefined) return r;
      return { context: r.context, out: [send(byIndex, { type: 'virq', vector })] };
    }),
  },
});
