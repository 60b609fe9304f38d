/**
 * The liveness graph (liveness-graph.ts) built on packed states: the same breadth-first exploration, the same ids,
 * edges, fair tasks, levels and discovering edges — so the same cycle search, verdicts and lassos — but every state
 * a key of a few 32-bit words in typed arrays, successors computed from the parent's words (`PackedModel.expand`),
 * and each state's fair tasks and obligation levels read from its words through the model's tables
 * (`PackedLiveness`). No object is built per state or edge; traces are rebuilt through the object-level model.
 *
 * `expand` may leave self-loops out (it counts them): an action index it does not write is a self-loop, stored as an
 * edge to the state itself, as the object-level graph stores it — a fair cycle can be a single state's self-loop.
 */
import type { GraphOptions, GraphProgress, GraphStop, LivenessGraph } from '../liveness-graph.js';
import { SmallColumn, closeGraph, grow } from '../liveness-graph.js';
import { Layout } from './layout.js';
import { MISS, Successors, type PackedBinding } from './model.js';
import { VisitedTable } from './visited.js';
import { doubledRing } from './ring.js';

/**
 * A model's packed form for liveness (`Model.packedLiveness`): its packed binding (deciding no safety property) and,
 * from a state's words, the fair task of each of its actions and the levels of the obligations. Duties: exactly
 * what the object-level `fairTask` and `LivenessProperty.levels` give on the same state.
 */
export interface PackedLiveness<S> {
  readonly binding: PackedBinding<S>;
  /**
   * The fair task (or -1) of each action of the state `keys[at..]`, in action order, into `out` (which has room for
   * every action `expand` just counted); returns the number of actions. Called right after `expand` of the state.
   */
  tasks(keys: Int32Array, at: number, layout: Layout, out: Int32Array): number;
  /** Each obligation's level in the state `keys[at..]` (all properties' obligations, in order) into `out`. */
  levels(keys: Int32Array, at: number, layout: Layout, out: Int32Array): void;
}

export interface PackedGraphOutcome {
  readonly graph: LivenessGraph;
  readonly cut?: GraphStop;
  readonly depth: number;
  /** A specification error while expanding state `id`, raised by its action `actionIndex` (its message: rebuild it on objects). */
  readonly error?: { readonly id: number; readonly actionIndex: number };
  /** The id of a state, or -1 (for checking rebuilt traces). */
  readonly idOf: (fieldsOf: (out: Int32Array) => void) => number;
  /** Bytes of the visited set (besides the graph's columns). */
  readonly visitedBytes: number;
}

const MAX_TASK = 1 << 24;
/** The largest state-count hint taken (2^26 states: a visited set of ~1.5 GiB at 3 key words). */
const MAX_HINT = 1 << 26;

/** The explorer's working state: visited set, layout, and the queued states' keys in a ring indexed by id. */
class Frontier {
  layout: Layout;
  table: VisitedTable;
  ring: Int32Array;
  ringMask = 1023;
  head = 0;
  count = 0;
  private readonly scratch: Int32Array;

  constructor(
    fields: number,
    hints: ArrayLike<number> | undefined,
    /** States expected: the visited set is made that big at once (and again after a widening). */
    private readonly expected: number,
  ) {
    this.layout = Layout.forHints(fields, hints);
    this.table = new VisitedTable(this.layout.words, false, Math.max(1 << 12, expected));
    this.ring = new Int32Array(1024 * this.layout.words);
    this.scratch = new Int32Array(fields);
  }

  at(id: number): number {
    return (id & this.ringMask) * this.layout.words;
  }

  /** Store the state `keys[at..]` (its `find` just failed) as the next id, and queue it. */
  add(keys: Int32Array, at: number): number {
    const table = this.table;
    if (table.full) {
      table.grow();
      table.find(keys, at);
    }
    const id = this.count++;
    table.insert(keys, at, id);
    if (id - this.head > this.ringMask) this.growRing(id);
    const words = this.layout.words;
    const to = (id & this.ringMask) * words;
    for (let k = 0; k < words; k++) this.ring[to + k] = keys[at + k]!;
    return id;
  }

