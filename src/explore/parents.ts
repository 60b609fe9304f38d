/**
 * Per stored state: its parent's id and the index of the action that reached it — all a trace needs. Actions are
 * one byte (an index ≥ 255 goes to a side map), so a state costs 5 bytes here.
 *
 * The columns are fixed-size chunks, added as the ids grow, never copied: a column grown by copying leaves its old
 * copies behind as freed holes in the C heap that stay resident (glibc serves blocks of a few MiB from its heap, not
 * from mmap, once a bigger block was freed), which cost ~8 B per state at 3 VMs × 3 slots. Only the first chunk grows
 * (by doubling, up to the chunk size), so that a small search allocates little.
 */
import { grown } from '../util/grown.js';

export const NO_PARENT = -1;

const CHUNK_BITS = 18;
/** States per chunk: 262,144 (1 MiB of parent ids, 256 KiB of actions). */
const CHUNK = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK - 1;

export class Parents {
  private readonly parents: Int32Array[] = [new Int32Array(1024)];
  private readonly actions: Uint8Array[] = [new Uint8Array(1024)];
  /** Ids below this have room. */
  capacity = 1024;
  private readonly bigActions = new Map<number, number>();

  set(id: number, parent: number, action: number): void {
    if (id >= this.capacity) this.reserve(id + 1);
    const c = id >>> CHUNK_BITS;
    const i = id & CHUNK_MASK;
    this.parents[c]![i] = parent;
    if (action < 255) this.actions[c]![i] = action;
    else {
      this.actions[c]![i] = 255;
      this.bigActions.set(id, action);
    }
  }

  /** Room for ids below `n`. */
  reserve(n: number): void {
    while (this.capacity < n) {
      if (this.capacity < CHUNK) {
        const size = Math.min(CHUNK, Math.max(this.capacity * 2, n));
        this.parents[0] = grown(this.parents[0]!, size);
        this.actions[0] = grown(this.actions[0]!, size);
        this.capacity = size;
      } else {
        this.parents.push(new Int32Array(CHUNK));
        this.actions.push(new Uint8Array(CHUNK));
        this.capacity += CHUNK;
      }
    }
  }

  /** Bytes the next growth would allocate. */
  get growthBytes(): number {
    return Math.min(CHUNK, this.capacity * 2) * 5;
  }

  get bytes(): number {
    return this.parents.reduce((s, a) => s + a.byteLength, 0) + this.actions.reduce((s, a) => s + a.byteLength, 0);
  }

  parentOf(id: number): number {
    return this.parents[id >>> CHUNK_BITS]![id & CHUNK_MASK]!;
  }

  actionOf(id: number): number {
    const a = this.actions[id >>> CHUNK_BITS]![id & CHUNK_MASK]!;
    return a < 255 ? a : this.bigActions.get(id)!;
  }
}
