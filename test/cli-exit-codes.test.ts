/**
 * Each command's --help lists exactly the exit codes it can return: every code a run of it returns is listed, and
 * commands that cannot stop early or find a violation (replay, scenarios, systems) do not list 3 (nor 1, for scenarios
 * and systems).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { commands, exitCodesOf } from '../scripts/readme.js';
import { run } from './cli-run.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vnicspec-exit-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const listed = async (command: string): Promise<number[]> => (await exitCodesOf(command)).map(([c]) => Number(c));

const TABLES: [string, number[]][] = [
  ['simulate', [0, 1, 2, 3, 70]],
  ['sweep', [0, 1, 2, 3, 70]],
  ['reproduce', [0, 1, 2, 3, 70]],
  ['merge', [0, 1, 2, 3, 70]],
  ['check', [0, 1, 2, 3, 70]],
  ['replay', [0, 1, 2, 70]],
  ['scenarios', [0, 2, 70]],
  ['systems', [0, 2, 70]],
  ['mutants', [0, 1, 2, 3, 70]],
];

describe('exit-code tables', () => {
  test('every command is in this test', () => {
    expect(TABLES.map(([c]) => c).sort()).toEqual(commands().map((c) => c.name()).sort());
  });

  test.each(TABLES)('%s lists %j', async (command, codes) => {
    expect(await listed(command)).toEqual(codes);
  });

  test('the codes runs return are the ones their command lists', async () => {
    const cex = join(dir, 'cex.itf.json');
    const cases: [string[], number][] = [
      [['scenarios'], 0],
      [['scenarios', '--bogus'], 2],
      [['systems'], 0],
      [['systems', '--bogus'], 2],
      [['simulate', '--scenario', 'single-vm', '--duration', '0.2'], 0],
      [['simulate', '--scenario', 'no-such-scenario'], 2],
      [['check', '--arch', 'vnic', '--capacity', '1'], 0],
      [['check', '--arch', 'xen-idd', '--trace-out', cex], 1],
      [['check', '--max-states', '10'], 3],
      [['check', '--vms', '99'], 2],
      [['replay', cex], 1],
      [['replay', join(dir, 'missing.itf.json')], 2],
      [['merge', '--out', dir, join(dir, 'missing.json')], 2],
      [['sweep', '--scenario', 'single-vm'], 2],
      [['reproduce', '--bogus'], 2],
      [['mutants', '--only', 'no-such-mutant'], 2],
    ];
    for (const [argv, code] of cases) {
      const r = await run(...argv);
      expect(r.code, `${argv.join(' ')}: ${r.err}`).toBe(code);
      expect(await listed(argv[0]!), argv.join(' ')).toContain(code);
    }
  });
});
