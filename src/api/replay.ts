/**
 * `replay(trace)`: re-execute an ITF counterexample written by `vnicspec check --trace-out X.itf.json` through the
 * machines, checking that every recorded step is legal and reaches the recorded state, then re-check the recorded
 * properties on every state of it — what `vnicspec replay --json` prints.
 */
import { readFileSync } from 'node:fs';
import { defaultCheckConfig, type CheckConfig } from '../../spec/checked/config.js';
import { PROPERTIES } from '../../properties/checked.js';
import { LIVENESS_NAMES } from '../../properties/liveness.js';
import { ModelError, checkLasso } from '../explore/index.js';
import { ACTION_VAR, ItfError, parseItf, replayTrace, type ParsedItf } from '../trace/index.js';
import { stripBom } from '../util/json-text.js';
import type { CheckedSetup } from './check-setup.js';
import type { CheckAction, CheckedState } from '../../spec/checked/model.js';
import { readVnicspecMeta } from './trace-files.js';
import { setUpCheck } from './check-setup.js';
import { InputError } from './errors.js';
import { knownKeys } from './validate.js';

/** Where the trace comes from: a file, or its text. */
export type ReplayOptions = { readonly file: string; readonly text?: undefined } | { readonly text: string; readonly file?: undefined };

/** The first property violated along a replayed trace. */
export interface ReplayViolation {
  /** The state it is violated in: 0 is the initial state, `steps` the last one. */
  readonly step: number;
  readonly property: string;
  readonly message: string;
}

/** What `replay()` resolves with and `vnicspec replay --json` prints. */
export interface ReplayReport {
  /** The file replayed, or null for a trace given as text. */
  readonly file: string | null;
  /** The trace's own account of itself (`#meta.status: #meta.description`), or null. */
  readonly recorded: string | null;
  /** The configuration rebuilt from the trace's `#meta`. */
  readonly config: CheckConfig;
  /** The properties re-checked. */
  readonly properties: readonly string[];
  /**
   * `violated`: the trace is legal and a property fails on it; `holds`: it is legal and none does; `error`: the
   * recorded configuration does not even boot (a specification error, see `message`).
   */
  readonly verdict: 'violated' | 'holds' | 'error';
  /** Steps replayed (actions after the initial state). */
  readonly steps: number;
  /** Each step's action label, in order. */
  readonly actions: readonly string[];
  /** The first violation found, or null. */
  readonly violation: ReplayViolation | null;
  /** The property the file records as violated, or null. */
  readonly recordedProperty: string | null;
  /** Per `sometimes` property witnessed along the trace: the first step that witnesses it. */
  readonly witnessed: Readonly<Record<string, number>>;
  /** The specification error when `verdict` is `error`, else null. */
  readonly message: string | null;
  /** A lasso (ITF's `loop`): the step whose state its cycle starts from — its last state is that state again. Else null. */
  readonly loop: number | null;
  /** A lasso's cycle, judged: is it fair, and does a liveness property's obligation stay outstanding on it? Else null. */
  readonly lasso: LassoVerdict | null;
}

/** How a replayed lasso's cycle stands (`replay` has already checked that it closes). */
export interface LassoVerdict {
  /**
   * `violated`: the cycle is fair and a liveness property fails on it (the report's verdict is then `violated`);
   * `unfair`: a pending delivery is enabled throughout the cycle and never taken, so no fair behaviour repeats it;
   * `satisfied`: it is fair and every obligation falls or is zero somewhere on it.
   */
  readonly verdict: 'violated' | 'unfair' | 'satisfied';
  /** `violated`: the liveness property and the obligation (a VM) that stays outstanding. */
  readonly property: string | null;
  readonly obligation: string | null;
  /** `violated`: why; `unfair`: which delivery is never taken. */
  readonly message: string | null;
}

function itfOf(o: ReplayOptions): { itf: ParsedItf; where: string } {
  const where = o.file ?? 'trace';
  let text: string;
  if (o.file !== undefined) {
    if (typeof o.file !== 'string') throw new InputError('file: must be a file path');
    try {
      text = readFileSync(o.file, 'utf8');
    } catch (e) {
      throw new InputError(`cannot read '${o.file}': ${e instanceof Error ? e.message : String(e)}`);
    }
  } else if (typeof o.text === 'string') {
    text = o.text;
  } else {
    throw new InputError('replay: give the trace as a file path or as { text }');
  }
  try {
    return { itf: parseItf(stripBom(text)), where };
  } catch (e) {
    // JSON.parse's message may quote the input, newlines included: keep the diagnostic on one line.
    if (e instanceof ItfError) throw new InputError(`${where}: ${e.message.replace(/\s*\n\s*/g, ' ')}`);
    throw e;
  }
}

