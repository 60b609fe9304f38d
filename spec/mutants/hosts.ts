/**
 * Mutants of the hosts around the NIC: the VMM (spec/vmm.ts, §3.1 "Accessing virtual-NIC"), the VM's driver
 * (spec/vm-driver.ts), the Xen driver domain (spec/driver-domain.ts, §1–3) and the baseline's shared-buffer NIC
 * (spec/nic-shared.ts).
 */
import { probe, send, type Output } from '../../src/network/outputs.js';
import type { IddContext, IddEvent } from '../driver-domain.js';
import type { SharedNicContext, SharedNicEvent } from '../nic-shared.js';
import type { VmContext, VmEvent } from '../vm-driver.js';
import type { VmmContext, VmmEvent } from '../vmm.js';
import { EXHAUSTIVE, effect, guard, mutant, type KillRun, type Mutant } from './mutant.js';

/** The properties the Xen baseline satisfies: it starves by design (no-cross-vm-starvation is what it breaks). */
const BASELINE_PROPERTIES = ['isolation', 'qos-admission', 'conservation', 'reach-conforming-delivery', 'reach-buffer-full', 'eventual-delivery'];
const onBaseline = (killer: string): KillRun => ({ config: { arch: 'xen-idd', capacity: 1, rxRing: 1 }, properties: BASELINE_PROPERTIES, search: EXHAUSTIVE, killer });

/** MSI routing (§3.2 "the VMM … identifies and forwards the device interrupt to the destination VM"). */
export const vmmMsiByRecordIndex: Mutant = mutant({
  name: 'vmm-msi-by-record-index',
  description:
    'The VMM finds an MSI’s destination VM by taking the vector number as an index into its VM records, not by the ' +
    'vector’s current owner: once churn has given a vector to another VM, interrupts go to the wrong VM.',
  replace: {
    vmm: {
      actions: {
        interceptMsi: effect<VmmContext, Extract<VmmEvent, { type: 'msi' }>>((c, e, specified) => {
          const r = specified(c, e);
          const vm = c.vms[e.vector]?.id ?? '';
          return { context: r.context, out: r.out.map((o) => (o.kind === 'work' ? { ...o, then: { ...o.then, vm } } : o)) };
        }),
        forwardVirq: effect<VmmContext, Extract<VmmEvent, { type: 'forward.done' }>>((c, e, specified) => {
          const r = specified(c, e);
          // Forwarded to the VM the record index named, owner or not.
          return { context: r.context, out: [send(e.vm, { type: 'virq', vector: e.vector })] };
        }),
      },
    },
  },
  kills: [{ config: { churn: true, capacity: 1, rxRing: 1 }, search: EXHAUSTIVE, killer: 'msi-routing' }],
});

/** Teardown (§3.1): the VMM reuses a vNIC's register set before the NIC has freed it. */
export const vmmEarlySlotRelease: Mutant = mutant({
  name: 'vmm-early-slot-release',
  description:
    'The VMM marks a vNIC slot free when it detaches the VM instead of when the NIC reports the vNIC freed: while the ' +
    'torn-down vNIC still drains its last transfer, the VMM considers the slot free and may hand it to another VM ' +
    'the NIC will refuse — the two views of the device part.',
  replace: {
    vmm: {
      actions: {
        detach: effect<VmmContext, Extract<VmmEvent, { type: 'vm.detach' }>>((c, e, specified) => {
          const r = specified(c, e);
          const a = c.vms.find((x) => x.id === e.vm)?.attachment;
          if (a === undefined || a.kind !== 'vnic') return r;
          const slots = r.context.slots.slice();
          slots[a.slot] = false;
          return { context: { ...r.context, slots }, out: r.out };
        }),
      },
    },
  },
  kills: [{ config: { vms: 1, churn: true, roles: ['flooding'] }, search: EXHAUSTIVE, killer: 'vmm-nic-agreement' }],
});

