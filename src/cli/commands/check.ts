/** `vnicspec check`: exhaustive model checking of the composed specification on a small configuration. */
import { closeSync, openSync, unlinkSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { Command, Option } from 'commander';
import { defaultCheckConfig, type CheckArch } from '../../../spec/checked/config.js';
import type { ArbiterKind } from '../../../spec/dma-arbiter.js';
import { formatBytes, formatCount, formatLivenessProgress, formatLivenessSummary, formatProgress, formatSummary, type LivenessProgress, type Progress, type Strategy } from '../../explore/index.js';
import { formatTextTrace } from '../../trace/index.js';
import {
  CHECK_ARCHS,
  DMA_ARBITERS,
  LIMITS,
  LIVENESS_NAMES,
  MAX_WORKERS,
  PROPERTY_NAMES,
  RANDOM_LIMITS,
  STRATEGIES,
  bootFailureMessage,
  describeConfig,
  propertyKind,
  canSymmetry,
  describeProperties,
  noSymmetryReason,
  type CheckedSetup,
} from '../../api/check-setup.js';
import { combinedVerdict, counterexampleOf, deciding, livenessSkipped, type CheckPhases, type LivenessCheckResult } from '../../api/check-phases.js';
import { prepareCheck, runPrepared, type CheckNaming, type CheckOptions as LibraryCheckOptions, type CheckRun } from '../../api/check.js';
import { enlargeYoungGeneration } from '../../explore/young-generation.js';
import { printableTrace } from '../../api/trace-files.js';
import { TRACE_FORMATS, errnoText, saveTraceFile, traceFileText, traceFormatOf, type TraceFormat } from '../check-trace.js';
import { EXIT, UsageError, action, epilogue, type CliCommand, type CliContext } from './command.js';
import { addRandomOptions, checkModeFlags, type RandomFlags } from '../check-random/options.js';
import { checkRandom } from '../check-random/run.js';
import { printable } from '../../api/safe-text.js';
import { parseChoice, parseIntIn, parseTimeout, sizeFlag } from './options.js';
import { addSystemOptions, systemArgs, systemOfCommandLine, type CommandLineSystem } from '../check-system.js';

interface CheckOptions extends RandomFlags {
  system?: string;
  sizes?: number[];
  arch: CheckArch;
  vms: number;
  capacity: number;
  dma: ArbiterKind;
  burst: number;
  rxRing: number;
  churn?: boolean;
  property?: string[];
  strategy: Strategy;
  maxStates?: number;
  maxDepth?: number;
  timeout?: number;
  memory: number;
  symmetry?: boolean;
  fingerprint?: boolean;
  json?: boolean;
  traceOut?: string;
  progress: boolean;
  /** false with --no-liveness. */
  liveness: boolean;
}

const positiveInt = (flag: string): ((value: string) => number) => parseIntIn(flag, 1, Number.MAX_SAFE_INTEGER);

function collectProperty(value: string, previous: string[] | undefined): string[] {
  const name = value.trim();
  if (!PROPERTY_NAMES.includes(name)) {
    throw new UsageError(`--property: unknown property '${value}' (known: ${PROPERTY_NAMES.join(', ')})`);
  }
  const list = previous ?? [];
  return list.includes(name) ? list : [...list, name];
}

const D = defaultCheckConfig();

/**
 * The default memory budget: half of this machine's memory. The search's own guard against the JavaScript heap limit
 * (which V8 enforces with a fatal error) applies whatever the budget.
 */
export const DEFAULT_MEMORY_SHARE = 0.5;
const range = ([lo, hi]: readonly [number, number]): string => `${lo}..${hi}`;

const baseCheckCommand = (): Command =>
  new Command('check')
    .summary('model-check the specification: exhaustively on small configurations, or by random walks on large ones (--random)')
    .description(
      'Explore every reachable state of a small configuration of the composed specification — the same machines the ' +
        'simulator runs, with all timings replaced by nondeterministic order — and check the properties on each. ' +
        'Prints a shortest (with bfs) counterexample when a property is violated. Nothing is proven unless the search ' +
        'completes: a bound that stops it gives exit code 3.\n\n' +
        'Liveness (eventual-delivery) is checked after the safety properties hold, on the full state graph (bfs, no ' +
        'symmetry) under weak fairness of every pending delivery — DMA and wire completions, CPU jobs, VMM interrupt ' +
        'forwarding — while the environment (arrivals, ticks, churn) is free to stop or go on. A violation is a lasso: ' +
        'a path to a cycle that repeats forever, printed and written like any counterexample. It costs a second ' +
        'exploration, on packed states, that keeps every transition, then a cycle search per VM (on 3 VMs x 3 slots ' +
        'about 1.2 x the CPU time of a one-worker safety search, and ~73 bytes per state besides its visited set); ' +
        '--no-liveness skips it.\n\n' +
        'With --random, random walks instead (as TLC\'s simulation mode and quint run take them), on systems far beyond ' +
        'exhaustive reach: every property is checked on every state of every walk; a failing walk is shrunk to a short ' +
        'counterexample written like any other (--trace-out, vnicspec replay). It finds violations but proves nothing: ' +
        'exit 0 means no walk found one. A seed fixes the walks; results do not depend on --workers or --shard.\n\nProperties: ' +
        PROPERTY_NAMES.map((n) => `${n} (${propertyKind(n)})`).join(', ') +
        '.',
    )
    .addOption(new Option('--arch <arch>', "vnic (a virtual NIC per VM, the paper's design), xen-idd (shared NIC behind a driver domain), mixed (the driver domain on a vNIC too, the last VM bridged through it)").default(D.arch).argParser(parseChoice('--arch', CHECK_ARCHS)))
    .addOption(
      new Option('--vms <n>', `number of VMs, ${range(LIMITS.vms)} (with --random ${range(RANDOM_LIMITS.vms)}); vm0 conforms to its bandwidth specification, the last VM floods (--roles sets each VM's traffic)`)
        .default(D.vms)
        .argParser(parseIntIn('--vms', LIMITS.vms[0], RANDOM_LIMITS.vms[1])),
    )
    .addOption(
      new Option('--capacity <slots>', `packet slots per vNIC partition (xen-idd: per VM in the shared buffer), ${range(LIMITS.capacity)} (with --random ${range(RANDOM_LIMITS.capacity)})`)
        .default(D.capacities[0])
        .argParser(parseIntIn('--capacity', LIMITS.capacity[0], RANDOM_LIMITS.capacity[1])),
    )
    .addOption(new Option('--dma <arbiter>', 'DMA arbitration between vNICs: strict (priority), wrr, drr').default(D.dma).argParser(parseChoice('--dma', DMA_ARBITERS)))
    .addOption(new Option('--burst <n>', `token-bucket depth in packets (rate: one packet per tick), ${range(LIMITS.burst)}`).default(D.bursts[0]).argParser(parseIntIn('--burst', ...LIMITS.burst)))
    .addOption(new Option('--rx-ring <n>', `receive descriptors per VM ring, ${range(LIMITS.rxRing)}`).default(D.rxRing).argParser(parseIntIn('--rx-ring', ...LIMITS.rxRing)))
    .option('--churn', 'let the environment detach, re-attach and resize vNICs at any time')
    .addOption(new Option('--property <name>', 'check only this property (repeatable); default: all').argParser(collectProperty))
    .option('--no-liveness', 'check the safety properties only: skip the liveness phase (eventual-delivery)')
    .addOption(new Option('--strategy <s>', 'bfs (shortest counterexamples) or dfs (less memory)').default('bfs').argParser(parseChoice('--strategy', STRATEGIES)))
    .addOption(new Option('--max-states <n>', 'stop after this many distinct states (then nothing is proven: exit 3)').argParser(positiveInt('--max-states')))
    .addOption(new Option('--max-depth <n>', 'do not expand states deeper than this (exit 3 if that cut anything off)').argParser(positiveInt('--max-depth')))
    .addOption(new Option('--timeout <seconds>', 'stop after this many seconds of wall time (exit 3)').argParser(parseTimeout('--timeout')))
    .addOption(
      new Option('--memory <size>', 'stop before the process uses more memory than this (exit 3): 512M, 4G, or a share of this machine\'s memory such as 40%')
        .default(Math.floor(totalmem() * DEFAULT_MEMORY_SHARE), `${DEFAULT_MEMORY_SHARE * 100}% of this machine's memory, ${formatBytes(Math.floor(totalmem() * DEFAULT_MEMORY_SHARE))}`)
        .argParser(sizeFlag('--memory', { bound: { min: 2 ** 20, max: Number.MAX_SAFE_INTEGER, unit: 'bytes', why: 'at least 1 MiB' }, percentOf: { bytes: totalmem(), what: "this machine's memory" } })),
    )
    .option('--symmetry', 'symmetry reduction: treat interchangeable VMs as one (when the model supports it)')
    .option('--fingerprint', "keep a 64-bit fingerprint of each state instead of the state (TLC's default): less memory; the report gives the probability that a fingerprint collision hid states")
    .option('--json', 'print one JSON object on stdout and nothing else')
    .option('--trace-out <file>', `write the counterexample to a file; format by extension: ${TRACE_FORMATS.map((f) => `${f.ext} (${f.what})`).join(', ')}`)
    .option('--no-progress', 'never print progress (on stderr with --json off: a line redrawn about once a second on a terminal, else a line every 10 s)')
    .addHelpText(
      'after',
      epilogue([
        ['vnicspec check --arch xen-idd', 'the baseline: a flooding VM fills the shared buffer and starves a conforming one (exit 1)'],
        ['vnicspec check --arch vnic', 'the same workload with a vNIC per VM: every property holds (exit 0)'],
        ['vnicspec check --arch xen-idd --trace-out cex.itf.json && vnicspec replay cex.itf.json', 'save the counterexample as ITF and re-execute it'],
        ['vnicspec check --vms 3 --property eventual-delivery', 'liveness alone: can an admitted packet stay held forever under fair scheduling?'],
        ['vnicspec check --vms 3 --max-states 1000000 --timeout 60 --json', 'a bigger configuration under a budget, machine-readable'],
        ['vnicspec check --random --arch xen-idd --vms 8 --capacity 8', 'random walks through a system beyond exhaustive reach; a violation is shrunk'],
        ['vnicspec check --random --vms 16 --capacity 16 --swarm --workers 2 --traces 1000', 'swarm search of 16 VMs on two threads'],
        ['vnicspec check --random --shard 3/8 --json > s3.json', 'one slice of a run for a batch job; vnicspec merge s*.json joins them'],
      ],
      {
        0: 'every property holds: the search covered every reachable state (with --random: no walk found a violation, which proves nothing)',
        1: 'a property is violated (the counterexample is printed), or the specification failed',
        2: 'bad input: an unknown option or value, a configuration out of range, a --trace-out file that cannot be written',
        3: 'incomplete: a bound, --timeout, Ctrl-C or the memory budget stopped the search; nothing was proven',
      }),
    );

export const checkCommand: CliCommand = (ctx, done) =>
  addRandomOptions(addSystemOptions(baseCheckCommand())).action(
    action(done, (cmd) => {
      const o = cmd.opts<CheckOptions>();
      const given = (name: string): boolean => cmd.getOptionValueSource(name) === 'cli';
      const system = systemOfCommandLine(o, given);
      exhaustiveReach(o.random === true, system);
      checkModeFlags(o.random === true, given, o.vms, o.capacity, { vms: LIMITS.vms[1], capacity: LIMITS.capacity[1] });
      const liveness = (o.property ?? []).filter((n) => LIVENESS_NAMES.includes(n));
      if (liveness.length > 0 && o.liveness === false) throw new UsageError(`--no-liveness: contradicts --property ${liveness[0]}, a liveness property`);
      if (o.random !== true) return check(ctx, o, system);
      if (liveness.length > 0) {
        throw new UsageError(`--property ${liveness[0]}: a liveness property needs the whole state graph, which --random walks do not build; check it without --random`);
      }
      const format = o.traceOut !== undefined ? checkTraceOut(o.traceOut) : undefined;
      const args = systemArgs(o, given);
      return checkRandom(ctx, {
        config: system.config,
        ...(args !== undefined ? { systemArgs: args } : {}),
        properties: o.property ?? [],
        flags: o,
        json: o.json === true,
        progress: o.progress,
        memoryBytes: o.memory,
        ...(o.timeout !== undefined ? { timeoutSeconds: o.timeout } : {}),
        ...(o.traceOut !== undefined && format !== undefined ? { traceOut: { file: o.traceOut, format } } : {}),
      });
    }),
  );

/**
 * A system file beyond exhaustive reach (more VMs, or more packets in a partition, than the flags allow) is refused
 * without --random, as the flags are.
 */
function exhaustiveReach(random: boolean, s: CommandLineSystem): void {
  if (random || s.file === undefined) return;
  const c = s.config;
  const packets = Math.max(...c.capacities.map((cap) => Math.ceil(cap / c.sizes[0]!)));
  const big = c.vms > LIMITS.vms[1] ? `${c.vms} VMs` : packets > LIMITS.capacity[1] ? `partitions of up to ${packets} packets of the smallest size` : undefined;
  if (big !== undefined) {
    throw new UsageError(
      `${printable(s.file)}: ${big} is beyond exhaustive search (at most ${LIMITS.vms[1]} VMs and ${LIMITS.capacity[1]} packets per partition); add --random to search it at random`,
    );
  }
}

/**
 * Fail before a long search rather than after it: the file must be creatable (opened without truncating, which
 * leaves an existing file as it is; one created here is removed again until there is something to write).
 */
export function checkTraceOut(file: string): TraceFormat {
  const format = traceFormatOf(file);
  if (format === undefined) {
    throw new UsageError(`--trace-out: cannot tell the format of '${printable(file)}' from its name; supported extensions: ${TRACE_FORMATS.map((f) => f.ext).join(', ')}`);
  }
  let fd: number;
  let existed = true;
  try {
    try {
      fd = openSync(file, 'r+');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      existed = false;
      fd = openSync(file, 'wx');
    }
  } catch (e) {
    throw new UsageError(`--trace-out: cannot write '${printable(file)}': ${errnoText(e)}`);
  }
  closeSync(fd);
  if (!existed) unlinkSync(file);
  return format;
}

function searchLine(o: CheckOptions, symmetryGroup: number | undefined): string {
  const bounds = [
    o.maxStates !== undefined ? `max-states ${formatCount(o.maxStates)}` : undefined,
    o.maxDepth !== undefined ? `max-depth ${o.maxDepth}` : undefined,
    o.timeout !== undefined ? `timeout ${o.timeout}s` : undefined,
  ].filter((b) => b !== undefined);
  const fingerprint = o.fingerprint === true ? ', fingerprints (64-bit) instead of states' : '';
  return `${o.strategy}, ${bounds.length > 0 ? `bounds: ${bounds.join(', ')}` : 'no bounds'}, symmetry ${symmetryGroup !== undefined ? `on (${symmetryGroup} renamings of interchangeable VMs)` : 'off'}${fingerprint}`;
}

function incompleteWhy(r: { readonly incompleteReason?: string | undefined; readonly states: number; readonly depth: number }, o: CheckOptions): string {
  switch (r.incompleteReason) {
    case 'max-states':
      return `the search reached the --max-states bound of ${formatCount(o.maxStates ?? r.states)} distinct states`;
    case 'max-depth':
      return `states at the --max-depth bound of ${o.maxDepth ?? r.depth} steps had successors that were not explored`;
    case 'timeout':
      return `the --timeout of ${o.timeout ?? '?'} s expired`;
    case 'interrupted':
      return 'the search was interrupted (Ctrl-C)';
    case 'memory':
      return `the search stopped before exceeding the --memory budget of ${formatBytes(o.memory)} (or the JavaScript heap limit)`;
    default:
      return 'a bound stopped the search';
  }
}

/** Progress reporters for both phases: on a terminal one redrawn line, in a log a line every progressLogEveryMs. */
function progressPrinter(io: CliContext['io'], o: CheckOptions) {
  const stream = !o.json && o.progress ? io.progressStream : undefined;
  const logEveryMs = !o.json && o.progress && stream === undefined ? io.progressLogEveryMs : undefined;
  let drawn = false;
  let loggedAtMs = 0;
  const width = Math.max(40, (io.columns ?? 120) - 1);
  const show =
    stream !== undefined
      ? (line: string): void => {
          stream.write(`\r${line.slice(0, width)}\x1b[K`);
          drawn = true;
        }
      : logEveryMs !== undefined
        ? (line: string, elapsedMs: number): void => {
            if (elapsedMs - loggedAtMs < logEveryMs) return;
            io.err(`${line}\n`);
            loggedAtMs = elapsedMs;
          }
        : undefined;
  return {
    safety: show && ((p: Progress) => show(formatProgress(p), p.elapsedMs)),
    // The liveness phase's clock starts at 0 again: its log lines are throttled on their own.
    liveness:
      show &&
      ((p: LivenessProgress) => {
        if (p.elapsedMs < loggedAtMs) loggedAtMs = 0;
        show(formatLivenessProgress(p), p.elapsedMs);
      }),
    // A log asking for lines more often than once a second gets reports that often.
    everyMs: logEveryMs !== undefined && logEveryMs < 1000 ? logEveryMs : undefined,
    clear: () => {
      if (drawn) stream?.write('\r\x1b[K');
      drawn = false;
    },
  };
}

/** The check as the library takes it: the system the flags or --system describe, the properties, the search. */
function libraryOptions(o: CheckOptions, system: CommandLineSystem, io: CliContext['io'], progress: ReturnType<typeof progressPrinter>): LibraryCheckOptions {
  return {
    system: system.system,
    ...(o.property !== undefined ? { properties: o.property } : {}),
    liveness: o.liveness !== false,
    strategy: o.strategy,
    ...(o.maxStates !== undefined ? { maxStates: o.maxStates } : {}),
    ...(o.maxDepth !== undefined ? { maxDepth: o.maxDepth } : {}),
    ...(o.timeout !== undefined ? { timeoutSeconds: o.timeout } : {}),
    memoryLimitBytes: o.memory,
    workers: o.workers ?? Math.min(availableParallelism(), MAX_WORKERS),
    symmetry: o.symmetry === true,
    fingerprint: o.fingerprint === true,
    // Ctrl-C stops either phase cleanly (a summary, exit 3): io.interrupt (../interrupt.ts); a second one quits at once.
    ...(io.interrupt !== undefined ? { signal: io.interrupt } : {}),
    ...(progress.safety !== undefined ? { onProgress: progress.safety } : {}),
    ...(progress.everyMs !== undefined ? { progressEveryMs: progress.everyMs } : {}),
  };
}

/** The library's checks, worded with this command's flags. */
const FLAGS: CheckNaming = {
  properties: '--property',
  fingerprintAndSymmetry: '--fingerprint and --symmetry exclude each other (fingerprints are kept of packed states, symmetry reduction works on objects)',
};

/** An exhaustive check: a layer over the library's check (src/api/check.ts), which prepares and runs it. */
async function check(ctx: CliContext, o: CheckOptions, system: CommandLineSystem): Promise<number> {
  const { io } = ctx;
  const format = o.traceOut !== undefined ? checkTraceOut(o.traceOut) : undefined;
  const progress = progressPrinter(io, o);
  const prepared = prepareCheck(libraryOptions(o, system, io, progress), FLAGS);
  const { setup } = prepared;
  if (setup === undefined) {
    const message = bootFailureMessage(prepared.bootError ?? '');
    if (o.json) io.out(JSON.stringify({ verdict: 'error', message, config: prepared.config, system: prepared.system }, null, 2) + '\n');
    else io.out(`SPECIFICATION ERROR: ${message}\n`);
    if (o.json) io.err(`vnicspec: SPECIFICATION ERROR: ${message}\n`);
    return EXIT.violated;
  }
  if (o.symmetry === true && !canSymmetry(setup.model)) {
    io.err(`vnicspec: note: --symmetry: symmetry reduction is not available for this configuration (${noSymmetryReason(setup.sys)}); searching without it\n`);
  }
  if (!o.json) io.out(header(setup, o, prepared.symmetry, system));

  enlargeYoungGeneration();
  let run: CheckRun;
  try {
    run = await runPrepared(prepared, { ...(progress.liveness !== undefined ? { onLivenessProgress: progress.liveness } : {}), beforeLiveness: progress.clear });
  } finally {
    progress.clear();
  }
  const { report, phases } = run;
  const r = deciding(phases);
  const code = report.verdict === 'holds' ? EXIT.ok : report.verdict === 'incomplete' ? EXIT.incomplete : EXIT.violated;

  if (o.json) {
    io.out(JSON.stringify(report, null, 2) + '\n');
    if (report.verdict === 'violated') io.err(`vnicspec: property '${r.property}' violated: ${r.message}\n`);
    else if (report.verdict === 'error') io.err(`vnicspec: SPECIFICATION ERROR: ${r.message}\n`);
    else if (report.verdict === 'incomplete') io.err(`vnicspec: incomplete: ${incompleteWhy(r, o)}; nothing was proven\n`);
  } else {
    io.out(humanReport(setup, phases, o, report.internedContexts, report.memoizedSteps, report.rssBytes));
  }

  if (o.traceOut !== undefined && format !== undefined) writeTrace(ctx, setup, phases, o.traceOut, format, o.json === true);
  return code;
}

/** Printed before the search starts, so a long run shows what it is checking. */
function header(setup: CheckedSetup, o: CheckOptions, symmetry: boolean, system: CommandLineSystem): string {
  const group = symmetry ? setup.model.symmetryGroupSize : undefined;
  const liveness =
    setup.liveness.length > 0
      ? `  liveness:      ${setup.liveness.map((p) => p.name).join(', ')}${setup.properties.length > 0 ? ' after the safety search' : ''}: the full graph, bfs, ` +
        'no symmetry; weak fairness of every pending delivery (DMA and wire completions, CPU jobs, VMM forwarding)\n'
      : o.liveness === false
        ? '  liveness:      not checked (--no-liveness)\n'
        : '';
  const s = system.system;
  const from = system.file !== undefined ? `  system:        ${printable(s.name)} (${printable(system.file)})${s.description !== '' ? `: ${printable(s.description)}` : ''}\n` : '';
  return (
    'vnicspec check\n' +
    from +
    `  configuration: ${describeConfig(setup.config)}\n` +
    `  properties:    ${describeProperties(setup)}\n` +
    (setup.properties.length > 0 ? `  search:        ${searchLine(o, group)}\n` : '') +
    liveness +
    '\n'
  );
}

/** The first lines: the verdict and, for a violation or an error, its trace. */
function headline(setup: CheckedSetup, phases: CheckPhases, o: CheckOptions): string[] {
  const lines: string[] = [];
  const r = deciding(phases);
  const cex = counterexampleOf(phases);
  const trace = cex !== undefined ? formatTextTrace(printableTrace(setup, cex.trace, false)).trimEnd() : undefined;
  switch (r.verdict) {
    case 'holds':
      // Which sometimes-properties were witnessed, and after how many steps, is in formatSummary's lines below.
      lines.push(`${setup.names.length === 1 ? `Property '${setup.names[0]}' holds` : `All ${setup.names.length} properties hold`}.`);
      break;
    case 'violated':
      if (r.message === 'never reached') {
        const kind = propertyKind(r.property ?? '');
        lines.push(`Property '${r.property}' violated: no reachable state witnesses this ${kind}-property (never reached).`);
      } else {
        lines.push(`Property '${r.property}' violated: ${r.message}`);
      }
      if (trace !== undefined && cex !== undefined) {
        const steps = cex.trace.actions.length;
        const what =
          cex.trace.loop !== undefined
            ? `a lasso of ${steps} steps: steps 1..${cex.trace.loop} reach a cycle, steps ${cex.trace.loop + 1}..${steps} repeat forever`
            : `${steps} steps`;
        lines.push('', `Counterexample (${what}; each shows the action taken and only the variables it changed):`, trace);
      }
      break;
    case 'error':
      lines.push(`SPECIFICATION ERROR (the model itself failed, this is not a property violation): ${r.message}`);
      if (trace !== undefined && cex !== undefined) {
        const failing = r.errorAction !== undefined ? `, where '${setup.model.label(r.errorAction)}' fails` : '';
        lines.push('', `Trace to the failing state (${cex.trace.actions.length} steps${failing}):`, trace);
      }
      break;
    case 'incomplete':
      lines.push(`INCOMPLETE: ${incompleteWhy(r, o)}${r === phases.liveness ? ' (liveness phase)' : ''}.`);
      lines.push('Nothing was proven: no violation was found in the explored part, but the state space was not covered.');
      break;
  }
  return lines;
}

function humanReport(setup: CheckedSetup, phases: CheckPhases, o: CheckOptions, interned: number, memoized: number, rssBytes: number): string {
  const lines = headline(setup, phases, o);
  if (phases.safety !== undefined) lines.push('', formatSummary(phases.safety));
  lines.push(...livenessSection(setup, phases.liveness, livenessSkipped(setup, phases)));
  lines.push(`${formatCount(interned)} distinct machine contexts interned, ${formatCount(memoized)} machine steps memoized; resident memory ${formatBytes(rssBytes)}.`);
  return lines.join('\n') + '\n';
}

/** The liveness section (the lasso itself is printed with the safety traces, in the headline). */
function livenessSection(setup: CheckedSetup, r: LivenessCheckResult | undefined, skipped: string | undefined): string[] {
  const names = setup.liveness.map((p) => p.name);
  if (names.length === 0) return [];
  if (r === undefined) return ['', `Liveness (${names.join(', ')}) not checked: ${skipped ?? 'not run'}.`];
  return ['', formatLivenessSummary(r, names)];
}

function writeTrace(ctx: CliContext, setup: CheckedSetup, phases: CheckPhases, file: string, format: TraceFormat, json: boolean): void {
  const cex = counterexampleOf(phases);
  if (cex === undefined) {
    const verdict = combinedVerdict(phases);
    const r = deciding(phases);
    const why =
      verdict === 'holds'
        ? 'all properties hold'
        : verdict === 'incomplete'
          ? 'the search was incomplete'
          : `'${r.property}' was never reached, which no single trace can show`;
    ctx.io.err(`vnicspec: --trace-out: no counterexample to write (${why}); '${printable(file)}' was not written\n`);
    return;
  }
  const { trace, verdict } = cex;
  const text = traceFileText(format, setup, trace, verdict, cex.property);
  const cycle = trace.loop !== undefined ? ` (its last ${trace.actions.length - trace.loop} repeat forever)` : '';
  saveTraceFile(ctx.io, file, text, `${trace.actions.length}-step ${cex.kind}${cycle}`, json);
}
