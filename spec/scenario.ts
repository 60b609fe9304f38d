/**
 * Scenario files: what a user writes to describe a run. Validated with zod so every error names its field and the
 * allowed range with the reason for it (`vms[1].qos.rateMbps: must be a number from 0.001 to 1600000 Mbit/s (…)
 * (got 0)`); numbers follow the one grammar and wording of src/util/number-grammar.ts; defaults make the small
 * files readable. JSON files may start with a byte-order mark.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { SERVICE_DISTRIBUTIONS, type ServiceTime } from '../src/sim/service.js';
import { showValue, zNumber, zOneOf, type Bound } from '../src/util/number-grammar.js';
import { formatIssues, readJsonFile, schemaRef, visibleName, type Loaded } from './json-file.js';
import { resolveScenarioSystem } from './system-scenario.js';

export { formatIssues, type Loaded };

/** The architectures a scenario can run under. */
export const ARCHS = ['vnic', 'xen-idd', 'native', 'mixed'] as const;
/** vnic (a virtual NIC per VM, the paper's design), xen-idd (the driver-domain baseline), native, or mixed. */
export type Arch = (typeof ARCHS)[number];
/** The core layouts: everything on one core, or the VMM and driver domain on cpu0 and one core per VM (§5). */
export const CORE_LAYOUTS = ['single', 'multi'] as const;
/** `single` or `multi` (see `CORE_LAYOUTS`). */
export type CoreLayout = (typeof CORE_LAYOUTS)[number];

// ---- bounds: every number is limited by what it means ------------------------------------------------------------
// The simulator's clock counts whole nanoseconds in a double: exact up to 2^53 ns, about 104 days. Every time in a
// file must be at least one tick (or 0 where 0 means "none") and fit the clock; every size must be a real Ethernet
// frame or a real NIC's memory; counts must be what the hardware can have (PCIe MSI-X: 2048 vectors per function).

/** Whole seconds the clock can hold: 2^53 ns. */
export const CLOCK_MAX_S = Math.floor(Number.MAX_SAFE_INTEGER / 1e9);
const CLOCK = "the simulator's clock counts whole nanoseconds up to 2^53 ns, about 104 days";

/** Simulated seconds, from one clock tick to the clock's range: `durationS` and `--duration`. */
export const SIMULATED_SECONDS: Bound = { min: 1e-9, max: CLOCK_MAX_S, unit: 'seconds', why: CLOCK };
const START_SECONDS: Bound = { zero: true, min: 1e-9, max: CLOCK_MAX_S, unit: 'seconds', why: CLOCK };
const THINK_MS: Bound = { zero: true, min: 1e-6, max: CLOCK_MAX_S * 1e3, unit: 'ms', why: CLOCK };
const TIMEOUT_MS: Bound = { min: 1e-6, max: CLOCK_MAX_S * 1e3, unit: 'ms', why: CLOCK };
/** Arrivals per second: gaps from one clock tick (1 ns) to 10^6 s. */
const RATE: Bound = { min: 1e-6, max: 1e9, unit: 'per second', why: 'gaps between arrivals from 1 ns, the clock tick, to 10^6 s' };
export const MIN_FRAME_BYTES = 64;
export const MAX_FRAME_BYTES = 9216;
const FRAME: Bound = { integer: true, min: MIN_FRAME_BYTES, max: MAX_FRAME_BYTES, unit: 'bytes', why: 'an Ethernet frame: 64 bytes at least, 9216 for the largest jumbo frames' };
/** NIC packet memory: on-board buffers are KiB to tens of MiB; every buffered packet is an object in the simulator. */
const NIC_MEMORY: Bound = { integer: true, min: MIN_FRAME_BYTES, max: 64 * 2 ** 20, unit: 'bytes', why: 'one 64-byte frame to 64 MiB, more than NICs have on board' };
const BURST: Bound = { integer: true, min: MIN_FRAME_BYTES, max: 2 ** 32, unit: 'bytes', why: 'one 64-byte frame to 4 GiB' };
const LINK_GBPS: Bound = { min: 0.001, max: 1600, unit: 'Gbit/s', why: "1 Mbit/s to 1.6 Tbit/s, Ethernet's fastest" };
const MBPS: Bound = { min: 0.001, max: 1_600_000, unit: 'Mbit/s', why: "1 kbit/s to 1.6 Tbit/s, Ethernet's fastest link" };
const RING: Bound = { integer: true, min: 1, max: 32768, unit: 'descriptors', why: 'virtio allows at most 2^15, more than NICs have' };
const MSI_VECTORS: Bound = { integer: true, min: 1, max: 2048, why: 'PCIe MSI-X allows 2048 vectors per function' };
const QUANTUM: Bound = { integer: true, min: MIN_FRAME_BYTES, max: 2 ** 20, unit: 'bytes', why: 'one 64-byte frame to 1 MiB: DRR serves at most one quantum per round' };
const PRIORITY: Bound = { integer: true, min: 0, max: 1000 };
const WEIGHT: Bound = { integer: true, min: 1, max: 1000 };
const SEED: Bound = { integer: true, min: 0, max: Number.MAX_SAFE_INTEGER };
const MAC: Bound = { integer: true, min: 0, max: 2 ** 48 - 1, why: 'a MAC address has 48 bits' };

