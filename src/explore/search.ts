/**
 * Explicit-state search (in the spirit of TLC, SPIN and Stateright) over any `Model`.
 *
 * One loop serves both strategies: the frontier is a ring buffer taken from the front (BFS: shortest
 * counterexamples) or the back (DFS: the frontier stays small). Per visited state the search keeps only its key in
 * the visited map and three int32 slots — parent id, index of the action taken in `actions(parent)`, depth — never
 * the state itself; only frontier states are alive. Traces are rebuilt by walking parent ids back and re-executing.
 */
import { ModelError, type Model, type Property } from './model.js';
import { grown } from '../util/grown.js';
import { PackedSet, WordBuffer } from '../util/packed-set.js';

/** Breadth-first (counterexamples are shortest) or depth-first (the frontier stays small). */
export type Strategy = 'bfs' | 'dfs';
/**
 * How a search ended: every reachable state satisfies every property (`holds`, only after a complete search), a
 * property failed (`violated`), a bound stopped it first (`incomplete`: nothing proven), or the model threw a
 * `ModelError` (`error`).
 */
export type Verdict = 'holds' | 'violated' | 'incomplete' | 'error';
/** Which bound made a search `incomplete`. */
export type IncompleteReason = 'max-states' | 'max-depth' | 'timeout';

/** A progress report during a search (`SearchOptions.onProgress`), as TLC prints them. */
export interface Progress {
  /** Distinct states discovered so far. */
  readonly states: number;
  /** Deepest state discovered so far. */
  readonly depth: number;
  /** States waiting in the frontier. */
  readonly queue: number;
  /** Discovery rate since the previous report. */
  readonly statesPerSecond: number;
  /** JavaScript heap plus ArrayBuffers (the packed visited set and parent columns are typed arrays). */
  readonly memoryBytes: number;
  readonly elapsedMs: number;
}

/** How to search: the strategy, the properties to check, bounds, symmetry reduction and progress reports. */
export interface SearchOptions<S> {
  readonly strategy: Strategy;
  /** Stop (verdict 'incomplete') rather than store more than this many distinct states. */
  readonly maxStates?: number;
  /** States at this depth are checked but not expanded; if any of them has an enabled action the search is 'incomplete'. */
  readonly maxDepth?: number;
  readonly timeoutMs?: number;
  /** Store `model.canonical(s)` instead of `s`; every property must be symmetric (see `Model.canonical`). */
  readonly symmetry?: boolean;
  readonly properties: readonly Property<S>[];
  readonly onProgress?: (p: Progress) => void;
  /** Default 1000. */
  readonly progressEveryMs?: number;
  /** Milliseconds clock, injectable so tests of timeouts and progress are deterministic. */
  readonly now?: () => number;
  /**
   * Called once when the search stops, whatever the verdict (unless something other than a ModelError is thrown):
   * after its last clock reading, so time spent here is not in `seconds`, and while the visited set and the parent
   * columns are still alive, before any trace is rebuilt. For measurements such as the retained memory per state.
   */
  readonly onFinish?: () => void;
}

/** A concrete execution: `states[i + 1] = next(states[i], actions[i])`, `states[0]` an initial state. */
export interface Trace<S, A> {
  readonly states: S[];
  readonly actions: A[];
}

/** The outcome of a search: its verdict, the statistics, and a counterexample or witness traces where there are any. */
export interface SearchResult<S, A> {
  readonly verdict: Verdict;
  /** The property that failed ('violated'). */
  readonly property?: string;
  /** Why it failed, or the ModelError message ('error'). */
  readonly message?: string;
  /** Set exactly when verdict is 'incomplete': a bound cut the search before anything was found. */
  readonly incompleteReason?: IncompleteReason;
  readonly states: number;
  /** Successor computations, including those reaching already visited states. */
  readonly transitions: number;
  readonly depth: number;
  readonly seconds: number;
  readonly statesPerSecond: number;
  /** 'violated' by an 'always' property: path to the violating state. 'error': path to the state being expanded. */
  readonly trace?: Trace<S, A>;
  /** 'error' raised by `next`: the action that raised it (not part of `trace`, which has no successor for it). */
  readonly errorAction?: A;
  /** Per 'sometimes' property: was some discovered state a witness? */
  readonly witnessed: Record<string, boolean>;
  /** Per witnessed 'sometimes' property: a path to its first witness (shortest under BFS). */
  readonly witnesses: Record<string, Trace<S, A>>;
}

