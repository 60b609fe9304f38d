/**
 * fast-check arbitraries for the machines of spec/: adversarial traffic and event sequences, small and composable.
 *
 * Everything is drawn from small pools on purpose, so random sequences collide: VM names `vm0…vm2` (plus an
 * intruder that owns nothing), MACs of those VMs plus MACs nobody owns, slots and vectors slightly past the
 * configured range (stale or never-granted), packet ids from a small pool (so `rx.processed`, replies and
 * timeouts sometimes match what a machine waits for), capacities small enough that partitions and buffers fill.
 *
 * For each machine there is an input arbitrary, an event arbitrary over its whole event union, and a "script"
 * (input + event sequence) that starts with a few set-up events so the interesting paths are reached in ~60 steps.
 * At the end, a few helpers drive a stepper through a script and pick Outputs out of the emitted actions.
 */
import fc from 'fast-check';
import type { IddEvent, IddInput } from '../spec/driver-domain.js';
import type { ArbiterKind } from '../spec/dma-arbiter.js';
import type { ClassifierEvent } from '../spec/nic-classifier.js';
import type { DmaEvent } from '../spec/nic-dma.js';
import type { TxEvent } from '../spec/nic-tx.js';
import type { DmaInput, NicEvent, NicInput, NicTiming, TxInput, VnicInput, VnicQos } from '../spec/nic-vnic.js';
import type { VnicEvent } from '../spec/vnic.js';
import type { SharedNicEvent, SharedNicInput } from '../spec/nic-shared.js';
import { macOfVm, type Packet, type PacketKind } from '../spec/packet.js';
import type { DriverMode, VmEvent, VmInput } from '../spec/vm-driver.js';
import type { VmmEvent, VmmInput } from '../spec/vmm.js';
import { MAX_STREAMS, type ClosedLoopInput, type OpenLoopInput, type SourceEvent, type WireContext, type WireEvent } from '../spec/workload.js';
import { defaultCheckConfig, type CheckConfig } from '../spec/checked/config.js';
import { ARCHS, CORE_LAYOUTS, parseScenario, type Arch, type CoreLayout, type Scenario } from '../spec/scenario.js';
import type { EventObject, MachineState, StepResult, Stepper } from '../src/machine/types.js';
import { isOutput, type Delay, type Output } from '../src/network/outputs.js';

// ---------------------------------------------------------------- pools

/**
 * `fc.record` with ordinary objects: fast-check 4 builds null-prototype objects by default, which no real input or
 * event is (and which xstate, copying contexts with Object.assign into `{}`, would not preserve).
 */
export function rec<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(model, { noNullPrototype: true });
}

/** The VMs every arbitrary knows: vm0, vm1, vm2 own MACs macOfVm(0..2). */
export const VM_NAMES = ['vm0', 'vm1', 'vm2'] as const;
/** A writer that owns no vNIC and no port. */
export const INTRUDER = 'intruder';
/** MACs no VM owns (the 0x100 range of the scenarios, and 0 = macOfVm(-1)). */
export const UNKNOWN_MACS = [0, 0x100, 0x1ff] as const;
/** Packet ids are drawn from 0..ID_POOL-1 so ids repeat and waits match. */
export const ID_POOL = 6;

/** One of the known VM names. */
export const arbVmName: fc.Arbitrary<string> = fc.constantFrom(...VM_NAMES);

/** A register/ring writer: mostly a known VM, sometimes the intruder or the driver domain. */
export const arbWriter: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: arbVmName },
  { weight: 1, arbitrary: fc.constantFrom(INTRUDER, 'idd') },
);

/** A slot or vector: mostly 0..3 (valid for some inputs), sometimes -1 or 7 (never valid). */
export const arbSlot: fc.Arbitrary<number> = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(-1, 7) },
);

/** The VM the arbitraries usually set up on `slot` (slot i ↦ vm(i mod 3)), so writes from owners are frequent. */
export const usualOwner = (slot: number): string => VM_NAMES[((slot % VM_NAMES.length) + VM_NAMES.length) % VM_NAMES.length]!;

/** A (slot, writer) pair: usually the slot's usual owner writing, else any writer (stale, intruder, wrong slot). */
export const arbSlotWriter: fc.Arbitrary<{ slot: number; from: string }> = rec({ slot: arbSlot, owner: fc.boolean(), other: arbWriter }).map(
  ({ slot, owner, other }) => ({ slot, from: owner ? usualOwner(slot) : other }),
);

/** A destination MAC: a known VM's (macOfVm(0..vms-1)) four times in five, else one nobody owns. */
export const arbMac = (vms: number = VM_NAMES.length): fc.Arbitrary<number> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: vms - 1 }).map(macOfVm) },
    { weight: 1, arbitrary: fc.constantFrom(...UNKNOWN_MACS) },
  );

/** A packet size in 1..1500, biased to the edges (1, 64, 1500). */
export const arbSize: fc.Arbitrary<number> = fc.oneof(
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 1500 }) },
  { weight: 1, arbitrary: fc.constantFrom(1, 64, 1500) },
);

/** A packet kind. */
export const arbPacketKind: fc.Arbitrary<PacketKind> = fc.constantFrom('request', 'reply', 'flood');

export interface PacketOptions {
  /** Known VMs (MACs macOfVm(0..vms-1)); default 3. */
  readonly vms?: number;
  /** Restrict the kind. */
  readonly kind?: PacketKind;
  /** Id pool size; default ID_POOL. */
  readonly ids?: number;
  /** Streams 0..streams-1; default 2. */
  readonly streams?: number;
}

