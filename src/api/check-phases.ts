/**
 * The liveness phase of a check: after the safety search (or alone, when only liveness properties are chosen),
 * src/explore/liveness.ts explores the full graph — without symmetry reduction, breadth-first whatever the strategy
 * says — and searches it for fair cycles; a violation is a lasso. What the two phases report together (one verdict,
 * one counterexample) is decided here too, so check.ts stays a sequence of steps.
 */
import { significant, wallSeconds } from './round.js';
import type { CheckAction, CheckedState } from '../../spec/checked/model.js';
import { checkLivenessAsync, type LivenessOptions, type LivenessResult, type Trace, type Verdict } from '../explore/index.js';
import { toJson, type CheckResult, type CheckedSetup } from './check-setup.js';
import { printableTrace, type TraceVerdict } from './trace-files.js';
import { enlargeYoungGeneration } from '../explore/young-generation.js';

export type LivenessCheckResult = LivenessResult<CheckedState, CheckAction>;

/** The liveness phase's bounds, progress and graph-size hints (src/explore/liveness.ts's options a check sets). */
export type LivenessRequest = Pick<
  LivenessOptions,
  'maxStates' | 'maxDepth' | 'timeoutMs' | 'signal' | 'memoryLimitBytes' | 'onProgress' | 'progressEveryMs' | 'expectedStates' | 'expectedEdges'
>;

export async function runLiveness(setup: CheckedSetup, req: LivenessRequest): Promise<LivenessCheckResult> {
  enlargeYoungGeneration();
  return checkLivenessAsync(setup.model, setup.liveness, req);
}

/** The outcome of both phases: the safety search's result (absent when only liveness was asked for) and the liveness one (absent when not run). */
export interface CheckPhases {
  readonly safety?: CheckResult;
  readonly liveness?: LivenessCheckResult;
}

/** Why the liveness phase did not run although liveness properties were chosen; undefined when it ran or none were. */
export function livenessSkipped(setup: CheckedSetup, p: CheckPhases): string | undefined {
  if (setup.liveness.length === 0 || p.liveness !== undefined) return undefined;
  const v = p.safety?.verdict;
  return v === 'violated' ? 'a safety property is violated' : v === 'error' ? 'the model failed' : 'the safety search was incomplete';
}

/** The phase whose verdict stands: safety unless it held (or did not run), then liveness. */
export function deciding(p: CheckPhases): CheckResult | LivenessCheckResult {
  if (p.safety !== undefined && (p.safety.verdict !== 'holds' || p.liveness === undefined)) return p.safety;
  return p.liveness!;
}

/** One verdict for both phases: safety's unless it held, then liveness's. */
export function combinedVerdict(p: CheckPhases): Verdict {
  if (p.safety !== undefined && p.safety.verdict !== 'holds') return p.safety.verdict;
  return p.liveness?.verdict ?? p.safety?.verdict ?? 'holds';
}

/** The counterexample to print or write: a safety trace, a specification-error trace, or a liveness lasso. */
export interface Counterexample {
  readonly trace: Trace<CheckedState, CheckAction> & { readonly loop?: number };
  readonly verdict: TraceVerdict;
  readonly property?: string;
  readonly kind: 'counterexample' | 'error trace' | 'lasso';
}

export function counterexampleOf(p: CheckPhases): Counterexample | undefined {
  const s = p.safety;
  if (s !== undefined && s.trace !== undefined) {
    if (s.verdict === 'violated') return { trace: s.trace, verdict: { status: 'violation', description: `${s.property}: ${s.message}` }, property: s.property!, kind: 'counterexample' };
    if (s.verdict === 'error') return { trace: s.trace, verdict: { status: 'error', description: `specification error: ${s.message}` }, kind: 'error trace' };
  }
  const l = p.liveness;
  if (l?.verdict === 'violated' && l.lasso !== undefined) {
    return { trace: l.lasso, verdict: { status: 'violation', description: `${l.property}: ${l.message}` }, property: l.property!, kind: 'lasso' };
  }
  if (l?.verdict === 'error' && l.trace !== undefined) return { trace: l.trace, verdict: { status: 'error', description: `specification error: ${l.message}` }, kind: 'error trace' };
  return undefined;
}

