/**
 * The explorer on the checked system (spec/checked), run as `vnicspec check` runs it: packed states (its properties
 * decided from their parts), one thread or several. Then the head-to-head of issue "Explorer engine faster than
 * SPIN": on the state space of bench/spin/vnic.pml at 3 VMs × 3 slots, in alternated rounds of one run,
 * - pan (SPIN 6, -O2 -DNOREDUCE -DSAFETY) on vnic.pml,
 * - the JS limit: bench/js-limit.ts, a stand-alone hand-packed BFS of the same model,
 * - vnicspec's engine on vnic.pml written against its packed-model API (bench/pml-model.ts),
 * - `vnicspec check --vms 3 --capacity 3` with one worker and with two;
 * medians per program, and the targets: one worker no slower than pan, two workers ≥ 1.6× one, ≤ 64 B of memory per
 * stored state.
 *
 * Memory per stored state: heapUsed + arrayBuffers after a forced gc at the end of the search (visited set, parent
 * columns, memoized tables and interned machine states all alive; the frontier empty) minus the same after a forced
 * gc before it, over the states stored — taken in the search's `onFinish` hook, after its last clock reading. At both
 * ends the gc is followed by a wait for V8's sweeper and a second gc (`settle`), as the resident row needs.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { enlargeYoungGeneration } from '../src/explore/young-generation.js';
import { checkLiveness, search, searchAsync, type SearchResult } from '../src/explore/index.js';
import { PROPERTY_NAMES, propertiesFor, propertyParts } from '../properties/checked.js';
import { LIVENESS_NAMES, livenessFor } from '../properties/liveness.js';
import { defaultCheckConfig, type CheckConfig } from '../spec/checked/config.js';
import { CheckedModel, buildCheckedSystem, type CheckAction, type CheckedState } from '../spec/checked/model.js';
import type { ChildResult } from './explorer-child.js';
import { gcFunction, row, shared, type BenchContext, type Row } from './report.js';
import { panAvailable, verifyVnicPml } from './spin.js';

const SECTION = '3. explorer (checked system, all properties, BFS, packed states)';
const VERSUS = '3b. head-to-head on the state space of vnic.pml (alternated rounds, medians)';
const TARGET_CEX_S = 0.5;
const TARGET_SPEEDUP = 1.6;
const TARGET_BYTES_PER_STATE = 64;

export interface CheckRun {
  readonly label: string;
  readonly result: SearchResult<CheckedState, CheckAction>;
  /** Wall time including building the system and the model. */
  readonly totalS: number;
  readonly bytesPerState: number | null;
  /** Resident set growth over the search (after a gc at both ends), per stored state. */
  readonly rssPerState: number | null;
}

/** JavaScript heap plus ArrayBuffer backing stores (the visited set and the shared tables live there). */
function retainedBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/**
 * Collect, let V8 free what the collection found dead, collect again. V8 frees the backing stores of dead
 * ArrayBuffers on a background task after a gc, so right after `gc()` they are still resident. Synchronous (a
 * blocking wait), so that it can run in the search's `onFinish` hook.
 */
function settle(gc: () => void): void {
  gc();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
  gc();
}

