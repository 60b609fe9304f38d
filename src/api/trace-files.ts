/**
 * The texts of counterexample files (`vnicspec check --trace-out`), and reading their configuration back for
 * `vnicspec replay`. Choosing the format by a file's name and writing the file are the command line's
 * (src/cli/check-trace.ts).
 *
 * - `.itf.json`: ITF (Apalache/Quint's Informal Trace Format). `#meta` carries a `vnicspec` field with the
 *   configuration and the checked properties, so `vnicspec replay` can rebuild the very same model.
 * - `.mmd`: a Mermaid sequence diagram, one note per step and the step's messages between the components.
 * - `.txt`: the numbered text trace (what changed at each step), with the messages of each step.
 */
import { z } from 'zod';
import { eventLabel, type CheckAction, type CheckedModel, type CheckedState, type CheckedSystem } from '../../spec/checked/model.js';
import type { CheckConfig } from '../../spec/checked/config.js';
import { DRIVER_KINDS, TRAFFIC_ROLES } from '../../spec/system-file.js';
import type { EventObject, MachineState } from '../machine/index.js';
import type { Deferred } from '../network/network.js';
import type { Trace } from '../explore/index.js';
import { deepEqual, formatTextTrace, printable, layoutItf, toItf, toMermaid, type ItfTrace, type MicroMessage, type PrintableTrace } from '../trace/index.js';
import { CHECK_ARCHS, DMA_ARBITERS, LIMITS, PROPERTY_NAMES, RANDOM_LIMITS, describeConfig, type CheckedSetup } from './check-setup.js';

/** The participant that makes the environment's choices (arrivals, clock ticks, management requests). */
export const ENV = 'env';

/** A trace of the checked model; a lasso (liveness counterexample) also has `loop`, where its cycle starts. */
export type CheckTrace = Trace<CheckedState, CheckAction> & { readonly loop?: number };

/** What a trace file says about how it ended. */
export interface TraceVerdict {
  readonly status: 'violation' | 'error';
  /** `property: message`, or the specification error. */
  readonly description: string;
}

// ---- the messages of each step ---------------------------------------------------------------------------------

interface Delivery {
  readonly to: number;
  readonly event: EventObject;
  readonly from: string;
}

/**
 * The messages of every step of `trace`, for diagrams: the environment's or the pending item's message, then the
 * synchronous cascade it caused, each message with its sender (`Network.deliver(..., trace=true)` reports each
 * transition of the cascade with the component whose send it was). A pending item's sender is remembered from the
 * step that deferred it (CPU work comes back to the component that asked for it).
 *
 * Each step's deliveries are checked to end in the machine states the trace reached; where they do not (which
 * would mean this drawing and the model disagree), the step shows only its label as a message from the environment.
 */
