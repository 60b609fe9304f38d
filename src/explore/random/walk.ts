/**
 * One random walk through a `Model`, as TLC's simulation mode and `quint run` take them: from an initial state, up
 * to `depth` steps, each an action drawn uniformly from the enabled ones (or, in a swarm walk, from the enabled ones
 * of the kinds this walk allows), checking every 'always' property on every state reached.
 *
 * A walk is a pure function of (model, seed, walk index): its generator comes from `walkGenerator(seed, walk)`.
 * The walker keeps no state between walks except caches that do not change results, and records only the index of
 * each action taken, from which the caller rebuilds the states of the one walk it reports.
 */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { ModelError, type Model, type Property } from '../model.js';
import { grown } from '../../util/grown.js';
import { fmix32, hashString, walkGenerator } from './rng.js';

/** What fixes every walk: the seed, the steps per walk, and whether walks are swarm walks. */
export interface WalkSettings {
  readonly seed: number;
  /** Steps per walk at most. */
  readonly depth: number;
  /** Each walk allows a random half of the action kinds (SPIN's swarm verification, Groce et al.'s swarm testing). */
  readonly swarm: boolean;
}

/** How the last walk ended: all `depth` steps taken, no action enabled, a property violated, a specification error. */
export type WalkEnd = 'done' | 'deadlock' | 'violated' | 'error' | 'stopped';

export class Walker<S, A> {
  /** The properties checked, as given. */
  readonly properties: readonly Property<S>[];
  private readonly always: readonly Property<S>[];
  /** The 'sometimes' properties, in the order given. */
  readonly sometimes: readonly Property<S>[];
  private readonly inits: readonly S[];
  /** Per initial state: the first 'always' property it violates (index into `always`), or -1. */
  private readonly initViolation: number[];
  private readonly kindHashes = new Map<string, number>();
  private scratch = new Int32Array(64);

  /** Index into `initial()` the last walk started from. */
  init = 0;
  /** Indices into `actions(state)` of the actions the last walk took: the first `steps`. */
  taken = new Int32Array(256);
  steps = 0;
  end: WalkEnd = 'done';
  /** 'violated': the property and why; 'error': the specification error. */
  property: string | undefined;
  message: string | undefined;
  /** 'error' raised by `next`: the index of the failing action in the last state's `actions()` (not in `taken`). */
  errorIndex = -1;
  /** Per 'sometimes' property: the step of the last walk at which it was first witnessed, or -1. */
  readonly witnessStep: Int32Array;
  /** Per 'sometimes' property: still looked for (set by the caller; a witnessed one costs nothing afterwards). */
  readonly wanted: boolean[];
  /** The swarm walk's choice of kinds: a kind is allowed when fmix32(hash ^ key) is even. */
  private swarmKey = 0;

  constructor(
    readonly model: Model<S, A>,
    properties: readonly Property<S>[],
    readonly settings: WalkSettings,
  ) {
    if (!Number.isSafeInteger(settings.depth) || settings.depth < 0) throw new RangeError(`walk: depth must be a non-negative integer, got ${settings.depth}`);
    this.properties = properties;
    this.always = properties.filter((p) => p.kind === 'always');
    this.sometimes = properties.filter((p) => p.kind === 'sometimes');
    this.witnessStep = new Int32Array(this.sometimes.length).fill(-1);
    this.wanted = this.sometimes.map(() => true);
    this.inits = model.initial();
    if (this.inits.length === 0) throw new RangeError('walk: the model has no initial state');
    // Every walk starts from one of these: check them once.
    this.initViolation = this.inits.map((s) => this.always.findIndex((p) => p.check(s) !== undefined));
  }