// V8 refuses to grow a Map past 2^24 entries; beyond that the visited set spills into further maps.
const MAP_LIMIT = 1 << 24;
const NO_PARENT = -1;

/** The visited set: `find` a state's id (or -1), then `add` the state last passed to `find` under the next id. */
interface StateIndex<S> {
  find(s: S): number;
  add(id: number): void;
}

/** Over `model.key`: key → state id, as one Map until V8's per-Map limit, then sharded (the newest map is asked first). */
class KeyIndex<S> implements StateIndex<S> {
  private readonly maps: Map<string, number>[];
  private current = new Map<string, number>();
  private last = '';

  constructor(private readonly keyOf: (s: S) => string) {
    this.maps = [this.current];
  }

  find(s: S): number {
    const key = this.keyOf(s);
    this.last = key;
    const id = this.current.get(key);
    if (id !== undefined) return id;
    for (let i = 0; i < this.maps.length - 1; i++) {
      const other = this.maps[i]!.get(key);
      if (other !== undefined) return other;
    }
    return -1;
  }

  add(id: number): void {
    if (this.current.size >= MAP_LIMIT) {
      this.current = new Map();
      this.maps.push(this.current);
    }
    this.current.set(this.last, id);
  }
}

/** Over `model.pack`: the byte arena of packed-states.ts. */
class PackedIndex<S> implements StateIndex<S> {
  readonly store = new PackedSet();
  readonly buf = new WordBuffer();
  constructor(private readonly packInto: (s: S, out: WordBuffer) => void) {}
  find(s: S): number {
    this.buf.clear();
    this.packInto(s, this.buf);
    return this.store.find(this.buf);
  }
  add(id: number): void {
    if (this.store.add() !== id) throw new Error('search: packed state ids out of step');
  }
}

/** Ring buffer of (state, id): `shift` for BFS, `pop` for DFS. No Array.shift, which is O(n) on large arrays. */
class Frontier<S> {
  private states: (S | undefined)[];
  private ids: Int32Array;
  private depths: Int32Array;
  private mask: number;
  private head = 0;
  size = 0;
  /** The state and depth of the entry most recently removed (avoids allocating a pair per removal). */
  taken: S | undefined;
  takenDepth = 0;

  constructor() {
    const capacity = 1024;
    this.states = new Array<S | undefined>(capacity).fill(undefined);
    this.ids = new Int32Array(capacity);
    this.depths = new Int32Array(capacity);
    this.mask = capacity - 1;
  }

  push(s: S | undefined, id: number, depth: number): void {
    if (this.size > this.mask) this.grow();
    const j = (this.head + this.size) & this.mask;
    this.states[j] = s;
    this.ids[j] = id;
    this.depths[j] = depth;
    this.size++;
  }

  shift(): number {
    const j = this.head;
    this.taken = this.states[j];
    this.takenDepth = this.depths[j]!;
    this.states[j] = undefined; // let the state be collected once expanded
    this.head = (j + 1) & this.mask;
    this.size--;
    return this.ids[j]!;
  }

  pop(): number {
    const j = (this.head + this.size - 1) & this.mask;
    this.taken = this.states[j];
    this.takenDepth = this.depths[j]!;
    this.states[j] = undefined;
    this.size--;
    return this.ids[j]!;
  }

