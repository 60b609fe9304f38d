/**
 * Hash-consing of immutable JSON-like values: equal sub-objects become one shared object.
 *
 * The explorer keeps one representative per distinct machine state. Two NIC contexts that differ in one vNIC's
 * token count still share the other vNIC records, the arbiter and the transmit list once consed, so a
 * representative costs little more than its own top-level record. Only plain objects and arrays are consed, bottom
 * up. A node is found by a numeric hash of its field names, its primitive values and its children's node ids, then
 * compared field by field (children are canonical already, so a child compares by identity): no key string is built
 * or kept per node, which made consing the largest part of interning a new machine state. An object whose children
 * are all canonical already becomes the canonical node itself (no copy). Values must not be mutated after consing
 * (the machines' contexts never are). -0 is consed as 0; a NaN never equals anything, so a value holding one is
 * never shared (correct, only less compact).
 */
export class HashCons {
  private readonly values: object[] = [];
  /** Per node: the next node whose hash is the same (-1: none). */
  private readonly chain: number[] = [];
  /** First node of each hash value. */
  private readonly heads = new Map<number, number>();
  /** Node id of each canonical node. (Originals are not recorded: a step's new objects are rarely met again.) */
  private readonly ids = new WeakMap<object, number>();
  /** Hashes of strings met (field names, state names: few), so that each is hashed once. */
  private readonly stringHashes = new Map<string, number>();
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
    // The canonical children; `changed` when one differs from x's own (then x cannot be the canonical node).
    let changed = false;
    let built: unknown[] | Record<string, unknown>;
    let h: number;
    if (Array.isArray(x)) {
      h = mix(0x2545f491, x.length);
      const children = new Array<unknown>(x.length);
      for (let i = 0; i < x.length; i++) {
        const c = this.cons(x[i]);
        if (c !== x[i]) changed = true;
        children[i] = c;
        h = mix(h, this.part(c));
      }
      built = children;
    } else {
      h = 0x3c6ef372;
      const o = x as Record<string, unknown>;
      const children: Record<string, unknown> = {};
      for (const k in o) {
        const c = this.cons(o[k]);
        if (c !== o[k]) changed = true;
        setField(children, k, c);
        h = mix(mix(h, this.stringHash(k)), this.part(c));
      }
      built = children;
    }
    h = finish(h);
    const head = this.heads.get(h);
    for (let id = head ?? -1; id !== -1; id = this.chain[id]!) {
      if (sameNode(this.values[id]!, built)) {
        this.lastId = id;
        return this.values[id]!;
      }
    }
    const id = this.values.length;
    const value = (changed ? built : x) as object;
    this.values.push(value);
    this.chain.push(head ?? -1);
    this.heads.set(h, id);
    this.ids.set(value, id);
    this.lastId = id;
    return value;
  }

  /**
   * A child's contribution to its parent's hash: its node id for a node, else its primitive value, tagged by type so
   * that 1, "1", true and null differ (equal hashes are only candidates: `sameNode` decides).
   */
  private part(c: unknown): number {
    switch (typeof c) {
      case 'object':
        return c === null ? 0x1b873593 : mix(0x68e31da4, this.lastId);
      case 'number':
        // Integers hash by value (0 and -0 alike); other numbers by their text.
        return Number.isInteger(c) ? mix(0x7feb352d, c | 0) : mix(0x4cf5ad43, this.stringHash(String(c)));
      case 'string':
        return mix(0x5bd1e995, this.stringHash(c));
      case 'boolean':
        return c ? 0x27d4eb2f : 0x165667b1;
      case 'undefined':
        return 0x61c88647;
      default:
        return mix(0x2127599b, this.stringHash(String(c)));
    }
  }

  private stringHash(s: string): number {
    let h = this.stringHashes.get(s);
    if (h !== undefined) return h;
    h = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    // Strings of states and field names are few; a value with endless distinct strings is hashed each time.
    if (this.stringHashes.size < 1 << 16) this.stringHashes.set(s, h);
    return h;
  }
}

function mix(h: number, x: number): number {
  h = Math.imul(h ^ x, 0x9e3779b1);
  return (h << 13) | (h >>> 19);
}

function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h | 0;
}

/**
 * Whether node `a` and the freshly consed `b` are equal: both arrays or both objects, the same field names in the
 * same order (an undefined-valued field is a field), and identical children (primitives by value, nodes by identity,
 * since both sides' children are canonical).
 */
function sameNode(a: object, b: unknown[] | Record<string, unknown>): boolean {
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const x = a as Record<string, unknown>;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i]!;
    if (k !== kb[i] || x[k] !== b[k]) return false;
  }
  return true;
}

/** `o[k] = v`, also for a field named "__proto__" (which plain assignment would turn into a prototype change). */
function setField(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}