  /** Double the ring, which holds the keys of ids `head` to `upTo` (exclusive). */
  private growRing(upTo: number): void {
    ({ ring: this.ring, mask: this.ringMask } = doubledRing(this.ring, this.ringMask, this.layout.words, this.head, upTo));
  }

  /** Widen the layout for the overflow just recorded: re-lay the visited set and the queued keys. */
  widen(): void {
    const old = this.layout;
    const next = old.widened(old.overflowField, old.overflowValue);
    this.table = this.table.relaid(old, next, this.expected);
    this.layout = next;
    const ring = new Int32Array((this.ringMask + 1) * next.words);
    const values = this.scratch;
    for (let id = this.head; id < this.count; id++) {
      old.decode(this.ring, (id & this.ringMask) * old.words, values);
      next.encode(values, ring, (id & this.ringMask) * next.words);
    }
    this.ring = ring;
  }

  /** The id of the state whose fields `fieldsOf` writes, or -1. */
  idOf(fieldsOf: (out: Int32Array) => void): number {
    const values = new Int32Array(this.layout.fields);
    fieldsOf(values);
    const key = new Int32Array(this.layout.words);
    this.layout.clearOverflow();
    if (!this.layout.encode(values, key, 0)) return -1;
    return this.table.find(key, 0);
  }
}

/**
 * Explore breadth-first from the object-level initial states `initial` (keyed by `live.binding.fieldsOf`), keeping
 * every transition with its fair task and every expanded state's levels (`obligations` per state), exactly as
 * `exploreGraph` does on objects. Pauses about every 4,096 expansions with its progress; resumed with a reason, it
 * stops there, the states not yet expanded left without edges.
 */