export function stepMessages(model: CheckedModel, trace: Trace<CheckedState, CheckAction>): (readonly MicroMessage[] | undefined)[] {
  const net = model.sys.network;
  const id = (i: number): string => net.components[i]!.id;
  /** Pending label → senders of items with that label, oldest first. */
  const origins = new Map<string, string[]>();

  const remember = (deferred: readonly Deferred[]): void => {
    for (const d of deferred) {
      const to = d.kind === 'timer' ? d.to : d.component;
      const from = d.kind === 'timer' ? d.from : d.component;
      const key = `${id(to)}: ${eventLabel(d.kind === 'timer' ? d.event : d.then)}`;
      const list = origins.get(key) ?? [];
      list.push(id(from));
      origins.set(key, list);
    }
  };

  const deliver = (states: readonly MachineState<unknown>[], d: Delivery, out: MicroMessage[]): readonly MachineState<unknown>[] => {
    const r = net.deliver(states, d.to, d.event, true);
    if (r.kind !== 'ok' || r.micro === undefined) {
      const why = r.kind === 'disabled' ? ' (not accepted any more: consumed without effect)' : ` (${r.kind})`;
      out.push({ from: d.from, to: id(d.to), label: eventLabel(d.event) + why });
      return states;
    }
    remember(r.deferred);
    for (const m of r.micro) out.push({ from: m.from < 0 ? d.from : id(m.from), to: id(m.component), label: eventLabel(m.event) });
    return r.states;
  };

  const env = (to: number, event: EventObject): Delivery => ({ to, event, from: ENV });
  const result: (readonly MicroMessage[] | undefined)[] = [undefined];
  for (let i = 0; i < trace.actions.length; i++) {
    const before = trace.states[i]!;
    const action = trace.actions[i]!;
    const out: MicroMessage[] = [];
    let after: readonly MachineState<unknown>[] = before.machines;
    if (action.kind === 'deliver') {
      const p = before.pending[action.index];
      if (p !== undefined) {
        const from = origins.get(p.label)?.shift() ?? id(p.to);
        after = deliver(before.machines, { to: p.to, event: p.event, from }, out);
      }
    } else {
      for (const e of model.environmentDeliveries(action)) after = deliver(after, env(e.to, e.event), out);
    }
    const reached = trace.states[i + 1]!.machines;
    const agrees = after.length === reached.length && after.every((m, j) => m === reached[j] || deepEqual(m, reached[j]));
    result.push(agrees ? out : [{ from: ENV, to: ENV, label: `${model.label(action)} (messages unavailable)` }]);
  }
  return result;
}

// ---- writing ---------------------------------------------------------------------------------------------------

/** The `vnicspec` field of an ITF file's `#meta`. */
export interface VnicspecMeta {
  readonly config: CheckConfig;
  readonly properties: readonly string[];
  readonly property?: string;
}

export function printableTrace(setup: CheckedSetup, trace: CheckTrace, withMessages: boolean): PrintableTrace {
  if (!withMessages) return printable(setup.view, trace);
  const messages = stepMessages(setup.model, trace);
  return printable(setup.view, trace, (step) => messages[step]);
}

/** ITF text laid out as `formatItf` does (header fields on their own lines, one state per line), plus `#meta.vnicspec`. */
export function itfText(setup: CheckedSetup, trace: CheckTrace, verdict: TraceVerdict, meta: VnicspecMeta): string {
  const itf: ItfTrace = toItf(printableTrace(setup, trace, false), { source: 'vnicspec check', status: verdict.status, description: verdict.description });
  return layoutItf({ ...itf, '#meta': { ...itf['#meta'], vnicspec: meta } });
}

/** The lifelines in a fixed order: the environment first, then the components as the system lists them. */
export function participants(sys: CheckedSystem): string[] {
  return [ENV, ...sys.network.components.map((c) => c.id)];
}

export function mermaidText(setup: CheckedSetup, trace: CheckTrace, verdict: TraceVerdict): string {
  return toMermaid(printableTrace(setup, trace, true), {
    participants: participants(setup.sys),
    title: `vnicspec check (${setup.config.arch}): ${verdict.description}`,
  });
}

export function textTraceFile(setup: CheckedSetup, trace: CheckTrace, verdict: TraceVerdict): string {
  return (
    `# vnicspec check: ${verdict.status === 'violation' ? 'property ' : 'specification error: '}${verdict.description}\n` +
    `# configuration: ${describeConfig(setup.config)}\n` +
    `# properties: ${setup.names.join(', ')}\n` +
    formatTextTrace(printableTrace(setup, trace, true))
  );
}

// ---- reading back ----------------------------------------------------------------------------------------------

const int = (lo: number, hi: number) => z.number('must be a number').int('must be an integer').min(lo, `must be at least ${lo}`).max(hi, `must be at most ${hi}`);

/**
 * A configuration as `check` writes it (spec/checked/config.ts: `CheckConfig`, the system in flat per-VM form). Files
 * written before systems had sizes, per-VM QoS and drivers carry the scalar `capacity` and `burst` and fewer fields:
 * they are read as the flags with those values would build them.
 */
