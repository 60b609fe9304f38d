/**
 * When a long command must stop early: Ctrl-C (SIGINT, or the CliIo's `interrupt` signal that stands for it in
 * tests) or its --timeout. Gives an AbortSignal to pass down and says afterwards why it fired. A second Ctrl-C is
 * left to Node's default (exit at once), as a user pressing it twice expects.
 */
import { setMaxListeners } from 'node:events';

export type StopReason = 'interrupted' | 'timeout';

export interface StopWatch {
  readonly signal: AbortSignal;
  reason(): StopReason | undefined;
  dispose(): void;
}

export function watchStop(timeoutS?: number, interrupt?: AbortSignal): StopWatch {
  const controller = new AbortController();
  // Every task running on the pool listens to this one signal.
  setMaxListeners(0, controller.signal);
  let why: StopReason | undefined;
  const stop = (reason: StopReason): void => {
    if (why !== undefined) return;
    why = reason;
    const e = new Error(reason === 'timeout' ? 'the --timeout expired' : 'interrupted');
    e.name = 'AbortError';
    controller.abort(e);
  };
  const onSigint = (): void => {
    process.removeListener('SIGINT', onSigint);
    stop('interrupted');
  };
  if (interrupt === undefined) process.on('SIGINT', onSigint);
  else if (interrupt.aborted) stop('interrupted');
  else interrupt.addEventListener('abort', onSigint, { once: true });
  const timer = timeoutS === undefined ? undefined : setTimeout(() => stop('timeout'), timeoutS * 1000);
  timer?.unref();
  return {
    signal: controller.signal,
    reason: () => why,
    dispose() {
      process.removeListener('SIGINT', onSigint);
      interrupt?.removeEventListener('abort', onSigint);
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
