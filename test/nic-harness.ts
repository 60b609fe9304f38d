/**
 * The vNIC NIC's parts (spec/nic-vnic.ts) composed into one Network, driven from outside as the rest of the system
 * drives it: each event goes to the part that takes it (`receiverOf`), the synchronous cascade between the parts runs
 * to the end, and what leaves the NIC comes back as Outputs — sends to the VMM, the VMs and the wire, the NIC's own
 * delayed completions (dma.done, tx.done, with their delays) and probes — so tests read them with `sendsOf` and
 * `probesOf` as they read one machine's outputs. The VMM, the VMs and the wire are sinks that accept anything.
 */
import type { EventObject, MachineState, Stepper } from '../src/machine/index.js';
import { compileMachine } from '../src/machine/index.js';
import { Network, type ComponentSpec } from '../src/network/network.js';
import { probe, send, type Output } from '../src/network/outputs.js';
import type { ClassifierContext } from '../spec/nic-classifier.js';
import { classifierMachine } from '../spec/nic-classifier.js';
import { dmaMachine, type DmaContext } from '../spec/nic-dma.js';
import { txMachine, type TxContext } from '../spec/nic-tx.js';
import { receiverOf, vnicNicParts, vnicId, type NicEvent, type NicInput, type NicPartKind } from '../spec/nic-vnic.js';
import { vnicMachine, type VnicContext } from '../spec/vnic.js';
import { INTRUDER, VM_NAMES } from '../properties/arbitraries.js';

/** Components outside the NIC that it may send to. */
const OUTSIDE = ['vmm', 'wire', 'idd', INTRUDER, ...VM_NAMES];

const sink = (id: string): Stepper<unknown, EventObject, unknown> => ({
  id,
  initial: () => ({ state: { value: 'sink', context: null }, emitted: [] }),
  step: (s) => ({ state: s, emitted: [] }),
});

const MACHINES: Record<NicPartKind, Stepper<unknown, EventObject, unknown>> = {
  'nic-classifier': compileMachine(classifierMachine),
  'nic-dma': compileMachine(dmaMachine),
  'nic-tx': compileMachine(txMachine),
  vnic: compileMachine(vnicMachine),
};

export class NicHarness {
  readonly network: Network;
  states: readonly MachineState<unknown>[];
  readonly slots: number;

  constructor(input: NicInput, machines: Partial<Record<NicPartKind, Stepper<unknown, EventObject, unknown>>> = {}) {
    const parts: ComponentSpec[] = vnicNicParts(input).map((p) => ({ id: p.id, stepper: machines[p.kind] ?? MACHINES[p.kind], input: p.input }));
    this.network = new Network([...parts, ...OUTSIDE.map((id) => ({ id, stepper: sink(id), input: undefined }))]);
    const r = this.network.initial();
    if (r.kind !== 'ok') throw new Error(`initial: ${r.kind}`);
    this.states = r.states;
    this.slots = input.slots;
  }

  /** The outputs leaving the NIC when it takes `event`; undefined (nothing changes) when it does not take it. */
  tryStep(event: NicEvent): Output[] | undefined {
    const id = receiverOf(event);
    // A register write or request for a slot the NIC does not have reaches nothing.
    const to = this.network.components.findIndex((c) => c.id === id);
    if (to < 0) return undefined;
    const r = this.network.deliver(this.states, to, event, true);
    if (r.kind === 'disabled') return undefined;
    if (r.kind !== 'ok') throw new Error(`${id} ${event.type}: ${JSON.stringify(r)}`);
    this.states = r.states;
    const out: Output[] = [];
    const ids = this.network.components.map((c) => c.id);
    for (const m of r.micro!) if (OUTSIDE.includes(ids[m.component]!)) out.push(send(ids[m.component]!, m.event));
    for (const d of r.deferred) if (d.kind === 'timer') out.push(send(ids[d.to]!, d.event, d.delay));
    for (const p of r.probes) out.push(probe(p.name, p.data));
    return out;
  }

  /** Like `tryStep`, for an event the NIC must take. */
  step(event: NicEvent): Output[] {
    const out = this.tryStep(event);
    if (out === undefined) throw new Error(`the NIC does not take '${event.type}' now`);
    return out;
  }

  run(events: readonly NicEvent[]): Output[] {
    return events.flatMap((e) => this.step(e));
  }

  private part<C>(id: string): MachineState<C> {
    return this.states[this.network.components.findIndex((c) => c.id === id)] as MachineState<C>;
  }

  /** vNIC `slot`'s state ('free', 'active', 'closing') and context. */
  vnicState(slot: number): string {
    return this.part<VnicContext>(vnicId(slot)).value;
  }

  vnic(slot: number): VnicContext {
    return this.part<VnicContext>(vnicId(slot)).context;
  }

  vnics(): VnicContext[] {
    return Array.from({ length: this.slots }, (_, k) => this.vnic(k));
  }

  get dma(): DmaContext {
    return this.part<DmaContext>('dma').context;
  }

  /** The slot whose transfer is in progress, -1 when the engine is idle. */
  get dmaSlot(): number {
    return this.dma.slot;
  }

  get tx(): TxContext {
    return this.part<TxContext>('tx').context;
  }

  get routes(): ClassifierContext['routes'] {
    return this.part<ClassifierContext>('nic').context.routes;
  }
}