// Field descriptions (`describe`) are what editors show from the JSON Schema and what docs/formats/ tabulates.
const qos = z.strictObject({
  rateMbps: zNumber(MBPS).default(200).describe('Admitted rate in Mbit/s (a token bucket).'),
  burstBytes: zNumber(BURST).default(64 * 1024).describe("Bytes admitted back to back (the bucket's depth)."),
  partitionBytes: zNumber(NIC_MEMORY).default(128 * 1024).describe("The vNIC's partition of device memory."),
  priority: zNumber(PRIORITY).default(0).describe('Strict DMA arbitration: larger wins.'),
  weight: zNumber(WEIGHT).default(1).describe("wrr and drr: the vNIC's share of DMA."),
});

const vm = z.strictObject({
  name: visibleName('the VM\'s name').describe("The VM's name; streams refer to it."),
  qos: qos
    .default(qos.parse({}))
    .describe(
      "The VM's bandwidth specification. Under vnic and mixed the NIC enforces it at the device; under xen-idd the driver domain applies rateMbps and burstBytes in software, after the packet was received.",
    ),
  bestEffort: z
    .boolean()
    .default(false)
    .describe('Under mixed: the VM may be attached para-virtualized through the driver domain when MSI vectors or device memory run out (otherwise it is refused).'),
  attached: z
    .boolean('must be true or false')
    .default(true)
    .describe(
      'Attached by the VMM at boot (a vNIC, or under xen-idd its driver-domain interface). false: the VM gets none, and packets to it are unknown-destination traffic (the NIC or the driver domain drops them). Not under native, which has no VMM.',
    ),
  replyBytes: zNumber(FRAME).default(1024).describe("Size of each reply the VM's server sends."),
  txRateMbps: zNumber(MBPS).optional().describe('The VM shapes its own outbound traffic to this rate in Mbit/s; absent: unlimited.'),
});

const vmRef = z.string('must name a VM').min(1, 'must name a VM');
const target = z.union([
  z.strictObject({ vm: vmRef.describe('The VM flooded.') }),
  z.strictObject({ mac: zNumber(MAC).describe("A raw destination MAC address; one no VM owns exercises the NIC's unknown-destination path.") }),
]);
const ARRIVALS = 'constant: evenly spaced; poisson: exponential gaps with that mean.';
const START =
  'When the first arrival happens, in seconds; absent: stream i of n starts 1 ms plus i/n of its own period into the run, so identical streams do not move in lockstep.';

