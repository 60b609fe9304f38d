/**
 * System files: the user's own system for `vnicspec check --system FILE` (docs/formats/system.md) — the VMs with
 * their QoS, the packet sizes in play, the traffic the environment may offer each VM and whether its driver is
 * hostile, unknown-destination traffic, the NIC's DMA arbiter, rings, vectors and memory, and churn. The command
 * line's flags (`--arch`, `--vms`, `--capacity`, `--sizes`, …) are shortcuts that build the same object
 * (spec/checked/config.ts: `systemOfShortcuts`), and `vnicspec simulate` runs the same VMs and QoS (spec/scenario.ts:
 * a scenario's `system` field), so one file describes one system for both executions.
 *
 * Quantities are the checker's: abstract bytes and ticks of abstract time, kept small so that every reachable state
 * can be visited. `units` says what they are in the real world when the simulator runs the file: one abstract byte
 * is `units.bytes` bytes, one tick `units.tickS` seconds.
 *
 * Validated with zod like scenario files: every error names its field and the range allowed and why
 * (`paper.json: vms[1].qos.rate: must be an integer from 1 to 64 bytes per tick (…) (got 0)`); numbers follow the one
 * grammar of src/util/number-grammar.ts. JSON files may start with a byte-order mark.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { showValue, zNumber, zOneOf, type Bound } from '../src/util/number-grammar.js';
import { formatIssues, readJsonFile, schemaRef, visibleName, type Loaded } from './json-file.js';

/** The architectures a system can be checked under (the native reference has no VMs to isolate). */
export const SYSTEM_ARCHS = ['vnic', 'xen-idd', 'mixed'] as const;
/** The traffic the environment may offer a VM. */
export const TRAFFIC_ROLES = ['conforming', 'flooding', 'idle', 'adversary'] as const;
/** How a VM's driver behaves towards register sets it does not own. */
export const DRIVER_KINDS = ['honest', 'hostile'] as const;
/** The DMA arbiters (spec/dma-arbiter.ts). */
export const SYSTEM_ARBITERS = ['strict', 'wrr', 'drr'] as const;

/** At most this many VMs in a file: MACs 1..vms stay below the unknown MAC, and random search takes 32 (check --random). */
export const SYSTEM_MAX_VMS = 32;

const ABSTRACT = 'abstract bytes, each units.bytes real bytes: the checker counts every one, so small numbers keep the state space finite';
export const PACKET_SIZE: Bound = { integer: true, min: 1, max: 64, unit: 'bytes', why: ABSTRACT };
const RATE: Bound = { integer: true, min: 1, max: 64, unit: 'bytes per tick', why: 'whole abstract bytes per tick, so token counts stay whole' };
const BYTES: Bound = { integer: true, min: 1, max: 1024, unit: 'bytes', why: ABSTRACT };
const MEMORY: Bound = { integer: true, min: 1, max: 65536, unit: 'bytes', why: ABSTRACT };
const PRIORITY: Bound = { integer: true, min: 0, max: 1000 };
const WEIGHT: Bound = { integer: true, min: 1, max: 1000 };
const RING: Bound = { integer: true, min: 1, max: 64, unit: 'descriptors', why: 'every descriptor is state the checker visits' };
const VECTORS: Bound = { integer: true, min: 1, max: 64, why: 'each vector is a vNIC register set, one machine of the checked system' };
const UNIT_BYTES: Bound = { integer: true, min: 1, max: 9216, unit: 'bytes', why: 'at most the largest jumbo frame' };
const TICK_S: Bound = { min: 1e-9, max: 1, unit: 'seconds', why: "from the simulator's clock tick, 1 ns, to a second" };

// Field descriptions (`describe`) are what editors show from the JSON Schema and what docs/formats/system.md tabulates.
const qos = z.strictObject({
  rate: zNumber(RATE).default(1).describe("Bytes the vNIC admits per tick of abstract time: its token bucket's rate."),
  burst: zNumber(BYTES).default(1).describe("Bytes admitted back to back: the bucket's depth."),
  capacity: zNumber(BYTES).default(2).describe("Bytes of device memory in the VM's partition (xen-idd: its share of the one shared buffer)."),
  priority: zNumber(PRIORITY).default(0).describe('Strict DMA arbitration: larger wins.'),
  weight: zNumber(WEIGHT).default(1).describe("wrr and drr: the vNIC's share of DMA grants (wrr: packets, drr: bytes)."),
});