/** The VM driver overwrites the newest packet in its ring when a second one arrives (a ring-index bug). */
export const vmRingOverwrite: Mutant = mutant({
  name: 'vm-ring-overwrite',
  description:
    'The VM’s driver writes a deposited packet over the newest one in its Rx ring instead of after it (a ring ' +
    'index that does not advance): packets the NIC delivered are lost in the VM.',
  replace: {
    vm: {
      actions: {
        deposit: effect<VmContext, Extract<VmEvent, { type: 'ring.deposit' }>>((c, e, specified) => {
          const r = specified(c, e);
          return c.ring.length === 0 ? r : { context: { ...r.context, ring: [...c.ring.slice(0, -1), e.packet] }, out: r.out };
        }),
      },
    },
  },
  kills: [{ config: {}, search: EXHAUSTIVE, killer: 'conservation' }],
});

/** The driver domain's software QoS (§1–3): a rate-limited packet disappears without a reason. */
export const iddRateDropUnreported: Mutant = mutant({
  name: 'idd-rate-drop-unreported',
  description:
    'The driver domain’s software rate limiter discards an over-rate packet after the device received it without ' +
    'reporting the drop: the packet is lost silently instead of dropped with a reason.',
  replace: {
    idd: {
      actions: {
        bridgeRx: effect<IddContext, Extract<IddEvent, { type: 'work.done' }>>((c, e, specified) => {
          const r = specified(c, e);
          return { context: r.context, out: r.out.filter((o) => !(o.kind === 'probe' && o.name === 'rx.dropped' && o.data['reason'] === 'rate-exceeded')) };
        }),
      },
    },
  },
  kills: [onBaseline('conservation')],
});

/** The driver domain's bridge forwards by port position instead of by destination MAC. */
export const iddBridgeWrongPort: Mutant = mutant({
  name: 'idd-bridge-wrong-port',
  description:
    'The driver domain’s bridge hands a received packet to the netfront of the port after the one owning its ' +
    'destination MAC: one VM’s packets are copied into another VM’s ring.',
  replace: {
    idd: {
      actions: {
        bridgeRx: effect<IddContext, Extract<IddEvent, { type: 'work.done' }>>((c, e, specified) => {
          const r = specified(c, e);
          const i = c.ports.findIndex((p) => p.macs.includes(c.ring[0]!.dst));
          if (i < 0 || c.ports.length < 2) return r;
          const wrong = c.ports[(i + 1) % c.ports.length]!.vm;
          const right = c.ports[i]!.vm;
          return {
            context: r.context,
            out: r.out.map((o) => (o.kind === 'send' && o.to === right ? { ...o, to: wrong } : o.kind === 'probe' && o.name === 'dma.write' ? probe('dma.write', { ...o.data, vm: wrong }) : o)),
          };
        }),
      },
    },
  },
  kills: [onBaseline('isolation')],
});

/** The baseline's shared buffer admits one packet too many. */
export const sharedBufferOffByOne: Mutant = mutant({
  name: 'shared-buffer-off-by-one',
  description:
    'The shared-buffer NIC of the Xen baseline calls its buffer full only once it holds more than its capacity: it ' +
    'admits a packet it has no memory for.',
  replace: {
    'nic-shared': {
      guards: { sharedBufferFull: guard<SharedNicContext, Extract<SharedNicEvent, { type: 'rx.arrive' }>>((c) => c.used > c.capacity) },
    },
  },
  kills: [onBaseline('qos-admission')],
});

/** The VMM's resource check for a new vNIC (§3.1 set-up): compared with the wrong amount of memory. */
export const vmmMemoryCheckInverted: Mutant = mutant({
  name: 'vmm-memory-check-inverted',
  description:
    'The VMM compares a new vNIC’s partition with the device memory already partitioned instead of the memory left: ' +
    'on an empty device every vNIC is refused, no VM is ever attached, and every packet is rejected at the device — ' +
    'all safe, and useless: no partition ever fills.',
  replace: {
    vmm: {
      guards: {
        canSetUpVnic: guard<VmmContext, Extract<VmmEvent, { type: 'vm.attach' }>>((c, e) => {
          const r = c.vms.find((v) => v.id === e.vm);
          const partitioned = c.vms.reduce((sum, v) => sum + (v.attachment.kind === 'vnic' ? v.attachment.capacity : 0), 0);
          return r !== undefined && r.attachment.kind === 'none' && c.slots.some((used, i) => !used && c.vectors[i] === '') && e.qos.capacity <= partitioned;
        }),
      },
    },
  },
  kills: [{ config: { roles: ['flooding', 'flooding'] }, search: EXHAUSTIVE, killer: 'reach-buffer-full' }],
});

