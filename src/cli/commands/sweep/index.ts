/** `vnicspec sweep`: a scenario at many offered rates, architectures and core layouts, replicated over seeds. */
import { Command, Option } from 'commander';
import { ARCHS, CORE_LAYOUTS } from '../../../../spec/scenario.js';
import { renderTable } from '../../format/table.js';
import { defaultJobs } from '../../sim-pool.js';
import { EXIT, UsageError, action, epilogue, type CliCommand, type CliContext } from '../command.js';
import { calibrationOption, durationOption, loadScenarioOrFail, requireDemands, warmupOption, parseChoice, parseIntIn, parseTimeout, seedOption, type Arch, type CoreLayout } from '../options.js';
import { checkRunCount, parseList, parseRates, parseShard } from './args.js';
import { executeSweep } from './execute.js';
import { PARTIAL_NOTE, prepareOut, writeFiles } from './files.js';
import { METRIC_HELP } from './metrics.js';
import { shardFile, shardFileName, sweepFiles, type PointSummary } from './output.js';
import { VARIED, runsOf, variedCount, type Shard, type SweepSpec, type Varied } from './plan.js';
import { runProgress } from './progress.js';
import { watchStop } from '../../interrupt.js';

interface SweepOptions {
  scenario: string;
  arch?: Arch[];
  cores?: CoreLayout[];
  rates: number[];
  vary: Varied;
  seeds: number;
  seed?: number;
  duration?: number;
  warmup?: number;
  calibration?: string;
  jobs?: number;
  shard?: Shard;
  out: string;
  timeout?: number;
  json?: boolean;
  progress: boolean;
}

export const sweepCommand: CliCommand = (ctx, done) =>
  new Command('sweep')
    .summary('run a scenario over a range of offered rates (x archs x core layouts x seeds) in parallel; CSV + JSON with 95% CIs')
    .description(
      'Run a scenario at every offered rate of --rates, under each --arch and --cores, once per seed, on --jobs worker ' +
        'threads. Writes DIR/sweep.json and DIR/sweep.csv (per point: mean and 95% confidence-interval half-width over ' +
        'the seeds, Student t, for every metric) and DIR/runs.csv (every run). With --shard I/N only every N-th run ' +
        'is done and DIR/shard-I-of-N.json written; `vnicspec merge` joins the shards into the same files one run ' +
        'makes. Metrics: ' +
        METRIC_HELP.map(([n, what]) => `${n} (${what})`).join('; ') +
        '.',
    )
    .requiredOption('--scenario <name|file>', "a built-in scenario (see 'vnicspec scenarios') or a scenario JSON file (required)")
    .requiredOption('--rates <FROM:TO:STEP|R1,R2,...>', 'offered rates per stream, per second, e.g. 100:2000:100 (both ends included) or 500,950,1500; 0 removes the varied streams (required)', parseRates('--rates'))
    .requiredOption('--out <dir>', 'directory for the output files (created if missing; existing files of the same names are replaced) (required)')
    .addOption(new Option('--arch <list>', `comma-separated architectures (${ARCHS.join(', ')}); default: the scenario's`).argParser(parseList('--arch', ARCHS)))
    .addOption(new Option('--cores <list>', `comma-separated core layouts (${CORE_LAYOUTS.join(', ')}); default: the scenario's`).argParser(parseList('--cores', CORE_LAYOUTS)))
    .addOption(
      new Option('--vary <streams>', 'which streams --rates sets: open-loop (every request stream: the per-stream rate) or flood (every flood, packets/s)')
        .default('open-loop')
        .argParser(parseChoice('--vary', VARIED)),
    )
    .addOption(new Option('--seeds <n>', 'replications per point, seeds --seed, --seed+1, ...; the CI needs at least 2').default(1).argParser(parseIntIn('--seeds', 1, 10_000)))
    .addOption(seedOption().argParser(parseIntIn('--seed', 0, Number.MAX_SAFE_INTEGER - 10_000)))
    .addOption(durationOption())
    .addOption(warmupOption())
    .addOption(calibrationOption())
    .addOption(new Option('--jobs <n>', `worker threads running simulations in parallel (default: the available cores, ${defaultJobs()} here)`).argParser(parseIntIn('--jobs', 1, 256)))
    .addOption(new Option('--shard <I/N>', 'run only shard I of N (every N-th run) and write DIR/shard-I-of-N.json, for separate machines or a batch array job').argParser(parseShard('--shard')))
    .addOption(new Option('--timeout <seconds>', 'stop after this much wall time: partial output, exit 3').argParser(parseTimeout('--timeout')))
    .option('--json', 'also print the main output file (sweep.json, or the shard file) on stdout, and nothing else')
    .option('--no-progress', 'no progress on stderr')
    .addHelpText(
      'after',
      epilogue([
        ['vnicspec sweep --scenario httperf-2vm --arch xen-idd,vnic --rates 100:2000:100 --out out/sweep', "the paper's figures 5 and 6 as data: throughput and core utilisation against offered rate"],
        ['vnicspec sweep --scenario flood --vary flood --rates 0:80000:10000 --seeds 5 --out out/flood', "the victim's throughput and latency against the attacker's flood rate, 5 seeds per point"],
        ['vnicspec sweep ... --shard 2/4 --out out/s2  &&  vnicspec merge --out out/all out/s*/shard-*.json', 'split a sweep over four machines, then join the parts'],
      ],
      {
        0: 'every run completed and every runtime invariant held',
        1: 'a run violated a runtime invariant, or the specification failed (the files are written all the same)',
        2: 'bad input: an unknown option or value, an unknown scenario, an invalid file, an output directory that cannot be written',
        3: 'partial: --timeout or Ctrl-C stopped it; the files hold the runs that finished, marked partial',
      }) + PARTIAL_NOTE,
    )
    .action(action(done, (cmd) => sweep(ctx, cmd.opts<SweepOptions>())));

