/**
 * Planted bug: a vNIC whose bucket may go into debt — it admits while the bucket is not negative (`tokens >= 0`)
 * instead of while it holds the packet's bytes (`tokens >= size`), then spends the packet's bytes.
 *
 * A VM is then admitted up to one packet beyond burst + rate × t. `qos-admission` sees the negative bucket in the
 * vNIC's state; `bandwidth-conformance` sees it without looking at the vNIC at all, from its shadow bucket.
 *
 * Built with `machine.provide()` over the named guard `exceedsBandwidthSpec`: the specified machine carries no code
 * path for it.
 */
import { refillTo } from '../token-bucket.js';
import { vnicMachine, type VnicContext, type VnicEvent } from '../vnic.js';

export const bucketDebtDescription = 'a vNIC that admits while its bucket is not negative instead of while it holds the packet (the bucket goes into debt)';

export const bucketDebtVnicMachine = vnicMachine.provide({
  guards: {
    exceedsBandwidthSpec: ({ context, event }: { context: VnicContext; event: VnicEvent }) =>
      refillTo(context.bucket, (event as Extract<VnicEvent, { type: 'rx.arrive' }>).nowNs).tokens < 0,
  },
});
