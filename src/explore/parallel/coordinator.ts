/**
 * Breadth-first search on worker threads over shared memory, level by level, giving exactly the states, ids,
 * transitions, verdicts and traces of the one-thread search (packed/bfs.ts) for any number of workers.
 *
 * Each level runs three phases (a barrier after each):
 * 1. expand (workers): the frontier is taken in chunks; each new-looking successor is checked and written as a
 *    candidate to the outbox of its partition (parallel/phases.ts). A state whose expansion needs a table cell only
 *    this thread can fill (the machines are JavaScript objects here) is deferred: this thread expands the deferred
 *    states after the barrier, filling the shared tables, so misses become rare once the tables are warm.
 * 2. insert (workers): each worker owns one partition of the visited set and inserts its candidates from every
 *    source in (parent, action) order; the first of equal keys wins. Each winner sets the bit of its action in its
 *    parent's action bits (shared by all partitions).
 * 3. number: the new states get ids in (parent, action) order — the order in which the one-thread search meets
 *    them. Mostly on the workers: this thread turns the action bits into each parent's first new id (one pass over
 *    the frontier) and handles the few new states with witness bits, in id order; then each worker numbers
 *    partitions (id = the parent's first id + the parent's new actions below this one), writing ids into the table,
 *    keys into the next frontier and parents into a buffer this thread copies while the next level expands. When a
 *    bound, a violation or a specification error stops the batch, this thread merges all partitions' winners in
 *    (parent, action) order instead and stops where the one-thread search stops.
 *
 * Why this design: no locks or atomic inserts on the hot path (phase 1 only reads the visited set, phase 2 writes
 * disjoint partitions), deterministic results, and the machine objects stay in one thread.
 */
import type { Property } from '../model.js';
import { Parents } from '../parents.js';
import { fingerprintEstimate, type Outcome } from '../result.js';
import { YIELD, type Stops } from '../stops.js';
import type { IncompleteReason, SearchOptions } from '../types.js';
import { Layout } from '../packed/layout.js';
import { MISS, Successors, type PackedBinding } from '../packed/model.js';
import { DEFERRED, RECENT, expandState, idOf, popcount, type ExpandContext } from './phases.js';
import { WINNER_HEAD, candidateWidth, type ExpandMessage, type InsertMessage, type NumberMessage, type PartitionWork } from './protocol.js';
import { collect } from './collect.js';
import { Records, type SharedRecords } from './records.js';
import { MAX_LOAD, hashKey, keyWordsOf, partitionOf, probe, sharedTable, slotCount, store as store_, writeIds, type TableView } from './table.js';
import type { PackedStore } from '../packed/store.js';
import { startHelpers, stopHelpers, type Helper } from './helpers.js';

/**
 * For measurements (bench/explorer.ts): wall milliseconds in phase 1, the deferred expansions, phase 2 and phase 3;
 * the workers' busy milliseconds in phases 1 and 2; states deferred to this thread; candidates inserted; the
 * workers' busy milliseconds in phase 3; milliseconds from the search's start to the first parallel level (the
 * one-thread prefix and the hand-over). With w workers, w · wall − busy of a phase is the workers' idle time in it.
 */
export const PROFILE = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

/**
 * Partitions of the visited set per worker: several, so that phase 2 balances (see InsertMessage). With 2 workers
 * on 3 × 3, 8 rather than 4 cut the workers' idle time in phase 2 from ~6% of it to ~5% (bench/README.md).
 */
const PARTITIONS_PER_WORKER = 8;

/** Frontier states per batch of a level (bounds the candidates and winners held at once). */
let BATCH = 1 << 19;
/** For tests: batches of `n` frontier states (tiny batches exercise the batch boundaries). */
export function setBatchForTests(n: number): void {
  BATCH = n;
}
/**
 * Dropped table bytes at which the threads collect, at least (and half the live tables' bytes): a full collection
 * of the main thread's heap takes tens of milliseconds, so a search collects a few times, when it is worth it.
 */
const COLLECT_AT_DEFAULT = 32 << 20;
let COLLECT_AT = COLLECT_AT_DEFAULT;
/** For tests: collect from `bytes` dropped on (0: whenever half the live tables' bytes were dropped; none: the default). */
export function setCollectAtForTests(bytes = COLLECT_AT_DEFAULT): void {
  COLLECT_AT = bytes;
}
/** Number every batch on this thread (the path a stopping batch takes), instead of on the workers. */
let SERIAL_NUMBERING = false;
/** For tests: number every batch on this thread (true), or on the workers whenever nothing stops the batch. */
export function setSerialNumberingForTests(serial: boolean): void {
  SERIAL_NUMBERING = serial;
}
/** Words of action bits per frontier state a search starts with (widened when an action does not fit). */
let MASK_WORDS = 1;
/** For tests: start with `n` words of action bits (0: the first batch with new states widens them). */
export function setMaskWordsForTests(n = 1): void {
  MASK_WORDS = n;
}
/** What a batch came to. */
const DONE = 0;
const ENDED = 1;
const REDO = 2;

