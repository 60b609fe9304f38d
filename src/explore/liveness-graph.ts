/**
 * The state graph that liveness checking needs, built by a breadth-first exploration of its own: every state and
 * every transition (self-loops and parallel edges included), stored compactly for the cycle search of
 * liveness-scc.ts. Safety search keeps only a parent per state; a fair cycle can use any edge, so here each edge
 * is kept, in compressed sparse rows (CSR) of typed arrays:
 *
 * - `offsets[id] .. offsets[id + 1]`: the edges of state `id`, in the order of `model.actions(state)`, so that an
 *   edge's position in its row is the index of its action (traces are rebuilt by re-executing it);
 * - per edge: its target id and its fair task + 1 (0: none);
 * - per state: each obligation's level, and `via`, the edge that discovered it (a BFS tree: shortest prefixes).
 *
 * Ids are BFS order, so a smaller id is never deeper. Nothing per state or edge lives on the JavaScript heap, and
 * with `Model.pack`, `unpack` and `nextPacked` a successor is built as an object only when it is new, as in the
 * safety search: whether a step lowers a level is read from the stored levels of its two ends.
 */
import { ModelError, type LivenessProperty, type Model } from './model.js';
import { PackedSet, WordBuffer } from '../util/packed-set.js';

/** A growable column of unsigned integers, 8 bits wide until a value needs 16, then 32. */
export class SmallColumn {
  data: Uint8Array | Uint16Array | Uint32Array;

  constructor(capacity = 1024) {
    this.data = new Uint8Array(capacity);
  }

  get(i: number): number {
    return this.data[i]!;
  }

  set(i: number, v: number): void {
    if (i >= this.data.length) this.resize(Math.ceil(i * 1.5) + 1024, this.data);
    if (v > 0xff && this.data instanceof Uint8Array) this.resize(this.data.length, new Uint16Array(0));
    if (v > 0xffff && !(this.data instanceof Uint32Array)) this.resize(this.data.length, new Uint32Array(0));
    this.data[i] = v;
  }

  /** Make entries `0 .. length` addressable (zero where never set). */
  ensure(length: number): void {
    if (length > this.data.length) this.resize(length, this.data);
  }

  /** Drop capacity beyond `length`. */
  trim(length: number): void {
    if (length < this.data.length) this.data = this.data.slice(0, length);
  }

  get bytes(): number {
    return this.data.byteLength;
  }

  private resize(length: number, kind: Uint8Array | Uint16Array | Uint32Array): void {
    const next = new (kind.constructor as new (n: number) => Uint8Array | Uint16Array | Uint32Array)(length);
    next.set(this.data);
    this.data = next;
  }
}

/** The explored graph. Only the first `states` entries of per-state columns and `edges` of per-edge ones are used. */
export interface LivenessGraph {
  readonly states: number;
  readonly edges: number;
  /** `states + 1` entries: the edges of state i are `offsets[i] .. offsets[i + 1]`. */
  readonly offsets: Int32Array;
  readonly targets: Int32Array;
  /** Per edge: its fair task + 1, or 0 when the action is not fair. */
  readonly tasks: SmallColumn;
  /** One more than the largest task seen. */
  readonly taskCount: number;
  /** Obligations per state (all properties' obligations, in order). */
  readonly obligations: number;
  /** Level of obligation j in state i at `i * obligations + j`; 0 for states never expanded. */
  readonly levels: SmallColumn;
  /** Per state: the edge that discovered it, or -1 - i for the i-th initial state. */
  readonly via: Int32Array;
}

