/**
 * `vnicspec mutants`: run `check` on every mutant of the catalogue (spec/mutants/) and print the kill matrix —
 * mutant → property that killed it → configuration → trace length → time — then the specified system on every
 * check used. Exit 0 when every mutant is killed and the specified system passes every check; 1 otherwise.
 */
import { Command, Option } from 'commander';
import { chosenMutants, describeRun, mutants, type MutantsReport } from '../../../api/mutants.js';
import { watchStop } from '../../interrupt.js';
import { InputError } from '../../../api/errors.js';
import { EXIT, UsageError, action, epilogue, type CliCommand, type CliContext } from '../command.js';

interface MutantsFlags {
  json?: boolean;
  only?: string[];
  list?: boolean;
  traces?: boolean;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), ...value.split(',').filter((s) => s !== '')];

export const mutantsCommand: CliCommand = (ctx, done) =>
  new Command('mutants')
    .summary('check every planted wrong variant of the design and print which property kills it')
    .description(
      'The mutant catalogue (spec/mutants/) holds named, documented wrong variants of the design — a classifier, an ' +
        'admission test, a token bucket, an arbiter, a teardown, a VMM, a driver, … each a few lines from the real ' +
        'one, selected by overriding named guards and effects of the machines (machine.provide), never by editing ' +
        'them. For each mutant this runs `check` on the configurations the catalogue names (exhaustive on small ' +
        'systems first, then seeded random walks on larger ones) until one kills it — a property is violated, or the ' +
        'model refuses a step (specification error) — and prints the kill matrix: mutant, the property that killed ' +
        'it, the configuration, the counterexample’s length and the time. Then it runs every one of those checks on ' +
        'the specified system, which must pass them all: a kill then shows the properties tell the design from a ' +
        'plausible bug. Exit 0 when every mutant is killed and the specified system passes; 1 otherwise (the ' +
        'survivors are named).',
    )
    .option('--json', 'print the kill matrix as one JSON object on stdout and nothing else: { mutants: [{ name, description, killed, property, config, traceLength, seconds }] } (the specified system\'s failures, if any, go to stderr; the exit code says both)')
    .option('--only <names>', 'run only these mutants (comma-separated or repeated); default: every one', collect)
    .addOption(new Option('--traces', 'after the matrix, print each killed mutant’s counterexample as check prints it (a lasso’s cycle marked)').conflicts('json'))
    .option('--list', 'list the catalogue (what each mutant replaces and where it should be killed) without running it')
    .addHelpText(
      'after',
      epilogue([
        ['vnicspec mutants', 'the whole kill matrix (about 10 s)'],
        ['vnicspec mutants --only partition-off-by-one,bucket-overfill', 'two mutants, and the specified system on their checks'],
        ['vnicspec mutants --list', 'what each mutant changes, in the paper’s terms'],
        ['vnicspec mutants --only vm-lost-rearm --traces', 'the lasso by which eventual-delivery kills the lost interrupt re-arm'],
        ['vnicspec mutants --json > kills.json', 'the matrix for a machine'],
      ],
      {
        0: 'every mutant run was killed by check and the specified system passed every check used',
        1: 'a mutant survived every check the catalogue names for it, or the specified system failed one of them (named on stderr)',
        2: 'bad input: an unknown option or mutant name',
        3: 'Ctrl-C stopped it: the matrix printed is partial',
      }),
    )
    .action(action(done, (cmd) => run(ctx, cmd.opts<MutantsFlags>())));

async function run(ctx: CliContext, o: MutantsFlags): Promise<number> {
  const { io } = ctx;
  checkOnly(o.only);
  if (o.list === true) {
    io.out(listing(o.only));
    return EXIT.ok;
  }
  const stop = watchStop(io.interrupt);
  const verbose = !o.json && (io.progressStream !== undefined || io.progressLogEveryMs !== undefined);
  let report: MutantsReport;
  try {
    report = await mutants({
      ...(o.only !== undefined ? { only: o.only } : {}),
      signal: stop.signal,
      ...(o.traces === true ? { traces: true } : {}),
      ...(verbose ? { onCheck: (m: string | null, described: string) => io.err(`checking ${m ?? 'the specified system'}: ${described}\n`) } : {}),
    });
  } finally {
    stop.dispose();
  }
  if (o.json) io.out(JSON.stringify({ ...(report.interrupted ? { status: 'partial' } : {}), ...killMatrix(report) }, null, 2) + '\n');
  else io.out(humanReport(report));
  const survivors = report.mutants.filter((m) => !m.killed).map((m) => m.name);
  const failing = report.reference.filter((r) => !r.passed);
  if (report.interrupted) {
    io.err(`vnicspec: interrupted after ${report.mutants.length} mutant(s); the matrix is partial\n`);
    return EXIT.incomplete;
  }
  if (o.json) {
    if (survivors.length > 0) io.err(`vnicspec: not killed: ${survivors.join(', ')}\n`);
    for (const r of failing) io.err(`vnicspec: the specified system fails vnicspec check ${r.config}: ${r.property ?? r.verdict}: ${r.message ?? ''}\n`);
  }
  return report.ok ? EXIT.ok : EXIT.violated;
}

