/**
 * One file, one system, two executions: a system file (system-file.ts) run by the simulator. A scenario names it
 * with `"system"` (a path, a built-in name, or the system itself) instead of listing `vms`: the system gives the VMs,
 * their QoS and the NIC, in real units through its `units` (one abstract byte is `units.bytes` bytes, one tick
 * `units.tickS` seconds); the scenario keeps what only a simulation has — duration, cores, seed, calibration, link
 * speed and its streams. Without streams, the traffic follows the system's roles (`streamsOfSystem`).
 *
 * What stays the checker's: the environment's nondeterminism (which packet sizes arrive when, hostile drivers,
 * churn). A VM detached at boot stays detached in a simulation (no churn attaches it); drivers are the specified ones.
 */
import { isAbsolute, join } from 'node:path';
import { BUILT_IN_SYSTEMS, loadSystem, parseSystem, type SystemFile } from './system-file.js';
import { MAX_FRAME_BYTES, MIN_FRAME_BYTES, formatIssues, scenarioSchema, type Loaded, type Scenario, type ScenarioParsed, type StreamSpec } from './scenario.js';

/** An unknown destination for the unknown-MAC flood (no VM owns MACs from 0x100: see packet.ts). */
const UNKNOWN_MAC = 0x100;

type ScenarioVm = Scenario['vms'][number];
type ScenarioNic = Scenario['nic'];

/** A system's real quantities, each checked against what the simulator accepts; problems as `field: message`. */
interface Real {
  readonly vms: ScenarioVm[];
  readonly nic: Omit<ScenarioNic, 'linkGbps'>;
  readonly problems: string[];
}

/** The system's VMs and NIC in the simulator's units. */
export function realOfSystem(s: SystemFile): Real {
  const bytes = s.units.bytes;
  const problems: string[] = [];
  const frameBytes = (what: string, n: number): number => {
    const b = n * bytes;
    if (b < MIN_FRAME_BYTES) problems.push(`${what} × units.bytes = ${b} bytes: the simulator needs at least one ${MIN_FRAME_BYTES}-byte frame (raise units.bytes)`);
    return b;
  };
  const vms = s.vms.map((v, i): ScenarioVm => ({
    name: v.name ?? `vm${i}`,
    qos: {
      rateMbps: (v.qos.rate * bytes * 8) / s.units.tickS / 1e6,
      burstBytes: frameBytes(`vms[${i}].qos.burst`, v.qos.burst),
      partitionBytes: frameBytes(`vms[${i}].qos.capacity`, v.qos.capacity),
      priority: v.qos.priority,
      weight: v.qos.weight,
    },
    bestEffort: v.bestEffort,
    attached: v.attached,
    replyBytes: Math.max(MIN_FRAME_BYTES, Math.min(MAX_FRAME_BYTES, s.sizes[0]! * bytes)),
  }));
  const capacities = s.vms.map((v) => v.qos.capacity);
  const total = capacities.reduce((a, c) => a + c, 0);
  const nic: Real['nic'] = {
    memoryBytes: frameBytes('nic.memory', s.nic.memory ?? total + s.vms.length),
    msiVectors: s.nic.msiVectors ?? s.vms.length,
    dmaArbiter: s.nic.dmaArbiter,
    drrQuantumBytes: frameBytes('nic.drrQuantum', s.nic.drrQuantum ?? Math.max(...s.sizes)),
    rxRing: s.nic.rxRing,
    txRing: s.nic.txRing,
    // As in the checker: under xen-idd the shared buffer holds every VM's share; under mixed it is the driver
    // domain's own vNIC partition, as large as the largest VM's (spec/checked/model.ts boots it so).
    sharedBufferBytes:
      s.arch === 'mixed' ? frameBytes('the largest VM capacity', Math.max(...capacities)) : frameBytes('the VMs\' capacities together', total),
  };
  return { vms, nic, problems };
}

/**
 * The traffic a system's roles stand for, in a simulation: a conforming VM gets requests of the largest size at
 * exactly its rate; a flooding VM and an adversary (its worst case) a flood at line rate; an idle VM nothing; with
 * unknownTraffic, a line-rate flood to a MAC no VM owns.
 */