/** A Packet to a known or unknown MAC, size 1..1500, id from a small pool. */
export const arbPacket = (o: PacketOptions = {}): fc.Arbitrary<Packet> =>
  rec({
    id: fc.nat({ max: (o.ids ?? ID_POOL) - 1 }),
    dst: arbMac(o.vms),
    src: fc.oneof(arbMac(o.vms), fc.constant(0x1000)),
    size: arbSize,
    bornNs: fc.nat({ max: 1_000_000 }),
    kind: o.kind === undefined ? arbPacketKind : fc.constant(o.kind),
    stream: fc.nat({ max: (o.streams ?? 2) - 1 }),
  });

/**
 * An event sequence of 0..maxLength events, lengths spread over the whole range (fast-check's default `size` would
 * keep arrays to about ten elements whatever `maxLength` says, too short to reach teardown-while-busy and the like).
 */
export const arbSequence = <E>(event: fc.Arbitrary<E>, maxLength: number): fc.Arbitrary<E[]> => fc.array(event, { maxLength, size: 'max' });

/** A gap between arrivals: often 0 (back to back), else up to 2 ms. */
export const arbGapNs: fc.Arbitrary<number> = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 2_000_000 }));

/**
 * Makes the `nowNs` of `rx.arrive` events non-decreasing: each arrival's drawn `nowNs` is read as the gap since the
 * previous arrival. Other events are kept as they are.
 */
export function monotonicArrivals<E extends EventObject>(events: readonly E[]): E[] {
  let now = 0;
  return events.map((e) => {
    if (e.type !== 'rx.arrive') return e;
    now += (e as unknown as { nowNs: number }).nowNs;
    return { ...e, nowNs: now };
  });
}

/** A stream of `rx.arrive` events with non-decreasing `nowNs` (any machine taking rx.arrive). */
export const arbRxArrivals = (
  o: PacketOptions & { readonly maxLength?: number } = {},
): fc.Arbitrary<{ readonly type: 'rx.arrive'; readonly packet: Packet; readonly nowNs: number }[]> =>
  arbSequence(rec({ packet: arbPacket(o), nowNs: arbGapNs }), o.maxLength ?? 30).map((xs) => monotonicArrivals(xs.map((x) => ({ type: 'rx.arrive' as const, ...x }))));

/** A single `rx.arrive` whose `nowNs` is a gap (feed sequences through `monotonicArrivals`). */
const arbArriveGap = (o: PacketOptions = {}) => rec({ packet: arbPacket(o), nowNs: arbGapNs }).map((x) => ({ type: 'rx.arrive' as const, ...x }));

/**
 * An `rx.refill` register write: 1..maxCount descriptors from a (slot, writer) pair, sometimes also unmasking the
 * interrupt (`unmask: true`, the NAPI "ring drained" write), sometimes with `unmask: false` spelled out.
 */
export const arbRxRefill = (
  slotWriter: fc.Arbitrary<{ slot: number; from: string }>,
  maxCount = 3,
): fc.Arbitrary<{ type: 'rx.refill'; slot: number; from: string; count: number; unmask?: boolean }> =>
  rec({ w: slotWriter, count: fc.integer({ min: 1, max: maxCount }), unmask: fc.option(fc.boolean(), { nil: undefined }) }).map(({ w, count, unmask }) =>
    unmask === undefined ? { type: 'rx.refill' as const, ...w, count } : { type: 'rx.refill' as const, ...w, count, unmask },
  );

/** (slot, writer) pairs with the writer drawn from `writer` independently of the slot. */
const anySlotWriter = (writer: fc.Arbitrary<string>): fc.Arbitrary<{ slot: number; from: string }> => rec({ slot: arbSlot, from: writer });

/** A clock tick of 0..1 ms (abstract refill). */
const arbTickNs: fc.Arbitrary<number> = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1_000_000 }));

// ---------------------------------------------------------------- NIC (vNIC architecture)

/** Device timing: small DMA set-up and per-byte costs, a 1 Gb/s or a slow link. */
export const arbNicTiming: fc.Arbitrary<NicTiming> = rec({
  dmaSetupNs: fc.integer({ min: 0, max: 1000 }),
  dmaNsPerByte: fc.constantFrom(0.5, 1),
  wireNsPerByte: fc.constantFrom(0.008, 8),
});

/** A DMA arbiter kind. */
export const arbArbiter: fc.Arbitrary<ArbiterKind> = fc.constantFrom('strict', 'wrr', 'drr');

/** vNIC NIC input: 1–4 slots, any arbiter, small quantum and wait cap. */
export const arbNicInput: fc.Arbitrary<NicInput> = rec({
  slots: fc.integer({ min: 1, max: 4 }),
  arbiter: arbArbiter,
  quantum: fc.constantFrom(64, 500, 1514),
  timing: arbNicTiming,
  waitCap: fc.integer({ min: 1, max: 8 }),
});

/** vNIC QoS: rates from starving (0, 1 kB/s) to unlimited-ish, bursts around one packet, capacities of 0–3 packets. */
export const arbVnicQos: fc.Arbitrary<VnicQos> = rec({
  rate: fc.constantFrom(0, 1000, 1e6, 1e9),
  burst: fc.oneof(fc.integer({ min: 0, max: 4000 }), fc.constant(1_000_000)),
  capacity: fc.oneof(fc.integer({ min: 0, max: 4500 }), fc.constantFrom(1500, 3000)),
  priority: fc.integer({ min: 0, max: 3 }),
  weight: fc.integer({ min: 1, max: 3 }),
});

