/**
 * The refined sweep that finds a maximum without loss, the t-based confidence intervals, and a configuration's search
 * stopped midway (Ctrl-C, --timeout), on known answers.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Calibration } from '../spec/scenario.js';
import type { SimulationReport } from '../src/api/run-simulation.js';
import type { SimPool } from '../src/cli/sim-pool.js';
import { effortOf, paperConfigs } from '../src/cli/commands/reproduce/configs.js';
import { Lab } from '../src/cli/commands/reproduce/lab.js';
import { runPaperConfig } from '../src/cli/commands/reproduce/paper.js';
import { maxLossless, type Probed } from '../src/cli/commands/reproduce/search.js';
import { summarise, t975 } from '../src/report/stats.js';

/** A system with capacity c: lossless up to the rate where 1% of requests fail, c / 0.99. */
const system = (c: number) => {
  const calls: number[] = [];
  const probe = async (rate: number): Promise<Probed<number>> => {
    calls.push(rate);
    return { rate, lossless: rate <= c / 0.99, value: Math.min(rate, c) };
  };
  return { probe, calls, knee: c / 0.99 };
};
const gridOf = (rates: readonly number[], knee: number): Probed<number>[] => rates.map((rate) => ({ rate, lossless: rate <= knee, value: rate }));
const grid = Array.from({ length: 20 }, (_, i) => 100 * (i + 1));

describe('maxLossless', () => {
  it('brackets from the grid and bisects to max(0.5, 0.25%) below the knee, never above it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.double({ min: 150, max: 1900, noNaN: true }), async (c) => {
        const s = system(c);
        const r = await maxLossless({ grid: gridOf(grid, s.knee), probe: s.probe });
        expect(r.best!.rate).toBeLessThanOrEqual(s.knee);
        expect(r.lossyRate!).toBeGreaterThan(s.knee);
        expect(r.lossyRate! - r.best!.rate).toBeLessThanOrEqual(Math.max(0.5, 0.0025 * r.best!.rate) + 0.1);
        expect(r.probes).toBeLessThanOrEqual(10);
      }),
      { numRuns: 200 },
    );
  });

  it('gallops from a guess, up or down, to the same answer', async () => {
    for (const guess of [100, 900, 1000, 5000]) {
      const s = system(957.3);
      const r = await maxLossless({ guess, probe: s.probe });
      expect(r.best!.rate).toBeLessThanOrEqual(s.knee);
      expect(s.knee - r.best!.rate).toBeLessThan(0.0025 * s.knee + 0.1);
    }
  });

  it('takes few probes when the guess is right', async () => {
    const s = system(1500);
    const r = await maxLossless({ guess: 1510, probe: s.probe });
    expect(r.probes).toBeLessThanOrEqual(6);
    expect(r.best!.rate).toBeGreaterThan(1500);
  });

  it('goes past a grid that never lost, and reports nothing when even the lowest rate lost', async () => {
    const above = system(3000);
    const r = await maxLossless({ grid: gridOf(grid, above.knee), probe: above.probe });
    expect(Math.abs(r.best!.rate - above.knee)).toBeLessThan(0.0025 * above.knee + 0.1);
    const never = { probe: async (rate: number): Promise<Probed<number>> => ({ rate, lossless: false, value: 0 }) };
    const none = await maxLossless({ grid: gridOf(grid, 0), probe: never.probe });
    expect(none.best).toBeUndefined();
    expect(none.lossyRate).toBeLessThan(1);
  });

  it('stops at maxRate when nothing is lost below it', async () => {
    const s = system(1e9);
    const r = await maxLossless({ guess: 1000, probe: s.probe, maxRate: 83_333 });
    expect(r.best!.rate).toBe(83_333);
    expect(r.lossyRate).toBeUndefined();
  });
});

describe('confidence intervals', () => {
  it('uses Student t quantiles (table to 30, expansion beyond)', () => {
    expect(t975(1)).toBeCloseTo(12.7062, 4);
    expect(t975(4)).toBeCloseTo(2.7764, 4);
    expect(t975(30)).toBeCloseTo(2.0423, 4);
    expect(t975(60)).toBeCloseTo(2.000298, 5);
    expect(t975(120)).toBeCloseTo(1.97993, 5);
    expect(t975(100_000)).toBeCloseTo(1.959988, 5);
  });

  it('summarises: mean, t·s/√n, min, max; nulls skipped; identical values give exactly 0', () => {
    const s = summarise([10, 12, null, 14]);
    expect(s).toMatchObject({ n: 3, mean: 12, min: 10, max: 14 });
    expect(s.ci95!).toBeCloseTo((4.30265273 * 2) / Math.sqrt(3), 9);
    expect(summarise([0.1 + 0.2, 0.1 + 0.2, 0.1 + 0.2])).toMatchObject({ mean: 0.1 + 0.2, ci95: 0 });
    expect(summarise([5])).toMatchObject({ n: 1, mean: 5, ci95: null });
    expect(summarise([null])).toMatchObject({ n: 0, mean: null, ci95: null });
  });
});