export function* explorePackedGraph<S>(
  live: PackedLiveness<S>,
  initial: readonly S[],
  obligations: number,
  options: GraphOptions = {},
): Generator<GraphProgress, PackedGraphOutcome, GraphStop | undefined> {
  const model = live.binding.model;
  const k = obligations;
  const maxStates = options.maxStates ?? Infinity;
  const maxDepth = options.maxDepth ?? Infinity;
  // Hints beyond what one process can hold are ignored (the arrays then grow as needed, within the budget's pauses).
  const expected = Math.min(options.expectedStates ?? 0, maxStates, MAX_HINT);
  const f = new Frontier(model.fields, model.fieldHints, expected);
  const out = new Successors();
  let actionTasks = new Int32Array(64);
  const levelOut = new Int32Array(Math.max(1, k));
  /** Per successor of the state being expanded: its key's hash (the visited set's `hashAll`). */
  let hashes: Int32Array = new Int32Array(64);

  // Sized for the expected graph, when told (e.g. by the safety search of the same model): no regrowth.
  const statesHint = expected + 1;
  const edgesHint = Math.max(4096, Math.min(options.expectedEdges ?? 0, 8 * MAX_HINT));
  let offsets = new Int32Array(Math.max(1024, statesHint + 1));
  let targets = new Int32Array(edgesHint);
  let via = new Int32Array(Math.max(1024, statesHint));
  const tasks = new SmallColumn(4096);
  const levels = new SmallColumn(1024);
  let edges = 0;
  let taskCount = 0;
  let cut: GraphStop | undefined;
  let error: PackedGraphOutcome['error'];

  const discovered = (id: number, by: number): void => {
    if (id >= via.length) via = grow(via, id);
    via[id] = by;
  };

  // The initial states, in order, duplicates skipped.
  const fields = new Int32Array(model.fields);
  for (let i = 0; i < initial.length; i++) {
    live.binding.fieldsOf(initial[i]!, fields);
    let key = new Int32Array(f.layout.words);
    f.layout.clearOverflow();
    while (!f.layout.encode(fields, key, 0)) {
      f.widen();
      key = new Int32Array(f.layout.words);
      f.layout.clearOverflow();
    }
    if (f.table.find(key, 0) !== -1) continue;
    if (f.count >= maxStates) {
      cut = 'max-states';
      break;
    }
    discovered(f.add(key, 0), -1 - i);
  }

  let depth = 0;
  let levelEnd = f.count;
  let rowStart = 0;
  try {
    outer: while (f.head < f.count) {
      const id = f.head;
      rowStart = edges;
      if (id === levelEnd) {
        depth++;
        levelEnd = f.count;
      }
      if (id >= offsets.length - 1) offsets = grow(offsets, id + 1);
      offsets[id] = edges;
      if ((id & 4095) === 0 && id > 0) {
        const stop = yield { states: f.count, transitions: edges, depth, queue: f.count - id };
        if (stop !== undefined) {
          cut = stop;
          break;
        }
      }
      let taken: number;
      for (;;) {
        out.reset(f.layout.words);
        f.layout.clearOverflow();
        taken = model.expand(f.ring, f.at(id), f.layout, out);
        if (taken === MISS) throw new Error('packed liveness graph: expand() missed on the thread that owns the model');
        if (!f.layout.overflowed) break;
        f.widen(); // and expand the same state again under the wider layout
      }
      const layout = f.layout;
      const words = layout.words;
      const at = f.at(id);
      if (depth >= maxDepth) {
        if (taken > 0 || out.error >= 0) cut = 'max-depth';
        f.head++;
        continue;
      }
      live.levels(f.ring, at, layout, levelOut);
      for (let j = 0; j < k; j++) levels.set(id * k + j, levelOut[j]!);
      if (out.error >= 0) {
        error = { id, actionIndex: out.error };
        break;
      }
      if (taken > actionTasks.length) actionTasks = new Int32Array(taken * 2);
      const n = live.tasks(f.ring, at, layout, actionTasks);
      if (n !== taken) throw new Error(`packed liveness graph: ${n} fair-task entries for ${taken} actions of state ${id}`);
      if (edges + taken > targets.length) targets = grow(targets, edges + taken);
      // Start every successor's visited-set lookup before the first one (overlapped cache misses, as the BFS does).
      hashes = f.table.hashAll(out.keys, out.count, hashes);
      f.table.prefetch(hashes, out.count);
      // Action by action: the written successors in order, the actions in between self-loops.
      let j = 0;
      for (let a = 0; a < taken; a++) {
        let target = id;
        if (j < out.count && out.actions[j] === a) {
          const o = j * words;
          j++;
          target = f.table.find(out.keys, o, hashes[j - 1]);
          if (target === -1) {
            if (f.count >= maxStates) {
              cut = 'max-states';
              edges = offsets[id]!; // a partly expanded state keeps no edges: its enabled tasks would be wrong
              break outer;
            }
            target = f.add(out.keys, o);
            discovered(target, edges);
          }
        }
        targets[edges] = target;
        const task = actionTasks[a]!;
        if (!(task >= -1 && task < MAX_TASK)) throw new RangeError(`liveness: fair task ${task}; tasks are integers in [0, 2^24) or -1`);
        tasks.set(edges, task + 1);
        if (task >= taskCount) taskCount = task + 1;
        edges++;
      }
      f.head++;
    }
  } catch (e) {
    if (!allocationFailed(e)) throw e;
    cut = 'memory'; // out of memory before the budget: the state being expanded keeps no edges
    edges = rowStart;
  }
  const count = f.count;
  const expandedTo = f.head;
  const graph = closeGraph({ offsets, targets, via, tasks, levels }, { states: count, expanded: expandedTo, edges, taskCount, obligations: k });
  f.ring = new Int32Array(0); // the queue is done with; the visited set stays for `idOf`
  return {
    graph,
    ...(cut !== undefined ? { cut } : {}),
    ...(error !== undefined ? { error } : {}),
    depth,
    idOf: (fieldsOf) => f.idOf(fieldsOf),
    visitedBytes: f.table.bytes,
  };
}

/** Whether `e` is a failed allocation of a typed array (the machine's memory, not the budget, ran out). */
function allocationFailed(e: unknown): boolean {
  return e instanceof RangeError && /allocation failed|Invalid (typed )?array( buffer)? length/i.test(e.message);
}
