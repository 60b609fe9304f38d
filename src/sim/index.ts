export { EventHeap } from './heap.js';
export { RandomStream, streamFor, fnv1a64 } from './rng.js';
export { Core, DemandError, jobDemandNs, type CpuJob, type DemandKey } from './cpu.js';
export { simulate, type Kick, type SimOptions, type SimStop, type SimResult, type CpuReport } from './simulator.js';
export { LatencyRecorder, Counters, type LatencySummary } from './stats.js';
