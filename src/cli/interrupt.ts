/**
 * Stopping long runs cleanly — Ctrl-C and wall-clock timeouts — for every command (simulate, check, sweep, …):
 * the command stops its work, prints what it did so far marked partial, and exits 3.
 *
 * How Ctrl-C reaches a command: bin/vnicspec.js runs the CLI on a worker thread (host.ts) and keeps the main thread
 * free; its SIGINT/SIGTERM handler raises a flag in shared memory and posts a message. The command gets
 * `io.interrupt`, an AbortSignal that is aborted
 *   - when a synchronous loop reads `signal.aborted` after the flag went up (the simulator and the search poll it at
 *     their checkpoints, never yielding to the event loop, so no event could deliver the abort), or
 *   - when the posted message arrives (for `await`ing commands, e.g. sweep waiting for its pool).
 * In tests and through the API, `io.interrupt` is any AbortSignal the caller aborts.
 *
 * A command with its own `--timeout` wraps `io.interrupt` with `watchStop(io.interrupt, timeoutS)` (src/api/stop.ts,
 * which the library uses too): one signal for both stops, whose `aborted` also checks the deadline (a setTimeout
 * cannot fire inside a synchronous loop), and `reason()` says which stop it was. Engines take the signal as
 * `signal?: AbortSignal` and only ever read `aborted`.
 */
import { nativeAborted, pollingSignal, type StopReason } from '../api/stop.js';

export { pollingSignal, watchStop, type RunStop, type StopReason } from '../api/stop.js';

/** A signal aborted (reason `'interrupted'`) once `flag[0]` is non-zero: the worker side of host.ts. */
export function flagSignal(flag: Int32Array): { signal: AbortSignal; abort: () => void } {
  const controller = new AbortController();
  const abort = (): void => {
    if (!nativeAborted.call(controller.signal)) controller.abort('interrupted' satisfies StopReason);
  };
  const signal = pollingSignal(controller, () => {
    if (Atomics.load(flag, 0) !== 0) abort();
  });
  return { signal, abort };
}

/** `interrupted (Ctrl-C)` / `the --timeout of 60 s expired`: why a partial report is partial. */
export function describeStop(reason: StopReason, timeoutS?: number): string {
  return reason === 'timeout' ? `the --timeout of ${timeoutS ?? '?'} s expired` : 'interrupted (Ctrl-C)';
}
