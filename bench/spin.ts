/**
 * SPIN as a reference point, when `spin` (and a C compiler) are on PATH; otherwise every row is skipped with a note.
 *
 * bench/spin/vnic.pml is a hand-written Promela version of the default checked vnic configuration (2 VMs × 2 slots;
 * -DNVM=3 -DCAP=3 gives the 3 × 3 target), bench/spin/shared.pml of the shared-buffer baseline (xen-idd). Each is
 * turned into a verifier in a temporary directory (`spin -a`, `cc -O2 -DNOREDUCE -DSAFETY [-DBFS] -o pan pan.c`) and
 * run; the states stored, transitions, time and memory pan reports are set next to our explorer's figures (section 3)
 * for the same configurations. The models are abstractions written by hand, not generated from spec/: see the
 * comment at the top of each .pml for how they differ.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { row, shared, type BenchContext, type Row } from './report.js';

const SECTION = '5. SPIN 6 (pan) on hand-written Promela models';

const here = dirname(fileURLToPath(import.meta.url));
/** The .pml sources: next to this module when run from bench/, or in bench/spin/ of the repository from dist/bench/. */
function pmlDir(): string | undefined {
  return [join(here, 'spin'), join(here, '..', '..', 'bench', 'spin')].find((d) => existsSync(join(d, 'vnic.pml')));
}

function onPath(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.error === undefined && r.status === 0;
}

interface PanRun {
  readonly stored: number;
  readonly transitions: number;
  readonly depth: number;
  readonly errors: number;
  readonly panSeconds: number;
  readonly wallSeconds: number;
  /** pan's CPU time (user + system), from the shell's `times`. */
  readonly cpuSeconds: number;
  readonly memoryMb: number;
  readonly stateMemoryMb: number;
  readonly vectorBytes: number;
  readonly truncated: boolean;
  readonly output: string;
  /** Steps of the error trail, when pan wrote one. */
  readonly trailSteps: number | undefined;
}

const num = (text: string, re: RegExp): number => {
  const m = re.exec(text);
  return m ? Number(m[1]) : Number.NaN;
};

function run(cmd: string, args: string[], cwd: string, timeoutMs: number): { stdout: string; stderr: string; status: number | null; seconds: number } {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  return { stdout: r.stdout, stderr: r.stderr, status: r.status, seconds };
}

