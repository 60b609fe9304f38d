/**
 * Scenario files: what a user writes to describe a run. Validated with zod so every error names its field
 * (`vms[1].qos.rateMbps: must be > 0`); defaults make the small files readable.
 */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { SERVICE_DISTRIBUTIONS, type ServiceTime } from '../src/sim/service.js';

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

const positive = z.number('must be a number').positive('must be > 0').finite('must be finite');
const nonNegative = z.number('must be a number').nonnegative('must be >= 0').finite('must be finite');
const count = z.number('must be a number').int('must be an integer').positive('must be > 0');

const qos = z.strictObject({
  rateMbps: positive.default(200),
  burstBytes: count.default(64 * 1024),
  partitionBytes: count.default(128 * 1024),
  priority: z.number().int('must be an integer').default(0),
  weight: count.default(1),
});

const vm = z.strictObject({
  name: z.string().min(1, 'must not be empty'),
  qos: qos.default(qos.parse({})),
  /** May be attached para-virtualized through the driver domain when vectors or memory run out (mixed). */
  bestEffort: z.boolean().default(false),
  replyBytes: count.default(1024),
  /** Outbound shaping by the VM; absent: unlimited. */
  txRateMbps: positive.optional(),
});

const target = z.union([z.strictObject({ vm: z.string().min(1) }), z.strictObject({ mac: z.number().int().nonnegative() })]);

const stream = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('open-loop'),
    vm: z.string().min(1, 'must name a VM'),
    rate: positive.max(1e8, 'must be <= 100000000 per second'),
    arrivals: z.enum(['constant', 'poisson']).default('constant'),
    requestBytes: count.default(128),
    startS: nonNegative.optional(),
  }),
  z.strictObject({
    kind: z.literal('closed-loop'),
    vm: z.string().min(1, 'must name a VM'),
    thinkMs: nonNegative.default(0),
    timeoutMs: positive.default(200),
    requestBytes: count.default(128),
    startS: nonNegative.optional(),
  }),
  z.strictObject({
    kind: z.literal('flood'),
    target,
    /** packets per second; absent: line rate for the packet size */
    rate: positive.max(1e8, 'must be <= 100000000 per second').optional(),
    arrivals: z.enum(['constant', 'poisson']).default('constant'),
    packetBytes: count.default(1500),
    startS: nonNegative.optional(),
  }),
]);

const nic = z.strictObject({
  linkGbps: positive.default(1),
  memoryBytes: count.default(1024 * 1024),
  msiVectors: count.default(8),
  dmaArbiter: z.enum(['strict', 'wrr', 'drr']).default('drr'),
  drrQuantumBytes: count.default(1514),
  rxRing: count.default(256),
  txRing: count.default(256),
  /** The single device buffer of the shared NIC (xen-idd, native). */
  sharedBufferBytes: count.default(256 * 1024),
});

/** A scenario file (docs/formats/scenario.md); parsing fills in the defaults. */
export const scenarioSchema = z
  .strictObject({
    $schema: schemaRef,
    name: z.string().min(1, 'must not be empty'),
    description: z.string().default(''),
    arch: z.enum(ARCHS).default('vnic'),
    cores: z.enum(CORE_LAYOUTS).default('multi'),
    durationS: positive.default(10),
    seed: z.number().int('must be an integer').nonnegative('must be >= 0').default(1),
    nic: nic.default(nic.parse({})),
    vms: z.array(vm).min(1, 'must list at least one VM').max(64, 'at most 64 VMs'),
    streams: z.array(stream).max(1000, 'at most 1000 streams').default([]),
    /** A calibration profile: a file path relative to the scenario, or omitted for the built-in default. */
    calibration: z.string().optional(),
  })
  .superRefine((s, ctx) => {
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

const distribution = z.enum(SERVICE_DISTRIBUTIONS, `must be one of ${SERVICE_DISTRIBUTIONS.join(', ')}`);
/** How a cost varies from job to job; lognormal needs its coefficient of variation (sd / mean). */
const variability = z
  .strictObject({ distribution, cv: nonNegative.optional() })
  .refine((v) => v.distribution !== 'lognormal' || v.cv !== undefined, { message: 'a lognormal service time needs cv', path: ['cv'] })
  .refine((v) => v.distribution === 'lognormal' || v.cv === undefined, { message: 'cv applies to lognormal only', path: ['cv'] });
/** A demand: a mean in ns (varying as the profile's `serviceTime` says), or a mean with its own variability. */
const demand = z.union([
  nonNegative,
  z
    .strictObject({ meanNs: nonNegative, distribution: distribution.optional(), cv: nonNegative.optional() })
    .refine((v) => v.distribution !== 'lognormal' || v.cv !== undefined, { message: 'a lognormal service time needs cv', path: ['cv'] })
    .refine((v) => v.distribution === undefined || v.distribution === 'lognormal' || v.cv === undefined, { message: 'cv applies to lognormal only', path: ['cv'] }),
]);

/** A calibration profile (docs/formats/calibration.md): CPU demands per operation and the NIC's DMA timing. */
export const calibrationSchema = z.strictObject({
  $schema: schemaRef,
  description: z.string().default(''),
  /** The variability of every demand given as a plain number; absent: deterministic. */
  serviceTime: variability.optional(),
  demandsNs: z.record(z.string(), demand),
  nic: z.strictObject({ dmaSetupNs: nonNegative, dmaBytesPerNs: positive, vmmIrqNs: nonNegative.optional() }),
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
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, error: `${path}: not valid JSON (${(e as Error).message})` };
  }
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
  const path = file === undefined ? join(dataDir('calibration'), 'default.json') : join(baseDir, file);
  const raw = readJson(path);
  return raw.ok ? parseCalibration(raw.value, path) : raw;
}