/** `vnic.setup` for a known VM (its own MAC, sometimes also another's or an unknown one) on an arbitrary slot. */
export const arbVnicSetup: fc.Arbitrary<Extract<NicEvent, { type: 'vnic.setup' }>> = rec({
  slot: arbSlot,
  vm: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: VM_NAMES.length - 1 }) }),
  extraMacs: fc.oneof({ weight: 4, arbitrary: fc.constant<number[]>([]) }, { weight: 1, arbitrary: fc.array(arbMac(), { maxLength: 2 }) }),
  qos: arbVnicQos,
  rxRing: fc.integer({ min: 0, max: 4 }),
  txRing: fc.integer({ min: 0, max: 3 }),
}).map(({ slot, vm: drawn, extraMacs, qos, rxRing, txRing }) => {
  // Usually the slot's usual owner (see usualOwner), sometimes any VM (a VM on two slots, an unusual slot).
  const vm = drawn ?? VM_NAMES.indexOf(usualOwner(slot) as (typeof VM_NAMES)[number]);
  return { type: 'vnic.setup' as const, slot, vm: VM_NAMES[vm]!, macs: [macOfVm(vm), ...extraMacs], vector: slot, qos, rxRing, txRing };
});

/** A register write or management request to vNIC slots (as drivers and the VMM send them, stale ones too). */
const arbVnicRequest: fc.Arbitrary<NicEvent> = fc.oneof(
  {
    weight: 3,
    arbitrary: rec({ w: arbSlotWriter, packet: arbPacket({ kind: 'reply' }) }).map(({ w, packet }): NicEvent => ({ type: 'tx.post', ...w, packet })),
  },
  { weight: 3, arbitrary: arbRxRefill(arbSlotWriter) },
  { weight: 2, arbitrary: arbSlotWriter.map((w): NicEvent => ({ type: 'irq.unmask', ...w })) },
  { weight: 1, arbitrary: rec({ w: arbSlotWriter, count: fc.integer({ min: 0, max: 4 }) }).map(({ w, count }): NicEvent => ({ type: 'rx.occupied', ...w, count })) },
  { weight: 2, arbitrary: arbVnicSetup },
  { weight: 1, arbitrary: arbSlot.map((slot): NicEvent => ({ type: 'vnic.teardown', slot })) },
  {
    weight: 1,
    arbitrary: rec({ slot: arbSlot, capacity: fc.integer({ min: 0, max: 6000 }) }).map((x): NicEvent => ({ type: 'vnic.resize', ...x })),
  },
  { weight: 1, arbitrary: rec({ slot: arbSlot, macs: fc.array(arbMac(), { maxLength: 3 }) }).map((x): NicEvent => ({ type: 'vnic.macs', ...x })) },
);

/**
 * Any event the vNIC NIC takes from outside (nic-vnic.ts `NicEvent`), `rx.arrive` with a gap as `nowNs` (use
 * `arbNicEvents`/`arbNicScript` for monotonic time). Slots -1 and 7 address no vNIC: a harness refuses them.
 */
export const arbNicEventRaw: fc.Arbitrary<NicEvent> = fc.oneof(
  { weight: 8, arbitrary: arbArriveGap() },
  { weight: 2, arbitrary: arbTickNs.map((dtNs): NicEvent => ({ type: 'clock.tick', dtNs })) },
  { weight: 6, arbitrary: fc.constant<NicEvent>({ type: 'dma.done' }) },
  { weight: 3, arbitrary: fc.constant<NicEvent>({ type: 'tx.done' }) },
  { weight: 13, arbitrary: arbVnicRequest },
);

/** A sequence of NicEvents with non-decreasing arrival times. */
export const arbNicEvents = (maxLength = 60): fc.Arbitrary<NicEvent[]> => arbSequence(arbNicEventRaw, maxLength).map(monotonicArrivals);

/** NIC input + 1–3 set-ups + mixed events (time monotonic over the whole script): for the NIC's parts composed. */
export const arbNicScript = (maxLength = 60): fc.Arbitrary<{ input: NicInput; events: NicEvent[] }> =>
  rec({ input: arbNicInput, setups: fc.array(arbVnicSetup, { minLength: 1, maxLength: 3 }), events: arbSequence(arbNicEventRaw, maxLength) })
    .map(({ input, setups, events }) => ({ input, events: monotonicArrivals<NicEvent>([...setups, ...events]) }));

// ---- the NIC's parts, one machine at a time (their messages from the other parts drawn at random too)

/**
 * One vNIC (slot 0–3): set up first, then packets from the classifier, grants and completions from the DMA engine,
 * transmit completions, register writes (the owner's, stale ones, to other slots) and management. The other parts'
 * messages come whether or not the protocol allows them: the machine must refuse those it cannot take.
 */
export const arbVnicScript = (maxLength = 60): fc.Arbitrary<{ input: VnicInput; events: VnicEvent[] }> =>
  rec({
    slot: fc.integer({ min: 0, max: 3 }),
    setup: arbVnicSetup,
    events: arbSequence(
      fc.oneof(
        { weight: 8, arbitrary: arbArriveGap({ vms: 2 }) as fc.Arbitrary<VnicEvent> },
        { weight: 2, arbitrary: arbTickNs.map((dtNs): VnicEvent => ({ type: 'clock.tick', dtNs })) },
        { weight: 5, arbitrary: fc.constant<VnicEvent>({ type: 'dma.grant' }) },
        { weight: 5, arbitrary: fc.constant<VnicEvent>({ type: 'dma.complete' }) },
        { weight: 2, arbitrary: fc.constant<VnicEvent>({ type: 'tx.complete' }) },
        { weight: 10, arbitrary: arbVnicRequest as fc.Arbitrary<VnicEvent> },
      ),
      maxLength,
    ),
  }).map(({ slot, setup, events }) => ({
    input: { slot },
    // Set-ups and writes address this slot (the VMM and drivers only write to the vNIC they mean).
    events: monotonicArrivals<VnicEvent>([{ ...setup, slot, vm: usualOwner(slot) }, ...events].map((e) => ('slot' in e ? { ...e, slot } : e) as VnicEvent)),
  }));

