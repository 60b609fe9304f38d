/**
 * The library and the command line give the same results: each API function resolves with what the matching
 * command prints with --json (apart from the fields that are timings), and its InputError carries the problem the
 * command prints after `vnicspec: `.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InputError, check, replay, scenarios, simulate } from 'vnicspec';
import { run } from './cli-run.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vnicspec-api-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The --json output of a command that exited with `code`. */
async function cliJson(code: number, ...argv: string[]): Promise<Record<string, unknown>> {
  const r = await run(...argv, '--json');
  expect(r.code, r.err).toBe(code);
  return JSON.parse(r.out) as Record<string, unknown>;
}

/** Timings differ from run to run. */
const TIMINGS = ['seconds', 'statesPerSecond', 'rssBytes'];
const untimed = (o: object): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([k]) => !TIMINGS.includes(k)));

describe('the API returns what --json prints', () => {
  test.each([
    [['--arch', 'xen-idd'], { arch: 'xen-idd' as const }, 1],
    [['--dma', 'strict', '--strategy', 'dfs'], { dma: 'strict' as const, strategy: 'dfs' as const }, 1],
    [['--vms', '3', '--arch', 'xen-idd', '--symmetry'], { vms: 3, arch: 'xen-idd' as const, symmetry: true }, 1],
    [['--max-states', '500'], { maxStates: 500 }, 3],
    [['--property', 'isolation', '--capacity', '1'], { properties: ['isolation'], capacity: 1 }, 0],
  ])('check %j', async (argv, options, code) => {
    const cli = await cliJson(code, 'check', ...argv);
    // The command line's defaults: a memory budget of half this machine's memory, a thread per core; the library's:
    // no budget, one thread.
    const memoryLimitBytes = (cli['search'] as { memoryLimitBytes: number }).memoryLimitBytes;
    expect(untimed(await check({ ...options, memoryLimitBytes, workers: availableParallelism() }))).toEqual(untimed(cli));
  });

  test('simulate, and simulate --compare', async () => {
    expect(await simulate({ scenario: 'flood', durationS: 0.3, seed: 7 })).toEqual(await cliJson(0, 'simulate', '--scenario', 'flood', '--duration', '0.3', '--seed', '7'));
    expect(await simulate({ scenario: 'httperf-2vm', durationS: 0.2, compare: true })).toEqual(
      await cliJson(0, 'simulate', '--scenario', 'httperf-2vm', '--duration', '0.2', '--compare'),
    );
  });

  test('scenarios', async () => {
    expect({ scenarios: scenarios() }).toEqual(await cliJson(0, 'scenarios'));
  });

  test('replay of a counterexample check --trace-out wrote', async () => {
    const file = join(dir, 'cex.itf.json');
    expect((await run('check', '--arch', 'xen-idd', '--trace-out', file)).code).toBe(1);
    const r = await replay(file);
    expect(r).toMatchObject({ file, verdict: 'violated', steps: 5, recordedProperty: 'no-cross-vm-starvation', message: null });
    expect(r.violation).toMatchObject({ step: 5, property: 'no-cross-vm-starvation' });
    expect(r.actions).toEqual(['arrive(vm1, flooding)', 'arrive(vm1, flooding)', 'arrive(vm1, flooding)', 'arrive(vm1, flooding)', 'arrive(vm0, conforming)']);
    expect(r.config).toMatchObject({ arch: 'xen-idd', vms: 2 });
    expect(await cliJson(1, 'replay', file)).toEqual(r);
  });
});

describe('the same diagnosis', () => {
  test('an invalid scenario file', async () => {
    const cli = await run('simulate', '--scenario', join(dir, 'absent.json'));
    const e = await simulate({ scenario: join(dir, 'absent.json') }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InputError);
    expect(cli.code).toBe((e as InputError).exitCode);
    expect(cli.err).toBe(`vnicspec: ${(e as InputError).message}\n`);
  });
});