  private grow(): void {
    const capacity = (this.mask + 1) * 2;
    const states = new Array<S | undefined>(capacity).fill(undefined);
    const ids = new Int32Array(capacity);
    const depths = new Int32Array(capacity);
    for (let i = 0; i < this.size; i++) {
      const j = (this.head + i) & this.mask;
      states[i] = this.states[j];
      ids[i] = this.ids[j]!;
      depths[i] = this.depths[j]!;
    }
    this.states = states;
    this.ids = ids;
    this.depths = depths;
    this.mask = capacity - 1;
    this.head = 0;
  }
}

/**
 * Per stored state: its parent's id and the index of the action that reached it — all a trace needs. Actions are
 * one byte (an index ≥ 255 goes to a side map), and the columns grow by half, so a state costs about 5 bytes here.
 */
class Parents {
  parent = new Int32Array(1024);
  action = new Uint8Array(1024);
  private readonly bigActions = new Map<number, number>();

  set(id: number, parent: number, action: number): void {
    if (id >= this.parent.length) {
      const n = Math.ceil(id * 1.5) + 16;
      this.parent = grown(this.parent, n);
      this.action = grown(this.action, n);
    }
    this.parent[id] = parent;
    if (action < 255) this.action[id] = action;
    else {
      this.action[id] = 255;
      this.bigActions.set(id, action);
    }
  }

  parentOf(id: number): number {
    return this.parent[id]!;
  }

  actionOf(id: number): number {
    const a = this.action[id]!;
    return a < 255 ? a : this.bigActions.get(id)!;
  }
}

function defaultNow(): number {
  return performance.now();
}

