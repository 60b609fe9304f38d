/**
 * Random walks on packed states: the hook for a random strategy (src/explore/random/ walks objects today) to take
 * its steps at the packed engine's speed. A walk starts from a state's key, asks `choose(n)` for an index among the
 * n enabled actions at each step — the index into the object-level `actions(s)`, so a walk recorded here replays
 * through the `Model` unchanged — and checks every state it reaches (incrementally, from its parent). It keeps only
 * the action indices, from which the caller rebuilds the one walk it reports.
 */
import { Layout } from './layout.js';
import { MISS, Successors, type PackedBinding } from './model.js';

export type WalkOutcome =
  /** `depth` steps taken. */
  | { readonly kind: 'done' }
  /** No action was enabled. */
  | { readonly kind: 'deadlock' }
  /** The state after the last step violates property `property` (its index in the binding's list). */
  | { readonly kind: 'violated'; readonly property: number }
  /** Action `action` (an index, not taken) of the last state raised a specification error. */
  | { readonly kind: 'error'; readonly action: number };

export class PackedWalker<S> {
  private layout: Layout;
  private key: Int32Array;
  private parent: Int32Array;
  private readonly out = new Successors();
  private readonly fields: Int32Array;
  /** Indices of the actions the last walk took. */
  taken: number[] = [];

  constructor(private readonly binding: PackedBinding<S>) {
    const m = binding.model;
    this.layout = Layout.forHints(m.fields, m.fieldHints);
    this.key = new Int32Array(this.layout.words);
    this.parent = new Int32Array(this.layout.words);
    this.fields = new Int32Array(m.fields);
  }

  /**
   * Walk up to `depth` steps from `start` (an object state, e.g. an initial one), each action chosen by
   * `choose(n)` ∈ [0, n). Every state reached is checked against the 'always' properties.
   */
  walk(start: S, depth: number, choose: (n: number) => number): WalkOutcome {
    this.taken = [];
    this.binding.fieldsOf(start, this.fields);
    this.encode(this.fields);
    const m = this.binding.model;
    const first = m.check(this.key, 0, this.layout);
    if (first >= 0) return { kind: 'violated', property: first };
    for (let step = 0; step < depth; step++) {
      this.out.reset(this.layout.words);
      this.layout.clearOverflow();
      const n = m.expand(this.key, 0, this.layout, this.out);
      if (n === MISS) throw new Error('packed walk: the model missed on the thread that owns it');
      if (this.layout.overflowed) {
        this.widen();
        step--;
        continue;
      }
      const enabled = this.out.error >= 0 ? this.out.error + 1 : n;
      if (enabled === 0) return { kind: 'deadlock' };
      const a = choose(enabled);
      if (a === this.out.error) return { kind: 'error', action: a };
      this.taken.push(a);
      // The successor written for action a, or none: a self-loop leaves the state as it is.
      let j = 0;
      while (j < this.out.count && this.out.actions[j] !== a) j++;
      if (j === this.out.count) continue;
      this.parent.set(this.key);
      this.key.set(this.out.keys.subarray(j * this.layout.words, (j + 1) * this.layout.words));
      const v = m.check(this.key, 0, this.layout, this.parent, 0);
      if (v === MISS) throw new Error('packed walk: check() missed on the thread that owns the model');
      if (v >= 0) return { kind: 'violated', property: v };
    }
    return { kind: 'done' };
  }

  /** The fields of the state the last walk ended in. */
  fieldsNow(out: Int32Array): void {
    this.layout.decode(this.key, 0, out);
  }

  /** Whether the current state witnesses 'sometimes' property `property`. */
  witnesses(property: number): boolean {
    return this.binding.model.witness(this.key, 0, this.layout, property) === 1;
  }

  private encode(fields: Int32Array): void {
    for (;;) {
      this.layout.clearOverflow();
      if (this.layout.encode(fields, this.key, 0)) return;
      this.layout = this.layout.widened(this.layout.overflowField, this.layout.overflowValue);
      this.key = new Int32Array(this.layout.words);
      this.parent = new Int32Array(this.layout.words);
    }
  }

  private widen(): void {
    const values = new Int32Array(this.layout.fields);
    this.layout.decode(this.key, 0, values);
    this.layout = this.layout.widened(this.layout.overflowField, this.layout.overflowValue);
    this.key = new Int32Array(this.layout.words);
    this.parent = new Int32Array(this.layout.words);
    this.layout.encode(values, this.key, 0);
  }
}
