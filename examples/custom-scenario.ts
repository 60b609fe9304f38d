/**
 * A scenario of your own, simulated through the library: examples/noisy-neighbour.json (a web VM next to a VM
 * flooded at line rate) under the Xen driver-domain baseline and under the paper's vNICs, then the same scenario
 * edited in code — the flood throttled to 20,000 packets/s — as a typed `ScenarioFile` object.
 *
 * Run from the repository root (the scenario's path is relative to it):
 *
 *   npm run build && node dist/examples/custom-scenario.js
 */
import { readFileSync } from 'node:fs';
import { simulate, type ScenarioFile, type SimulationReport } from 'vnicspec';

const file = 'examples/noisy-neighbour.json';

/** `web: 1216.0 req/s answered, 0.0% lost, p99 5.60 ms` */
function line(r: SimulationReport, vm: string): string {
  const v = r.vms.find((x) => x.id === vm)!;
  const lost = v.offered === 0 ? 0 : (100 * (v.offered - v.delivered - v.heldAtEnd)) / v.offered;
  return `${r.arch.padEnd(8)} ${vm}: ${v.throughputPerS.toFixed(1)} req/s answered, ${lost.toFixed(1)}% lost, p99 ${v.latencyMs.p99?.toFixed(2) ?? '-'} ms`;
}

// The file, under both architectures (what `vnicspec simulate --scenario FILE --compare --json` prints).
const { comparison } = await simulate({ scenario: file, compare: true });
console.log(`${file}, ${comparison[0]!.durationS} simulated seconds:`);
for (const r of comparison) console.log(`  ${line(r, 'web')}`);

// The same scenario as an object: the editor checks it against the format's types.
const written = JSON.parse(readFileSync(file, 'utf8')) as ScenarioFile;
const throttled: ScenarioFile = {
  ...written,
  name: 'noisy-neighbour-throttled',
  streams: [
    { kind: 'open-loop', vm: 'web', rate: 1200, arrivals: 'poisson' },
    { kind: 'flood', target: { vm: 'noisy' }, rate: 20_000 },
  ],
};
const xen = await simulate({ scenario: throttled, arch: 'xen-idd' });
console.log('With the flood throttled to 20,000 packets/s:');
console.log(`  ${line(xen, 'web')}`);
