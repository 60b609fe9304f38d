/**
 * ITF, the Informal Trace Format of Apalache and Quint (ADR-015,
 * https://apalache-mc.org/docs/adr/015adr-trace.html), so traces can be read by their tools and replayed here.
 *
 * Encoding: integers (number or bigint) → `{"#bigint": "5"}`; Map → `{"#map": [[k, v], …]}`; Set → `{"#set": […]}`;
 * arrays → lists; other objects → records; strings and booleans as is. Values ITF cannot express (fractions, NaN,
 * null, undefined) use ADR-015's `{"#unserializable": "0.5"}` and decode back. Each state also carries the
 * variable `action_taken` (Quint's `mbt::actionTaken`): the label of the step that produced it, 'init' first.
 *
 * A lasso (a liveness counterexample) carries ADR-015's top-level `"loop"`: the index of the state that starts the
 * cycle. As in Apalache's lassos, the last state is that state again (the cycle is written out and closed), so the
 * states after `loop` repeat forever.
 *
 * Output is deterministic: same trace and options, same bytes (the timestamp is an option, 0 by default).
 */
import { INIT_LABEL, type PrintableTrace, type TraceStep } from './types.js';

/** Where the ITF format is specified (written into every trace's `#meta`). */
export const ITF_FORMAT_DESCRIPTION = 'https://apalache-mc.org/docs/adr/015adr-trace.html';
/** The variable holding each state's action label, as Quint's `mbt::actionTaken`. */
export const ACTION_VAR = 'action_taken';

/** A value as ITF encodes it (integers as `{"#bigint": …}`, maps, sets, records, lists). */
export type ItfValue = boolean | string | number | ItfValue[] | { [key: string]: ItfValue };

/** The `#meta` header of an ITF trace. */
export interface ItfMeta {
  readonly format: 'ITF';
  readonly 'format-description': string;
  readonly source: string;
  readonly status: string;
  readonly description: string;
  readonly timestamp: number;
}

/** One state of an ITF trace: its index and one value per declared variable. */
export interface ItfState {
  readonly '#meta': { readonly index: number };
  readonly [variable: string]: ItfValue | { readonly index: number };
}

/** An ITF trace as a JSON object: header, variable names, states. */
export interface ItfTrace {
  readonly '#meta': ItfMeta;
  readonly vars: readonly string[];
  readonly states: readonly ItfState[];
  /** ADR-015's optional loop: the index of the state that starts the cycle, which ends in the last state. */
  readonly loop?: number;
}

/** The header fields `toItf` and `formatItf` write. */
export interface ItfOptions {
  /** Default 'vnicspec'. */
  readonly source?: string;
  /** e.g. 'ok', 'violation', 'error'; default 'ok'. */
  readonly status?: string;
  /** Default 'Created by vnicspec'. */
  readonly description?: string;
  /** Milliseconds since the epoch; default 0 so that output depends on nothing but the inputs. */
  readonly timestamp?: number;
}

/** A trace that cannot be encoded or a text that is not a valid ITF trace. */
export class ItfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ItfError';
  }
}

const UNSERIALIZABLE = '#unserializable';

/** Encode one value as ITF; `where` names it in the error when it cannot be encoded. */
export function encodeItfValue(v: unknown, where: string): ItfValue {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'bigint':
      return { '#bigint': v.toString() };
    case 'number':
      if (Number.isInteger(v)) return { '#bigint': BigInt(v).toString() };
      return { [UNSERIALIZABLE]: String(v) };
    case 'undefined':
      return { [UNSERIALIZABLE]: 'undefined' };
    case 'function':
    case 'symbol':
      throw new ItfError(`${where}: cannot encode a ${typeof v}`);
  }
  if (v === null) return { [UNSERIALIZABLE]: 'null' };
  if (Array.isArray(v)) return v.map((x, i) => encodeItfValue(x, `${where}[${i}]`));
  if (v instanceof Map) {
    let i = 0;
    const pairs: ItfValue[] = [];
    for (const [k, x] of v) {
      pairs.push([encodeItfValue(k, `${where}["#map"][${i}][0]`), encodeItfValue(x, `${where}["#map"][${i}][1]`)]);
      i++;
    }
    return { '#map': pairs };
  }
  if (v instanceof Set) {
    let i = 0;
    const items: ItfValue[] = [];
    for (const x of v) items.push(encodeItfValue(x, `${where}["#set"][${i++}]`));
    return { '#set': items };
  }
  const record: { [key: string]: ItfValue } = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    // A record key like "#bigint" would read back as a special form.
    if (k.startsWith('#')) throw new ItfError(`${where}: record key '${k}' starts with '#', reserved by ITF`);
    record[k] = encodeItfValue(x, `${where}.${k}`);
  }
  return record;
}

