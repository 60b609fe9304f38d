/**
 * Clean stops of `vnicspec check`: Ctrl-C and the memory budget end the search with a summary of what was explored
 * and exit code 3 ("nothing is proven"), never a silent exit or a V8 out-of-memory abort.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { ROOT, ensureBuilt } from './built.js';
import { runWith } from './cli-run.js';

describe('check: interrupted', () => {
  test('an interrupt before the search: incomplete (interrupted), exit 3, nothing proven', async () => {
    const r = await runWith({ interrupt: AbortSignal.abort() }, 'check', '--no-progress');
    expect(r.code).toBe(3);
    expect(r.out).toContain('INCOMPLETE: the search was interrupted (Ctrl-C).');
    expect(r.out).toContain('Nothing was proven');
    expect(r.out).toMatch(/Search incomplete \(interrupted\)/);
  });

  test('an interrupt during the search stops it where it is, with counts, queue and memory (--json)', async () => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 300);
    const r = await runWith({ interrupt: stop.signal }, 'check', '--vms', '3', '--json');
    expect(r.code).toBe(3);
    const body = JSON.parse(r.out) as { verdict: string; incompleteReason: string; states: number; queue: number; depth: number };
    expect(body.verdict).toBe('incomplete');
    expect(body.incompleteReason).toBe('interrupted');
    expect(body.states).toBeGreaterThan(0);
    expect(body.states).toBeLessThan(1_134_363); // the whole 3-VM state space
    expect(body.queue).toBeGreaterThan(0);
    expect(r.err).toMatch(/^vnicspec: incomplete: the search was interrupted \(Ctrl-C\); nothing was proven\n$/);
  });
});

describe('check: memory budget', () => {
  test('--memory below what the process already uses stops at the first look: exit 3, reason memory', async () => {
    const r = await runWith({}, 'check', '--memory', '1M', '--no-progress');
    expect(r.code).toBe(3);
    expect(r.out).toContain('INCOMPLETE: the search stopped before exceeding the --memory budget of 1.0 MiB');
    expect(r.out).toMatch(/states left on queue, memory [\d.]+ MiB\./);
  });

  test('bad sizes are usage errors', async () => {
    for (const bad of ['0', '-5M', 'lots', '12Q', '0%']) {
      const r = await runWith({}, 'check', '--memory', bad);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^vnicspec: --memory: must be /);
    }
  });
});

describe('check as a process', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  test('SIGINT (Ctrl-C) ends a long check with the stop summary and exit 3, not a silent 130', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'vnicspec.js'), 'check', '--vms', '3', '--capacity', '3', '--no-progress'], { cwd: ROOT });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    // Interrupt once the search has started (the header is printed before it).
    await new Promise<void>((resolve) => {
      const wait = (): void => {
        if (out.includes('search:')) setTimeout(resolve, 500);
        else setTimeout(wait, 50);
      };
      wait();
    });
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(3);
    expect(out).toContain('INCOMPLETE: the search was interrupted (Ctrl-C).');
    expect(out).toMatch(/^[\d,]+ distinct states found, [\d,]+ transitions, depth \d+, [\d,]+ states left on queue, memory [\d.]+ (MiB|GiB)\.$/m);
  });
});
