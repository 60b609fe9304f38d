/**
 * The explorer on the checked system (spec/checked): states/s, transitions/s, memory per stored state and total
 * time for the default vnic configuration (2 VMs × 2 slots) and the target 3 VMs × 3 slots (drr), every property
 * of properties/checked.ts on; and the time to the xen-idd counterexample.
 *
 * Memory per stored state: heapUsed + arrayBuffers after a forced gc at the end of the search (packed visited set,
 * parent/action/depth arrays, the memoized steps and interned contexts all still alive, the frontier empty) minus
 * the same after a forced gc before it, divided by the states stored. ArrayBuffers count: typed arrays hold most of
 * the visited set, outside V8's heap. The search does not expose its visited set, so the sample is taken in its
 * `onFinish` hook, which runs after the search's last clock reading: the gc's own time is not in the search time.
 */
import { enlargeYoungGeneration } from '../src/explore/young-generation.js';
import { search, type Model, type SearchResult } from '../src/explore/index.js';
import { PROPERTY_NAMES, propertiesFor } from '../properties/checked.js';
import { defaultCheckConfig, type CheckConfig } from '../spec/checked/config.js';
import { CheckedModel, buildCheckedSystem, type CheckAction, type CheckedState } from '../spec/checked/model.js';
import { gcFunction, row, shared, type BenchContext, type Row } from './report.js';

const SECTION = '3. explorer (checked system, all properties, BFS)';
export const TARGET_STATES_PER_S = 300_000;
export const TARGET_BYTES_PER_STATE = 150;
const TARGET_3X3_S = 60;
const TARGET_CEX_S = 0.5;

export interface CheckRun {
  readonly label: string;
  readonly result: SearchResult<CheckedState, CheckAction>;
  /** Wall time including building the system and the model. */
  readonly totalS: number;
  readonly bytesPerState: number | null;
  readonly symmetry: boolean;
  readonly timeoutMs: number;
}

/** JavaScript heap plus ArrayBuffer backing stores (the packed visited set and the memo tables live there). */
function retainedBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Runs the explorer; samples the retained heap at the end of the search when gc is exposed. */
export function runCheck(label: string, config: CheckConfig, o: { timeoutMs: number; symmetry?: boolean }): CheckRun {
  const gc = gcFunction();
  const t0 = performance.now();
  const sys = buildCheckedSystem(config);
  const { properties, stepChecks } = propertiesFor(sys, PROPERTY_NAMES);
  // The model itself, as `vnicspec check` passes it: the search takes the same packed fast path.
  const model = new CheckedModel(sys, { stepChecks });
  const symmetry = o.symmetry === true && model.canonical !== undefined;

  let base = 0;
  if (gc) {
    gc();
    base = retainedBytes();
  }
  let retained: number | null = null;
  let gcMs = 0;
  const onFinish = (): void => {
    if (!gc) return;
    const g0 = performance.now();
    gc();
    retained = retainedBytes() - base;
    gcMs = performance.now() - g0;
  };
  enlargeYoungGeneration();
  const result = search(model, { strategy: 'bfs', properties, timeoutMs: o.timeoutMs, maxStates: 50_000_000, symmetry, onFinish });
  const totalS = (performance.now() - t0 - gcMs) / 1000;
  const bytesPerState = retained !== null && result.states > 0 ? retained / result.states : null;
  return { label, result, totalS, bytesPerState, symmetry, timeoutMs: o.timeoutMs };
}

function describe(r: CheckRun): string {
  const res = r.result;
  const verdict = res.verdict === 'incomplete' ? `INCOMPLETE (${res.incompleteReason} after ${(r.timeoutMs / 1000).toFixed(0)} s)` : res.verdict;
  return `${verdict}; ${res.states.toLocaleString('en-US')} states, ${res.transitions.toLocaleString('en-US')} transitions, depth ${res.depth}, search ${res.seconds.toFixed(2)} s`;
}

