/**
 * Hostile input and long runs (issue 12), in-process: every number bounded by what it means, calibration checked
 * up front, partial reports on a timeout or an interrupt, output files checked before the work, names printed safely.
 * Real signals and running out of memory are in cli-signals.test.ts (child processes); check's stops in cli-stops.test.ts.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectOneLineError, run, runWith } from './cli-run.js';
import { dataDir } from '../spec/scenario.js';

let dir: string;
const file = (name: string, content: unknown): string => {
  const p = join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
};
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vnicspec-hostile-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const oneVm = (over: Record<string, unknown> = {}, stream: Record<string, unknown> = { kind: 'open-loop', vm: 'a', rate: 100 }) => ({
  name: 'hostile',
  durationS: 0.01,
  vms: [{ name: 'a' }],
  streams: [stream],
  ...over,
});

describe('every number bounded by what it means: exit 2, the field, the range and why', () => {
  test.each([
    ['rate 1e-300', oneVm({}, { kind: 'open-loop', vm: 'a', rate: 1e-300 }), /streams\[0\]\.rate: must be a number from 0\.000001 to 1000000000 per second \(gaps between arrivals .*\) \(got 1e-300\)/],
    ['rate 5e-324', oneVm({}, { kind: 'flood', target: { vm: 'a' }, rate: 5e-324 }), /streams\[0\]\.rate: must be .* \(got 5e-324\)/],
    ['startS 1e300', oneVm({}, { kind: 'open-loop', vm: 'a', rate: 1, startS: 1e300 }), /streams\[0\]\.startS: must be 0 or a number from 1e-9 to 9007199 seconds \(the simulator's clock/],
    ['timeoutMs 1e-7', oneVm({}, { kind: 'closed-loop', vm: 'a', timeoutMs: 1e-7 }), /streams\[0\]\.timeoutMs: must be a number from 0\.000001 to 9007199000 ms/],
    ['timeoutMs 1e-300', oneVm({}, { kind: 'closed-loop', vm: 'a', timeoutMs: 1e-300 }), /streams\[0\]\.timeoutMs: must be/],
    ['durationS 1e10 in the file', oneVm({ durationS: 1e10 }), /durationS: must be a number from 1e-9 to 9007199 seconds .* \(got 10000000000\)/],
    ['durationS 1e300 in the file', oneVm({ durationS: 1e300 }), /durationS: must be .* \(got 1e\+300\)/],
    ['1-byte flood packets', oneVm({}, { kind: 'flood', target: { vm: 'a' }, packetBytes: 1 }), /streams\[0\]\.packetBytes: must be an integer from 64 to 9216 bytes \(an Ethernet frame/],
    ['msiVectors 1e9', oneVm({ nic: { msiVectors: 1e9 } }), /nic\.msiVectors: must be an integer from 1 to 2048 \(PCIe MSI-X allows 2048 vectors per function\)/],
    ['seed 2^53', oneVm({ seed: 2 ** 53 }), /seed: must be an integer from 0 to 9007199254740991 \(got 9007199254740992\)/],
    ['a rate as a string', oneVm({}, { kind: 'open-loop', vm: 'a', rate: '1500' }), /streams\[0\]\.rate: must be a number .* \(got "1500"\)/],
    ['an unknown architecture, worded as --arch is', oneVm({ arch: 'kvm' }), /arch: must be one of vnic, xen-idd, native, mixed \(got "kvm"\)/],
    ['an unknown stream kind', oneVm({}, { kind: 'bursty', vm: 'a' }), /streams\[0\]\.kind: must be one of open-loop, closed-loop, flood \(got "bursty"\)/],
    ['a whitespace-only VM name', oneVm({ vms: [{ name: ' \t ' }], streams: [] }), /vms\[0\]\.name: must contain a visible character/],
  ])('%s', async (_what, scenario, pattern) => {
    expectOneLineError(await run('simulate', '--scenario', file('bad.json', scenario)), { pattern });
  });

  test('the same bound for --duration and durationS, with the same words', async () => {
    const flag = await run('simulate', '--scenario', 'single-vm', '--duration', '1e10');
    const field = await run('simulate', '--scenario', file('d.json', oneVm({ durationS: 1e10 })));
    const must = (s: string): string => s.replace(/^.*?: must/s, 'must').replace(/ \(got .*$/s, '');
    expect(must(flag.err)).toBe(must(field.err));
  });

  test('allowed but absurd: refused up front with the estimate and how to proceed', async () => {
    const r = await run('simulate', '--scenario', file('r8.json', oneVm({ durationS: 10 }, { kind: 'open-loop', vm: 'a', rate: 1e8 })));
    expectOneLineError(r, { pattern: /about 7\.0e9 simulator events \(streams\[0\], open-loop at 1\.0e8 per second.*shorten durationS to about 1\.4 s.*--timeout SECONDS/ });
    const closed = await run('simulate', '--scenario', file('c.json', oneVm({ durationS: 10 }, { kind: 'closed-loop', vm: 'a', timeoutMs: 1e-6 })));
    expectOneLineError(closed, { pattern: /closed-loop at 1\.0e9 per second/ });
  });

  test('a run shorter than the first stream start simulates nothing: refused', async () => {
    expectOneLineError(await run('simulate', '--scenario', 'single-vm', '--duration', '1e-6'), { pattern: /--duration: must be more than 0\.001 s, when the first stream starts: a shorter run simulates nothing \(got '0.000001'\)/ });
  });
});

describe('calibration', () => {
  const defaults = JSON.parse(readFileSync(join(dataDir('calibration'), 'default.json'), 'utf8')) as { demandsNs: Record<string, number> };

  test('a profile missing a demand the architecture needs: exit 2 naming the key, before any run', async () => {
    const { ['vm.app']: _gone, ...rest } = defaults.demandsNs;
    const cal = file('no-app.json', { ...defaults, demandsNs: { ...rest, 'vm.aap': 1 } });
    const r = await run('simulate', '--scenario', file('s.json', oneVm({ calibration: cal })));
    expectOneLineError(r, { pattern: /demandsNs: has no 'vm\.app', which the vnic architecture needs .*a typo, 'vm\.aap' for 'vm\.app'\?/ });
    // native needs none of the vm.* keys: the same profile runs it.
    expect((await run('simulate', '--scenario', file('s.json', oneVm({ calibration: cal })), '--arch', 'native')).code).toBe(0);
  });

  test('sweep and reproduce check the profile before any run too', async () => {
    const { ['idd.bridge']: _gone, ...rest } = defaults.demandsNs;
    const cal = file('no-bridge.json', { ...defaults, demandsNs: rest });
    const s = file('s.json', oneVm({ calibration: cal }));
    expectOneLineError(await run('sweep', '--scenario', s, '--arch', 'vnic,xen-idd', '--rates', '100', '--out', join(dir, 'sweep')), { pattern: /has no 'idd\.bridge', which the xen-idd architecture needs/ });
    expectOneLineError(await run('reproduce', '--calibration', cal, '--out', join(dir, 'rep')), { pattern: /has no 'idd\.bridge', which the xen-idd architecture needs/ });
  });

  test('an absolute calibration path is used as is; a BOM is tolerated in both files', async () => {
    const cal = file('abs.json', `\ufeff${JSON.stringify(defaults)}`);
    mkdirSync(join(dir, 'elsewhere'), { recursive: true });
    const scenario = join(dir, 'elsewhere', 'abs-scenario.json');
    writeFileSync(scenario, `\ufeff${JSON.stringify(oneVm({ calibration: cal }))}`);
    const r = await run('simulate', '--scenario', scenario, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ scenario: 'hostile', outcome: 'ok' });
  });
});

describe('names printed safely', () => {
  test('control characters are escaped in the table; JSON keeps the name', async () => {
    const name = 'a\nb\u001b[31mRED\u202e';
    const s = file('names.json', { ...oneVm({ vms: [{ name }] }, { kind: 'open-loop', vm: name, rate: 100 }) });
    const r = await run('simulate', '--scenario', s);
    expect(r.code).toBe(0);
    expect(r.out).not.toMatch(/[\u001b\u202e]/);
    expect(r.out).toContain('a\\u000ab\\u001b[31mRED\\u202e  vnic');
    const j = await run('simulate', '--scenario', s, '--json');
    expect((JSON.parse(j.out) as { vms: { id: string }[] }).vms[0]!.id).toBe(name);
  });
});

describe('long runs: --timeout, progress in a log, interrupts', () => {
  test('simulate --timeout: the report of what was simulated, marked partial, exit 3', async () => {
    const r = await run('simulate', '--scenario', 'httperf-2vm', '--duration', '100000', '--timeout', '0.3');
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/^PARTIAL: the --timeout expired at t = [0-9.]+ s of 100000 s; the figures cover those [0-9.]+ s only\.$/m);
    expect(r.out).toContain('held throughout the simulated part.');
    expect(r.err).toMatch(/vnicspec: partial: the --timeout of 0\.3 s expired at t = /);
    const j = await run('simulate', '--scenario', 'httperf-2vm', '--duration', '100000', '--timeout', '0.3', '--json');
    expect(j.code).toBe(3);
    const report = JSON.parse(j.out) as { partial: string; stoppedAtS: number; durationS: number };
    expect(report.partial).toBe('timeout');
    expect(report.stoppedAtS).toBeGreaterThan(0);
    expect(report.stoppedAtS).toBeLessThan(report.durationS);
  });

  test('simulate prints progress lines in a log, and Ctrl-C gives the partial report (exit 3)', async () => {
    const ctl = new AbortController();
    // Ctrl-C as soon as the first progress line is out.
    const interruptOnProgress = (s: string): void => {
      if (s.startsWith('Simulating') || s.startsWith('Progress(')) ctl.abort('interrupted');
    };
    const r = await runWith(
      { progressLogEveryMs: 1, interrupt: ctl.signal, err: interruptOnProgress },
      'simulate', '--scenario', 'httperf-2vm', '--compare', '--duration', '10000', '--timeout', '600',
    );
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/^Simulating httperf-2vm \(xen-idd\) at [0-9.]+s: [0-9.]+ of 10000 s simulated \([0-9.]+%\), [0-9,]+ events, [0-9,]+ events\/s, about .* left, memory [0-9.]+ MiB$/m);
    expect(r.out).toMatch(/^PARTIAL: interrupted \(Ctrl-C\) at t = /m);
    expect(r.out).toContain('(vnic: not simulated, the run stopped before)');
    expect(r.err).toContain('vnicspec: partial: interrupted (Ctrl-C) at t = ');
  });
});

describe('output files', () => {
  test('an unwritable --trace-out is refused before the search', async () => {
    for (const target of ['/proc/x.itf.json', dir + '/']) {
      const r = await run('check', '--vms', '4', '--trace-out', target.endsWith('/') ? join(target, 'sub', 'x.itf.json') : target);
      expectOneLineError(r, { pattern: /--trace-out: cannot write '.*': no such directory \(ENOENT\)/ });
    }
    const d = join(dir, 'is-a-dir.itf.json');
    mkdirSync(d, { recursive: true });
    expectOneLineError(await run('check', '--vms', '4', '--trace-out', d), { pattern: /it is a directory \(EISDIR\)/ });
  });

  test('a write that fails after the search keeps the verdict: exit 1, the counterexample on stdout', async () => {
    const sub = join(dir, 'vanishing');
    mkdirSync(sub, { recursive: true });
    const target = join(sub, 'cex.txt');
    const r = await runWith(
      {
        // The directory disappears while the search runs (after the header is printed).
        out: (s) => {
          if (s.startsWith('vnicspec check')) rmSync(sub, { recursive: true, force: true });
        },
      },
      'check', '--arch', 'xen-idd', '--trace-out', target,
    );
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--trace-out: cannot write '.*cex\.txt' \(no such directory \(ENOENT\)\); the 5-step counterexample follows on stdout/);
    expect(r.out).toMatch(/# vnicspec check: property no-cross-vm-starvation/);
  });

  test('sweep: an --out it cannot write into is refused before the runs', async () => {
    expectOneLineError(await run('sweep', '--scenario', 'single-vm', '--rates', '100', '--duration', '0.01', '--out', '/proc'), { pattern: /--out: cannot write into '\/proc'/ });
  });

  test('sweep: files that cannot be written after the runs keep the exit code; sweep.json goes to stdout', async () => {
    const out = join(dir, 'sweep-vanishing');
    const r = await runWith(
      {
        // The first progress line comes after the first run: the directory is gone by the time the files are written.
        progressLogEveryMs: 0,
        err: (s) => {
          if (/runs \(/.test(s)) rmSync(out, { recursive: true, force: true });
        },
      },
      'sweep', '--scenario', 'single-vm', '--rates', '100,200', '--duration', '0.01', '--out', out,
    );
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/--out: cannot write '.*sweep\.json' \(no such directory \(ENOENT\)\); it follows on stdout/);
    expect(r.out).toContain('"kind": "vnicspec-sweep"');
  });
});

describe('mutants', () => {
  test('a stop gives the matrix so far marked partial (no verdict), exit 3; --json says status partial', async () => {
    // The first mutant is killed within a few checks; the stop comes with the second.
    let checks = 0;
    const ctrlC = new AbortController();
    const err = (s: string): void => {
      if (/^checking /.test(s) && ++checks === 2) ctrlC.abort();
    };
    const r = await runWith({ interrupt: ctrlC.signal, progressLogEveryMs: 60_000, err }, 'mutants', '--only', 'partition-off-by-one,bucket-overfill');
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/^partition-off-by-one +qos-admission/m);
    expect(r.out).toMatch(/PARTIAL \(stopped\): 1 of the 1 mutants run were killed; the specified system ran 0 of the 1 checks\.\n$/);
    expect(r.out).not.toMatch(/mutants killed\./);
    const j = await runWith({ interrupt: AbortSignal.abort() }, 'mutants', '--json', '--only', 'bucket-overfill');
    expect(j.code).toBe(3);
    expect(JSON.parse(j.out)).toMatchObject({ status: 'partial', mutants: [] });
  });

  test('an unknown --only name is printed safely, on one line', async () => {
    expectOneLineError(await run('mutants', '--only', 'a\nb\u001b[31m'), { pattern: /--only: unknown mutant 'a\\u000ab\\u001b\[31m'/ });
  });
});