/** A printable trace as an ITF object, with each step's label in the `action_taken` variable. */
export function toItf(trace: PrintableTrace, options: ItfOptions = {}): ItfTrace {
  const first = trace.steps[0];
  const names = first ? Object.keys(first.vars) : [];
  if (names.includes(ACTION_VAR)) throw new ItfError(`steps[0]: variable '${ACTION_VAR}' is reserved for the action label`);
  const states = trace.steps.map((step: TraceStep, i): ItfState => {
    const state: Record<string, ItfValue | { index: number }> = { '#meta': { index: i } };
    for (const name of names) {
      if (!Object.hasOwn(step.vars, name)) throw new ItfError(`steps[${i}]: missing variable '${name}'`);
      state[name] = encodeItfValue(step.vars[name], `steps[${i}].${name}`);
    }
    for (const name of Object.keys(step.vars)) {
      if (!names.includes(name)) throw new ItfError(`steps[${i}]: variable '${name}' is not in steps[0]`);
    }
    state[ACTION_VAR] = step.label;
    return state as ItfState;
  });
  return {
    '#meta': {
      format: 'ITF',
      'format-description': ITF_FORMAT_DESCRIPTION,
      source: options.source ?? 'vnicspec',
      status: options.status ?? 'ok',
      description: options.description ?? 'Created by vnicspec',
      timestamp: options.timestamp ?? 0,
    },
    vars: [...names, ACTION_VAR],
    states,
    ...(trace.loop !== undefined ? { loop: trace.loop } : {}),
  };
}

/** ITF JSON text: the header fields on their own lines and one state per line, so diffs of traces stay readable. */
export function formatItf(trace: PrintableTrace, options: ItfOptions = {}): string {
  return layoutItf(toItf(trace, options));
}

/** The text layout of `formatItf`, for an ITF object (its `#meta` may carry fields of the caller's own). */
export function layoutItf(itf: Omit<ItfTrace, '#meta'> & { readonly '#meta': object }): string {
  const states = itf.states.map((s) => `    ${JSON.stringify(s)}`).join(',\n');
  return (
    '{\n' +
    `  "#meta": ${JSON.stringify(itf['#meta'])},\n` +
    `  "vars": ${JSON.stringify(itf.vars)},\n` +
    `  "states": [${states.length > 0 ? `\n${states}\n  ` : ''}]` +
    (itf.loop !== undefined ? `,\n  "loop": ${JSON.stringify(itf.loop)}\n` : '\n') +
    '}\n'
  );
}

// ---------------------------------------------------------------------------------------------------------------