/** The replay and, when the configuration booted, its model (for the command line's text output). */
export function runReplay(trace: string | ReplayOptions): { report: ReplayReport; setup: CheckedSetup | undefined } {
  const o: ReplayOptions = typeof trace === 'string' ? { file: trace } : trace;
  if (o === null || typeof o !== 'object') throw new InputError('replay: give the trace as a file path or as { text }');
  knownKeys('replay', o, ['file', 'text']);
  const { itf, where } = itfOf(o);
  const meta = readVnicspecMeta(itf.meta);
  if (!meta.ok) throw new InputError(`${where}: ${meta.error}`);
  if (!itf.vars.includes(ACTION_VAR)) throw new InputError(`${where}: the trace has no '${ACTION_VAR}' variable, so its steps are not labelled`);
  if (itf.states.length === 0) throw new InputError(`${where}: the trace has no states`);

  const config = defaultCheckConfig(meta.value.config);
  const names = meta.value.properties ?? PROPERTIES.map((p) => p.name);
  const base = {
    file: o.file ?? null,
    recorded: typeof itf.meta['description'] === 'string' ? `${String(itf.meta['status'] ?? '')}: ${itf.meta['description']}` : null,
    config,
    recordedProperty: meta.value.property ?? null,
  };
  let setup: CheckedSetup;
  try {
    setup = setUpCheck(
      config,
      PROPERTIES.filter((p) => names.includes(p.name)),
      LIVENESS_NAMES.filter((n) => names.includes(n)),
    );
  } catch (e) {
    if (!(e instanceof ModelError)) throw e;
    const message = `specification error while booting the recorded configuration: ${e.message}`;
    return { report: { ...base, properties: names, verdict: 'error', steps: 0, actions: [], violation: null, witnessed: {}, message, loop: null, lasso: null }, setup: undefined };
  }
  return { report: replayOn(setup, itf, where, base), setup };
}

/**
 * Replay `itf` on `setup`'s model (the recorded configuration; a test may give a variant of it): every state against
 * the safety properties, and a lasso's cycle against fairness and the liveness properties.
 */
export function replayOn(
  setup: CheckedSetup,
  itf: ParsedItf,
  where: string,
  base: Pick<ReplayReport, 'file' | 'recorded' | 'config' | 'recordedProperty'>,
): ReplayReport {
  const r = replayTrace(setup.view, itf.trace);
  if (r.kind === 'illegal') throw new InputError(`${where}: ${r.message}`);

  // Every state is checked, the last one included: a step property is raised on the state right after the step.
  let violation: ReplayViolation | null = null;
  const witnessed: Record<string, number> = {};
  r.states.forEach((s, step) => {
    for (const p of setup.properties) {
      const why = p.check(s);
      if (p.kind === 'always' && why !== undefined && violation === null) violation = { step, property: p.name, message: why };
      if (p.kind === 'sometimes' && why === undefined && !Object.hasOwn(witnessed, p.name)) witnessed[p.name] = step;
    }
  });
  const lasso = r.loop === undefined ? null : lassoVerdict(setup, { states: r.states, actions: r.actions, loop: r.loop });
  return {
    ...base,
    properties: setup.names,
    verdict: violation !== null || lasso?.verdict === 'violated' ? 'violated' : 'holds',
    steps: r.actions.length,
    actions: r.actions.map((a) => setup.model.label(a)),
    violation,
    witnessed,
    message: null,
    loop: r.loop ?? null,
    lasso,
  };
}

function lassoVerdict(setup: CheckedSetup, lasso: Parameters<typeof checkLasso<CheckedState, CheckAction>>[2]): LassoVerdict {
  const v = checkLasso(setup.model, setup.liveness, lasso);
  switch (v.kind) {
    case 'violated':
      return { verdict: 'violated', property: v.property, obligation: v.obligation, message: v.message };
    case 'unfair':
      return { verdict: 'unfair', property: null, obligation: null, message: v.message };
    case 'satisfied':
      return { verdict: 'satisfied', property: null, obligation: null, message: null };
    case 'not-closed':
      // replayTrace has already refused a lasso that does not close.
      throw new Error(`replay: ${v.message}`);
  }
}

/**
 * Replay a counterexample saved by `vnicspec check --trace-out X.itf.json`: rebuild the configuration recorded in
 * it, re-execute every step (each must be enabled and reach exactly the recorded state), and re-check the recorded
 * properties on every state.
 *
 * @param trace the ITF file's path, or `{ text }`.
 * @throws {@link InputError} when the file cannot be read, is not such a trace, or a step cannot be replayed (the
 *   message names the step and the first variable that differs).
 * @example
 * ```ts
 * import { replay } from 'vnicspec';
 * const r = await replay('cex.itf.json');
 * console.log(r.verdict, r.violation?.property, r.steps);
 * ```
 */
export async function replay(trace: string | ReplayOptions): Promise<ReplayReport> {
  return runReplay(trace).report;
}
