/** `vnicspec check` and `vnicspec replay` with the liveness property: flags, reports, lassos in files. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { setUp } from '../src/api/check-setup.js';
import { itfText } from '../src/api/trace-files.js';
import { replay } from '../src/trace/index.js';
import { defaultCheckConfig } from '../spec/checked/config.js';
import { expectOneLineError, run } from './cli-run.js';

interface Body {
  verdict: string;
  properties: string[];
  liveness: { verdict: string; states?: number; transitions?: number; reason?: string; loop?: number | null } | null;
  trace: unknown[] | null;
  loop: number | null;
}

describe('check with eventual-delivery', () => {
  test('by default, after the safety properties: the report says what was checked and how', async () => {
    const r = await run('check');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ {2}liveness: {6}eventual-delivery after the safety search: the full graph, bfs, no symmetry; weak fairness of every pending delivery/m);
    expect(r.out).toMatch(/^All 11 properties hold\.$/m);
    expect(r.out).toMatch(/^Liveness: 'eventual-delivery' holds on every fair behaviour/m);
    expect(r.out).toMatch(/^Liveness graph: 5,127 states, [\d,]+ transitions, depth \d+, /m);
  });

  test('--property eventual-delivery alone: no safety search, the liveness figures in --json', async () => {
    const r = await run('check', '--property', 'eventual-delivery', '--json');
    expect(r.code).toBe(0);
    const body = JSON.parse(r.out) as Body;
    expect(body.verdict).toBe('holds');
    expect(body.properties).toEqual(['eventual-delivery']);
    expect(body.liveness).toMatchObject({ verdict: 'holds', states: 5127, loop: null });
    expect(body.trace).toBeNull();
    expect(body.loop).toBeNull();
  });

  test('--no-liveness: the safety properties only, and the header says liveness was not checked', async () => {
    const r = await run('check', '--no-liveness');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ {2}liveness: {6}not checked \(--no-liveness\)$/m);
    expect(r.out).toMatch(/^All 10 properties hold\.$/m);
    expect(r.out).not.toContain('Liveness graph');
  });

  test('a violated safety property stops there: liveness is reported as not checked, and why', async () => {
    const r = await run('check', '--arch', 'xen-idd', '--json');
    expect(r.code).toBe(1);
    expect((JSON.parse(r.out) as Body).liveness).toEqual({ verdict: 'not-checked', reason: 'a safety property is violated' });
  });

  test('a bound in the liveness phase: incomplete, exit 3, naming the phase', async () => {
    const r = await run('check', '--property', 'eventual-delivery', '--max-states', '500');
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/^INCOMPLETE: the search reached the --max-states bound of 500 distinct states \(liveness phase\)\.$/m);
  });

  test.each([
    [['--no-liveness', '--property', 'eventual-delivery'], /--no-liveness: contradicts --property eventual-delivery, a liveness property/],
    [['--random', '--property', 'eventual-delivery'], /--property eventual-delivery: a liveness property needs the whole state graph, which --random walks do not build/],
  ])('check %j: exit 2, one line', async (argv, pattern) => {
    expectOneLineError(await run('check', ...argv), { pattern });
  });

  test('--help names the liveness property, what it assumes and how to skip it', async () => {
    const r = await run('check', '--help');
    expect(r.out).toContain('eventual-delivery (liveness)');
    expect(r.out).toMatch(/weak\s+fairness/);
    expect(r.out).toContain('--no-liveness');
  });
});

describe('replay of a lasso on the specified system', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vnicspec-lasso-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** An ITF lasso over the default configuration, from action labels and the index its cycle starts at. */
  function lassoFile(name: string, labels: string[], loop: number): string {
    const setup = setUp(defaultCheckConfig(), []);
    const r = replay(setup.view, labels);
    if (r.kind !== 'ok') throw new Error(r.message);
    const file = join(dir, name);
    writeFileSync(file, itfText(setup, { ...r, loop }, { status: 'violation', description: 'hand-made' }, { config: setup.config, properties: setup.names }));
    return file;
  }

  test('an unfair cycle (a DMA completion waits throughout and is never taken) shows no violation: exit 0', async () => {
    const r = await run('replay', lassoFile('unfair.itf.json', ['arrive(vm0, conforming)', 'arrive(unknown MAC)'], 1));
    expect(r.code).toBe(0);
    expect(r.out).toContain('A lasso: step 2 returns to the state of step 1, so steps 2..2 repeat forever.');
    expect(r.out).toContain("The cycle is not fair ('dma: dma.done' is enabled in every state of the cycle and never taken), so no fair behaviour repeats it");
  });

  test('a fair cycle on which nothing is outstanding satisfies eventual-delivery: exit 0', async () => {
    const r = await run('replay', lassoFile('idle.itf.json', ['arrive(unknown MAC)'], 0));
    expect(r.code).toBe(0);
    expect(r.out).toContain('The cycle is fair, and no liveness property (eventual-delivery) is violated on it');
  });

  test('a "loop" whose last state is not the state it names is not a lasso: exit 2 with the step', async () => {
    expectOneLineError(await run('replay', lassoFile('open.itf.json', ['arrive(vm0, conforming)'], 0)), {
      pattern: /open\.itf\.json: step 1 does not return to the state of step 0, where the cycle starts/,
    });
  });
});
