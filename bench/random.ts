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
import { setUp, type CheckedSetup } from '../src/api/check-setup.js';
import { workerFile } from '../src/cli/check-random/run.js';
import { defaultDepth } from '../src/cli/check-random/options.js';
import type { CheckAction, CheckedState } from '../spec/checked/model.js';
import { defaultCheckConfig, type CheckConfig } from '../spec/checked/config.js';
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
 * Walks for about `seconds` of wall time on this thread, after `warmS` of other walks on the same model (the JIT
 * compiles the walk, the model memoizes its first machine steps); steps per second of the process's CPU time, which a
 * loaded machine does not dilute as it does wall time (GC helper threads count too, so the figure errs low).
 */
function throughput(config: CheckConfig, properties: readonly string[], seconds: number, warmS: number): Throughput {
  const s = setUp(config, properties);
  // Other walks than the measured ones (different seed), so the measured run still meets new states.
  randomSearch(s.model, options(s, { seed: 2, timeoutMs: warmS * 1000 }));
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
  const warm = ctx.quick ? 0.3 : 1;
  const vnic = throughput(defaultCheckConfig({}), [], secs, warm);
  rows.push(
    row(SECTION, {
      what: 'walk steps per CPU s, vnic 2 VMs × 2 slots, all properties',
      value: vnic.perCpuSecond,
      unit: 'steps/s',
      target: { value: TARGET_STEPS_PER_S, direction: 'at-least', label: "10× quint run's ~35,000" },
      note: `${cpu(vnic)}, depth 100, seed 1, no violation, after ${warm} s of warm-up walks (seed 2); load average ${loadavg()[0]!.toFixed(2)}`,
    }),
  );

  ctx.log('random: xen-idd 2 VMs × 2 slots (the shared-buffer model Quint ran), every property but the starvation it finds at once');
  const xen = throughput(defaultCheckConfig({ arch: 'xen-idd' }), ['isolation', 'qos-admission', 'conservation', 'reach-conforming-delivery', 'reach-buffer-full'], secs, warm);
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
  const big = setUp(defaultCheckConfig({ arch: 'xen-idd', vms: 8, capacity: 8 }), []);
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
  const c16 = defaultCheckConfig({ vms: 16, capacity: 16 });
  const one = throughput(c16, [], secs * 2, warm);
  rows.push(
    row(SECTION, {
      what: 'walk steps per CPU s, vnic 16 VMs × 16 slots',
      value: one.perCpuSecond,
      unit: 'steps/s',
      reference: { value: QUINT_STEPS_PER_S, direction: 'at-least', label: 'quint run, 2 VMs' },
      note: `${cpu(one)}, no violation`,
    }),
  );
  // The same walks on one thread and on a pool of two, each from a fresh model as the command starts: the wall-time
  // ratio is the pool's speed-up as a user sees it (start-up and each worker's own memo warm-up included).
  const n16 = ctx.quick ? 200 : 2000;
  const timed = async (workers: number): Promise<{ r: Result; wallS: number; cpuS: number }> => {
    const s16 = setUp(c16, []);
    const t = performance.now();
    const c = process.cpuUsage();
    const o = options(s16, { end: n16 });
    const r =
      workers === 1
        ? randomSearch(s16.model, o)
        : await randomSearchParallel(s16.model, o, { workers, workerFile: workerFile(), setup: { config: c16, properties: s16.names }, setupKey: 'bench-16' });
    const u = process.cpuUsage(c);
    return { r, wallS: (performance.now() - t) / 1000, cpuS: (u.user + u.system) / 1e6 };
  };
  const alone = await timed(1);
  const pooled = await timed(2);
  const same = alone.r.steps === pooled.r.steps && alone.r.verdict === pooled.r.verdict;
  rows.push(
    row(SECTION, {
      what: `the same ${n16.toLocaleString('en-US')} walks of 16 × 16 on two workers: wall s`,
      value: pooled.wallS,
      unit: 's',
      reference: { value: alone.wallS, direction: 'at-most', label: 'one thread' },
      note:
        `${walks(pooled.r)}; CPU ${pooled.cpuS.toFixed(2)} s in all threads against ${alone.cpuS.toFixed(2)} s on one; ` +
        `${same ? 'same steps and verdict' : 'DIFFERENT results'}; load average ${loadavg()[0]!.toFixed(2)}`,
      ...(same ? {} : { verdict: 'ERROR' as const }),
    }),
  );
  return rows;
}
