/** The progress bar of long simulations: stderr only, only on a terminal (the caller decides). */
import { SingleBar } from 'cli-progress';
import { roughTime } from '../../api/simulate.js';

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

/** Where a simulation stands, for a log line. */
export interface SimulationProgress {
  readonly label: string;
  readonly fraction: number;
  readonly durationS: number;
  readonly events: number;
  readonly eventsPerSecond: number;
  readonly elapsedMs: number;
  readonly memoryBytes: number;
}

const count = (n: number): string =>
  Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/**
 * One progress line of a simulation in a log, in the manner of check's `Progress(depth) at 10.0s: …`:
 * `Simulating httperf-2vm (vnic) at 10.0s: 2.5 of 100 s simulated (2.5%), 612,345 events, 61,234 events/s, about 6m30s left, memory 41.2 MiB`.
 */
export function formatSimulationProgress(p: SimulationProgress): string {
  const simulated = Number((p.fraction * p.durationS).toPrecision(6));
  const left = p.fraction > 0 ? `, about ${roughTime(((1 - p.fraction) / p.fraction) * (p.elapsedMs / 1000))} left` : '';
  return (
    `Simulating ${p.label} at ${(p.elapsedMs / 1000).toFixed(1)}s: ${simulated} of ${Number(p.durationS.toPrecision(12))} s simulated ` +
    `(${(p.fraction * 100).toFixed(1)}%), ${count(p.events)} events, ${count(p.eventsPerSecond)} events/s${left}, memory ${mib(p.memoryBytes)}`
  );
}

/** An onProgress sink writing `formatSimulationProgress` lines to `write` at most every `everyMs` of wall time. */
export function simulationProgressLog(write: (line: string) => void, label: string, durationS: number, everyMs: number, now: () => number = () => performance.now()): (fraction: number, events: number) => void {
  const started = now();
  let last = started;
  let lastEvents = 0;
  return (fraction, events) => {
    const t = now();
    if (t - last < everyMs || fraction >= 1) return;
    const m = process.memoryUsage();
    write(
      formatSimulationProgress({
        label,
        fraction,
        durationS,
        events,
        eventsPerSecond: t > last ? ((events - lastEvents) * 1000) / (t - last) : 0,
        elapsedMs: t - started,
        memoryBytes: m.heapUsed + m.arrayBuffers,
      }) + '\n',
    );
    last = t;
    lastEvents = events;
  };
}
