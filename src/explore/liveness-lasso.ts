/**
 * From a fair component (liveness-scc.ts) to a lasso: the BFS-tree path from an initial state to the component's
 * shallowest state, then a fair cycle back to it inside the component.
 *
 * The cycle starts as the shortest one through the entry state. While some task is enabled in all of its states
 * and taken on none of its edges, the path is extended (shortest, inside the component) to the nearest state that
 * either disables that task or takes it on a kept edge, and the cycle is closed again from there. Each round
 * settles one task for good — the witness stays on the path — and the component being fair guarantees a witness
 * exists, so this ends after at most one round per task.
 */
import { sourceOf, type LivenessGraph } from './liveness-graph.js';
import type { FairComponent } from './liveness-scc.js';

/** Edge ids, in order, of the BFS-tree path from an initial state to `target`; and which initial state it starts at. */
export function prefixEdges(g: LivenessGraph, target: number): { readonly initial: number; readonly edges: number[] } {
  const edges: number[] = [];
  let id = target;
  while (g.via[id]! >= 0) {
    const e = g.via[id]!;
    edges.push(e);
    id = sourceOf(g, e);
  }
  return { initial: -1 - g.via[id]!, edges: edges.reverse() };
}

/** Breadth-first search inside one component, from one state, along kept edges. */
class ComponentWalk {
  private readonly inside: Uint8Array;
  private readonly mark: Int32Array;
  private readonly predEdge: Int32Array;
  private readonly predNode: Int32Array;
  private readonly queue: Int32Array;
  private serial = 0;

  constructor(
    private readonly g: LivenessGraph,
    c: FairComponent,
  ) {
    this.inside = new Uint8Array(g.states);
    for (const m of c.members) this.inside[m] = 1;
    this.mark = new Int32Array(g.states);
    this.predEdge = new Int32Array(g.states);
    this.predNode = new Int32Array(g.states);
    this.queue = new Int32Array(c.members.length + 1);
  }

  /** Whether edge `e` (from a member) stays in the component: then it keeps the level (all members share it). */
  kept(e: number): boolean {
    return this.inside[this.g.targets[e]!] === 1;
  }

  /**
   * The shortest path (edge ids) from `from` to a state satisfying `goal`, taking at least `minSteps` (0 or 1)
   * steps. `goal` may also accept a state by returning one of its kept edges to take last (>= 0), or -1 to accept
   * the state itself, or undefined to reject it.
   */
  path(from: number, minSteps: 0 | 1, goal: (v: number) => number | undefined): number[] {
    const { g, mark, predEdge, predNode, queue } = this;
    const serial = ++this.serial;
    if (minSteps === 0) {
      const last = goal(from);
      if (last !== undefined) return last >= 0 ? [last] : [];
    }
    let head = 0;
    let tail = 0;
    const visit = (v: number): number[] | undefined => {
      for (let e = g.offsets[v]!; e < g.offsets[v + 1]!; e++) {
        if (!this.kept(e)) continue;
        const w = g.targets[e]!;
        if (mark[w] === serial) continue;
        mark[w] = serial;
        predEdge[w] = e;
        predNode[w] = v;
        const last = goal(w);
        if (last !== undefined) return this.unwind(from, w, last);
        queue[tail++] = w;
      }
      return undefined;
    };
    let found = visit(from);
    while (found === undefined && head < tail) found = visit(queue[head++]!);
    if (found === undefined) throw new Error('liveness: no path inside a strongly connected component (graph inconsistent)');
    return found;
  }

  private unwind(from: number, to: number, last: number): number[] {
    const edges: number[] = last >= 0 ? [last] : [];
    let v = to;
    do {
      edges.push(this.predEdge[v]!);
      v = this.predNode[v]!;
    } while (v !== from);
    return edges.reverse();
  }
}

/** The tasks enabled in state `v` (in the whole graph). */
function enabledTasks(g: LivenessGraph, v: number): Set<number> {
  const out = new Set<number>();
  for (let e = g.offsets[v]!; e < g.offsets[v + 1]!; e++) {
    const t = g.tasks.get(e) - 1;
    if (t >= 0) out.add(t);
  }
  return out;
}

/** The smallest task enabled in every state of the closed cycle `edges` and taken on none of them, or -1. */
export function unfairTask(g: LivenessGraph, edges: readonly number[], sourceOfEdge: (e: number) => number = (e) => sourceOf(g, e)): number {
  let always: Set<number> | undefined;
  for (const e of edges) {
    const here = enabledTasks(g, sourceOfEdge(e));
    always = always === undefined ? here : new Set([...always].filter((t) => here.has(t)));
  }
  for (const e of edges) always?.delete(g.tasks.get(e) - 1);
  return always === undefined || always.size === 0 ? -1 : Math.min(...always);
}

/** Edge ids of a fair cycle from `c.entry` back to it, inside component `c`. */
export function fairCycleEdges(g: LivenessGraph, c: FairComponent): number[] {
  const walk = new ComponentWalk(g, c);
  const entry = c.entry;
  const path: number[] = [];
  let at = entry;
  const sources = new Map<number, number>();
  const noteSources = (from: number, edges: readonly number[]): number => {
    let v = from;
    for (const e of edges) {
      sources.set(e, v);
      v = g.targets[e]!;
    }
    return v;
  };
  for (;;) {
    const closing = walk.path(at, path.length === 0 ? 1 : 0, (v) => (v === entry ? -1 : undefined));
    noteSources(at, closing);
    const cycle = [...path, ...closing];
    const t = unfairTask(g, cycle, (e) => sources.get(e)!);
    if (t < 0) return cycle;
    const witness = walk.path(at, 0, (v) => {
      let enabled = false;
      for (let e = g.offsets[v]!; e < g.offsets[v + 1]!; e++) {
        if (g.tasks.get(e) - 1 !== t) continue;
        if (walk.kept(e)) return e;
        enabled = true;
      }
      return enabled ? undefined : -1;
    });
    at = noteSources(at, witness);
    path.push(...witness);
  }
}
