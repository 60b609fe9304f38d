/**
 * The two phases of a level that run in parallel, as plain functions over shared arrays, so that a worker and the
 * coordinator (for the states workers deferred to it) run exactly the same code.
 *
 * Phase 1, `expandState`: a frontier state's successors; those absent from the visited set (read-only in this
 * phase) are written as candidates to their partition's outbox. If the model misses (a table cell only the owner
 * thread can fill) or the layout overflows, the state's candidates are taken back and it is deferred.
 *
 * Phase 2, `insertPartition`: one partition's candidates from every source, merged in (parent, action) order — the
 * order a one-thread breadth-first search discovers them in — are inserted; the first of equal keys wins and is
 * checked there (a state reached from several parents of a level is a candidate several times, so checking in
 * phase 2 checks each new state once). Winners keep that order, so the coordinator can give out ids exactly as the
 * one-thread search does.
 */
import type { Layout } from '../packed/layout.js';
import { MISS, type PackedModel, type Successors } from '../packed/model.js';
import { CANDIDATE_HEAD, WINNER_HEAD } from './protocol.js';
import type { Records } from './records.js';
import { PROVISIONAL, hashKeys, homeOf, keyWordsOf, partitionOf, probe, store, type TableView } from './table.js';

export interface ExpandContext {
  readonly model: PackedModel;
  readonly layout: Layout;
  readonly fingerprint: boolean;
  readonly tables: readonly TableView[];
  readonly outboxes: readonly Records[];
  readonly out: Successors;
  readonly countOnly: boolean;
  /** Scratch: the successors' hashes; and where the slot touches go (so that they are not optimized away). */
  successorHashes: Int32Array;
  sink: number;
  /**
   * The candidates this thread wrote lately in this batch: a direct-mapped cache of RECENT keys, each slot the key's
   * words and the batch number (`epoch`) it was written in. A state reached from several parents of a batch (a
   * diamond of interleavings: usually siblings, in one chunk) is written once instead of once per parent.
   */
  recent: Int32Array;
  epoch: number;
}

/**
 * Slots of the recent-candidates cache (a power of two). Small enough to stay in the core's cache: at 2^15 slots
 * (~0.8 MB at 3 × 3) its lookup was a cache miss per new-looking successor, ~8% of phase 1 in the workers' profile;
 * at 2^12 (~100 kB) it catches most repeats (3 × 3: 4.0 M candidates instead of 3.75 M) and the search took less
 * CPU (medians of 5 alternated runs, load 4–6: 14.2 s against 15.2 s).
 */
export const RECENT = 1 << 12;

/** What became of a state: expanded (its enabled-action count, and the failing action or −1), or deferred. */
export const DEFERRED = -1;

/**
 * Phase 1 for the frontier state `keys[at..]` with id `parent`: returns the number of actions taken, or DEFERRED.
 * `error[0]` receives the index of the action that raised a specification error, or −1. (Workers expand GROUP states
 * before looking their successors up: `expandGroup`.)
 */
export function expandState(c: ExpandContext, keys: Int32Array, at: number, parent: number, error: Int32Array): number {
  const taken = successorsOf(c, c.out, keys, at, error);
  if (taken === DEFERRED || c.countOnly) return taken;
  c.successorHashes = hashAll(c, c.out, c.successorHashes);
  touch(c, c.successorHashes, c.out.count);
  offer(c, c.out, c.successorHashes, parent);
  return taken;
}

/**
 * States a worker expands before their successors are looked up, so that more of the lookups' cache misses overlap
 * (the visited set is far larger than the caches), as the one-thread search does (packed/bfs.ts).
 */
export const GROUP = 8;

/** One of a group's expansions: its successors and their hashes. */
export interface Expansion {
  readonly out: Successors;
  hashes: Int32Array;
}

/**
 * Phase 1 for frontier states `from` … `to` − 1 (at most GROUP; ids `base + i`), expanded into `group`, then their
 * successors looked up: `taken[i]` and `errors[i]` as `expandState` returns them; the deferred ones pushed on
 * `deferred` (taken −1).
 */
