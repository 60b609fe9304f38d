/**
 * Liveness checking under weak fairness, as TLC checks temporal PROPERTIES and SPIN checks acceptance cycles with
 * `-f`: explore the whole state graph (liveness-graph.ts), search each obligation's subgraph for a fair cycle
 * (liveness-scc.ts) and turn the shallowest one into a lasso counterexample (liveness-lasso.ts) — a prefix from an
 * initial state, then a cycle that returns to its first state and repeats forever.
 *
 * What "fair" and "obligation" mean is in model.ts (`Model.fairTask`, `LivenessProperty`). Symmetry reduction is
 * not used here: tasks of a quotient graph would be renamed along its edges (TLC does not combine the two either).
 * A bound (states, depth, time) or a stop leaves unexpanded states without edges: a lasso found in what was
 * explored is still a real counterexample, but "holds" cannot be concluded (verdict 'incomplete').
 */
import { exploreGraph, graphBytes, obligationBases, type GraphOptions, type GraphOutcome, type GraphProgress, type GraphStop, type LivenessGraph } from './liveness-graph.js';
import { fairCycleEdges, prefixEdges } from './liveness-lasso.js';
import { SccScratch, fairComponentSteps, type FairComponent } from './liveness-scc.js';
import { ModelError, type LivenessProperty, type Model } from './model.js';
import { explorePackedGraph, type PackedLiveness } from './packed/graph.js';
import { formatBytes, formatCount } from './report.js';
import type { Trace, Verdict } from './types.js';

/** An infinite behaviour as a finite trace: `states[loop]` starts the cycle and the last state is that state again. */
export interface Lasso<S, A> extends Trace<S, A> {
  readonly loop: number;
}

/** What `LivenessOptions.onProgress` is told: while the graph is explored, then while each obligation's cycles are searched. */
export type LivenessProgress =
  | {
      readonly phase: 'graph';
      readonly states: number;
      readonly transitions: number;
      readonly depth: number;
      readonly queue: number;
      readonly statesPerSecond: number;
      readonly memoryBytes: number;
      readonly elapsedMs: number;
    }
  | {
      readonly phase: 'cycles';
      readonly property: string;
      readonly obligation: string;
      /** States of the obligation's subgraph visited so far, and how many there are. */
      readonly visited: number;
      readonly of: number;
      readonly memoryBytes: number;
      readonly elapsedMs: number;
    };

/** Bounds, stops and progress of a liveness check; any bound that cuts the graph makes the verdict at best 'incomplete'. */
export interface LivenessOptions {
  readonly maxStates?: number;
  /** States this deep are not expanded (they lie on no cycle); the verdict is then at best 'incomplete'. */
  readonly maxDepth?: number;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Resident memory budget in bytes: the check stops ('incomplete', 'memory') rather than exceed it. */
  readonly memoryLimitBytes?: number;
  /** Resident memory now, injectable for tests (default: process.memoryUsage.rss). */
  readonly memoryUsage?: () => number;
  readonly onProgress?: (p: LivenessProgress) => void;
  /** Default 1000. */
  readonly progressEveryMs?: number;
  readonly now?: () => number;
  /**
   * Build the graph on objects even when the model has a packed form (`Model.packedLiveness`): the reference the
   * packed graph is tested against. Default false.
   */
  readonly objects?: boolean;
  /**
   * How many states and transitions the graph is expected to have — e.g. the safety search's counts of the same
   * model — so that the packed graph sizes its storage at once instead of regrowing it. Hints only.
   */
  readonly expectedStates?: number;
  readonly expectedEdges?: number;
}

/** The verdict of a liveness check, with a lasso counterexample when a fair cycle keeps an obligation outstanding. */
export interface LivenessResult<S, A> {
  readonly verdict: Verdict;
  /** 'violated': the property and the obligation that stays open on the lasso's cycle. */
  readonly property?: string;
  readonly obligation?: string;
  /** Why it is violated, or the ModelError ('error'). */
  readonly message?: string;
  readonly incompleteReason?: GraphStop;
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
  readonly seconds: number;
  /** Of `seconds`, the time spent exploring the graph (the rest: the cycle search and the lasso). */
  readonly graphSeconds: number;
  /** Bytes of the stored graph (edges and labels) and of the cycle search's working arrays. */
  readonly graphBytes: number;
  /** Whether the graph was built on packed states (`Model.packedLiveness`) rather than objects. */
  readonly packed: boolean;
  readonly lasso?: Lasso<S, A>;
  /** 'error': a path to the state whose expansion failed, and the action that raised it. */
  readonly trace?: Trace<S, A>;
  readonly errorAction?: A;
}

