/** The messages drawn for each step of a check trace (src/api/trace-files.ts): senders, pending items, cascades. */
import { describe, expect, test } from 'vitest';
import { defaultCheckConfig } from '../spec/checked/config.js';
import { replay } from '../src/trace/index.js';
import { setUp } from '../src/api/check-setup.js';
import { ENV, mermaidText, participants, stepMessages } from '../src/api/trace-files.js';

/** Re-execute `labels` on a configuration (no properties: only the machines matter here) and draw its messages. */
function messages(config: Parameters<typeof defaultCheckConfig>[0], labels: string[]) {
  const setup = setUp(defaultCheckConfig(config), []);
  const r = replay(setup.model, labels);
  if (r.kind !== 'ok') throw new Error(r.message);
  const trace = { states: r.states, actions: r.actions };
  const per = stepMessages(setup.model, trace);
  return { setup, trace, per: per.map((m) => (m ?? []).map((x) => `${x.from} -> ${x.to}: ${x.label}`)) };
}

describe('step messages', () => {
  test('an environment request and the cascade it causes, each message with its sender', () => {
    const { per } = messages({ arch: 'vnic', churn: true }, ['detach(vm0)']);
    expect(per[0]).toEqual([]);
    expect(per[1]![0]).toBe(`${ENV} -> vmm: vm.detach(vm=vm0)`);
    expect(per[1]).toContain('vmm -> vnic0: vnic.teardown(slot=0)');
    // The vNIC tells the other parts of the NIC: the DMA engine and the classifier.
    expect(per[1]).toContain('vnic0 -> dma: dma.detach(slot=0)');
    expect(per[1]).toContain('vnic0 -> nic: nic.route(slot=0, macs=[])');
    expect(per[1]!.every((m) => !m.includes('unavailable'))).toBe(true);
  });

  test('pending items come from the component that deferred them; CPU work comes back to its owner', () => {
    const { per } = messages({ arch: 'vnic' }, ['arrive(vm0, conforming)', 'dma: dma.done', 'vmm: forward.done(vector=0, vm=vm0)', 'vm0: rx.processed(id=0)']);
    expect(per[1]).toEqual([
      'env -> nic: rx.arrive(packet=request→1)',
      'nic -> vnic0: rx.arrive(packet=request→1)',
      'vnic0 -> dma: dma.request(slot=0, size=1, priority=0, weight=1)',
      'dma -> vnic0: dma.grant',
    ]);
    expect(per[2]).toEqual([
      'dma -> dma: dma.done',
      'dma -> vnic0: dma.complete',
      'vnic0 -> dma: dma.withdraw(slot=0)',
      'vnic0 -> vm0: ring.deposit(packet=request→1, slot=0)',
      'vnic0 -> vmm: msi(vector=0)',
    ]);
    expect(per[3]).toEqual(['vmm -> vmm: forward.done(vector=0, vm=vm0)', 'vmm -> vm0: virq(vector=0)']);
    expect(per[4]![0]).toBe('vm0 -> vm0: rx.processed(id=0)');
    expect(per[4]).toContain('vm0 -> vnic0: tx.post(slot=0, from=vm0, packet=reply→0)');
    expect(per[4]).toContain('vnic0 -> tx: tx.enqueue(slot=0, packet=reply→0)');
  });

  test('a tick reaches the NIC and, in xen-idd, the driver domain', () => {
    const { per } = messages({ arch: 'xen-idd' }, ['tick']);
    expect(per[1]).toEqual(['env -> nic: clock.tick(dtNs=1000000000)', 'env -> idd: clock.tick(dtNs=1000000000)']);
  });

  test('the diagram: environment first, then the components in system order', () => {
    const { setup, trace } = messages({ arch: 'xen-idd' }, ['arrive(vm1, flooding)']);
    expect(participants(setup.sys)).toEqual(['env', 'wire', 'nic', 'vmm', 'idd', 'vm0', 'vm1']);
    const text = mermaidText(setup, trace, { status: 'violation', description: 'x: y' });
    expect(text.split('\n').slice(0, 3)).toEqual(['sequenceDiagram', '  title vnicspec check (xen-idd): x: y', '  participant env']);
    expect(text).toContain('  Note over env,vm1: 1. arrive(vm1, flooding)\n  env->>nic: rx.arrive(packet=flood→2)\n');
  });
});
