/**
 * History variables of the checked model's properties (see `History`): counters kept in the state, the operations
 * that change them and the bounds properties put on them. Both explorers — on objects (model.ts) and on packed states
 * (packed.ts, through src/network/packed) — apply exactly these.
 */
import type { MachineState } from '../../src/machine/index.js';
import type { Probe } from '../../src/network/network.js';

/**
 * One operation on a history counter: `v := min(hi, max(lo, v + add))`. A set is `add` 0 with `lo = hi` = the value;
 * an increment that saturates is `hi` = the cap. Both engines apply exactly these (the packed one from its tables).
 */
export interface CounterOp {
  /** Index of the counter in its history. */
  readonly counter: number;
  readonly add: number;
  readonly lo: number;
  readonly hi: number;
}

/** No lower / upper clamp in a `CounterOp`. */
export const NO_LO = -0x7fffffff;
export const NO_HI = 0x7fffffff;

/** A bound on a history counter: a state where it lies outside [min, max] violates `property`. */
export interface HistoryBound {
  readonly counter: number;
  readonly min: number;
  readonly max: number;
  readonly property: string;
  /** Why, for a value outside the bound, in a state with these machines. */
  readonly message: (value: number, machines: readonly MachineState<unknown>[]) => string;
}

/**
 * History variables of properties (TLA+'s history variables, a SPIN never claim's state): counters kept in the state
 * because a verdict depends on what happened, not on the machines' states alone — e.g. an independent shadow token
 * bucket per VM fed by the admission probes. They change only by `CounterOp`s that are a function of a delivery's
 * pre-state and probes (`ops`) or of a clock tick (`tick`) — never of the counters themselves — so the packed explorer
 * memoizes them like step checks; a property reads them through `bounds`. Keep them bounded (clamp), and where the specified machines keep the same quantity, equal to
 * it, so that they add no states. Counters lie within [-1, 65534] (two share a word in object states' keys).
 */
export interface History {
  /** A name per counter, unique among the histories of one model (traces show them under env.history). */
  readonly names: readonly string[];
  /** The counters before boot. */
  readonly initial: readonly number[];
  /**
   * What a delivery does to the counters, in order (pushed to `out`): a function of the machines' states before it and
   * the probes it raised, as a step check is (the packed explorer memoizes both on what they read).
   */
  readonly ops: (pre: readonly MachineState<unknown>[], probes: readonly Probe[], out: CounterOp[]) => void;
  /** What a clock tick (abstract time: one second; it raises no probes) does to them, before the machines take it. */
  readonly tick: readonly CounterOp[];
  /** The bounds the properties put on them. */
  readonly bounds: readonly HistoryBound[];
  /**
   * The counters with VM i renamed to VM π(i), for symmetry reduction (used only where vNIC slot = VM index: the vnic
   * architecture without churn).
   */
  readonly permute: (h: readonly number[], pi: readonly number[]) => number[];
}

/** `op` applied to counter value `v`. */
export const applyOp = (v: number, op: CounterOp): number => Math.min(op.hi, Math.max(op.lo, v + op.add));

