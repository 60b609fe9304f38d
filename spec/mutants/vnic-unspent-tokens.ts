/**
 * Planted bug: a vNIC that admits by its bandwidth specification but never spends tokens on admission.
 *
 * The admission test itself is right (a packet is rejected as `rate-exceeded` when the bucket lacks its bytes), but
 * the bucket stays full, so the rate is not enforced at all: a flooding VM is admitted at any rate. Every bucket
 * stays within [0, burst] and every rejection reason is true of the vNIC's own bucket, so only a reference of the
 * property's own sees it: `bandwidth-conformance`'s shadow bucket goes negative after burst + 1 packets in one tick.
 *
 * Built with `machine.provide()` over the named effect `admitAndBuffer` (spec/effect.ts `variant`): the specified
 * step, then the bucket put back as it was.
 */
import { variant } from '../effect.js';
import { vnicMachine, type VnicContext, type VnicEvent } from '../vnic.js';

export const unspentTokensDescription = 'a vNIC that admits by its bucket but never spends tokens on admission (the rate is not enforced)';

export const unspentTokensVnicMachine = vnicMachine.provide({
  actions: {
    admitAndBuffer: variant<VnicContext, VnicEvent>((c, e, specified) => {
      const r = specified(c, e);
      return { context: { ...r.context, bucket: { ...r.context.bucket, tokens: r.context.bucket.tokens + (e as Extract<VnicEvent, { type: 'rx.arrive' }>).packet.size } }, out: r.out };
    }),
  },
});
