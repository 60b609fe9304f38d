/**
 * Hash-consing of immutable JSON-like values: equal sub-objects become one shared object.
 *
 * The explorer keeps one representative per distinct machine state. Two NIC contexts that differ in one vNIC's
 * token count still share the other vNIC records, the arbiter and the transmit list once consed, so a
 * representative costs little more than its own top-level record. Only plain objects and arrays are consed, bottom
 * up; each distinct node is keyed by its kind, field names and its children's ids.
 */
export class HashCons {
  private readonly nodes = new Map<string, { readonly id: number; readonly value: unknown }>();
  private readonly ids = new WeakMap<object, number>();

  /** Distinct nodes held. */
  get size(): number {
    return this.nodes.size;
  }

  /** An object equal to `root` whose fields are shared, consed values; `root` itself is copied, not consed. */
  top<T>(root: T): T {
    if (root === null || typeof root !== 'object') return root;
    if (Array.isArray(root)) return root.map((x) => this.cons(x).value) as T;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(root)) out[k] = this.cons((root as Record<string, unknown>)[k]).value;
    return out as T;
  }

  private cons(x: unknown): { readonly id: number; readonly value: unknown } {
    if (x === null || typeof x !== 'object') return { id: -1, value: x };
    const known = this.ids.get(x);
    if (known !== undefined) return { id: known, value: x };
    let key: string;
    let build: () => unknown;
    if (Array.isArray(x)) {
      const parts = x.map((c) => this.cons(c));
      key = '[' + parts.map(partKey).join(',');
      build = () => parts.map((p) => p.value);
    } else {
      const o = x as Record<string, unknown>;
      const names = Object.keys(o);
      const parts = names.map((k) => this.cons(o[k]));
      key = '{' + names.map((k, i) => k + ':' + partKey(parts[i]!)).join(',');
      build = () => {
        const out: Record<string, unknown> = {};
        names.forEach((k, i) => (out[k] = parts[i]!.value));
        return out;
      };
    }
    let node = this.nodes.get(key);
    if (node === undefined) {
      const value = build();
      node = { id: this.nodes.size, value };
      this.nodes.set(key, node);
      this.ids.set(value as object, node.id);
    }
    this.ids.set(x, node.id);
    return node;
  }
}

/** A child's part of its parent's key: `#id` for a consed node, JSON for a primitive (so "1" and 1 differ). */
function partKey(p: { readonly id: number; readonly value: unknown }): string {
  return p.id >= 0 ? '#' + p.id : p.value === undefined ? 'u' : JSON.stringify(p.value);
}
