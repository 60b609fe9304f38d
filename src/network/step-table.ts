/**
 * One component's memoized steps: (state id, event id) → (next state id, effect id), in dense rows.
 *
 * A component receives few distinct events (the vNIC NIC: about twenty) and most of its states receive a good share
 * of them, so a row of cells per state with a column per event is both smaller and faster than a hash map of
 * pairs: a lookup is two array reads, no hashing. Columns are given to events on first sight; when they run out the
 * table is re-laid with half as many again.
 */

/** `next` cell values that are not state ids. */
export const UNKNOWN = -1;
export const DISABLED = -2;
export const BAD = -3;

export class StepTable {
  /** Column of each event id, -1 for none yet. */
  private columnOf = new Int32Array(16).fill(-1);
  private columns = 0;
  private stride = 4;
  private rows = 0;
  /** Next state id per cell, or UNKNOWN / DISABLED / BAD. */
  next = new Int32Array(0);
  /** Effect id per cell (meaningful when `next` is a state id); widened to 32 bits past 65,535 effects. */
  effect: Uint16Array | Uint32Array = new Uint16Array(0);
  /** Cells computed. */
  size = 0;

  /** The cell of (state, event), making room for it. */
  cell(state: number, event: number): number {
    let col = event < this.columnOf.length ? this.columnOf[event]! : -1;
    if (col < 0) col = this.addColumn(event);
    if (state >= this.rows) this.addRows(state + 1);
    return state * this.stride + col;
  }

  set(cell: number, next: number, effect: number): void {
    if (effect > 0xffff && this.effect instanceof Uint16Array) this.effect = Uint32Array.from(this.effect);
    this.next[cell] = next;
    this.effect[cell] = effect;
    this.size++;
  }

  /** Bytes held. */
  get bytes(): number {
    return this.next.byteLength + this.effect.byteLength + this.columnOf.byteLength;
  }

  private addColumn(event: number): number {
    if (event >= this.columnOf.length) {
      const wider = new Int32Array(Math.max(event + 1, this.columnOf.length * 2)).fill(-1);
      wider.set(this.columnOf);
      this.columnOf = wider;
    }
    if (this.columns === this.stride) this.relay(this.stride + Math.max(4, this.stride >> 1));
    const col = this.columns++;
    this.columnOf[event] = col;
    return col;
  }

  private addRows(atLeast: number): void {
    const rows = Math.max(atLeast, Math.ceil(this.rows * 1.5) + 16);
    const next = new Int32Array(rows * this.stride).fill(UNKNOWN);
    next.set(this.next);
    const effect = this.effect instanceof Uint16Array ? new Uint16Array(rows * this.stride) : new Uint32Array(rows * this.stride);
    effect.set(this.effect);
    this.next = next;
    this.effect = effect;
    this.rows = rows;
  }

  private relay(stride: number): void {
    const next = new Int32Array(this.rows * stride).fill(UNKNOWN);
    const effect = this.effect instanceof Uint16Array ? new Uint16Array(this.rows * stride) : new Uint32Array(this.rows * stride);
    for (let r = 0; r < this.rows; r++) {
      for (let c = 0; c < this.columns; c++) {
        next[r * stride + c] = this.next[r * this.stride + c]!;
        effect[r * stride + c] = this.effect[r * this.stride + c]!;
      }
    }
    this.next = next;
    this.effect = effect;
    this.stride = stride;
  }
}
