/** `vnicspec simulate`: run a scenario through the simulator (or two, side by side, with --compare). */
import { Command, Option } from 'commander';
import { runSimulation, type SimulationReport } from '../run-simulation.js';
import { renderComparison } from '../format/compare.js';
import { createProgress, roughTime, simulationProgressLog, type Progress } from '../format/progress.js';
import { renderReport } from '../format/report.js';
import { printable } from '../format/safe-text.js';
import { describeStop, watchStop } from '../interrupt.js';
import { estimateWork, firstStartS } from '../../../spec/work-estimate.js';
import { EXIT, UsageError, action, epilogue, type CliCommand, type CliContext } from './command.js';
import { withRequestRate } from '../../../spec/scenario.js';
import {
  archOption,
  calibrationOption,
  coresOption,
  durationOption,
  loadScenarioOrFail,
  rateOption,
  requireDemands,
  seedOption,
  stepperOption,
  timeoutOption,
  warmupOption,
  type LoadedScenario,
  type Arch,
  type CoreLayout,
  type StepperKind,
} from './options.js';

interface SimulateOptions {
  scenario: string;
  arch?: Arch;
  cores?: CoreLayout;
  seed?: number;
  duration?: number;
  warmup?: number;
  rate?: number;
  calibration?: string;
  json?: boolean;
  compare?: boolean;
  stepper: StepperKind;
  progress: boolean;
  timeout?: number;
}

/** --compare: the paper's baseline first, its design second. */
const COMPARED: readonly [Arch, Arch] = ['xen-idd', 'vnic'];

export const simulateCommand: CliCommand = (ctx, done) =>
  new Command('simulate')
    .summary('run a scenario through the simulator and report throughput, loss, latency and core utilisation')
    .description(
      'Run a scenario through the discrete-event simulator: every component is the executable specification (spec/), ' +
        'timed by the calibration profile. Prints per-VM offered/admitted/rejected/dropped/delivered packets, ' +
        'throughput and latency percentiles, and per-core utilisation. Runtime invariants (isolation, packet ' +
        'conservation) are monitored throughout; a violation stops the run. Ctrl-C or --timeout stops it early with ' +
        'the report of what was simulated so far, marked partial (exit 3). A run estimated at over a billion events ' +
        '(hours) is refused unless --timeout is given.',
    )
    .requiredOption('--scenario <name|file>', "a built-in scenario (see 'vnicspec scenarios') or a scenario JSON file (required)")
    .addOption(archOption())
    .addOption(coresOption())
    .addOption(seedOption())
    .addOption(durationOption())
    .addOption(warmupOption())
    .addOption(rateOption())
    .addOption(calibrationOption())
    .option('--json', 'print the report as one JSON object on stdout and nothing else (byte-identical for identical inputs)')
    .addOption(
      new Option(
        '--compare',
        'run the scenario under xen-idd and under vnic (same seed, cores and duration) and show them side by side; ' +
          'with --json prints { "comparison": [xen-idd report, vnic report] }',
      ).conflicts('arch'),
    )
    .addOption(stepperOption())
    .addOption(timeoutOption('the report of what was simulated so far, marked partial (exit 3); also what Ctrl-C does'))
    .option('--no-progress', 'no progress on stderr (with --json off: a bar on a terminal, else a line every 10 s)')
    .addHelpText(
      'after',
      epilogue([
        ['vnicspec simulate --scenario httperf-2vm --compare', "the paper's experiment: xen-idd vs vnic, side by side"],
        ['vnicspec simulate --scenario flood --arch vnic --duration 2', 'a 2-second run of one VM flooded while the other serves requests'],
        ['vnicspec simulate --scenario httperf-2vm --arch xen-idd --rate 1000 --duration 120 --warmup 30', 'near the knee: a long run, start-up cut off'],
        ['vnicspec simulate --scenario ./my-scenario.json --seed 7 --json > report.json', 'your own scenario file, machine-readable'],
      ]),
    )
    .action(action(done, (cmd) => simulate(ctx, cmd.opts<SimulateOptions>())));

/**
 * Runs estimated above this many simulator events (about an hour at the 200,000–400,000 events/s the simulator
 * does on one core of this 2-core machine) need an explicit --timeout: they are likely a typo in a rate or a
 * duration, and with one they end with a partial report instead of running unattended for hours.
 */
export const EVENT_BUDGET = 1e9;
/** What the simulator does per second of wall time on the built-in scenarios here (200,000–400,000 measured). */
const TYPICAL_EVENTS_PER_S = 300_000;

const sci = (n: number): string => (n >= 1e6 ? n.toExponential(1).replace('e+', 'e') : String(Math.round(n)));

