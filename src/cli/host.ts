/**
 * The process around the command line (bin/vnicspec.js): runs `main` on a worker thread (host-worker.ts) and keeps
 * the main thread free for what a long synchronous run cannot do itself —
 *
 * - Ctrl-C: SIGINT (or SIGTERM) raises a flag in shared memory that the command's `io.interrupt` reads (interrupt.ts),
 *   so the simulator or the search stops at its next checkpoint and the command prints its partial report (exit 3).
 *   A second Ctrl-C ends the worker at once (exit 130).
 * - the terminal: every byte the command writes passes through here, so whatever ends the run — a report, a second
 *   Ctrl-C, running out of memory — the terminal is left as found (line wrap on, cursor shown, the bar erased).
 * - memory: a worker that exhausts its heap is terminated by Node with ERR_WORKER_OUT_OF_MEMORY instead of V8
 *   aborting the process with a native stack trace; we say what happened and how to bound the run (exit 3).
 */
import { Worker } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
import type { HostMessage, HostStart } from './host-worker.js';

const EXIT_INCOMPLETE = 3;
const EXIT_INTERNAL = 70;

/** What a progress bar may have changed on the terminal, tracked from the bytes written to it. */
class TerminalState {
  wrapOff = false;
  cursorHidden = false;
  lineDirty = false;

  see(text: string): void {
    const wrap = Math.max(text.lastIndexOf('\x1b[?7l'), text.lastIndexOf('\x1b[?7h'));
    if (wrap >= 0) this.wrapOff = text.startsWith('\x1b[?7l', wrap);
    const cursor = Math.max(text.lastIndexOf('\x1b[?25l'), text.lastIndexOf('\x1b[?25h'));
    if (cursor >= 0) this.cursorHidden = text.startsWith('\x1b[?25l', cursor);
    if (text.length > 0) this.lineDirty = !text.endsWith('\n');
  }

  /** The bytes that undo what is still in effect. */
  restore(): string {
    const s = (this.lineDirty ? '\r\x1b[K' : '') + (this.wrapOff ? '\x1b[?7h' : '') + (this.cursorHidden ? '\x1b[?25h' : '');
    this.wrapOff = this.cursorHidden = this.lineDirty = false;
    return s;
  }
}

function write(stream: NodeJS.WriteStream, text: string): void {
  if (!stream.destroyed && stream.writable) stream.write(text);
}

/** Runs `vnicspec ARGV` on a worker thread; resolves to the exit code. */
export function runOnWorker(argv: readonly string[], entry: URL = new URL('./host-worker.js', import.meta.url)): Promise<number> {
  // `vnicspec scenarios | head -1`: a closed pipe is not an error worth a stack trace.
  for (const s of [process.stdout, process.stderr]) {
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
    });
  }
  const stderrTty = process.stderr.isTTY === true;
  const terminal = new TerminalState();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const start: HostStart = {
    argv: [...argv],
    flag,
    stderrTty,
    stderrColumns: stderrTty ? process.stderr.columns : undefined,
    stdoutColumns: process.stdout.isTTY ? process.stdout.columns : undefined,
  };
  const worker = new Worker(entry, { workerData: start });

  return new Promise((resolve) => {
    let code: number | undefined;
    let interrupts = 0;
    const toStderr = (text: string): void => {
      if (stderrTty) terminal.see(text);
      write(process.stderr, text);
    };
    const say = (line: string): void => toStderr(`${stderrTty ? terminal.restore() : ''}vnicspec: ${line}\n`);

    const onSignal = (signal: NodeJS.Signals): void => {
      interrupts++;
      if (interrupts === 1) {
        Atomics.store(flag, 0, 1);
        worker.postMessage({ kind: 'interrupt' });
        say(`${signal === 'SIGINT' ? 'interrupted' : `${signal} received`}: stopping and reporting what was done (Ctrl-C again to quit at once)`);
        return;
      }
      say('stopped at once; nothing more is reported');
      code = 128 + (signal === 'SIGINT' ? 2 : 15);
      void worker.terminate();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);

    worker.on('message', (m: HostMessage) => {
      if (m.kind === 'write') {
        if (m.fd === 1) write(process.stdout, m.text);
        else toStderr(m.text);
      } else if (m.kind === 'exit') {
        code ??= m.code;
      }
    });
    worker.on('error', (e: Error & { code?: string }) => {
      if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        const heapMiB = Math.round(getHeapStatistics().heap_size_limit / 2 ** 20);
        say(
          `out of memory: the run filled the ${heapMiB} MiB JavaScript heap and was stopped; nothing more could be reported. ` +
            'Bound it: check --max-states N or --memory SIZE (then it stops cleanly with its summary), a shorter simulate --duration; ' +
            'or give Node more heap: NODE_OPTIONS=--max-old-space-size=MiB',
        );
        code = EXIT_INCOMPLETE;
        return;
      }
      say(`internal error: ${e.message.replace(/\s*\n\s*/g, ' ')}`);
      code = EXIT_INTERNAL;
    });
    worker.on('exit', () => {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      if (stderrTty) write(process.stderr, terminal.restore());
      if (code === undefined) {
        say('internal error: the command ended without an exit code; please report this');
        code = EXIT_INTERNAL;
      }
      resolve(code);
    });
  });
}
