export { EventHeap } from './heap.js';
export { RandomStream, streamFor } from './rng.js';
export { Core, DemandError, jobDemandNs, type DemandKey } from './cpu.js';
export { simulate, type Kick, type SimOptions, type SimStop, type SimResult, type CpuReport } from './simulator.js';
export { LatencyRecorder, Counters, type LatencySummary } from './stats.js';