export function expandGroup(c: ExpandContext, group: readonly Expansion[], keys: Int32Array, from: number, to: number, base: number, taken: Int32Array, errors: Int32Array, deferred: number[], error: Int32Array): void {
  const words = c.layout.words;
  for (let i = from; i < to; i++) {
    const e = group[i - from]!;
    const t = successorsOf(c, e.out, keys, i * words, error);
    taken[i] = t;
    if (t === DEFERRED) {
      deferred.push(i);
      e.out.reset(words); // nothing to look up
      continue;
    }
    errors[i] = error[0]!;
  }
  if (c.countOnly) return;
  for (let i = from; i < to; i++) group[i - from]!.hashes = hashAll(c, group[i - from]!.out, group[i - from]!.hashes);
  for (let i = from; i < to; i++) touch(c, group[i - from]!.hashes, group[i - from]!.out.count);
  for (let i = from; i < to; i++) offer(c, group[i - from]!.out, group[i - from]!.hashes, base + i);
}

/** The successors of `keys[at..]` into `out`: the actions taken, or DEFERRED (the model missed or the layout overflowed). */
function successorsOf(c: ExpandContext, out: Successors, keys: Int32Array, at: number, error: Int32Array): number {
  const { model, layout } = c;
  out.reset(layout.words);
  layout.clearOverflow();
  const taken = model.expand(keys, at, layout, out);
  if (taken === MISS || layout.overflowed) return DEFERRED;
  error[0] = out.error;
  return taken;
}

/** Hash `out`'s successors into `hs` (grown if need be: returned; table.ts `hashKeys`). */
function hashAll(c: ExpandContext, out: Successors, hs: Int32Array): Int32Array {
  if (hs.length < out.count * 2) hs = new Int32Array(out.count * 4);
  hashKeys(out.keys, out.count, c.layout.words, c.fingerprint, hs, c.layout);
  return hs;
}

/**
 * Touch the home slots of `count` successors (hashes `hs`), so that their cache misses overlap: a loop that does
 * nothing else, as packed/visited.ts `prefetch` (hashing between the loads fills the processor's reorder window).
 */
function touch(c: ExpandContext, hs: Int32Array, count: number): void {
  const tables = c.tables;
  const n = tables.length;
  const sw = keyWordsOf(c.layout.words, c.fingerprint) + 1;
  let touched = 0;
  for (let j = 0; j < count; j++) {
    const h = hs[2 * j]!;
    const t = tables[partitionOf(h, n)]!;
    touched |= t.slots[homeOf(h, t.n) * sw]!;
  }
  c.sink ^= touched;
}

/** Look `out`'s successors (hashes `hs`, parent id `parent`) up; write the new-looking ones to their outboxes. */
function offer(c: ExpandContext, out: Successors, hs: Int32Array, parent: number): void {
  const words = c.layout.words;
  const n = c.tables.length;
  const kw = keyWordsOf(words, c.fingerprint);
  for (let j = 0; j < out.count; j++) {
    const o = j * words;
    const h = hs[2 * j]!;
    const h2 = hs[2 * j + 1]!;
    const p = partitionOf(h, n);
    if (probe(c.tables[p]!, kw, c.fingerprint, out.keys, o, h, h2) >= 0) continue;
    // Written already in this batch by this thread (from an earlier parent, which wins anyway)?
    const rw = words + 1;
    const ro = (((h >>> 7) ^ h2) & (RECENT - 1)) * rw;
    const recent = c.recent;
    if (recent[ro + words] === c.epoch) {
      let k = 0;
      while (k < words && recent[ro + k] === out.keys[o + k]) k++;
      if (k === words) continue;
    }
    for (let k = 0; k < words; k++) recent[ro + k] = out.keys[o + k]!;
    recent[ro + words] = c.epoch;
    const box = c.outboxes[p]!;
    const r = box.push();
    const d = box.data;
    d[r] = h;
    d[r + 1] = h2;
    for (let k = 0; k < words; k++) d[r + CANDIDATE_HEAD + k] = out.keys[o + k]!;
    d[r + CANDIDATE_HEAD + words] = parent;
    d[r + CANDIDATE_HEAD + words + 1] = out.actions[j]!;
  }
}