/** true or false, worded like the other fields: `must be true or false (got "yes")`. */
const zBoolean = () => z.boolean({ error: (iss) => `must be true or false (got ${showValue(iss.input)})` });

const vm = z.strictObject({
  name: visibleName("the VM's name").optional().describe("The VM's name in reports and in simulate; absent: vm0, vm1, … (traces always call VM i vmi)."),
  qos: qos.default(qos.parse({})).describe("The VM's bandwidth specification and DMA share, as the VMM gives them to its vNIC (§3.1)."),
  traffic: zOneOf(TRAFFIC_ROLES)
    .default('conforming')
    .describe(
      'What the environment may offer this VM: conforming — packets within its bandwidth specification (a shadow token bucket decides); flooding — packets at any rate; idle — nothing; adversary — at every step any of these: a conforming packet, a flood packet or nothing.',
    ),
  driver: zOneOf(DRIVER_KINDS)
    .default('honest')
    .describe(
      "honest: the native driver of spec/vm-driver.ts; hostile: besides that, at any step it writes to register sets it does not own — another VM's vNIC, or its own after the VMM tore it down (posts a transmit, returns an Rx descriptor, unmasks the interrupt).",
    ),
  attached: zBoolean().default(true).describe('Given a vNIC by the VMM at boot; a VM that is not can only be attached by churn (to a slot and vector another VM freed).'),
  bestEffort: zBoolean().default(false).describe('mixed: the VM may be bridged through the driver domain when vectors or memory run out (otherwise the VMM refuses it).'),
});

const nic = z.strictObject({
  dmaArbiter: zOneOf(SYSTEM_ARBITERS).default('drr').describe('How vNICs share the DMA engine: strict priority, weighted round-robin by packets, or deficit round-robin by bytes.'),
  drrQuantum: zNumber(BYTES).optional().describe('drr: bytes a vNIC earns per unit of weight per round; absent: the largest packet size, so every turn can send a packet.'),
  rxRing: zNumber(RING).default(2).describe('Receive descriptors per VM ring.'),
  txRing: zNumber(RING).default(1).describe('Transmit descriptors per VM ring.'),
  msiVectors: zNumber(VECTORS).optional().describe('MSI vectors, one per vNIC register set (vnic, mixed); absent: one per VM.'),
  memory: zNumber(MEMORY)
    .optional()
    .describe("Device memory the VMM partitions among vNICs (vnic, mixed), bytes; absent: the VMs' capacities plus one byte per VM (room to grow a partition by a byte)."),
});

const churn = z.strictObject({
  enabled: zBoolean()
    .default(false)
    .describe('The environment may ask the VMM at any step to detach a VM, attach one (it gets the first free slot and vector, possibly one another VM left) or resize a partition.'),
  resizeTo: z
    .array(zNumber(BYTES), 'must be a list of partition sizes')
    .max(4, 'must list at most 4 sizes')
    .optional()
    .describe("Partition sizes a vNIC may be resized to, besides its VM's capacity; absent: one byte less than the capacity."),
});

const units = z.strictObject({
  bytes: zNumber(UNIT_BYTES).default(512).describe('Real bytes in one abstract byte (simulate).'),
  tickS: zNumber(TICK_S).default(1e-5).describe('Real seconds in one tick of abstract time (simulate).'),
});

