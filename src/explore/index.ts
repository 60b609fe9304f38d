export { ModelError, type Model, type Property } from './model.js';
export {
  search,
  formatProgress,
  formatSummary,
  formatCount,
  formatBytes,
  type Strategy,
  type Verdict,
  type IncompleteReason,
  type Progress,
  type SearchOptions,
  type SearchResult,
  type Trace,
} from './search.js';