/** The DMA engine: channel requests, withdrawals and detaches from its 1–4 vNICs, and its own completions. */
export const arbDmaScript = (maxLength = 60): fc.Arbitrary<{ input: DmaInput; events: DmaEvent[] }> =>
  rec({
    input: arbNicInput,
    events: arbSequence(
      fc.oneof(
        {
          weight: 6,
          arbitrary: rec({ slot: fc.nat(3), size: arbSize, priority: fc.integer({ min: 0, max: 3 }), weight: fc.integer({ min: 1, max: 3 }) }).map(
            (x): DmaEvent => ({ type: 'dma.request', ...x }),
          ),
        },
        { weight: 3, arbitrary: fc.nat(3).map((slot): DmaEvent => ({ type: 'dma.withdraw', slot })) },
        { weight: 1, arbitrary: fc.nat(3).map((slot): DmaEvent => ({ type: 'dma.detach', slot })) },
        { weight: 5, arbitrary: fc.constant<DmaEvent>({ type: 'dma.done' }) },
      ),
      maxLength,
    ),
  }).map(({ input, events }) => ({
    input: { slots: input.slots, arbiter: input.arbiter, quantum: input.quantum, timing: input.timing, waitCap: input.waitCap },
    // Channels are the engine's own vNICs: slots within range.
    events: events.map((e) => ('slot' in e ? { ...e, slot: e.slot % input.slots } : e)),
  }));

/** The transmit path: posts from vNICs (and from none: -1), completions, flushes of torn-down vNICs. */
export const arbTxScript = (maxLength = 60): fc.Arbitrary<{ input: TxInput; events: TxEvent[] }> =>
  rec({
    timing: arbNicTiming,
    events: arbSequence(
      fc.oneof(
        { weight: 5, arbitrary: rec({ slot: arbSlot, packet: arbPacket({ kind: 'reply' }) }).map((x): TxEvent => ({ type: 'tx.enqueue', ...x })) },
        { weight: 5, arbitrary: fc.constant<TxEvent>({ type: 'tx.done' }) },
        { weight: 2, arbitrary: arbSlot.map((slot): TxEvent => ({ type: 'tx.flush', slot })) },
      ),
      maxLength,
    ),
  }).map(({ timing, events }) => ({ input: { timing }, events }));

/** The classifier: packets to known and unknown MACs, routes set and cleared (and for slots it does not have), ticks. */
export const arbClassifierScript = (maxLength = 60): fc.Arbitrary<{ input: { slots: number }; events: ClassifierEvent[] }> =>
  rec({
    slots: fc.integer({ min: 1, max: 4 }),
    events: arbSequence(
      fc.oneof(
        { weight: 6, arbitrary: arbArriveGap() as fc.Arbitrary<ClassifierEvent> },
        { weight: 3, arbitrary: rec({ slot: arbSlot, macs: fc.array(arbMac(), { maxLength: 3 }) }).map((x): ClassifierEvent => ({ type: 'nic.route', ...x })) },
        { weight: 1, arbitrary: arbTickNs.map((dtNs): ClassifierEvent => ({ type: 'clock.tick', dtNs })) },
      ),
      maxLength,
    ),
  }).map(({ slots, events }) => ({ input: { slots }, events: monotonicArrivals(events) }));

// ---------------------------------------------------------------- shared NIC (Xen baseline, native)

/** Shared-buffer NIC input: host idd (Xen, MSI via the VMM) or os (native, virq), buffer of 0–3 full frames. */
export const arbSharedNicInput: fc.Arbitrary<SharedNicInput> = rec({
  xen: fc.boolean(),
  capacity: fc.oneof(fc.integer({ min: 0, max: 4500 }), fc.constant(3000)),
  rxRing: fc.integer({ min: 0, max: 4 }),
  timing: arbNicTiming,
}).map(({ xen, capacity, rxRing, timing }) => ({
  host: xen ? 'idd' : 'os',
  irqTo: xen ? 'vmm' : 'os',
  irqEvent: xen ? ('msi' as const) : ('virq' as const),
  capacity,
  rxRing,
  timing,
}));

/** Any SharedNicEvent; writers are the host ('idd' or 'os') or someone else. */
export const arbSharedNicEventRaw: fc.Arbitrary<SharedNicEvent> = fc.oneof(
  { weight: 8, arbitrary: arbArriveGap() },
  { weight: 5, arbitrary: fc.constant<SharedNicEvent>({ type: 'dma.done' }) },
  {
    weight: 2,
    arbitrary: rec({ slot: arbSlot, from: fc.constantFrom('idd', 'os', 'vm0'), packet: arbPacket({ kind: 'reply' }) })
      .map((x): SharedNicEvent => ({ type: 'tx.post', ...x })),
  },
  { weight: 2, arbitrary: fc.constant<SharedNicEvent>({ type: 'tx.done' }) },
  {
    weight: 3,
    arbitrary: arbRxRefill(anySlotWriter(fc.constantFrom('idd', 'os', 'vm0'))),
  },
  { weight: 2, arbitrary: rec({ slot: arbSlot, from: fc.constantFrom('idd', 'os', 'vm0') }).map((x): SharedNicEvent => ({ type: 'irq.unmask', ...x })) },
  { weight: 1, arbitrary: arbTickNs.map((dtNs): SharedNicEvent => ({ type: 'clock.tick', dtNs })) },
);

