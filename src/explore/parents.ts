/**
 * Per stored state: its parent's id and the index of the action that reached it — all a trace needs. Actions are
 * one byte (an index ≥ 255 goes to a side map), and the columns grow by half, so a state costs about 5 bytes here.
 */
import { grown } from '../util/grown.js';

export const NO_PARENT = -1;

export class Parents {
  parent = new Int32Array(1024);
  action = new Uint8Array(1024);
  private readonly bigActions = new Map<number, number>();

  set(id: number, parent: number, action: number): void {
    if (id >= this.parent.length) this.reserve(id + 1);
    this.parent[id] = parent;
    if (action < 255) this.action[id] = action;
    else {
      this.action[id] = 255;
      this.bigActions.set(id, action);
    }
  }

  /** Room for ids below `n` (growing by half at least). */
  reserve(n: number): void {
    if (n <= this.parent.length) return;
    const size = Math.max(n, Math.ceil(this.parent.length * 1.5) + 16);
    this.parent = grown(this.parent, size);
    this.action = grown(this.action, size);
  }

  /** Bytes the next growth would allocate. */
  get growthBytes(): number {
    return Math.ceil(this.parent.length * 1.5) * 5;
  }

  get bytes(): number {
    return this.parent.byteLength + this.action.byteLength;
  }

  parentOf(id: number): number {
    return this.parent[id]!;
  }

  actionOf(id: number): number {
    const a = this.action[id]!;
    return a < 255 ? a : this.bigActions.get(id)!;
  }
}