/** The liveness phase in `check --json` (and the library's report): its verdict and figures, or why it did not run. */
export type LivenessJson =
  | {
      readonly verdict: Verdict;
      /** 'violated': the property and the obligation (a VM) that stays outstanding on the lasso's cycle. */
      readonly property: string | null;
      readonly obligation: string | null;
      readonly message: string | null;
      readonly incompleteReason: string | null;
      /** The graph the phase explored (the full graph: no symmetry reduction). */
      readonly states: number;
      readonly transitions: number;
      readonly depth: number;
      /** Wall time of the phase, and of it the graph's exploration (timings). */
      readonly seconds: number;
      readonly graphSeconds: number;
      /** Bytes of the stored graph and of the cycle search's arrays. */
      readonly graphBytes: number;
      /** 'violated': the index of the lasso's state where its cycle starts (as the report's `loop`). */
      readonly loop: number | null;
    }
  | { readonly verdict: 'not-checked'; readonly reason: string };

/** `--json`'s `liveness` field: null when no liveness property was chosen. */
export function livenessJson(r: LivenessCheckResult | undefined, skipped: string | undefined): LivenessJson | null {
  if (r === undefined) return skipped === undefined ? null : { verdict: 'not-checked', reason: skipped };
  return {
    verdict: r.verdict,
    property: r.property ?? null,
    obligation: r.obligation ?? null,
    message: r.message ?? null,
    incompleteReason: r.incompleteReason ?? null,
    states: r.states,
    transitions: r.transitions,
    depth: r.depth,
    seconds: wallSeconds(r.seconds),
    graphSeconds: wallSeconds(r.graphSeconds),
    graphBytes: r.graphBytes,
    loop: r.lasso?.loop ?? null,
  };
}

/**
 * The fields of `check --json` (and of the library's report) that the phases decide, in two parts that go before and
 * after the configuration fields. Figures are the safety search's; when only liveness ran, its graph's.
 */
export function phaseFields(setup: CheckedSetup, p: CheckPhases) {
  const r = deciding(p);
  const s = p.safety;
  const l = p.liveness;
  const cex = counterexampleOf(p);
  const seconds = s?.seconds ?? l!.seconds;
  return {
    head: {
      verdict: combinedVerdict(p),
      property: r.property ?? null,
      message: r.message ?? null,
      incompleteReason: r.incompleteReason ?? null,
      states: s?.states ?? l!.states,
      transitions: s?.transitions ?? l!.transitions,
      depth: s?.depth ?? l!.depth,
      queue: s?.queue ?? 0,
      workers: s?.workers ?? 1,
      // A probability estimate: three significant digits say all it can.
      fingerprintCollision: s?.fingerprintCollision != null ? significant(s.fingerprintCollision, 3) : null,
      seconds: wallSeconds(seconds),
      statesPerSecond: Math.round(s?.statesPerSecond ?? (seconds > 0 ? l!.states / seconds : 0)),
    },
    tail: {
      witnessed: Object.fromEntries(Object.entries(s?.witnessed ?? {}).map(([n, ok]) => [n, ok ? (s?.witnesses[n]?.actions.length ?? 0) : null])),
      liveness: livenessJson(l, livenessSkipped(setup, p)),
      errorAction: r.errorAction !== undefined ? setup.model.label(r.errorAction) : null,
      trace: cex === undefined ? null : printableTrace(setup, cex.trace, false).steps.map((x, i) => ({ step: i, action: x.label, vars: toJson(x.vars) })),
      loop: cex?.trace.loop ?? null,
    },
  };
}