function memoryUsed(): number {
  if (typeof process === 'undefined') return 0;
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function residentMemory(): number {
  return typeof process === 'undefined' ? 0 : process.memoryUsage.rss();
}

/** Where the check pauses: its progress, for reports and for the driver to decide whether to go on. */
type Pause =
  | { readonly phase: 'graph'; readonly states: number; readonly transitions: number; readonly depth: number; readonly queue: number }
  | { readonly phase: 'cycles'; readonly property: string; readonly obligation: string; readonly visited: number; readonly of: number };

/** A slice of work between two turns of the event loop (`checkLivenessAsync`), so that Ctrl-C is heard. */
const SLICE_MS = 50;

/** Check `properties` on every fair behaviour of `model` (see the module comment). */
export function checkLiveness<S, A>(model: Model<S, A>, properties: readonly LivenessProperty<S>[], options: LivenessOptions = {}): LivenessResult<S, A> {
  const d = driver(options);
  const steps = phases(model, properties, options, d);
  for (let r = steps.next(undefined); ; r = steps.next(d.pause(r.value))) if (r.done === true) return r.value;
}

/** `checkLiveness`, giving the event loop a turn about every 50 ms (a signal aborted by a Ctrl-C handler is then seen). */
export async function checkLivenessAsync<S, A>(model: Model<S, A>, properties: readonly LivenessProperty<S>[], options: LivenessOptions = {}): Promise<LivenessResult<S, A>> {
  const d = driver(options);
  const steps = phases(model, properties, options, d);
  let sliceEnd = d.now() + SLICE_MS;
  for (let r = steps.next(undefined); ; ) {
    if (r.done === true) return r.value;
    const stop = d.pause(r.value);
    if (stop === undefined && d.now() >= sliceEnd) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceEnd = d.now() + SLICE_MS;
    }
    r = steps.next(stop);
  }
}

/** Stops (Ctrl-C, timeout, memory budget) and progress reports, decided at each pause. */
function driver(options: LivenessOptions) {
  const now = options.now ?? (() => performance.now());
  const start = now();
  const timeoutMs = options.timeoutMs ?? Infinity;
  const memoryLimit = options.memoryLimitBytes ?? Infinity;
  const memoryUsage = options.memoryUsage ?? residentMemory;
  const every = options.progressEveryMs ?? 1000;
  let lastReport = start;
  let lastStates = 0;
  const stopReason = (t: number): GraphStop | undefined =>
    options.signal?.aborted === true ? 'interrupted' : memoryUsage() > memoryLimit ? 'memory' : t - start >= timeoutMs ? 'timeout' : undefined;
  return {
    now,
    pause(p: Pause): GraphStop | undefined {
      const t = now();
      if (options.onProgress !== undefined && t - lastReport >= every) {
        const elapsedMs = t - start;
        if (p.phase === 'graph') {
          const rate = ((p.states - lastStates) * 1000) / (t - lastReport);
          lastStates = p.states;
          options.onProgress({ ...p, statesPerSecond: rate, memoryBytes: memoryUsed(), elapsedMs });
        } else options.onProgress({ ...p, memoryBytes: memoryUsed(), elapsedMs });
        lastReport = t;
      }
      return stopReason(t);
    },
    /** Whether `bytes` more fit the memory budget. */
    allows(bytes: number): boolean {
      return memoryLimit === Infinity || memoryUsage() + bytes <= memoryLimit;
    },
  };
}

