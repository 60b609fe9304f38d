/**
 * The worker thread of host.ts: runs `main` with an io that sends every byte to the main thread (which owns the
 * terminal) and an `io.interrupt` that Ctrl-C on the main thread aborts (through the shared flag, interrupt.ts).
 */
import { Writable } from 'node:stream';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { flagSignal } from './interrupt.js';
import { PROGRESS_LOG_EVERY_MS, main, type CliIo } from './main.js';

export interface HostStart {
  readonly argv: string[];
  /** Non-zero once the user interrupted. */
  readonly flag: Int32Array;
  readonly stderrTty: boolean;
  readonly stderrColumns: number | undefined;
  readonly stdoutColumns: number | undefined;
}

export type HostMessage =
  | { readonly kind: 'write'; readonly fd: 1 | 2; readonly text: string }
  | { readonly kind: 'exit'; readonly code: number }
  | { readonly kind: 'interrupt' };

/** A terminal stream for progress bars whose bytes go to the main thread's stderr. */
class ForwardedTerminal extends Writable {
  readonly isTTY = true;

  constructor(
    private readonly send: (text: string) => void,
    readonly columns: number,
  ) {
    super({ decodeStrings: false });
  }

  override _write(chunk: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.send(String(chunk));
    callback();
  }
}

async function run(port: NonNullable<typeof parentPort>, start: HostStart): Promise<void> {
  const post = (m: HostMessage): void => port.postMessage(m);
  const send = (fd: 1 | 2) => (text: string) => post({ kind: 'write', fd, text });
  const interrupt = flagSignal(start.flag);
  port.on('message', (m: HostMessage) => {
    if (m.kind === 'interrupt') interrupt.abort();
  });
  // The port must not keep the worker alive once main is done.
  port.unref();
  const io: CliIo = {
    out: send(1),
    err: send(2),
    ...(start.stderrTty ? { progressStream: new ForwardedTerminal(send(2), start.stderrColumns ?? 80) } : { progressLogEveryMs: PROGRESS_LOG_EVERY_MS }),
    ...(start.stdoutColumns !== undefined ? { columns: start.stdoutColumns } : {}),
    interrupt: interrupt.signal,
  };
  post({ kind: 'exit', code: await main(start.argv, io) });
}

if (!isMainThread && parentPort !== null) void run(parentPort, workerData as HostStart);
