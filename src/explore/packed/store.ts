/**
 * What every packed strategy keeps: the key layout, the visited set, the parent columns, and the discoveries that
 * end a search (a violated property, a bound, the memory budget). Strategies differ only in their frontier.
 */
import type { Property } from '../model.js';
import { NO_PARENT, Parents } from '../parents.js';
import { fingerprintEstimate, type Outcome } from '../result.js';
import type { Stops } from '../stops.js';
import type { IncompleteReason } from '../types.js';
import { Layout } from './layout.js';
import { MISS, type PackedBinding, type Successors } from './model.js';
import { VisitedTable } from './visited.js';

/** `discover`'s answers besides the id of a new state. */
export const KNOWN = -1;
export const STOP = -2;

/** Where a strategy keeps the states it will expand: `settle` hands it each new state. */
export interface Frontier {
  admit(keys: Int32Array, at: number, id: number, depth: number): void;
}

export class PackedStore<S, A> {
  layout: Layout;
  table: VisitedTable;
  readonly parents = new Parents();
  count = 0;
  depth = 0;
  transitions = 0;
  cut: IncompleteReason | undefined;
  failed: { id: number; property: string } | undefined;
  error: { id: number; actionIndex: number } | undefined;
  readonly witnessIds = new Map<string, number>();
  /** Indices of the 'sometimes' properties not witnessed yet. */
  private pending: number[];
  private readonly fields: Int32Array;
  private readonly scratch: Int32Array;

  constructor(
    readonly binding: PackedBinding<S>,
    private readonly properties: readonly Property<S>[],
    private readonly stops: Stops,
    readonly fingerprint: boolean,
  ) {
    const m = binding.model;
    this.layout = Layout.forHints(m.fields, m.fieldHints);
    this.table = new VisitedTable(this.layout.words, fingerprint);
    this.table.layout = this.layout;
    this.pending = properties.flatMap((p, i) => (p.kind === 'sometimes' ? [i] : []));
    this.fields = new Int32Array(m.fields);
    this.scratch = new Int32Array(m.fields + 1);
  }

  /** Whether the search is over (a depth cut only prunes: the search goes on). */
  get stopped(): boolean {
    return (this.cut !== undefined && this.cut !== 'max-depth') || this.failed !== undefined || this.error !== undefined;
  }

  /**
   * The key of object state `s` under the current layout into `out[at..]`; false when a field needs a wider layout
   * (recorded as the layout's overflow).
   */
  encode(s: S, out: Int32Array, at: number): boolean {
    this.binding.fieldsOf(s, this.fields);
    this.layout.clearOverflow();
    return this.layout.encode(this.fields, out, at);
  }

  /**
   * Look up the state `keys[at..]` reached from `parent` (whose key is `parentKey`, when known) by action `action`
   * at depth `depth`; store it if new, and check it. Returns its new id, KNOWN, or STOP (a bound, the memory budget
   * or a violation ends the search).
   */
  discover(keys: Int32Array, at: number, parent: number, action: number, depth: number, parentKey?: Int32Array, hash?: number): number {
    const table = this.table;
    if (table.find(keys, at, hash) !== -1) return KNOWN;
    if (this.count >= this.stops.maxStates) {
      this.cut = 'max-states';
      return STOP;
    }
    if (table.full || this.count >= this.parents.capacity) {
      if (!this.makeRoom()) return STOP;
      table.find(keys, at, hash);
    }
    const id = this.count++;
    this.table.insert(keys, at, id);
    this.parents.set(id, parent, action);
    if (depth > this.depth) this.depth = depth;
    this.checkState(keys, at, id, parentKey);
    return this.failed !== undefined ? STOP : id;
  }

  /**
   * The visited set's hashes of the successors in `out` (into `hashes`, grown if needed and returned), for `prefetch`
   * and `settle`.
   */
  hash(out: Successors, hashes: Int32Array): Int32Array {
    return this.table.hashAll(out.keys, out.count, hashes);
  }

  /**
   * Start the visited-set lookups of the successors in `out` (`hashes`: from `hash`), so that their cache misses
   * overlap before `settle` looks them up.
   */
  prefetch(out: Successors, hashes: Int32Array): void {
    this.table.prefetch(hashes, out.count);
  }