/** A source of candidates for phase 2: its records (sorted by parent, then action). */
export interface Source {
  readonly data: Int32Array;
  readonly count: number;
}

/** What phase 2 checks new states with: the model, the frontier (their parents' keys) and the open 'sometimes'. */
export interface CheckContext {
  readonly model: PackedModel;
  readonly layout: Layout;
  readonly frontier: Int32Array;
  /** Id of the frontier's first state. */
  readonly base: number;
  readonly pending: readonly number[];
}

/**
 * What phase 2 records for numbering in parallel (see `numberPartition`): per frontier state, `maskWords` words of
 * bits, bit `a` set when its action `a` gave a new state (in this worker's copy of the bits, which the coordinator
 * merges); the indices of the partition's winners whose check or witness bits need the coordinator; the largest
 * action of a winner.
 */
export interface NumberingMarks {
  readonly masks: Int32Array;
  readonly maskWords: number;
  readonly flagged: number[];
  maxAction: number;
}

/** Bits set in the 32-bit integer `x`. */
export function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/**
 * The id of the new state reached from frontier index `i` by action `a`: the first id of that parent's new states
 * (`firsts[i]`) plus the number of its actions below `a` that gave new states. Ids so given follow (parent, action)
 * order, the order in which the one-thread search meets the new states.
 */
export function idOf(firsts: Int32Array, masks: Int32Array, maskWords: number, i: number, a: number): number {
  const at = i * maskWords;
  const word = a >>> 5;
  let rank = popcount(masks[at + word]! & ((1 << (a & 31)) - 1));
  for (let k = 0; k < word; k++) rank += popcount(masks[at + k]!);
  return firsts[i]! + rank;
}

/**
 * Phase 3 for one partition, when no bound or violation stops the batch: each winner's id (`idOf`) goes into its
 * table slot, its key to its place in the next level (`next`, record `nextAt + id − firstId`), and its parent and
 * action to `parents` (at 2 · (id − firstId)).
 */
export function numberPartition(winners: Int32Array, count: number, words: number, keyWords: number, table: TableView, firsts: Int32Array, masks: Int32Array, maskWords: number, base: number, next: Int32Array, nextAt: number, firstId: number, parents: Int32Array): void {
  const width = words + WINNER_HEAD;
  const sw = keyWords + 1;
  const slots = table.slots;
  for (let w = 0; w < count; w++) {
    const r = w * width;
    const parent = winners[r + 1]!;
    const action = winners[r + 2]!;
    const id = idOf(firsts, masks, maskWords, parent - base, action);
    slots[winners[r]! * sw + keyWords] = id + 1;
    parents[2 * (id - firstId)] = parent;
    parents[2 * (id - firstId) + 1] = action;
    const o = (nextAt + id - firstId) * words;
    for (let k = 0; k < words; k++) next[o + k] = winners[r + WINNER_HEAD + k]!;
  }
}

/**
 * Phase 2 for one partition: insert the candidates of `sources`, merged by (parent, action), into `table`; check
 * each new state and write it to `winners` in that order (check MISS, or witness −1, when the model missed: the
 * coordinator decides those).
 */
export function insertPartition(sources: readonly Source[], words: number, fingerprint: boolean, table: TableView, winners: Records, cc: CheckContext, marks?: NumberingMarks): void {
  const heads = sources.map(() => 0);
  const picks = new Int32Array(2 * BLOCK);
  for (;;) {
    const m = mergeBlock(sources, words, heads, picks);
    if (m === 0) return;
    touchBlock(sources, words, fingerprint, table, cc, picks, m, marks);
    for (let j = 0; j < m; j++) insertCandidate(sources[picks[2 * j]!]!.data, picks[2 * j + 1]!, words, fingerprint, table, winners, cc, marks);
  }
}

/** Candidates phase 2 takes at a time: merged, then their cache lines touched, then inserted. */
const BLOCK = 32;

/**
 * The next (at most) BLOCK candidates of `sources` in (parent, action) order, as (source, record offset) pairs in
 * `picks`; returns how many. The sources' heads (a handful) are scanned linearly.
 */
