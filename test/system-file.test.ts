/**
 * System files (docs/formats/system.md): validated field by field; the command line's flags build the same object as
 * the file that states them (same states, transitions, verdict and trace); `check --system` takes the built-in
 * systems and flags next to a file; the library takes the same object; and the simulator runs the same VMs and QoS
 * (`simulate --system`, a scenario's `"system"`).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { check, simulate } from 'vnicspec';
import { checkConfigOf, defaultCheckConfig, systemOfCheckConfig, systemOfShortcuts } from '../spec/checked/config.js';
import { parseScenario } from '../spec/scenario.js';
import { loadSystem, parseSystem, type SystemInput } from '../spec/system-file.js';
import { expectOneLineError, run } from './cli-run.js';
import { runCheck } from '../src/api/check.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vnicspec-system-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, body: unknown): string => {
  const path = join(dir, name);
  writeFileSync(path, typeof body === 'string' ? body : JSON.stringify(body, null, 2));
  return path;
};

describe('validation, field by field', () => {
  const errorOf = (raw: unknown): string => {
    const r = parseSystem(raw, 'sys.json');
    expect(r.ok).toBe(false);
    return r.ok ? '' : r.error;
  };

  test('each problem on its own line, naming the file and the field, with the range and why', () => {
    expect(errorOf({ vms: [{}, { qos: { rate: 0 } }] })).toBe(
      'sys.json: vms[1].qos.rate: must be an integer from 1 to 64 bytes per tick (whole abstract bytes per tick, so token counts stay whole) (got 0)',
    );
    const many = errorOf({ sizes: [1, 1.5], vms: [{ traffic: 'bursty', driver: 'evil', attached: 'yes', qos: { capacity: 2000 } }], nic: { msiVectors: 0 }, surprise: true }).split('\n');
    expect(many).toEqual([
      expect.stringMatching(/^sys\.json: sizes\[1\]: must be an integer from 1 to 64 bytes \(.*\) \(got 1\.5\)$/),
      expect.stringMatching(/^sys\.json: nic\.msiVectors: must be an integer from 1 to 64 .*\(got 0\)$/),
      expect.stringMatching(/^sys\.json: vms\[0\]\.qos\.capacity: must be an integer from 1 to 1024 bytes .*\(got 2000\)$/),
      'sys.json: vms[0].traffic: must be one of conforming, flooding, idle, adversary (got "bursty")',
      'sys.json: vms[0].driver: must be one of honest, hostile (got "evil")',
      'sys.json: vms[0].attached: must be true or false (got "yes")',
      'sys.json: (top level): Unrecognized key: "surprise"',
    ]);
  });

  test('rules across fields: a size listed twice, a VM name given twice, no VMs', () => {
    expect(errorOf({ sizes: [1, 3, 1], vms: [{}] })).toBe('sys.json: sizes[2]: size 1 is listed twice');
    expect(errorOf({ vms: [{ name: 'web' }, { name: 'web' }] })).toBe("sys.json: vms[0].name: duplicate VM name 'web'\nsys.json: vms[1].name: duplicate VM name 'web'");
    expect(errorOf({ vms: [] })).toBe('sys.json: vms: must list at least one VM');
    expect(errorOf({})).toMatch(/^sys\.json: vms: /);
  });

  test('check --system: a bad file is one line per problem and exit 2; an unknown name or path says so', async () => {
    const bad = file('bad.json', { vms: [{}, { qos: { rate: 0 } }] });
    expectOneLineError(await run('check', '--system', bad), { pattern: /bad\.json: vms\[1\]\.qos\.rate: must be an integer from 1 to 64 bytes per tick/ });
    expectOneLineError(await run('check', '--system', join(dir, 'none.json')), { pattern: /no system '.*none\.json': not a built-in \(paper-2vm, adversarial, churn\) and no such file/ });
    expectOneLineError(await run('check', '--system', file('syntax.json', '{ "vms": [')), { pattern: /syntax\.json: not valid JSON/ });
    expectOneLineError(await run('check', '--system', 'paper-2vm', '--vms', '3'), { pattern: /--vms cannot change the VMs of a system file/ });
    expectOneLineError(await run('check', '--sizes', '1,3,1'), { pattern: /--sizes: size 1 is listed twice/ });
    expectOneLineError(await run('check', '--sizes', '0'), { pattern: /--sizes: must be a comma-separated list, each value an integer from 1 to 64 bytes/ });
    const big = file('big.json', { vms: [{}, {}, {}, {}, {}] });
    expectOneLineError(await run('check', '--system', big), { pattern: /5 VMs is beyond exhaustive search .* add --random/ });
  });

  test('a byte-order mark is tolerated', () => {
    const path = file('bom.json', `\ufeff${JSON.stringify({ vms: [{}] })}`);
    expect(loadSystem(path).ok).toBe(true);
  });
});

describe('check --system runs the built-in systems', () => {
  test.each([
    ['paper-2vm', '20,077 distinct states'],
    ['churn', '4,328 distinct states'],
  ])('%s: every property holds (exit 0), and the header names the system', async (name, states) => {
    const r = await run('check', '--system', name, '--workers', '1', '--no-progress');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(new RegExp(`^vnicspec check\n {2}system: {8}${name} \\(${name}\\)`));
    expect(r.out).toContain('All 11 properties hold.');
    expect(r.out).toContain("Liveness: 'eventual-delivery' holds on every fair behaviour");
    expect(r.out).toContain(states);
  });

  test('vnicspec systems lists them: the table, and --json with what each describes', async () => {
    const text = await run('systems');
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^adversarial +vnic +1,2 +drr +off +web: conforming; attacker: adversary, hostile driver$/m);
    const json = await run('systems', '--json');
    const { systems } = JSON.parse(json.out) as { systems: { name: string; vms: number; churn: boolean; traffic: string }[] };
    expect(systems.map((s) => s.name)).toEqual(['paper-2vm', 'adversarial', 'churn']);
    expect(systems.find((s) => s.name === 'churn')).toMatchObject({ vms: 2, churn: true, traffic: expect.stringContaining('tenant-b: conforming, hostile driver, detached at boot') });
  });

  test('--random takes a system file, and its reproduction command names it', async () => {
    const r = await run('check', '--random', '--system', 'adversarial', '--arch', 'xen-idd', '--traces', '200', '--json');
    const body = JSON.parse(r.out) as { verdict: string; property: string; reproduce: string };
    expect([r.code, body.verdict, body.property]).toEqual([1, 'violated', 'no-cross-vm-starvation']);
    expect(body.reproduce).toMatch(/^vnicspec check --random --system adversarial --arch xen-idd --seed 1 /);
  });
});

describe('the flags are shortcuts that build the same object', () => {
  test('flags → system → configuration is the configuration the flags always gave', () => {
    for (const flags of [{}, { arch: 'xen-idd' as const, vms: 3, capacity: 3 }, { arch: 'mixed' as const, churn: true, burst: 2 }, { sizes: [1, 3], dma: 'wrr' as const }]) {
      const c = defaultCheckConfig(flags);
      expect(checkConfigOf(systemOfShortcuts(flags))).toEqual(c);
      // The report's system, read back as a file, is the same configuration.
      const again = parseSystem(JSON.parse(JSON.stringify(systemOfCheckConfig(c))), 'again');
      expect(again.ok && checkConfigOf(again.value)).toEqual(c);
    }
  });

  test('check --json with flags, then --system with the system it reports: same states, transitions, verdict and trace', async () => {
    const viaFlags = await run('check', '--json', '--arch', 'xen-idd', '--sizes', '1,3', '--capacity', '3', '--workers', '1');
    const a = JSON.parse(viaFlags.out) as { verdict: string; states: number; transitions: number; trace: unknown; config: unknown; system: unknown };
    expect(a.verdict).toBe('violated');
    const path = file('from-flags.json', a.system);
    const viaFile = await run('check', '--json', '--system', path, '--workers', '1');
    const b = JSON.parse(viaFile.out) as typeof a;
    expect([viaFile.code, b.verdict, b.states, b.transitions]).toEqual([viaFlags.code, a.verdict, a.states, a.transitions]);
    expect(b.config).toEqual(a.config);
    expect(b.trace).toEqual(a.trace);
  });

  test('flags next to --system change the file, every VM alike', async () => {
    const r = await run('check', '--json', '--system', 'paper-2vm', '--arch', 'xen-idd', '--capacity', '1', '--sizes', '1,2', '--property', 'no-cross-vm-starvation');
    const body = JSON.parse(r.out) as { verdict: string; config: { arch: string; capacities: number[]; sizes: number[]; names: string[] } };
    expect(r.code).toBe(1);
    expect(body.config).toMatchObject({ arch: 'xen-idd', capacities: [1, 1], sizes: [1, 2], names: ['web1', 'web2'] });
  });

  test('--roles, --drivers and --no-unknown-traffic: per-VM traffic and drivers, as the library takes them; a reproduction names them', async () => {
    const flags = ['--vms', '3', '--roles', 'flooding,idle,flooding', '--drivers', 'honest,honest,hostile', '--no-unknown-traffic'];
    const r = await run('check', ...flags, '--max-states', '1', '--json');
    const shortcuts = { vms: 3, roles: ['flooding', 'idle', 'flooding'] as const, drivers: ['honest', 'honest', 'hostile'] as const, unknownTraffic: false };
    expect((JSON.parse(r.out) as { config: unknown }).config).toEqual(defaultCheckConfig({ ...shortcuts, roles: [...shortcuts.roles], drivers: [...shortcuts.drivers] }));
    const random = JSON.parse((await run('check', '--random', ...flags, '--traces', '2', '--json')).out) as { reproduce: string };
    expect(random.reproduce).toContain('--roles flooding,idle,flooding --drivers honest,honest,hostile --no-unknown-traffic');
    // With --system they change the file's VMs (one entry per VM) and its unknown traffic.
    const onFile = await run('check', '--system', 'paper-2vm', '--roles', 'idle,flooding', '--drivers', 'hostile,honest', '--no-unknown-traffic', '--max-states', '1', '--json');
    expect((JSON.parse(onFile.out) as { config: unknown }).config).toMatchObject({ roles: ['idle', 'flooding'], drivers: ['hostile', 'honest'], unknownTraffic: false, names: ['web1', 'web2'] });
    expectOneLineError(await run('check', '--roles', 'flooding'), { pattern: /^vnicspec: --roles: lists 1 roles for 2 VMs; give one per VM/ });
    expectOneLineError(await run('check', '--roles', 'conforming,bursty'), { pattern: /--roles: must be a comma-separated list, one per VM, each one of conforming, flooding, idle, adversary \(got 'conforming,bursty'\)/ });
    expectOneLineError(await run('check', '--system', 'paper-2vm', '--drivers', 'hostile'), { pattern: /--drivers: lists 1 drivers for 2 VMs/ });
  });

  test('the library takes the same object: check({ system }) and the flags it stands for agree', async () => {
    const viaShortcuts = await check({ arch: 'vnic', sizes: [1, 2], capacity: 2, roles: ['conforming', 'flooding'], drivers: ['honest', 'hostile'] });
    const viaSystem = await check({ system: viaShortcuts.system });
    expect([viaSystem.verdict, viaSystem.states, viaSystem.transitions]).toEqual([viaShortcuts.verdict, viaShortcuts.states, viaShortcuts.transitions]);
    expect(viaSystem.config).toEqual(viaShortcuts.config);
    await expect(check({ system: 'paper-2vm', vms: 3 })).rejects.toThrow('system: cannot be combined with vms');
    await expect(check({ system: { vms: [{ qos: { rate: 0 } }] } })).rejects.toThrow(/^system: vms\[0\]\.qos\.rate: must be an integer from 1 to 64/);
  });
});

describe('one file for check and simulate', () => {
  test("a scenario naming a system runs the system's VMs, QoS and NIC in real units", () => {
    const s = parseScenario({ name: 'timed', system: 'paper-2vm', streams: [{ kind: 'open-loop', vm: 'web1', rate: 100 }] }, 'timed.json');
    expect(s.ok).toBe(true);
    if (!s.ok) return;
    // units: 128 bytes per abstract byte, 1/1500 s per tick: rate 1 is 1,500 requests of 128 bytes per second.
    expect(s.value.vms.map((v) => v.name)).toEqual(['web1', 'web2']);
    expect(s.value.vms[0]!.qos).toMatchObject({ burstBytes: 128, partitionBytes: 256, priority: 0, weight: 1 });
    expect(s.value.vms[0]!.qos.rateMbps).toBeCloseTo((128 * 8) / 0.0006667 / 1e6, 9);
    expect(s.value.nic).toMatchObject({ dmaArbiter: 'drr', rxRing: 2, txRing: 1, msiVectors: 2, memoryBytes: 6 * 128 });
    expect(s.value.arch).toBe('vnic');
  });

  test('without streams, the traffic follows the roles; conflicting fields are refused', () => {
    const s = parseScenario({ name: 'roles', system: 'adversarial' }, 'roles.json');
    expect(s.ok && s.value.streams.map((st) => st.kind)).toEqual(['open-loop', 'flood', 'flood']);
    expect(parseScenario({ name: 'x', system: 'paper-2vm', vms: [{ name: 'a' }] }, 'x.json')).toEqual({ ok: false, error: 'x.json: vms: must not be given with system: the system gives the VMs' });
    expect(parseScenario({ name: 'x', system: 'paper-2vm', nic: { rxRing: 4 } }, 'x.json')).toEqual({
      ok: false,
      error: 'x.json: nic.rxRing: the system gives the NIC; with system only nic.linkGbps may be set here',
    });
    const tiny = parseScenario({ name: 'x', system: { units: { bytes: 16 }, vms: [{}] } }, 'x.json');
    expect(tiny.ok || tiny.error).toMatch(/x\.json: system: vms\[0\]\.qos\.burst × units\.bytes = 16 bytes: the simulator needs at least one 64-byte frame/);
    expect(parseScenario({ name: 'x', system: 'paper-2vm', streams: [{ kind: 'open-loop', vm: 'nobody', rate: 1 }] }, 'x.json')).toMatchObject({
      ok: false,
      error: expect.stringContaining("streams[0].vm: no VM named 'nobody'"),
    });
  });

  test("under mixed, the simulator boots the attachments the checker boots (the driver domain's vNIC as large as the largest VM's partition)", async () => {
    const system: SystemInput = { arch: 'mixed', units: { bytes: 128 }, vms: [{}, {}, { bestEffort: true }] };
    const r = await simulate({ system, durationS: 0.01 });
    if ('comparison' in r) throw new Error('one report expected');
    const checked = await runCheck({ system, liveness: false, maxStates: 1 });
    const vmm = checked.setup!.model.vars(checked.setup!.model.initial()[0]!)['vmm'] as { vms: { id: string; attachment: { kind: string } }[] };
    expect(r.vms.map((v) => v.attachment)).toEqual(['vnic', 'vnic', 'paravirt']);
    expect(vmm.vms.filter((v) => v.id !== 'idd').map((v) => v.attachment.kind)).toEqual(['vnic', 'vnic', 'paravirt']);
  });

  test('simulate({ system }) and a scenario file with "system" run, as simulate --system does', async () => {
    const alone = await simulate({ system: 'paper-2vm', durationS: 0.05 });
    const timed = await simulate({ scenario: 'examples/paper-2vm-timed.json', durationS: 0.05 });
    for (const r of [alone, timed]) {
      if ('comparison' in r) throw new Error('one report expected');
      expect(r.outcome).toBe('ok');
      expect(r.vms.map((v) => v.id)).toEqual(['web1', 'web2']);
      expect(r.vms.every((v) => v.offered > 0)).toBe(true);
    }
    const cli = await run('simulate', '--system', 'churn', '--duration', '0.02', '--json');
    expect(cli.code, cli.err).toBe(0);
    expectOneLineError(await run('simulate', '--system', 'paper-2vm', '--scenario', 'flood'), { pattern: /cannot be used with option '--scenario/ });
  });

  test('a VM detached at boot stays detached in a simulation, as in the checker: no vNIC, its packets unknown-destination', async () => {
    const system = (arch: 'vnic' | 'xen-idd'): SystemInput => ({ arch, unknownTraffic: false, vms: [{ name: 'on' }, { name: 'off', attached: false }] });
    const vnic = await simulate({ system: system('vnic'), durationS: 0.02 });
    const xen = await simulate({ system: system('xen-idd'), durationS: 0.02 });
    if ('comparison' in vnic || 'comparison' in xen) throw new Error('one report expected');
    expect(vnic.vms.map((v) => v.attachment)).toEqual(['vnic', 'none']);
    expect(xen.vms.map((v) => v.attachment)).toEqual(['paravirt', 'none']);
    const off = vnic.vms[1]!;
    expect(off.offered).toBeGreaterThan(0);
    expect(off.rejected).toEqual({ 'unknown-destination': off.offered });
    // Under xen-idd the shared NIC takes what fits in its buffer; the driver domain has no interface to give it to.
    expect(xen.vms[1]!.delivered).toBe(0);
    expect(xen.vms[1]!.dropped).toBeGreaterThan(0);
    expect(Object.keys(xen.vms[1]!.droppedBy)).toEqual(['unknown-destination']);
    // Native has no VMM to leave a VM detached: refused, as a scenario field and as an --arch override.
    await expect(simulate({ system: system('vnic'), arch: 'native', durationS: 0.02 })).rejects.toThrow(/arch: native has no VMM to leave vms\[1\] \('off'\) detached/);
    expect(parseScenario({ name: 'x', arch: 'native', vms: [{ name: 'a', attached: false }] }, 'x.json')).toMatchObject({
      ok: false,
      error: expect.stringContaining('vms[0].attached: must be true under native'),
    });
    expectOneLineError(await run('simulate', '--system', file('detached.json', JSON.stringify(system('vnic'))), '--arch', 'native'), { pattern: /--arch: native has no VMM/ });
  });
});