/** Frontier states per chunk a worker takes at a time. */
const CHUNK = 256;

/** Where a one-thread breadth-first search handed over (packed/bfs.ts `handover`). */
export interface Handover<S, A> {
  readonly store: PackedStore<S, A>;
  /** The next level's keys, in id order: ids base … base + count − 1. */
  readonly keys: Int32Array;
  readonly base: number;
  readonly count: number;
  /** Depth of the next level's states. */
  readonly depth: number;
}

export class ParallelBfs<S, A> {
  private layout: Layout;
  private readonly fingerprint: boolean;
  private tables: TableView[];
  /** States stored per partition. */
  private readonly stored: number[];
  private parents = new Parents();
  /** Per partition, the last level's numbered winners whose ids are not in the table yet (written in phase 2). */
  private unwritten: { readonly buffer: SharedArrayBuffer; count: number; readonly width: number }[] = [];
  private count = 0;
  private depth = 0;
  private transitions = 0;
  private cut: IncompleteReason | undefined;
  private failed: { id: number; property: string } | undefined;
  private error: { id: number; actionIndex: number } | undefined;
  private readonly witnessIds = new Map<string, number>();
  private pending: number[];
  private frontier: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private frontierCount = 0;
  /** Id of the frontier's first state; the frontier's states are ids base .. base + frontierCount − 1. */
  private base = 0;
  private level = 0;
  private queue = 0;
  private helpers: Helper[] = [];
  private dataVersion = -1;
  private readonly ownerOut = new Successors();
  /** Initial states offered (for the fingerprint estimate). */
  initialStates = 0;
  private readonly hashes = new Int32Array(2);
  /** Bytes of tables dropped since the threads last collected; whether the workers collect with the next expansion. */
  private dropped = 0;
  private collectNext = false;
  private collectHere = false;

  constructor(
    private readonly binding: PackedBinding<S>,
      private readonly options: SearchOptions<S>,
    private readonly stops: Stops,
    private readonly workers: number,
  ) {
    if (binding.worker === undefined) throw new TypeError('parallel search: the packed model has no worker form (PackedBinding.worker)');
    const m = binding.model;
    this.fingerprint = options.fingerprint === true;
    this.layout = Layout.forHints(m.fields, m.fieldHints);
    this.tables = Array.from({ length: workers * PARTITIONS_PER_WORKER }, () => sharedTable(this.keyWords, 1024));
    this.stored = new Array<number>(this.tables.length).fill(0);
    this.pending = options.properties.flatMap((p, i) => (p.kind === 'sometimes' ? [i] : []));
  }

  private get keyWords(): number {
    return keyWordsOf(this.layout.words, this.fingerprint);
  }

  private get properties(): readonly Property<S>[] {
    return this.options.properties;
  }

  private get ended(): boolean {
    return (this.cut !== undefined && this.cut !== 'max-depth') || this.failed !== undefined || this.error !== undefined;
  }

  /** Run the search to its end on `helpers` (started by `startHelpers`, `workers` of them; stopped here) or new ones. */
  async run(helpers?: Helper[]): Promise<void> {
    this.helpers = helpers ?? startHelpers(this.binding.worker!, this.workers);
    const control = new Int32Array(new SharedArrayBuffer(8));
    const onAbort = (): void => void Atomics.store(control, 1, 1);
    PROFILE[9]! += this.stops.elapsed() * 1000;
    this.options.signal?.addEventListener('abort', onAbort);
    try {
      while (this.frontierCount > 0 && !this.ended) {
        const r = this.stops.poll(this.count, this.count, this.depth, this.frontierCount);
        if (r !== undefined && r !== YIELD) {
          this.stop(r);
          break;
        }
        await this.runLevel(control);
      }
      this.flushParents();
      this.writeIds();
    } finally {
      this.options.signal?.removeEventListener('abort', onAbort);
      await stopHelpers(this.helpers);
    }
  }

  /** Write the ids of the last level's states into the tables (here: the search is over). */
  private writeIds(): void {
    this.unwritten.forEach((u, p) => writeIds(this.tables[p]!, this.keyWords, new Int32Array(u.buffer), u.count, u.width));
    this.unwritten = [];
  }

