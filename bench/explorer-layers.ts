/**
 * Where the check's time goes above the JS limit, layer by layer: one-thread searches of the same configuration with
 * no property, then with the properties of properties/checked.ts added one at a time (in their order), each with its
 * CPU seconds (user + system of this process, model built included). Not part of `npm run bench`:
 *
 *   node --expose-gc dist/bench/explorer-layers.js [VMS] [CAPACITY] [--all]     (default 3 3)
 *
 * --all: only the search with every property (check's default), e.g. to alternate with another build.
 *
 * Prints one line per search; every search must find the same states (properties do not change the state space).
 * With --expose-gc also what each search keeps: heap + ArrayBuffers and the resident set after a gc at its end,
 * minus the same before it (after a gc and a second's wait, so that V8 has freed the previous search's buffers).
 */
import { pathToFileURL } from 'node:url';
import { search } from '../src/explore/index.js';
import { enlargeYoungGeneration } from '../src/explore/young-generation.js';
import { PROPERTY_NAMES, propertiesFor, propertyParts } from '../properties/checked.js';
import { defaultCheckConfig } from '../spec/checked/config.js';
import { CheckedModel, buildCheckedSystem } from '../spec/checked/model.js';

const gc = (globalThis as { gc?: () => void }).gc;
const kept = (): number => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;

export interface LayerRun {
  readonly states: number;
  readonly cpuSeconds: number;
  readonly wallSeconds: number;
  readonly fields: number;
  /** Per state: heap + ArrayBuffers, and resident set, kept at the end (NaN without --expose-gc). */
  readonly keptPerState: number;
  readonly rssPerState: number;
}

export async function layerRun(vms: number, capacity: number, names: readonly string[]): Promise<LayerRun> {
  let k0 = Number.NaN;
  let r0 = Number.NaN;
  if (gc) {
    gc();
    await new Promise((r) => setTimeout(r, 1000));
    gc();
    k0 = kept();
    r0 = process.memoryUsage.rss();
  }
  let k1 = Number.NaN;
  let r1 = Number.NaN;
  const onFinish = (): void => {
    if (!gc) return;
    gc();
    k1 = kept();
    r1 = process.memoryUsage.rss();
  };
  const c0 = process.cpuUsage();
  const sys = buildCheckedSystem(defaultCheckConfig({ arch: 'vnic', vms, capacity, dma: 'drr' }));
  const { properties, stepChecks } = propertiesFor(sys, names);
  const model = new CheckedModel(sys, { stepChecks, parts: propertyParts });
  const r = search(model, { strategy: 'bfs', properties, onFinish });
  const c = process.cpuUsage(c0);
  const fields = model.packed(properties)?.model.fields ?? 0;
  return { states: r.states, cpuSeconds: (c.user + c.system) / 1e6, wallSeconds: r.seconds, fields, keptPerState: (k1 - k0) / r.states, rssPerState: (r1 - r0) / r.states };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const all = process.argv.includes('--all');
  const [vmsArg, capacityArg] = process.argv.slice(2).filter((a) => a !== '--all');
  const vms = Number(vmsArg ?? 3);
  const capacity = Number(capacityArg ?? 3);
  enlargeYoungGeneration();
  let states: number | undefined;
  for (let n = all ? PROPERTY_NAMES.length : 0; n <= PROPERTY_NAMES.length; n++) {
    const names = PROPERTY_NAMES.slice(0, n);
    const r = await layerRun(vms, capacity, names);
    if (states !== undefined && r.states !== states) throw new Error(`explorer-layers: ${r.states} states with ${names.join(', ')}, ${states} before`);
    states = r.states;
    process.stdout.write(`${vms} × ${capacity}, ${n === 0 ? 'no property' : `+ ${names[n - 1]}`}: ${r.states.toLocaleString('en-US')} states, CPU ${r.cpuSeconds.toFixed(2)} s, search ${r.wallSeconds.toFixed(2)} s wall, ${r.fields} fields, kept ${r.keptPerState.toFixed(1)} B/state, resident ${r.rssPerState.toFixed(1)} B/state\n`);
  }
}