/** `vnicspec check` on `config`: every property, BFS, `workers` threads; the retained memory sampled at the end. */
export async function runCheck(label: string, config: CheckConfig, o: { timeoutMs: number; workers: number }): Promise<CheckRun> {
  const gc = gcFunction();
  const t0 = performance.now();
  const sys = buildCheckedSystem(config);
  const { properties, stepChecks } = propertiesFor(sys, PROPERTY_NAMES);
  const model = new CheckedModel(sys, { stepChecks, parts: propertyParts });
  let base = 0;
  let rssBase = 0;
  let waitMs = 0;
  if (gc) {
    // Without it, the buffers of the previous program in the round count in the base (the figure per state then
    // comes out too low).
    const w0 = performance.now();
    settle(gc);
    waitMs = performance.now() - w0;
    base = retainedBytes();
    rssBase = process.memoryUsage.rss();
  }
  let retained: number | null = null;
  let rss: number | null = null;
  let gcMs = 0;
  const onFinish = (): void => {
    if (!gc) return;
    const g0 = performance.now();
    // Without it, the buffers the search dropped (the visited set's last smaller table: 64 MiB at 3 × 3) were still
    // resident, freed a few milliseconds later (~20 B/state of the 60 measured before).
    settle(gc);
    retained = retainedBytes() - base;
    rss = process.memoryUsage.rss() - rssBase;
    gcMs = performance.now() - g0;
  };
  enlargeYoungGeneration();
  const options = { strategy: 'bfs' as const, properties, timeoutMs: o.timeoutMs, onFinish };
  const result = o.workers > 1 ? await searchAsync(model, { ...options, workers: o.workers }) : search(model, options);
  const totalS = (performance.now() - t0 - gcMs - waitMs) / 1000;
  // With workers, their memory is not in this thread's heap figures: no per-state figure.
  const one = result.states > 0 && o.workers === 1;
  const bytesPerState = retained !== null && one ? retained / result.states : null;
  const rssPerState = rss !== null && one ? rss / result.states : null;
  return { label, result, totalS, bytesPerState, rssPerState };
}