async function sweep(ctx: CliContext, o: SweepOptions): Promise<number> {
  const { io } = ctx;
  const loaded = loadScenarioOrFail(o.scenario, o.calibration);
  const { scenario, calibration } = loaded;
  if (variedCount(scenario, o.vary) === 0) {
    throw new UsageError(`--vary ${o.vary}: scenario '${scenario.name}' has no ${o.vary} stream for --rates to set`);
  }
  const firstSeed = o.seed ?? scenario.seed;
  const spec: SweepSpec = {
    scenario,
    calibration,
    archs: o.arch ?? [scenario.arch],
    cores: o.cores ?? [scenario.cores],
    vary: o.vary,
    rates: o.rates,
    seeds: Array.from({ length: o.seeds }, (_, k) => firstSeed + k),
    durationS: o.duration ?? scenario.durationS,
    warmupS: o.warmup ?? scenario.warmupS,
  };
  if (spec.warmupS >= spec.durationS) throw new UsageError(`--warmup: the warm-up (${spec.warmupS} s) must be shorter than the duration (${spec.durationS} s)`);
  requireDemands(loaded, spec.archs);
  checkRunCount(runsOf(spec).length);
  prepareOut(o.out);

  const stop = watchStop(io.interrupt, o.timeout);
  const progress = runProgress(io, o.progress && !o.json);
  const label = o.shard ? `sweep shard ${o.shard.index}/${o.shard.count}` : 'sweep';
  const started = performance.now();
  let executed;
  try {
    executed = await executeSweep(spec, {
      jobs: o.jobs ?? defaultJobs(),
      ...(o.shard ? { shard: o.shard } : {}),
      signal: stop.signal,
      onDone: (d, total) => progress.update(label, d, total),
    });
  } finally {
    progress.stop();
    stop.dispose();
  }
  const wallS = (performance.now() - started) / 1000;
  const { planned, records } = executed;
  const partial = records.length < planned.length;
  const notOk = records.filter((r) => r.outcome !== 'ok');

  let written: string[];
  let main: string;
  if (o.shard) {
    main = shardFile(spec, o.shard, records, planned.length);
    const name = shardFileName(o.shard.index, o.shard.count);
    written = writeFiles(o.out, { [name]: main }, io, o.json ? undefined : name);
  } else {
    const out = sweepFiles(spec, records);
    main = out.files['sweep.json']!;
    written = writeFiles(o.out, out.files, io, o.json ? undefined : 'sweep.json');
    if (!o.json) io.out(renderSummary(spec, out.points));
  }
  if (o.json) io.out(main);
  else io.out(`wrote ${written.join(', ')}${partial ? ' (PARTIAL)' : ''}\n`);
  if (o.shard && !o.json && !partial) io.out(`join all ${o.shard.count} shards with: vnicspec merge --out DIR <the ${o.shard.count} shard-*-of-${o.shard.count}.json files>\n`);

  io.err(`(${records.length} of ${planned.length} runs in ${wallS.toFixed(1)} s wall time)\n`);
  for (const r of notOk) io.err(`vnicspec: run ${r.arch} ${r.cores} rate ${r.rate} seed ${r.seed}: ${r.outcome === 'violation' ? 'INVARIANT VIOLATED' : 'SPECIFICATION ERROR'}\n`);
  if (partial) {
    const why = stop.reason() === 'timeout' ? `the --timeout of ${o.timeout} s expired` : 'interrupted';
    io.err(`vnicspec: ${why}: ${records.length} of ${planned.length} runs done; the files are marked partial (status "partial", seeds_done < seeds_planned)\n`);
  }
  if (notOk.length > 0) return EXIT.violated;
  return partial ? EXIT.incomplete : EXIT.ok;
}

const pm = (s: { mean: number | null; ci95: number | null } | undefined, digits: number, scale = 1): string => {
  if (s === undefined || s.mean === null) return '-';
  const m = (s.mean * scale).toFixed(digits);
  return s.ci95 === null ? m : `${m} ± ${(s.ci95 * scale).toFixed(digits)}`;
};

function renderSummary(spec: SweepSpec, points: readonly PointSummary[]): string {
  const unit = spec.vary === 'flood' ? 'flood pkt/s' : 'rate/stream';
  const table = renderTable({
    columns: [
      { header: 'arch' },
      { header: 'cores' },
      { header: unit, align: 'right' },
      { header: 'seeds', align: 'right' },
      { header: 'throughput/s (serving VMs)', align: 'right' },
      { header: 'failed %', align: 'right' },
      { header: 'busiest core %', align: 'right' },
    ],
    rows: points.map((p) => {
      const busiest = Object.entries(p.metrics)
        .filter(([k]) => k.endsWith('.utilisation'))
        .reduce<{ mean: number | null; ci95: number | null } | undefined>((best, [, s]) => (best === undefined || (s.mean ?? 0) > (best.mean ?? 0) ? s : best), undefined);
      return [p.arch, p.cores, String(p.rate), String(p.seedsDone.length), pm(p.metrics['all.throughput'], 1), pm(p.metrics['all.failed'], 1, 100), pm(busiest, 1, 100)];
    }),
  });
  return [`sweep of ${spec.scenario.name}: mean ± 95% CI half-width over seeds`, '', ...table, ''].join('\n') + '\n';
}