/** What --json prints: per mutant exactly the kill matrix's columns. */
function killMatrix(r: MutantsReport): { mutants: { name: string; description: string; killed: boolean; property: string | null; config: string; traceLength: number | null; seconds: number }[] } {
  return { mutants: r.mutants.map((m) => ({ name: m.name, description: m.description, killed: m.killed, property: m.property, config: m.config, traceLength: m.traceLength, seconds: m.seconds })) };
}

/** Unknown names in --only are bad input, named after the flag (the API says which names it knows). */
function checkOnly(only: readonly string[] | undefined): void {
  try {
    chosenMutants(only);
  } catch (e) {
    if (e instanceof InputError) throw new UsageError(`--only: ${e.message}`);
    throw e;
  }
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** `A`, `B`, … `Z`, `AA`, …: a short name for each check in the matrix. */
function checkLabel(i: number): string {
  return i < 26 ? String.fromCharCode(65 + i) : checkLabel(Math.floor(i / 26) - 1) + String.fromCharCode(65 + (i % 26));
}

/** The matrix (one row per mutant, its check by label), then each check with the specified system's result on it. */
function humanReport(r: MutantsReport): string {
  const checks = [...new Set([...r.mutants.map((m) => m.config), ...r.reference.map((x) => x.config)])];
  const label = (config: string): string => checkLabel(checks.indexOf(config));
  const nameW = Math.max(6, ...r.mutants.map((m) => m.name.length));
  const propW = Math.max(9, ...r.mutants.map((m) => (m.property ?? 'NOT KILLED').length));
  const lines: string[] = [`${pad('mutant', nameW)}  ${pad('killed by', propW)}  check  steps  time`];
  for (const m of r.mutants) {
    const steps = m.traceLength === null ? '-' : String(m.traceLength);
    lines.push(`${pad(m.name, nameW)}  ${pad(m.property ?? 'NOT KILLED', propW)}  ${pad(label(m.config), 5)}  ${pad(steps, 5)}  ${m.seconds.toFixed(2)}s`);
    if (m.killed && m.property !== m.expected) lines.push(`${' '.repeat(nameW + 2)}(the catalogue expects ${m.expected})`);
  }
  lines.push('', 'Checks, and the specified system on each (it must pass):');
  for (const config of checks) {
    const x = r.reference.find((y) => y.config === config);
    const n = (k: number) => k.toLocaleString('en-US');
    const what =
      x === undefined ? 'not run' : !x.passed ? `FAILS: ${x.property ?? x.verdict}: ${x.message ?? ''}` : x.verdict === 'holds' ? `holds, ${n(x.explored)} states, ${x.seconds.toFixed(2)}s` : `no violation found, ${n(x.explored)} steps, ${x.seconds.toFixed(2)}s`;
    lines.push(`  ${label(config)}  vnicspec check ${config}`, `     specified system: ${what}`);
  }
  lines.push('');
  for (const m of r.mutants) {
    if (m.trace === undefined) continue;
    lines.push(`Counterexample: ${m.name}, killed by ${m.property ?? ''}: ${m.message ?? ''}`, `  the check, which the specified system passes: vnicspec check ${m.config}`, m.trace, '');
  }
  const killed = r.mutants.filter((m) => m.killed).length;
  const survivors = r.mutants.filter((m) => !m.killed).map((m) => m.name);
  const failing = r.reference.filter((x) => !x.passed).length;
  if (r.interrupted) {
    // A stop leaves the last mutant and the checks of the specified system unfinished: say what was done, no verdict.
    lines.push(`PARTIAL (stopped): ${killed} of the ${r.mutants.length} mutants run were killed; the specified system ran ${r.reference.length} of the ${checks.length} checks${failing > 0 ? ` and FAILS ${failing}` : ''}.`);
    return lines.join('\n') + '\n';
  }
  lines.push(`${killed} of ${r.mutants.length} mutants killed${survivors.length > 0 ? `; NOT killed: ${survivors.join(', ')}` : ''}.`);
  lines.push(failing === 0 ? `The specified system passes all ${r.reference.length} checks used.` : `The specified system FAILS ${failing} of the ${r.reference.length} checks used.`);
  return lines.join('\n') + '\n';
}

function listing(only: readonly string[] | undefined): string {
  const chosen = chosenMutants(only);
  const out: string[] = [];
  for (const m of chosen) {
    out.push(m.name);
    out.push(`  ${m.description}`);
    for (const r of m.replaces) out.push(`  replaces in ${r.machine}: ${[...r.guards.map((g) => `guard ${g}`), ...r.actions.map((a) => `effect ${a}`)].join(', ')}`);
    for (const k of m.kills) out.push(`  killed by ${k.killer}: vnicspec check ${describeRun(k)}`);
    out.push('');
  }
  return out.join('\n');
}
