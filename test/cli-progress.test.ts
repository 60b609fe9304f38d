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
