/**
 * From what a strategy found (an `Outcome`: counts, ids of interesting states, parent columns) to the
 * `SearchResult` users see: verdict, messages and traces. Every strategy ends here, so verdicts mean the same
 * whichever one ran. Traces are rebuilt with the object-level `Model`; a packed strategy reports only ids and
 * action indices, and the messages of violations and errors are taken from the object-level model on the rebuilt
 * states — which also checks that the two levels agree.
 */
import { ModelError, type Model, type Property } from './model.js';
import { NO_PARENT, type Parents } from './parents.js';
import { reconstruct } from './reconstruct.js';
import type { IncompleteReason, SearchOptions, SearchResult, Trace } from './types.js';

export interface Outcome<S, A> {
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
  readonly queue: number;
  readonly workers: number;
  readonly cut?: IncompleteReason | undefined;
  /** An 'always' property failed in state `id` (message: as the check said, when the strategy has it). */
  readonly failed?: { readonly id: number; readonly property: string; readonly message?: string | undefined } | undefined;
  /**
   * A ModelError while expanding state `id` (or checking it): the message and action when the strategy has them,
   * else the index of the failing action in `actions(state)`, to be reproduced with the object-level model.
   */
  readonly error?:
    | { readonly id: number; readonly message?: string | undefined; readonly action?: A | undefined; readonly actionIndex?: number | undefined }
    | undefined;
  /** Id of the first witness of each witnessed 'sometimes' property. */
  readonly witnessIds: ReadonlyMap<string, number>;
  readonly parents: Parents;
  /** The id of a state in the visited set (canonicalised first under symmetry), or -1. */
  readonly idOf: (s: S) => number;
  readonly symmetric: boolean;
  readonly fingerprintCollision?: number | undefined;
}

/**
 * The `fingerprintCollision` field of a packed search's outcome (one thread or parallel): TLC's optimistic estimate
 * of the chance that two distinct states share a 64-bit fingerprint, with n distinct states among g generated
 * (initial states and every successor computed). No field when the search stored whole keys.
 */
export function fingerprintEstimate(fingerprint: boolean, n: number, g: number): { fingerprintCollision?: number } {
  return fingerprint ? { fingerprintCollision: (n * Math.max(0, g - n)) / 2 ** 64 } : {};
}

export interface Finish {
  readonly seconds: number;
  readonly memoryBytes: number;
}

export function toResult<S, A>(model: Model<S, A>, options: SearchOptions<S>, o: Outcome<S, A>, f: Finish): SearchResult<S, A> {
  const rebuild = (id: number): Trace<S, A> => reconstruct(model, id, o.parents, o.idOf, o.symmetric);
  const witnessed: Record<string, boolean> = {};
  const witnesses: Record<string, Trace<S, A>> = {};
  for (const p of options.properties) {
    if (p.kind !== 'sometimes') continue;
    const w = o.witnessIds.get(p.name);
    witnessed[p.name] = w !== undefined;
    if (w !== undefined) witnesses[p.name] = rebuild(w);
  }
  const base = {
    states: o.states,
    transitions: o.transitions,
    depth: o.depth,
    queue: o.queue,
    seconds: f.seconds,
    statesPerSecond: f.seconds > 0 ? o.states / f.seconds : 0,
    memoryBytes: f.memoryBytes,
    workers: o.workers,
    ...(o.fingerprintCollision !== undefined ? { fingerprintCollision: o.fingerprintCollision } : {}),
    witnessed,
    witnesses,
  };

  if (o.error !== undefined) {
    const trace = o.error.id !== NO_PARENT ? rebuild(o.error.id) : undefined;
    let { message, action } = o.error;
    if (message === undefined) ({ message, action } = reproduceError(model, trace, o.error.actionIndex));
    return { verdict: 'error', message, ...base, ...(trace ? { trace } : {}), ...(action !== undefined ? { errorAction: action } : {}) };
  }
  if (o.failed !== undefined) {
    const trace = rebuild(o.failed.id);
    const last = trace.states[trace.states.length - 1]!;
    // With symmetry or a packed model the check ran on another representation; report what the concrete state says.
    const property = options.properties.find((p) => p.name === o.failed!.property)!;
    const concrete = o.symmetric || o.failed.message === undefined ? property.check(last) : undefined;
    const message = concrete ?? o.failed.message;
    if (message === undefined) throw new Error(`search: property '${property.name}' failed on the packed state but holds on the state rebuilt from it`);
    return { verdict: 'violated', property: property.name, message, trace, ...base };
  }
  if (o.cut !== undefined) return { verdict: 'incomplete', incompleteReason: o.cut, ...base };
  const never = options.properties.find((p: Property<S>) => p.kind === 'sometimes' && !o.witnessIds.has(p.name));
  if (never !== undefined) return { verdict: 'violated', property: never.name, message: 'never reached', ...base };
  return { verdict: 'holds', ...base };
}

/** The ModelError that action `index` of the trace's last state raises, as the object-level search reports it. */
function reproduceError<S, A>(model: Model<S, A>, trace: Trace<S, A> | undefined, index: number | undefined): { message: string; action: A | undefined } {
  if (trace === undefined || index === undefined) throw new Error('search: a specification error without a state or action to reproduce it');
  const s = trace.states[trace.states.length - 1]!;
  const action = model.actions(s)[index];
  if (action === undefined) throw new Error(`search: the packed model failed on action ${index}, which the state does not have`);
  try {
    model.next(s, action);
  } catch (e) {
    if (e instanceof ModelError) return { message: `${model.label(action)}: ${e.message}`, action };
    throw e;
  }
  throw new Error(`search: the packed model failed on '${model.label(action)}', which the object-level model takes without error`);
}
