/**
 * A worker thread of the parallel breadth-first search: it builds the packed model from the module the coordinator
 * names, then runs phase 1 (expand) and phase 2 (insert) of each level on shared memory when told to
 * (parallel/phases.ts), replying when done.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Layout } from '../packed/layout.js';
import { Successors, type PackedModel } from '../packed/model.js';
import { GROUP, RECENT, expandGroup, insertPartition, numberPartition, type ExpandContext, type NumberingMarks } from './phases.js';
import { candidateWidth, winnerWidth, type ExpandMessage, type FromWorker, type InsertMessage, type InsertedMessage, type NumberMessage, type ToWorker, type WorkerInit } from './protocol.js';
import { collect } from './collect.js';
import { Records } from './records.js';
import { regrown, writeIds, type TableView } from './table.js';

const init = workerData as WorkerInit;
const port = parentPort!;
let build: ((data: unknown) => PackedModel) | undefined;
let model: PackedModel | undefined;
let layout: Layout | undefined;
let layoutKey = '';
const out = new Successors();
/** The states of a group (phases.ts `expandGroup`). */
const group = Array.from({ length: GROUP }, () => ({ out: new Successors(), hashes: new Int32Array(64) }));
const error = new Int32Array(1);
let outboxes: Records[] = [];
/** Per partition, the winners of the last batch this worker inserted there. */
const winnersOf: Records[] = [];
/** The recent-candidates cache (phases.ts), kept across batches: a new epoch per batch empties it. */
let recent = new Int32Array(0);
let epoch = 0;
function recentFor(words: number): Int32Array {
  if (recent.length !== RECENT * (words + 1)) recent = new Int32Array(RECENT * (words + 1));
  return recent;
}

function send(m: FromWorker): void {
  port.postMessage(m);
}

/** Take the model data and layout of a message (when they changed). */
function refresh(data: unknown, layoutBits: readonly number[]): void {
  if (data !== undefined || model === undefined) model = build!(data);
  const key = layoutBits.join(',');
  if (layout === undefined || key !== layoutKey) {
    layout = new Layout(layoutBits);
    layoutKey = key;
  }
}

function expand(m: ExpandMessage): void {
  const started = performance.now();
  if (m.collect) collect();
  refresh(m.data, m.layoutBits);
  if (model === undefined || layout === undefined) throw new Error('no model');
  const words = layout.words;
  const tables: TableView[] = m.tables.map((t) => ({ slots: new Int32Array(t.buffer), n: t.n }));
  if (outboxes.length !== tables.length || outboxes[0]!.width !== candidateWidth(words)) {
    outboxes = tables.map(() => new Records(candidateWidth(words), 1024));
  }
  for (const o of outboxes) o.clear();
  const c: ExpandContext = { model, layout, fingerprint: m.fingerprint, tables, outboxes, out, countOnly: m.countOnly, successorHashes: new Int32Array(64), sink: 0, recent: recentFor(words), epoch: ++epoch };
  const frontier = new Int32Array(m.frontier);
  const taken = new Int32Array(m.taken);
  const errors = new Int32Array(m.errors);
  const control = new Int32Array(m.control);
  const deferred: number[] = [];
  const chunks = Math.ceil((m.to - m.from) / m.chunk);
  for (;;) {
    if (Atomics.load(control, 1) !== 0) break;
    const chunk = Atomics.add(control, 0, 1);
    if (chunk >= chunks) break;
    const end = Math.min(m.to, m.from + (chunk + 1) * m.chunk);
    for (let i = m.from + chunk * m.chunk; i < end; i += GROUP) expandGroup(c, group, frontier, i, Math.min(end, i + GROUP), m.base, taken, errors, deferred, error);
  }
  send({ type: 'expanded', outboxes: outboxes.map((o) => o.share()), deferred, busyMs: performance.now() - started });
}

function insert(m: InsertMessage): void {
  const started = performance.now();
  refresh(m.data, m.layoutBits);
  if (model === undefined || layout === undefined) throw new Error('no model');
  const cc = { model, layout, frontier: new Int32Array(m.frontier), base: m.base, pending: m.pending };
  const kw = m.fingerprint ? 2 : m.words;
  const control = new Int32Array(m.control);
  const done: InsertedMessage['done'][number][] = [];
  const masks = new Int32Array(m.masks, init.index * m.maskStride * 4, m.maskStride);
  for (;;) {
    const next = Atomics.add(control, 0, 1);
    if (next >= m.order.length) break;
    const p = m.order[next]!;
    const work = m.partitions[p]!;
    let table: TableView = { slots: new Int32Array(work.table.buffer), n: work.table.n };
    // The previous level's ids first: its winners' slots are slots of this table before it grows.
    if (work.ids !== undefined) writeIds(table, kw, new Int32Array(work.ids.buffer), work.ids.count, work.ids.width);
    if (work.growTo > 0) table = regrown(table, kw, m.fingerprint, work.growTo);
    // Reused from batch to batch (its ids were written above): shared buffers are freed only when every thread has
    // collected them, and a worker allocates too little to collect often.
    let winners = winnersOf[p];
    if (winners === undefined || winners.width !== winnerWidth(m.words)) winners = winnersOf[p] = new Records(winnerWidth(m.words), 1024);
    winners.clear();
    const sources = work.sources.map((s) => ({ data: new Int32Array(s.buffer), count: s.count }));
    const marks: NumberingMarks = { masks, maskWords: m.maskWords, flagged: [], maxAction: -1 };
    insertPartition(sources, m.words, m.fingerprint, table, winners, cc, marks);
    done.push({ partition: p, table: { buffer: table.slots.buffer as SharedArrayBuffer, n: table.n }, winners: winners.share(), flagged: marks.flagged, maxAction: marks.maxAction });
  }
  send({ type: 'inserted', done, busyMs: performance.now() - started });
}

function number(m: NumberMessage): void {
  const started = performance.now();
  const control = new Int32Array(m.control);
  const firsts = new Int32Array(m.firsts);
  const masks = new Int32Array(m.masks);
  const next = new Int32Array(m.next);
  const parents = new Int32Array(m.parents);
  for (;;) {
    const p = Atomics.add(control, 0, 1);
    if (p >= m.partitions.length) break;
    const { table, winners } = m.partitions[p]!;
    const view: TableView = { slots: new Int32Array(table.buffer), n: table.n };
    numberPartition(new Int32Array(winners.buffer), winners.count, m.words, m.keyWords, view, firsts, masks, m.maskWords, m.base, next, m.nextAt, m.firstId, parents);
  }
  send({ type: 'numbered', busyMs: performance.now() - started });
}

const mod = (await import(init.module)) as Record<string, unknown>;
const factory = mod[init.export];
if (typeof factory !== 'function') throw new Error(`parallel search: ${init.module} has no function '${init.export}'`);
build = factory as (data: unknown) => PackedModel;

// Messages wait in the port's queue until this listener is attached, after the model's module has loaded.
port.on('message', (m: ToWorker) => {
  try {
    if (m.type === 'exit') {
      port.close();
      return;
    }
    if (m.type === 'expand') expand(m);
    else if (m.type === 'insert') insert(m);
    else number(m);
  } catch (e) {
    send({ type: 'failed', message: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) });
  }
});

