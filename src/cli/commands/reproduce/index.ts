/** `vnicspec reproduce`: the paper's configurations and three experiments beyond it, as report.html + results.md. */
import { relative } from 'node:path';
import { Command, Option } from 'commander';
import { ARCHS, calibrationPath, loadCalibration, type Calibration } from '../../../../spec/scenario.js';
import { renderHtml } from '../../../report/html.js';
import { chartFiles, renderMarkdown } from '../../../report/markdown.js';
import { packageVersion } from '../../version.js';
import { createSimPool, defaultJobs } from '../../sim-pool.js';
import { EXIT, UsageError, action, epilogue, type CliCommand, type CliContext } from '../command.js';
import { calibrationOption, parseIntIn, parseTimeout, requireDemands } from '../options.js';
import { PARTIAL_NOTE, prepareOut, writeFiles } from '../sweep/files.js';
import { runProgress } from '../sweep/progress.js';
import { describeStop, watchStop } from '../../interrupt.js';
import { effortOf } from './configs.js';
import { defaultFiguresPath, loadFigures, paperMaxPerStream } from './figures.js';
import { measureAll, type Parts } from './measure.js';
import { Lab } from './lab.js';
import { unfinishedParts } from './partial.js';
import { buildDocument, chartCache } from './report.js';
import { fullJson, summaryJson, type ReproduceResult } from './results.js';
import { LOSS_LIMIT } from './search.js';
import { renderSummary } from './summary.js';
import { JobTrace } from './trace.js';

interface ReproduceOptions {
  out: string;
  json?: boolean;
  quick?: boolean;
  seeds: number;
  seed: number;
  jobs?: number;
  figures?: string;
  calibration?: string;
  timeout?: number;
  progress: boolean;
}

export const reproduceCommand: CliCommand = (ctx, done) =>
  new Command('reproduce')
    .summary("reproduce the paper's figures (1, 2, 5, 6) and go beyond them; writes report.html and results.md")
    .description(
      "Run the paper's configurations through the simulator — a one-core httperf server non-virtualized, virtualized " +
        'and consolidated (Figures 1-2), two VMs on a multi-core server under the Xen driver domain and under vNICs ' +
        '(Figures 5-6) — and find for each the maximum throughput per stream without loss (at most 1% of requests ' +
        'failing; a refined sweep). Then three experiments beyond the paper: scalability to 16 VMs, interference from ' +
        'a flood, and the mixed architecture. Writes DIR/report.html (self-contained, SVG charts), DIR/results.md ' +
        '(with DIR/charts/*.svg) and DIR/results.json, and compares with the paper\'s figures (input or prediction) ' +
        `from ${relative(process.cwd(), defaultFiguresPath()) || defaultFiguresPath()} or --figures FILE (metrics: ` +
        'maxThroughputPerStream, maxThroughputTotal, throughputPerStreamAt, utilisationAtMax, gain).',
    )
    .addOption(new Option('--out <dir>', 'directory for report.html, results.md, results.json and charts/').default('vnicspec-report'))
    .option('--json', 'print the results as JSON on stdout ({ configs: [{ name, arch, cores, maxThroughputPerStream, paper, cpuAtMax }], comparison, beyond, settings }) and nothing else')
    .option('--quick', 'a smoke run: coarse grids, short runs, 2 and 4 VMs only (seconds instead of minutes; the numbers are rougher)')
    .addOption(new Option('--seeds <n>', 'replications per point (seeds --seed, --seed+1, ...); more than one gives 95% confidence bands').default(1).argParser(parseIntIn('--seeds', 1, 100)))
    .addOption(new Option('--seed <n>', 'the first seed').default(1).argParser(parseIntIn('--seed', 0, Number.MAX_SAFE_INTEGER - 100)))
    .addOption(new Option('--jobs <n>', `worker threads (default: the available cores, ${defaultJobs()} here)`).argParser(parseIntIn('--jobs', 1, 256)))
    .option('--figures <file>', "the paper's figures to compare with, in the shape of spec/calibration/paper-figures.json")
    .addOption(calibrationOption())
    .addOption(new Option('--timeout <seconds>', 'stop after this much wall time: a partial report of what was measured, exit 3').argParser(parseTimeout('--timeout')))
    .option('--no-progress', 'no progress on stderr')
    .addHelpText(
      'after',
      epilogue([
        ['vnicspec reproduce', 'the full report in ./vnicspec-report (a few minutes on two cores)'],
        ['vnicspec reproduce --json > results.json', 'the maxima and the comparison, machine-readable'],
        ['vnicspec reproduce --quick --out /tmp/r', 'a quick smoke run'],
      ],
      {
        0: 'every run completed; the report is written',
        1: 'a run violated a runtime invariant, or the specification failed',
        2: 'bad input: an unknown option or value, an output directory that cannot be written',
        3: 'partial: --timeout or Ctrl-C stopped it; the report covers what was done',
      }) + PARTIAL_NOTE.replace('the files written are marked partial', 'no report is written'),
    )
    .action(action(done, (cmd) => reproduce(ctx, cmd.opts<ReproduceOptions>())));