  /**
   * A stop between batches: the frontier from index `from` on is left unexpanded, beside the next level's states
   * found so far.
   */
  private stop(reason: IncompleteReason, from = 0): void {
    this.cut = reason;
    this.queue = this.frontierCount - from + (from > 0 ? this.next.count : 0);
  }

  // ---- taking over from the one-thread search ------------------------------------------------------------------

  /**
   * Continue where a one-thread breadth-first search handed over (at a level boundary): its visited set is spread over
   * the partitions, its parent columns, counts and witnesses taken as they are, its next level becomes the frontier.
   */
  adopt(h: Handover<S, A>): void {
    const store = h.store;
    this.layout = store.layout;
    const kw = this.keyWords;
    const parts = this.tables.length;
    const slots = store.table.slots;
    const sw = kw + 1;
    // Size each partition for what it receives, then move every stored state into its partition.
    this.tables = this.tables.map(() => sharedTable(kw, Math.max(1024, (store.count / parts) * 2)));
    for (let p = 0; p < slots.length; p += sw) {
      const idWord = slots[p + kw]!;
      if (idWord === 0) continue;
      let h1: number;
      let h2 = 0;
      if (this.fingerprint) {
        h1 = slots[p]!;
        h2 = slots[p + 1]!;
      } else {
        hashKey(slots, p, kw, false, this.hashes);
        h1 = this.hashes[0]!;
      }
      const part = partitionOf(h1, parts);
      const slot = probe(this.tables[part]!, kw, this.fingerprint, slots, p, h1, h2);
      store_(this.tables[part]!, kw, this.fingerprint, -slot - 1, slots, p, h1, h2, idWord);
      this.stored[part]!++;
    }
    this.parents = store.parents;
    this.count = store.count;
    this.depth = store.depth;
    this.transitions = store.transitions;
    for (const [k, v] of store.witnessIds) this.witnessIds.set(k, v);
    this.pending = this.pending.filter((i) => !this.witnessIds.has(this.properties[i]!.name));
    this.frontier = new Int32Array(new SharedArrayBuffer(Math.max(1, h.count) * this.layout.words * 4));
    this.frontier.set(h.keys.subarray(0, h.count * this.layout.words));
    this.frontierCount = h.count;
    this.base = h.base;
    this.level = h.depth;
    this.queue = h.count;
  }

  /**
   * Record the checks of new state `id`; false when it violates a property (the search ends there). Witness bits are
   * positions in `pending` as it was when the level began (it only shrinks between levels).
   */
  private discovered(id: number, check: number, witness: number): boolean {
    if (check === MISS) throw new Error('packed model: check() missed on the thread that owns the model');
    if (check >= 0) {
      this.failed = { id, property: this.properties[check]!.name };
      return false;
    }
    if (witness !== 0) {
      for (let i = 0; i < this.pending.length; i++) {
        const name = this.properties[this.pending[i]!]!.name;
        if ((witness & (1 << i)) !== 0 && !this.witnessIds.has(name)) this.witnessIds.set(name, id);
      }
    }
    return true;
  }

  // ---- one level ---------------------------------------------------------------------------------------------

  /**
   * One level, in batches of at most BATCH frontier states (phases 1 to 3 each), so that the candidates and winners
   * in memory at once stay bounded however wide the level. Batches go in frontier order: a state first reached in a
   * batch is found in the visited set by later batches, so ids and parents are those of a one-batch level.
   */
  private async runLevel(control: Int32Array): Promise<void> {
    const n = this.frontierCount;
    const countOnly = this.level >= this.stops.maxDepth;
    // Buffers are reused from level to level: shared memory is freed only when every thread has collected it.
    if (this.taken.length < n) {
      this.taken = new Int32Array(new SharedArrayBuffer(Math.ceil(n * 1.5) * 4));
      this.errors = new Int32Array(new SharedArrayBuffer(Math.ceil(n * 1.5) * 4));
      this.firsts = new Int32Array(new SharedArrayBuffer(Math.ceil(n * 1.5) * 4));
    }
    const taken = this.taken;
    const errors = this.errors;
    errors.fill(-1, 0, n);
    taken.fill(0, 0, n);
    // The next level goes into the spare key buffer; the current frontier's becomes the spare afterwards.
    this.next = this.spare.width === this.layout.words ? this.spare : new Records(this.layout.words, 1024);
    this.next.clear();
    for (let from = 0; from < n; ) {
      if (from > 0) {
        // Between batches of a wide level too: progress, the clock, the memory budget.
        const r = this.stops.poll(this.count, this.count, this.depth, n - from + this.next.count);
        if (r !== undefined && r !== YIELD) {
          this.stop(r, from);
          return;
        }
      }
      const to = Math.min(n, from + BATCH);
      const r = await this.runBatch(control, from, to, taken, errors, countOnly);
      if (r === REDO) continue; // the layout widened: this batch again
      if (r === ENDED) return;
      from = to;
    }
    if (countOnly) {
      for (let i = 0; i < n; i++) {
        if (taken[i]! > 0 || errors[i]! >= 0) {
          this.cut = 'max-depth';
          break;
        }
      }
      this.frontierCount = 0;
      this.queue = 0;
      return;
    }
    const m = this.next.count;
    this.base = this.count - m;
    this.spare = this.current;
    this.current = this.next;
    this.frontier = this.next.data;
    this.frontierCount = m;
    this.queue = m;
    this.level++;
    this.pending = this.pending.filter((i) => !this.witnessIds.has(this.properties[i]!.name));
  }

