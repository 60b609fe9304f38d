/**
 * Explicit-state search over object states (any `Model`): breadth-first (`shift` from the frontier: shortest
 * counterexamples) or depth-first (`pop`: a small frontier). Per visited state it keeps only its key in the visited
 * set and a parent id and action index, never the state itself; only frontier states are alive (or not even they,
 * when the model can `unpack` them from the visited set).
 *
 * The search runs in slices (`step`), so that `searchAsync` can let the event loop run between them.
 */
import { PropertyChecks } from '../checks.js';
import { ModelError, type Model } from '../model.js';
import { NO_PARENT, Parents } from '../parents.js';
import type { Outcome } from '../result.js';
import { YIELD, type Stops } from '../stops.js';
import type { IncompleteReason, SearchOptions } from '../types.js';
import { WordBuffer } from '../../util/packed-set.js';
import { Frontier } from './frontier.js';
import { KeyIndex, PackedIndex, type StateIndex } from './visited.js';

export class ObjectChecker<S, A> {
  private readonly bfs: boolean;
  private readonly canon: ((s: S) => S) | undefined;
  private readonly index: StateIndex<S>;
  private readonly packed: PackedIndex<S> | undefined;
  /** With pack and unpack the frontier keeps ids only; states are rebuilt from the arena when expanded. */
  private readonly unpack: ((words: Uint32Array, length: number) => S) | undefined;
  /** And with nextPacked, successors are packed straight from the model and only new ones are built. */
  private readonly nextPacked: ((s: S, a: A, out: WordBuffer) => boolean) | undefined;
  private readonly unpackBuf = new WordBuffer();
  private readonly parents = new Parents();
  private readonly checks: PropertyChecks<S>;
  private readonly frontier = new Frontier<S>();
  private count = 0;
  private transitions = 0;
  private maxSeen = 0;
  private expanded = 0;
  private cut: IncompleteReason | undefined;
  private stopped = false;
  private error: { id: number; message: string; action: A | undefined } | undefined;
  /** What the search is doing, for the message of a ModelError. */
  private stage = 'initial()';
  /** The state a ModelError is blamed on. */
  private current = NO_PARENT;
  private errorAction: A | undefined;

  constructor(
    private readonly model: Model<S, A>,
    options: SearchOptions<S>,
    private readonly stops: Stops,
  ) {
    this.bfs = options.strategy === 'bfs';
    if (options.symmetry === true) {
      const c = model.canonical!;
      this.canon = (s) => c.call(model, s);
    }
    this.checks = new PropertyChecks(options.properties);
    const packInto = model.pack;
    if (packInto !== undefined) {
      this.packed = new PackedIndex<S>((st, out) => packInto.call(model, st, out));
      this.index = this.packed;
    } else {
      this.index = new KeyIndex<S>((st) => model.key(st));
    }
    this.unpack = this.packed !== undefined && model.unpack !== undefined ? model.unpack.bind(model) : undefined;
    this.nextPacked = this.unpack !== undefined && this.canon === undefined && model.nextPacked !== undefined ? model.nextPacked.bind(model) : undefined;
  }

  /** Work until the search ends (true) or a slice is over (false). */
  step(): boolean {
    try {
      if (this.stage === 'initial()') this.seed();
      while (!this.stopped) {
        let id = this.resumeId;
        this.resumeId = NO_PARENT;
        if (id === NO_PARENT) {
          if (this.frontier.size === 0) break;
          id = this.bfs ? this.frontier.shift() : this.frontier.pop();
          this.takenState = this.frontier.taken;
          this.takenDepth = this.frontier.takenDepth;
          if (++this.expanded >= this.stops.nextPoll) {
            const r = this.stops.poll(this.expanded, this.count, this.maxSeen, this.frontier.size);
            if (r === YIELD) {
              this.resumeId = id;
              return false;
            }
            if (r !== undefined) {
              this.cut = r;
              this.dropped = 1;
              break;
            }
          }
        }
        this.expand(id, this.takenState, this.takenDepth);
        this.takenState = undefined;
      }
    } catch (e) {
      if (!(e instanceof ModelError)) throw e;
      const action = this.errorAction;
      this.error = { id: this.current, message: action !== undefined ? `${this.model.label(action)}: ${e.message}` : `in ${this.stage}: ${e.message}`, action };
    }
    return true;
  }

