export { Walker, type WalkSettings, type WalkEnd } from './walk.js';
export { runChunk, combine, type ChunkReport, type Combined, type FoundWalk, type StopReason, type Witness } from './chunk.js';
export { shrinkTrace, type Failure, type ShrinkBudget, type ShrinkProgress, type ShrinkResult } from './shrink.js';
export { randomSearch, randomSearchAsync, finish, type RandomOptions, type RandomProgress, type RandomResult, type RandomVerdict, type ShrinkStats } from './run.js';
export { randomSearchParallel, type PoolOptions } from './pool.js';
export { walkTaskHandler, type Built, type WalkTask, type WalkTaskResult } from './task.js';
export { walkGenerator } from './rng.js';