/** Shared NIC input + events with non-decreasing arrival times. */
export const arbSharedNicScript = (maxLength = 60): fc.Arbitrary<{ input: SharedNicInput; events: SharedNicEvent[] }> =>
  rec({ input: arbSharedNicInput, events: arbSequence(arbSharedNicEventRaw, maxLength) })
    .map(({ input, events }) => ({ input, events: monotonicArrivals(events) }));

// ---------------------------------------------------------------- VMM

/** VMM input: vm0..vm2 (+ the driver domain as a VM sometimes), 1–4 vectors, little memory, maybe a driver domain. */
export const arbVmmInput: fc.Arbitrary<VmmInput> = rec({
  vectors: fc.integer({ min: 1, max: 4 }),
  memory: fc.oneof(fc.integer({ min: 0, max: 8000 }), fc.constant(3000)),
  withIdd: fc.boolean(),
  iddIsVm: fc.boolean(),
  reserveVector0: fc.boolean(),
  rxRing: fc.integer({ min: 1, max: 4 }),
  txRing: fc.integer({ min: 1, max: 4 }),
}).map(({ vectors, memory, withIdd, iddIsVm, reserveVector0, rxRing, txRing }) => ({
  vms: [...(withIdd && iddIsVm ? [{ id: 'idd', macs: [] }] : []), ...VM_NAMES.map((id, i) => ({ id, macs: [macOfVm(i)] }))],
  vectors,
  memory,
  driverDomain: withIdd ? 'idd' : '',
  reserved: withIdd && reserveVector0 ? [{ vector: 0, owner: 'idd' }] : [],
  rxRing,
  txRing,
}));

const arbVmmVm: fc.Arbitrary<string> = fc.oneof({ weight: 6, arbitrary: arbVmName }, { weight: 1, arbitrary: fc.constantFrom('idd', 'ghost') });

/** `vm.attach` of a known VM (sometimes the driver domain or a ghost), best-effort or not. */
export const arbVmAttach: fc.Arbitrary<Extract<VmmEvent, { type: 'vm.attach' }>> = rec({ vm: arbVmmVm, qos: arbVnicQos, bestEffort: fc.boolean() })
  .map((x) => ({ type: 'vm.attach' as const, ...x }));

/** Any VmmEvent: attach/detach/resize mixes, NIC replies for valid and stale slots, MSIs and forward completions. */
export const arbVmmEvent: fc.Arbitrary<VmmEvent> = fc.oneof(
  { weight: 3, arbitrary: arbVmAttach },
  { weight: 2, arbitrary: arbVmmVm.map((vm): VmmEvent => ({ type: 'vm.detach', vm })) },
  {
    weight: 2,
    arbitrary: rec({ vm: arbVmmVm, capacity: fc.integer({ min: -1, max: 6000 }) }).map((x): VmmEvent => ({ type: 'partition.resize', ...x })),
  },
  {
    weight: 2,
    arbitrary: rec({ slot: arbSlot, capacity: fc.integer({ min: 0, max: 6000 }), ok: fc.boolean() })
      .map((x): VmmEvent => ({ type: 'vnic.resized', ...x })),
  },
  { weight: 3, arbitrary: arbSlot.map((vector): VmmEvent => ({ type: 'msi', vector })) },
  { weight: 3, arbitrary: rec({ vector: arbSlot, vm: arbVmmVm }).map((x): VmmEvent => ({ type: 'forward.done', ...x })) },
  { weight: 2, arbitrary: arbSlot.map((slot): VmmEvent => ({ type: 'vnic.freed', slot })) },
);

/** VMM input + 1–3 attaches + mixed events. */
export const arbVmmScript = (maxLength = 60): fc.Arbitrary<{ input: VmmInput; events: VmmEvent[] }> =>
  rec({ input: arbVmmInput, attaches: fc.array(arbVmAttach, { minLength: 1, maxLength: 3 }), events: arbSequence(arbVmmEvent, maxLength) })
    .map(({ input, attaches, events }) => ({ input, events: [...attaches, ...events] }));

// ---------------------------------------------------------------- VM driver

/** A driver mode. */
export const arbDriverMode: fc.Arbitrary<DriverMode> = fc.constantFrom('vnic', 'netfront', 'native');

/** VM input for vm0: unlimited or shaped transmit, bound at boot or not. */
export const arbVmInput: fc.Arbitrary<VmInput> = rec({
  replySize: arbSize,
  txRate: fc.constantFrom(0, 1000, 1e6),
  txBurst: fc.constantFrom(0, 1500, 64 * 1024),
  device: fc.option(rec({ id: fc.constantFrom('nic', 'idd'), slot: fc.integer({ min: -1, max: 3 }), mode: arbDriverMode }), { nil: undefined }),
}).map(({ device, ...rest }) => ({ self: 'vm0', macs: [macOfVm(0)], ...rest, ...(device === undefined ? {} : { device }) }));

