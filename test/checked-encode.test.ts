/**
 * Soundness of the explorer's state keys and packed states: a key that merged two different states would make the
 * checker skip behaviour. Every successor reachable in small configurations is compared: equal keys must mean equal
 * states (machine states, pending events, environment, flags, as canonical JSON); the search's fast path
 * `nextPacked(s, a)` must pack exactly `pack(next(s, a))`; `unpack` must invert `pack`.
 * (That equal machine encodings mean equal machine states — what interning a machine state by its encoding relies
 * on — is checked against unmemoized stepping in test/memo-network.test.ts: here machines are already the interned
 * representatives.)
 */
import { describe, expect, it } from 'vitest';
import { defaultCheckConfig, type CheckShortcuts } from '../spec/checked/config.js';
import { canonicalJson } from '../src/util/canonical-json.js';
import { buildCheckedSystem, CheckedModel, type CheckedState } from '../spec/checked/model.js';
import { PROPERTY_NAMES, propertiesFor } from '../properties/checked.js';
import { WordBuffer } from '../src/util/packed-set.js';

const full = (s: CheckedState): string =>
  canonicalJson({ machines: s.machines, pending: s.pending.map((p) => [p.to, p.event]), env: s.env, flags: s.flags.map((f) => f.property) });

function sweep(config: CheckShortcuts, limit: number): { states: number; successors: number; selfLoops: number } {
  const sys = buildCheckedSystem(defaultCheckConfig(config));
  const model = new CheckedModel(sys, { stepChecks: propertiesFor(sys, PROPERTY_NAMES).stepChecks });
  const seen = new Map<string, string>();
  const fast = new WordBuffer();
  const slow = new WordBuffer();
  const queue: CheckedState[] = [...model.initial()];
  for (const s of queue) seen.set(model.key(s), full(s));
  let successors = 0;
  let selfLoops = 0;
  for (let head = 0; head < queue.length && seen.size < limit; head++) {
    const s = queue[head]!;
    for (const a of model.actions(s)) {
      const t = model.next(s, a);
      successors++;
      // The search's fast path packs successors without building them: it must give exactly pack(next(s, a)).
      fast.clear();
      const moved = model.nextPacked(s, a, fast);
      slow.clear();
      model.pack(t, slow);
      if (moved) expect(Array.from(fast.words.subarray(0, fast.length))).toEqual(Array.from(slow.words.subarray(0, slow.length)));
      else {
        // "No move" must mean a true self-loop.
        expect(fast.length).toBe(0);
        expect(model.key(t)).toBe(model.key(s));
        selfLoops++;
      }
      // And unpack inverts pack.
      expect(model.key(model.unpack(slow.words, slow.length))).toBe(model.key(t));
      const k = model.key(t);
      const f = full(t);
      const before = seen.get(k);
      if (before === undefined) {
        seen.set(k, f);
        queue.push(t);
      } else if (before !== f) {
        expect.fail(`two different states share a key after '${model.label(a)}':\n${before}\n${f}`);
      }
    }
  }
  return { states: seen.size, successors, selfLoops };
}

describe('state keys never merge different states', () => {
  const configs: [string, CheckShortcuts][] = [
    ['vnic, drr (default)', {}],
    ['vnic, strict, capacity 3', { dma: 'strict', capacity: 3 }],
    ['vnic with churn', { churn: true, vms: 1, roles: ['conforming'] }],
    ['xen-idd', { arch: 'xen-idd', capacity: 1, rxRing: 1 }],
    ['mixed', { arch: 'mixed', vms: 2, roles: ['conforming', 'flooding'] }],
  ];
  for (const [name, config] of configs) {
    it(name, () => {
      const r = sweep(config, 6000);
      expect(r.states).toBeGreaterThan(100);
      expect(r.successors).toBeGreaterThan(r.states);
      // Unknown-MAC arrivals are rejected without a trace: self-loops the fast path skips.
      expect(r.selfLoops).toBeGreaterThan(0);
    });
  }
});