const STREAM_KINDS = ['open-loop', 'closed-loop', 'flood'] as const;
const stream = z.discriminatedUnion('kind', [
  z
    .strictObject({
      kind: z.literal('open-loop').describe('The kind of stream.'),
      vm: vmRef.describe('The VM that serves the requests.'),
      rate: zNumber(RATE).describe('Requests per second.'),
      arrivals: zOneOf(['constant', 'poisson']).default('constant').describe(ARRIVALS),
      requestBytes: zNumber(FRAME).default(128).describe('Request size.'),
      startS: zNumber(START_SECONDS).optional().describe(START),
    })
    .describe('Requests at a fixed rate, whatever the replies (httperf).'),
  z
    .strictObject({
      kind: z.literal('closed-loop').describe('The kind of stream.'),
      vm: vmRef.describe('The VM that serves the requests.'),
      thinkMs: zNumber(THINK_MS).default(0).describe('Pause between a reply and the next request.'),
      timeoutMs: zNumber(TIMEOUT_MS).default(200).describe('A request without a reply after this long is sent again.'),
      requestBytes: zNumber(FRAME).default(128).describe('Request size.'),
      startS: zNumber(START_SECONDS).optional().describe(START),
    })
    .describe('One request at a time: the next one after the reply and a think time (netperf TCP_CRR).'),
  z
    .strictObject({
      kind: z.literal('flood').describe('The kind of stream.'),
      target: target.describe('Where the flood goes: { "vm": NAME } or { "mac": N }.'),
      rate: zNumber(RATE).optional().describe('Packets per second; absent: the line rate for packets of packetBytes.'),
      arrivals: zOneOf(['constant', 'poisson']).default('constant').describe(ARRIVALS),
      packetBytes: zNumber(FRAME).default(1500).describe('Packet size.'),
      startS: zNumber(START_SECONDS).optional().describe(START),
    })
    .describe('Packets nobody answers, at any rate: the adversary.'),
], { error: (iss) => (iss.code === 'invalid_union' ? `must be one of ${STREAM_KINDS.join(', ')} (got ${showValue((iss.input as { kind?: unknown } | undefined)?.kind)})` : 'must be a stream: an object with a kind') });

const nic = z.strictObject({
  linkGbps: zNumber(LINK_GBPS).default(1).describe('Wire speed in Gbit/s; also the rate of a flood that gives none.'),
  memoryBytes: zNumber(NIC_MEMORY).default(1024 * 1024).describe('Device memory the VMM partitions among vNICs (vnic, mixed).'),
  msiVectors: zNumber(MSI_VECTORS).default(8).describe('MSI vectors, one per vNIC; when they run out, best-effort VMs are bridged through the driver domain (mixed).'),
  dmaArbiter: zOneOf(['strict', 'wrr', 'drr'])
    .default('drr')
    .describe('How vNICs share the DMA engine: strict priority, weighted round-robin by packets, or deficit round-robin by bytes.'),
  drrQuantumBytes: zNumber(QUANTUM).default(1514).describe('drr: bytes a vNIC earns per unit of weight per round.'),
  rxRing: zNumber(RING).default(256).describe('Receive descriptors per VM ring.'),
  txRing: zNumber(RING).default(256).describe('Transmit descriptors per VM ring.'),
  sharedBufferBytes: zNumber(NIC_MEMORY)
    .default(256 * 1024)
    .describe("The one device buffer of the shared NIC (xen-idd, native); under mixed, the driver domain's vNIC partition."),
});

/** Why `attached: false` is refused under native. */
export const NATIVE_ATTACHES_ALL = 'must be true under native: one OS serves every VM, there is no VMM to leave one detached';

