/**
 * How much more work the parallel search does per state than the one-thread search, without threads: on one thread,
 * over the same frontier of 3 VMs × 3 slots (the level reached after the hand-over at `HANDOVER` states), phase 1
 * (expand, look up, write candidates) and phase 2 (merge, insert, check) of the parallel search, alternated five times
 * (each on a fresh copy of the visited set), against the one-thread search expanding and storing the same states.
 * Not part of `npm run bench`: a tool for bench/README.md "Where the parallel search's time goes".
 *
 *   node --expose-gc dist/bench/parallel-work.js [HANDOVER=1500000] [STATES=200000]
 */
import { pathToFileURL } from 'node:url';
import { packedBinding } from '../src/explore/search.js';
import { PackedBfs } from '../src/explore/packed/bfs.js';
import type { Layout } from '../src/explore/packed/layout.js';
import { Successors } from '../src/explore/packed/model.js';
import { ParallelBfs } from '../src/explore/parallel/coordinator.js';
import { GROUP, RECENT, expandGroup, insertPartition, type ExpandContext } from '../src/explore/parallel/phases.js';
import { candidateWidth, winnerWidth } from '../src/explore/parallel/protocol.js';
import { Records } from '../src/explore/parallel/records.js';
import type { TableView } from '../src/explore/parallel/table.js';
import { Stops } from '../src/explore/stops.js';
import type { SearchOptions } from '../src/explore/types.js';
import { enlargeYoungGeneration } from '../src/explore/young-generation.js';
import { PROPERTY_NAMES, propertiesFor, propertyParts } from '../properties/checked.js';
import { defaultCheckConfig } from '../spec/checked/config.js';
import { CheckedModel, buildCheckedSystem, type CheckedState } from '../spec/checked/model.js';

/** What the parallel search holds after `adopt` (its fields are private: read here for measurement only). */
interface Adopted {
  readonly layout: Layout;
  readonly tables: TableView[];
  readonly frontier: Int32Array;
  readonly frontierCount: number;
  readonly base: number;
  readonly pending: number[];
}

const median = (a: readonly number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1]!;

export function parallelWork(handover: number, states: number): string {
  const sys = buildCheckedSystem(defaultCheckConfig({ arch: 'vnic', vms: 3, capacity: 3, dma: 'drr' }));
  const { properties, stepChecks } = propertiesFor(sys, PROPERTY_NAMES);
  const model = new CheckedModel(sys, { stepChecks, parts: propertyParts });
  const options: SearchOptions<CheckedState> = { strategy: 'bfs', properties, workers: 2 };
  const binding = packedBinding(model, options)!;
  const stops = new Stops(options);
  const first = new PackedBfs(binding, model.initial(), options, stops);
  first.handoffAt = handover;
  while (!first.step()) stops.beginSlice();
  const par = new ParallelBfs(binding, options, stops, 2);
  par.adopt(first.handover());
  const a = par as unknown as Adopted;
  const words = a.layout.words;
  const n = Math.min(a.frontierCount, states);
  const tables = a.tables.map((t) => ({ slots: t.slots.slice(), n: t.n }));
  const outboxes = tables.map(() => new Records(candidateWidth(words), 1024));
  const masks = new Int32Array(new SharedArrayBuffer(n * 8 * 4));
  const taken = new Int32Array(n);
  const errors = new Int32Array(n);
  const group = Array.from({ length: GROUP }, () => ({ out: new Successors(), hashes: new Int32Array(64) }));
  let epoch = 0;
  let inserted = 0;
  const run = (): [number, number] => {
    const copy = tables.map((t) => {
      const slots = new Int32Array(new SharedArrayBuffer(t.slots.byteLength));
      slots.set(t.slots);
      return { slots, n: t.n };
    });
    for (const o of outboxes) o.clear();
    const c: ExpandContext = { model: binding.model, layout: a.layout, fingerprint: false, tables: copy, outboxes, out: new Successors(), countOnly: false, successorHashes: new Int32Array(64), sink: 0, recent: new Int32Array(RECENT * (words + 1)), epoch: ++epoch };
    const t0 = performance.now();
    for (let i = 0; i < n; i += GROUP) expandGroup(c, group, a.frontier, i, Math.min(n, i + GROUP), a.base, taken, errors, [], new Int32Array(1));
    const t1 = performance.now();
    masks.fill(0);
    inserted = 0;
    const cc = { model: binding.model, layout: a.layout, frontier: a.frontier, base: a.base, pending: a.pending };
    copy.forEach((t, p) => {
      const winners = new Records(winnerWidth(words), 1024);
      insertPartition([{ data: outboxes[p]!.data, count: outboxes[p]!.count }], words, false, t, winners, cc, { masks, maskWords: 8, flagged: [], maxAction: -1 });
      inserted += winners.count;
    });
    return [t1 - t0, performance.now() - t1];
  };
  run(); // the owner's model fills its tables for these states here
  const runs = Array.from({ length: 5 }, run);
  const candidates = outboxes.reduce((s, o) => s + o.count, 0);
  // The one-thread search, continuing from the hand-over, expands and stores the same states (once).
  first.handoffAt = Infinity;
  const head = (): number => (first as unknown as { head: number }).head;
  const h0 = head();
  const t0 = performance.now();
  while (head() - h0 < n) {
    first.step();
    stops.beginSlice();
  }
  const one = ((performance.now() - t0) * n) / (head() - h0); // per `n` states (a step stops at a poll)
  const p1 = median(runs.map((r) => r[0]));
  const p2 = median(runs.map((r) => r[1]));
  return [
    `3 × 3, frontier of ${a.frontierCount.toLocaleString('en-US')} states after ${par.outcome().states.toLocaleString('en-US')}; ${n.toLocaleString('en-US')} of them, ${candidates.toLocaleString('en-US')} candidates, ${inserted.toLocaleString('en-US')} new states`,
    `parallel search on one thread: phase 1 ${p1.toFixed(0)} ms, phase 2 ${p2.toFixed(0)} ms, together ${(p1 + p2).toFixed(0)} ms (medians of 5: ${runs.map((r) => `${r[0].toFixed(0)}+${r[1].toFixed(0)}`).join(', ')})`,
    `one-thread search over the same states (${(head() - h0).toLocaleString('en-US')}, once): ${one.toFixed(0)} ms per ${n.toLocaleString('en-US')}; parallel / one-thread ${((p1 + p2) / one).toFixed(2)}`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  enlargeYoungGeneration();
  const [handover = '1500000', states = '200000'] = process.argv.slice(2);
  process.stdout.write(`${parallelWork(Number(handover), Number(states))}\n`);
}