  /** This thread's recent-candidates cache for deferred states (phases.ts), and its batch counter. */
  private recent = new Int32Array(0);
  private epoch = 0;

  /** The first frontier index of the batch in progress. */
  private batchFrom = 0;

  /** The next level's keys, in id order, as batches number them; the records holding the frontier; a spare. */
  private next = new Records(1, 1);
  private current = new Records(1, 1);
  private spare = new Records(1, 1);
  /** Per frontier state of the level: transitions taken, and the failing action or −1. */
  private taken: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private errors: Int32Array<ArrayBufferLike> = new Int32Array(0);
  /** This thread's outboxes (for deferred states), reused from batch to batch. */
  private mainBoxes: Records[] = [];
  /**
   * For numbering on the workers (phases.ts `idOf`): per frontier state, the id of its first new state, and
   * `maskWords` words of bits of the actions that gave new states (widened when a winner's action does not fit).
   */
  private firsts: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private masks: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private maskWords = MASK_WORDS;
  /**
   * Words between the workers' copies of `masks` (phase 2 sets bits in its own copy: `Atomics.or` on one shared
   * copy is a call into the runtime in V8, ~170 ns a new state; `numberInParallel` merges the copies into the first).
   */
  private maskStride = 0;
  /**
   * The parents and actions of a batch's new states, as the workers number them (2 words per state, in id order),
   * and the ids they are for: copied into `parents` while the workers expand the next batch.
   */
  private newParents: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private unflushed = { first: 0, count: 0 };

  private flushParents(): void {
    const { first, count } = this.unflushed;
    if (count === 0) return;
    const parents = this.parents;
    const np = this.newParents;
    parents.reserve(first + count);
    for (let k = 0; k < count; k++) parents.set(first + k, np[2 * k]!, np[2 * k + 1]!);
    this.unflushed = { first: 0, count: 0 };
  }

  private async runBatch(control: Int32Array, from: number, to: number, taken: Int32Array, errors: Int32Array, countOnly: boolean): Promise<number> {
    // What the batch will hold at once: candidates (a state has ~8 successors, ~a third of them not yet visited,
    // written in both workers' outboxes at worst) and winners; refused beyond the memory budget.
    if (!this.stops.allows((to - from) * 8 * (candidateWidth(this.layout.words) + WINNER_HEAD + this.layout.words) * 4)) {
      this.stop('memory', from);
      return ENDED;
    }
    // Phase 1: expand.
    Atomics.store(control, 0, 0);
    let t0 = performance.now();
    const expanded = await this.expandAll(control, from, to, taken, errors, countOnly);
    PROFILE[0]! += performance.now() - t0;
    t0 = performance.now();
    if (Atomics.load(control, 1) !== 0) {
      this.stop('interrupted', from);
      return ENDED;
    }
    // The deferred states, on this thread (filling the shared tables).
    if (this.mainBoxes.length !== this.tables.length || this.mainBoxes[0]!.width !== candidateWidth(this.layout.words)) {
      this.mainBoxes = this.tables.map(() => new Records(candidateWidth(this.layout.words), 64));
    }
    const main = this.mainBoxes;
    for (const b of main) b.clear();
    const deferred = expanded.flatMap((m) => m.deferred).sort((a, b) => a - b);
    if (!this.expandDeferred(deferred, main, taken, errors, countOnly)) return REDO;
    if (countOnly) return DONE;
    let errorAt = -1;
    for (let i = from; i < to && errorAt < 0; i++) if (errors[i]! >= 0) errorAt = i;
    PROFILE[1]! += performance.now() - t0;
    t0 = performance.now();
    // Phase 2: insert, one partition per worker.
    this.batchFrom = from;
    const W = this.maskWords;
    if (this.maskStride < to * W) {
      this.maskStride = Math.ceil(to * 1.5) * W;
      this.masks = new Int32Array(new SharedArrayBuffer(this.maskStride * this.workers * 4));
    }
    for (let k = 0; k < this.workers; k++) this.masks.fill(0, k * this.maskStride + from * W, k * this.maskStride + to * W);
    const inserted = await this.insertAll(expanded, main);
    if (inserted === undefined) return ENDED;
    PROFILE[2]! += performance.now() - t0;
    t0 = performance.now();
    // Phase 3: ids in (parent, action) order: on the workers, unless a bound, a violation or an error stops the batch.
    const { winners, flagged, maxAction } = inserted;
    if (maxAction >= W * 32) this.maskWords = (maxAction >>> 5) + 1; // from the next batch on
    const numbered = !SERIAL_NUMBERING && errorAt < 0 && maxAction < W * 32 && (await this.numberInParallel(winners, flagged, from, to, taken));
    const ended = numbered ? false : this.number(winners, from, to, taken, errorAt, errorAt >= 0 ? errors[errorAt]! : -1);
    PROFILE[3]! += performance.now() - t0;
    return ended ? ENDED : DONE;
  }

