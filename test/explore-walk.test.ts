/**
 * Random walks on packed states (src/explore/packed/walk.ts) take the same steps as the object-level model: with the
 * same choices, the same action indices, the same states and the same verdict.
 */
import { describe, expect, it } from 'vitest';
import { PackedWalker } from '../src/explore/packed/walk.js';
import { defaultCheckConfig, type CheckConfig } from '../spec/checked/config.js';
import { buildCheckedSystem, CheckedModel, type CheckedState } from '../spec/checked/model.js';
import { PROPERTY_NAMES, propertiesFor, propertyParts } from '../properties/checked.js';

/** A small deterministic generator (xorshift32). */
function rng(seed: number): (n: number) => number {
  let x = seed | 0 || 1;
  return (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

describe.each<[string, Partial<CheckConfig>]>([
  ['vnic 3 × 2', { vms: 3 }],
  ['vnic churn', { vms: 2, churn: true }],
  ['xen-idd', { arch: 'xen-idd' }],
  ['mixed', { arch: 'mixed' }],
])('%s', (_, config) => {
  it('walks agree step by step with the object-level model', () => {
    const sys = buildCheckedSystem(defaultCheckConfig(config));
    const { properties, stepChecks } = propertiesFor(sys, PROPERTY_NAMES);
    const model = new CheckedModel(sys, { stepChecks, parts: propertyParts });
    const binding = model.packed(properties)!;
    const walker = new PackedWalker(binding);
    const fields = new Int32Array(binding.model.fields);
    for (let w = 1; w <= 20; w++) {
      const outcome = walker.walk(model.initial()[0]!, 200, rng(w));
      // Replay the recorded indices through the object model.
      let s: CheckedState = model.initial()[0]!;
      for (const i of walker.taken) s = model.next(s, model.actions(s)[i]!);
      binding.fieldsOf(s, fields);
      const now = new Int32Array(fields.length);
      walker.fieldsNow(now);
      if (outcome.kind !== 'error') expect(Array.from(now)).toEqual(Array.from(fields));
      const always = properties.filter((p) => p.kind === 'always');
      const failing = always.find((p) => p.check(s) !== undefined);
      if (outcome.kind === 'violated') expect(properties[outcome.property]!.name).toBe(failing?.name);
      else {
        expect(failing).toBeUndefined();
        expect(outcome.kind === 'done' ? walker.taken.length : -1).toBe(outcome.kind === 'done' ? 200 : -1);
      }
    }
  });
});
