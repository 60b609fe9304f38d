/**
 * The vNIC NIC's classifier (Lakshmi & Nandy §3.1: the NIC must "identify the incoming packet to the corresponding
 * VM"; §3.2, Fig. 4a, first step): every packet from the wire is classified by its destination MAC to the vNIC that
 * owns the MAC, or rejected at the device as `unknown-destination` when no active vNIC does. Its table is programmed
 * by the vNICs themselves (nic.route) when the VMM sets one up, tears it down or changes its MACs, so it always lists
 * exactly the MACs of the active vNICs.
 *
 * It is also where the checker's abstract clock enters the NIC: a tick is passed on to every vNIC's token bucket.
 */
import { setup } from 'xstate';
import { probe, send } from '../src/network/outputs.js';
import { does, labels, type Effected } from './effect.js';
import { vnicId, type ClassifierInput } from './nic-vnic.js';
import type { Packet } from './packet.js';

/** The classifier's MAC table. */
export interface ClassifierContext {
  /** Per vNIC slot, the destination MACs that classify to it (none for a vNIC that is not active). */
  readonly routes: readonly (readonly number[])[];
}

/** What the classifier takes: packets from the wire, routes from the vNICs, the checker's clock. */
export type ClassifierEvent =
  | { readonly type: 'rx.arrive'; readonly packet: Packet; readonly nowNs: number }
  /** From vNIC `slot`: its MACs from now on ([] when it is torn down). */
  | { readonly type: 'nic.route'; readonly slot: number; readonly macs: readonly number[] }
  | { readonly type: 'clock.tick'; readonly dtNs: number };

type Ev<T extends ClassifierEvent['type']> = Extract<ClassifierEvent, { type: T }>;

/** The slot whose MACs include `dst` (the first, should two claim it), or -1. */
function slotOf(c: ClassifierContext, dst: number): number {
  for (let i = 0; i < c.routes.length; i++) if (c.routes[i]!.includes(dst)) return i;
  return -1;
}

const rejectUnknown = (c: ClassifierContext, e: Ev<'rx.arrive'>): Effected<ClassifierContext> => ({
  context: c,
  out: [probe('rx.rejected', { packet: e.packet, reason: 'unknown-destination', slot: -1, blockers: [] })],
});

/** The packet goes to its vNIC, which decides admission (Fig. 4a's next step). */
const classify = (c: ClassifierContext, e: Ev<'rx.arrive'>): Effected<ClassifierContext> => ({ context: c, out: [send(vnicId(slotOf(c, e.packet.dst)), e)] });

function route(c: ClassifierContext, e: Ev<'nic.route'>): Effected<ClassifierContext> {
  const was = c.routes[e.slot]!;
  if (was.length === e.macs.length && was.every((m, i) => m === e.macs[i])) return { context: c, out: [] };
  const routes = c.routes.slice();
  routes[e.slot] = e.macs;
  return { context: { routes }, out: [] };
}

const tick = (c: ClassifierContext, e: Ev<'clock.tick'>): Effected<ClassifierContext> => ({ context: c, out: c.routes.map((_, slot) => send(vnicId(slot), e)) });

/** The classifier (§3.1, §3.2 Fig. 4a's first step): one state, classifying. */
export const classifierMachine = setup({
  types: { context: {} as ClassifierContext, events: {} as ClassifierEvent, input: {} as ClassifierInput },
  guards: {
    unknownDestination: ({ context, event }) => slotOf(context, (event as Ev<'rx.arrive'>).packet.dst) < 0,
    /** Routes come from the NIC's own vNICs only. */
    knownSlot: ({ context, event }) => context.routes[(event as Ev<'nic.route'>).slot] !== undefined,
  },
  actions: labels('rejectUnknownDestination', 'classify', 'route', 'tick'),
}).createMachine({
  id: 'nic',
  context: ({ input }) => ({ routes: Array.from({ length: input.slots }, () => []) }),
  initial: 'classifying',
  states: {
    classifying: {
      on: {
        'rx.arrive': [
          { guard: 'unknownDestination', actions: does('rejectUnknownDestination', rejectUnknown) },
          { actions: does('classify', classify) },
        ],
        'nic.route': { guard: 'knownSlot', actions: does('route', route) },
        'clock.tick': { actions: does('tick', tick) },
      },
    },
  },
});