/** Any VmEvent: binds/unbinds, deposits, virqs, completions for the current and stale packet ids, ticks. */
export const arbVmEvent: fc.Arbitrary<VmEvent> = fc.oneof(
  {
    weight: 1,
    arbitrary: rec({ device: fc.constantFrom('nic', 'idd'), slot: fc.integer({ min: -1, max: 3 }), mode: arbDriverMode })
      .map((x): VmEvent => ({ type: 'driver.bind', ...x })),
  },
  { weight: 1, arbitrary: fc.constant<VmEvent>({ type: 'driver.unbind' }) },
  { weight: 5, arbitrary: rec({ packet: arbPacket(), slot: arbSlot }).map((x): VmEvent => ({ type: 'ring.deposit', ...x })) },
  { weight: 3, arbitrary: arbSlot.map((vector): VmEvent => ({ type: 'virq', vector })) },
  {
    weight: 5,
    arbitrary: rec({ id: fc.nat({ max: ID_POOL - 1 }), nowNs: fc.integer({ min: 0, max: 10_000_000 }) })
      .map((x): VmEvent => ({ type: 'rx.processed', ...x })),
  },
  { weight: 1, arbitrary: arbTickNs.map((dtNs): VmEvent => ({ type: 'clock.tick', dtNs })) },
);

/** VM input + events. */
export const arbVmScript = (maxLength = 60): fc.Arbitrary<{ input: VmInput; events: VmEvent[] }> =>
  rec({ input: arbVmInput, events: arbSequence(arbVmEvent, maxLength) });

// ---------------------------------------------------------------- driver domain

/** Driver-domain input: bound to the physical NIC at boot (Xen) or not (mixed), small netfront rings. */
export const arbIddInput: fc.Arbitrary<IddInput> = rec({ bound: fc.boolean(), slot: fc.integer({ min: 0, max: 3 }), vmRing: fc.integer({ min: 0, max: 3 }) })
  .map(({ bound, slot, vmRing }) => ({ self: 'idd', vmRing, ...(bound ? { device: { id: 'nic', slot } } : {}) }));

/** `bridge.add` of a known VM with its MAC, unlimited or rate-limited in software. */
export const arbBridgeAdd: fc.Arbitrary<Extract<IddEvent, { type: 'bridge.add' }>> = rec({ vm: fc.integer({ min: 0, max: VM_NAMES.length - 1 }), rate: fc.constantFrom(0, 1000, 1e6), burst: fc.constantFrom(0, 1500, 3000) })
  .map(({ vm, rate, burst }) => ({ type: 'bridge.add' as const, vm: VM_NAMES[vm]!, macs: [macOfVm(vm)], rate, burst }));

/** Any IddEvent: NIC deposits and interrupts, netfront writes from ports and strangers, work completions, bridge changes. */
export const arbIddEvent: fc.Arbitrary<IddEvent> = fc.oneof(
  { weight: 5, arbitrary: rec({ packet: arbPacket(), slot: arbSlot }).map((x): IddEvent => ({ type: 'ring.deposit', ...x })) },
  { weight: 3, arbitrary: arbSlot.map((vector): IddEvent => ({ type: 'virq', vector })) },
  {
    weight: 3,
    arbitrary: rec({ slot: arbSlot, from: arbWriter, packet: arbPacket({ kind: 'reply' }) }).map((x): IddEvent => ({ type: 'tx.post', ...x })),
  },
  {
    weight: 2,
    arbitrary: arbRxRefill(anySlotWriter(arbWriter), 2),
  },
  { weight: 2, arbitrary: rec({ slot: arbSlot, from: arbWriter }).map((x): IddEvent => ({ type: 'irq.unmask', ...x })) },
  { weight: 1, arbitrary: rec({ slot: arbSlot, from: arbWriter, count: fc.integer({ min: 0, max: 4 }) }).map((x): IddEvent => ({ type: 'rx.occupied', ...x })) },
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 10_000_000 }).map((nowNs): IddEvent => ({ type: 'work.done', nowNs })) },
  { weight: 1, arbitrary: arbBridgeAdd },
  { weight: 1, arbitrary: arbVmName.map((vm): IddEvent => ({ type: 'bridge.remove', vm })) },
  { weight: 1, arbitrary: arbTickNs.map((dtNs): IddEvent => ({ type: 'clock.tick', dtNs })) },
  { weight: 1, arbitrary: rec({ device: fc.constant('nic'), slot: fc.integer({ min: 0, max: 3 }) }).map((x): IddEvent => ({ type: 'driver.bind', ...x })) },
  { weight: 1, arbitrary: fc.constant<IddEvent>({ type: 'driver.unbind' }) },
);

/** Driver-domain input + 1–3 ports + events. */
export const arbIddScript = (maxLength = 60): fc.Arbitrary<{ input: IddInput; events: IddEvent[] }> =>
  rec({ input: arbIddInput, ports: fc.array(arbBridgeAdd, { minLength: 1, maxLength: 3 }), events: arbSequence(arbIddEvent, maxLength) })
    .map(({ input, ports, events }) => ({ input, events: [...ports, ...events] }));

// ---------------------------------------------------------------- workloads and wire

/** Open-loop source input: constant or Poisson, 1/s to 1e9/s (at most one packet per ns). */
export const arbOpenLoopInput: fc.Arbitrary<OpenLoopInput> = rec({
  stream: fc.nat({ max: 1 }),
  nic: fc.constant('nic'),
  packetKind: fc.constantFrom<PacketKind>('request', 'flood'),
  dst: arbMac(),
  src: fc.constant(0x1000),
  size: arbSize,
  arrivals: rec({
    kind: fc.constantFrom('constant' as const, 'poisson' as const),
    perSecond: fc.oneof(fc.integer({ min: 1, max: 1_000_000_000 }), fc.constantFrom(3, 7, 950, 1500, 333_333)),
  }),
});

