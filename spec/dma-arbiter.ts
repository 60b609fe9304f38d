/**
 * The pluggable DMA arbiter of the vNIC NIC (§3.2: the NIC "issues DMA to the destination VM based on the virtual
 * NIC's priority"). Each vNIC has its own DMA channel; the channels share the device's DMA engine, and the arbiter
 * decides which channel gets the next transfer slot.
 *
 * - strict: the highest `priority` always wins (ties: lowest slot). Simple, and a busy high-priority vNIC can make a
 *   lower one wait without bound — the explorer shows it.
 * - wrr: weighted round-robin by packets: slot i gets up to `weight` consecutive grants per round.
 * - drr: deficit round-robin by bytes (Shreedhar & Varghese): slot i earns `weight · quantum` bytes per round.
 * All three are pure functions of the arbiter state and the candidates, so the explorer can enumerate them.
 */
import { patcher } from './record.js';

/** strict priority, weighted round-robin (by packets) or deficit round-robin (by bytes). */
export type ArbiterKind = 'strict' | 'wrr' | 'drr';

/** The arbiter's state: its kind, the cyclic visiting order, the round-robin pointer and credits, the drr deficits. */
export interface ArbiterState {
  readonly kind: ArbiterKind;
  /**
   * The cyclic order in which the arbiter visits slots (initially 0, 1, …). Keeping it as state, rather than
   * implied by slot numbers, makes renaming slots a symmetry of the arbiter: the explorer relies on that.
   */
  readonly order: readonly number[];
  /** Round-robin pointer (wrr, drr): a position in `order`. */
  readonly next: number;
  /** wrr: grants left in slot `next`'s current turn; drr: 1 when `next`'s turn has been topped up. */
  readonly credit: number;
  /** drr: byte deficit per slot. */
  readonly deficits: readonly number[];
  /** drr: bytes earned per unit of weight per round. */
  readonly quantum: number;
}

/** What the arbiter sees of one vNIC's DMA channel. */
export interface Candidate {
  /** Has a buffered packet and somewhere to put it (an Rx descriptor). */
  readonly eligible: boolean;
  readonly priority: number;
  readonly weight: number;
  readonly headSize: number;
}

const patch = patcher<ArbiterState>({ kind: true, order: true, next: true, credit: true, deficits: true, quantum: true });

/** An arbiter of this kind over `slots` channels, before any grant. */
export function initialArbiter(kind: ArbiterKind, slots: number, quantum: number): ArbiterState {
  return { kind, order: Array.from({ length: slots }, (_, i) => i), next: 0, credit: 0, deficits: new Array<number>(slots).fill(0), quantum };
}

/** The slot granted the next DMA transfer, and the arbiter's state after granting it. */
export interface Grant {
  readonly slot: number;
  readonly state: ArbiterState;
}

/** The next DMA grant among the candidates, or undefined when none is eligible. Pure: the explorer enumerates it. */
export function pick(a: ArbiterState, c: readonly Candidate[]): Grant | undefined {
  if (!c.some((x) => x.eligible)) return undefined;
  switch (a.kind) {
    case 'strict':
      return pickStrict(a, c);
    case 'wrr':
      return pickWrr(a, c);
    case 'drr':
      return pickDrr(a, c);
  }
}

function pickStrict(a: ArbiterState, c: readonly Candidate[]): Grant | undefined {
  // Ties between equal priorities go to the slot that comes first in `order`.
  let best = -1;
  for (const i of a.order) {
    const x = c[i]!;
    if (x.eligible && (best < 0 || x.priority > c[best]!.priority)) best = i;
  }
  return best < 0 ? undefined : { slot: best, state: a };
}

function pickWrr(a: ArbiterState, c: readonly Candidate[]): Grant | undefined {
  const n = c.length;
  for (let k = 0; k < n; k++) {
    const pos = (a.next + k) % n;
    const x = c[a.order[pos]!]!;
    if (!x.eligible) continue;
    const left = (k === 0 && a.credit > 0 ? a.credit : Math.max(1, x.weight)) - 1;
    return { slot: a.order[pos]!, state: patch(a, { next: left === 0 ? (pos + 1) % n : pos, credit: left }) };
  }
  return undefined;
}

function pickDrr(a: ArbiterState, c: readonly Candidate[]): Grant | undefined {
  const n = c.length;
  // Fast path: the slot in its turn still has enough deficit for its head packet.
  const curSlot = a.order[a.next]!;
  const cur = c[curSlot]!;
  if (a.credit === 1 && cur.eligible && cur.headSize <= a.deficits[curSlot]!) {
    const deficits = a.deficits.slice();
    deficits[curSlot] = deficits[curSlot]! - cur.headSize;
    return { slot: curSlot, state: patch(a, { deficits }) };
  }
  const deficits = a.deficits.slice();
  let next = a.next;
  let inTurn = a.credit === 1;
  // Terminates: every full round adds at least `quantum` to each eligible slot's deficit.
  let maxHead = 0;
  for (const x of c) if (x.eligible && x.headSize > maxHead) maxHead = x.headSize;
  const limit = n * (2 + Math.ceil(maxHead / Math.max(1, a.quantum)));
  for (let step = 0; step < limit; step++) {
    const slot = a.order[next]!;
    const x = c[slot]!;
    if (!x.eligible) {
      deficits[slot] = 0;
      next = (next + 1) % n;
      inTurn = false;
      continue;
    }
    if (!inTurn) {
      deficits[slot] = deficits[slot]! + Math.max(1, x.weight) * a.quantum;
      inTurn = true;
    }
    if (x.headSize <= deficits[slot]!) {
      deficits[slot] = deficits[slot]! - x.headSize;
      return { slot, state: patch(a, { next, credit: 1, deficits }) };
    }
    next = (next + 1) % n;
    inTurn = false;
  }
  return undefined;
}
