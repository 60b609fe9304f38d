/**
 * The built command line as a user runs it (bin/vnicspec.js, a child process): real SIGINTs, a terminal left as it
 * was found, and running out of memory without V8's fatal error (check's SIGINT: cli-stops.test.ts). Needs dist/
 * (built.ts rebuilds it when a source is newer).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { ROOT as root, ensureBuilt } from './built.js';

const bin = join(root, 'bin', 'vnicspec.js');

interface Child {
  code: number | null;
  out: string;
  err: string;
}

/**
 * Runs `command` (argv of node), sends one SIGINT once `ready` matches what it printed (stdout and stderr joined),
 * and resolves when it exits.
 */
function runChild(command: string[], o: { ready?: RegExp; env?: Record<string, string>; pid?: (shellPid: number) => number } = {}): Promise<Child> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, command.slice(1), { cwd: root, env: { ...process.env, VNICSPEC_PROGRESS_MS: '100', ...o.env } });
    let out = '';
    let err = '';
    let sent = false;
    const maybeSignal = (): void => {
      if (sent || o.ready === undefined || !o.ready.test(out + err)) return;
      sent = true;
      const target = o.pid ? o.pid(child.pid!) : child.pid!;
      process.kill(target, 'SIGINT');
    };
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      maybeSignal();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      maybeSignal();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

const noCrash = (r: Child): void => {
  expect(r.err).not.toMatch(/FATAL ERROR|\n\s+at |internal error/);
};

beforeAll(ensureBuilt, 120_000);

describe('Ctrl-C (a real SIGINT)', () => {
  test('simulate: the report of what was simulated, marked partial, exit 3', async () => {
    const r = await runChild(['node', bin, 'simulate', '--scenario', 'httperf-2vm', '--duration', '100000', '--timeout', '600'], { ready: /^Simulating /m });
    noCrash(r);
    expect(r.code).toBe(3);
    expect(r.err).toContain('vnicspec: interrupted: stopping and reporting what was done');
    expect(r.out).toMatch(/^PARTIAL: interrupted \(Ctrl-C\) at t = [0-9.]+ s of 100000 s/m);
    expect(r.out).toMatch(/^vm1 +vnic +[0-9]+/m);
  });

  test.skipIf(!existsSync('/usr/bin/script'))('on a terminal, Ctrl-C leaves line wrap turned back on', async () => {
    // `script` gives the command a pseudo-terminal, so the progress bar is drawn (and turns line wrap off). A second
    // Ctrl-C (exit 130) is tested in process (host.test.ts): here the run often ends before a second could arrive.
    const cmd = `exec node ${bin} simulate --scenario httperf-2vm --duration 100000 --timeout 600`;
    const r = await runChild(['script', '-qefc', cmd, '/dev/null'], {
      ready: /\[\?7l/,
      pid: (shell) => Number(execFileSync('pgrep', ['-P', String(shell)]).toString().trim().split('\n')[0]),
    });
    expect(r.code).toBe(3);
    const off = r.out.lastIndexOf('\x1b[?7l');
    expect(off).toBeGreaterThanOrEqual(0);
    expect(r.out.indexOf('\x1b[?7h', off)).toBeGreaterThan(off);
    expect(r.out).toContain('PARTIAL: interrupted');
  });
});

describe('memory', () => {
  test('check exhausting the heap: a message and exit 3, never V8 fatal error', async () => {
    const r = await runChild(['node', bin, 'check', '--vms', '3', '--capacity', '3', '--no-progress'], { env: { NODE_OPTIONS: '--max-old-space-size=16' } });
    noCrash(r);
    expect(r.code).toBe(3);
    expect(r.out + r.err).toMatch(/memory/);
  });
});