export function describe(r: CheckRun): string {
  const res = r.result;
  const verdict = res.verdict === 'incomplete' ? `INCOMPLETE (${res.incompleteReason})` : res.verdict;
  return `${verdict}; ${res.states.toLocaleString('en-US')} states, ${res.transitions.toLocaleString('en-US')} transitions, depth ${res.depth}, search ${res.seconds.toFixed(2)} s on ${res.workers} thread${res.workers > 1 ? 's' : ''}`;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** `explorer-child.js` on one program: its result, or an error with what the child printed. */
function inChild(kind: string, vms: number, capacity: number, workers: number): ChildResult {
  const script = fileURLToPath(new URL('./explorer-child.js', import.meta.url));
  const r = spawnSync(process.execPath, ['--expose-gc', script, kind, String(vms), String(capacity), String(workers)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !last.startsWith('{')) throw new Error(`explorer-child ${kind} exited ${r.status ?? r.signal}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return JSON.parse(last) as ChildResult;
}

/** One program of the head-to-head: a name and a run returning its search seconds (and what it found). */
interface Contender {
  readonly name: string;
  /** `cpuSeconds`: a child process's CPU time (else this process's, all threads, is taken around the run). */
  run(): Promise<{ seconds: number; states: number; transitions: number; note: string; cpuSeconds?: number }>;
}

async function headToHead(ctx: BenchContext, vms: number, capacity: number): Promise<Row[]> {
  const rows: Row[] = [];
  const config = defaultCheckConfig({ arch: 'vnic', vms, capacity, dma: 'drr' });
  const workers = Math.max(2, Math.min(availableParallelism(), 2));
  const bytes: number[] = [];
  const rssBytes: number[] = [];
  const contenders: Contender[] = [];
  if (panAvailable()) {
    contenders.push({
      name: 'pan (SPIN 6, -O2 -DNOREDUCE -DSAFETY) on vnic.pml',
      run: async () => {
        const p = verifyVnicPml(vms, capacity);
        return { seconds: p.seconds, cpuSeconds: p.cpuSeconds, states: p.stored, transitions: p.transitions, note: `pan's elapsed time` };
      },
    });
  }
  // Each of ours in a process of its own too (explorer-child.ts says why).
  const child = (kind: string, w = 1) => async () => {
    const r = inChild(kind, vms, capacity, w);
    if (r.bytesPerState !== null) bytes.push(r.bytesPerState);
    if (r.rssPerState !== null) rssBytes.push(r.rssPerState);
    return r;
  };
  contenders.push({ name: 'JS limit (bench/js-limit.ts, hand-packed BFS)', run: child('js-limit') });
  contenders.push({ name: "vnicspec's engine on vnic.pml's packed model (bench/pml-model.ts)", run: child('pml-model') });
  // The JS limit's parallel spike on `workers` threads, deterministic (the same ids as the JS limit, as vnicspec must
  // give) and free (ids in claim order): what that many JS threads can gain here over the JS limit (target 2's bound).
  for (const kind of ['js-limit-parallel', 'js-limit-free']) {
    contenders.push({ name: `JS limit's parallel spike, ${kind === 'js-limit-free' ? 'free' : 'deterministic'}, ${workers} threads (bench/js-limit-parallel.ts)`, run: child(kind, workers) });
  }
  for (const w of [1, workers]) {
    contenders.push({ name: `vnicspec check --vms ${vms} --capacity ${capacity}, ${w === 1 ? 'one worker' : `${w} workers`}`, run: child('check', w) });
  }
  const rounds = ctx.quick ? 1 : 3;
  const times = contenders.map(() => [] as number[]);
  // CPU seconds (all threads; pan's from the shell): on a loaded machine, wall time measures the other work too.
  const cpuTimes = contenders.map(() => [] as number[]);
  const notes: string[] = contenders.map(() => '');
  const counts: number[] = contenders.map(() => 0);
  const transitions: number[] = contenders.map(() => 0);
  for (let round = 0; round < rounds; round++) {
    // Alternate the order too, so that no program always runs right after the same one.
    const order = contenders.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) {
      ctx.log(`explorer ${vms}×${capacity} round ${round + 1}/${rounds}: ${contenders[i]!.name}`);
      const c0 = process.cpuUsage();
      const r = await contenders[i]!.run();
      const c = process.cpuUsage(c0);
      times[i]!.push(r.seconds);
      cpuTimes[i]!.push(r.cpuSeconds ?? (c.user + c.system) / 1e6);
      notes[i] = r.note;
      counts[i] = r.states;
      transitions[i] = r.transitions;
    }
  }
  const at = (prefix: string): number => contenders.findIndex((c) => c.name.startsWith(prefix));
  const pan = at('pan');
  const one = at(`vnicspec check --vms ${vms} --capacity ${capacity}, one`);
  const many = contenders.length - 1;
  const m = times.map(median);
  contenders.forEach((c, i) => {
    const spread = `runs ${times[i]!.map((t) => t.toFixed(2)).join(', ')} s; CPU ${cpuTimes[i]!.map((t) => t.toFixed(2)).join(', ')} s`;
    rows.push(
      row(VERSUS, {
        what: c.name,
        value: m[i]!,
        unit: 's',
        ...(pan >= 0 && i !== pan ? { reference: { value: m[pan]!, direction: 'at-most' as const, label: 'pan' } } : {}),
        note: `${spread}; ${counts[i]!.toLocaleString('en-US')} states; ${notes[i]}`,
      }),
    );
  });
  if (pan >= 0) {
    rows.push(row(VERSUS, { what: 'TARGET one worker: wall time vs pan', value: m[one]!, unit: 's', target: { value: m[pan]!, direction: 'at-most', label: "pan's" } }));
  } else rows.push(row(VERSUS, { what: 'TARGET one worker: wall time vs pan', value: null, unit: '', verdict: 'SKIP', note: "'spin' or 'cc' not on PATH (apt-get install -y spin)" }));
  rows.push(
    row(VERSUS, {
      what: `TARGET ${workers} workers: speed-up over one`,
      value: m[one]! / m[many]!,
      unit: '×',
      target: { value: TARGET_SPEEDUP, direction: 'at-least' },
      note: 'median of one worker / median of two, same rounds',
    }),
  );
  rows.push(
    row(VERSUS, {
      what: 'TARGET memory per stored state (one worker)',
      value: bytes.length > 0 ? median(bytes) : null,
      unit: 'B/state',
      target: { value: TARGET_BYTES_PER_STATE, direction: 'at-most' },
      ...(bytes.length === 0 ? { verdict: 'SKIP' as const, note: 'n/a: run node with --expose-gc' } : { note: `heap + ArrayBuffers retained after gc, over the states stored; runs ${bytes.map((b) => b.toFixed(1)).join(', ')}` }),
    }),
  );
  rows.push(
    row(VERSUS, {
      what: 'TARGET resident memory per stored state (one worker)',
      value: rssBytes.length > 0 ? median(rssBytes) : null,
      unit: 'B/state',
      target: { value: TARGET_BYTES_PER_STATE, direction: 'at-most' },
      ...(rssBytes.length === 0 ? { verdict: 'SKIP' as const, note: 'n/a: run node with --expose-gc' } : { note: `the resident set's growth from before the search to its end (at both ends a gc, 250 ms for V8's sweeper, a gc), over the states stored; runs ${rssBytes.map((b) => b.toFixed(1)).join(', ')}` }),
    }),
  );
  const cpuM = cpuTimes.map(median);
  if (pan >= 0) {
    rows.push(
      row(VERSUS, {
        what: 'CPU time: one worker vs pan (medians)',
        value: cpuM[one]!,
        unit: 's',
        reference: { value: cpuM[pan]!, direction: 'at-most', label: "pan's" },
        note: "CPU seconds (ours: the program's child process, all threads, building the model included; pan's: bash's times): what wall time would be on an idle core",
      }),
    );
  }
  rows.push(
    row(VERSUS, {
      what: `CPU time: ${workers} workers vs one (medians)`,
      value: cpuM[many]!,
      unit: 's',
      reference: { value: cpuM[one]!, direction: 'at-most', label: 'one worker' },
      note: `all threads: the work the parallel search adds; on ${workers} idle cores the wall-time speed-up is at most ${workers} × ${(cpuM[one]! / cpuM[many]!).toFixed(2)} = ${((workers * cpuM[one]!) / cpuM[many]!).toFixed(2)} ×`,
    }),
  );
  const jl = at('JS limit (');
  for (const mode of ['deterministic', 'free']) {
    const spike = at(`JS limit's parallel spike, ${mode}`);
    rows.push(
      row(VERSUS, {
        what: `JS limit's parallel spike, ${mode}: ${workers} threads' speed-up over the JS limit`,
        value: m[jl]! / m[spike]!,
        unit: '×',
        reference: { value: TARGET_SPEEDUP, direction: 'at-least', label: 'target 2' },
        note:
          (mode === 'deterministic'
            ? "target 2's bound on this machine for a search that numbers states as one thread does (claims with the smallest (parent, action) as witness, numbering after each level)"
            : 'ids in claim order, as vnicspec may not do: the platform alone') + `; CPU ${(cpuM[spike]! / cpuM[jl]!).toFixed(2)} × the JS limit's`,
      }),
    );
  }
  rows.push(row(VERSUS, { what: 'one worker vs the JS limit', value: m[one]!, unit: 's', reference: { value: m[jl]!, direction: 'at-most', label: 'JS limit' } }));
  rows.push(livenessRow(ctx, config, capacity, m[one]!, { expectedStates: counts[one]!, expectedEdges: transitions[one]! }));
  const key = `explorer.vnic-${vms}x${capacity}`;
  shared.set(`${key}.states`, counts[one]!);
  shared.set(`${key}.transitions`, transitions[one]!);
  shared.set(`${key}.statesPerS`, counts[one]! / m[one]!);
  if (bytes.length > 0) shared.set(`${key}.bytesPerState`, median(bytes));
  shared.set(`${key}.seconds`, m[one]!);
  shared.set(`${key}.complete`, 1);
  return rows;
}

