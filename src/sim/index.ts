export { EventHeap } from './heap.js';
export { RandomStream, streamFor } from './rng.js';
export { Core, DemandError, jobDemandNs, serviceOf, type DemandKey } from './cpu.js';
export { draw, isRandom, meanOf, serviceTimeProblem, SERVICE_DISTRIBUTIONS, type ServiceDistribution, type ServiceTime } from './service.js';
export { simulate, type Kick, type SimOptions, type SimStop, type SimResult, type CpuReport } from './simulator.js';
export { LatencyRecorder, Counters, PERCENTILE_RELATIVE_ERROR, type LatencySummary } from './stats.js';
