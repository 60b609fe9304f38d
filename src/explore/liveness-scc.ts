/**
 * Fair cycles on which an obligation stays open: the core of liveness checking under weak fairness.
 *
 * For obligation j, keep the states where j is outstanding (its level is positive) and the edges between them that
 * do not lower its level. A violating behaviour ends in a cycle of that subgraph which is *fair*: every task enabled in all of its states is
 * taken on one of its edges. Such a cycle exists iff some strongly connected component C of the subgraph, with at
 * least one edge, satisfies: each task is either taken on an edge inside C or disabled in some state of C. (A
 * cycle through all of C's states and edges is then fair; conversely a task enabled everywhere in C and never taken
 * inside it is enabled everywhere on, and missing from, every cycle in C. Weak fairness needs no recursive
 * refinement, unlike strong fairness.) "Enabled" is read in the whole graph: a task is enabled in a state when any
 * edge of that state, kept or not, carries it.
 *
 * Components are found by Tarjan's algorithm, iteratively (an explicit call stack of typed arrays: no recursion
 * limit), once per obligation; each non-trivial component is judged in time linear in its edges. Of the fair
 * components the one reaching closest to an initial state is kept (ids are BFS order: the smallest id is the
 * shallowest), so that the lasso built from it is short.
 */
import type { LivenessGraph } from './liveness-graph.js';

/** A fair component for one obligation: its states, and the shallowest of them. */
export interface FairComponent {
  readonly obligation: number;
  readonly members: Int32Array;
  readonly entry: number;
}

/** Working arrays for `fairComponent`, allocated once per graph and reused for every obligation. */
export class SccScratch {
  readonly index: Int32Array;
  readonly low: Int32Array;
  /** Component serial of each finished state; -1 while unfinished (on Tarjan's stack) or unvisited. */
  readonly comp: Int32Array;
  readonly stack: Int32Array;
  readonly callNode: Int32Array;
  readonly callCursor: Int32Array;
  readonly enabledCount: Int32Array;
  readonly seenAt: Int32Array;
  readonly takenIn: Int32Array;

  constructor(g: LivenessGraph) {
    const n = g.states;
    this.index = new Int32Array(n);
    this.low = new Int32Array(n);
    this.comp = new Int32Array(n);
    this.stack = new Int32Array(n);
    this.callNode = new Int32Array(n);
    this.callCursor = new Int32Array(n);
    this.enabledCount = new Int32Array(g.taskCount);
    this.seenAt = new Int32Array(g.taskCount);
    this.takenIn = new Int32Array(g.taskCount);
  }

  get bytes(): number {
    return SccScratch.bytesFor({ states: this.index.length, taskCount: this.enabledCount.length });
  }

  static bytesFor(g: Pick<LivenessGraph, 'states' | 'taskCount'>): number {
    return 4 * (6 * g.states + 3 * g.taskCount);
  }
}

/** `fairComponentSteps` run to the end without pauses. */
export function fairComponent(g: LivenessGraph, obligation: number, scratch = new SccScratch(g)): FairComponent | undefined {
  const steps = fairComponentSteps(g, obligation, scratch);
  for (let r = steps.next(false); ; r = steps.next(false)) if (r.done === true) return r.value === 'stopped' ? undefined : r.value;
}

/**
 * The fair component of obligation `obligation` with the shallowest entry, or undefined when there is none (the
 * obligation cannot stay outstanding forever on a fair behaviour of the explored graph). Pauses about every 65,536
 * states visited with that count; resumed with true, it abandons the search and returns 'stopped'.
 */
export function* fairComponentSteps(g: LivenessGraph, obligation: number, scratch: SccScratch): Generator<number, FairComponent | undefined | 'stopped', boolean> {
  const { index, low, comp, stack, callNode, callCursor } = scratch;
  const { offsets, targets } = g;
  const levels = g.levels.data;
  const k = g.obligations;
  const j = obligation;
  index.fill(-1);
  comp.fill(-1);
  scratch.seenAt.fill(-1);
  scratch.takenIn.fill(0);
  let counter = 0;
  let sp = 0;
  let cp = 0;
  let serial = 0;
  let best: FairComponent | undefined;
  let nextTick = 1 << 16;

  for (let root = 0; root < g.states; root++) {
    if (index[root] !== -1 || levels[root * k + j] === 0) continue;
    index[root] = low[root] = counter++;
    stack[sp++] = root;
    callNode[0] = root;
    callCursor[0] = offsets[root]!;
    cp = 1;
    while (cp > 0) {
      const v = callNode[cp - 1]!;
      const level = levels[v * k + j]!;
      let e = callCursor[cp - 1]!;
      const end = offsets[v + 1]!;
      let descended = false;
      while (e < end) {
        const w = targets[e]!;
        e++;
        // Kept: w has the obligation outstanding, no lower than here (levels are 0 where not outstanding).
        if (levels[w * k + j]! < level) continue;
        if (index[w] === -1) {
          callCursor[cp - 1] = e;
          index[w] = low[w] = counter++;
          stack[sp++] = w;
          callNode[cp] = w;
          callCursor[cp] = offsets[w]!;
          cp++;
          descended = true;
          break;
        }
        if (comp[w] === -1 && index[w]! < low[v]!) low[v] = index[w]!;
      }
      if (descended) {
        if (counter >= nextTick) {
          nextTick = counter + (1 << 16);
          if ((yield counter) === true) return 'stopped';
        }
        continue;
      }
      cp--;
      if (cp > 0) {
        const u = callNode[cp - 1]!;
        if (low[v]! < low[u]!) low[u] = low[v]!;
      }
      if (low[v] !== index[v]) continue;
      let top = sp - 1;
      while (stack[top] !== v) top--;
      serial++;
      let entry = v;
      for (let i = top; i < sp; i++) {
        const m = stack[i]!;
        comp[m] = serial;
        if (m < entry) entry = m;
      }
      if ((best === undefined || entry < best.entry) && isFair(g, scratch, top, sp, serial)) {
        best = { obligation, members: stack.slice(top, sp).sort(), entry };
      }
      sp = top;
    }
  }
  return best;
}

/**
 * Whether the component `stack[from .. to)` (serial `serial`) has an edge and is fair. All states of a component
 * have the same level (kept edges never lower it, and each state reaches each), so every edge between two of them
 * is kept: membership (`comp`) decides which edges are inside.
 */
function isFair(g: LivenessGraph, scratch: SccScratch, from: number, to: number, serial: number): boolean {
  const { stack, comp, enabledCount, seenAt, takenIn } = scratch;
  const { offsets, targets } = g;
  const tasks = g.tasks.data;
  const size = to - from;
  let hasEdge = false;
  const touched: number[] = [];
  for (let i = from; i < to; i++) {
    const m = stack[i]!;
    for (let e = offsets[m]!; e < offsets[m + 1]!; e++) {
      const inside = comp[targets[e]!] === serial;
      if (inside) hasEdge = true;
      const t = tasks[e]! - 1;
      if (t < 0) continue;
      if (seenAt[t] !== m) {
        seenAt[t] = m;
        if (enabledCount[t] === 0) touched.push(t);
        enabledCount[t]!++;
      }
      if (inside) takenIn[t] = serial;
    }
  }
  let fair = hasEdge;
  for (const t of touched) {
    if (enabledCount[t] === size && takenIn[t] !== serial) fair = false;
    enabledCount[t] = 0;
  }
  return fair;
}