const configSchema = z.strictObject({
  arch: z.enum(CHECK_ARCHS),
  // Traces of random search (check --random) come from systems beyond exhaustive reach.
  vms: int(LIMITS.vms[0], RANDOM_LIMITS.vms[1]),
  capacity: int(LIMITS.capacity[0], RANDOM_LIMITS.capacity[1]).optional(),
  burst: int(LIMITS.burst[0], LIMITS.burst[1]).optional(),
  dma: z.enum(DMA_ARBITERS).optional(),
  rxRing: int(1, 64).optional(),
  txRing: int(1, 64).optional(),
  sizes: z.array(int(1, 64)).min(1).max(4).optional(),
  names: z.array(z.string()).optional(),
  roles: z.array(z.enum(TRAFFIC_ROLES)).optional(),
  drivers: z.array(z.enum(DRIVER_KINDS)).optional(),
  attached: z.array(z.boolean()).optional(),
  bestEffort: z.array(z.boolean()).optional(),
  rates: z.array(int(1, 64)).optional(),
  bursts: z.array(int(1, 1024)).optional(),
  capacities: z.array(int(1, 1024)).optional(),
  priorities: z.array(int(0, 1000)).optional(),
  weights: z.array(int(1, 1000)).optional(),
  quantum: int(1, 1024).optional(),
  vectors: int(1, 64).optional(),
  memory: int(1, 65536).optional(),
  churn: z.boolean().optional(),
  resizeTo: z.array(z.array(int(0, 1024)).max(4)).optional(),
  unknownTraffic: z.boolean().optional(),
});

const propertyName = z.enum(PROPERTY_NAMES as [string, ...string[]], `must name a property (${PROPERTY_NAMES.join(', ')})`);

const metaSchema = z.object({
  version: z.string('must be a string').optional(),
  config: configSchema,
  properties: z.array(propertyName, 'must be a list of property names').min(1, 'must name at least one property').optional(),
  /** The property the file records as violated. */
  property: propertyName.optional(),
});

export type ParsedVnicspecMeta = z.infer<typeof metaSchema>;

/** The `vnicspec` field of `#meta`, validated; a message naming the offending field otherwise. */
export function readVnicspecMeta(meta: Readonly<Record<string, unknown>>): { ok: true; value: ParsedVnicspecMeta } | { ok: false; error: string } {
  if (!Object.hasOwn(meta, 'vnicspec')) {
    return { ok: false, error: `an ITF trace, but not one written by 'vnicspec check --trace-out' ("#meta" has no "vnicspec" field with the configuration)` };
  }
  const r = metaSchema.safeParse(meta['vnicspec']);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const path = ['#meta', 'vnicspec', ...issue.path.map(String)].join('.');
    return { ok: false, error: `${path}: ${issue.message}` };
  }
  const { property, properties } = r.data;
  if (property !== undefined && properties !== undefined && !properties.includes(property)) {
    return { ok: false, error: `#meta.vnicspec.property: '${property}' is not among the checked properties (#meta.vnicspec.properties: ${properties.join(', ')})` };
  }
  for (const field of ['status', 'description'] as const) {
    if (meta[field] !== undefined && typeof meta[field] !== 'string') return { ok: false, error: `#meta.${field}: must be a string` };
  }
  const c = r.data.config;
  for (const field of ['names', 'roles', 'drivers', 'attached', 'bestEffort', 'rates', 'bursts', 'capacities', 'priorities', 'weights', 'resizeTo'] as const) {
    const list = c[field];
    if (list !== undefined && list.length !== c.vms) {
      return { ok: false, error: `#meta.vnicspec.config.${field}: has ${list.length} entries for ${c.vms} VMs` };
    }
  }
  return { ok: true, value: r.data };
}
