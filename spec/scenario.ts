/**
 * Scenario files: what a user writes to describe a run. Validated with zod so every error names its field and the
 * allowed range with the reason for it (`vms[1].qos.rateMbps: must be a number from 0.001 to 1600000 Mbit/s (…)
 * (got 0)`); numbers follow the one grammar and wording of src/util/number-grammar.ts; defaults make the small
 * files readable. JSON files may start with a byte-order mark.
 */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { SERVICE_DISTRIBUTIONS, type ServiceTime } from '../src/sim/service.js';
import { parseJsonText } from '../src/util/json-text.js';
import { zNumber, type Bound } from '../src/util/number-grammar.js';

/** The architectures a scenario can run under. */
export const ARCHS = ['vnic', 'xen-idd', 'native', 'mixed'] as const;
/** vnic (a virtual NIC per VM, the paper's design), xen-idd (the driver-domain baseline), native, or mixed. */
export type Arch = (typeof ARCHS)[number];
/** The core layouts: everything on one core, or the VMM and driver domain on cpu0 and one core per VM (§5). */
export const CORE_LAYOUTS = ['single', 'multi'] as const;
/** `single` or `multi` (see `CORE_LAYOUTS`). */
export type CoreLayout = (typeof CORE_LAYOUTS)[number];
/** `"$schema"`: the JSON Schema an editor validates the file against (schemas/*.schema.json); ignored here. */
const schemaRef = z.string().optional();

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

/** A name printed in tables and reports: some visible character, at most 64 characters. */
const name = (what: string) =>
  z
    .string(`must be a string (${what})`)
    .min(1, 'must not be empty')
    .max(64, 'must be at most 64 characters long')
    .refine((s) => /[^\s\p{C}]/u.test(s), 'must contain a visible character');

const qos = z.strictObject({
  rateMbps: zNumber(MBPS).default(200),
  burstBytes: zNumber(BURST).default(64 * 1024),
  partitionBytes: zNumber(NIC_MEMORY).default(128 * 1024),
  priority: zNumber(PRIORITY).default(0),
  weight: zNumber(WEIGHT).default(1),
});

const vm = z.strictObject({
  name: name('the VM\'s name'),
  qos: qos.default(qos.parse({})),
  /** May be attached para-virtualized through the driver domain when vectors or memory run out (mixed). */
  bestEffort: z.boolean().default(false),
  replyBytes: zNumber(FRAME).default(1024),
  /** Outbound shaping by the VM; absent: unlimited. */
  txRateMbps: zNumber(MBPS).optional(),
});

const vmRef = z.string('must name a VM').min(1, 'must name a VM');
const target = z.union([z.strictObject({ vm: vmRef }), z.strictObject({ mac: zNumber(MAC) })]);

const stream = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('open-loop'),
    vm: vmRef,
    rate: zNumber(RATE),
    arrivals: z.enum(['constant', 'poisson']).default('constant'),
    requestBytes: zNumber(FRAME).default(128),
    startS: zNumber(START_SECONDS).optional(),
  }),
  z.strictObject({
    kind: z.literal('closed-loop'),
    vm: vmRef,
    thinkMs: zNumber(THINK_MS).default(0),
    timeoutMs: zNumber(TIMEOUT_MS).default(200),
    requestBytes: zNumber(FRAME).default(128),
    startS: zNumber(START_SECONDS).optional(),
  }),
  z.strictObject({
    kind: z.literal('flood'),
    target,
    /** packets per second; absent: line rate for the packet size */
    rate: zNumber(RATE).optional(),
    arrivals: z.enum(['constant', 'poisson']).default('constant'),
    packetBytes: zNumber(FRAME).default(1500),
    startS: zNumber(START_SECONDS).optional(),
  }),
]);

const nic = z.strictObject({
  linkGbps: zNumber(LINK_GBPS).default(1),
  memoryBytes: zNumber(NIC_MEMORY).default(1024 * 1024),
  msiVectors: zNumber(MSI_VECTORS).default(8),
  dmaArbiter: z.enum(['strict', 'wrr', 'drr']).default('drr'),
  drrQuantumBytes: zNumber(QUANTUM).default(1514),
  rxRing: zNumber(RING).default(256),
  txRing: zNumber(RING).default(256),
  /** The single device buffer of the shared NIC (xen-idd, native). */
  sharedBufferBytes: zNumber(NIC_MEMORY).default(256 * 1024),
});

