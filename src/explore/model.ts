/**
 * The contract between a model and the explicit-state search in `search.ts`.
 *
 * The search knows nothing about NICs, machines or networks: anything that can list its initial states, its enabled
 * actions and their successors can be checked. The search keeps only the keys of visited states plus a parent
 * pointer and an action index per state, and rebuilds traces by re-executing actions, so the duties below are what
 * make a printed counterexample a real execution.
 */
import type { WordBuffer } from '../util/packed-set.js';
import type { PackedLiveness } from './packed/graph.js';
import type { PackedBinding } from './packed/model.js';

/**
 * A transition system the search can explore: initial states, enabled actions, successors, and how to key, label and
 * show them. Implement it for a model of your own (see examples/two-phase-commit.ts); the methods below state the
 * duties that make counterexamples real executions.
 * @typeParam S - a state; treated as immutable.
 * @typeParam A - an action: what one step does (e.g. `{ kind: 'send', to: 2 }`).
 */
export interface Model<S, A> {
  /** The initial states. Their order matters: a trace names its initial state by index into this list. */
  initial(): readonly S[];
  /**
   * The enabled actions of `s`. Duty: a pure function of `s` with a deterministic order — the search records the
   * index of the action taken, and trace reconstruction re-runs `actions(s)[index]`.
   */
  actions(s: S): readonly A[];
  /**
   * The successor of `s` by `a`. Duty: pure and deterministic, and it must not modify `s` (the search may expand the
   * same state object with several actions). Throw `ModelError` for a specification error (an unhandled message, a
   * broken precondition): the search reports it as verdict 'error' with a trace to `s`.
   */
  next(s: S, a: A): S;
  /** Compact canonical encoding of `s` for the visited set: equal keys mean the same state. Short keys save memory. */
  key(s: S): string;
  /** Canonical human-readable label of `a`, used in traces and to match recorded steps when replaying. */
  label(a: A): string;
  /**
   * Optional, for swarm random search (`check --random --swarm`): the kind of `a`, shared by actions that differ only
   * in their data (e.g. `arrive(vm1)`, `dma: dma.done`). A swarm walk allows a random subset of kinds; without this
   * method each label is a kind of its own.
   */
  actionKind?(a: A): string;
  /** Named state variables for traces: plain JSON-like values (Maps and Sets allowed), never mutated afterwards. */
  vars(s: S): Readonly<Record<string, unknown>>;
  /**
   * Symmetry reduction: a representative of the orbit of `s` under the model's symmetries (e.g. processes sorted),
   * used only with `options.symmetry`. Duties: `key(canonical(s))` is equal for every `s` in one orbit; permuting a
   * state permutes its enabled actions and successors; and every checked property gives the same verdict on all
   * states of an orbit.
   */
  canonical?(s: S): S;
  /**
   * Optional, for speed and memory: append `s` as unsigned 32-bit integers to `out`, a sequence that, like `key`, is
   * equal for equal states and different for different ones (small numbers are cheapest). With it the search keeps
   * its visited set in a compact byte arena instead of a map of key strings.
   */
  pack?(s: S, out: WordBuffer): void;
  /** Optional, with `pack`: the state packed as `words[0..length)`. The search then keeps its frontier as ids only. */
  unpack?(words: Uint32Array, length: number): S;
  /**
   * Optional, with `pack` and `unpack`: append `pack(next(s, a))` to `out` without building the successor, which is
   * usually one already visited, and return true; or return false, appending nothing, when `next(s, a)` is `s`
   * itself (a self-loop: nothing to look up). Duty: exactly the words `pack(next(s, a), out)` would append, and
   * false only for a true self-loop.
   */
  nextPacked?(s: S, a: A, out: WordBuffer): boolean;
  /**
   * Optional, for speed, memory and parallel search: the model's packed form (packed/model.ts) deciding these
   * `properties` (the list the search was given, in order), or undefined when it cannot decide some of them on packed
   * states (the search then runs on objects). Not used with symmetry reduction.
   */
  packed?(properties: readonly Property<S>[]): PackedBinding<S> | undefined;
  /**
   * Optional, for liveness under weak fairness (liveness.ts): the fair *task* that action `a` of `s` carries out, or
   * -1 when no fairness constraint covers `a` (the environment's choices: arrivals, clock ticks, management requests).
   * A task names "the same step" in every state where it is possible — e.g. one pending message, whichever state it
   * waits in — so that "task t stays enabled" can be followed along a behaviour. A task is *enabled* in `s` exactly
   * when some action of `s` carries it out. Weak fairness: a behaviour in which a task is enabled from some point on
   * carries it out infinitely often. Duties: pure and deterministic; tasks are small non-negative integers (they
   * index arrays; below 2^24); without `fairTask` no action is fair.
   */
  fairTask?(s: S, a: A): number;
  /** Optional, with `fairTask`: a human-readable name of task `task`, for reports on fairness. */
  describeTask?(task: number): string;
  /**
   * Optional, for the speed and memory of liveness checking: the model's packed form (packed/graph.ts) giving, from a
   * state's words, its successors, its actions' fair tasks (as `fairTask`) and these `properties`' levels; or
   * undefined when it cannot (the graph is then built on objects). Duty: the same graph as on objects.
   */
  packedLiveness?(properties: readonly LivenessProperty<S>[]): PackedLiveness<S> | undefined;
}