function calibrationOf(file: string | undefined): { calibration: Calibration; label: string } {
  const c = loadCalibration(file, process.cwd());
  if (!c.ok) throw new UsageError(`--calibration: ${c.error}`);
  // The report runs every architecture: the profile must price what each of them needs, before minutes of work.
  requireDemands({ calibration: c.value, calibrationFile: calibrationPath(file, process.cwd()) }, ARCHS);
  return { calibration: c.value, label: file ?? 'spec/calibration/default.json' };
}

async function reproduce(ctx: CliContext, o: ReproduceOptions): Promise<number> {
  const { io } = ctx;
  const { calibration, label } = calibrationOf(o.calibration);
  const figures = loadFigures(o.figures);
  prepareOut(o.out);
  const effort = effortOf(o.quick === true, o.seeds, o.seed);
  const stop = watchStop(io.interrupt, o.timeout);
  const progress = runProgress(io, o.progress && !o.json);
  const trace = JobTrace.fromEnv();
  const pool = createSimPool(o.jobs ?? defaultJobs());
  if (trace !== undefined) trace.threads = pool.threads;
  const cache = chartCache();
  const lab = new Lab(pool, calibration, effort.seeds, stop.signal, (d, n) => progress.update('reproduce', d, n), trace);
  const started = performance.now();
  const phase = <T>(name: string, f: () => T | Promise<T>): Promise<T> => (trace === undefined ? Promise.resolve(f()) : trace.phase(name, f));
  let parts: Parts;
  try {
    parts = await measureAll(lab, effort, figures, { onCharts: cache.prerender, ...(trace !== undefined ? { phase: (name, f) => trace.phase(name, f) } : {}) });
  } finally {
    progress.stop();
    stop.dispose();
    await phase('pool-destroy', () => pool.destroy());
  }
  const wallS = (performance.now() - started) / 1000;
  const { scaling, mixed, interference, configs, comparison, qualitative, measured } = parts;
  const reason = stop.reason();
  const stopped = lab.partial && reason !== undefined ? { reason, simulations: lab.runs, unfinished: unfinishedParts({ configs, scaling, interference, mixed, comparisonShort: parts.comparisonShort }, effort) } : undefined;
  const result: ReproduceResult = {
    ...(stopped !== undefined ? { stopped } : {}),
    settings: {
      quick: effort.quick,
      seeds: effort.seeds,
      paperRun: effort.paper,
      beyondRun: effort.beyond,
      floodRun: effort.flood,
      lossLimit: LOSS_LIMIT,
      figures: o.figures ?? 'spec/calibration/paper-figures.json',
      calibration: label,
      version: packageVersion(),
    },
    configs: configs.map((c) => ({ ...c, paper: paperMaxPerStream(figures, measured, c) })),
    comparison,
    qualitative,
    scaling,
    interference,
    mixed,
  };
  const doc = await phase('charts', () => buildDocument(result, cache.render));
  const written = await phase('write', () => writeFiles(
    o.out,
    {
      'report.html': renderHtml(doc),
      'results.md': renderMarkdown(doc),
      'results.json': JSON.stringify(fullJson(result), null, 2) + '\n',
      ...chartFiles(doc),
    },
    io,
    o.json ? undefined : 'results.md',
  ));
  trace?.write();
  if (o.json) io.out(JSON.stringify(summaryJson(result), null, 2) + '\n');
  else io.out(renderSummary(result) + `wrote ${written.filter((f) => !f.endsWith('.svg')).join(', ')} and ${written.filter((f) => f.endsWith('.svg')).length} charts${stopped !== undefined ? ' (PARTIAL)' : ''}\n`);
  const notOk = lab.notOk;
  io.err(`(${lab.runs} simulations in ${wallS.toFixed(1)} s wall time on ${pool.inProcess ? 'the in-process runner' : `${pool.threads} worker thread${pool.threads === 1 ? '' : 's'}`})\n`);
  if (stopped !== undefined) io.err(`vnicspec: ${describeStop(stopped.reason, o.timeout)}: the report is partial (status "partial"); not finished: ${stopped.unfinished.join(', ')}\n`);
  if (notOk > 0) {
    io.err(`vnicspec: ${notOk} simulations stopped on an invariant violation or specification error\n`);
    return EXIT.violated;
  }
  return stopped !== undefined ? EXIT.incomplete : EXIT.ok;
}