/** A pool of fake simulations: a server of capacity `capacity` req/s per stream, answered at once. */
function fakePool(capacity: number, stopAfter?: { runs: number; controller: AbortController }): SimPool & { runs: () => number } {
  let runs = 0;
  return {
    threads: 1,
    inProcess: true,
    runs: () => runs,
    destroy: async () => undefined,
    run: async (task) => {
      if (stopAfter?.controller.signal.aborted) throw Object.assign(new Error('aborted'), { name: 'AbortError' });
      runs++;
      if (runs === stopAfter?.runs) stopAfter.controller.abort('interrupted');
      const rate = task.scenario.streams.find((s) => s.kind === 'open-loop')?.rate ?? 0;
      const window = task.durationS - (task.warmupS ?? 0);
      const vms = task.scenario.vms.map((v) => ({ id: v.name, attachment: 'vnic', offered: rate * window, completed: Math.min(rate, capacity) * window, throughputPerS: Math.min(rate, capacity), latencyMs: { p99: 1, mean: 1 } }));
      return { outcome: 'ok', stoppedAtS: 0, durationS: task.durationS, warmupS: task.warmupS ?? 0, vms, cpus: [{ id: 'cpu0', runs: ['vmm'], utilisation: Math.min(1, rate / capacity) }] } as unknown as SimulationReport;
    },
  };
}

describe('a stopped reproduce keeps what it measured', () => {
  const effort = effortOf(true, 1, 1);
  const config = paperConfigs(effort).find((c) => c.name === 'vnic-multi-core')!;

  it('a configuration: the grid points measured before the stop, no maximum, not finished; no error', async () => {
    const controller = new AbortController();
    const pool = fakePool(1000, { runs: 3, controller });
    const lab = new Lab(pool, {} as Calibration, effort.seeds, controller.signal, () => undefined);
    const r = await runPaperConfig(lab, config, effort);
    expect(r).toMatchObject({ finished: false, maxOfferedRatePerStream: null, maxThroughputPerStream: null, cpuAtMax: [] });
    expect(r.curve.map((p) => p.rate)).toEqual(config.rates.slice(0, 3));
    expect(lab.partial).toBe(true);
  });

  it('the same configuration, not stopped: finished, with its maximum below the capacity', async () => {
    const lab = new Lab(fakePool(1000), {} as Calibration, effort.seeds, new AbortController().signal, () => undefined);
    const r = await runPaperConfig(lab, config, effort);
    expect(r.finished).toBe(true);
    expect(r.maxOfferedRatePerStream).toBeGreaterThan(1000);
    expect(r.maxOfferedRatePerStream).toBeLessThanOrEqual(1000 / 0.99);
    expect(lab.partial).toBe(false);
  });
});

describe('the order Lab runs points in', () => {
  /** One thread whose runs finish when the test says; the rates it was handed, in order. */
  function heldPool() {
    const started: number[] = [];
    const finish: (() => void)[] = [];
    const pool: SimPool = {
      threads: 1,
      inProcess: true,
      destroy: async () => undefined,
      run: (task) =>
        new Promise((resolve) => {
          const rate = task.scenario.streams.find((s) => s.kind === 'open-loop')?.rate ?? 0;
          started.push(rate);
          const vms = task.scenario.vms.map((v) => ({ id: v.name, attachment: 'vnic', offered: 1, completed: 1, throughputPerS: rate, latencyMs: { p99: 1, mean: 1 } }));
          finish.push(() => resolve({ outcome: 'ok', stoppedAtS: 0, durationS: task.durationS, warmupS: 0, vms, cpus: [] } as unknown as SimulationReport));
        }),
    };
    return { pool, started, next: async () => { finish.shift()!(); await new Promise((r) => setImmediate(r)); } };
  }

  it('probes first, then grids a search starts from (heaviest setting first), then fillers; asked again more urgently, a point moves up', async () => {
    const effort = effortOf(true, 1, 1);
    const scenarioOf = (name: string) => paperConfigs(effort).find((c) => c.name === name)!.scenario;
    const h = heldPool();
    const lab = new Lab(h.pool, {} as Calibration, effort.seeds, undefined, () => undefined);
    const setting = (name: string) => ({ scenario: scenarioOf(name), arch: 'vnic' as const, cores: 'multi' as const, length: effort.paper, vary: 'open-loop' as const });
    // One VM against two: the second setting weighs twice as much.
    const [l, hv] = [setting('native-single-core'), setting('vnic-multi-core')];
    const asked = [lab.point(l, 1, 'filler'), lab.point(l, 2, 'filler'), lab.point(l, 3, 'grid-before-search'), lab.point(hv, 4, 'grid-before-search'), lab.point(l, 5, 'probe'), lab.point(l, 6, 'filler')];
    asked.push(lab.point(l, 6, 'probe')); // the same point, now a search waits on it
    for (let k = 0; k < 6; k++) await h.next();
    await Promise.all(asked);
    // 1 was handed over at once (the thread was free); then by urgency, weight, arrival.
    expect(h.started).toEqual([1, 5, 6, 4, 3, 2]);
  });
});