/**
 * The liveness phase `check` runs after the safety search by default (eventual-delivery under weak fairness): its
 * own exploration of the whole graph on packed states, every edge stored, then the fair-cycle search — given, as
 * `check` gives it, the safety search's counts to size its storage. Timed once, after the rounds.
 */
function livenessRow(ctx: BenchContext, config: CheckConfig, capacity: number, safetyS: number, expected: { expectedStates: number; expectedEdges: number }): Row {
  ctx.log(`explorer ${config.vms}×${capacity}: the liveness phase (eventual-delivery)`);
  const sys = buildCheckedSystem(config);
  const { stepChecks } = propertiesFor(sys, PROPERTY_NAMES);
  const model = new CheckedModel(sys, { stepChecks, parts: propertyParts });
  enlargeYoungGeneration();
  const cpu0 = process.cpuUsage();
  const r = checkLiveness(model, livenessFor(sys, LIVENESS_NAMES), { timeoutMs: 600_000, ...expected });
  const cpu = process.cpuUsage(cpu0);
  return row(VERSUS, {
    what: `the liveness phase (check's default after safety), ${config.vms} × ${capacity}`,
    value: r.seconds,
    unit: 's',
    reference: { value: safetyS, direction: 'at-most', label: 'safety, one worker' },
    note: `${r.verdict}; ${r.states.toLocaleString('en-US')} states, ${r.transitions.toLocaleString('en-US')} edges; graph exploration ${r.graphSeconds.toFixed(1)} s, cycle search ${(r.seconds - r.graphSeconds).toFixed(1)} s, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s; graph ${(r.graphBytes / r.states).toFixed(0)} B/state; ${r.packed ? 'packed states' : 'OBJECTS (no packed form)'}, one thread`,
  });
}

