/**
 * `vnicspec reproduce` and `vnicspec sweep` as a user runs them: the built CLI in a child process, worker threads
 * and all. Targets (issue 14): the full reproduction in under 5 minutes on this 2-core machine, and on `--jobs 2` at
 * least 1.7 times as fast as on `--jobs 1` (the full run on both, same report bytes). A 40-run sweep's speed-up is
 * reported beside it: its runs take ~0.15 s each, so the CLI's start-up and each worker's JIT warm-up weigh on it.
 * Parallel speed-up needs idle cores: each row notes the 1-minute load average before and after (another process
 * on the machine takes a core away from the pool).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TraceFile } from '../src/cli/commands/reproduce/trace.js';
import { row, secondsSince, type BenchContext, type Row } from './report.js';

const SECTION = '7. reproduce and sweep (built CLI, worker threads)';
const CLI = fileURLToPath(new URL('../../bin/vnicspec.js', import.meta.url));
const REPRODUCE_TARGET_S = 300;
const SPEEDUP_TARGET = 1.7;

const load = (): string => (loadavg()[0] ?? 0).toFixed(2);

function cli(args: readonly string[], env: Record<string, string> = {}): { wallS: number; status: number | null; stderr: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, ...env } });
  return { wallS: secondsSince(t0), status: r.status, stderr: r.stderr };
}

const filesOf = (dir: string): string => readdirSync(dir).sort().map((f) => `${f}\n${readFileSync(join(dir, f), 'utf8')}`).join('\n');
/** The same report bytes in two output folders: report.html, results.md, results.json and charts/. */
const sameReport = (a: string, b: string): boolean =>
  filesOf(join(a, 'charts')) === filesOf(join(b, 'charts')) && ['report.html', 'results.md', 'results.json'].every((f) => readFileSync(join(a, f), 'utf8') === readFileSync(join(b, f), 'utf8'));
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** A run's profile (VNICSPEC_TRACE_JOBS): process and simulation CPU, the simulating phase. */
function profileOf(file: string): { processCpuS: number; simCpuS: number; threadsIdleS: number } | undefined {
  try {
    const t = JSON.parse(readFileSync(file, 'utf8')) as TraceFile;
    const sim = t.phases.find((p) => p.name === 'simulate');
    const ran = t.tasks.filter((x) => x.span !== undefined);
    const busyMs = ran.reduce((a, x) => a + x.span!.endMs - x.span!.startMs, 0);
    return {
      processCpuS: t.processCpuMs / 1000,
      simCpuS: ran.reduce((a, x) => a + (x.span!.cpuMs ?? 0), 0) / 1000,
      threadsIdleS: sim === undefined ? 0 : (t.threads * (sim.endMs - sim.startMs) - busyMs) / 1000,
    };
  } catch {
    return undefined;
  }
}

function reproduceRows(ctx: BenchContext, dir: string): Row[] {
  // The full run on --jobs 1 and on the default --jobs (2 here), alternated 1, 2, 1, 2 so that a change of load on
  // the machine hits both; medians compared (not in quick mode: one run on the default --jobs). Each run writes
  // its profile (VNICSPEC_TRACE_JOBS: two /proc reads per simulation), for the CPU figures in the notes.
  const plan: (number | undefined)[] = ctx.quick ? [undefined] : [1, undefined, 1, undefined];
  const runs = plan.map((jobs, k) => {
    const out = join(dir, `report-${jobs ?? 'default'}-${k}`);
    const traceFile = join(dir, `trace-${k}.json`);
    const args = ['reproduce', '--out', out, '--no-progress', ...(ctx.quick ? ['--quick'] : []), ...(jobs ? ['--jobs', String(jobs)] : [])];
    ctx.log(`reproduce: vnicspec ${args.join(' ')} (load ${load()})`);
    const before = load();
    const r = cli(args, { VNICSPEC_TRACE_JOBS: traceFile });
    return { jobs, r, out, profile: profileOf(traceFile), load: `${before} → ${load()}` };
  });
  const failed = runs.find((x) => x.r.status !== 0);
  if (failed) return [row(SECTION, { what: 'vnicspec reproduce', value: null, unit: 's', verdict: 'ERROR', note: `exit ${failed.r.status}: ${failed.r.stderr.slice(-300)}` })];
  const one = runs.filter((x) => x.jobs === 1);
  const two = runs.filter((x) => x.jobs === undefined);
  const wall = (xs: typeof runs): number => median(xs.map((x) => x.r.wallS));
  const cpu = (xs: typeof runs): string =>
    xs.map((x) => (x.profile ? `${x.profile.processCpuS.toFixed(1)} s CPU (${x.profile.simCpuS.toFixed(1)} s in simulations)` : 'no profile')).join(', ');
  const rows = [
    row(SECTION, {
      what: `vnicspec reproduce${ctx.quick ? ' --quick' : ''}: wall time, default --jobs${two.length > 1 ? ` (median of ${two.length})` : ''}`,
      value: wall(two),
      unit: 's',
      ...(ctx.quick ? { reference: { value: REPRODUCE_TARGET_S, direction: 'at-most' as const, label: "the full run's target" } } : { target: { value: REPRODUCE_TARGET_S, direction: 'at-most' as const } }),
      note: `runs ${two.map((x) => `${x.r.wallS.toFixed(1)} s (load ${x.load})`).join(', ')}; ${cpu(two)}; ${two[0]!.r.stderr.trim().split('\n').pop() ?? ''}`,
    }),
  ];
  if (one.length > 0) {
    const same = runs.every((x) => sameReport(runs[0]!.out, x.out));
    // What the wall times would be on idle cores: --jobs 2 needs at least its process CPU over two cores (V8's GC and
    // compiler threads included), and the threads' idle time in the simulating phase says how well it packs them.
    const idle = two.every((x) => x.profile) ? ` Process CPU: --jobs 1 ${cpu(one)}; --jobs 2 ${cpu(two)}; threads idle in the simulating phase on --jobs 2: ${two.map((x) => x.profile!.threadsIdleS.toFixed(1)).join(', ')} s.` : '';
    rows.push(
      row(SECTION, {
        what: `vnicspec reproduce: --jobs 2 speed-up over --jobs 1 (medians of ${one.length}, alternated)`,
        value: wall(one) / wall(two),
        unit: '×',
        target: { value: SPEEDUP_TARGET, direction: 'at-least' },
        ...(same ? {} : { verdict: 'FAIL' as const }),
        note: `--jobs 1: ${one.map((x) => `${x.r.wallS.toFixed(1)} s (load ${x.load})`).join(', ')}; reports ${same ? 'byte-identical' : 'DIFFER'}.${idle}`,
      }),
    );
  }
  return rows;
}