/** Closed-loop source input: stream 0 or 1, think 0–1 ms, timeout 1–200 ms. */
export const arbClosedLoopInput: fc.Arbitrary<ClosedLoopInput> = rec({
  stream: fc.nat({ max: 1 }),
  nic: fc.constant('nic'),
  dst: arbMac(),
  src: fc.constant(0x1000),
  size: arbSize,
  thinkNs: fc.constantFrom(0, 1000, 1_000_000),
  timeoutNs: fc.constantFrom(1_000_000, 200_000_000),
});

/** A reply whose id is `seq · MAX_STREAMS + stream` for small seq and stream 0/1: sometimes the awaited one. */
export const arbReplyPacket: fc.Arbitrary<Packet> = rec({ seq: fc.nat({ max: 4 }), stream: fc.nat({ max: 1 }), p: arbPacket({ kind: 'reply' }) })
  .map(({ seq, stream, p }) => ({ ...p, id: seq * MAX_STREAMS + stream, stream }));

/** Any SourceEvent: ticks, replies (awaited, stale, other stream's) and timeouts (current and stale seq). */
export const arbSourceEvent: fc.Arbitrary<SourceEvent> = fc.oneof(
  { weight: 3, arbitrary: fc.nat({ max: 10_000_000 }).map((nowNs): SourceEvent => ({ type: 'client.tick', nowNs })) },
  { weight: 3, arbitrary: arbReplyPacket.map((packet): SourceEvent => ({ type: 'reply', packet })) },
  {
    weight: 2,
    arbitrary: rec({ seq: fc.nat({ max: 4 }), nowNs: fc.nat({ max: 10_000_000 }) }).map((x): SourceEvent => ({ type: 'client.timeout', ...x })),
  },
);

/** Open-loop input + events. */
export const arbOpenLoopScript = (maxLength = 60): fc.Arbitrary<{ input: OpenLoopInput; events: SourceEvent[] }> =>
  rec({ input: arbOpenLoopInput, events: arbSequence(arbSourceEvent, maxLength) });

/** Closed-loop input + events. */
export const arbClosedLoopScript = (maxLength = 60): fc.Arbitrary<{ input: ClosedLoopInput; events: SourceEvent[] }> =>
  rec({ input: arbClosedLoopInput, events: arbSequence(arbSourceEvent, maxLength) });

/** Wire input: 0–3 streams, with or without the list of streams that listen for replies (closed loop). */
export const arbWireInput: fc.Arbitrary<WireContext> = rec({
  streams: fc.nat({ max: 3 }),
  listening: fc.option(fc.array(fc.boolean(), { maxLength: 4 }), { nil: undefined }),
}).map(({ streams, listening }) => (listening === undefined ? { streams } : { streams, listening }));

/** A packet leaving on the wire: replies to streams that exist or not, and non-replies. */
export const arbWireEvent: fc.Arbitrary<WireEvent> = arbPacket({ streams: 5 }).map((packet): WireEvent => ({ type: 'wire.tx', packet }));

/** Wire input + events. */
export const arbWireScript = (maxLength = 60): fc.Arbitrary<{ input: WireContext; events: WireEvent[] }> =>
  rec({ input: arbWireInput, events: arbSequence(arbWireEvent, maxLength) });

// ---------------------------------------------------------------- whole systems

/**
 * Adversarial traffic for the simulator: 1–3 VMs with small partitions and buckets, a few streams among open-loop
 * and closed-loop requests and floods (at VMs, or at MACs no VM owns) at rates from well within to far beyond the
 * bandwidth specifications, few MSI vectors (so mixed falls back to para-virtualized access) and any arbiter,
 * architecture and core layout. Short runs: the point is the interleavings, not the averages.
 */
export const arbScenario: fc.Arbitrary<{ scenario: Scenario; arch: Arch; cores: CoreLayout; seed: number }> = fc
  .integer({ min: 1, max: 3 })
  .chain((vms) => {
    const names = Array.from({ length: vms }, (_, i) => `vm${i + 1}`);
    const vm = fc.constantFrom(...names);
    const stream = fc.oneof(
      rec({ kind: fc.constant('open-loop' as const), vm, rate: fc.integer({ min: 100, max: 50_000 }), arrivals: fc.constantFrom('constant' as const, 'poisson' as const), requestBytes: fc.integer({ min: 64, max: 1500 }) }),
      rec({ kind: fc.constant('closed-loop' as const), vm, thinkMs: fc.integer({ min: 0, max: 2 }), timeoutMs: fc.constantFrom(1, 5, 200), requestBytes: fc.integer({ min: 64, max: 1500 }) }),
      rec({
        kind: fc.constant('flood' as const),
        target: fc.oneof(rec({ vm }), rec({ mac: fc.constantFrom(...UNKNOWN_MACS.filter((m) => m > 0)) })),
        rate: fc.integer({ min: 1_000, max: 200_000 }),
        arrivals: fc.constantFrom('constant' as const, 'poisson' as const),
        packetBytes: fc.integer({ min: 64, max: 1500 }),
      }),
    );
    const qos = rec({
      rateMbps: fc.constantFrom(1, 10, 200),
      burstBytes: fc.constantFrom(1500, 16 * 1024),
      partitionBytes: fc.constantFrom(3000, 16 * 1024, 128 * 1024),
      priority: fc.integer({ min: 0, max: 2 }),
      weight: fc.integer({ min: 1, max: 3 }),
    });
    return rec({
      vms: fc.tuple(...names.map((name) => rec({ name: fc.constant(name), qos, bestEffort: fc.boolean() }))),
      streams: fc.array(stream, { minLength: 1, maxLength: 4 }),
      nic: rec({ msiVectors: fc.integer({ min: 1, max: 4 }), dmaArbiter: arbArbiter, sharedBufferBytes: fc.constantFrom(4500, 64 * 1024), rxRing: fc.constantFrom(4, 256) }),
      arch: fc.constantFrom(...ARCHS),
      cores: fc.constantFrom(...CORE_LAYOUTS),
      seed: fc.nat(),
    });
  })
  .map(({ arch, cores, seed, ...raw }) => ({ scenario: parsed(parseScenario({ name: 'adversarial', ...raw }, 'arbitrary scenario')), arch, cores, seed }));

