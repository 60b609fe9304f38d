export { ModelError, type Model, type Property } from './model.js';
export { search, searchAsync } from './search.js';
export { formatProgress, formatSummary, formatCount, formatBytes, formatProbability, stoppedBy } from './report.js';
export type { Strategy, Verdict, IncompleteReason, Progress, SearchOptions, SearchResult, Trace } from './types.js';
export { Layout } from './packed/layout.js';
export { MISS, Successors, type PackedBinding, type PackedModel, type WorkerModel } from './packed/model.js';