function memoryUsed(): number {
  if (typeof process === 'undefined') return 0;
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function checkBound(name: string, value: number | undefined): number {
  if (value === undefined) return Infinity;
  if (!(value >= 0)) throw new RangeError(`search: ${name} must be a non-negative number, got ${value}`);
  return value;
}

/** Explore the states reachable in `model`, checking `options.properties` on every distinct state. */
export function search<S, A>(model: Model<S, A>, options: SearchOptions<S>): SearchResult<S, A> {
  if (options.strategy !== 'bfs' && options.strategy !== 'dfs') {
    throw new RangeError(`search: unknown strategy '${String(options.strategy)}'`);
  }
  const bfs = options.strategy === 'bfs';
  let canon: ((s: S) => S) | undefined;
  if (options.symmetry === true) {
    const c = model.canonical;
    if (c === undefined) throw new TypeError('search: options.symmetry needs a model with canonical()');
    canon = (s) => c.call(model, s);
  }
  const maxStates = checkBound('maxStates', options.maxStates);
  const maxDepth = checkBound('maxDepth', options.maxDepth);
  const timeoutMs = checkBound('timeoutMs', options.timeoutMs);
  const progressEveryMs = checkBound('progressEveryMs', options.progressEveryMs ?? 1000);
  const onProgress = options.onProgress;
  const now = options.now ?? defaultNow;

  const names = new Set<string>();
  for (const p of options.properties) {
    // Results are reported by name, so two properties with one name would shadow each other.
    if (names.has(p.name)) throw new RangeError(`search: two properties are named '${p.name}'`);
    names.add(p.name);
  }
  const always = options.properties.filter((p) => p.kind === 'always');
  // 'sometimes' properties leave this list once witnessed, so a witnessed one costs nothing afterwards.
  let pending = options.properties.filter((p) => p.kind === 'sometimes');
  const witnessIds = new Map<string, number>();

  const packInto = model.pack;
  const unpackFrom = model.unpack;
  let packed: PackedIndex<S> | undefined;
  let index: StateIndex<S>;
  if (packInto !== undefined) {
    packed = new PackedIndex<S>((st, out) => packInto.call(model, st, out));
    index = packed;
  } else {
    index = new KeyIndex<S>((st) => model.key(st));
  }
  // With pack and unpack the frontier keeps ids only and states are rebuilt from the arena when expanded.
  const unpack = packed !== undefined && unpackFrom !== undefined ? unpackFrom : undefined;
  // And with nextPacked, successors are packed straight from the model and only new ones are built (by unpack).
  const nextPacked = unpack !== undefined && canon === undefined ? model.nextPacked : undefined;
  const unpackBuf = new WordBuffer();
  const parents = new Parents();
  let count = 0;
  let transitions = 0;
  let maxSeen = 0;
  const frontier = new Frontier<S>();

  let cut: IncompleteReason | undefined;
  let failedId = NO_PARENT;
  let failedProperty: string | undefined;
  let failedMessage: string | undefined;
  let errorId = NO_PARENT;
  let errorAction: A | undefined;
  let errorMessage: string | undefined;

  /** Record a new state; returns false when a property check ended the search. */
  const discover = (s: S, parent: number, action: number, depth: number): boolean => {
    const id = count++;
    parents.set(id, parent, action);
    if (depth > maxSeen) maxSeen = depth;
    index.add(id);
    for (let i = 0; i < always.length; i++) {
      const why = always[i]!.check(s);
      if (why !== undefined) {
        failedId = id;
        failedProperty = always[i]!.name;
        failedMessage = why;
        return false;
      }
    }
    if (pending.length > 0) {
      let hit = false;
      for (let i = 0; i < pending.length; i++) {
        if (pending[i]!.check(s) === undefined) {
          witnessIds.set(pending[i]!.name, id);
          hit = true;
        }
      }
      if (hit) pending = pending.filter((p) => !witnessIds.has(p.name));
    }
    frontier.push(unpack ? undefined : s, id, depth);
    return true;
  };

  const start = now();
  let stage = 'initial()';
  let current = NO_PARENT;

  try {
    const inits = model.initial();
    let stopped = false; // by a violation or a bound that ends the search (max-depth does not: it only prunes)
    for (let i = 0; i < inits.length && !stopped; i++) {
      stage = 'key()';
      const s = canon ? canon(inits[i]!) : inits[i]!;
      if (index.find(s) !== -1) continue;
      if (count >= maxStates) {
        cut = 'max-states';
        stopped = true;
        break;
      }
      stage = 'a property check';
      current = count;
      stopped = !discover(s, NO_PARENT, i, 0);
    }

    let expanded = 0;
    let checkEvery = 256;
    let nextCheck = checkEvery;
    let lastCheck = start;
    let lastProgress = start;
    let lastProgressCount = count;

    outer: while (frontier.size > 0 && !stopped) {
      const id = bfs ? frontier.shift() : frontier.pop();
      let s: S;
      if (unpack) {
        stage = 'unpack()';
        packed!.store.read(id, unpackBuf);
        s = unpack.call(model, unpackBuf.words, unpackBuf.length);
      } else s = frontier.taken as S;
      current = id;

      // The clock is read every `checkEvery` expansions (adapted to keep checks ~5–50 ms apart, at most 4096).
      if (++expanded >= nextCheck) {
        const t = now();
        const dt = t - lastCheck;
        if (dt < 5 && checkEvery < 4096) checkEvery *= 2;
        else if (dt > 50 && checkEvery > 1) checkEvery >>= 1;
        nextCheck = expanded + checkEvery;
        lastCheck = t;
        if (onProgress !== undefined && t - lastProgress >= progressEveryMs) {
          const span = t - lastProgress;
          onProgress({
            states: count,
            depth: maxSeen,
            queue: frontier.size,
            statesPerSecond: span > 0 ? ((count - lastProgressCount) * 1000) / span : 0,
            memoryBytes: memoryUsed(),
            elapsedMs: t - start,
          });
          lastProgress = t;
          lastProgressCount = count;
        }
        if (t - start >= timeoutMs) {
          cut = 'timeout';
          break;
        }
      }

      stage = 'actions()';
      const actions = model.actions(s);
      const depth = frontier.takenDepth;
      if (depth >= maxDepth) {
        if (actions.length > 0) cut = 'max-depth';
        continue;
      }
      for (let i = 0; i < actions.length; i++) {
        stage = 'next()';
        errorAction = actions[i];
        let t: S;
        if (nextPacked !== undefined) {
          const buf = packed!.buf;
          buf.clear();
          const moved = nextPacked.call(model, s, actions[i]!, buf);
          errorAction = undefined;
          transitions++;
          if (!moved) continue; // a self-loop: s is visited
          stage = 'key()';
          if (packed!.store.find(buf) !== -1) continue;
          if (count >= maxStates) {
            cut = 'max-states';
            break outer;
          }
          stage = 'unpack()';
          t = unpack!.call(model, buf.words, buf.length);
        } else {
          t = model.next(s, actions[i]!);
          stage = 'key()';
          errorAction = undefined;
          transitions++;
          if (canon) t = canon(t);
          if (index.find(t) !== -1) continue;
          if (count >= maxStates) {
            cut = 'max-states';
            break outer;
          }
        }
        stage = 'a property check';
        current = count; // a property that throws blames the new state
        if (!discover(t, id, i, depth + 1)) break outer;
        current = id;
      }
    }
  } catch (e) {
    if (!(e instanceof ModelError)) throw e;
    errorId = current;
    errorMessage = errorAction !== undefined ? `${model.label(errorAction)}: ${e.message}` : `in ${stage}: ${e.message}`;
  }

  const seconds = (now() - start) / 1000;
  options.onFinish?.();
  const witnessed: Record<string, boolean> = {};
  const witnesses: Record<string, Trace<S, A>> = {};
  const idOf = canon ? (s: S) => index.find(canon(s)) : (s: S) => index.find(s);
  const rebuild = (id: number): Trace<S, A> => reconstruct(model, id, parents, idOf, canon !== undefined);
  for (const p of options.properties) {
    if (p.kind !== 'sometimes') continue;
    const w = witnessIds.get(p.name);
    witnessed[p.name] = w !== undefined;
    if (w !== undefined) witnesses[p.name] = rebuild(w);
  }
  const base = {
    states: count,
    transitions,
    depth: maxSeen,
    seconds,
    statesPerSecond: seconds > 0 ? count / seconds : 0,
    witnessed,
    witnesses,
  };

  if (errorMessage !== undefined) {
    const trace = errorId !== NO_PARENT ? rebuild(errorId) : undefined;
    return {
      verdict: 'error',
      message: errorMessage,
      ...base,
      ...(trace ? { trace } : {}),
      ...(errorAction !== undefined ? { errorAction } : {}),
    };
  }
  if (failedId !== NO_PARENT) {
    const trace = rebuild(failedId);
    // With symmetry the check ran on a representative; report what the concrete final state says.
    const last = trace.states[trace.states.length - 1]!;
    const concrete = canon ? always.find((p) => p.name === failedProperty)?.check(last) : undefined;
    return { verdict: 'violated', property: failedProperty!, message: concrete ?? failedMessage!, trace, ...base };
  }
  if (cut !== undefined) return { verdict: 'incomplete', incompleteReason: cut, ...base };
  const never = options.properties.find((p) => p.kind === 'sometimes' && !witnessIds.has(p.name));
  if (never !== undefined) return { verdict: 'violated', property: never.name, message: 'never reached', ...base };
  return { verdict: 'holds', ...base };
}

/**
 * Re-execute the path to `target` from a real initial state. Each step must reach the recorded child: without
 * symmetry the recorded action index is taken as is (a mismatch means the model is not deterministic); with
 * symmetry the recorded index refers to the representative, so the concrete action is the one whose successor's
 * canonical key is the child's.
 */
function reconstruct<S, A>(
  model: Model<S, A>,
  target: number,
  parents: Parents,
  idOf: (s: S) => number,
  symmetric: boolean,
): Trace<S, A> {
  const path: number[] = [];
  for (let id = target; id !== NO_PARENT; id = parents.parentOf(id)) path.push(id);
  path.reverse();

  const inits = model.initial();
  const root = path[0]!;
  let first = parents.actionOf(root);
  if (first >= inits.length || idOf(inits[first] as S) !== root) {
    first = inits.findIndex((x) => idOf(x) === root);
  }
  if (first < 0) throw new Error('trace reconstruction: no initial state has the recorded key (is initial() deterministic?)');
  let s = inits[first] as S;
  const states: S[] = [s];
  const actions: A[] = [];

  for (let j = 1; j < path.length; j++) {
    const child = path[j]!;
    const enabled = model.actions(s);
    const hint = parents.actionOf(child);
    let found = -1;
    let successor = s;
    const tryAction = (i: number): boolean => {
      if (i >= enabled.length) return false;
      const t = model.next(s, enabled[i] as A);
      if (idOf(t) !== child) return false;
      found = i;
      successor = t;
      return true;
    };
    if (!tryAction(hint) && symmetric) {
      for (let i = 0; i < enabled.length && found < 0; i++) if (i !== hint) tryAction(i);
    }
    if (found < 0) {
      const why = symmetric ? 'no enabled action reaches its orbit (is canonical() sound?)' : 'the recorded action leads elsewhere (are actions()/next() deterministic?)';
      throw new Error(`trace reconstruction failed at step ${j}: ${why}`);
    }
    actions.push(enabled[found] as A);
    states.push(successor);
    s = successor;
  }
  return { states, actions };
}

// ---------------------------------------------------------------------------------------------------------------
// Reports. Numbers are formatted by hand: toLocaleString depends on the host locale and would make output vary.

/** An integer with thousands separators: 1234567 → "1,234,567". */
export function formatCount(n: number): string {
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A byte count for people: 1536 → "1.5 KiB". */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 * 1024) return `${(n / (1024 * 1024 * 1024)).toFixed(2)} GiB`;
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

/** One TLC/SPIN-style progress line. */
export function formatProgress(p: Progress): string {
  return (
    `Progress(${p.depth}) at ${(p.elapsedMs / 1000).toFixed(1)}s: ${formatCount(p.states)} distinct states, ` +
    `${formatCount(p.queue)} on queue, ${formatCount(p.statesPerSecond)} states/s, memory ${formatBytes(p.memoryBytes)}`
  );
}

/** The final report: verdict first, then the statistics and the 'sometimes' witnesses. */
export function formatSummary(result: SearchResult<unknown, unknown>): string {
  const lines: string[] = [];
  switch (result.verdict) {
    case 'holds':
      lines.push('Model checking completed. No error has been found.');
      break;
    case 'violated':
      lines.push(
        result.message === 'never reached'
          ? `Error: property '${result.property}' (sometimes) was never reached.`
          : `Error: property '${result.property}' is violated: ${result.message}`,
      );
      if (result.trace) lines.push(`Counterexample: ${result.trace.actions.length} steps.`);
      break;
    case 'incomplete':
      lines.push(`Search incomplete (${result.incompleteReason}): no error found in the explored part.`);
      break;
    case 'error':
      lines.push(`Error: the model raised a specification error: ${result.message}`);
      if (result.trace) lines.push(`Trace to the failing state: ${result.trace.actions.length} steps.`);
      break;
  }
  lines.push(
    `${formatCount(result.states)} distinct states found, ${formatCount(result.transitions)} transitions, depth ${result.depth}.`,
  );
  lines.push(`Finished in ${result.seconds.toFixed(3)}s (${formatCount(result.statesPerSecond)} states/s).`);
  for (const [name, ok] of Object.entries(result.witnessed)) {
    const w = result.witnesses[name];
    lines.push(ok ? `sometimes '${name}': witnessed${w ? ` after ${w.actions.length} steps` : ''}` : `sometimes '${name}': not witnessed`);
  }
  return lines.join('\n');
}
