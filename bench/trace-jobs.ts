/**
 * Reads the profile a `reproduce` run writes under VNICSPEC_TRACE_JOBS=FILE (src/cli/commands/reproduce/trace.ts)
 * and says where its wall time went:
 *
 *   VNICSPEC_TRACE_JOBS=/tmp/t2.json node bin/vnicspec.js reproduce --jobs 2 --out /tmp/r2 --no-progress
 *   node dist/bench/trace-jobs.js /tmp/t2.json [--tail 12]
 *
 * The main thread's phases (start-up before the pool, simulating, the comparison's extra points, the pool's
 * shutdown, charts, writing), each worker's busy time and its idle gaps, how long 0, 1, … simulations ran at once,
 * and what ran while fewer simulations ran than there are threads (the chains the pool waited on).
 */
import { readFileSync } from 'node:fs';
import type { TraceFile, TaskRecord } from '../src/cli/commands/reproduce/trace.js';

interface Ran extends TaskRecord {
  readonly span: NonNullable<TaskRecord['span']>;
}

const s = (ms: number): string => (ms / 1000).toFixed(1);
const settingOf = (label: string): string => label.replace(/@.*$/, '');

export interface Profile {
  readonly wallMs: number;
  readonly threads: number;
  readonly busyMs: number;
  /** Time with k simulations running, k = 0..threads, inside the simulate and compare phases. */
  readonly concurrencyMs: readonly number[];
  readonly lines: readonly string[];
}