  private async expandAll(control: Int32Array, from: number, to: number, taken: Int32Array, errors: Int32Array, countOnly: boolean): Promise<{ outboxes: readonly SharedRecords[]; deferred: readonly number[] }[]> {
    const msg: ExpandMessage = {
      type: 'expand',
      ...this.modelData(),
      layoutBits: Array.from(this.layout.bits),
      fingerprint: this.fingerprint,
      tables: this.tables.map((t) => ({ buffer: t.slots.buffer as SharedArrayBuffer, n: t.n })),
      collect: this.collectNext,
      frontier: this.frontier.buffer as unknown as SharedArrayBuffer,
      from,
      to,
      base: this.base,
      taken: taken.buffer as SharedArrayBuffer,
      errors: errors.buffer as SharedArrayBuffer,
      control: control.buffer as SharedArrayBuffer,
      chunk: CHUNK,
      countOnly,
    };
    this.collectNext = false;
    const asked = Promise.all(this.helpers.map((h) => h.ask(msg)));
    // While the workers expand: this thread's share of numbering, and its collection (tens of milliseconds).
    this.flushParents();
    if (this.collectHere) {
      this.collectHere = false;
      collect();
    }
    const replies = await asked;
    return replies.map((r) => {
      if (r.type !== 'expanded') throw new Error(`parallel search: unexpected reply '${r.type}'`);
      PROFILE[4]! += r.busyMs;
      PROFILE[6]! += r.deferred.length;
      return r;
    });
  }

  /** `{ data }` when the packed model's shared data changed since workers last got it, else nothing. */
  private modelData(): { data?: unknown } {
    const worker = this.binding.worker!;
    const version = worker.version?.() ?? 0;
    if (version === this.dataVersion) return {};
    this.dataVersion = version;
    return { data: worker.data() };
  }

  /** Expand the deferred states here; false when the layout had to widen (the level is then run again). */
  private expandDeferred(deferred: readonly number[], main: Records[], taken: Int32Array, errors: Int32Array, countOnly: boolean): boolean {
    const ctx: ExpandContext = {
      model: this.binding.model,
      layout: this.layout,
      fingerprint: this.fingerprint,
      tables: this.tables,
      outboxes: main,
      out: this.ownerOut,
      countOnly,
      successorHashes: new Int32Array(64),
      sink: 0,
      recent: this.recent.length === RECENT * (this.layout.words + 1) ? this.recent : (this.recent = new Int32Array(RECENT * (this.layout.words + 1))),
      epoch: ++this.epoch,
    };
    const error = new Int32Array(1);
    const words = this.layout.words;
    for (const i of deferred) {
      const t = expandState(ctx, this.frontier, i * words, this.base + i, error);
      if (t === DEFERRED) {
        if (!this.layout.overflowed) throw new Error('packed model: expand() missed on the thread that owns the model');
        this.widen();
        return false;
      }
      taken[i] = t;
      errors[i] = error[0]!;
    }
    return true;
  }

