/** `vnicspec simulate`: run a scenario through the simulator (or two, side by side, with --compare). */
import { Command, Option } from 'commander';
import { runSimulation, type SimulationReport } from '../run-simulation.js';
import { renderComparison } from '../format/compare.js';
import { createProgress, type Progress } from '../format/progress.js';
import { renderReport } from '../format/report.js';
import { EXIT, UsageError, action, epilogue, type CliCommand, type CliContext } from './command.js';
import { withRequestRate } from '../../../spec/scenario.js';
import {
  archOption,
  calibrationOption,
  coresOption,
  durationOption,
  loadScenarioOrFail,
  rateOption,
  seedOption,
  stepperOption,
  warmupOption,
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
        'conservation) are monitored throughout; a violation stops the run.',
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
    .option('--no-progress', 'never draw the progress bar (it is drawn on stderr only when stderr is a terminal and --json is off)')
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

function simulate(ctx: CliContext, o: SimulateOptions): number {
  const { io } = ctx;
  const loaded = loadScenarioOrFail(o.scenario, o.calibration);
  const scenario = o.rate === undefined ? loaded.scenario : withRequestRate(loaded.scenario, o.rate);
  if (o.compare && o.arch !== undefined) throw new UsageError('--arch cannot be combined with --compare (which runs xen-idd and vnic)');
  const archs: readonly Arch[] = o.compare ? COMPARED : [o.arch ?? scenario.arch];
  const durationS = o.duration ?? scenario.durationS;
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

  const showProgress = !o.json && o.progress && io.progressStream !== undefined;
  const progress: Progress | undefined = showProgress && io.progressStream ? createProgress(io.progressStream, archs.length) : undefined;
  const started = performance.now();
  const reports: SimulationReport[] = [];
  try {
    archs.forEach((arch, i) => {
      const onProgress = progress?.phase(i, `simulating ${scenario.name} (${arch})`);
      reports.push(runSimulation({ ...common, arch, ...(onProgress ? { onProgress } : {}) }));
    });
  } finally {
    progress?.stop();
  }
  const wallS = (performance.now() - started) / 1000;
  const failed = reports.some((r) => r.outcome !== 'ok');

  if (o.json) {
    const body = o.compare ? { comparison: reports } : reports[0];
    io.out(JSON.stringify(body, null, 2) + '\n');
    // stdout carries only the JSON; say why the exit code is 1 on stderr.
    for (const r of reports) {
      if (r.outcome !== 'ok') io.err(`vnicspec: ${r.arch}: ${r.outcome === 'violation' ? 'INVARIANT VIOLATED' : 'SPECIFICATION ERROR'}: ${r.message ?? ''}\n`);
    }
    return failed ? EXIT.violated : EXIT.ok;
  }

  if (o.compare) io.out(renderComparison(reports[0]!, reports[1]!, scenario.description));
  else io.out(renderReport(reports[0]!));
  const events = reports.reduce((a, r) => a + r.events, 0);
  io.err(`(${events} events in ${wallS.toFixed(2)} s wall time, ${Math.round(events / Math.max(wallS, 1e-9))} events/s)\n`);
  return failed ? EXIT.violated : EXIT.ok;
}
