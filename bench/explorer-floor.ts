/**
 * Where the explorer's time goes, in three parts that a profile cannot separate reliably (its attribution moves with
 * inlining, and the parts share cache misses): the same BFS over one configuration, four times —
 *
 *   cold, properties on   what `vnicspec check` does: every machine step is taken through the machines once;
 *   warm, properties on   the same search again on the same model: every machine step is now a table lookup;
 *   cold, properties off  a fresh model with no properties and no step checks;
 *   warm, properties off  that search again.
 *
 * cold − warm is the cost of the first-time machine steps (stepping, interning, effects); "on" − "off" the cost of
 * the properties; warm with properties off is the engine's floor: visited set, memoized deliveries, successors.
 * Each search starts a new visited set; only the model (its memoized steps) is shared between a cold and a warm run.
 *
 * Run: `npm run build && node dist/bench/explorer-floor.js [VMS] [CAPACITY]` (default 3 3: the 3 × 3 target).
 */
import { search } from '../src/explore/index.js';
import { enlargeYoungGeneration } from '../src/explore/young-generation.js';
import { PROPERTY_NAMES, propertiesFor } from '../properties/checked.js';
import { defaultCheckConfig } from '../spec/checked/config.js';
import { CheckedModel, buildCheckedSystem } from '../spec/checked/model.js';

export interface FloorRun {
  readonly label: string;
  readonly states: number;
  readonly transitions: number;
  readonly seconds: number;
}

/** The four searches, in the order above. */
export function measureFloor(vms: number, capacity: number, report: (r: FloorRun) => void = () => {}): FloorRun[] {
  enlargeYoungGeneration();
  const runs: FloorRun[] = [];
  for (const withProperties of [true, false]) {
    const sys = buildCheckedSystem(defaultCheckConfig({ vms, capacity }));
    const chosen = propertiesFor(sys, withProperties ? PROPERTY_NAMES : []);
    const model = new CheckedModel(sys, { stepChecks: chosen.stepChecks });
    for (const warm of [false, true]) {
      const r = search(model, { strategy: 'bfs', properties: chosen.properties });
      if (r.verdict !== 'holds') throw new Error(`explorer-floor: verdict ${r.verdict} (${r.property ?? ''} ${r.message ?? ''})`);
      const run = { label: `${warm ? 'warm' : 'cold'}, properties ${withProperties ? 'on ' : 'off'}`, states: r.states, transitions: r.transitions, seconds: r.seconds };
      runs.push(run);
      report(run);
    }
  }
  return runs;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [vms, capacity] = [Number(process.argv[2] ?? 3), Number(process.argv[3] ?? 3)];
  if (!Number.isInteger(vms) || !Number.isInteger(capacity) || vms < 1 || vms > 4 || capacity < 1 || capacity > 4) {
    console.error('usage: node dist/bench/explorer-floor.js [VMS 1-4] [CAPACITY 1-4]');
    process.exit(2);
  }
  console.log(`explorer floor: vnic, ${vms} VMs × ${capacity} slots, drr, BFS`);
  const runs = measureFloor(vms, capacity, (r) =>
    console.log(`  ${r.label}  ${r.seconds.toFixed(2).padStart(6)} s  ${Math.round(r.states / r.seconds).toLocaleString('en-US').padStart(9)} states/s  (${r.states.toLocaleString('en-US')} states, ${r.transitions.toLocaleString('en-US')} transitions)`),
  );
  const [coldOn, warmOn, coldOff, warmOff] = runs.map((r) => r.seconds) as [number, number, number, number];
  console.log(`  first-time machine steps  ${(coldOff - warmOff).toFixed(1)} s (cold − warm, properties off)`);
  console.log(`  properties and step checks  ${(coldOn - coldOff).toFixed(1)} s cold, ${(warmOn - warmOff).toFixed(1)} s warm`);
  console.log(`  engine floor  ${warmOff.toFixed(1)} s (warm, properties off)`);
}