  private async insertAll(expanded: readonly { outboxes: readonly SharedRecords[] }[], main: readonly Records[]): Promise<{ winners: Int32Array[]; flagged: (readonly number[])[]; maxAction: number } | undefined> {
    const words = this.layout.words;
    const partitions: PartitionWork[] = [];
    /** Rough cost of each partition's work: its candidates, and the states it rehashes when it grows. */
    const cost: number[] = [];
    let growth = 0;
    for (let p = 0; p < this.tables.length; p++) {
      const sources = [...expanded.map((e) => e.outboxes[p]!), main[p]!.share()];
      const incoming = sources.reduce((a, s) => a + s.count, 0);
      PROFILE[7]! += incoming;
      const need = this.stored[p]! + incoming;
      const room = slotCount(this.tables[p]!) * MAX_LOAD;
      // Grow geometrically (by half at least), as the one-thread table does, so a partition regrows rarely.
      const growTo = need > room ? Math.max(need, room * 1.5) : 0;
      if (growTo > 0) {
        growth += (growTo * (this.keyWords + 1) * 4) / MAX_LOAD;
        this.dropped += this.tables[p]!.slots.byteLength; // once the worker has grown it
      }
      const ids = this.unwritten[p];
      cost.push(incoming + (growTo > 0 ? this.stored[p]! : 0));
      partitions.push({ table: { buffer: this.tables[p]!.slots.buffer as SharedArrayBuffer, n: this.tables[p]!.n }, growTo, sources, ...(ids !== undefined ? { ids } : {}) });
    }
    if (growth > 0 && !this.stops.allows(growth)) {
      this.stop('memory', this.batchFrom);
      return undefined;
    }
    const control = new Int32Array(new SharedArrayBuffer(4));
    const msg: InsertMessage = {
      type: 'insert',
      ...this.modelData(),
      layoutBits: Array.from(this.layout.bits),
      words,
      fingerprint: this.fingerprint,
      frontier: this.frontier.buffer as unknown as SharedArrayBuffer,
      base: this.base,
      pending: this.pending,
      partitions,
      // The biggest first: the partitions taken last, while the other workers may have run out, are the short ones.
      order: partitions.map((_, p) => p).sort((a, b) => cost[b]! - cost[a]! || a - b),
      control: control.buffer as SharedArrayBuffer,
      masks: this.masks.buffer as SharedArrayBuffer,
      maskWords: this.maskWords,
      maskStride: this.maskStride,
    };
    const replies = await Promise.all(this.helpers.map((h) => h.ask(msg)));
    this.unwritten = [];
    const winners: Int32Array[] = new Array<Int32Array>(this.tables.length);
    const flagged: (readonly number[])[] = new Array<readonly number[]>(this.tables.length);
    let maxAction = -1;
    for (const r of replies) {
      if (r.type !== 'inserted') throw new Error(`parallel search: unexpected reply '${r.type}'`);
      PROFILE[5]! += r.busyMs;
      for (const d of r.done) {
        this.tables[d.partition] = { slots: new Int32Array(d.table.buffer), n: d.table.n };
        winners[d.partition] = new Int32Array(d.winners.buffer).subarray(0, d.winners.count * d.winners.width);
        flagged[d.partition] = d.flagged;
        maxAction = Math.max(maxAction, d.maxAction);
      }
    }
    this.collectDropped();
    return { winners, flagged, maxAction };
  }

  /**
   * Phase 3 on the workers, for a batch that no bound, violation or error stops: each frontier state's first new id
   * from the action bits phase 2 set (a pass over the batch's frontier here), the winners' witness bits in id order
   * (here: few), then ids, table slots, the next level's keys and the parents on the workers. False, having changed
   * nothing, when the batch must be numbered by `number` instead.
   */
  private async numberInParallel(winners: readonly Int32Array[], flagged: readonly (readonly number[])[], from: number, to: number, taken: Int32Array): Promise<boolean> {
    const words = this.layout.words;
    const width = words + WINNER_HEAD;
    const W = this.maskWords;
    const { firsts, masks, base } = this;
    let total = 0;
    for (const w of winners) total += w.length / width;
    if (this.count + total > this.stops.maxStates) return false;
    let id = this.count;
    const stride = this.maskStride;
    const copies = this.workers * stride;
    for (let i = from; i < to; i++) {
      firsts[i] = id;
      for (let k = i * W; k < (i + 1) * W; k++) {
        let m = masks[k]!;
        for (let c = stride; c < copies; c += stride) m |= masks[c + k]!;
        masks[k] = m; // the workers' copies merged into the first, which idOf reads
        id += popcount(m);
      }
    }
    if (id - this.count !== total) throw new Error(`parallel search: ${id - this.count} new states marked, ${total} inserted`);
    // New states with a check or witness bit set, in id order; on a violation `number` stops the search where it must.
    const events: { id: number; witness: number }[] = [];
    for (let p = 0; p < winners.length; p++) {
      const w = winners[p]!;
      for (const k of flagged[p]!) {
        const r = k * width;
        const bp = w[r + 1]!;
        let check = w[r + 3]!;
        let witness = w[r + 4]!;
        if (check === MISS || witness === -1) ({ check, witness } = this.decide(w, r + WINNER_HEAD, bp));
        if (check !== -1) return false;
        if (witness !== 0) events.push({ id: idOf(firsts, masks, W, bp - base, w[r + 2]!), witness });
      }
    }
    events.sort((a, b) => a.id - b.id);
    for (const e of events) this.discovered(e.id, -1, e.witness);
    const next = this.next;
    const nextAt = next.count;
    next.reserve(nextAt + total);
    this.flushParents();
    if (this.newParents.length < 2 * total) this.newParents = new Int32Array(new SharedArrayBuffer(Math.ceil(total * 1.5) * 8));
    const msg: NumberMessage = {
      type: 'number',
      words,
      keyWords: this.keyWords,
      partitions: winners.map((w, p) => ({ table: { buffer: this.tables[p]!.slots.buffer as SharedArrayBuffer, n: this.tables[p]!.n }, winners: { buffer: w.buffer as SharedArrayBuffer, count: w.length / width, width } })),
      firsts: firsts.buffer as SharedArrayBuffer,
      masks: masks.buffer as SharedArrayBuffer,
      maskWords: W,
      base,
      next: next.data.buffer as SharedArrayBuffer,
      nextAt,
      firstId: this.count,
      parents: this.newParents.buffer as SharedArrayBuffer,
      control: new SharedArrayBuffer(4),
    };
    for (const r of await Promise.all(this.helpers.map((h) => h.ask(msg)))) {
      if (r.type !== 'numbered') throw new Error(`parallel search: unexpected reply '${r.type}'`);
      PROFILE[8]! += r.busyMs;
    }
    this.unflushed = { first: this.count, count: total };
    next.count += total;
    winners.forEach((w, p) => (this.stored[p]! += w.length / width));
    this.unwritten = [];
    this.count += total;
    if (total > 0) this.depth = this.level + 1;
    for (let i = from; i < to; i++) this.transitions += taken[i]!;
    return true;
  }