/**
 * A named property checked on every distinct reachable state: an invariant (`always`) or a reachability check
 * (`sometimes`: some reachable state must witness it, e.g. to show that a buffer can fill at all).
 */
export interface Property<S> {
  readonly name: string;
  readonly description: string;
  /** always: an invariant of every reachable state. sometimes: must hold in some reachable state (proves an outcome possible). */
  readonly kind: 'always' | 'sometimes';
  /**
   * always: `undefined` when the invariant holds in `s`, otherwise why it is violated.
   * sometimes: `undefined` when `s` witnesses the property, otherwise anything (e.g. why not).
   */
  check(s: S): string | undefined;
}

/**
 * A liveness property checked on the whole state graph under weak fairness of the model's tasks (`Model.fairTask`),
 * by liveness.ts. It has named *obligations* (e.g. one per VM), each with a *level* in every state: how much of it
 * is outstanding (e.g. that VM's packets not yet delivered or dropped). A positive level must eventually fall: the
 * property is violated by a fair behaviour on which, from some point on, obligation j's level stays positive and
 * never decreases. In LTL, for each j: WF ⇒ □◇(level_j = 0 ∨ level_j decreases) — "something outstanding leads to
 * progress". On a finite graph such a behaviour ends in a cycle, and a level that never decreases on a cycle never
 * rises on it either: the counterexample is a lasso whose cycle is fair (every task enabled in all its states is
 * taken on it) and keeps level j constant and positive, so what was outstanding when the cycle began stays so.
 *
 * Duties: `levels` is a pure function of `s` returning non-negative integers (they are stored per state, in bytes
 * while they fit) with at least one entry per obligation, in `obligations` order (extra entries are ignored).
 * The formulation counts, it does not name items: a step that serves one item and adds another leaves the level as
 * it was — say in the property's documentation whether the model has such steps.
 */
export interface LivenessProperty<S> {
  readonly name: string;
  readonly description: string;
  readonly kind: 'leads-to';
  /** The obligations' names; entry j of `levels` is `obligations[j]`. */
  readonly obligations: readonly string[];
  /** Each obligation's level in `s` (may be an array the state owns: it is only read). */
  levels(s: S): ArrayLike<number>;
  /** Why the property fails when obligation `j` stays positive and never falls on a fair cycle (one sentence). */
  violation(j: number): string;
}

/** A specification error raised by a model; the search turns it into verdict 'error' instead of crashing. */
export class ModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelError';
  }
}
