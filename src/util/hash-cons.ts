/**
 * Hash-consing of immutable JSON-like values: equal sub-objects become one shared object.
 *
 * The explorer keeps one representative per distinct machine state. Two NIC contexts that differ in one vNIC's
 * token count still share the other vNIC records, the arbiter and the transmit list once consed, so a
 * representative costs little more than its own top-level record. Only plain objects and arrays are consed, bottom
 * up; each distinct node is keyed by its field names, primitive values and its children's ids, and an object whose
 * children are all canonical already becomes the canonical node itself (no copy). Values must not be
 * mutated after consing (the machines' contexts never are). -0 is consed as 0.
 */
export class HashCons {
  private readonly nodes = new Map<string, number>();
  private readonly values: object[] = [];
  /** Node id of each canonical node. (Originals are not recorded: a step's new objects are rarely met again.) */
  private readonly ids = new WeakMap<object, number>();
  /** Node id of the value `cons` returned last (-1: a primitive). */
  private lastId = -1;

  /** Distinct nodes held. */
  get size(): number {
    return this.values.length;
  }

  /** A value equal to `root` whose fields are shared, consed values; `root` itself is copied, not consed. */
  top<T>(root: T): T {
    if (root === null || typeof root !== 'object') return root;
    if (Array.isArray(root)) return root.map((x) => this.cons(x)) as T;
    const out: Record<string, unknown> = {};
    const o = root as Record<string, unknown>;
    for (const k in o) setField(out, k, this.cons(o[k]));
    return out as T;
  }

  private cons(x: unknown): unknown {
    if (x === null || typeof x !== 'object') {
      this.lastId = -1;
      return x;
    }
    const known = this.ids.get(x);
    if (known !== undefined) {
      this.lastId = known;
      return this.values[known]!;
    }
    let key: string;
    // The canonical children; `changed` when one differs from x's own (then x cannot be the canonical node).
    let changed = false;
    let built: unknown[] | Record<string, unknown>;
    if (Array.isArray(x)) {
      key = '[';
      const children = new Array<unknown>(x.length);
      for (let i = 0; i < x.length; i++) {
        const c = this.cons(x[i]);
        if (c !== x[i]) changed = true;
        children[i] = c;
        key += this.part(c) + ',';
      }
      built = children;
    } else {
      key = '{';
      const o = x as Record<string, unknown>;
      const children: Record<string, unknown> = {};
      for (const k in o) {
        const c = this.cons(o[k]);
        if (c !== o[k]) changed = true;
        setField(children, k, c);
        key += k.length + ':' + k + '=' + this.part(c) + ',';
      }
      built = children;
    }
    let id = this.nodes.get(key);
    if (id === undefined) {
      id = this.values.length;
      const value = changed ? built : x;
      this.values.push(value as object);
      this.nodes.set(key, id);
      this.ids.set(value as object, id);
    }
    this.lastId = id;
    return this.values[id]!;
  }

  /**
   * The part of its parent's key for a child just consed: `#id` for a node, JSON for a string, the text of other
   * primitives. Field names are length-prefixed, so keys parse one way only.
   */
  private part(c: unknown): string {
    if (c !== null && typeof c === 'object') return '#' + this.lastId;
    return c === undefined ? 'u' : typeof c === 'string' ? JSON.stringify(c) : String(c);
  }
}

/** `o[k] = v`, also for a field named "__proto__" (which plain assignment would turn into a prototype change). */
function setField(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}