function mergeBlock(sources: readonly Source[], words: number, heads: number[], picks: Int32Array): number {
  const width = words + CANDIDATE_HEAD + 2;
  const parentAt = CANDIDATE_HEAD + words;
  let m = 0;
  while (m < BLOCK) {
    let best = -1;
    let bp = 0;
    let ba = 0;
    for (let s = 0; s < sources.length; s++) {
      if (heads[s]! >= sources[s]!.count) continue;
      const r = heads[s]! * width;
      const d = sources[s]!.data;
      const p = d[r + parentAt]!;
      const a = d[r + parentAt + 1]!;
      if (best < 0 || p < bp || (p === bp && a < ba)) {
        best = s;
        bp = p;
        ba = a;
      }
    }
    if (best < 0) break;
    picks[2 * m] = best;
    picks[2 * m + 1] = heads[best]! * width;
    heads[best]!++;
    m++;
  }
  return m;
}

/**
 * Touch what inserting the `m` picked candidates reads at random — each one's home slot, its parent's key (for the
 * check) and its parent's action bits — in a loop that does nothing else, so that the cache misses overlap. Inserting
 * them one by one, each waited for its own: in perf, the table probe and the mask update were ~85% of phase 2
 * without its checks.
 */
function touchBlock(sources: readonly Source[], words: number, fingerprint: boolean, table: TableView, cc: CheckContext, picks: Int32Array, m: number, marks?: NumberingMarks): void {
  const sw = keyWordsOf(words, fingerprint) + 1;
  const parentAt = CANDIDATE_HEAD + words;
  const { frontier, base } = cc;
  const slots = table.slots;
  const n = table.n;
  let touched = 0;
  for (let j = 0; j < m; j++) {
    const d = sources[picks[2 * j]!]!.data;
    const r = picks[2 * j + 1]!;
    const parent = d[r + parentAt]! - base;
    touched ^= slots[homeOf(d[r]!, n) * sw]! ^ frontier[parent * words]!;
    if (marks !== undefined) touched ^= marks.masks[parent * marks.maskWords]!;
  }
  sinkTouch ^= touched;
}

/** Where `touchBlock`'s reads go (so that they are not optimized away). */
let sinkTouch = 0;

/** Insert the candidate at `d[r..]` if its key is new: checked, and written to `winners` (see `insertPartition`). */
function insertCandidate(d: Int32Array, r: number, words: number, fingerprint: boolean, table: TableView, winners: Records, cc: CheckContext, marks?: NumberingMarks): void {
  const kw = keyWordsOf(words, fingerprint);
  const parentAt = CANDIDATE_HEAD + words;
  const bp = d[r + parentAt]!;
  const ba = d[r + parentAt + 1]!;
  const h = d[r]!;
  const h2 = d[r + 1]!;
  const slot = probe(table, kw, fingerprint, d, r + CANDIDATE_HEAD, h, h2);
  if (slot >= 0) return; // an earlier candidate of this level had the same key
  const { model, layout, frontier, base, pending } = cc;
  const free = -slot - 1;
  store(table, kw, fingerprint, free, d, r + CANDIDATE_HEAD, h, h2, PROVISIONAL);
  const check = model.check(d, r + CANDIDATE_HEAD, layout, frontier, (bp - base) * words);
  let witness = 0;
  for (let i = 0; i < pending.length && check !== MISS; i++) {
    const x = model.witness(d, r + CANDIDATE_HEAD, layout, pending[i]!);
    if (x === MISS) {
      witness = -1;
      break;
    }
    if (x === 1) witness |= 1 << i;
  }
  if (marks !== undefined) {
    if (ba < marks.maskWords * 32) marks.masks[(bp - base) * marks.maskWords + (ba >>> 5)]! |= 1 << (ba & 31);
    if (ba > marks.maxAction) marks.maxAction = ba;
    if (check !== -1 || witness !== 0) marks.flagged.push(winners.count);
  }
  const w = winners.push();
  const o = winners.data;
  o[w] = free;
  o[w + 1] = bp;
  o[w + 2] = ba;
  o[w + 3] = check;
  o[w + 4] = witness;
  for (let k = 0; k < words; k++) o[w + WINNER_HEAD + k] = d[r + CANDIDATE_HEAD + k]!;
}