export function streamsOfSystem(s: SystemFile, vms: readonly ScenarioVm[]): { streams: StreamSpec[]; problems: string[] } {
  const largest = Math.max(...s.sizes) * s.units.bytes;
  const problems =
    largest > MAX_FRAME_BYTES ? [`sizes: the largest packet, ${Math.max(...s.sizes)} × units.bytes = ${largest} bytes, is no Ethernet frame (at most ${MAX_FRAME_BYTES} bytes)`] : [];
  const size = Math.max(MIN_FRAME_BYTES, Math.min(MAX_FRAME_BYTES, largest));
  const streams: StreamSpec[] = [];
  s.vms.forEach((v, i) => {
    const vm = vms[i]!.name;
    if (v.traffic === 'conforming') {
      const perSecond = (vms[i]!.qos.rateMbps * 1e6) / 8 / size;
      streams.push({ kind: 'open-loop', vm, rate: perSecond, arrivals: 'constant', requestBytes: size });
    } else if (v.traffic === 'flooding' || v.traffic === 'adversary') {
      streams.push({ kind: 'flood', target: { vm }, arrivals: 'constant', packetBytes: size });
    }
  });
  if (s.unknownTraffic) streams.push({ kind: 'flood', target: { mac: UNKNOWN_MAC }, arrivals: 'constant', packetBytes: size });
  return { streams, problems };
}

/** The NIC fields a system gives; a scenario naming a system may only set the others (linkGbps). */
const SYSTEM_NIC_FIELDS = ['memoryBytes', 'msiVectors', 'dmaArbiter', 'drrQuantumBytes', 'rxRing', 'txRing', 'sharedBufferBytes'] as const;

/** The system a scenario names: loaded (a built-in name, or a path relative to `baseDir`) or given inline. */
function systemOf(ref: string | Record<string, unknown>, where: string, baseDir: string): Loaded<SystemFile> {
  if (typeof ref !== 'string') return parseSystem(ref, `${where}: system`);
  const builtIn = (BUILT_IN_SYSTEMS as readonly string[]).includes(ref);
  const s = loadSystem(builtIn || isAbsolute(ref) ? ref : join(baseDir, ref));
  return s.ok ? s : { ok: false, error: `${where}: system: ${s.error}` };
}

/**
 * The scenario with its system resolved: the system's VMs and NIC, its arch unless the scenario gives one, and
 * streams from its roles unless the scenario gives them. `raw` is the file as written (to tell given fields from
 * defaults).
 */
export function resolveScenarioSystem(parsed: ScenarioParsed, raw: Record<string, unknown>, where: string, baseDir: string): Loaded<Scenario> {
  const loaded = systemOf(parsed.system!, where, baseDir);
  if (!loaded.ok) return loaded;
  const system = loaded.value;
  const rawNic = raw['nic'];
  const problems: string[] = [];
  if (rawNic !== null && typeof rawNic === 'object') {
    for (const k of SYSTEM_NIC_FIELDS) {
      if (k in rawNic) problems.push(`${where}: nic.${k}: the system gives the NIC; with system only nic.linkGbps may be set here`);
    }
  }
  const real = realOfSystem(system);
  problems.push(...real.problems.map((p) => `${where}: system: ${p}`));
  let streams = parsed.streams;
  if (raw['streams'] === undefined) {
    const derived = streamsOfSystem(system, real.vms);
    problems.push(...derived.problems.map((p) => `${where}: system: ${p}`));
    streams = derived.streams;
  }
  if (problems.length > 0) return { ok: false, error: problems.join('\n') };
  const { system: _system, vms: _vms, ...rest } = parsed;
  const assembled = {
    ...rest,
    arch: raw['arch'] === undefined ? system.arch : parsed.arch,
    nic: { ...real.nic, linkGbps: parsed.nic.linkGbps },
    vms: real.vms,
    streams,
  };
  // Checked again as a whole: streams naming the system's VMs, and every derived quantity in its range.
  const again = scenarioSchema.safeParse(assembled);
  if (!again.success) return { ok: false, error: formatIssues(again.error, `${where} (with the system's VMs and NIC)`) };
  return { ok: true, value: { ...again.data, vms: again.data.vms! } as Scenario };
}

/** A scenario for `simulate --system`: the system alone, its traffic from its roles, the scenario defaults otherwise. */
export function scenarioOfSystem(system: string | Record<string, unknown>, where: string): Loaded<Scenario> {
  const loaded = typeof system === 'string' ? loadSystem(system) : parseSystem(system, where);
  if (!loaded.ok) return loaded;
  const s = loaded.value;
  const raw = { name: s.name, description: s.description, system: s as unknown as Record<string, unknown> };
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, error: formatIssues(parsed.error, where) };
  return resolveScenarioSystem(parsed.data, raw, where, '.');
}
