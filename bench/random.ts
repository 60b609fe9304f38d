/**
 * Random search (`vnicspec check --random`): steps per second of random walks on one core, every property checked on
 * every state, against 10× what `quint run` does on a comparable model (measured-facts: ~35,000 steps/s, 2 VMs);
 * the time to find the xen-idd starvation at 8 VMs × 8 slots; and how it scales to 16 VMs × 16 slots, on one
 * thread and on a pool of two.
 *
 * Each figure comes from the same code path as the CLI: `setUp` builds the model and properties as `check` does,
 * and the walks run through `randomSearch` (one thread) or `randomSearchParallel` (workers, from dist/).
 */
import { loadavg } from 'node:os';
import { randomSearch, randomSearchParallel, type RandomOptions, type RandomResult } from '../src/explore/random/index.js';
import { checkConfig, setUp, type CheckedSetup } from '../src/cli/check-run.js';
import { workerFile } from '../src/cli/check-random/run.js';
import { defaultDepth } from '../src/cli/check-random/options.js';
import type { CheckAction, CheckedState } from '../spec/checked/model.js';
import type { CheckConfig } from '../spec/checked/config.js';
import { row, type BenchContext, type Row } from './report.js';

const SECTION = '6. random search (check --random, one core unless said)';
const QUINT_STEPS_PER_S = 35_000;
export const TARGET_STEPS_PER_S = 10 * QUINT_STEPS_PER_S;
const TARGET_FIND_S = 1;

type Result = RandomResult<CheckedState, CheckAction>;

const options = (s: CheckedSetup, o: Partial<RandomOptions<CheckedState>>): RandomOptions<CheckedState> => ({
  properties: s.properties,
  seed: 1,
  depth: 100,
  swarm: false,
  first: 0,
  end: Number.MAX_SAFE_INTEGER,
  ...o,
});

interface Throughput {
  readonly result: Result;
  /** Steps per second of CPU time (user + system) of this process: what one core does, whatever else runs. */
  readonly perCpuSecond: number;
  readonly cpuSeconds: number;
}

/**
 * Walks for about `seconds` of wall time on this thread; steps over the whole run (the model's memo tables warm up
 * in it) per second of the process's CPU time, which a loaded machine does not dilute as it does wall time (GC
 * helper threads count too, so the figure errs low).
 */
function throughput(config: CheckConfig, properties: readonly string[], seconds: number): Throughput {
  const s = setUp(config, properties);
  const c0 = process.cpuUsage();
  const result = randomSearch(s.model, options(s, { timeoutMs: seconds * 1000 }));
  const c = process.cpuUsage(c0);
  const cpuSeconds = (c.user + c.system) / 1e6;
  return { result, cpuSeconds, perCpuSecond: cpuSeconds > 0 ? result.steps / cpuSeconds : 0 };
}

const walks = (r: Result): string => `${r.traces.toLocaleString('en-US')} walks, ${r.steps.toLocaleString('en-US')} steps in ${r.seconds.toFixed(2)} s`;
const cpu = (t: Throughput): string => `${walks(t.result)} wall, ${t.cpuSeconds.toFixed(2)} s CPU (${Math.round(t.result.stepsPerSecond).toLocaleString('en-US')} steps per wall second)`;