/** A scenario file (docs/formats/scenario.md); parsing fills in the defaults. */
export const scenarioSchema = z
  .strictObject({
    $schema: schemaRef,
    name: visibleName("the scenario's name").describe("The scenario's name, printed in reports."),
    description: z.string('must be a string').max(2000, 'must be at most 2000 characters long').default('').describe('One sentence saying what the scenario shows.'),
    arch: zOneOf(ARCHS)
      .default('vnic')
      .describe(
        "vnic: a virtual NIC per VM (the paper's design); xen-idd: the shared NIC behind a Xen driver domain (the baseline); native: one non-virtualized OS (reference); mixed: vNICs while MSI vectors and device memory last, the rest bridged through a driver domain that has a vNIC itself.",
      ),
    cores: zOneOf(CORE_LAYOUTS)
      .default('multi')
      .describe("single: everything on cpu0; multi: the VMM and the driver domain on cpu0, one core per VM (the paper's section 5)."),
    durationS: zNumber(SIMULATED_SECONDS).default(10).describe('Simulated seconds.'),
    warmupS: zNumber(START_SECONDS)
      .default(0)
      .describe('Warm-up: what happens before this many simulated seconds is simulated but not counted; statistics cover [warmupS, durationS]. Below durationS.'),
    seed: zNumber(SEED).default(1).describe('Fixes every random stream: the same seed gives the same report, byte for byte.'),
    nic: nic.default(nic.parse({})).describe('The physical NIC.'),
    vms: z
      .array(vm, 'must be a list of VMs')
      .min(1, 'must list at least one VM')
      .max(64, 'must list at most 64 VMs')
      .optional()
      .describe('The VMs; VM i (from 0) owns MAC address i + 1. Required unless `system` gives them.'),
    system: z
      // An embedded system is validated against docs/formats/system.md's schema when the scenario is loaded.
      .union([z.string('must be a system file path or a system').min(1, 'must be a system file path'), z.record(z.string(), z.unknown())], 'must be a system file path or a system')
      .optional()
      .describe(
        'A system (docs/formats/system.md) whose VMs, QoS and NIC this scenario runs, so that one file describes the system for check and simulate: a built-in name, a path (absolute or relative to this file\'s folder), or the system itself. Then `vms` is not given, `nic` may only set linkGbps, `arch` defaults to the system\'s, and without `streams` the traffic follows the system\'s roles.',
      ),
    streams: z
      .array(stream, 'must be a list of streams')
      .max(1000, 'must list at most 1000 streams')
      .default([])
      .describe('The traffic: open-loop, closed-loop and flood streams, told apart by kind.'),
    calibration: z
      .string('must be a file path')
      .min(1, 'must be a file path')
      .optional()
      .describe("A calibration profile (docs/formats/calibration.md): a path, absolute or relative to this file's folder; absent: the built-in profile."),
  })
  .superRefine((s, ctx) => {
    if (s.warmupS >= s.durationS) ctx.addIssue({ code: 'custom', path: ['warmupS'], message: `must be below durationS (${s.durationS})` });
    if (s.vms === undefined) {
      if (s.system === undefined) ctx.addIssue({ code: 'custom', path: ['vms'], message: 'is required: the VMs (or a system that gives them)' });
      // With a system, the VMs' names are known once it is loaded: streams are checked then.
      return;
    }
    if (s.system !== undefined) ctx.addIssue({ code: 'custom', path: ['vms'], message: 'must not be given with system: the system gives the VMs' });
    const names = new Set<string>();
    s.vms.forEach((v, i) => {
      if (s.arch === 'native' && !v.attached) ctx.addIssue({ code: 'custom', path: ['vms', i, 'attached'], message: NATIVE_ATTACHES_ALL });
      if (names.has(v.name)) ctx.addIssue({ code: 'custom', path: ['vms', i, 'name'], message: `duplicate VM name '${v.name}'` });
      names.add(v.name);
    });
    s.streams.forEach((st, i) => {
      const ref = st.kind === 'flood' ? ('vm' in st.target ? st.target.vm : undefined) : st.vm;
      if (ref !== undefined && !names.has(ref)) {
        ctx.addIssue({ code: 'custom', path: ['streams', i, ...(st.kind === 'flood' ? ['target', 'vm'] : ['vm'])], message: `no VM named '${ref}'` });
      }
    });
  });

/** A scenario as the file is parsed: the VMs may still be in a system. */
export type ScenarioParsed = z.infer<typeof scenarioSchema>;
/** A parsed scenario, defaults filled in and its system (if any) resolved into VMs, NIC and streams. */
export type Scenario = Omit<ScenarioParsed, 'vms' | 'system'> & { vms: NonNullable<ScenarioParsed['vms']> };
/** One traffic stream of a scenario: open-loop, closed-loop or flood. */
export type StreamSpec = Scenario['streams'][number];

/** A CPU demand per packet, or a fixed device latency: up to a second, which no per-packet cost comes near. */
const DEMAND_NS: Bound = { min: 0, max: 1e9, unit: 'ns', why: 'a second per packet at most' };
const DMA_BYTES_PER_NS: Bound = { min: 0.001, max: 1000, unit: 'bytes per ns', why: '1 MB/s to 1 TB/s; PCIe 6.0 x16 moves 128' };
/** A coefficient of variation (sd / mean). */
const CV: Bound = { min: 0, max: 10, why: 'a standard deviation up to 10 times the mean' };

