/**
 * One component's memoized steps: (state id, event id) → (next state id, effect id), in dense rows.
 *
 * A component receives few distinct events (the vNIC NIC: about twenty) and most of its states receive a good share
 * of them, so a row of cells per state with a column per event is both smaller and faster than a hash map of
 * pairs: a lookup is one array read, no hashing. Columns are given to events on first sight; when they run out the
 * table is re-laid with half as many again.
 *
 * A cell is one int32 holding both results — next id + 1 in the low 24 bits, the effect id above — so a lookup
 * touches one cache line (the table is far larger than the caches; a lookup is usually a memory access). Past
 * 2^24 − 2 states or 126 effects the table switches for good to two arrays (`wide`).
 */
import { grown } from '../util/grown.js';

/** `nextOf` results that are not state ids. */
export const UNKNOWN = -1;
export const DISABLED = -2;
export const BAD = -3;

/** Narrow cell values: 0 unknown, negative for DISABLED / BAD, else effect << 24 | (next + 1). */
const NEXT_BITS = 24;
const NEXT_MASK = (1 << NEXT_BITS) - 1;
const MAX_NARROW_EFFECT = 126;

export class StepTable {
  /** Column of each event id, -1 for none yet. */
  private columnOf = new Int32Array(16).fill(-1);
  private columns = 0;
  private stride = 4;
  private rows = 0;
  private cells = new Int32Array(0);
  /** Wide layout: next id per cell (UNKNOWN / DISABLED / BAD or an id) and effect id per cell. */
  private wide = false;
  private wideNext = new Int32Array(0);
  private wideEffect = new Int32Array(0);
  /** Cells computed. */
  size = 0;

  /** The cell of (state, event), making room for it. */
  cell(state: number, event: number): number {
    let col = event < this.columnOf.length ? this.columnOf[event]! : -1;
    if (col < 0) col = this.addColumn(event);
    if (state >= this.rows) this.addRows(state + 1);
    return state * this.stride + col;
  }

  /** Next state id of a cell, or UNKNOWN / DISABLED / BAD. */
  nextOf(cell: number): number {
    if (this.wide) return this.wideNext[cell]!;
    const v = this.cells[cell]!;
    if (v > 0) return (v & NEXT_MASK) - 1;
    return v === 0 ? UNKNOWN : v === -1 ? DISABLED : BAD;
  }

  /** Effect id of a cell whose `nextOf` is a state id. */
  effectOf(cell: number): number {
    return this.wide ? this.wideEffect[cell]! : this.cells[cell]! >>> NEXT_BITS;
  }

  /** Records a cell: `next` a state id, or DISABLED / BAD (effect ignored). */
  set(cell: number, next: number, effect: number): void {
    if (!this.wide && next >= 0 && (next + 1 > NEXT_MASK || effect > MAX_NARROW_EFFECT)) this.widen();
    if (this.wide) {
      this.wideNext[cell] = next;
      this.wideEffect[cell] = effect;
    } else this.cells[cell] = next === DISABLED ? -1 : next === BAD ? -2 : effect * 2 ** NEXT_BITS + next + 1;
    this.size++;
  }

  private addColumn(event: number): number {
    if (event >= this.columnOf.length) {
      this.columnOf = grown(this.columnOf, Math.max(event + 1, this.columnOf.length * 2), -1);
    }
    if (this.columns === this.stride) this.relay(this.stride + Math.max(4, this.stride >> 1));
    const col = this.columns++;
    this.columnOf[event] = col;
    return col;
  }

  private addRows(atLeast: number): void {
    const rows = Math.max(atLeast, Math.ceil(this.rows * 1.5) + 16);
    if (this.wide) {
      this.wideNext = grown(this.wideNext, rows * this.stride, UNKNOWN);
      this.wideEffect = grown(this.wideEffect, rows * this.stride, 0);
    } else this.cells = grown(this.cells, rows * this.stride, 0);
    this.rows = rows;
  }

  /** Moves every cell to `stride` columns per row. */
  private relay(stride: number): void {
    const move = (from: Int32Array, empty: number): Int32Array<ArrayBuffer> => {
      const to = new Int32Array(this.rows * stride).fill(empty);
      for (let r = 0; r < this.rows; r++) to.set(from.subarray(r * this.stride, r * this.stride + this.columns), r * stride);
      return to;
    };
    if (this.wide) {
      this.wideNext = move(this.wideNext, UNKNOWN);
      this.wideEffect = move(this.wideEffect, 0);
    } else this.cells = move(this.cells, 0);
    this.stride = stride;
  }

  private widen(): void {
    const n = this.cells.length;
    this.wideNext = new Int32Array(n);
    this.wideEffect = new Int32Array(n);
    for (let cell = 0; cell < n; cell++) {
      this.wideNext[cell] = this.nextOf(cell);
      this.wideEffect[cell] = this.cells[cell]! > 0 ? this.cells[cell]! >>> NEXT_BITS : 0;
    }
    this.cells = new Int32Array(0);
    this.wide = true;
  }
}