export function analyse(t: TraceFile, tailCount = 12): Profile {
  const lines: string[] = [];
  const ran = t.tasks.filter((x): x is Ran => x.span !== undefined);
  const lastPhase = t.phases.reduce((a, p) => Math.max(a, p.endMs), 0);
  const wallMs = lastPhase - t.processStartMs;
  const sim = t.phases.find((p) => p.name === 'simulate');
  const poolEnd = t.phases.find((p) => p.name === 'compare')?.endMs ?? sim?.endMs ?? lastPhase;
  lines.push(`wall ${s(wallMs)} s (process start to the files written), ${t.threads} thread(s), ${ran.length} simulations`);
  lines.push(`  start-up before the first simulation was queued: ${s((sim?.startMs ?? t.processStartMs) - t.processStartMs)} s`);
  for (const p of t.phases) lines.push(`  phase ${p.name.padEnd(12)} ${s(p.endMs - p.startMs).padStart(6)} s  (${s(p.startMs - t.processStartMs)} → ${s(p.endMs - t.processStartMs)})`);

  // Per worker thread.
  const byThread = new Map<number, Ran[]>();
  for (const r of ran) byThread.set(r.span.thread, [...(byThread.get(r.span.thread) ?? []), r]);
  let busyMs = 0;
  for (const [thread, rs] of [...byThread].sort((a, b) => a[0] - b[0])) {
    rs.sort((a, b) => a.span.startMs - b.span.startMs);
    const busy = rs.reduce((a, r) => a + r.span.endMs - r.span.startMs, 0);
    busyMs += busy;
    let gaps = 0;
    let longest = 0;
    for (let k = 1; k < rs.length; k++) {
      const g = rs[k]!.span.startMs - rs[k - 1]!.span.endMs;
      gaps += g;
      longest = Math.max(longest, g);
    }
    const first = rs[0]!.span.startMs - (sim?.startMs ?? t.processStartMs);
    const last = poolEnd - rs[rs.length - 1]!.span.endMs;
    lines.push(
      `  thread ${thread}: ${rs.length} runs, busy ${s(busy)} s; first run ${s(first)} s after the pool started, idle between runs ${s(gaps)} s (longest ${s(longest)} s), idle after its last run ${s(last)} s`,
    );
  }
  // Hand-over latency: dispatched → running, and done → result back on the main thread.
  const handIn = ran.reduce((a, r) => a + r.span.startMs - (r.dispatchedMs ?? r.span.startMs), 0);
  const handOut = ran.reduce((a, r) => a + (r.resolvedMs ?? r.span.endMs) - r.span.endMs, 0);
  lines.push(`  hand-over: ${s(handIn)} s from dispatch to start, ${s(handOut)} s from end to the result (summed over runs)`);

  // Concurrency profile over the pool's life (simulate + compare).
  const from = sim?.startMs ?? t.processStartMs;
  const events = ran.flatMap((r) => [
    { at: r.span.startMs, d: 1, r },
    { at: r.span.endMs, d: -1, r },
  ]);
  events.sort((a, b) => a.at - b.at || a.d - b.d);
  const conc = new Array<number>(t.threads + 1).fill(0);
  const under = new Map<string, number>(); // setting -> ms it ran while fewer than `threads` ran
  const running = new Set<Ran>();
  let at = from;
  let lastFull = from;
  for (const e of [...events, { at: poolEnd, d: 0, r: undefined }]) {
    const dt = Math.max(0, Math.min(e.at, poolEnd) - at);
    conc[Math.min(running.size, t.threads)]! += dt;
    if (running.size < t.threads) for (const r of running) under.set(settingOf(r.label), (under.get(settingOf(r.label)) ?? 0) + dt);
    if (running.size >= t.threads) lastFull = Math.min(e.at, poolEnd);
    at = Math.max(at, e.at);
    if (e.r !== undefined) {
      if (e.d > 0) running.add(e.r);
      else running.delete(e.r);
    }
  }
  lines.push(`  pool phases ${s(poolEnd - from)} s: ${conc.map((ms, k) => `${k} running ${s(ms)} s`).join(', ')}`);
  lines.push(`  all threads last busy at ${s(lastFull - t.processStartMs)} s: ${s(poolEnd - lastFull)} s of tail before the pool's work ended`);
  const cpuMs = ran.reduce((a, r) => a + (r.span.cpuMs ?? 0), 0);
  lines.push(`  CPU: process ${s(t.processCpuMs)} s, main thread ${t.mainThreadCpuMs === null ? '?' : s(t.mainThreadCpuMs)} s, in simulations ${s(cpuMs)} s (their wall spans ${s(busyMs)} s: the rest is waiting for a core)`);
  lines.push(`  ideal wall on ${t.threads} idle threads: (simulations' CPU + main thread's) / threads + start-up ${s((cpuMs + (t.mainThreadCpuMs ?? 0)) / t.threads + ((sim?.startMs ?? t.processStartMs) - t.processStartMs))} s; process CPU / threads ${s(t.processCpuMs / t.threads)} s`);

  // The chains: per setting, its runs' total and its span from first start to last end.
  const chains = new Map<string, { runs: number; urgent: number; busy: number; cpu: number; first: number; last: number }>();
  for (const r of ran) {
    const k = settingOf(r.label);
    const c = chains.get(k) ?? { runs: 0, urgent: 0, busy: 0, cpu: 0, first: Infinity, last: 0 };
    c.cpu += r.span.cpuMs ?? 0;
    c.runs++;
    if (r.urgent) c.urgent++;
    c.busy += r.span.endMs - r.span.startMs;
    c.first = Math.min(c.first, r.span.startMs);
    c.last = Math.max(c.last, r.span.endMs);
    chains.set(k, c);
  }
  lines.push(`  settings by when they finished (last ${tailCount}): setting: runs (probes), busy (CPU), first start → last end; time it ran while a thread was idle`);
  for (const [k, c] of [...chains].sort((a, b) => a[1].last - b[1].last).slice(-tailCount)) {
    lines.push(`    ${k}: ${c.runs} (${c.urgent}), ${s(c.busy)} s (${s(c.cpu)} s), ${s(c.first - t.processStartMs)} → ${s(c.last - t.processStartMs)}; ${s(under.get(k) ?? 0)} s`);
  }
  return { wallMs, threads: t.threads, busyMs, concurrencyMs: conc, lines };
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''))) {
  const file = process.argv[2];
  if (file === undefined) {
    process.stderr.write('usage: node dist/bench/trace-jobs.js TRACE.json [--tail N]\n');
    process.exit(2);
  }
  const tail = process.argv.indexOf('--tail');
  const p = analyse(JSON.parse(readFileSync(file, 'utf8')) as TraceFile, tail > 0 ? Number(process.argv[tail + 1]) : 12);
  process.stdout.write(p.lines.join('\n') + '\n');
}