  /**
   * Once the tables partitions outgrew add up to half the live ones (COLLECT_AT at least): collect them, here and in
   * the workers, with the next expansion (collect.ts says why; here while the workers expand, not while they wait).
   */
  private collectDropped(): void {
    const live = this.tables.reduce((a, t) => a + t.slots.byteLength, 0);
    if (this.dropped < Math.max(COLLECT_AT, live / 2)) return;
    this.dropped = 0;
    this.collectHere = true;
    this.collectNext = true;
  }

  /**
   * Phase 3 for the batch of frontier states `from` … `to` − 1: merge the partitions' winners by (parent, action),
   * give ids in that order, append them to the next level, and stop where the one-thread search would stop (state
   * bound, violation, specification error). True when the search ended here.
   */
  private number(winners: readonly Int32Array[], from: number, to: number, taken: Int32Array, errorAt: number, errorAction: number): boolean {
    const words = this.layout.words;
    const width = words + WINNER_HEAD;
    const heads = winners.map(() => 0);
    this.unwritten = winners.map((w) => ({ buffer: w.buffer as SharedArrayBuffer, count: 0, width }));
    const errorParent = errorAt >= 0 ? this.base + errorAt : Infinity;
    const next = this.next;
    // Transitions of the batch's states before frontier index `upTo`, as the one-thread search counts them.
    const takenBefore = (upTo: number): number => {
      let t = 0;
      for (let i = from; i < upTo; i++) t += taken[i]!;
      return t;
    };
    for (;;) {
      let best = -1;
      let bp = 0;
      let ba = 0;
      for (let s = 0; s < winners.length; s++) {
        const r = heads[s]! * width;
        if (r >= winners[s]!.length) continue;
        const p = winners[s]![r + 1]!;
        const a = winners[s]![r + 2]!;
        if (best < 0 || p < bp || (p === bp && a < ba)) {
          best = s;
          bp = p;
          ba = a;
        }
      }
      if (best < 0 || bp > errorParent) break;
      const w = winners[best]!;
      const r = heads[best]! * width;
      heads[best]!++;
      if (this.count >= this.stops.maxStates) {
        this.cut = 'max-states';
        this.transitions += takenBefore(bp - this.base) + ba + 1;
        this.queue = this.count - (bp + 1);
        return true;
      }
      const id = this.count++;
      // The id goes into the table later, in parallel (phase 2 of the next batch): here only into the record.
      w[r + 1] = id;
      this.unwritten[best]!.count++;
      this.stored[best]!++;
      this.parents.set(id, bp, ba);
      this.depth = this.level + 1;
      let check = w[r + 3]!;
      let witness = w[r + 4]!;
      if (check === MISS || witness === -1) ({ check, witness } = this.decide(w, r + WINNER_HEAD, bp));
      if ((check !== -1 || witness !== 0) && !this.discovered(id, check, witness)) {
        this.transitions += takenBefore(bp - this.base) + ba + 1;
        this.queue = this.count - (bp + 1) - 1;
        return true;
      }
      const o = next.push();
      for (let k = 0; k < words; k++) next.data[o + k] = w[r + WINNER_HEAD + k]!;
    }
    if (errorAt >= 0) {
      this.error = { id: errorParent, actionIndex: errorAction };
      this.transitions += takenBefore(errorAt + 1);
      this.queue = this.count - (errorParent + 1);
      return true;
    }
    this.transitions += takenBefore(to);
    return false;
  }