const distribution = z.enum(SERVICE_DISTRIBUTIONS, `must be one of ${SERVICE_DISTRIBUTIONS.join(', ')}`);
/** How a cost varies from job to job; lognormal needs its coefficient of variation (sd / mean). */
const DISTRIBUTION = 'deterministic: exactly the mean; exponential: memoryless, with that mean (cv = 1); lognormal: right-skewed, needs cv.';
const CV_TEXT = 'Coefficient of variation (standard deviation / mean) of a lognormal cost.';
/** The refinements below, said in JSON Schema too (zod cannot translate a refine), so editors flag them. */
const LOGNORMAL = { required: ['distribution'], properties: { distribution: { const: 'lognormal' } } };
const NEEDS_CV = { if: LOGNORMAL, then: { required: ['cv'] } };
const variability = z
  .strictObject({ distribution: distribution.describe(DISTRIBUTION), cv: zNumber(CV).optional().describe(CV_TEXT) })
  .refine((v) => v.distribution !== 'lognormal' || v.cv !== undefined, { message: 'a lognormal service time needs cv', path: ['cv'] })
  .refine((v) => v.distribution === 'lognormal' || v.cv === undefined, { message: 'cv applies to lognormal only', path: ['cv'] })
  .meta({ allOf: [NEEDS_CV, { if: { required: ['cv'] }, then: LOGNORMAL }] });
/** A demand: a mean in ns (varying as the profile's `serviceTime` says), or a mean with its own variability. */
const demand = z.union([
  zNumber(DEMAND_NS),
  z
    .strictObject({
      meanNs: zNumber(DEMAND_NS).describe('The mean cost in nanoseconds.'),
      distribution: distribution.optional().describe(`${DISTRIBUTION} Absent: the profile's serviceTime.`),
      cv: zNumber(CV).optional().describe(CV_TEXT),
    })
    .refine((v) => v.distribution !== 'lognormal' || v.cv !== undefined, { message: 'a lognormal service time needs cv', path: ['cv'] })
    .refine((v) => v.distribution === undefined || v.distribution === 'lognormal' || v.cv === undefined, { message: 'cv applies to lognormal only', path: ['cv'] })
    .meta({ allOf: [NEEDS_CV, { if: { required: ['cv', 'distribution'] }, then: LOGNORMAL }] }),
]);

/** A calibration profile (docs/formats/calibration.md): CPU demands per operation and the NIC's DMA timing. */
export const calibrationSchema = z.strictObject({
  $schema: schemaRef,
  description: z.string('must be a string').default('').describe('Where the numbers come from.'),
  serviceTime: variability.optional().describe('How every demand given as a plain number varies from job to job; absent: deterministic.'),
  demandsNs: z
    .record(z.string(), demand)
    .describe('CPU time per operation, by key (the keys are listed in docs/formats/calibration.md): nanoseconds, or { meanNs, distribution, cv }.'),
  nic: z
    .strictObject({
      dmaSetupNs: zNumber(DEMAND_NS).describe('Fixed cost of one DMA transfer in ns: a packet of s bytes takes dmaSetupNs + s / dmaBytesPerNs.'),
      dmaBytesPerNs: zNumber(DMA_BYTES_PER_NS).describe('DMA throughput in bytes per nanosecond (2 is 16 Gbit/s).'),
      vmmIrqNs: zNumber(DEMAND_NS).optional().describe("Accepted, but not used: the VMM's cost of forwarding an interrupt is the vmm.forward demand."),
    })
    .describe("The NIC's DMA timing."),
});
/** A parsed calibration profile. */
export type Calibration = z.infer<typeof calibrationSchema>;

/**
 * The service time of a calibrated demand as the simulator draws it: the entry's own distribution, else the
 * profile's `serviceTime`, else deterministic. Undefined for a key the profile does not calibrate.
 */
