export { ModelError, type LivenessProperty, type Model, type Property } from './model.js';
export { search, searchAsync } from './search.js';
export { formatProgress, formatSummary, formatCount, formatBytes, formatProbability, stoppedBy } from './report.js';
export type { Strategy, Verdict, IncompleteReason, Progress, SearchOptions, SearchResult, Trace } from './types.js';
export { Layout } from './packed/layout.js';
export { MISS, Successors, type PackedBinding, type PackedModel, type WorkerModel } from './packed/model.js';
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
} from './liveness.js';
export { PackedWalker, type WalkOutcome } from './packed/walk.js';