export async function benchRandom(ctx: BenchContext): Promise<Row[]> {
  const rows: Row[] = [];
  const secs = ctx.quick ? 0.5 : 3;

  ctx.log('random: vnic 2 VMs × 2 slots, all properties');
  const vnic = throughput(checkConfig({}), [], secs);
  rows.push(
    row(SECTION, {
      what: 'walk steps per CPU s, vnic 2 VMs × 2 slots, all properties',
      value: vnic.perCpuSecond,
      unit: 'steps/s',
      target: { value: TARGET_STEPS_PER_S, direction: 'at-least', label: "10× quint run's ~35,000" },
      note: `${cpu(vnic)}, depth 100, seed 1, no violation; load average ${loadavg()[0]!.toFixed(2)}`,
    }),
  );

  ctx.log('random: xen-idd 2 VMs × 2 slots (the shared-buffer model Quint ran), every property but the starvation it finds at once');
  const xen = throughput(checkConfig({ arch: 'xen-idd' }), ['isolation', 'qos-admission', 'conservation', 'reach-conforming-delivery', 'reach-buffer-full'], secs);
  rows.push(
    row(SECTION, {
      what: 'walk steps per CPU s, xen-idd 2 VMs × 2 slots',
      value: xen.perCpuSecond,
      unit: 'steps/s',
      target: { value: TARGET_STEPS_PER_S, direction: 'at-least', label: "10× quint run's ~35,000" },
      note: `${cpu(xen)}; no-cross-vm-starvation left out (the first walk violates it)`,
    }),
  );

  ctx.log('random: xen-idd 8 VMs × 8 slots, until the starvation is found');
  const t0 = performance.now();
  const big = setUp(checkConfig({ arch: 'xen-idd', vms: 8, capacity: 8 }), []);
  const built = (performance.now() - t0) / 1000;
  // As the command runs it: the default depth for 8 × 8 (defaultDepth: 128 steps).
  const found = randomSearch(big.model, options(big, { end: 10_000, depth: defaultDepth(8, 8) }));
  const total = (performance.now() - t0) / 1000;
  rows.push(
    row(SECTION, {
      what: 'xen-idd 8 VMs × 8 slots: starvation found (build + walks)',
      value: built + found.seconds,
      unit: 's',
      target: { value: TARGET_FIND_S, direction: 'at-most' },
      note: `${found.verdict} ${found.property ?? ''} by walk ${found.walk ?? '-'} after ${walks(found)}; model built in ${built.toFixed(2)} s`,
      ...(found.verdict === 'violated' ? {} : { verdict: 'FAIL' as const }),
    }),
    row(SECTION, {
      what: '… and shrunk (the whole command but start-up)',
      value: total,
      unit: 's',
      reference: { value: TARGET_FIND_S, direction: 'at-most', label: 'the find target' },
      note: found.shrink ? `shrunk from ${found.shrink.from} to ${found.shrink.to} steps, ${found.shrink.tried} candidates in ${found.shrinkSeconds.toFixed(2)} s` : 'nothing to shrink',
    }),
  );

  ctx.log('random: vnic 16 VMs × 16 slots, one thread then two workers');
  const c16 = checkConfig({ vms: 16, capacity: 16 });
  const one = throughput(c16, [], secs * 2);
  rows.push(
    row(SECTION, {
      what: 'walk steps per CPU s, vnic 16 VMs × 16 slots',
      value: one.perCpuSecond,
      unit: 'steps/s',
      reference: { value: QUINT_STEPS_PER_S, direction: 'at-least', label: 'quint run, 2 VMs' },
      note: `${cpu(one)}, no violation`,
    }),
  );
  const s16 = setUp(c16, []);
  const t2 = performance.now();
  const c2 = process.cpuUsage();
  const two = await randomSearchParallel(s16.model, options(s16, { timeoutMs: secs * 2000 }), {
    workers: 2,
    workerFile: workerFile(),
    setup: { config: c16, properties: s16.names },
    setupKey: 'bench-16',
  });
  const cpu2 = process.cpuUsage(c2);
  const cpu2s = (cpu2.user + cpu2.system) / 1e6;
  rows.push(
    row(SECTION, {
      what: 'walk steps per wall s, 16 × 16, two workers',
      value: two.stepsPerSecond,
      unit: 'steps/s',
      reference: { value: one.result.stepsPerSecond, direction: 'at-least', label: 'one thread, per wall s' },
      note: `${walks(two)} (workers' start-up included; ${((performance.now() - t2) / 1000).toFixed(2)} s with the pool's teardown); ${cpu2s.toFixed(2)} s CPU in all threads: ${Math.round(two.steps / cpu2s).toLocaleString('en-US')} steps per CPU s; load average ${loadavg()[0]!.toFixed(2)}`,
    }),
  );
  return rows;
}
