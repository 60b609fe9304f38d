/** The vnicspec command line, run in-process with captured output. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectOneLineError, run, type Run } from './cli-run.js';
import type { SimulationReport } from '../src/api/run-simulation.js';
import { parseSeed } from '../src/cli/commands/options.js';



let dir: string;
const file = (name: string, content: unknown): string => {
  const p = join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
};
const poisson = {
  name: 'poisson-1vm',
  durationS: 0.3,
  vms: [{ name: 'vm1' }],
  streams: [{ kind: 'open-loop', vm: 'vm1', rate: 2000, arrivals: 'poisson' }],
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vnicspec-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SECONDS = "a number from 1e-9 to 9007199 seconds (the simulator's clock counts whole nanoseconds up to 2^53 ns, about 104 days)";

describe('help and version', () => {
  test('--help exits 0 and mentions every command, the examples and the exit codes', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    for (const cmd of ['simulate', 'scenarios']) expect(r.out).toContain(cmd);
    expect(r.out).toContain('Examples:');
    for (const code of ['0', '1', '2', '3', '70']) expect(r.out).toMatch(new RegExp(`^\\s+${code}\\s`, 'm'));
  });

  test('each command has help with its options, defaults and exit codes', async () => {
    const sim = await run('simulate', '--help');
    expect(sim.code).toBe(0);
    for (const opt of ['--scenario', '--arch', '--cores', '--seed', '--duration', '--json', '--compare', '--stepper', '--no-progress']) {
      expect(sim.out).toContain(opt);
    }
    for (const value of ['vnic', 'xen-idd', 'native', 'mixed', 'single', 'multi', 'compiled', 'xstate']) expect(sim.out).toContain(value);
    expect(sim.out).toContain("default: the scenario's");
    expect(sim.out).toContain('Exit codes:');
    const sc = await run('help', 'scenarios');
    expect(sc.code).toBe(0);
    expect(sc.out).toContain('--json');
    expect(sc.out).toContain('Exit codes:');
  });

  test('--version prints the package version', async () => {
    const r = await run('--version');
    expect(r.code).toBe(0);
    expect(r.out.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  test('no command: help on stderr, exit 2', async () => {
    const r = await run();
    expect(r.code).toBe(2);
    expect(r.err).toContain('Usage: vnicspec');
  });
});

describe('bad input: one line, exit 2', () => {
  test('unknown option', async () => {
    const r = await run('simulate', '--scenario', 'single-vm', '--frobnicate');
    expectOneLineError(r);
    expect(r.err).toContain("unknown option '--frobnicate'");
    expect(r.err).toContain("'vnicspec simulate --help'");
  });

  test('unknown command', async () => {
    const r = await run('frobnicate');
    expectOneLineError(r);
    expect(r.err).toContain("unknown command 'frobnicate'");
  });

  test('missing --scenario', async () => {
    expectOneLineError(await run('simulate'));
  });

  test.each([
    [['--seed', 'x'], "vnicspec: --seed: must be an integer from 0 to 9007199254740991 (got 'x')"],
    [['--seed', '-3'], "vnicspec: --seed: must be an integer from 0 to 9007199254740991 (got '-3')"],
    [['--seed', '1.5'], "vnicspec: --seed: must be an integer from 0 to 9007199254740991 (got '1.5')"],
    [['--seed', '99999999999999999999'], "vnicspec: --seed: must be an integer from 0 to 9007199254740991 (got '99999999999999999999')"],
    [['--seed', '1_000'], "vnicspec: --seed: must be an integer from 0 to 9007199254740991 (got '1_000')"],
    [['--seed', '0x10'], "vnicspec: --seed: must be an integer from 0 to 9007199254740991 (got '0x10')"],
    [['--duration', '0'], `vnicspec: --duration: must be ${SECONDS} (got '0')`],
    [['--duration', 'abc'], `vnicspec: --duration: must be ${SECONDS} (got 'abc')`],
    [['--duration', 'Infinity'], `vnicspec: --duration: must be ${SECONDS} (got 'Infinity')`],
    [['--duration', '0x10'], `vnicspec: --duration: must be ${SECONDS} (got '0x10')`],
    [['--duration', '1_000'], `vnicspec: --duration: must be ${SECONDS} (got '1_000')`],
    [['--duration', '5e-324'], `vnicspec: --duration: must be ${SECONDS} (got '5e-324')`],
    [['--duration', '1e10'], `vnicspec: --duration: must be ${SECONDS} (got '1e10')`],
    [['--arch', 'kvm'], "vnicspec: --arch: must be one of vnic, xen-idd, native, mixed (got 'kvm')"],
    [['--cores', 'many'], "vnicspec: --cores: must be one of single, multi (got 'many')"],
    [['--stepper', 'fast'], "vnicspec: --stepper: must be one of compiled, xstate (got 'fast')"],
  ])('simulate %j', async (args, message) => {
    const r = await run('simulate', '--scenario', 'single-vm', ...args);
    expectOneLineError(r);
    expect(r.err.trimEnd()).toBe(message);
  });

  test('--seed takes the spellings every integer flag takes: digits, blanks around, a sign', () => {
    const seed = parseSeed('--seed');
    expect([seed('0'), seed(' 42 '), seed('+7'), seed('007'), seed('9007199254740991')]).toEqual([0, 42, 7, 7, 9007199254740991]);
  });

  test('--compare with --arch', async () => {
    const r = await run('simulate', '--scenario', 'single-vm', '--compare', '--arch', 'vnic');
    expectOneLineError(r);
    expect(r.err).toContain('--compare');
  });

  test('unknown scenario / missing file', async () => {
    const r = await run('simulate', '--scenario', join(dir, 'does-not-exist.json'));
    expectOneLineError(r);
    expect(r.err).toContain('no such file');
    expectOneLineError(await run('simulate', '--scenario', 'no-such-built-in'));
  });

  test('a file that is not JSON', async () => {
    const r = await run('simulate', '--scenario', file('broken.json', '{ "name": '));
    expectOneLineError(r);
    expect(r.err).toContain('not valid JSON');
  });

  test('a negative rate: the message names streams[0].rate', async () => {
    const p = file('negative.json', { name: 'neg', vms: [{ name: 'vm1' }], streams: [{ kind: 'open-loop', vm: 'vm1', rate: -5 }] });
    const r = await run('simulate', '--scenario', p, '--duration', '0.1');
    expectOneLineError(r);
    expect(r.err).toContain('streams[0].rate');
    expect(r.err).toContain(p);
  });

  test('several schema problems: one line each, every line prefixed', async () => {
    const p = file('two-bad.json', { name: 'x', vms: [{ name: 'a', qos: { rateMbps: 0 } }], streams: [{ kind: 'open-loop', vm: 'b', rate: 1 }] });
    const r = await run('simulate', '--scenario', p);
    expect(r.code).toBe(2);
    const lines = r.err.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const l of lines) expect(l).toMatch(/^vnicspec: /);
    expect(r.err).toContain('vms[0].qos.rateMbps: must be a number from 0.001 to 1600000 Mbit/s');
    expect(r.err).toContain("streams[0].vm: no VM named 'b'");
  });
});

describe('simulate --json', () => {
  test('single-vm: one parseable JSON object with the documented fields', async () => {
    const r = await run('simulate', '--scenario', 'single-vm', '--duration', '0.5', '--json');
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const report = JSON.parse(r.out) as SimulationReport;
    expect(report).toMatchObject({ scenario: 'single-vm', arch: 'vnic', cores: 'multi', seed: 1, durationS: 0.5, outcome: 'ok' });
    expect(report.vms).toHaveLength(1);
    const vm = report.vms[0]!;
    expect(vm.id).toBe('vm1');
    for (const k of ['offered', 'admitted', 'dropped', 'delivered', 'throughputPerS'] as const) expect(typeof vm[k]).toBe('number');
    expect(typeof vm.rejected).toBe('object');
    expect(vm.offered).toBeGreaterThan(0);
    expect(vm.latencyMs).toHaveProperty('p50');
    expect(vm.latencyMs).toHaveProperty('p99');
    expect(report.cpus.length).toBeGreaterThan(0);
    for (const c of report.cpus) {
      expect(typeof c.id).toBe('string');
      expect(Array.isArray(c.runs)).toBe(true);
      expect(c.utilisation).toBeGreaterThanOrEqual(0);
      expect(c.utilisation).toBeLessThanOrEqual(1);
    }
    // Keys in the report's order, 2-space indentation, one trailing newline.
    expect(r.out).toBe(JSON.stringify(report, null, 2) + '\n');
  });

  test('overrides reach the report', async () => {
    const r = await run('simulate', '--scenario', 'single-vm', '--arch', 'xen-idd', '--cores', 'single', '--seed', '9', '--duration', '0.2', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ arch: 'xen-idd', cores: 'single', seed: 9, durationS: 0.2 });
  });

  test('determinism: same seed, byte-identical stdout; another seed, different (Poisson arrivals)', async () => {
    const p = file('poisson.json', poisson);
    const a = await run('simulate', '--scenario', p, '--seed', '1', '--json');
    const b = await run('simulate', '--scenario', p, '--seed', '1', '--json');
    const c = await run('simulate', '--scenario', p, '--seed', '2', '--json');
    for (const x of [a, b, c]) expect(x.code).toBe(0);
    expect(b.out).toBe(a.out);
    expect(c.out).not.toBe(a.out);
    const vmsOf = (x: Run): unknown => (JSON.parse(x.out) as SimulationReport).vms;
    expect(vmsOf(c)).not.toEqual(vmsOf(a));
  });

  test('--compare --json: { comparison: [xen-idd, vnic] } with the same seed, cores and duration', async () => {
    const r = await run('simulate', '--scenario', 'httperf-2vm', '--duration', '0.3', '--seed', '4', '--compare', '--json');
    expect(r.code).toBe(0);
    const body = JSON.parse(r.out) as { comparison: SimulationReport[] };
    expect(Object.keys(body)).toEqual(['comparison']);
    expect(body.comparison.map((x) => x.arch)).toEqual(['xen-idd', 'vnic']);
    for (const x of body.comparison) expect(x).toMatchObject({ scenario: 'httperf-2vm', seed: 4, durationS: 0.3, cores: 'multi' });
  });
});

describe('simulate, human output', () => {
  test('header, per-VM table, per-core table; timing on stderr only', async () => {
    const r = await run('simulate', '--scenario', 'flood', '--duration', '0.3');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('scenario flood | arch vnic | cores multi | seed 1 | duration 0.3 s');
    expect(r.out).toMatch(/^VM\s+attachment\s+offered\s+admitted\s+rejected\s+dropped\s+delivered\s+throughput\/s\s+p50 ms\s+p99 ms$/m);
    expect(r.out).toMatch(/^vm2\s+vnic\s+\d+\s+\d+\s+rate-exceeded \d+/m);
    expect(r.out).toMatch(/^core\s+runs\s+utilisation %$/m);
    expect(r.out).toMatch(/^cpu0\s+vmm\s+\d+\.\d$/m);
    expect(r.out).toContain('Runtime invariants (isolation, packet conservation) held throughout.');
    expect(r.out).not.toMatch(/wall|events\/s/);
    expect(r.err).toMatch(/events in .* wall time/);
  });

  test('--compare: title, side-by-side tables and a computed takeaway', async () => {
    const r = await run('simulate', '--scenario', 'httperf-2vm', '--duration', '0.5', '--compare');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^Comparing xen-idd .* with vnic .* on scenario 'httperf-2vm'$/);
    expect(r.out).toMatch(/-+ xen-idd -+\s+-+ vnic -+/);
    expect(r.out).toMatch(/^vm1(\s+[\d.]+){8}$/m);
    expect(r.out).toMatch(/^cpu0\s+vmm, driver-domain\s+[\d.]+\s+vmm\s+[\d.]+$/m);
    expect(r.out).toMatch(/^Takeaway: vnic vs xen-idd: [+-]\d+% throughput/m);
  });
});

describe('scenarios', () => {
  test('--json lists the built-ins with their defaults', async () => {
    const r = await run('scenarios', '--json');
    expect(r.code).toBe(0);
    const { scenarios } = JSON.parse(r.out) as { scenarios: { name: string; arch: string; vms: number; streams: string; durationS: number; description: string }[] };
    const names = scenarios.map((s) => s.name);
    for (const n of ['httperf-2vm', 'flood', 'single-vm']) expect(names).toContain(n);
    const h = scenarios.find((s) => s.name === 'httperf-2vm')!;
    expect(h).toMatchObject({ arch: 'vnic', vms: 2, streams: '2 x open-loop 1200 req/s', durationS: 14 });
    expect(h.description).not.toBe('');
  });

  test('human listing', async () => {
    const r = await run('scenarios');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^name\s+arch\s+cores\s+VMs\s+duration\s+streams$/m);
    expect(r.out).toMatch(/^mixed-3vm\s+mixed\s+multi\s+3\s+10 s\s+/m);
    expect(r.out).toMatch(/^flood: /m);
  });
});
