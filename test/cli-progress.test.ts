/** The progress bar: drawn on the injected terminal stream only, never with --json or --no-progress. */
import { Writable } from 'node:stream';
import { expect, test } from 'vitest';
import { runWith, type Run } from './cli-run.js';

function fakeTerminal(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  Object.assign(stream, { isTTY: true, columns: 100 });
  return { stream, text: () => text };
}

async function run(argv: string[]): Promise<Run & { tty: string }> {
  const t = fakeTerminal();
  return { ...(await runWith({ progressStream: t.stream }, ...argv)), tty: t.text() };
}

test('a terminal gets the progress bar, stdout does not', async () => {
  const r = await run(['simulate', '--scenario', 'single-vm', '--duration', '0.5']);
  expect(r.code).toBe(0);
  expect(r.tty).toContain('simulating single-vm (vnic)');
  expect(r.out).not.toContain('simulating');
});

test.each([['--json'], ['--no-progress']])('no progress bar with %s', async (flag) => {
  const r = await run(['simulate', '--scenario', 'single-vm', '--duration', '0.2', flag]);
  expect(r.code).toBe(0);
  expect(r.tty).toBe('');
});

// check in a log (stderr no terminal): plain lines, at most one per progressLogEveryMs (1 ms here: then the search
// reports that often too, at each of its clock readings, so a short check logs several lines).
const LONG_CHECK = ['check', '--vms', '3', '--max-states', '30000'];

test('check writes plain progress lines to stderr when it is no terminal', async () => {
  const r = await runWith({ progressLogEveryMs: 1 }, ...LONG_CHECK);
  expect(r.code).toBe(3);
  const lines = r.err.split('\n').filter((l) => l.length > 0);
  expect(lines.length).toBeGreaterThan(0);
  for (const l of lines) expect(l).toMatch(/^Progress\(\d+\) at [\d.]+s: [\d,]+ distinct states, [\d,]+ on queue, [\d,]+ states\/s, memory /);
  expect(r.err).not.toContain('\r');
  expect(r.out).not.toContain('Progress(');
});

test.each([['--json'], ['--no-progress']])('and none with %s', async (flag) => {
  const r = await runWith({ progressLogEveryMs: 1 }, ...LONG_CHECK, flag);
  expect(r.code).toBe(3);
  expect(r.err).not.toContain('Progress(');
});
