/**
 * host.ts in process, with a worker that ignores interrupts: the first Ctrl-C asks the command to stop, the second
 * ends it at once with exit 130. (A real SIGINT to the built CLI: cli-signals.test.ts; there the command stops on
 * the first one, often before a second could arrive.)
 */
import { afterEach, expect, test, vi } from 'vitest';
import { runOnWorker } from '../src/cli/host.js';

afterEach(() => {
  vi.restoreAllMocks();
});

test('a second Ctrl-C ends a command that has not stopped: exit 130, said on stderr', async () => {
  let err = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
  const done = runOnWorker([], new URL('./fixtures/stubborn-worker.mjs', import.meta.url));
  await vi.waitFor(() => expect(err).toContain('working'), { timeout: 10_000 });
  process.emit('SIGINT', 'SIGINT');
  expect(err).toContain('interrupted: stopping and reporting what was done (Ctrl-C again to quit at once)');
  process.emit('SIGINT', 'SIGINT');
  expect(await done).toBe(130);
  expect(err).toContain('vnicspec: stopped at once; nothing more is reported');
  expect(process.listenerCount('SIGINT')).toBe(0);
});
