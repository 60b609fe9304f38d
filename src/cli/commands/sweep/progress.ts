/**
 * Progress of a batch of runs on stderr: a bar on a terminal (cli-progress), a plain line every
 * `progressLogEveryMs` in a log (as `check` does), nothing when disabled. Wall-clock figures go to stderr only.
 */
import { SingleBar } from 'cli-progress';
import type { CliIo } from '../command.js';

export interface RunProgress {
  /** `done` of `total` runs of the current phase, described by `label`. */
  update(label: string, done: number, total: number): void;
  stop(): void;
}

const NONE: RunProgress = { update: () => undefined, stop: () => undefined };

export function runProgress(io: CliIo, enabled: boolean): RunProgress {
  if (!enabled) return NONE;
  if (io.progressStream !== undefined) return barProgress(io.progressStream);
  const every = io.progressLogEveryMs;
  if (every === undefined) return NONE;
  const started = performance.now();
  let last = started;
  return {
    update(label, done, total) {
      const now = performance.now();
      if (now - last < every) return;
      last = now;
      io.err(`${label}: ${done}/${total} runs (${Math.floor((100 * done) / Math.max(1, total))}%) after ${((now - started) / 1000).toFixed(0)} s\n`);
    },
    stop: () => undefined,
  };
}

function barProgress(stream: NodeJS.WritableStream): RunProgress {
  const bar = new SingleBar({
    stream,
    format: '{label} [{bar}] {value}/{total} runs | ETA {eta_formatted}',
    barsize: 30,
    clearOnComplete: true,
    hideCursor: false,
    etaBuffer: 20,
  });
  let started = false;
  return {
    update(label, done, total) {
      if (!started) {
        bar.start(total, done, { label });
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(done, { label });
      }
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
