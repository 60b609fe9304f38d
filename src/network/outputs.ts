/**
 * What a machine asks of the world it runs in. A machine's custom actions carry, as their params, one Output or
 * a list of them; the action's name ("raiseMsi", "dmaToVm") is the human label kept in traces.
 *
 * - `send` without `delay`: delivered in the same step, before anything else happens (a synchronous register write,
 *   a function call inside one component, a DMA write that completes as part of the same hardware action).
 * - `send` with `delay`: a later step. The simulator delivers it after the delay; the explorer may deliver it at any
 *   later point (time is abstracted into nondeterministic order).
 * - `work`: CPU work on the emitting component's core, `then` delivered back to the emitter when it is done.
 *   The simulator charges the calibrated demand on that core; the explorer treats it like a delayed send.
 * - `probe`: an observation for monitors and statistics (packet rejected, delivered, …); changes nothing.
 */
import type { EventObject } from '../machine/types.js';

export type Delay = number | { readonly exponentialMeanNs: number };

export type Output =
  | { readonly kind: 'send'; readonly to: string; readonly event: EventObject; readonly delay?: Delay }
  | { readonly kind: 'work'; readonly demand: string | readonly string[]; readonly then: EventObject }
  | { readonly kind: 'probe'; readonly name: string; readonly data: Readonly<Record<string, unknown>> };

export const send = <E extends EventObject>(to: string, event: E, delay?: Delay): Output =>
  delay === undefined ? { kind: 'send', to, event } : { kind: 'send', to, event, delay };

export const work = <E extends EventObject>(demand: string | readonly string[], then: E): Output => ({ kind: 'work', demand, then });

export const probe = (name: string, data: Readonly<Record<string, unknown>>): Output => ({ kind: 'probe', name, data });

export function isOutput(x: unknown): x is Output {
  if (x === null || typeof x !== 'object') return false;
  const k = (x as { kind?: unknown }).kind;
  return k === 'send' || k === 'work' || k === 'probe';
}