  /**
   * Take walk number `walk`. `stop` is asked every 1024 steps whether to give up (a timeout, Ctrl-C): the walk then
   * ends as 'stopped'. Results are in the fields above.
   */
  run(walk: number, stop?: () => boolean): void {
    const gen = walkGenerator(this.settings.seed, walk);
    const model = this.model;
    const always = this.always;
    const depth = this.settings.depth;
    const swarm = this.settings.swarm;
    this.swarmKey = swarm ? gen.next() : 0;
    this.init = this.inits.length === 1 ? 0 : uniformInt(gen, 0, this.inits.length - 1);
    this.steps = 0;
    this.end = 'done';
    this.property = undefined;
    this.message = undefined;
    this.errorIndex = -1;
    this.witnessStep.fill(-1);
    let s: S = this.inits[this.init]!;
    const bad = this.initViolation[this.init]!;
    if (bad >= 0) {
      this.violated(always[bad]!, always[bad]!.check(s)!);
      return;
    }
    this.lookForWitnesses(s, 0);

    let steps = 0;
    let actions: readonly A[] = [];
    let choice = -1;
    try {
      for (; steps < depth; steps++) {
        if ((steps & 1023) === 1023 && stop !== undefined && stop()) {
          this.end = 'stopped';
          break;
        }
        actions = model.actions(s);
        const n = actions.length;
        if (n === 0) {
          this.end = 'deadlock';
          break;
        }
        choice = swarm ? this.swarmChoice(actions, gen) : n === 1 ? 0 : uniformInt(gen, 0, n - 1);
        const t = model.next(s, actions[choice]!);
        if (steps === this.taken.length) this.taken = grown(this.taken, steps * 2);
        this.taken[steps] = choice;
        choice = -1;
        for (let j = 0; j < always.length; j++) {
          const why = always[j]!.check(t);
          if (why !== undefined) {
            this.steps = steps + 1;
            this.violated(always[j]!, why);
            return;
          }
        }
        this.lookForWitnesses(t, steps + 1);
        s = t;
      }
    } catch (e) {
      if (!(e instanceof ModelError)) throw e;
      this.end = 'error';
      // A throw in next() blames the action; one in a property check (choice already reset) the state reached.
      if (choice >= 0) {
        this.errorIndex = choice;
        this.message = `${model.label(actions[choice]!)}: ${e.message}`;
      } else {
        steps++;
        this.message = e.message;
      }
    }
    this.steps = steps;
  }

  private violated(p: Property<S>, why: string): void {
    this.end = 'violated';
    this.property = p.name;
    this.message = why;
  }

  private lookForWitnesses(s: S, step: number): void {
    const props = this.sometimes;
    for (let j = 0; j < props.length; j++) {
      if (this.wanted[j] && this.witnessStep[j]! < 0 && props[j]!.check(s) === undefined) this.witnessStep[j] = step;
    }
  }

  /** An enabled action of an allowed kind, uniformly; any enabled action when the walk allows none of them. */
  private swarmChoice(actions: readonly A[], gen: RandomGenerator): number {
    const n = actions.length;
    if (this.scratch.length < n) this.scratch = new Int32Array(n * 2);
    const allowed = this.scratch;
    let count = 0;
    for (let i = 0; i < n; i++) if (this.allows(actions[i]!)) allowed[count++] = i;
    if (count === 0) return n === 1 ? 0 : uniformInt(gen, 0, n - 1);
    return count === 1 ? allowed[0]! : allowed[uniformInt(gen, 0, count - 1)]!;
  }

  /** Whether the current swarm walk allows the kind of `a`. */
  allows(a: A): boolean {
    const kind = this.kindOf(a);
    let h = this.kindHashes.get(kind);
    if (h === undefined) {
      h = hashString(kind);
      this.kindHashes.set(kind, h);
    }
    return (fmix32(h ^ this.swarmKey) & 1) === 0;
  }

  kindOf(a: A): string {
    return this.model.actionKind !== undefined ? this.model.actionKind(a) : this.model.label(a);
  }

  /** Which of `kinds` walk `walk` allows, sorted (for reports: what a swarm walk was restricted to). */
  allowedKinds(walk: number, kinds: Iterable<string>): string[] {
    if (!this.settings.swarm) return [];
    const key = walkGenerator(this.settings.seed, walk).next();
    return [...new Set(kinds)].filter((k) => (fmix32(hashString(k) ^ key) & 1) === 0).sort(naturalOrder);
  }
}

/** Strings with their digit runs compared as numbers (vm2 before vm10), else by code unit: the same everywhere. */
export function naturalOrder(a: string, b: string): number {
  const re = /(\d+)|(\D+)/g;
  const pa = a.match(re) ?? [];
  const pb = b.match(re) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const nx = /^\d/.test(x) && /^\d/.test(y);
    if (nx && Number(x) !== Number(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}
