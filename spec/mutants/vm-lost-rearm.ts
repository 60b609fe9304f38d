/**
 * Planted bug: a VM driver that forgets to re-enable its interrupt when its ring drains.
 *
 * NAPI-style drivers (spec/vm-driver.ts, §3.1) mask their interrupt while polling and re-arm it with the register
 * write that returns the last descriptor (`rx.refill` with `unmask`), or with `irq.unmask` when nothing is returned.
 * This variant performs the same `processed` step minus the re-arm. The vNIC keeps the interrupt masked, so the VM is
 * never woken again: its next packets wait in its partition forever, and once the partition is full its traffic is
 * rejected as `partition-full` — which every safety property allows. Only liveness (`eventual-delivery`) sees it.
 *
 * Built with `machine.provide()` over the named action `processed` (src/machine/types.ts, `Emitted`): the
 * specified machine carries no code path for it.
 */
import type { Output } from '../../src/network/outputs.js';
import { vmMachine } from '../vm-driver.js';

/** The outputs of one `processed` step without the interrupt re-arm. */
function withoutRearm(outputs: readonly Output[]): Output[] {
  return outputs.flatMap((o): Output[] => {
    if (o.kind !== 'send') return [o];
    if (o.event.type === 'irq.unmask') return [];
    if (o.event.type === 'rx.refill' && (o.event as { unmask?: boolean }).unmask === true) {
      const { unmask: _dropped, ...refill } = o.event as { type: string; unmask?: boolean };
      return [{ ...o, event: refill }];
    }
    return [o];
  });
}

export const lostRearmDescription = 'a VM driver that does not re-enable its interrupt when its Rx ring drains';

export const lostRearmVmMachine = vmMachine.provide({
  actions: { processed: (_args: unknown, outputs: unknown) => withoutRearm(outputs as readonly Output[]) },
});