function speedupRows(ctx: BenchContext, dir: string): Row[] {
  const sweep = ['sweep', '--scenario', 'httperf-2vm', '--arch', 'xen-idd,vnic', '--no-progress'];
  const grid = ctx.quick ? ['--rates', '200:2000:300', '--duration', '1', '--warmup', '0.2'] : ['--rates', '100:2000:100', '--duration', '4', '--warmup', '0.5'];
  const rounds = ctx.quick ? 1 : 2;
  const times: Record<1 | 2, number[]> = { 1: [], 2: [] };
  const loads: string[] = [];
  let identical = true;
  for (let k = 0; k < rounds; k++) {
    // Alternated, so a load change on the machine hits both.
    for (const jobs of [1, 2] as const) {
      const out = join(dir, `sweep-j${jobs}-${k}`);
      loads.push(load());
      ctx.log(`sweep --jobs ${jobs} (round ${k + 1} of ${rounds}, load ${loads[loads.length - 1]})`);
      const r = cli([...sweep, ...grid, '--jobs', String(jobs), '--out', out]);
      if (r.status !== 0) return [row(SECTION, { what: `sweep --jobs ${jobs}`, value: null, unit: '', verdict: 'ERROR', note: r.stderr.slice(-300) })];
      times[jobs].push(r.wallS);
      if (filesOf(out) !== filesOf(join(dir, 'sweep-j1-0'))) identical = false;
    }
  }
  loads.push(load());
  const j1 = median(times[1]);
  const j2 = median(times[2]);
  const runs = ctx.quick ? 14 : 40;
  return [
    row(SECTION, { what: `sweep of ${runs} runs on --jobs 1 (median of ${rounds})`, value: j1, unit: 's', note: `runs ${times[1].map((t) => t.toFixed(1)).join(', ')} s` }),
    row(SECTION, {
      what: `sweep of ${runs} short runs: --jobs 2 speed-up over --jobs 1`,
      value: j1 / j2,
      unit: '×',
      reference: { value: SPEEDUP_TARGET, direction: 'at-least', label: "reproduce's target" },
      ...(identical ? {} : { verdict: 'FAIL' as const }),
      note: `--jobs 2 median ${j2.toFixed(1)} s; load averages ${loads.join(' → ')}; output ${identical ? 'byte-identical across --jobs' : 'DIFFERS across --jobs'}`,
    }),
  ];
}

/** Same report bytes whichever thread ran which simulation: `reproduce --quick` on --jobs 1 and on --jobs 2. */
function determinismRow(ctx: BenchContext, dir: string): Row {
  const outs = [1, 2].map((jobs) => {
    const out = join(dir, `quick-j${jobs}`);
    ctx.log(`reproduce --quick --jobs ${jobs} (load ${load()})`);
    const r = cli(['reproduce', '--quick', '--no-progress', '--jobs', String(jobs), '--out', out]);
    return { r, out };
  });
  const failed = outs.find((o) => o.r.status !== 0);
  if (failed) return row(SECTION, { what: 'reproduce --quick on --jobs 1 and 2', value: null, unit: '', verdict: 'ERROR', note: failed.r.stderr.slice(-300) });
  const same = sameReport(outs[0]!.out, outs[1]!.out);
  return row(SECTION, {
    what: 'reproduce --quick: report identical on --jobs 1 and --jobs 2',
    value: outs[0]!.r.wallS / outs[1]!.r.wallS,
    unit: '× faster on 2',
    ...(same ? {} : { verdict: 'FAIL' as const }),
    note: `${same ? 'report.html, results.md, results.json and charts/ byte-identical' : 'OUTPUTS DIFFER'}; ${outs.map((o) => o.r.wallS.toFixed(1)).join(' s vs ')} s`,
  });
}

export function benchReproduce(ctx: BenchContext): Row[] {
  const dir = mkdtempSync(join(tmpdir(), 'vnicspec-bench-reproduce-'));
  try {
    return [...speedupRows(ctx, dir), determinismRow(ctx, dir), ...reproduceRows(ctx, dir)];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
