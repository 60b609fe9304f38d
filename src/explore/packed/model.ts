/**
 * The packed form of a model, which the fast strategies run on: a state is a key of a few 32-bit words (fields at
 * fixed bit positions: layout.ts) held in typed arrays end to end; successors are computed from the parent's words;
 * properties are decided from the words. No object is built per state: states become objects (through the
 * object-level `Model`) only when a trace is printed.
 *
 * A `Model<S, A>` offers its packed form through `Model.packed(properties)`, a `PackedBinding`. The binding's duty
 * is exact agreement with the object-level model: the successors `expand` writes are, in order, the packed
 * `next(s, a)` for each `a` of `actions(s)` (self-loops may be left out, but are counted), and `check` / `witness`
 * decide each property as its object-level `check` does. The strategies rely on it for counts and action indices,
 * and rebuild traces, violation messages and specification errors with the object-level model.
 */
import type { Layout } from './layout.js';

/** What `expand`, `check` and `witness` return when they cannot decide without the thread owning the model. */
export const MISS = -2;

/** Successor keys written by `PackedModel.expand`, with the index of the action that produced each. */
export class Successors {
  keys = new Int32Array(256);
  actions = new Int32Array(64);
  count = 0;
  /** Key words per successor (the layout's). */
  words = 1;
  /** Index of the action that raised a specification error (expansion stopped there), or -1. */
  error = -1;

  reset(words: number): void {
    this.words = words;
    this.count = 0;
    this.error = -1;
  }

  /** Room for one more successor by action `action`, initialised to the parent's key; returns its offset in `keys`. */
  add(parent: Int32Array, at: number, action: number): number {
    const w = this.words;
    const i = this.count;
    if ((i + 1) * w > this.keys.length) {
      const bigger = new Int32Array(this.keys.length * 2);
      bigger.set(this.keys);
      this.keys = bigger;
    }
    if (i === this.actions.length) {
      const bigger = new Int32Array(i * 2);
      bigger.set(this.actions);
      this.actions = bigger;
    }
    const to = i * w;
    for (let k = 0; k < w; k++) this.keys[to + k] = parent[at + k]!;
    this.actions[i] = action;
    this.count = i + 1;
    return to;
  }

  /** Take back the last `add` (its action turned out to be a self-loop or disabled). */
  drop(): void {
    this.count--;
  }
}

export interface PackedModel {
  /** Fields of a state. */
  readonly fields: number;
  /** A value each field is expected to reach, so that the first layout has room for it (optional: widened as needed). */
  readonly fieldHints?: ArrayLike<number>;
  /**
   * The successors of the state `keys[at .. at + layout.words)`: for each enabled action, in the order of the
   * object-level `actions`, `out.add(keys, at, index)` and `layout.set` of the fields that change. Returns the number
   * of enabled actions taken (self-loops included, whether written or not), or MISS. On a specification error, sets
   * `out.error` to the failing action's index and returns the count of actions before it.
   */
  expand(keys: Int32Array, at: number, layout: Layout, out: Successors): number;
  /**
   * The index (in the binding's property list) of the first 'always' property the state violates, -1 if none, or
   * MISS. With `parent` (the key, at `parentAt`, of a state that satisfied every 'always' property, under the same
   * layout, from which this state is one step away), the model may decide only what that step can have changed.
   */
  check(keys: Int32Array, at: number, layout: Layout, parent?: Int32Array, parentAt?: number): number;
  /** 1 if the state witnesses 'sometimes' property `property` (an index in the binding's list), 0 if not, or MISS. */
  witness(keys: Int32Array, at: number, layout: Layout, property: number): number;
}

/** How worker threads build the same packed model: a module exporting `export` (data) => PackedModel. */
export interface WorkerModel {
  /** URL of an ES module (file: URL of compiled JavaScript). */
  readonly module: string;
  /** Name of its export: a function from `data()` to a `PackedModel` whose tables are shared with the owner's. */
  readonly export: string;
  /**
   * The shared data (SharedArrayBuffers and plain values), sent to the workers at the start and after every level
   * in which the owner (the binding's `model`, which fills the shared tables when it expands the states workers
   * could not) changed them.
   */
  data(): unknown;
  /** Changes whenever `data()` would describe different tables (absent: the data never changes). */
  version?(): number;
}

export interface PackedBinding<S> {
  readonly model: PackedModel;
  /** The fields of object state `s` (initial states; the states of rebuilt traces, to find their ids). */
  fieldsOf(s: S, out: Int32Array): void;
  /** Present when the model can run in worker threads (parallel breadth-first search). */
  readonly worker?: WorkerModel;
}
