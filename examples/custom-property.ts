/**
 * A property of your own, added to a check next to the built-in ones. A property is a named predicate over the
 * checked system's states: `state(sys)` binds it to one configuration (where the NIC and the VMs are), and the
 * predicate returns `undefined` when the state is fine — for a `sometimes` property, when the state witnesses it —
 * or a string saying why not.
 *
 * Here: "the conforming VM can still receive a packet while the flooding VM's partition is full" — the paper's
 * isolation claim as a reachable situation. Under vnic some state witnesses it; under xen-idd there are no
 * partitions, so the property says nothing there and the check reports it as not applicable.
 *
 *   npm run build && node dist/examples/custom-property.js
 */
import { check } from 'vnicspec';
import type { CheckedProperty } from 'vnicspec/properties';
import type { VmContext, VnicContext } from 'vnicspec/spec';

const servedWhileFlooderFull: CheckedProperty = {
  name: 'served-while-flooder-full',
  description: "vm0 has a packet in its receive ring while the flooding VM's partition is full",
  kind: 'sometimes',
  // Only a vNIC NIC has partitions (sys.vnics: the component of each vNIC, by slot).
  applies: (sys) => sys.vnics.length > 0,
  state: (sys) => {
    const flooder = sys.vmNames.at(-1)!;
    return (s) => {
      // A vNIC is a machine of its own: its state ('free', 'active', 'closing') and its context.
      const vnic = sys.vnics.map((i) => s.machines[i]!).find((m) => m.value === 'active' && (m.context as VnicContext).vm === flooder);
      const partition = vnic?.context as VnicContext | undefined;
      const vm0 = s.machines[sys.vmComponent[0]!]!.context as VmContext;
      if (partition === undefined || partition.used < partition.capacity) return `${flooder}'s partition is not full`;
      return vm0.ring.length > 0 ? undefined : 'vm0 has nothing to read';
    };
  },
};

for (const arch of ['vnic', 'xen-idd'] as const) {
  const r = await check({ arch, properties: ['isolation', 'no-cross-vm-starvation', servedWhileFlooderFull] });
  const steps = r.witnessed['served-while-flooder-full'];
  console.log(`${arch}: ${r.verdict}${r.property !== null ? ` (${r.property})` : ''}, ${r.states.toLocaleString('en')} states`);
  console.log(`  checked: ${r.properties.join(', ')}`);
  if (r.notApplicable.length > 0) console.log(`  not applicable here: ${r.notApplicable.join(', ')}`);
  if (steps !== undefined) console.log(`  served-while-flooder-full: ${steps === null ? 'never reached' : `witnessed after ${steps} steps`}`);
}
