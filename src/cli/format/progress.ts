/** The progress bar of long simulations: stderr only, only on a terminal (the caller decides). */
import { SingleBar } from 'cli-progress';

export interface Progress {
  /** A sink for runSimulation's onProgress covering phase `index` of `phases` (e.g. the two runs of --compare). */
  phase(index: number, label: string): (fraction: number) => void;
  stop(): void;
}

const STEPS = 1000;

export function createProgress(stream: NodeJS.WritableStream, phases: number): Progress {
  const bar = new SingleBar({
    stream,
    format: '{label} [{bar}] {percentage}% | ETA {eta_formatted}',
    barsize: 30,
    clearOnComplete: true,
    hideCursor: false,
    etaBuffer: 50,
  });
  let started = false;
  return {
    phase(index, label) {
      if (!started) {
        bar.start(phases * STEPS, 0, { label });
        started = true;
      } else bar.update(index * STEPS, { label });
      return (fraction) => bar.update(Math.round((index + Math.min(1, Math.max(0, fraction))) * STEPS), { label });
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
