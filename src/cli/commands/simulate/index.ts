/** `vnicspec simulate`: run a scenario through the simulator (or two, side by side, with --compare). */
import { Command, Option } from 'commander';
import { prepareSimulation, runPrepared, type Naming } from '../../../api/simulate.js';
import type { SimulationReport } from '../../../api/run-simulation.js';
import { printable } from '../../../api/safe-text.js';
import { renderComparison } from '../../format/compare.js';
import { createProgress, simulationProgressLog, type Progress } from '../../format/progress.js';
import { outcomeTitle, renderReport } from '../../format/report.js';
import { describeStop, watchStop } from '../../interrupt.js';
import { EXIT, action, epilogue, type CliCommand, type CliContext } from '../command.js';
import {
  archOption,
  calibrationOption,
  coresOption,
  durationOption,
  rateOption,
  seedOption,
  stepperOption,
  timeoutOption,
  warmupOption,
  watchdogOption,
  type Arch,
  type CoreLayout,
  type StepperKind,
} from '../options.js';

interface SimulateOptions {
  scenario?: string;
  system?: string;
  arch?: Arch;
  cores?: CoreLayout;
  seed?: number;
  duration?: number;
  warmup?: number;
  watchdog: number;
  rate?: number;
  calibration?: string;
  json?: boolean;
  compare?: boolean;
  stepper: StepperKind;
  progress: boolean;
  timeout?: number;
}

export const simulateCommand: CliCommand = (ctx, done) =>
  new Command('simulate')
    .summary('run a scenario through the simulator and report throughput, loss, latency and core utilisation')
    .description(
      'Run a scenario through the discrete-event simulator: every component is the executable specification (spec/), ' +
        'timed by the calibration profile. Prints per-VM offered/admitted/rejected/dropped/delivered packets, ' +
        'throughput and latency percentiles, and per-core utilisation. Runtime properties (isolation, qos-admission, ' +
        'bandwidth-conformance, conservation, vmm-nic-agreement, msi-routing) and a progress watchdog (--watchdog) are ' +
        'monitored throughout; a violation stops the run (exit 1). Ctrl-C or --timeout stops it early with ' +
        'the report of what was simulated so far, marked partial (exit 3). A run estimated at over a billion events ' +
        '(hours) is refused unless --timeout is given.',
    )
    .option('--scenario <name|file>', "a built-in scenario (see 'vnicspec scenarios') or a scenario JSON file (this or --system is required)")
    .addOption(
      new Option(
        '--system <name|file>',
        'a system file (the one check --system checks, docs/formats/system.md): its VMs, QoS and NIC in real units (its units field), the traffic its roles stand for; a scenario naming a system adds streams and timing',
      ).conflicts('scenario'),
    )
    .addOption(archOption())
    .addOption(coresOption())
    .addOption(seedOption())
    .addOption(durationOption())
    .addOption(warmupOption())
    .addOption(watchdogOption())
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
        ['vnicspec simulate --system paper-2vm --compare', 'the system check --system paper-2vm proves isolated, timed: the traffic its roles stand for'],
      ],
      {
        0: 'the run completed and every runtime invariant held',
        1: 'a runtime invariant was violated (the report says which), or the specification failed',
        2: 'bad input: an unknown option or value, an unknown scenario, an invalid scenario, system or calibration file, a run estimated at hours without --timeout',
        3: 'partial: --timeout or Ctrl-C stopped the run; the report covers what was simulated',
      }),
    )
    .action(action(done, (cmd) => simulate(ctx, cmd.opts<SimulateOptions>())));

/** The library's checks, worded with this command's flags. */
const FLAGS: Naming = {
  arch: '--arch',
  compare: '--compare',
  durationS: '--duration',
  warmupS: '--warmup',
  watchdogS: '--watchdog',
  rate: '--rate',
  timeoutSeconds: '--timeout',
  got: (v) => `'${v}'`,
};

function simulate(ctx: CliContext, o: SimulateOptions): number {
  const { io } = ctx;
  const p = prepareSimulation(
    {
      ...(o.scenario !== undefined ? { scenario: o.scenario } : {}),
      ...(o.system !== undefined ? { system: o.system } : {}),
      ...(o.calibration !== undefined ? { calibration: o.calibration } : {}),
      ...(o.arch !== undefined ? { arch: o.arch } : {}),
      ...(o.cores !== undefined ? { cores: o.cores } : {}),
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
      ...(o.duration !== undefined ? { durationS: o.duration } : {}),
      ...(o.warmup !== undefined ? { warmupS: o.warmup } : {}),
      watchdogS: o.watchdog,
      ...(o.rate !== undefined ? { rate: o.rate } : {}),
      ...(o.timeout !== undefined ? { timeoutSeconds: o.timeout } : {}),
      ...(o.compare === true ? { compare: true } : {}),
      stepper: o.stepper,
    },
    FLAGS,
  );
  const { archs, scenario } = p;
  const durationS = p.common.durationS;

  const showProgress = !o.json && o.progress;
  const bar: Progress | undefined = showProgress && io.progressStream ? createProgress(io.progressStream, archs.length) : undefined;
  const logEveryMs = showProgress && bar === undefined ? io.progressLogEveryMs : undefined;
  const name = printable(scenario.name);
  const stop = watchStop(io.interrupt, o.timeout);
  const started = performance.now();
  let reports: SimulationReport[];
  try {
    reports = runPrepared(p, stop.signal, (arch, i) => {
      const label = `${name} (${arch})`;
      return bar?.phase(i, `simulating ${label}`) ?? (logEveryMs !== undefined ? simulationProgressLog(io.err, label, durationS, logEveryMs) : undefined);
    });
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
    // The library's result, as simulate() resolves with it.
    const body = o.compare ? { comparison: reports, ...(notRun.length > 0 ? { notRun } : {}) } : reports[0];
    io.out(JSON.stringify(body, null, 2) + '\n');
    // stdout carries only the JSON; say why the exit code is 1 on stderr.
    for (const r of reports) {
      if (r.outcome !== 'ok') io.err(`vnicspec: ${r.arch}: ${outcomeTitle(r)}: ${r.message ?? ''}\n`);
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