/** The outputs of a `processed` step without the interrupt re-arm (the `unmask` of the refill, or `irq.unmask`). */
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

/** The VM driver (NAPI-style, spec/vm-driver.ts): the interrupt is not re-armed when the ring drains. */
export const vmLostRearm: Mutant = mutant({
  name: 'vm-lost-rearm',
  description:
    'The VM’s driver does not re-enable its interrupt when its Rx ring drains: the vNIC keeps the vector masked, the ' +
    'VM is never woken again, its next packets wait in its partition forever and then its traffic is rejected as ' +
    'partition-full — which every safety property allows; only liveness sees it.',
  replace: {
    vm: {
      actions: {
        processed: effect<VmContext, Extract<VmEvent, { type: 'rx.processed' }>>((c, e, specified) => {
          const r = specified(c, e);
          return { context: r.context, out: withoutRearm(r.out) };
        }),
      },
    },
  },
  kills: [{ config: {}, search: EXHAUSTIVE, killer: 'eventual-delivery' }],
});

/** The VM driver's remove path: unbound while idle, it leaves the packets in its ring where they are. */
export const vmUnbindStrandsRing: Mutant = mutant({
  name: 'vm-unbind-strands-ring',
  description:
    'Detached while idle with packets in its Rx ring, the VM’s driver does not drain the ring: no interrupt will come ' +
    'for those packets any more (the vector is gone), so they are never delivered.',
  replace: {
    vm: { actions: { unbindAndPoll: effect<VmContext, Extract<VmEvent, { type: 'driver.unbind' }>>((c, e, specified) => ({ context: specified(c, e).context, out: [] })) } },
  },
  kills: [{ config: { vms: 1, churn: true }, search: EXHAUSTIVE, killer: 'eventual-delivery' }],
});

/** The VM driver, re-attached: descriptors still holding packets are never returned to the new device. */
export const vmForgetsOccupiedDescriptors: Mutant = mutant({
  name: 'vm-forgets-occupied-descriptors',
  description:
    'Re-attached with packets still in its Rx ring, the VM’s driver tells the new vNIC those descriptors are occupied ' +
    'but never returns them once processed: the vNIC runs out of receive descriptors and keeps the VM’s next packets ' +
    'in its partition forever.',
  replace: {
    vm: {
      actions: {
        bind: effect<VmContext, Extract<VmEvent, { type: 'driver.bind' }>>((c, e, specified) => {
          const r = specified(c, e);
          return { context: { ...r.context, lent: 0 }, out: r.out };
        }),
      },
    },
  },
  kills: [{ config: { vms: 1, churn: true }, search: EXHAUSTIVE, killer: 'eventual-delivery' }],
});

/** The VMM hands a vector it is still forwarding to another VM (§3.1 set-up, §3.2 interrupt forwarding). */
export const vmmReusesVectorInService: Mutant = mutant({
  name: 'vmm-reuses-vector-in-service',
  description:
    'The VMM gives a newly attached VM a vector whose previous owner’s interrupt it is still forwarding: the new ' +
    'owner’s first MSI is coalesced into that forward, which ends as spurious, and the new owner — its interrupt ' +
    'masked until woken — is never woken.',
  replace: {
    vmm: {
      guards: {
        canSetUpVnic: guard<VmmContext, Extract<VmmEvent, { type: 'vm.attach' }>>((c, e) => {
          const r = c.vms.find((v) => v.id === e.vm);
          return r !== undefined && r.attachment.kind === 'none' && c.slots.some((used, i) => !used && c.vectors[i] === '') && e.qos.capacity <= c.memoryFree;
        }),
      },
      actions: {
        // The specified set-up, choosing its slot as if no vector were in service.
        setupVnic: effect<VmmContext, Extract<VmmEvent, { type: 'vm.attach' }>>((c, e, specified) => {
          const r = specified({ ...c, inService: c.inService.map(() => false) }, e);
          return { context: { ...r.context, inService: c.inService }, out: r.out };
        }),
      },
    },
  },
  kills: [{ config: { churn: true, capacity: 1, rxRing: 1 }, search: EXHAUSTIVE, killer: 'eventual-delivery' }],
});
