/**
 * Messages between the coordinator (parallel/coordinator.ts) and its workers (parallel/worker.ts). Data lives in
 * SharedArrayBuffers; messages only say which buffers and what to do in the next phase.
 *
 * A candidate record (phase 1 → phase 2): h, h2, key (words), parent id, action index. A winner record (phase 2 →
 * phase 3): slot, parent id, action index, property check, witness bits, key.
 */
import type { SharedRecords } from './records.js';

export const CANDIDATE_HEAD = 2;
export const WINNER_HEAD = 5;
export const candidateWidth = (words: number): number => words + CANDIDATE_HEAD + 2;
export const winnerWidth = (words: number): number => words + WINNER_HEAD;

export interface WorkerInit {
  readonly index: number;
  /** Module URL and export of the packed model's worker form. */
  readonly module: string;
  readonly export: string;
}

export interface SharedTableRef {
  readonly buffer: SharedArrayBuffer;
  /** Slots in the table. */
  readonly n: number;
}

/** Phase 1: expand the frontier's states, chunk by chunk, and write candidates by partition. */
export interface ExpandMessage {
  readonly type: 'expand';
  /** The packed model's data, when it changed since the last message. */
  readonly data?: unknown;
  readonly layoutBits: readonly number[];
  readonly fingerprint: boolean;
  readonly tables: readonly SharedTableRef[];
  /** Collect garbage first: tables the visited set outgrew are freed only when every thread has collected them. */
  readonly collect: boolean;
  readonly frontier: SharedArrayBuffer;
  /** The frontier states to expand in this batch: indices `from` … `to` − 1. */
  readonly from: number;
  readonly to: number;
  /** Id of the frontier's first state. */
  readonly base: number;
  /** Per frontier state: transitions taken (written by the worker that expands it). */
  readonly taken: SharedArrayBuffer;
  /** Per frontier state: index of the action that raised a specification error, or −1. */
  readonly errors: SharedArrayBuffer;
  /** [0] the next chunk to take (atomic); [1] non-zero: stop. */
  readonly control: SharedArrayBuffer;
  readonly chunk: number;
  /** At the depth bound: only count enabled actions, write no candidates. */
  readonly countOnly: boolean;
}

export interface ExpandedMessage {
  readonly type: 'expanded';
  /** Candidates per partition. */
  readonly outboxes: readonly SharedRecords[];
  /** Frontier indices of the states the worker could not expand (its model missed, or its layout overflowed). */
  readonly deferred: readonly number[];
  /** Milliseconds the worker spent in this phase. */
  readonly busyMs: number;
}

/** One partition's work in phase 2. */
export interface PartitionWork {
  readonly table: SharedTableRef;
  /**
   * The ids of the partition's states of the previous level, to write into its table first: winner records (slot,
   * then id at index 1), `count` of them.
   */
  readonly ids?: SharedRecords;
  /** Grow the table to room for this many states first (0: no). */
  readonly growTo: number;
  /** Candidates from every source (each sorted by parent, then action). */
  readonly sources: readonly SharedRecords[];
}

/**
 * Phase 2: insert each partition's candidates from every source, in (parent, action) order. Workers take partitions
 * one at a time from a shared counter (there are several per worker, so that a partition that must grow its table
 * does not hold the others up).
 */
export interface InsertMessage {
  readonly type: 'insert';
  /** The packed model's data, when it changed since the last message (the owner filled tables meanwhile). */
  readonly data?: unknown;
  readonly layoutBits: readonly number[];
  readonly words: number;
  readonly fingerprint: boolean;
  /** The frontier (the new states' parents, for incremental checks) and its first id. */
  readonly frontier: SharedArrayBuffer;
  readonly base: number;
  /** 'sometimes' properties still without a witness (indices in the binding's list). */
  readonly pending: readonly number[];
  readonly partitions: readonly PartitionWork[];
  /** The order in which workers take the partitions (the biggest first, so that the last ones taken are short). */
  readonly order: readonly number[];
  /** [0] the next partition to take (atomic). */
  readonly control: SharedArrayBuffer;
  /**
   * Per frontier state, `maskWords` words: the bits of the actions that gave new states (phases.ts NumberingMarks);
   * one copy per worker, `maskStride` words apart (worker i writes copy i, so that no bit needs an atomic write).
   */
  readonly masks: SharedArrayBuffer;
  readonly maskWords: number;
  readonly maskStride: number;
}

export interface InsertedMessage {
  readonly type: 'inserted';
  /**
   * The partitions this worker did, with their (possibly regrown) tables and winners, the indices of the winners
   * the coordinator must look at (a check or witness bit), and the largest action of a winner (−1: none).
   */
  readonly done: readonly { readonly partition: number; readonly table: SharedTableRef; readonly winners: SharedRecords; readonly flagged: readonly number[]; readonly maxAction: number }[];
  readonly busyMs: number;
}

/**
 * Phase 3, when no bound, violation or error stops the batch: each partition's winners get their ids (from `firsts`
 * and `masks`: phases.ts `idOf`), written into its table, and their keys go to their places in the next level.
 */
export interface NumberMessage {
  readonly type: 'number';
  readonly words: number;
  readonly keyWords: number;
  readonly partitions: readonly { readonly table: SharedTableRef; readonly winners: SharedRecords }[];
  /** Per frontier state: the id of its first new state. */
  readonly firsts: SharedArrayBuffer;
  readonly masks: SharedArrayBuffer;
  readonly maskWords: number;
  /** Id of the frontier's first state. */
  readonly base: number;
  /** The next level's keys: the state with id `firstId` goes to record `nextAt`. */
  readonly next: SharedArrayBuffer;
  readonly nextAt: number;
  readonly firstId: number;
  /** Per new state, at 2 · (id − firstId): its parent's id and its action. */
  readonly parents: SharedArrayBuffer;
  /** [0] the next partition to take (atomic). */
  readonly control: SharedArrayBuffer;
}

export interface NumberedMessage {
  readonly type: 'numbered';
  readonly busyMs: number;
}

export type ToWorker = ExpandMessage | InsertMessage | NumberMessage | { readonly type: 'exit' };
export type FromWorker = ExpandedMessage | InsertedMessage | NumberedMessage | { readonly type: 'failed'; readonly message: string };