/** A scenario file (docs/formats/scenario.md); parsing fills in the defaults. */
export const scenarioSchema = z
  .strictObject({
    $schema: schemaRef,
    name: name("the scenario's name"),
    description: z.string('must be a string').max(2000, 'must be at most 2000 characters long').default(''),
    arch: z.enum(ARCHS).default('vnic'),
    cores: z.enum(CORE_LAYOUTS).default('multi'),
    durationS: zNumber(SIMULATED_SECONDS).default(10),
    /** Warm-up cut: statistics cover [warmupS, durationS]; below durationS. */
    warmupS: zNumber(START_SECONDS).default(0),
    seed: zNumber(SEED).default(1),
    nic: nic.default(nic.parse({})),
    vms: z.array(vm, 'must be a list of VMs').min(1, 'must list at least one VM').max(64, 'must list at most 64 VMs'),
    streams: z.array(stream, 'must be a list of streams').max(1000, 'must list at most 1000 streams').default([]),
    /** A calibration profile: a file path (absolute, or relative to the scenario's folder); omitted: the built-in default. */
    calibration: z.string('must be a file path').min(1, 'must be a file path').optional(),
  })
  .superRefine((s, ctx) => {
    if (s.warmupS >= s.durationS) ctx.addIssue({ code: 'custom', path: ['warmupS'], message: `must be below durationS (${s.durationS})` });
    const names = new Set<string>();
    s.vms.forEach((v, i) => {
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

/** A parsed scenario, defaults filled in. */
export type Scenario = z.infer<typeof scenarioSchema>;
/** One traffic stream of a scenario: open-loop, closed-loop or flood. */
export type StreamSpec = Scenario['streams'][number];

/** A CPU demand per packet, or a fixed device latency: up to a second, which no per-packet cost comes near. */
const DEMAND_NS: Bound = { min: 0, max: 1e9, unit: 'ns', why: 'a second per packet at most' };
const DMA_BYTES_PER_NS: Bound = { min: 0.001, max: 1000, unit: 'bytes per ns', why: '1 MB/s to 1 TB/s; PCIe 6.0 x16 moves 128' };
/** A coefficient of variation (sd / mean). */
const CV: Bound = { min: 0, max: 10, why: 'a standard deviation up to 10 times the mean' };

const distribution = z.enum(SERVICE_DISTRIBUTIONS, `must be one of ${SERVICE_DISTRIBUTIONS.join(', ')}`);
/** How a cost varies from job to job; lognormal needs its coefficient of variation (sd / mean). */
const variability = z
  .strictObject({ distribution, cv: zNumber(CV).optional() })
  .refine((v) => v.distribution !== 'lognormal' || v.cv !== undefined, { message: 'a lognormal service time needs cv', path: ['cv'] })
  .refine((v) => v.distribution === 'lognormal' || v.cv === undefined, { message: 'cv applies to lognormal only', path: ['cv'] });
/** A demand: a mean in ns (varying as the profile's `serviceTime` says), or a mean with its own variability. */
const demand = z.union([
  zNumber(DEMAND_NS),
  z
    .strictObject({ meanNs: zNumber(DEMAND_NS), distribution: distribution.optional(), cv: zNumber(CV).optional() })
    .refine((v) => v.distribution !== 'lognormal' || v.cv !== undefined, { message: 'a lognormal service time needs cv', path: ['cv'] })
    .refine((v) => v.distribution === undefined || v.distribution === 'lognormal' || v.cv === undefined, { message: 'cv applies to lognormal only', path: ['cv'] }),
]);

/** A calibration profile (docs/formats/calibration.md): CPU demands per operation and the NIC's DMA timing. */
export const calibrationSchema = z.strictObject({
  $schema: schemaRef,
  description: z.string('must be a string').default(''),
  /** The variability of every demand given as a plain number; absent: deterministic. */
  serviceTime: variability.optional(),
  demandsNs: z.record(z.string(), demand),
  nic: z.strictObject({ dmaSetupNs: zNumber(DEMAND_NS), dmaBytesPerNs: zNumber(DMA_BYTES_PER_NS), vmmIrqNs: zNumber(DEMAND_NS).optional() }),
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

/** A loaded value, or the one-line-per-problem message naming the file and field. */
export type Loaded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** `vms[1].qos.rateMbps: must be > 0` — one line per problem. */
export function formatIssues(error: z.ZodError, where: string): string {
  return error.issues
    .map((i) => {
      const path = i.path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc === '' ? String(k) : `${acc}.${String(k)}`), '');
      return `${where}: ${path === '' ? '(top level)' : path}: ${i.message}`;
    })
    .join('\n');
}

const here = dirname(fileURLToPath(import.meta.url));
/** Built-in scenarios and calibration live beside the sources (spec/) and are copied next to the build. */
export function dataDir(kind: 'scenarios' | 'calibration'): string {
  const candidates = [join(here, kind), join(here, '..', '..', 'spec', kind)];
  return candidates.find((d) => existsSync(d)) ?? candidates[0]!;
}

/** The scenarios shipped in spec/scenarios/ (`vnicspec scenarios`). */
export const BUILT_IN_SCENARIOS = ['httperf-2vm', 'flood', 'single-vm', 'netperf-crr', 'mixed-3vm'] as const;

function readJson(path: string): Loaded<unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return { ok: false, error: `${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  const r = parseJsonText(text);
  return r.ok ? r : { ok: false, error: `${path}: ${r.error}` };
}

/**
 * The scenario with every open-loop request stream (httperf) offered at `perSecond` each; floods and closed loops
 * are left as they are. What `simulate --rate` and a rate sweep run.
 */
export function withRequestRate(s: Scenario, perSecond: number): Scenario {
  return { ...s, streams: s.streams.map((st) => (st.kind === 'open-loop' ? { ...st, rate: perSecond } : st)) };
}

/** Validate a scenario already read as JSON; `where` (a file name, say) prefixes each error line. */
export function parseScenario(raw: unknown, where: string): Loaded<Scenario> {
  const r = scenarioSchema.safeParse(raw);
  return r.success ? { ok: true, value: r.data } : { ok: false, error: formatIssues(r.error, where) };
}

/** Read and validate a scenario: a built-in name or a path to a JSON file. */
export function loadScenario(nameOrFile: string): Loaded<{ scenario: Scenario; baseDir: string }> {
  const builtIn = (BUILT_IN_SCENARIOS as readonly string[]).includes(nameOrFile);
  const path = builtIn ? join(dataDir('scenarios'), `${nameOrFile}.json`) : nameOrFile;
  if (!builtIn && !existsSync(path)) {
    return { ok: false, error: `no scenario '${nameOrFile}': not a built-in (${BUILT_IN_SCENARIOS.join(', ')}) and no such file` };
  }
  const raw = readJson(path);
  if (!raw.ok) return raw;
  const s = parseScenario(raw.value, path);
  return s.ok ? { ok: true, value: { scenario: s.value, baseDir: dirname(path) } } : s;
}

/** Validate a calibration profile already read as JSON; `where` (a file name, say) prefixes each error line. */
export function parseCalibration(raw: unknown, where: string): Loaded<Calibration> {
  const r = calibrationSchema.safeParse(raw);
  return r.success ? { ok: true, value: r.data } : { ok: false, error: formatIssues(r.error, where) };
}

/**
 * Read and validate a calibration profile: `file` relative to `baseDir` (the scenario's folder), or the built-in
 * default profile when `file` is undefined.
 */
export function loadCalibration(file: string | undefined, baseDir: string): Loaded<Calibration> {
  const path = file === undefined ? join(dataDir('calibration'), 'default.json') : isAbsolute(file) ? file : join(baseDir, file);
  const raw = readJson(path);
  return raw.ok ? parseCalibration(raw.value, path) : raw;
}
