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
 * A command with its own `--timeout` wraps `io.interrupt` with `watchStop(io.interrupt, timeoutS)`: one signal for both
 * stops, whose `aborted` also checks the deadline (a setTimeout cannot fire inside a synchronous loop), and
 * `reason()` says which stop it was. Engines take the signal as `signal?: AbortSignal` and only ever read `aborted`.
 */
import { setMaxListeners } from 'node:events';

export type StopReason = 'interrupted' | 'timeout';

export interface RunStop {
  /** Aborted with reason `'interrupted'` or `'timeout'`; reading `aborted` checks both stops. */
  readonly signal: AbortSignal;
  /** Which stop happened, if one did. */
  reason(): StopReason | undefined;
  /** Detach from the parent signal and cancel the timer. */
  dispose(): void;
}

const nativeAborted = Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'aborted')!.get!;

/**
 * `controller.signal`, whose `aborted` first runs `poll` (which may abort the controller): the only way a
 * condition outside the thread (a shared flag, the clock) can show in `aborted` while a loop never yields.
 */
export function pollingSignal(controller: AbortController, poll: () => void): AbortSignal {
  const signal = controller.signal;
  let polling = false;
  Object.defineProperty(signal, 'aborted', {
    configurable: true,
    get(this: AbortSignal): boolean {
      // Not re-entered: `poll` may abort, and aborting may read `aborted`.
      if (!polling && !nativeAborted.call(this)) {
        polling = true;
        try {
          poll();
        } finally {
          polling = false;
        }
      }
      return nativeAborted.call(this) as boolean;
    },
  });
  return signal;
}

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

/** One stop for Ctrl-C (`interrupt`) and an optional wall-clock timeout in seconds. */
export function watchStop(interrupt: AbortSignal | undefined, timeoutS?: number, now: () => number = () => performance.now()): RunStop {
  const controller = new AbortController();
  // Every task a pool runs (sweep, reproduce) may listen to this one signal.
  setMaxListeners(0, controller.signal);
  const deadline = timeoutS === undefined ? Infinity : now() + timeoutS * 1000;
  let why: StopReason | undefined;
  const stop = (r: StopReason): void => {
    if (why !== undefined) return;
    why = r;
    controller.abort(r);
  };
  const onInterrupt = (): void => stop('interrupted');
  const signal = pollingSignal(controller, () => {
    if (interrupt?.aborted) stop('interrupted');
    else if (now() >= deadline) stop('timeout');
  });
  interrupt?.addEventListener('abort', onInterrupt, { once: true });
  if (interrupt?.aborted) stop('interrupted');
  // For commands that await: the deadline also fires as an event.
  const timer = timeoutS === undefined ? undefined : setTimeout(() => stop('timeout'), timeoutS * 1000);
  timer?.unref();
  return {
    signal,
    reason: () => why,
    dispose: () => {
      interrupt?.removeEventListener('abort', onInterrupt);
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}

/** `interrupted (Ctrl-C)` / `the --timeout of 60 s expired`: why a partial report is partial. */
export function describeStop(reason: StopReason, timeoutS?: number): string {
  return reason === 'timeout' ? `the --timeout of ${timeoutS ?? '?'} s expired` : 'interrupted (Ctrl-C)';
}
