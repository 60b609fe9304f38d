/**
 * One program of the explorer head-to-head (bench/explorer.ts), in a process of its own, as pan runs in its own:
 * run in the bench's process, every program after the first inherited the JIT state the others left (the packed
 * search's call sites had seen vnic.pml's model, the JS limit and the parallel coordinator; one worker's check
 * measured 3% more CPU that way). Prints one line of JSON, the `ChildResult`.
 *
 *   node --expose-gc dist/bench/explorer-child.js js-limit|js-limit-parallel|js-limit-free|pml-model|check VMS CAPACITY [WORKERS]
 */
import { pathToFileURL } from 'node:url';
import { search } from '../src/explore/index.js';
import { PROFILE } from '../src/explore/parallel/coordinator.js';
import { defaultCheckConfig } from '../spec/checked/config.js';
import { jsLimit } from './js-limit.js';
import { jsLimitParallel } from './js-limit-parallel.js';
import { pmlModel } from './pml-model.js';
import { describe, runCheck } from './explorer.js';

export interface ChildResult {
  readonly seconds: number;
  readonly states: number;
  readonly transitions: number;
  readonly note: string;
  /** The process's CPU seconds over the run (all threads), model building included. */
  readonly cpuSeconds: number;
  readonly bytesPerState: number | null;
  readonly rssPerState: number | null;
}

export async function runChild(kind: string, vms: number, capacity: number, workers: number): Promise<Omit<ChildResult, 'cpuSeconds'>> {
  const none = { bytesPerState: null, rssPerState: null };
  if (kind === 'js-limit') {
    const r = jsLimit(vms, capacity);
    return { ...none, seconds: r.seconds, states: r.states, transitions: r.transitions, note: `${(r.bytes / r.states).toFixed(1)} B/state of structures` };
  }
  if (kind === 'js-limit-parallel' || kind === 'js-limit-free') {
    const r = await jsLimitParallel(vms, capacity, workers, kind === 'js-limit-parallel');
    return { ...none, seconds: r.seconds, states: r.states, transitions: r.transitions, note: `${r.threads} thread${r.threads > 1 ? 's' : ''}, depth ${r.depth}; CPU over the search ${r.cpuSeconds.toFixed(2)} s` };
  }
  if (kind === 'pml-model') {
    const { model, properties } = pmlModel({ vms, capacity });
    const r = search(model, { strategy: 'bfs', properties });
    return { ...none, seconds: r.seconds, states: r.states, transitions: r.transitions, note: 'the engine without the machines' };
  }
  if (kind !== 'check') throw new Error(`explorer-child: unknown program '${kind}'`);
  const config = defaultCheckConfig({ arch: 'vnic', vms, capacity, dma: 'drr' });
  const r = await runCheck(`${vms}x${capacity}`, config, { timeoutMs: 600_000, workers });
  const phases =
    workers > 1
      ? `; one-thread prefix ${(PROFILE[9]! / 1000).toFixed(2)} s; workers busy ${(PROFILE[4]! / 1000).toFixed(1)} s expanding, ${(PROFILE[5]! / 1000).toFixed(1)} s inserting, ${(PROFILE[8]! / 1000).toFixed(2)} s numbering; idle at the barriers ${[0, 2, 3].map((i, k) => ((workers * PROFILE[i]! - PROFILE[[4, 5, 8][k]!]!) / 1000).toFixed(2)).join(', ')} thread-s in phases 1, 2, 3; ${PROFILE[6]} states deferred to the main thread (${(PROFILE[1]! / 1000).toFixed(2)} s)`
      : '';
  return { seconds: r.result.seconds, states: r.result.states, transitions: r.result.transitions, note: `${describe(r)}${phases}`, bytesPerState: r.bytesPerState, rssPerState: r.rssPerState };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [kind = '', vms = '3', capacity = '3', workers = '1'] = process.argv.slice(2);
  if (!['js-limit', 'js-limit-parallel', 'js-limit-free', 'pml-model', 'check'].includes(kind) || ![vms, capacity, workers].every((x) => /^[1-9][0-9]?$/.test(x))) {
    process.stderr.write('usage: explorer-child.js js-limit|js-limit-parallel|js-limit-free|pml-model|check VMS CAPACITY [WORKERS]\n');
    process.exit(2);
  }
  const c0 = process.cpuUsage();
  const r = await runChild(kind, Number(vms), Number(capacity), Number(workers));
  const c = process.cpuUsage(c0);
  process.stdout.write(`${JSON.stringify({ ...r, cpuSeconds: (c.user + c.system) / 1e6 })}\n`);
}
