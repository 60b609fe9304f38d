/**
 * The object-level search's visited sets: `find` a state's id (or -1), then `add` the state last passed to `find`
 * under the next id. Over `model.key` (strings in Maps) or, when the model can `pack` its states, a byte arena of
 * word sequences (util/packed-set.ts).
 */
import { PackedSet, WordBuffer } from '../../util/packed-set.js';

export interface StateIndex<S> {
  find(s: S): number;
  add(id: number): void;
}

// V8 refuses to grow a Map past 2^24 entries; beyond that the visited set spills into further maps.
const MAP_LIMIT = 1 << 24;

/** Over `model.key`: key → state id, as one Map until V8's per-Map limit, then sharded (the newest map is asked first). */
export class KeyIndex<S> implements StateIndex<S> {
  private readonly maps: Map<string, number>[];
  private current = new Map<string, number>();
  private last = '';

  constructor(private readonly keyOf: (s: S) => string) {
    this.maps = [this.current];
  }

  find(s: S): number {
    const key = this.keyOf(s);
    this.last = key;
    const id = this.current.get(key);
    if (id !== undefined) return id;
    for (let i = 0; i < this.maps.length - 1; i++) {
      const other = this.maps[i]!.get(key);
      if (other !== undefined) return other;
    }
    return -1;
  }

  add(id: number): void {
    if (this.current.size >= MAP_LIMIT) {
      this.current = new Map();
      this.maps.push(this.current);
    }
    this.current.set(this.last, id);
  }
}

/** Over `model.pack`: the byte arena of util/packed-set.ts. */
export class PackedIndex<S> implements StateIndex<S> {
  readonly store = new PackedSet();
  readonly buf = new WordBuffer();
  constructor(private readonly packInto: (s: S, out: WordBuffer) => void) {}
  find(s: S): number {
    this.buf.clear();
    this.packInto(s, this.buf);
    return this.store.find(this.buf);
  }
  add(id: number): void {
    if (this.store.add() !== id) throw new Error('search: packed state ids out of step');
  }
}