  /**
   * Store the successors `out` of state `parent` (key `parentKey`; `taken`: what `expand` returned; `hashes`: from
   * `hash`) in order, at depth `depth`, handing each new one to `frontier`; count the transitions and record the
   * specification error `expand` met. Ends at the first STOP.
   */
  settle(out: Successors, taken: number, parent: number, parentKey: Int32Array, hashes: Int32Array, depth: number, frontier: Frontier): void {
    const words = out.words;
    let counted = taken;
    for (let j = 0; j < out.count; j++) {
      const r = this.discover(out.keys, j * words, parent, out.actions[j]!, depth, parentKey, hashes[j]);
      if (r === STOP) {
        counted = out.actions[j]! + 1; // the object-level search stops right after computing this successor
        break;
      }
      if (r >= 0) frontier.admit(out.keys, j * words, r, depth);
    }
    this.transitions += counted;
    if (out.error >= 0 && !this.stopped) this.error = { id: parent, actionIndex: out.error };
  }

  /** Grow the table and parent columns if the memory budget allows; false (cut 'memory') if not. */
  private makeRoom(): boolean {
    const need = (this.table.full ? this.table.growthBytes : 0) + (this.count >= this.parents.capacity ? this.parents.growthBytes : 0);
    if (!this.stops.allows(need)) {
      this.cut = 'memory';
      return false;
    }
    try {
      if (this.table.full) this.table.grow();
      if (this.count >= this.parents.capacity) this.parents.reserve(this.count + 1);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      this.cut = 'memory'; // the allocation failed: out of memory before the budget
      return false;
    }
    return true;
  }

  private checkState(keys: Int32Array, at: number, id: number, parentKey: Int32Array | undefined): void {
    const m = this.binding.model;
    const v = parentKey !== undefined ? m.check(keys, at, this.layout, parentKey, 0) : m.check(keys, at, this.layout);
    if (v === MISS) throw new Error('packed model: check() missed on the thread that owns the model');
    if (v >= 0) {
      this.failed = { id, property: this.properties[v]!.name };
      return;
    }
    const pending = this.pending;
    if (pending.length === 0) return;
    let hit = false;
    for (let i = 0; i < pending.length; i++) {
      const w = m.witness(keys, at, this.layout, pending[i]!);
      if (w === MISS) throw new Error('packed model: witness() missed on the thread that owns the model');
      if (w === 1) {
        this.witnessIds.set(this.properties[pending[i]!]!.name, id);
        hit = true;
      }
    }
    if (hit) this.pending = pending.filter((p) => !this.witnessIds.has(this.properties[p]!.name));
  }

  /**
   * Widen the layout for the overflow the model just recorded and re-lay the visited set; returns the old layout,
   * which the strategy needs to re-encode its frontier (`relay`).
   */
  widen(): Layout {
    const old = this.layout;
    const next = old.widened(old.overflowField, old.overflowValue);
    this.table = this.table.relaid(old, next);
    this.layout = next;
    return old;
  }

  /** Re-encode `n` keys in `keys` (from `from`'s words each to the current layout's) into a new array. */
  relay(from: Layout, keys: Int32Array, n: number, stride = from.words): Int32Array {
    const to = this.layout;
    const out = new Int32Array(Math.max(1, n) * to.words);
    const values = this.scratch;
    for (let i = 0; i < n; i++) {
      from.decode(keys, i * stride, values);
      to.encode(values, out, i * to.words);
    }
    return out;
  }

  /**
   * Discover the initial states (depth 0), in order; `admit` queues each new one. `widen` is the strategy's own: it
   * widens the layout and re-encodes its frontier when a state does not fit.
   */
  seed(initial: readonly S[], widen: () => void, admit: (key: Int32Array, id: number) => void): void {
    this.initialStates = initial.length;
    let key = new Int32Array(this.layout.words);
    for (let i = 0; i < initial.length && !this.stopped; i++) {
      while (!this.encode(initial[i]!, key, 0)) {
        widen();
        key = new Int32Array(this.layout.words);
      }
      const r = this.discover(key, 0, NO_PARENT, i, 0);
      if (r >= 0) admit(key, r);
    }
  }

  /** The id of object state `s`, or -1. */
  idOf(s: S): number {
    const key = new Int32Array(this.layout.words);
    if (!this.encode(s, key, 0)) return -1;
    return this.table.find(key, 0);
  }

  outcome(queue: number): Outcome<S, A> {
    return {
      states: this.count,
      transitions: this.transitions,
      depth: this.depth,
      queue,
      workers: 1,
      cut: this.cut,
      failed: this.failed,
      error: this.error,
      witnessIds: this.witnessIds,
      parents: this.parents,
      idOf: (s) => this.idOf(s),
      symmetric: false,
      ...fingerprintEstimate(this.fingerprint, this.count, this.transitions + this.initialStates),
    };
  }

  /** Initial states offered (the seed adds them). */
  initialStates = 0;
}

export { NO_PARENT };