/** The check as a sequence of pauses: the graph, then a cycle search per obligation, then the lasso. */
function* phases<S, A>(
  model: Model<S, A>,
  properties: readonly LivenessProperty<S>[],
  options: LivenessOptions,
  ctl: { readonly now: () => number; allows(bytes: number): boolean },
): Generator<Pause, LivenessResult<S, A>, GraphStop | undefined> {
  const now = ctl.now;
  const start = now();
  const bounds = {
    ...(options.maxStates !== undefined ? { maxStates: options.maxStates } : {}),
    ...(options.maxDepth !== undefined ? { maxDepth: options.maxDepth } : {}),
    ...(options.expectedStates !== undefined ? { expectedStates: options.expectedStates } : {}),
    ...(options.expectedEdges !== undefined ? { expectedEdges: options.expectedEdges } : {}),
  };
  const live = options.objects === true ? undefined : model.packedLiveness?.(properties);
  const built: GraphOutcome<A> =
    live !== undefined ? yield* packedGraph(model, properties, live, withinBudget(bounds, obligationBases(properties).total, ctl)) : yield* graphPhase(exploreGraph(model, properties, bounds));
  const g = built.graph;
  const base = { states: g.states, transitions: g.edges, depth: built.depth, graphSeconds: (now() - start) / 1000, packed: live !== undefined };
  let scratchBytes = 0;
  const finish = (extra: Partial<LivenessResult<S, A>> & { verdict: Verdict }): LivenessResult<S, A> => ({
    ...base,
    seconds: (now() - start) / 1000,
    graphBytes: graphBytes(g) + scratchBytes,
    ...extra,
  });

  if (built.error !== undefined) {
    const trace = rebuild(model, g, built.idOf, prefixEdges(g, built.error.id));
    const message = built.error.action !== undefined ? `${model.label(built.error.action)}: ${built.error.message}` : built.error.message;
    return finish({ verdict: 'error', message, trace, ...(built.error.action !== undefined ? { errorAction: built.error.action } : {}) });
  }
  if (built.cut === 'timeout' || built.cut === 'interrupted' || built.cut === 'memory') return finish({ verdict: 'incomplete', incompleteReason: built.cut });

  // The cycle search's working arrays: six 32-bit columns per state.
  if (!ctl.allows(SccScratch.bytesFor(g))) return finish({ verdict: 'incomplete', incompleteReason: 'memory' });
  const scratch = new SccScratch(g);
  scratchBytes = scratch.bytes;
  const { bases } = obligationBases(properties);
  for (let p = 0; p < properties.length; p++) {
    const property = properties[p]!;
    let found: FairComponent | undefined;
    for (let j = 0; j < property.obligations.length; j++) {
      const obligation = bases[p]! + j;
      const of = countOpen(g, obligation);
      const steps = fairComponentSteps(g, obligation, scratch);
      let c: FairComponent | undefined | 'stopped';
      let stopped: GraphStop | undefined;
      for (let r = steps.next(false); ; ) {
        if (r.done === true) {
          c = r.value;
          break;
        }
        stopped = yield { phase: 'cycles', property: property.name, obligation: property.obligations[j]!, visited: r.value, of };
        r = steps.next(stopped !== undefined);
      }
      if (c === 'stopped') return finish({ verdict: 'incomplete', incompleteReason: stopped ?? 'interrupted' });
      if (c !== undefined && (found === undefined || c.entry < found.entry)) found = c;
    }
    if (found !== undefined) {
      const j = found.obligation - bases[p]!;
      const lasso = lassoOf(model, g, built.idOf, found);
      return finish({ verdict: 'violated', property: property.name, obligation: property.obligations[j]!, message: property.violation(j), lasso });
    }
  }
  if (built.cut !== undefined) return finish({ verdict: 'incomplete', incompleteReason: built.cut });
  return finish({ verdict: 'holds' });
}

/** Run a graph exploration, pausing with its progress. */
function* graphPhase<T>(steps: Generator<GraphProgress, T, GraphStop | undefined>): Generator<Pause, T, GraphStop | undefined> {
  for (let r = steps.next(undefined); ; ) {
    if (r.done === true) return r.value;
    r = steps.next(yield { phase: 'graph', ...r.value });
  }
}

/**
 * `bounds` without the size hints when storage sized for them at once would not fit the memory budget (the graph
 * then grows as it goes, and the budget stops it at a pause). Per state: the visited set (~24 B at its lowest load),
 * offsets, discovering edge and levels; per edge: target and task.
 */
function withinBudget(bounds: GraphOptions, obligations: number, ctl: { allows(bytes: number): boolean }): GraphOptions {
  const { expectedStates, expectedEdges, ...rest } = bounds;
  return ctl.allows((expectedStates ?? 0) * (32 + obligations) + (expectedEdges ?? 0) * 6) ? bounds : rest;
}

/**
 * The graph on packed states (packed/graph.ts): the same graph as `exploreGraph` builds on objects. A specification
 * error is found by its action's index; its message comes from re-executing that action on the object-level model.
 */