/** A system file (docs/formats/system.md); parsing fills in the defaults. */
export const systemSchema = z
  .strictObject({
    $schema: schemaRef,
    name: visibleName("the system's name").default('system').describe("The system's name, printed in reports."),
    description: z.string('must be a string').max(2000, 'must be at most 2000 characters long').default('').describe('One sentence saying what the system is.'),
    arch: zOneOf(SYSTEM_ARCHS)
      .default('vnic')
      .describe(
        "vnic: a virtual NIC per VM (the paper's design); xen-idd: the shared NIC behind a Xen driver domain (the baseline); mixed: vNICs while vectors and memory last, best-effort VMs bridged through a driver domain that has a vNIC itself.",
      ),
    sizes: z
      .array(zNumber(PACKET_SIZE), 'must be a list of packet sizes')
      .min(1, 'must list at least one packet size')
      .max(4, 'must list at most 4 packet sizes (each multiplies the arrivals the environment offers)')
      .default([1])
      .describe('The packet sizes in play, in abstract bytes: the environment offers packets of every one; partitions, buckets and DRR count their bytes.'),
    unknownTraffic: zBoolean().default(true).describe("The environment also offers packets for a MAC no VM owns (the NIC's unknown-destination path)."),
    nic: nic.default(nic.parse({})).describe('The NIC: DMA arbitration, rings, vectors and memory.'),
    churn: churn.default(churn.parse({})).describe('vNICs set up, torn down and resized while traffic flows (§3.1).'),
    units: units.default(units.parse({})).describe('What abstract bytes and ticks are in the real world, when vnicspec simulate runs this system.'),
    vms: z
      .array(vm, 'must be a list of VMs')
      .min(1, 'must list at least one VM')
      .max(SYSTEM_MAX_VMS, `must list at most ${SYSTEM_MAX_VMS} VMs`)
      .describe('The VMs; VM i (from 0) is vmi in traces and owns MAC address i + 1.'),
  })
  .superRefine((s, ctx) => {
    const seen = new Set<number>();
    s.sizes.forEach((size, i) => {
      if (seen.has(size)) ctx.addIssue({ code: 'custom', path: ['sizes', i], message: `size ${size} is listed twice` });
      seen.add(size);
    });
    const names = new Map<string, number>();
    s.vms.forEach((v, i) => names.set(v.name ?? `vm${i}`, (names.get(v.name ?? `vm${i}`) ?? 0) + 1));
    s.vms.forEach((v, i) => {
      if (v.name !== undefined && names.get(v.name)! > 1) ctx.addIssue({ code: 'custom', path: ['vms', i, 'name'], message: `duplicate VM name '${v.name}'` });
    });
  });

/** A parsed system file, defaults filled in. */
export type SystemFile = z.infer<typeof systemSchema>;
/** A system file as written (every field with a default optional): what `check({ system })` takes. */
export type SystemInput = z.input<typeof systemSchema>;
/** One VM of a system file. */
export type SystemVm = SystemFile['vms'][number];

export type { Loaded };

/** Validate a system already read as JSON (or given as an object); `where` (a file name, say) prefixes each error line. */
export function parseSystem(raw: unknown, where: string): Loaded<SystemFile> {
  const r = systemSchema.safeParse(raw);
  return r.success ? { ok: true, value: r.data } : { ok: false, error: formatIssues(r.error, where) };
}

const here = dirname(fileURLToPath(import.meta.url));
/** The system files shipped in spec/systems/ (copied next to the build like the scenarios). */
export function systemsDir(): string {
  const candidates = [join(here, 'systems'), join(here, '..', '..', 'spec', 'systems')];
  return candidates.find((d) => existsSync(d)) ?? candidates[0]!;
}

/** The systems shipped in spec/systems/: `--system NAME` takes them by name. */
export const BUILT_IN_SYSTEMS = ['paper-2vm', 'adversarial', 'churn'] as const;

/** Read and validate a system file: a built-in name or a path to a JSON file. */
export function loadSystem(nameOrFile: string): Loaded<SystemFile> {
  const builtIn = (BUILT_IN_SYSTEMS as readonly string[]).includes(nameOrFile);
  const path = builtIn ? join(systemsDir(), `${nameOrFile}.json`) : nameOrFile;
  if (!builtIn && !existsSync(path)) {
    return { ok: false, error: `no system '${nameOrFile}': not a built-in (${BUILT_IN_SYSTEMS.join(', ')}) and no such file` };
  }
  const json = readJsonFile(path);
  return json.ok ? parseSystem(json.value, path) : json;
}
