/**
 * Stops for long runs, as AbortSignals the engines poll: a caller's signal (the command line's Ctrl-C, or any
 * AbortSignal a library user aborts) and a wall-clock timeout, merged into one signal whose `aborted` also checks
 * the deadline — the simulator and the search poll `aborted` in synchronous loops, where no timer event could fire.
 * src/cli/interrupt.ts connects Ctrl-C to this.
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

/** The native `aborted` getter, which `pollingSignal` wraps. */
export const nativeAborted = Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'aborted')!.get!;

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