export async function benchExplorer(ctx: BenchContext): Promise<Row[]> {
  const rows: Row[] = [];
  // First, in a process that has not run the checker yet: the time a user waits for the xen-idd counterexample
  // (node's start-up and module loading excluded).
  ctx.log('explorer: xen-idd time to counterexample');
  const cex = await runCheck('xen-idd 2 × 2', defaultCheckConfig({ arch: 'xen-idd' }), { timeoutMs: 60_000, workers: 1 });
  const violated = cex.result.verdict === 'violated';
  if (violated && cex.result.trace) shared.set('explorer.xen-idd.cexSteps', cex.result.trace.actions.length);
  rows.push(
    row(SECTION, {
      what: 'xen-idd 2 × 2: time to counterexample (first check in the process)',
      value: cex.totalS,
      unit: 's',
      target: { value: TARGET_CEX_S, direction: 'at-most', label: 'well under 1 s' },
      note: violated
        ? `'${cex.result.property}' violated after ${cex.result.states} states; counterexample ${cex.result.trace?.actions.length ?? '?'} steps (BFS: shortest); system and model construction included`
        : `NO COUNTEREXAMPLE: ${describe(cex)}`,
      ...(violated ? {} : { verdict: 'FAIL' as const }),
    }),
  );
  ctx.log('explorer: vnic 2 VMs × 2 slots (defaults)');
  const small = await runCheck('vnic 2 VMs × 2 slots', defaultCheckConfig({ arch: 'vnic' }), { timeoutMs: 60_000, workers: 1 });
  shared.set('explorer.vnic-2x2.states', small.result.states);
  shared.set('explorer.vnic-2x2.transitions', small.result.transitions);
  shared.set('explorer.vnic-2x2.complete', small.result.verdict === 'holds' ? 1 : 0);
  shared.set('explorer.vnic-2x2.seconds', small.result.seconds);
  rows.push(row(SECTION, { what: 'vnic 2 VMs × 2 slots: total time', value: small.totalS, unit: 's', note: describe(small) }));
  // --quick: the same head-to-head on the 3 VMs × 2 slots state space (1.1 million states), one round.
  rows.push(...(await headToHead(ctx, 3, ctx.quick ? 2 : 3)));
  return rows;
}