/** spin -a, cc, pan; pan is re-run with a 4× deeper stack when it reports that its depth bound cut the search. */
function verify(dir: string, model: string, defines: string[], ccFlags: string[], panArgs: string[], depth: number): { pan: PanRun; buildSeconds: number } {
  const work = mkdtempSync(join(tmpdir(), 'vnicspec-spin-'));
  try {
    copyFileSync(join(dir, model), join(work, model));
    const a = run('spin', [...defines, '-a', model], work, 60_000);
    if (a.status !== 0) throw new Error(`spin -a ${model}: ${(a.stdout + a.stderr).trim().split('\n').slice(-3).join(' | ')}`);
    const c = run('cc', ['-O2', ...ccFlags, '-o', 'pan', 'pan.c'], work, 180_000);
    if (c.status !== 0) throw new Error(`cc pan.c: ${c.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    const buildSeconds = a.seconds + c.seconds;
    let m = depth;
    for (let attempt = 0; ; attempt++) {
      // Through a shell for its `times` (the CPU time of its children): on a loaded machine wall time measures the
      // other work too.
      const p = run('bash', ['-c', './pan "$@"; s=$?; times >&2; exit $s', 'pan', `-m${m}`, ...panArgs], work, 600_000);
      const out = p.stdout + p.stderr;
      const truncated = /max search depth too small/.test(out);
      if (truncated && attempt < 1) {
        m *= 4;
        continue;
      }
      const trailFile = join(work, `${model}.trail`);
      const trailSteps = existsSync(trailFile)
        ? readFileSync(trailFile, 'utf8')
            .split('\n')
            .filter((l) => /^\d+:\d+:\d+$/.test(l.trim())).length
        : undefined;
      return {
        buildSeconds,
        pan: {
          stored: num(out, /(\d+) states, stored/),
          transitions: num(out, /(\d+) transitions \(= stored\+matched\)/),
          depth: num(out, /depth reached (\d+)/),
          errors: num(out, /errors: (\d+)/),
          panSeconds: num(out, /pan: elapsed time ([\d.e+-]+) seconds/),
          wallSeconds: p.seconds,
          cpuSeconds: childCpu(p.stderr),
          memoryMb: num(out, /([\d.]+)\s+total actual memory usage/),
          stateMemoryMb: num(out, /([\d.]+)\s+actual memory usage for states/),
          vectorBytes: num(out, /State-vector (\d+) byte/),
          truncated,
          output: out,
          trailSteps,
        },
      };
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The children's user + system seconds from bash's `times` (its last line: `0m7.512s 0m0.311s`). */
function childCpu(stderr: string): number {
  const lines = stderr.trim().split('\n');
  const m = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/.exec(lines[lines.length - 1]!.trim());
  return m ? Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]) : Number.NaN;
}

const fmtInt = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');

function vnicRows(label: string, key: string, r: { pan: PanRun; buildSeconds: number }): Row[] {
  const p = r.pan;
  const seconds = p.panSeconds >= 0.1 ? p.panSeconds : p.wallSeconds;
  const rate = p.stored / seconds;
  const ours = {
    states: shared.get(`explorer.${key}.states`),
    transitions: shared.get(`explorer.${key}.transitions`),
    rate: shared.get(`explorer.${key}.statesPerS`),
    complete: shared.get(`explorer.${key}.complete`) === 1,
    bytes: shared.get(`explorer.${key}.bytesPerState`),
    seconds: shared.get(`explorer.${key}.seconds`),
  };
  const rows: Row[] = [];
  let agreement: string;
  if (ours.states === undefined) agreement = 'our explorer did not run this configuration (section 3)';
  else if (!ours.complete) agreement = `our explorer did not finish this configuration: cut at ${fmtInt(ours.states)} states, ${((100 * ours.states) / p.stored).toFixed(0)}% of pan's count`;
  else if (ours.states === p.stored) {
    // Our explorer also takes the unknown-MAC arrival in every state (a self-loop the .pml leaves out), and pan
    // counts the initial state as a transition.
    const panPlusSelfLoops = p.transitions - 1 + p.stored;
    agreement = `same number of states as our explorer (${fmtInt(p.stored)}); transitions: pan ${fmtInt(p.transitions)} − 1 + one unknown-MAC self-loop per state = ${fmtInt(panPlusSelfLoops)}, ours ${fmtInt(ours.transitions ?? Number.NaN)}${panPlusSelfLoops === ours.transitions ? ' (equal)' : ' (DIFFERENT)'}`;
  } else agreement = `DIFFERENT state count: ours ${fmtInt(ours.states)}, pan ${fmtInt(p.stored)} (the models differ somewhere: see the .pml header)`;
  const complete = !p.truncated && p.errors === 0;
  rows.push(
    row(SECTION, {
      what: `${label}: states stored`,
      value: p.stored,
      unit: 'states',
      note: `${agreement}; errors ${p.errors}; DFS depth ${fmtInt(p.depth)}${p.truncated ? '; TRUNCATED: max search depth too small' : ''}`,
      ...(complete ? {} : { verdict: 'ERROR' as const }),
    }),
  );
  rows.push(
    row(SECTION, {
      what: `${label}: pan time`,
      value: seconds,
      unit: 's',
      ...(ours.seconds !== undefined && ours.complete ? { reference: { value: ours.seconds, direction: 'at-most' as const, label: 'our search' } } : {}),
      note: `pan ${Number.isFinite(p.panSeconds) ? p.panSeconds.toFixed(2) : '?'} s, process ${p.wallSeconds.toFixed(2)} s; spin -a + cc ${r.buildSeconds.toFixed(1)} s`,
    }),
  );
  rows.push(
    row(SECTION, {
      what: `${label}: pan states/s`,
      value: rate,
      unit: 'states/s',
      ...(ours.rate !== undefined ? { reference: { value: ours.rate, direction: 'at-least' as const, label: 'ours' } } : {}),
    }),
  );
  rows.push(
    row(SECTION, {
      what: `${label}: pan memory for states`,
      value: (p.stateMemoryMb * 1024 * 1024) / p.stored,
      unit: 'B/state',
      ...(ours.bytes !== undefined ? { reference: { value: ours.bytes, direction: 'at-most' as const, label: 'ours' } } : {}),
      note: `state vector ${p.vectorBytes} B; pan total ${p.memoryMb.toFixed(0)} MB (hash table and DFS stack included)`,
    }),
  );
  return rows;
}

/** Whether pan can be built here (spin, a C compiler, the .pml files). */
export function panAvailable(): boolean {
  return pmlDir() !== undefined && onPath('spin', ['-V']) && onPath('cc', ['--version']);
}

/** pan on vnic.pml at `vms` × `capacity`: states stored, transitions, and pan's own elapsed seconds. */
export function verifyVnicPml(vms: number, capacity: number): { stored: number; transitions: number; seconds: number; cpuSeconds: number } {
  const r = verify(pmlDir()!, 'vnic.pml', [`-DNVM=${vms}`, `-DCAP=${capacity}`], ['-DNOREDUCE', '-DSAFETY'], ['-w24'], 3_000_000).pan;
  if (r.truncated || r.errors !== 0) throw new Error(`pan on vnic.pml ${vms} × ${capacity}: ${r.truncated ? 'truncated' : `${r.errors} errors`}`);
  return { stored: r.stored, transitions: r.transitions, seconds: Number.isFinite(r.panSeconds) && r.panSeconds >= 0.1 ? r.panSeconds : r.wallSeconds, cpuSeconds: r.cpuSeconds };
}

export function benchSpin(ctx: BenchContext): Row[] {
  const dir = pmlDir();
  const skip = (what: string, note: string): Row => row(SECTION, { what, value: null, unit: '', verdict: 'SKIP', note });
  if (!onPath('spin', ['-V'])) return [skip('SPIN rows', "'spin' is not on PATH (e.g. apt-get install -y spin): skipped")];
  if (!onPath('cc', ['--version'])) return [skip('SPIN rows', "no C compiler 'cc' on PATH to build pan: skipped")];
  if (dir === undefined) return [skip('SPIN rows', 'bench/spin/*.pml not found next to the build: skipped')];
  const version = spawnSync('spin', ['-V'], { encoding: 'utf8' }).stdout.trim();
  ctx.log(`spin: ${version}`);

  const rows: Row[] = [];
  const safety = ['-DNOREDUCE', '-DSAFETY'];

  ctx.log('spin: vnic.pml, 2 VMs × 2 slots');
  // A small hash table (2^18 slots) keeps pan's start-up from dominating this small run.
  rows.push(...vnicRows('vnic.pml 2 VMs × 2 slots', 'vnic-2x2', verify(dir, 'vnic.pml', [], safety, ['-w18'], 1_000_000)));

  if (ctx.quick) rows.push(skip('vnic.pml 3 VMs × 3 slots', 'skipped in --quick'));
  else {
    ctx.log('spin: vnic.pml, 3 VMs × 3 slots');
    rows.push(...vnicRows('vnic.pml 3 VMs × 3 slots', 'vnic-3x3', verify(dir, 'vnic.pml', ['-DNVM=3', '-DCAP=3'], safety, ['-w24'], 3_000_000)));
  }

  ctx.log('spin: shared.pml, BFS');
  const s = verify(dir, 'shared.pml', [], [...safety, '-DBFS'], ['-w18'], 100_000).pan;
  const found = s.errors > 0 && s.trailSteps !== undefined;
  const oursSteps = shared.get('explorer.xen-idd.cexSteps');
  rows.push(
    row(SECTION, {
      what: 'shared.pml BFS: starvation counterexample length',
      value: found ? s.trailSteps! : null,
      unit: 'steps',
      ...(oursSteps !== undefined ? { reference: { value: oursSteps, direction: 'at-most' as const, label: 'ours' } } : {}),
      note: found
        ? `${/assertion violated ([^\n]*)/.exec(s.output)?.[1] ?? 'assertion violated'}; ${fmtInt(s.stored)} states stored, pan ${s.wallSeconds.toFixed(2)} s (process)`
        : `NO COUNTEREXAMPLE: errors ${s.errors}`,
      ...(found ? {} : { verdict: 'ERROR' as const }),
    }),
  );
  return rows;
}