export function serviceTimeOf(cal: Calibration, key: string): ServiceTime | undefined {
  const d = cal.demandsNs[key];
  if (d === undefined) return undefined;
  const meanNs = typeof d === 'number' ? d : d.meanNs;
  const own = typeof d === 'number' || d.distribution === undefined ? undefined : { distribution: d.distribution, cv: d.cv };
  const v = own ?? cal.serviceTime;
  if (v === undefined || v.distribution === 'deterministic') return meanNs;
  return v.distribution === 'exponential' ? { distribution: 'exponential', meanNs } : { distribution: 'lognormal', meanNs, cv: v.cv ?? 0 };
}

const here = dirname(fileURLToPath(import.meta.url));
/** Built-in scenarios and calibration live beside the sources (spec/) and are copied next to the build. */
export function dataDir(kind: 'scenarios' | 'calibration'): string {
  const candidates = [join(here, kind), join(here, '..', '..', 'spec', kind)];
  return candidates.find((d) => existsSync(d)) ?? candidates[0]!;
}

/** The scenarios shipped in spec/scenarios/ (`vnicspec scenarios`). */
export const BUILT_IN_SCENARIOS = ['httperf-2vm', 'flood', 'single-vm', 'netperf-crr', 'mixed-3vm'] as const;

/**
 * The scenario with every open-loop request stream (httperf) offered at `perSecond` each; floods and closed loops
 * are left as they are. What `simulate --rate` and a rate sweep run.
 */
export function withRequestRate(s: Scenario, perSecond: number): Scenario {
  return { ...s, streams: s.streams.map((st) => (st.kind === 'open-loop' ? { ...st, rate: perSecond } : st)) };
}

/**
 * Validate a scenario already read as JSON; `where` (a file name, say) prefixes each error line. A `system` it names
 * is loaded relative to `baseDir` (the scenario's folder; default: the working directory).
 */
export function parseScenario(raw: unknown, where: string, baseDir = '.'): Loaded<Scenario> {
  const r = scenarioSchema.safeParse(raw);
  if (!r.success) return { ok: false, error: formatIssues(r.error, where) };
  const { system, vms, ...rest } = r.data;
  if (system === undefined) return { ok: true, value: { ...rest, vms: vms! } };
  return resolveScenarioSystem(r.data, raw as Record<string, unknown>, where, baseDir);
}

/** Read and validate a scenario: a built-in name or a path to a JSON file. */
export function loadScenario(nameOrFile: string): Loaded<{ scenario: Scenario; baseDir: string }> {
  const builtIn = (BUILT_IN_SCENARIOS as readonly string[]).includes(nameOrFile);
  const path = builtIn ? join(dataDir('scenarios'), `${nameOrFile}.json`) : nameOrFile;
  if (!builtIn && !existsSync(path)) {
    return { ok: false, error: `no scenario '${nameOrFile}': not a built-in (${BUILT_IN_SCENARIOS.join(', ')}) and no such file` };
  }
  const raw = readJsonFile(path);
  if (!raw.ok) return raw;
  const s = parseScenario(raw.value, path, dirname(path));
  return s.ok ? { ok: true, value: { scenario: s.value, baseDir: dirname(path) } } : s;
}

/** Validate a calibration profile already read as JSON; `where` (a file name, say) prefixes each error line. */
export function parseCalibration(raw: unknown, where: string): Loaded<Calibration> {
  const r = calibrationSchema.safeParse(raw);
  return r.success ? { ok: true, value: r.data } : { ok: false, error: formatIssues(r.error, where) };
}

/** Where a scenario's `calibration` is: an absolute path as is, a relative one from the scenario's folder, none: the default. */
export function calibrationPath(file: string | undefined, baseDir: string): string {
  return file === undefined ? join(dataDir('calibration'), 'default.json') : isAbsolute(file) ? file : join(baseDir, file);
}

/**
 * Read and validate a calibration profile: `file` (absolute, or relative to `baseDir`, the scenario's folder), or
 * the built-in default profile when `file` is undefined.
 */
export function loadCalibration(file: string | undefined, baseDir: string): Loaded<Calibration> {
  const path = calibrationPath(file, baseDir);
  const raw = readJsonFile(path);
  return raw.ok ? parseCalibration(raw.value, path) : raw;
}