/** The source state of edge `e` (binary search in the offsets). */
export function sourceOf(g: LivenessGraph, e: number): number {
  let lo = 0;
  let hi = g.states - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (g.offsets[mid]! <= e) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export type GraphStop = 'max-states' | 'max-depth' | 'timeout' | 'interrupted' | 'memory';

export interface GraphProgress {
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
  /** States discovered and not yet expanded. */
  readonly queue: number;
}

export interface GraphOptions {
  readonly maxStates?: number;
  readonly maxDepth?: number;
  /** How many states and edges to expect (hints: storage is sized for them at once; the packed graph only). */
  readonly expectedStates?: number;
  readonly expectedEdges?: number;
}

export interface GraphOutcome<A> {
  readonly graph: LivenessGraph;
  /** What stopped the exploration early: states after the cut have no edges, so they lie on no cycle. */
  readonly cut?: GraphStop;
  readonly depth: number;
  /** A ModelError while expanding state `id` (by `action`, when `next` raised it). */
  readonly error?: { readonly id: number; readonly message: string; readonly action?: A };
  /** The id of a state, or -1 (for checking rebuilt traces). */
  readonly idOf: (s: unknown) => number;
}

/** The visited set: ids by packed words when the model packs its states, else by key. */
interface Index<S> {
  find(s: S): number;
  /** Add the state last passed to `find` (or `findPacked`); returns its id. */
  add(): number;
  /** The state with id `id`, when it can be rebuilt from the index (pack + unpack). */
  readonly unpack?: (id: number) => S;
  /**
   * With pack, unpack and nextPacked: the id of `next(s, a)` without building it (-2 when it is `s` itself), or -1
   * when it is new (`add` then stores it; it is rebuilt by `unpack` when expanded).
   */
  readonly successorId?: (s: S, a: unknown) => number;
}

function indexFor<S, A>(model: Model<S, A>): Index<S> {
  const pack = model.pack;
  if (pack === undefined) {
    const ids = new Map<string, number>();
    let last = '';
    return {
      find: (s) => ids.get((last = model.key(s))) ?? -1,
      add: () => {
        ids.set(last, ids.size);
        return ids.size - 1;
      },
    };
  }
  const set = new PackedSet();
  const buf = new WordBuffer();
  const readBuf = new WordBuffer();
  const unpack = model.unpack;
  const nextPacked = model.nextPacked;
  const index: Index<S> = {
    find: (s) => {
      buf.clear();
      pack.call(model, s, buf);
      return set.find(buf);
    },
    add: () => set.add(),
  };
  if (unpack === undefined) return index;
  const unpackId = (id: number): S => {
    set.read(id, readBuf);
    return unpack.call(model, readBuf.words, readBuf.length);
  };
  if (nextPacked === undefined) return { ...index, unpack: unpackId };
  return {
    ...index,
    unpack: unpackId,
    successorId: (s, a) => {
      buf.clear();
      return nextPacked.call(model, s, a as A, buf) ? set.find(buf) : -2;
    },
  };
}

/** Obligation offsets of each property, in order, and the total. */
export function obligationBases<S>(properties: readonly LivenessProperty<S>[]): { readonly bases: number[]; readonly total: number } {
  const bases: number[] = [];
  let total = 0;
  for (const p of properties) {
    bases.push(total);
    total += p.obligations.length;
  }
  return { bases, total };
}

const MAX_TASK = 1 << 24;

/** `exploreGraph` run to the end without pauses. */
export function buildGraph<S, A>(model: Model<S, A>, properties: readonly LivenessProperty<S>[], options: GraphOptions = {}): GraphOutcome<A> {
  const steps = exploreGraph(model, properties, options);
  for (let r = steps.next(); ; r = steps.next()) if (r.done === true) return r.value;
}

/**
 * Explore `model` breadth-first and keep every transition, with its fair task, and every state's levels. Pauses
 * about every 4,096 expansions with its progress; resumed with a reason, it stops there (a timeout, Ctrl-C, the
 * memory budget), the states not yet expanded left without edges.
 */
export function* exploreGraph<S, A>(
  model: Model<S, A>,
  properties: readonly LivenessProperty<S>[],
  options: GraphOptions = {},
): Generator<GraphProgress, GraphOutcome<A>, GraphStop | undefined> {
  const { bases, total: k } = obligationBases(properties);
  const maxStates = options.maxStates ?? Infinity;
  const maxDepth = options.maxDepth ?? Infinity;
  const index = indexFor(model);
  const fairTask = model.fairTask;

  let offsets = new Int32Array(1024);
  let targets = new Int32Array(4096);
  let via = new Int32Array(1024);
  const tasks = new SmallColumn(4096);
  const levels = new SmallColumn(1024);
  // Without unpack, discovered states wait here until expanded.
  const waiting: (S | undefined)[] | undefined = index.unpack === undefined ? [] : undefined;
  let count = 0;
  let edges = 0;
  let taskCount = 0;
  let cut: GraphStop | undefined;
  let error: GraphOutcome<A>['error'];

  const discover = (s: S | undefined, discoveredBy: number): number => {
    const id = index.add();
    if (id !== count) throw new Error('liveness graph: state ids out of step');
    count++;
    if (id >= via.length) via = grow(via, id);
    via[id] = discoveredBy;
    if (waiting !== undefined) waiting[id] = s;
    return id;
  };
  const storeLevels = (id: number, s: S): void => {
    for (let p = 0; p < properties.length; p++) {
      const l = properties[p]!.levels(s);
      const n = properties[p]!.obligations.length;
      for (let j = 0; j < n; j++) {
        const x = l[j]!;
        if (!(Number.isInteger(x) && x >= 0 && x < 2 ** 32)) throw new RangeError(`liveness: '${properties[p]!.name}' gave level ${x}; levels are integers in [0, 2^32)`);
        levels.set(id * k + bases[p]! + j, x);
      }
    }
  };

  const inits = model.initial();
  for (let i = 0; i < inits.length; i++) {
    if (index.find(inits[i]!) !== -1) continue;
    if (count >= maxStates) {
      cut = 'max-states';
      break;
    }
    discover(inits[i]!, -1 - i);
  }

  const successorId = index.successorId;
  let depth = 0;
  let levelEnd = count;
  let id = 0;
  outer: for (; id < count; id++) {
    if (id === levelEnd) {
      depth++;
      levelEnd = count;
    }
    if (id >= offsets.length - 1) offsets = grow(offsets, id + 1);
    offsets[id] = edges;
    if ((id & 4095) === 0 && id > 0) {
      const stop = yield { states: count, transitions: edges, depth, queue: count - id };
      if (stop !== undefined) {
        cut = stop;
        break;
      }
    }
    const s = waiting !== undefined ? waiting[id]! : index.unpack!(id);
    if (waiting !== undefined) waiting[id] = undefined;
    let action: A | undefined;
    try {
      const actions = model.actions(s);
      if (depth >= maxDepth) {
        if (actions.length > 0) cut = 'max-depth';
        continue;
      }
      storeLevels(id, s);
      for (let i = 0; i < actions.length; i++) {
        action = actions[i]!;
        let target: number;
        if (successorId !== undefined) {
          target = successorId(s, action);
          if (target === -2) target = id;
          else if (target === -1) {
            if (count >= maxStates) {
              cut = 'max-states';
              edges = offsets[id]!; // a partly expanded state keeps no edges: its enabled tasks would be wrong
              break outer;
            }
            target = discover(undefined, edges);
          }
        } else {
          const t = model.next(s, action);
          target = index.find(t);
          if (target === -1) {
            if (count >= maxStates) {
              cut = 'max-states';
              edges = offsets[id]!;
              break outer;
            }
            target = discover(t, edges);
          }
        }
        action = undefined;
        if (edges >= targets.length) targets = grow(targets, edges);
        targets[edges] = target;
        const task = fairTask === undefined ? -1 : fairTask.call(model, s, actions[i]!);
        if (!(task >= -1 && task < MAX_TASK && Number.isInteger(task))) throw new RangeError(`liveness: fairTask returned ${task}; tasks are integers in [0, 2^24) or -1`);
        tasks.set(edges, task + 1);
        if (task >= taskCount) taskCount = task + 1;
        edges++;
      }
    } catch (e) {
      if (!(e instanceof ModelError)) throw e;
      error = { id, message: e.message, ...(action !== undefined ? { action } : {}) };
      edges = offsets[id]!;
      break;
    }
  }
  const graph = closeGraph({ offsets, targets, via, tasks, levels }, { states: count, expanded: id, edges, taskCount, obligations: k });
  return {
    graph,
    ...(cut !== undefined ? { cut } : {}),
    ...(error !== undefined ? { error } : {}),
    depth,
    idOf: (s) => index.find(s as S),
  };
}

/** A copy of `a` with room past `index` (×1.5): the graph's columns grow with the search. */
export function grow(a: Int32Array<ArrayBuffer>, index: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(Math.ceil(index * 1.5) + 1024);
  b.set(a);
  return b;
}

/** The columns a graph builder fills (by id for states, by edge index for edges). */
export interface GraphColumns {
  offsets: Int32Array<ArrayBuffer>;
  targets: Int32Array<ArrayBuffer>;
  via: Int32Array<ArrayBuffer>;
  tasks: SmallColumn;
  levels: SmallColumn;
}

/**
 * The graph of a finished (or stopped) exploration: ids below `expanded` were expanded; the others, found but never
 * expanded (after a cut or an error), get no edges. Columns are cut to their used length.
 */
export function closeGraph(c: GraphColumns, n: { states: number; expanded: number; edges: number; taskCount: number; obligations: number }): LivenessGraph {
  const { states, edges, obligations: k } = n;
  const offsets = states + 1 > c.offsets.length ? grow(c.offsets, states + 1) : c.offsets;
  offsets.fill(edges, Math.min(n.expanded, states), states + 1);
  c.levels.ensure(states * k);
  c.tasks.trim(Math.max(edges, 0));
  c.levels.trim(Math.max(states * k, 0));
  return {
    states,
    edges,
    offsets: offsets.slice(0, states + 1),
    targets: c.targets.slice(0, edges),
    tasks: c.tasks,
    taskCount: n.taskCount,
    obligations: k,
    levels: c.levels,
    via: c.via.slice(0, states),
  };
}

/** Bytes held by the graph's columns. */
export function graphBytes(g: LivenessGraph): number {
  return g.offsets.byteLength + g.targets.byteLength + g.via.byteLength + g.tasks.bytes + g.levels.bytes;
}

/** Whether the step from `v` to `w` keeps obligation `j` outstanding without lowering it: an edge a violating cycle may take. */
export function keeps(g: LivenessGraph, v: number, w: number, j: number): boolean {
  const levels = g.levels.data;
  const k = g.obligations;
  const after = levels[w * k + j]!;
  return after > 0 && after >= levels[v * k + j]!;
}