/** An ITF trace read back by `parseItf`: its header, variables, decoded states, and the steps ready to replay. */
export interface ParsedItf {
  readonly meta: Readonly<Record<string, unknown>>;
  /** As declared, `action_taken` included when present. */
  readonly vars: readonly string[];
  /** Decoded states, one key per declared variable. */
  readonly states: readonly Readonly<Record<string, unknown>>[];
  /** Steps labelled by `action_taken` ('' when the trace has none, 'init' for step 0), without that variable; and `loop`. */
  readonly trace: PrintableTrace;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(x: unknown): x is { [key: string]: Json } {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

function decodeUnserializable(s: string, where: string): unknown {
  if (s === 'null') return null;
  if (s === 'undefined') return undefined;
  if (s === 'NaN') return NaN;
  const n = Number(s);
  if (s.trim() !== '' && !Number.isNaN(n)) return n;
  throw new ItfError(`${where}: cannot decode {"#unserializable": ${JSON.stringify(s)}}`);
}

/** Decode one ITF value (the inverse of `encodeItfValue`); `where` names it in the error when it is malformed. */
export function decodeItfValue(v: unknown, where: string): unknown {
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    // Plain JSON integers are accepted: older ITF writers use them for small values.
    if (Number.isInteger(v)) return v;
    throw new ItfError(`${where}: ${v} is not an ITF value (integers are written {"#bigint": "…"})`);
  }
  if (v === null) throw new ItfError(`${where}: null is not an ITF value`);
  if (Array.isArray(v)) return v.map((x, i) => decodeItfValue(x, `${where}[${i}]`));
  if (!isObject(v)) throw new ItfError(`${where}: not a JSON value`);
  const keys = Object.keys(v);
  const special = keys.find((k) => k.startsWith('#'));
  if (special === undefined) {
    const record: Record<string, unknown> = {};
    for (const k of keys) record[k] = decodeItfValue(v[k], `${where}.${k}`);
    return record;
  }
  if (keys.length !== 1) throw new ItfError(`${where}: "${special}" must be the only key of its object`);
  const body = v[special];
  const at = `${where}["${special}"]`;
  switch (special) {
    case '#bigint': {
      if (typeof body !== 'string' || !/^-?[0-9]+$/.test(body)) throw new ItfError(`${at}: expected a string of decimal digits`);
      const b = BigInt(body);
      return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
    }
    case '#set':
      if (!Array.isArray(body)) throw new ItfError(`${at}: expected an array`);
      return new Set(body.map((x, i) => decodeItfValue(x, `${at}[${i}]`)));
    case '#tup':
      if (!Array.isArray(body)) throw new ItfError(`${at}: expected an array`);
      return body.map((x, i) => decodeItfValue(x, `${at}[${i}]`));
    case '#map': {
      if (!Array.isArray(body)) throw new ItfError(`${at}: expected an array of [key, value] pairs`);
      const m = new Map<unknown, unknown>();
      body.forEach((pair, i) => {
        if (!Array.isArray(pair) || pair.length !== 2) throw new ItfError(`${at}[${i}]: expected a [key, value] pair`);
        m.set(decodeItfValue(pair[0], `${at}[${i}][0]`), decodeItfValue(pair[1], `${at}[${i}][1]`));
      });
      return m;
    }
    case UNSERIALIZABLE:
      if (typeof body !== 'string') throw new ItfError(`${at}: expected a string`);
      return decodeUnserializable(body, where);
    default:
      throw new ItfError(`${where}: unknown ITF form "${special}"`);
  }
}

/** Parse and validate ITF text; throws `ItfError` naming the offending place. */
export function parseItf(text: string): ParsedItf {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    throw new ItfError(`not an ITF trace: invalid JSON (${(e as Error).message})`);
  }
  if (!isObject(root)) throw new ItfError('not an ITF trace: expected a JSON object at the top level');
  if (!Object.hasOwn(root, '#meta')) throw new ItfError('not an ITF trace: missing "#meta"');
  const meta = root['#meta'];
  if (!isObject(meta)) throw new ItfError('not an ITF trace: "#meta" must be an object');
  if (meta.format !== undefined && meta.format !== 'ITF') {
    throw new ItfError(`not an ITF trace: "#meta".format is ${JSON.stringify(meta.format)}, expected "ITF"`);
  }
  if (!Object.hasOwn(root, 'vars')) throw new ItfError('not an ITF trace: missing "vars"');
  const vars = root.vars;
  if (!Array.isArray(vars) || !vars.every((x): x is string => typeof x === 'string')) {
    throw new ItfError('not an ITF trace: "vars" must be an array of strings');
  }
  const seen = new Set<string>();
  for (const name of vars) {
    if (seen.has(name)) throw new ItfError(`not an ITF trace: "vars" lists '${name}' twice`);
    seen.add(name);
  }
  // ADR-015 "params" are constants that also appear in every state.
  const params = root.params;
  if (params !== undefined && (!Array.isArray(params) || !params.every((x): x is string => typeof x === 'string'))) {
    throw new ItfError('not an ITF trace: "params" must be an array of strings');
  }
  const allowed = new Set<string>([...vars, ...((params as string[] | undefined) ?? []), '#meta']);
  if (!Object.hasOwn(root, 'states')) throw new ItfError('not an ITF trace: missing "states"');
  const raw = root.states;
  if (!Array.isArray(raw)) throw new ItfError('not an ITF trace: "states" must be an array');

  const hasAction = seen.has(ACTION_VAR);
  const states: Record<string, unknown>[] = [];
  const steps: TraceStep[] = [];
  raw.forEach((st, i) => {
    const where = `states[${i}]`;
    if (!isObject(st)) throw new ItfError(`${where}: expected an object`);
    const m = st['#meta'];
    if (m !== undefined) {
      if (!isObject(m)) throw new ItfError(`${where}: "#meta" must be an object`);
      if (m.index !== undefined && m.index !== i) throw new ItfError(`${where}: "#meta".index is ${JSON.stringify(m.index)}, expected ${i}`);
    }
    for (const name of vars) if (!Object.hasOwn(st, name)) throw new ItfError(`${where}: missing variable '${name}'`);
    for (const k of Object.keys(st)) if (!allowed.has(k)) throw new ItfError(`${where}: unexpected variable '${k}' (not in "vars")`);
    const decoded: Record<string, unknown> = {};
    for (const name of vars) decoded[name] = decodeItfValue(st[name], `${where}.${name}`);
    states.push(decoded);
    let label = i === 0 ? INIT_LABEL : '';
    if (hasAction) {
      const a = decoded[ACTION_VAR];
      if (typeof a !== 'string') throw new ItfError(`${where}.${ACTION_VAR}: expected a string`);
      label = a;
    }
    const stepVars: Record<string, unknown> = {};
    for (const name of vars) if (name !== ACTION_VAR) stepVars[name] = decoded[name];
    steps.push({ label, vars: stepVars });
  });
  const loop = root.loop;
  if (loop !== undefined) {
    if (typeof loop !== 'number' || !Number.isInteger(loop) || loop < 0 || loop >= raw.length) {
      throw new ItfError(`not an ITF trace: "loop" must be the index of one of its ${raw.length} states, got ${JSON.stringify(loop)}`);
    }
    return { meta: meta, vars, states, trace: { steps, loop } };
  }
  return { meta: meta, vars, states, trace: { steps } };
}