function* packedGraph<S, A>(
  model: Model<S, A>,
  properties: readonly LivenessProperty<S>[],
  live: PackedLiveness<S>,
  bounds: GraphOptions,
): Generator<Pause, GraphOutcome<A>, GraphStop | undefined> {
  const p = yield* graphPhase(explorePackedGraph(live, model.initial(), obligationBases(properties).total, bounds));
  const idOf = (s: unknown): number => p.idOf((out) => live.binding.fieldsOf(s as S, out));
  const built = { graph: p.graph, depth: p.depth, idOf, ...(p.cut !== undefined ? { cut: p.cut } : {}) };
  if (p.error === undefined) return built;
  const { states } = rebuild(model, p.graph, idOf, prefixEdges(p.graph, p.error.id));
  const s = states[states.length - 1]!;
  const action = model.actions(s)[p.error.actionIndex];
  try {
    if (action !== undefined) model.next(s, action);
  } catch (e) {
    if (!(e instanceof ModelError)) throw e;
    return { ...built, error: { id: p.error.id, message: e.message, action: action! } };
  }
  throw new Error(`liveness: the packed model failed on action ${p.error.actionIndex} of state ${p.error.id}, the object-level model does not`);
}

function countOpen(g: LivenessGraph, obligation: number): number {
  const levels = g.levels.data;
  let n = 0;
  for (let i = 0; i < g.states; i++) if (levels[i * g.obligations + obligation]! > 0) n++;
  return n;
}

function lassoOf<S, A>(model: Model<S, A>, g: LivenessGraph, idOf: (s: unknown) => number, c: FairComponent): Lasso<S, A> {
  const prefix = prefixEdges(g, c.entry);
  const cycle = fairCycleEdges(g, c);
  const trace = rebuild(model, g, idOf, { initial: prefix.initial, edges: [...prefix.edges, ...cycle] });
  return { ...trace, loop: prefix.edges.length };
}

/**
 * Re-execute a path of edges from an initial state: an edge's position in its row is the index of its action.
 * Each step must reach the recorded target (else the model is not deterministic, and the trace would be a story).
 */
function rebuild<S, A>(model: Model<S, A>, g: LivenessGraph, idOf: (s: unknown) => number, path: { initial: number; edges: readonly number[] }): Trace<S, A> {
  let s: S = model.initial()[path.initial] as S;
  let id = idOf(s);
  const states: S[] = [s];
  const actions: A[] = [];
  for (const [k, e] of path.edges.entries()) {
    if (!(e >= g.offsets[id]! && e < g.offsets[id + 1]!)) throw new Error(`liveness trace reconstruction failed at step ${k + 1}: edge ${e} does not leave state ${id}`);
    const a = model.actions(s)[e - g.offsets[id]!]!;
    const t = model.next(s, a);
    const tid = idOf(t);
    if (tid !== g.targets[e]) throw new Error(`liveness trace reconstruction failed at step ${k + 1}: the recorded action leads elsewhere (are actions()/next() deterministic?)`);
    actions.push(a);
    states.push(t);
    s = t;
    id = tid;
  }
  return { states, actions };
}

// ---- checking a given lasso (replay) ---------------------------------------------------------------------------

/** `checkLasso`'s judgement of a recorded lasso (as `vnicspec replay` checks a saved one). */
export type LassoCheck =
  /** The last state is not the state the cycle starts from. */
  | { readonly kind: 'not-closed'; readonly message: string }
  /** A task is enabled in every state of the cycle and never taken: no fair behaviour repeats this cycle. */
  | { readonly kind: 'unfair'; readonly task: number; readonly message: string }
  | { readonly kind: 'violated'; readonly property: string; readonly obligation: string; readonly message: string }
  /** A fair behaviour on which every obligation's level is 0 or falls somewhere on the cycle. */
  | { readonly kind: 'satisfied' };