function configRows(r: CheckRun, targets: boolean, timeTarget: number | undefined, key: string): Row[] {
  const res = r.result;
  const complete = res.verdict === 'holds';
  const sps = res.seconds > 0 ? res.states / res.seconds : 0;
  const tps = res.seconds > 0 ? res.transitions / res.seconds : 0;
  shared.set(`explorer.${key}.statesPerS`, sps);
  shared.set(`explorer.${key}.complete`, complete ? 1 : 0);
  shared.set(`explorer.${key}.states`, res.states);
  shared.set(`explorer.${key}.transitions`, res.transitions);
  shared.set(`explorer.${key}.seconds`, res.seconds);
  if (r.bytesPerState !== null) shared.set(`explorer.${key}.bytesPerState`, r.bytesPerState);
  const rows: Row[] = [];
  const rate = { value: TARGET_STATES_PER_S, direction: 'at-least' as const };
  const bytes = { value: TARGET_BYTES_PER_STATE, direction: 'at-most' as const };
  if (timeTarget !== undefined) {
    rows.push(
      row(SECTION, {
        what: `${r.label}: total time`,
        value: r.totalS,
        unit: 's',
        target: { value: timeTarget, direction: 'at-most' },
        note: describe(r),
        ...(complete ? {} : { verdict: 'FAIL' as const }),
      }),
    );
  } else {
    rows.push(row(SECTION, { what: `${r.label}: total time`, value: r.totalS, unit: 's', note: describe(r) }));
  }
  rows.push(
    row(SECTION, {
      what: `${r.label}: states/s`,
      value: sps,
      unit: 'states/s',
      ...(targets ? { target: rate } : { reference: { ...rate, label: 'target for 3×3' } }),
    }),
  );
  rows.push(row(SECTION, { what: `${r.label}: transitions/s`, value: tps, unit: 'trans/s' }));
  rows.push(
    row(SECTION, {
      what: `${r.label}: heap per stored state`,
      value: r.bytesPerState,
      unit: 'B/state',
      ...(targets ? { target: bytes } : { reference: { ...bytes, label: 'target for 3×3' } }),
      ...(r.bytesPerState === null ? { verdict: 'SKIP' as const, note: gcFunction() ? 'no sample taken' : 'n/a: run node with --expose-gc' } : {}),
      ...(r.bytesPerState !== null && !complete ? { note: 'search cut by the timeout: frontier states are still alive and inflate the figure' } : {}),
    }),
  );
  return rows;
}

export function benchExplorer(ctx: BenchContext): Row[] {
  const rows: Row[] = [];

  // First, in a process that has not run the checker yet: the time a user waits for the xen-idd counterexample
  // (node's start-up and module loading excluded).
  ctx.log('explorer: xen-idd time to counterexample');
  const cex = runCheck('xen-idd 2 × 2', defaultCheckConfig({ arch: 'xen-idd' }), { timeoutMs: 60_000 });
  const violated = cex.result.verdict === 'violated';
  if (violated && cex.result.trace) shared.set('explorer.xen-idd.cexSteps', cex.result.trace.actions.length);
  shared.set('explorer.xen-idd.seconds', cex.totalS);
  const cexRow = row(SECTION, {
    what: 'xen-idd 2 × 2: time to counterexample (first check in the process)',
    value: cex.totalS,
    unit: 's',
    target: { value: TARGET_CEX_S, direction: 'at-most', label: 'well under 1 s' },
    note: violated
      ? `'${cex.result.property}' violated after ${cex.result.states} states; counterexample ${cex.result.trace?.actions.length ?? '?'} steps (BFS: shortest); system and model construction included`
      : `NO COUNTEREXAMPLE: ${describe(cex)}`,
    ...(violated ? {} : { verdict: 'FAIL' as const }),
  });

  ctx.log('explorer: vnic 2 VMs × 2 slots (defaults), once to warm up, then measured');
  // The warm-up keeps one-time costs (bytecode, feedback vectors, interned labels) out of the memory figure.
  runCheck('warm-up', defaultCheckConfig({ arch: 'vnic' }), { timeoutMs: 60_000 });
  const small = runCheck('vnic 2 VMs × 2 slots', defaultCheckConfig({ arch: 'vnic' }), { timeoutMs: 60_000 });
  rows.push(...configRows(small, false, undefined, 'vnic-2x2'));

  const budget = ctx.quick ? 10_000 : TARGET_3X3_S * 1000;
  ctx.log(`explorer: vnic 3 VMs × 3 slots, drr (cut at ${budget / 1000} s)`);
  const big = runCheck('TARGET vnic 3 VMs × 3 slots drr', defaultCheckConfig({ arch: 'vnic', vms: 3, capacity: 3, dma: 'drr' }), { timeoutMs: budget });
  rows.push(...configRows(big, true, ctx.quick ? undefined : TARGET_3X3_S, 'vnic-3x3'));

  // Symmetry reduction, when the checked model offers it (two conforming VMs are interchangeable in 3 × 3).
  const probe = new CheckedModel(buildCheckedSystem(defaultCheckConfig({ arch: 'vnic', vms: 3, capacity: 3 })), { stepChecks: [] }) as Model<CheckedState, CheckAction>;
  if (probe.canonical !== undefined && !ctx.quick) {
    ctx.log(`explorer: vnic 3 VMs × 3 slots, drr, with symmetry reduction (cut at ${TARGET_3X3_S} s)`);
    const sym = runCheck('vnic 3 × 3 drr, symmetry', defaultCheckConfig({ arch: 'vnic', vms: 3, capacity: 3, dma: 'drr' }), { timeoutMs: TARGET_3X3_S * 1000, symmetry: true });
    rows.push(...configRows(sym, true, TARGET_3X3_S, 'vnic-3x3-symmetry'));
  } else {
    rows.push(row(SECTION, { what: 'vnic 3 × 3 drr, symmetry', value: null, unit: '', verdict: 'SKIP', note: ctx.quick ? 'skipped in --quick' : 'the checked model offers no symmetry reduction (no canonical())' }));
  }
  rows.push(cexRow);
  return rows;
}
