/**
 * A worker thread of the simulation pool (src/cli/sim-pool.ts): runs one simulation per task. Runs are pure
 * functions of their options, so a result does not depend on which thread ran it or in what order.
 */
import { runSimulation, type SimulationOptions, type SimulationReport } from '../api/run-simulation.js';

export type SimTask = Omit<SimulationOptions, 'onProgress'>;

export default function runTask(task: SimTask): SimulationReport {
  return runSimulation(task);
}
