/**
 * `npm run bench`: the performance figures of vnicspec against their targets and against reference tools.
 *
 *   node --expose-gc dist/bench/run.js [--quick] [--json] [--only sim,step,explore,graph,spin,random,reproduce]
 *
 * --quick   a smoke run (seconds, not minutes): shorter runs, smaller budgets, scaled targets.
 * --json    one JSON object on stdout ({ meta, rows }); progress stays on stderr.
 * --only    a comma-separated subset of the sections.
 * Exit code: 0 when every row ran (FAIL verdicts included: they are measurements, not errors), 1 on an ERROR row.
 */
import { cpus, loadavg } from 'node:os';
import { benchExplorer } from './explorer.js';
import { benchRandom } from './random.js';
import { benchReproduce } from './reproduce.js';
import { benchGraph } from './xstate-graph.js';
import { renderRows, row, summary, gcFunction, type BenchContext, type Row } from './report.js';
import { benchSimulator } from './simulator.js';
import { benchSpin } from './spin.js';
import { benchStepping } from './stepping.js';

const SECTIONS = {
  sim: benchSimulator,
  step: benchStepping,
  explore: benchExplorer,
  graph: benchGraph,
  spin: benchSpin,
  random: benchRandom,
  reproduce: benchReproduce,
} as const satisfies Record<string, (ctx: BenchContext) => Row[] | Promise<Row[]>>;

type SectionName = keyof typeof SECTIONS;
const NAMES = Object.keys(SECTIONS) as SectionName[];

interface Args {
  quick: boolean;
  json: boolean;
  only: SectionName[];
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { quick: false, json: false, only: [...NAMES] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') args.quick = true;
    else if (a === '--json') args.json = true;
    else if (a === '--only' || a.startsWith('--only=')) {
      const list = a === '--only' ? argv[++i] : a.slice('--only='.length);
      const picked = (list ?? '').split(',').filter((s) => s !== '');
      const bad = picked.filter((p) => !(NAMES as string[]).includes(p));
      if (picked.length === 0 || bad.length > 0) throw new Error(`--only: expected a comma-separated subset of ${NAMES.join(',')} (got '${list ?? ''}')`);
      args.only = NAMES.filter((n) => picked.includes(n));
    } else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: node --expose-gc dist/bench/run.js [--quick] [--json] [--only ' + NAMES.join(',') + ']\n');
      process.exit(0);
    } else throw new Error(`unknown argument '${a}' (try --help)`);
  }
  return args;
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n`);
    return 2;
  }
  const started = performance.now();
  const ctx: BenchContext = {
    quick: args.quick,
    log: (line) => process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}\n`),
  };
  const meta = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    mode: args.quick ? 'quick' : 'full',
    gcExposed: gcFunction() !== undefined,
    /** 1-minute load average when the run started: other work on the machine slows every figure down. */
    loadAverage1m: loadavg()[0] ?? 0,
    sections: args.only,
  };
  if (!meta.gcExposed) ctx.log('note: global.gc is not exposed (run node with --expose-gc): memory per state will be n/a');

  const rows: Row[] = [];
  for (const name of args.only) {
    const t0 = performance.now();
    try {
      rows.push(...(await SECTIONS[name](ctx)));
    } catch (e) {
      rows.push(row(name, { what: `section '${name}' crashed`, value: null, unit: '', verdict: 'ERROR', note: (e as Error).stack?.split('\n').slice(0, 3).join(' | ') ?? String(e) }));
    }
    ctx.log(`${name}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const totalS = (performance.now() - started) / 1000;

  if (args.json) {
    process.stdout.write(JSON.stringify({ meta: { ...meta, totalSeconds: totalS }, rows }, null, 2) + '\n');
  } else {
    const out = [
      `vnicspec bench — ${meta.date} — node ${meta.node} — ${meta.cpu} — ${meta.mode} run — load average at start ${meta.loadAverage1m.toFixed(2)}, at end ${(loadavg()[0] ?? 0).toFixed(2)}`,
      'ratio: how many times better the measured figure is than its target or reference (higher is better; ≥ 1.00 meets a target).',
      'PASS/FAIL: against a target; INFO: set against a reference only; SKIP: not measured (see the note); ERROR: the measurement itself failed.',
      renderRows(rows),
      '',
      summary(rows),
      `total wall time ${totalS.toFixed(1)} s`,
      '',
    ];
    process.stdout.write(out.join('\n'));
  }
  return rows.some((r) => r.verdict === 'ERROR') ? 1 : 0;
}

process.exitCode = await main();
