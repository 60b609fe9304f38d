/**
 * `vnicspec/explore`: the explicit-state model checker on its own, for models of your own. It knows nothing about
 * NICs: anything that lists its initial states, its enabled actions and their successors (a {@link Model}) can be
 * searched breadth-first (shortest counterexamples) or depth-first, with {@link Property} invariants and
 * reachability checks, bounds, symmetry reduction and progress reports; counterexamples print as text, ITF
 * (Apalache/Quint) or Mermaid, and recorded traces replay against the model.
 *
 * Beyond exhaustive reach, {@link randomSearch} takes random walks (TLC's simulation mode), checks every property on
 * every state and shrinks a failing walk to a short counterexample; {@link randomSearchParallel} spreads the walks
 * over worker threads with the same result. {@link checkLiveness} checks {@link LivenessProperty} obligations
 * ("what is outstanding eventually falls") on the whole graph under weak fairness of the model's `fairTask`s and
 * reports a violation as a lasso.
 *
 * @example
 * ```ts
 * import { search, formatSummary, type Model } from 'vnicspec/explore';
 * const counter: Model<number, 'inc'> = {
 *   initial: () => [0],
 *   actions: (n) => (n < 3 ? ['inc'] : []),
 *   next: (n) => n + 1,
 *   key: String,
 *   label: (a) => a,
 *   vars: (n) => ({ n }),
 * };
 * const result = search(counter, { strategy: 'bfs', properties: [] });
 * console.log(formatSummary(result)); // … 4 distinct states found …
 * ```
 *
 * This entry point never imports the NIC specification (test/layering.test.ts).
 * @packageDocumentation
 */
export { ModelError, type LivenessProperty, type Model, type Property } from '../explore/model.js';
export {
  search,
  searchAsync,
  formatProgress,
  formatSummary,
  type IncompleteReason,
  type Progress,
  type SearchOptions,
  type SearchResult,
  type Strategy,
  type Trace,
  type Verdict,
} from '../explore/index.js';
export {
  checkLasso,
  checkLiveness,
  checkLivenessAsync,
  formatLivenessProgress,
  formatLivenessSummary,
  type Lasso,
  type LassoCheck,
  type LivenessOptions,
  type LivenessProgress,
  type LivenessResult,
} from '../explore/liveness.js';
export {
  randomSearch,
  randomSearchAsync,
  type RandomOptions,
  type RandomProgress,
  type RandomResult,
  type RandomVerdict,
  type ShrinkStats,
} from '../explore/random/run.js';
export type { WalkSettings } from '../explore/random/walk.js';
export type { Witness } from '../explore/random/chunk.js';
export { randomSearchParallel, type PoolOptions } from '../explore/random/pool.js';
export { walkTaskHandler, type Built, type WalkTask, type WalkTaskResult } from '../explore/random/task.js';
export type { WordBuffer } from '../util/packed-set.js';
export { INIT_LABEL, printable, type MicroMessage, type PrintableTrace, type TraceStep } from '../trace/types.js';
export { formatTextTrace, type TextOptions } from '../trace/text.js';
export {
  ACTION_VAR,
  ItfError,
  formatItf,
  parseItf,
  toItf,
  type ItfMeta,
  type ItfOptions,
  type ItfState,
  type ItfTrace,
  type ItfValue,
  type ParsedItf,
} from '../trace/itf.js';
export { toMermaid, type MermaidOptions } from '../trace/mermaid.js';
export { replay, replayTrace, type ReplayResult } from '../trace/replay.js';
