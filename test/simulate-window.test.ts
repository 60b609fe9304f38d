/**
 * What a simulation user expects of the measurement: a warm-up cut, a steady-state warning near saturation, seeds
 * that matter, rates and calibration profiles from the command line, and no silent reinterpretation (native cores).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSimulation, type SimulationReport } from '../src/api/run-simulation.js';
import { BatchSeries, halves, shifted } from '../src/sim/batches.js';
import { loadCalibration, loadScenario, withRequestRate, type Arch, type CoreLayout, type Scenario } from '../spec/scenario.js';
import { expectOneLineError, run } from './cli-run.js';

const calibration = (() => {
  const c = loadCalibration(undefined, '');
  if (!c.ok) throw new Error(c.error);
  return c.value;
})();
const httperf = (() => {
  const s = loadScenario('httperf-2vm');
  if (!s.ok) throw new Error(s.error);
  return s.value.scenario;
})();

const sim = (s: Scenario, arch: Arch, durationS: number, extra: { warmupS?: number; seed?: number; cores?: CoreLayout } = {}): SimulationReport =>
  runSimulation({ scenario: s, calibration, arch, cores: extra.cores ?? 'multi', seed: extra.seed ?? 1, durationS, warmupS: extra.warmupS ?? 0, monitorEvery: 4096 });

describe('batch means', () => {
  it('a series counts events into equal slices of the window; outside the window nothing counts', () => {
    const b = new BatchSeries(1000, 2000, 4);
    for (const t of [999, 1000, 1249, 1250, 1999, 2000, 2001]) b.add(t, t);
    expect(Array.from(b.counts)).toEqual([2, 1, 0, 2]);
    expect(Array.from(b.sums)).toEqual([2249, 1250, 0, 3999]);
    expect(b.batchSeconds).toBe(250e-9);
    expect(() => new BatchSeries(0, 1, 1)).toThrow(RangeError);
  });

  it('halves: a steady series is not shifted, a ramp is, and noise alone needs SHIFT_T standard errors', () => {
    const flat = halves([10, 11, 9, 10, 10, 11, 9, 10])!;
    expect(shifted(flat, 0.1)).toBe(false);
    const ramp = halves([1, 2, 3, 4, 10, 10.5, 9.5, 10])!;
    expect(ramp.first).toBe(2.5);
    expect(ramp.second).toBe(10);
    expect(shifted(ramp, 0.1)).toBe(true);
    // A shift smaller than the practical threshold is not reported, however significant.
    expect(shifted(ramp, 8)).toBe(false);
    expect(halves([1, undefined, undefined, 2])).toBeUndefined();
  });
});

describe('measurement window', () => {
  it('a warm-up cut counts only what happens after it, and rates are per second of the window', () => {
    const s = withRequestRate(httperf, 400);
    const whole = sim(s, 'vnic', 2);
    const cut = sim(s, 'vnic', 2, { warmupS: 1.5 });
    expect(cut.warmupS).toBe(1.5);
    // 400 requests/s offered per VM: 800 in 2 s, 200 in the last 0.5 s.
    expect(whole.vms[0]!.offered).toBeGreaterThan(780);
    expect(Math.abs(cut.vms[0]!.offered - 200)).toBeLessThanOrEqual(10);
    expect(Math.abs(cut.vms[0]!.throughputPerS - 400) / 400).toBeLessThan(0.05);
    // Utilisation over the window only: the same load, so about the same figure as over the whole run.
    expect(Math.abs(cut.cpus[1]!.utilisation - whole.cpus[1]!.utilisation)).toBeLessThan(0.05);
    expect(() => sim(s, 'vnic', 2, { warmupS: 2 })).toThrow(RangeError);
  });

  it('the steady-state check flags a start-up transient in overload, and a warm-up cut past it clears it', () => {
    // xen-idd at 1500 requests/s per stream: the shared buffer takes ~2 s to fill, latency climbs until it has.
    const overload = withRequestRate(httperf, 1500);
    const early = sim(overload, 'xen-idd', 4);
    expect(early.steadyState.ok).toBe(false);
    expect(early.steadyState.warnings.map((w) => w.metric)).toContain('latency');
    const late = sim(overload, 'xen-idd', 6, { warmupS: 3 });
    expect(late.steadyState.warnings).toEqual([]);
    expect(late.steadyState.ok).toBe(true);
  });

  it('seeds matter in the built-in httperf scenario: the default profile draws service times', () => {
    const a = sim(httperf, 'vnic', 0.5, { seed: 1 });
    const b = sim(httperf, 'vnic', 0.5, { seed: 2 });
    expect(sim(httperf, 'vnic', 0.5, { seed: 1 })).toEqual(a);
    expect(b.vms[0]!.latencyMs).not.toEqual(a.vms[0]!.latencyMs);
  });

  it('native says that it runs on one core when asked for multi, in the report (never silently)', () => {
    const r = sim(httperf, 'native', 0.2, { cores: 'multi' });
    expect(r.cpus.map((c) => c.id)).toEqual(['cpu0']);
    expect(r.notes.join(' ')).toMatch(/native runs on one core/);
    expect(sim(httperf, 'native', 0.2, { cores: 'single' }).notes).toEqual([]);
    expect(r.notModelled.join(' ')).toMatch(/inbound wire time/);
  });
});

describe('simulate: --rate, --warmup, --calibration', () => {
  it('--rate offers every request stream at that rate; --warmup is reported; the text says what is not modelled', async () => {
    const r = await run('simulate', '--scenario', 'httperf-2vm', '--arch', 'vnic', '--rate', '200', '--duration', '1', '--warmup', '0.5', '--json');
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out) as SimulationReport;
    expect(rep.warmupS).toBe(0.5);
    expect(Math.abs(rep.vms[0]!.offered - 100)).toBeLessThanOrEqual(2);
    const text = await run('simulate', '--scenario', 'httperf-2vm', '--arch', 'native', '--cores', 'multi', '--duration', '0.2', '--warmup', '0.1');
    expect(text.out).toContain('warm-up 0.1 s (not counted)');
    expect(text.out).toContain('Note: native runs on one core');
    expect(text.out).toContain('Not modelled');
  });

  it('bad values are one-line usage errors', async () => {
    expectOneLineError(await run('simulate', '--scenario', 'single-vm', '--warmup', '-1'), { pattern: /--warmup/ });
    expectOneLineError(await run('simulate', '--scenario', 'single-vm', '--duration', '1', '--warmup', '1'), { pattern: /--warmup: must be below the duration/ });
    expectOneLineError(await run('simulate', '--scenario', 'single-vm', '--rate', '0'), { pattern: /--rate/ });
    expectOneLineError(await run('simulate', '--scenario', 'single-vm', '--calibration', '/nonexistent/profile.json'), { pattern: /calibration profile/ });
  });

  it('--calibration replaces the profile: a deterministic one makes seeds irrelevant', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vnicspec-cal-'));
    const file = join(dir, 'det.json');
    writeFileSync(file, JSON.stringify({ ...calibration, serviceTime: undefined }));
    const a = await run('simulate', '--scenario', 'single-vm', '--calibration', file, '--duration', '0.3', '--seed', '1', '--json');
    const b = await run('simulate', '--scenario', 'single-vm', '--calibration', file, '--duration', '0.3', '--seed', '2', '--json');
    expect(a.code).toBe(0);
    const strip = (s: string) => ({ ...(JSON.parse(s) as SimulationReport), seed: 0 });
    expect(strip(b.out)).toEqual(strip(a.out));
  });
});