function parsed<T>(r: { ok: true; value: T } | { ok: false; error: string }): T {
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

/**
 * Checked systems, including ones too large to explore exhaustively (for random walks): any architecture, arbiter,
 * packet sizes, traffic roles, hostile drivers, VMs detached at boot, spare or missing vectors, churn.
 */
export const arbCheckConfig: fc.Arbitrary<CheckConfig> = fc.integer({ min: 1, max: 4 }).chain((vms) => {
  const perVm = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T[]> => fc.array(a, { minLength: vms, maxLength: vms });
  return rec({
    arch: fc.constantFrom('vnic' as const, 'xen-idd' as const, 'mixed' as const),
    vms: fc.constant(vms),
    capacity: fc.integer({ min: 1, max: 4 }),
    dma: arbArbiter,
    burst: fc.integer({ min: 1, max: 3 }),
    rxRing: fc.integer({ min: 1, max: 3 }),
    churn: fc.boolean(),
    sizes: fc.constantFrom([1], [1], [1, 2], [1, 3], [2, 3]),
    rates: perVm(fc.integer({ min: 1, max: 2 })),
    roles: perVm(fc.constantFrom('conforming' as const, 'flooding' as const, 'idle' as const, 'adversary' as const)),
    drivers: perVm(fc.constantFrom('honest' as const, 'honest' as const, 'hostile' as const)),
    attached: perVm(fc.constantFrom(true, true, true, false)),
    vectors: fc.integer({ min: Math.max(1, vms - 1), max: vms + 1 }),
  });
}).map((o) => defaultCheckConfig(o));

// ---------------------------------------------------------------- driving a stepper

/** The Outputs carried by emitted actions (params are one Output or a list of them, see spec/effect.ts). */
export function outputsOf(emitted: StepResult<unknown>['emitted']): Output[] {
  const out: Output[] = [];
  for (const e of emitted) {
    const ps: readonly unknown[] = Array.isArray(e.params) ? e.params : [e.params];
    for (const p of ps) if (isOutput(p)) out.push(p);
  }
  return out;
}

/** A send Output whose event the caller knows the shape of. */
export interface Sent<E extends EventObject> {
  readonly kind: 'send';
  readonly to: string;
  readonly event: E;
  readonly delay?: Delay;
}

/** Sends in `outs`, optionally to `to` and of event type `type`; `E` types the events (the caller's knowledge). */
export const sendsOf = <E extends EventObject = EventObject & Readonly<Record<string, unknown>>>(outs: readonly Output[], to?: string, type?: string): Sent<E>[] =>
  outs
    .filter((o): o is Extract<Output, { kind: 'send' }> => o.kind === 'send' && (to === undefined || o.to === to) && (type === undefined || o.event.type === type))
    .map((o) => o as Sent<EventObject> as Sent<E>);

/** Probes in `outs` named `name`. */
export const probesOf = (outs: readonly Output[], name: string): Extract<Output, { kind: 'probe' }>[] =>
  outs.filter((o): o is Extract<Output, { kind: 'probe' }> => o.kind === 'probe' && o.name === name);

/** Work items in `outs`. */
export const worksOf = (outs: readonly Output[]): Extract<Output, { kind: 'work' }>[] =>
  outs.filter((o): o is Extract<Output, { kind: 'work' }> => o.kind === 'work');

/** A stepper driven one event at a time, keeping the current state; for hand-written scenarios. */
export class Driver<C, E extends EventObject, I> {
  state: MachineState<C>;
  /** Outputs of the initial transition. */
  readonly initialOutputs: Output[];
  /** Names of the actions of the last step. */
  lastActions: string[] = [];

  constructor(
    readonly stepper: Stepper<C, E, I>,
    input: I,
  ) {
    const r = stepper.initial(input);
    this.state = r.state;
    this.initialOutputs = outputsOf(r.emitted);
  }

  get context(): C {
    return this.state.context;
  }

  get value(): string {
    return this.state.value;
  }

  /** Steps with `event`; undefined (state unchanged) when the event is not enabled. */
  tryStep(event: E): Output[] | undefined {
    const r = this.stepper.step(this.state, event);
    if (r === undefined) return undefined;
    this.state = r.state;
    this.lastActions = r.emitted.map((e) => e.type);
    return outputsOf(r.emitted);
  }

  /** Steps with `event`, which must be enabled. */
  step(event: E): Output[] {
    const r = this.tryStep(event);
    if (r === undefined) throw new Error(`${this.stepper.id}: '${event.type}' is not enabled in state '${this.state.value}'`);
    return r;
  }

  /** Steps through `events` (all must be enabled); the Outputs of every step, concatenated. */
  run(events: readonly E[]): Output[] {
    return events.flatMap((e) => this.step(e));
  }
}
