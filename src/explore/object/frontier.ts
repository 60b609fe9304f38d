/**
 * The object-level search's frontier: a ring buffer of (state, id, depth), taken from the front (`shift`, BFS) or
 * the back (`pop`, DFS). No Array.shift, which is O(n) on large arrays. A state may be left out (undefined) when the
 * model can rebuild it from the visited set (`Model.unpack`).
 */
export class Frontier<S> {
  private states: (S | undefined)[];
  private ids: Int32Array;
  private depths: Int32Array;
  private mask: number;
  private head = 0;
  size = 0;
  /** The state and depth of the entry most recently removed (avoids allocating a pair per removal). */
  taken: S | undefined;
  takenDepth = 0;

  constructor() {
    const capacity = 1024;
    this.states = new Array<S | undefined>(capacity).fill(undefined);
    this.ids = new Int32Array(capacity);
    this.depths = new Int32Array(capacity);
    this.mask = capacity - 1;
  }

  push(s: S | undefined, id: number, depth: number): void {
    if (this.size > this.mask) this.grow();
    const j = (this.head + this.size) & this.mask;
    this.states[j] = s;
    this.ids[j] = id;
    this.depths[j] = depth;
    this.size++;
  }

  shift(): number {
    const j = this.head;
    this.taken = this.states[j];
    this.takenDepth = this.depths[j]!;
    this.states[j] = undefined; // let the state be collected once expanded
    this.head = (j + 1) & this.mask;
    this.size--;
    return this.ids[j]!;
  }

  pop(): number {
    const j = (this.head + this.size - 1) & this.mask;
    this.taken = this.states[j];
    this.takenDepth = this.depths[j]!;
    this.states[j] = undefined;
    this.size--;
    return this.ids[j]!;
  }

  private grow(): void {
    const capacity = (this.mask + 1) * 2;
    const states = new Array<S | undefined>(capacity).fill(undefined);
    const ids = new Int32Array(capacity);
    const depths = new Int32Array(capacity);
    for (let i = 0; i < this.size; i++) {
      const j = (this.head + i) & this.mask;
      states[i] = this.states[j];
      ids[i] = this.ids[j]!;
      depths[i] = this.depths[j]!;
    }
    this.states = states;
    this.ids = ids;
    this.depths = depths;
    this.mask = capacity - 1;
    this.head = 0;
  }
}