  /** A state taken from the frontier and not yet expanded (after a yield), with its object and depth. */
  private resumeId = NO_PARENT;
  private takenState: S | undefined;
  private takenDepth = 0;
  /** 1 when a stop left a state taken from the frontier unexpanded (it still counts as queued). */
  private dropped = 0;

  /** Discover the initial states. */
  private seed(): void {
    const inits = this.model.initial();
    this.stage = 'key()';
    for (let i = 0; i < inits.length && !this.stopped; i++) {
      this.stage = 'key()';
      const s = this.canon ? this.canon(inits[i]!) : inits[i]!;
      if (this.index.find(s) !== -1) continue;
      this.discover(s, NO_PARENT, i, 0);
    }
  }

  /** Discover the successors of state `id` (its object `taken`, unless the model unpacks it). */
  private expand(id: number, taken: S | undefined, depth: number): void {
    const model = this.model;
    let s: S;
    this.current = id;
    if (this.unpack) {
      this.stage = 'unpack()';
      this.packed!.store.read(id, this.unpackBuf);
      s = this.unpack(this.unpackBuf.words, this.unpackBuf.length);
    } else s = taken as S;
    this.stage = 'actions()';
    const actions = model.actions(s);
    if (depth >= this.stops.maxDepth) {
      if (actions.length > 0) this.cut = 'max-depth';
      return;
    }
    for (let i = 0; i < actions.length && !this.stopped; i++) {
      const t = this.successor(s, actions[i]!);
      if (t === undefined) continue;
      this.discover(t, id, i, depth + 1);
      this.current = id;
    }
  }

  /** The successor of `s` by `a` if it is a new state, else undefined. */
  private successor(s: S, a: A): S | undefined {
    this.stage = 'next()';
    this.errorAction = a;
    const nextPacked = this.nextPacked;
    if (nextPacked !== undefined) {
      const buf = this.packed!.buf;
      buf.clear();
      const moved = nextPacked(s, a, buf);
      this.errorAction = undefined;
      this.transitions++;
      if (!moved) return undefined; // a self-loop: s is visited
      this.stage = 'key()';
      if (this.packed!.store.find(buf) !== -1) return undefined;
      if (this.full()) return undefined;
      this.stage = 'unpack()';
      return this.unpack!(buf.words, buf.length);
    }
    let t = this.model.next(s, a);
    this.stage = 'key()';
    this.errorAction = undefined;
    this.transitions++;
    if (this.canon) t = this.canon(t);
    if (this.index.find(t) !== -1) return undefined;
    return this.full() ? undefined : t;
  }

  /** Whether the state bound stops the search before a new state is stored. */
  private full(): boolean {
    if (this.count < this.stops.maxStates) return false;
    this.cut = 'max-states';
    this.stopped = true;
    return true;
  }

  /** Record a new state (the one last passed to the index's `find`) and check it. */
  private discover(s: S, parent: number, action: number, depth: number): void {
    if (parent === NO_PARENT && this.full()) return;
    const id = this.count++;
    this.parents.set(id, parent, action);
    if (depth > this.maxSeen) this.maxSeen = depth;
    this.index.add(id);
    this.stage = 'a property check';
    this.current = id; // a property that throws blames the new state
    if (!this.checks.check(s, id)) {
      this.stopped = true;
      return;
    }
    this.frontier.push(this.unpack ? undefined : s, id, depth);
  }

  outcome(): Outcome<S, A> {
    const canon = this.canon;
    const index = this.index;
    return {
      states: this.count,
      transitions: this.transitions,
      depth: this.maxSeen,
      queue: this.frontier.size + this.dropped,
      workers: 1,
      cut: this.error !== undefined || this.checks.failed !== undefined ? undefined : this.cut,
      failed: this.checks.failed,
      error: this.error,
      witnessIds: this.checks.witnessIds,
      parents: this.parents,
      idOf: canon ? (s) => index.find(canon(s)) : (s) => index.find(s),
      symmetric: canon !== undefined,
    };
  }
}