/** Judge the infinite behaviour `lasso` stands for: is it fair, and does an obligation stay outstanding on its cycle without falling? */
export function checkLasso<S, A>(model: Model<S, A>, properties: readonly LivenessProperty<S>[], lasso: Lasso<S, A>): LassoCheck {
  const last = lasso.states.length - 1;
  const { loop } = lasso;
  if (!(Number.isInteger(loop) && loop >= 0 && loop < last)) {
    return { kind: 'not-closed', message: `the cycle must start before the last state (loop ${loop}, last state ${last})` };
  }
  if (model.key(lasso.states[loop]!) !== model.key(lasso.states[last]!)) {
    return { kind: 'not-closed', message: `the last state (${last}) is not the state the cycle starts from (${loop})` };
  }
  const task = cycleUnfairTask(model, lasso);
  if (task >= 0) {
    const name = model.describeTask?.(task) ?? `task ${task}`;
    return { kind: 'unfair', task, message: `'${name}' is enabled in every state of the cycle and never taken` };
  }
  for (const p of properties) {
    for (let j = 0; j < p.obligations.length; j++) {
      let kept = true;
      for (let i = loop; i < last && kept; i++) {
        const here = p.levels(lasso.states[i]!)[j]!;
        kept = here > 0 && p.levels(lasso.states[i + 1]!)[j]! >= here;
      }
      if (kept) return { kind: 'violated', property: p.name, obligation: p.obligations[j]!, message: p.violation(j) };
    }
  }
  return { kind: 'satisfied' };
}

function cycleUnfairTask<S, A>(model: Model<S, A>, lasso: Lasso<S, A>): number {
  const fairTask = model.fairTask;
  if (fairTask === undefined) return -1;
  let always: Set<number> | undefined;
  for (let i = lasso.loop; i < lasso.states.length - 1; i++) {
    const s = lasso.states[i]!;
    const here = new Set<number>();
    for (const a of model.actions(s)) {
      const t = fairTask.call(model, s, a);
      if (t >= 0) here.add(t);
    }
    always = always === undefined ? here : new Set([...always].filter((t) => here.has(t)));
  }
  for (let i = lasso.loop; i < lasso.states.length - 1; i++) always?.delete(fairTask.call(model, lasso.states[i]!, lasso.actions[i]!));
  return always === undefined || always.size === 0 ? -1 : Math.min(...always);
}

// ---- reports ---------------------------------------------------------------------------------------------------

/** One line describing a liveness check's progress, as `vnicspec check` prints it. */
export function formatLivenessProgress(p: LivenessProgress): string {
  const at = `${(p.elapsedMs / 1000).toFixed(1)}s`;
  if (p.phase === 'graph') {
    return (
      `Liveness graph at ${at}: ${formatCount(p.states)} states, ${formatCount(p.transitions)} transitions, depth ${p.depth}, ` +
      `${formatCount(p.queue)} on queue, ${formatCount(p.statesPerSecond)} states/s, memory ${formatBytes(p.memoryBytes)}`
    );
  }
  return `Liveness cycles at ${at}: '${p.property}' ${p.obligation}: ${formatCount(p.visited)} of ${formatCount(p.of)} states searched, memory ${formatBytes(p.memoryBytes)}`;
}

/** The liveness phase's report: verdict, then statistics. */
export function formatLivenessSummary(r: LivenessResult<unknown, unknown>, names: readonly string[]): string {
  const lines: string[] = [];
  const what = names.map((n) => `'${n}'`).join(', ');
  switch (r.verdict) {
    case 'holds':
      lines.push(`Liveness: ${what} ${names.length === 1 ? 'holds' : 'hold'} on every fair behaviour (no fair cycle keeps an obligation outstanding).`);
      break;
    case 'violated': {
      lines.push(`Error: liveness property '${r.property}' is violated (${r.obligation}): ${r.message}`);
      const l = r.lasso;
      if (l !== undefined) {
        const cycle = l.actions.length - l.loop;
        lines.push(`Counterexample: a lasso of ${l.actions.length} steps: ${l.loop} to reach the cycle, then ${cycle} repeated forever.`);
      }
      break;
    }
    case 'incomplete':
      lines.push(`Liveness incomplete (${r.incompleteReason}): no fair violating cycle in the explored part; nothing is proven.`);
      break;
    case 'error':
      lines.push(`Error: the model raised a specification error during the liveness search: ${r.message}`);
      break;
  }
  lines.push(
    `Liveness graph: ${formatCount(r.states)} states, ${formatCount(r.transitions)} transitions, depth ${r.depth}, ${formatBytes(r.graphBytes)}; ` +
      `finished in ${r.seconds.toFixed(3)}s (graph ${r.graphSeconds.toFixed(3)}s, cycles ${(r.seconds - r.graphSeconds).toFixed(3)}s).`,
  );
  return lines.join('\n');
}