  /** Check and witness bits of a new state that a worker's model could not decide (it missed): the owner's model. */
  private decide(keys: Int32Array, at: number, parent: number): { check: number; witness: number } {
    const m = this.binding.model;
    const check = m.check(keys, at, this.layout, this.frontier, (parent - this.base) * this.layout.words);
    let witness = 0;
    for (let i = 0; i < this.pending.length; i++) if (m.witness(keys, at, this.layout, this.pending[i]!) === 1) witness |= 1 << i;
    return { check, witness };
  }

  /** Widen the layout for the overflow the owner's model recorded: every stored key and the frontier re-encoded. */
  private widen(): void {
    this.writeIds(); // under the old layout, before the slots move
    const old = this.layout;
    const next = old.widened(old.overflowField, old.overflowValue);
    const oldKw = this.keyWords;
    this.layout = next;
    const kw = this.keyWords;
    const values = new Int32Array(old.fields);
    const key = new Int32Array(next.words);
    this.relayFrontier(old, next, values);
    this.next = this.relaid(this.next, old, next, values);
    // Fingerprints hash field values: the visited set stays as it is.
    if (this.fingerprint) return;
    const tables = this.tables.map((_, p) => sharedTable(kw, Math.max(1024, this.stored[p]! * 2)));
    const stored = this.stored.map(() => 0);
    for (const t of this.tables) {
      for (let q = 0; q < t.slots.length; q += oldKw + 1) {
        const idWord = t.slots[q + oldKw]!;
        if (idWord === 0) continue;
        old.decode(t.slots, q, values);
        next.encode(values, key, 0);
        hashKey(key, 0, next.words, false, this.hashes);
        const p = partitionOf(this.hashes[0]!, tables.length);
        const slot = probe(tables[p]!, kw, false, key, 0, this.hashes[0]!, 0);
        store_(tables[p]!, kw, false, -slot - 1, key, 0, this.hashes[0]!, 0, idWord);
        stored[p]!++;
      }
    }
    this.tables = tables;
    stored.forEach((s, p) => (this.stored[p] = s));
  }

  /** Keys (records of `old.words` words) re-encoded from `old` to `next`. */
  private relaid(keys: Records, old: Layout, next: Layout, values: Int32Array): Records {
    const out = new Records(next.words, Math.max(1, keys.count));
    for (let i = 0; i < keys.count; i++) {
      old.decode(keys.data, i * old.words, values);
      const at = out.push(); // before reading out.data: a push may replace it
      next.encode(values, out.data, at);
    }
    return out;
  }

  /** The frontier's keys re-encoded from `old` to `next`. */
  private relayFrontier(old: Layout, next: Layout, values: Int32Array): void {
    const frontier = new Int32Array(new SharedArrayBuffer(Math.max(1, this.frontierCount) * next.words * 4));
    for (let i = 0; i < this.frontierCount; i++) {
      old.decode(this.frontier, i * old.words, values);
      next.encode(values, frontier, i * next.words);
    }
    this.frontier = frontier;
  }

  /** The id of object state `s`, or −1. */
  private idOf(s: S): number {
    const fields = new Int32Array(this.binding.model.fields);
    this.binding.fieldsOf(s, fields);
    const key = new Int32Array(this.layout.words);
    this.layout.clearOverflow();
    if (!this.layout.encode(fields, key, 0)) return -1;
    hashKey(key, 0, this.layout.words, this.fingerprint, this.hashes, this.layout);
    const p = partitionOf(this.hashes[0]!, this.tables.length);
    const slot = probe(this.tables[p]!, this.keyWords, this.fingerprint, key, 0, this.hashes[0]!, this.hashes[1]!);
    if (slot < 0) return -1;
    return this.tables[p]!.slots[slot * (this.keyWords + 1) + this.keyWords]! - 1;
  }

  outcome(): Outcome<S, A> {
    return {
      states: this.count,
      transitions: this.transitions,
      depth: this.depth,
      queue: this.queue,
      workers: this.workers,
      cut: this.cut,
      failed: this.failed,
      error: this.error,
      witnessIds: this.witnessIds,
      parents: this.parents,
      idOf: (s) => this.idOf(s),
      symmetric: false,
      ...fingerprintEstimate(this.fingerprint, this.count, this.transitions + this.initialStates),
    };
  }
}
