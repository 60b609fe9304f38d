/**
 * Planted bug: a weighted round-robin DMA arbiter whose pointer, when a turn ends, resumes after the position it
 * started looking from instead of after the vNIC it granted.
 *
 * The two differ only when the arbiter skipped vNICs that were not requesting: then the vNIC just granted is visited
 * again at once and gets a second turn in a row while another requesting vNIC waits. Every vNIC is still served
 * within a round of everyone else's grants (the waiting bound of `no-cross-vm-starvation` holds), but not in
 * proportion to its weight: `dma-fairness` sees one vNIC get twice its share while the other keeps requesting.
 *
 * Built with `machine.provide()` over the named effect `grant` (spec/effect.ts `variant`): the specified step, then
 * the pointer moved.
 */
import { variant } from '../effect.js';
import { dmaMachine, type DmaContext, type DmaEvent } from '../nic-dma.js';

export const wrrPointerDescription = 'a WRR DMA arbiter whose pointer resumes after where it started looking, not after the vNIC it granted';

export const wrrPointerDmaMachine = dmaMachine.provide({
  actions: {
    grant: variant<DmaContext, DmaEvent>((c, e, specified) => {
      const r = specified(c, e);
      const a = r.context.arbiter;
      // A turn ended (no grants left in it): the specified pointer is past the granted vNIC.
      if (a.kind !== 'wrr' || a.credit !== 0) return r;
      const next = (c.arbiter.next + 1) % a.order.length;
      return { context: { ...r.context, arbiter: { ...a, next } }, out: r.out };
    }),
  },
});
