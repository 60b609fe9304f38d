/**
 * Growable arrays of fixed-width int32 records in shared memory: what one thread writes in a phase and others read
 * in the next (candidate states, winners). Growing replaces the buffer; the writer hands the new one on at the
 * barrier.
 */
export class Records {
  data: Int32Array;
  /** Records written. */
  count = 0;

  constructor(
    /** Words per record. */
    readonly width: number,
    capacity = 256,
  ) {
    this.data = new Int32Array(new SharedArrayBuffer(Math.max(1, capacity) * width * 4));
  }

  /** Offset of a new record (its words are then written by the caller). */
  push(): number {
    const at = this.count * this.width;
    if (at + this.width > this.data.length) {
      const bigger = new Int32Array(new SharedArrayBuffer(this.data.byteLength * 2));
      bigger.set(this.data.subarray(0, at));
      this.data = bigger;
    }
    this.count++;
    return at;
  }

  /** Room for `n` records in all (the buffer may be replaced: read `data` after). */
  reserve(n: number): void {
    if (n * this.width <= this.data.length) return;
    let size = this.data.length;
    while (size < n * this.width) size *= 2;
    const bigger = new Int32Array(new SharedArrayBuffer(size * 4));
    bigger.set(this.data.subarray(0, this.count * this.width));
    this.data = bigger;
  }

  /** Forget records from index `n` on. */
  truncate(n: number): void {
    this.count = n;
  }

  clear(): void {
    this.count = 0;
  }

  /** What crosses the barrier: the buffer and how many records it holds. */
  share(): SharedRecords {
    return { buffer: this.data.buffer as SharedArrayBuffer, count: this.count, width: this.width };
  }
}

export interface SharedRecords {
  readonly buffer: SharedArrayBuffer;
  readonly count: number;
  readonly width: number;
}
