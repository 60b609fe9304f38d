/** `vnicspec sweep` and `vnicspec merge`: outputs, confidence intervals, shards joined byte for byte, partial runs, bad input. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, ensureBuilt } from './built.js';
import { expectOneLineError, run, runWith } from './cli-run.js';

let dir: string;
let scenarioFile: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vnicspec-sweep-'));
  // Poisson arrivals: seeds differ, so the confidence intervals are not zero.
  scenarioFile = join(dir, 'poisson.json');
  writeFileSync(
    scenarioFile,
    JSON.stringify({
      name: 'poisson-2vm',
      vms: [{ name: 'vm1' }, { name: 'vm2' }],
      streams: [
        { kind: 'open-loop', vm: 'vm1', rate: 500, arrivals: 'poisson' },
        { kind: 'open-loop', vm: 'vm2', rate: 500, arrivals: 'poisson' },
      ],
    }),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const files = (d: string): Record<string, string> => Object.fromEntries(readdirSync(d).sort().map((f) => [f, readFileSync(join(d, f), 'utf8')]));
const common = (): string[] => ['--scenario', scenarioFile, '--arch', 'xen-idd,vnic', '--rates', '300,900', '--seeds', '3', '--duration', '0.4'];

describe('vnicspec sweep', () => {
  it('writes sweep.json, sweep.csv and runs.csv with a mean and 95% CI per metric and point', async () => {
    const out = join(dir, 'full');
    const r = await run('sweep', ...common(), '--out', out);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/xen-idd +multi +900 +3 /);
    const f = files(out);
    expect(Object.keys(f)).toEqual(['runs.csv', 'sweep.csv', 'sweep.json']);
    const json = JSON.parse(f['sweep.json']!);
    expect(json).toMatchObject({ kind: 'vnicspec-sweep', status: 'complete', runs: { planned: 12, done: 12, notOk: 0 } });
    expect(json.points).toHaveLength(4);
    const p = json.points[1]; // xen-idd at 900 per stream: past the driver domain's knee
    expect(p).toMatchObject({ arch: 'xen-idd', rate: 900, seeds: [1, 2, 3] });
    const tp = p.metrics['vm1.throughput'];
    expect(tp.n).toBe(3);
    expect(tp.ci95).toBeGreaterThan(0);
    expect(tp.min).toBeLessThanOrEqual(tp.mean);
    expect(tp.mean).toBeLessThanOrEqual(tp.max);
    // The CI is t(0.975; 2) · s / √3 of the three runs in runs.csv.
    const rows = f['runs.csv']!.trim().split('\n').map((l) => l.split(','));
    const col = rows[0]!.indexOf('vm1.throughput');
    const xs = rows.filter((row) => row[0] === 'xen-idd' && row[2] === '900').map((row) => Number(row[col]));
    const mean = xs.reduce((a, x) => a + x, 0) / 3;
    const s = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / 2);
    // Both sides went through six significant digits (the runs in runs.csv, the summary in sweep.json).
    const close = (x: number, y: number): void => expect(Math.abs(x - y)).toBeLessThanOrEqual(1e-5 * Math.abs(y));
    close(tp.mean, mean);
    close(tp.ci95, (4.30265273 * s) / Math.sqrt(3));
    const header = f['sweep.csv']!.split('\n')[0]!.split(',');
    expect(header.slice(0, 5)).toEqual(['arch', 'cores', 'rate', 'seeds_done', 'seeds_planned']);
    expect(header).toContain('cpu0.utilisation.ci95');
    expect(f['sweep.csv']!.trim().split('\n')).toHaveLength(5);
  });

  it('joins shards with merge into exactly the files of one run, and is deterministic', async () => {
    const full = join(dir, 'full-again');
    expect((await run('sweep', ...common(), '--out', full, '--json')).code).toBe(0);
    const shards = [1, 2, 3].map((i) => join(dir, `s${i}`));
    for (const [i, d] of shards.entries()) expect((await run('sweep', ...common(), '--shard', `${i + 1}/3`, '--out', d)).code).toBe(0);
    const merged = join(dir, 'merged');
    const inputs = [3, 1, 2].map((i) => join(shards[i - 1]!, `shard-${i}-of-3.json`));
    const m = await run('merge', '--out', merged, ...inputs);
    expect(m.code).toBe(0);
    expect(files(merged)).toEqual(files(full));
    expect(files(full)).toEqual(files(join(dir, 'full')));
  });

  it('refuses shards that do not make one sweep: missing, repeated, from another sweep, unknown kind', async () => {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    await run('sweep', ...common(), '--shard', '1/2', '--out', a);
    await run('sweep', '--scenario', scenarioFile, '--rates', '300', '--duration', '0.2', '--shard', '2/2', '--out', b);
    const s1 = join(a, 'shard-1-of-2.json');
    expectOneLineError(await run('merge', '--out', join(dir, 'x'), s1), { pattern: /missing shard 2\/2/ });
    expectOneLineError(await run('merge', '--out', join(dir, 'x'), s1, s1), { pattern: /given twice/ });
    expectOneLineError(await run('merge', '--out', join(dir, 'x'), s1, join(b, 'shard-2-of-2.json')), { pattern: /different sweep/ });
    const odd = join(dir, 'odd.json');
    writeFileSync(odd, '{"kind":"something-else"}');
    expectOneLineError(await run('merge', '--out', join(dir, 'x'), odd), { pattern: /unknown kind 'something-else'/ });
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, readFileSync(s1, 'utf8').replace('"status": "complete"', '"status": "done"'));
    expectOneLineError(await run('merge', '--out', join(dir, 'x'), broken), { pattern: /broken\.json: status: / });
  });

  it('stops at --timeout with partial files and exit 3', async () => {
    const out = join(dir, 'partial');
    const r = await run('sweep', '--scenario', scenarioFile, '--rates', '100:800:100', '--duration', '0.5', '--timeout', '0.001', '--out', out);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/--timeout of 0.001 s expired/);
    const json = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8'));
    expect(json.status).toBe('partial');
    expect(json.runs.done).toBeLessThan(8);
  });

  it('stops on Ctrl-C (the io.interrupt signal that stands for it) with partial files and exit 3', async () => {
    const out = join(dir, 'interrupted');
    const ctrlC = new AbortController();
    ctrlC.abort();
    const r = await runWith({ interrupt: ctrlC.signal }, 'sweep', '--scenario', scenarioFile, '--rates', '100:800:100', '--duration', '0.3', '--out', out);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/vnicspec: interrupted: 0 of 8 runs done; the files are marked partial/);
    const json = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8'));
    expect(json).toMatchObject({ status: 'partial', runs: { planned: 8, done: 0 } });
  });

  it('reproduce stops at --timeout: a partial report of what was measured, marked partial, exit 3', async () => {
    const out = join(dir, 'reproduce-stopped');
    const r = await run('reproduce', '--quick', '--timeout', '0.001', '--out', out);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/the --timeout of 0.001 s expired: the report is partial \(status "partial"\); not finished: configuration native-single-core, .*mixed architecture/);
    expect(r.out).toMatch(/wrote .*results\.md.* \(PARTIAL\)/);
    const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(json).toMatchObject({ status: 'partial', stopped: { reason: 'timeout' } });
    expect(json.configs.every((c: { finished: boolean }) => !c.finished)).toBe(true);
    expect(readFileSync(join(out, 'results.md'), 'utf8')).toMatch(/^# .* — PARTIAL\n\n\*\*Partial report\*\*: the --timeout expired after \d+ simulations/);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('Partial report');
  });

  it('refuses a warm-up as long as the run', async () => {
    expectOneLineError(await run('sweep', '--scenario', 'httperf-2vm', '--rates', '100', '--duration', '2', '--out', join(dir, 'bad')), { pattern: /--warmup: the warm-up \(6 s\) must be shorter than the duration \(2 s\)/ });
  });

  it.each([
    [['--rates', '5:1:1'], /--rates: must be FROM:TO:STEP .*FROM is larger than TO/],
    [['--rates', '1:x:1'], /--rates: TO must be 0 or a number/],
    [['--rates', '0:1e9:1'], /--rates: must give at most 10000 values/],
    [['--rates', '1', '--shard', '3/2'], /--shard: must be I\/N/],
    [['--rates', '1', '--arch', 'vnic,vnic'], /--arch: lists 'vnic' twice/],
    [['--rates', '1', '--vary', 'flood'], /has no flood stream/],
  ])('bad input %j: one line, exit 2', async (args, pattern) => {
    expectOneLineError(await run('sweep', '--scenario', 'httperf-2vm', '--out', join(dir, 'bad'), ...args), { pattern });
  });
});

describe('vnicspec sweep on worker threads (the built CLI)', () => {
  it('gives the same bytes with --jobs 2 as with --jobs 1', () => {
    ensureBuilt();
    const cli = join(ROOT, 'bin', 'vnicspec.js');
    const outs = [1, 2].map((jobs) => {
      const out = join(dir, `jobs${jobs}`);
      const r = spawnSync(process.execPath, [cli, 'sweep', ...common(), '--jobs', String(jobs), '--out', out], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return files(out);
    });
    expect(outs[1]).toEqual(outs[0]);
    expect(outs[0]).toEqual(files(join(dir, 'full')));
  });
});