/** Refuse what would simulate nothing or would take hours without a --timeout; say how to proceed. */
function checkWork(loaded: LoadedScenario, archs: readonly Arch[], durationS: number, timeout: number | undefined, fromFlag: boolean): void {
  const { scenario, calibration } = loaded;
  const first = firstStartS(scenario);
  const durationName = fromFlag ? '--duration' : 'durationS';
  if (first !== undefined && first >= durationS) {
    throw new UsageError(`${durationName} ${durationS}: no stream starts within the run (the first starts at ${first} s): simulate longer than ${first} s`);
  }
  if (timeout !== undefined) return;
  const works = archs.map((arch) => estimateWork(scenario, arch, calibration, durationS));
  const events = works.reduce((sum, w) => sum + w.events, 0);
  if (events <= EVENT_BUDGET) return;
  const top = works[0]!.streams[0]!;
  const st = scenario.streams[top.stream]!;
  const fits = Number(((durationS * EVENT_BUDGET) / events).toPrecision(2));
  throw new UsageError(
    `this run would take about ${sci(events)} simulator events (streams[${top.stream}], ${st.kind} at ${sci(top.perSecond)} per second, about ${sci(top.events)}), ` +
      `some ${roughTime(events / TYPICAL_EVENTS_PER_S)} of wall time at the simulator's typical ${TYPICAL_EVENTS_PER_S.toLocaleString('en-US')} events/s: ` +
      `shorten ${durationName} to about ${fits} s, lower the rate, or pass --timeout SECONDS ` +
      'to run it anyway and get a partial report when the time is up',
  );
}

function simulate(ctx: CliContext, o: SimulateOptions): number {
  const { io } = ctx;
  const loaded = loadScenarioOrFail(o.scenario, o.calibration);
  const scenario = o.rate === undefined ? loaded.scenario : withRequestRate(loaded.scenario, o.rate);
  if (o.compare && o.arch !== undefined) throw new UsageError('--arch cannot be combined with --compare (which runs xen-idd and vnic)');
  const archs: readonly Arch[] = o.compare ? COMPARED : [o.arch ?? scenario.arch];
  requireDemands(loaded, archs);
  const durationS = o.duration ?? scenario.durationS;
  checkWork({ ...loaded, scenario }, archs, durationS, o.timeout, o.duration !== undefined);
  // A scenario's own warm-up shrinks to fit a shorter --duration only if the user did not ask for one.
  const warmupS = o.warmup ?? (scenario.warmupS < durationS ? scenario.warmupS : 0);
  if (warmupS >= durationS) throw new UsageError(`--warmup: must be below the duration, ${durationS} s (got '${warmupS}')`);
  const common = {
    scenario,
    calibration: loaded.calibration,
    cores: o.cores ?? scenario.cores,
    seed: o.seed ?? scenario.seed,
    durationS,
    warmupS,
    stepper: o.stepper,
  };

  const showProgress = !o.json && o.progress;
  const bar: Progress | undefined = showProgress && io.progressStream ? createProgress(io.progressStream, archs.length) : undefined;
  const logEveryMs = showProgress && bar === undefined ? io.progressLogEveryMs : undefined;
  const name = printable(scenario.name);
  const stop = watchStop(io.interrupt, o.timeout);
  const started = performance.now();
  const reports: SimulationReport[] = [];
  try {
    for (const [i, arch] of archs.entries()) {
      const label = `${name} (${arch})`;
      const onProgress = bar?.phase(i, `simulating ${label}`) ?? (logEveryMs !== undefined ? simulationProgressLog(io.err, label, durationS, logEveryMs) : undefined);
      const r = runSimulation({ ...common, arch, signal: stop.signal, ...(onProgress ? { onProgress } : {}) });
      reports.push(r);
      if (r.partial !== undefined) break;
    }
  } finally {
    bar?.stop();
    stop.dispose();
  }
  const wallS = (performance.now() - started) / 1000;
  const failed = reports.some((r) => r.outcome !== 'ok');
  const partial = reports.find((r) => r.partial !== undefined);
  const notRun = archs.slice(reports.length);
  const code = failed ? EXIT.violated : partial !== undefined ? EXIT.incomplete : EXIT.ok;

  if (o.json) {
    const body = o.compare ? { comparison: reports, ...(notRun.length > 0 ? { notRun } : {}) } : reports[0];
    io.out(JSON.stringify(body, null, 2) + '\n');
    // stdout carries only the JSON; say why the exit code is 1 on stderr.
    for (const r of reports) {
      if (r.outcome !== 'ok') io.err(`vnicspec: ${r.arch}: ${r.outcome === 'violation' ? 'INVARIANT VIOLATED' : 'SPECIFICATION ERROR'}: ${r.message ?? ''}\n`);
    }
  } else if (o.compare && reports.length === 2) {
    io.out(renderComparison(reports[0]!, reports[1]!, scenario.description));
  } else {
    for (const r of reports) io.out(renderReport(r));
    if (notRun.length > 0) io.out(`(${notRun.join(', ')}: not simulated, the run stopped before)\n`);
  }
  if (partial !== undefined) {
    io.err(`vnicspec: partial: ${describeStop(partial.partial!, o.timeout)} at t = ${partial.stoppedAtS} s of ${durationS} s simulated; the report covers what was simulated\n`);
  }
  if (!o.json) {
    const events = reports.reduce((a, r) => a + r.events, 0);
    io.err(`(${events} events in ${wallS.toFixed(2)} s wall time, ${Math.round(events / Math.max(wallS, 1e-9))} events/s)\n`);
  }
  return code;
}
