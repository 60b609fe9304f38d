/**
 * The system `vnicspec check` checks, from the command line: a system file (`--system FILE`, docs/formats/system.md)
 * or the shortcut flags, which build the same object (spec/checked/config.ts: `systemOfShortcuts`). Flags given
 * next to `--system` change the file's values, every VM alike. One path either way: flags → system object →
 * `checkConfigOf` → the checked model.
 */
import { Option, type Command } from 'commander';
import { checkConfigOf, systemOfShortcuts, type CheckArch, type CheckConfig, type CheckShortcuts, type DriverKind, type Role } from '../../spec/checked/config.js';
import type { ArbiterKind } from '../../spec/dma-arbiter.js';
import { BUILT_IN_SYSTEMS, DRIVER_KINDS, PACKET_SIZE, TRAFFIC_ROLES, loadSystem, systemSchema, type SystemFile } from '../../spec/system-file.js';
import { UsageError } from './commands/command.js';
import { invalid, listFlag } from './commands/options.js';

/** The flags that describe the system (commander's attribute names). */
export interface SystemFlags {
  system?: string;
  arch?: CheckArch;
  vms?: number;
  capacity?: number;
  dma?: ArbiterKind;
  burst?: number;
  rxRing?: number;
  churn?: boolean;
  sizes?: number[];
  roles?: Role[];
  drivers?: DriverKind[];
  /** false with --no-unknown-traffic. */
  unknownTraffic?: boolean;
}

/** At most this many packet sizes (each multiplies the arrivals the environment offers). */
const MAX_SIZES = 4;

/** `--sizes 1,3`: distinct packet sizes in abstract bytes. */
export function parseSizes(value: string): number[] {
  const sizes = listFlag('--sizes', PACKET_SIZE, MAX_SIZES)(value);
  const twice = sizes.find((s, i) => sizes.indexOf(s) !== i);
  if (twice !== undefined) throw new UsageError(`--sizes: size ${twice} is listed twice (got '${value}')`);
  return sizes;
}

/** `--roles flooding,idle`: one of `allowed` per VM. */
function choiceList<T extends string>(flag: string, allowed: readonly T[]): (value: string) => T[] {
  return (value) => {
    const items = value.split(',').map((s) => s.trim());
    const bad = items.find((s) => !(allowed as readonly string[]).includes(s));
    if (bad !== undefined) throw invalid(flag, `must be a comma-separated list, one per VM, each one of ${allowed.join(', ')}`, value);
    return items as T[];
  };
}

/** `--system`, `--sizes`, `--roles`, `--drivers` and `--no-unknown-traffic`, added to `check`. */
export function addSystemOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--system <name|file>',
        `check the system a file describes (docs/formats/system.md: VMs with their QoS, packet sizes, traffic roles, hostile drivers, NIC, churn), or a built-in one: ${BUILT_IN_SYSTEMS.join(', ')}; flags given with it change its values (every VM alike; --roles and --drivers one entry per VM), except --vms`,
      ),
    )
    .addOption(
      new Option('--sizes <list>', `packet sizes in play, in abstract bytes, e.g. 1,3: the environment offers every one; partitions, buckets and DRR count bytes; at most ${MAX_SIZES} sizes, each an integer from ${PACKET_SIZE.min} to ${PACKET_SIZE.max} (default 1)`).argParser(
        parseSizes,
      ),
    )
    .addOption(
      new Option('--roles <list>', `each VM's traffic, one per VM: ${TRAFFIC_ROLES.join(', ')} (default: the last VM floods, the others conform; a flooding VM gets DMA priority 1)`).argParser(
        choiceList('--roles', TRAFFIC_ROLES),
      ),
    )
    .addOption(
      new Option('--drivers <list>', `each VM's driver, one per VM: ${DRIVER_KINDS.join(', ')} (default: all honest; a hostile one also writes to register sets it does not own)`).argParser(
        choiceList('--drivers', DRIVER_KINDS),
      ),
    )
    .option('--no-unknown-traffic', 'offer no packets to a MAC no VM owns (by default the environment offers them too)');
}

/** The shortcut flags that were set (unset ones take `systemOfShortcuts`'s defaults). */
function shortcutsOfFlags(o: Omit<SystemFlags, 'system'>): CheckShortcuts {
  return {
    ...(o.arch !== undefined ? { arch: o.arch } : {}),
    ...(o.vms !== undefined ? { vms: o.vms } : {}),
    ...(o.capacity !== undefined ? { capacity: o.capacity } : {}),
    ...(o.dma !== undefined ? { dma: o.dma } : {}),
    ...(o.burst !== undefined ? { burst: o.burst } : {}),
    ...(o.rxRing !== undefined ? { rxRing: o.rxRing } : {}),
    ...(o.churn !== undefined ? { churn: o.churn } : {}),
    ...(o.sizes !== undefined ? { sizes: o.sizes } : {}),
    ...(o.roles !== undefined ? { roles: o.roles } : {}),
    ...(o.drivers !== undefined ? { drivers: o.drivers } : {}),
    ...(o.unknownTraffic !== undefined ? { unknownTraffic: o.unknownTraffic } : {}),
  };
}

/** A per-VM list flag must name every VM once. */
function perVmCount(o: SystemFlags, vms: number): void {
  for (const [flag, list, what] of [['--roles', o.roles, 'roles'], ['--drivers', o.drivers, 'drivers']] as const) {
    if (list !== undefined && list.length !== vms) throw new UsageError(`${flag}: lists ${list.length} ${what} for ${vms} VM${vms === 1 ? '' : 's'}; give one per VM`);
  }
}

/** The system checked, and where it came from. */
export interface CommandLineSystem {
  readonly system: SystemFile;
  readonly config: CheckConfig;
  /** The --system argument, or undefined when the flags alone describe the system. */
  readonly file: string | undefined;
}

/**
 * The system the command line describes. `given(name)`: whether a flag was on the command line (its value is not a
 * default).
 */
export function systemOfCommandLine(o: SystemFlags, given: (name: string) => boolean): CommandLineSystem {
  if (o.system === undefined) {
    perVmCount(o, o.vms ?? systemOfShortcuts().vms.length);
    const system = systemOfShortcuts(shortcutsOfFlags(o));
    return { system, config: checkConfigOf(system), file: undefined };
  }
  const loaded = loadSystem(o.system);
  if (!loaded.ok) throw new UsageError(loaded.error);
  if (given('vms')) throw new UsageError(`--vms cannot change the VMs of a system file: edit 'vms' in ${o.system}, or drop --system`);
  perVmCount(o, loaded.value.vms.length);
  const system = withFlags(loaded.value, o, given);
  return { system, config: checkConfigOf(system), file: o.system };
}

/** The file's system with the flags given on the command line applied (every VM alike). */
function withFlags(s: SystemFile, o: SystemFlags, given: (name: string) => boolean): SystemFile {
  const flag = <T>(name: keyof SystemFlags, value: T | undefined): value is T => value !== undefined && given(name);
  const qos = (q: SystemFile['vms'][number]['qos']): SystemFile['vms'][number]['qos'] => ({
    ...q,
    ...(flag('capacity', o.capacity) ? { capacity: o.capacity } : {}),
    ...(flag('burst', o.burst) ? { burst: o.burst } : {}),
  });
  const changed: SystemFile = {
    ...s,
    ...(flag('arch', o.arch) ? { arch: o.arch } : {}),
    ...(flag('sizes', o.sizes) ? { sizes: o.sizes } : {}),
    ...(flag('unknownTraffic', o.unknownTraffic) ? { unknownTraffic: o.unknownTraffic } : {}),
    nic: { ...s.nic, ...(flag('dma', o.dma) ? { dmaArbiter: o.dma } : {}), ...(flag('rxRing', o.rxRing) ? { rxRing: o.rxRing } : {}) },
    churn: flag('churn', o.churn) && o.churn ? { ...s.churn, enabled: true } : s.churn,
    vms: s.vms.map((v, i) => ({
      ...v,
      qos: qos(v.qos),
      ...(flag('roles', o.roles) ? { traffic: o.roles[i]! } : {}),
      ...(flag('drivers', o.drivers) ? { driver: o.drivers[i]! } : {}),
    })),
  };
  // The flags' own ranges lie within the file's: the result is a valid system.
  return systemSchema.parse(changed);
}

/** A word for a shell command line: as it is when safe, else in single quotes. */
const shellWord = (w: string): string => (/^[A-Za-z0-9_./:=,@%+-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);

/**
 * The system's part of a command that checks it again: `--system FILE` and the flags given with it, or undefined when
 * the flags alone describe it (the caller writes them from the configuration).
 */
export function systemArgs(o: SystemFlags, given: (name: string) => boolean): string[] | undefined {
  if (o.system === undefined) return undefined;
  const args = [`--system ${shellWord(o.system)}`];
  if (given('arch') && o.arch !== undefined) args.push(`--arch ${o.arch}`);
  if (given('capacity') && o.capacity !== undefined) args.push(`--capacity ${o.capacity}`);
  if (given('dma') && o.dma !== undefined) args.push(`--dma ${o.dma}`);
  if (given('burst') && o.burst !== undefined) args.push(`--burst ${o.burst}`);
  if (given('rxRing') && o.rxRing !== undefined) args.push(`--rx-ring ${o.rxRing}`);
  if (given('sizes') && o.sizes !== undefined) args.push(`--sizes ${o.sizes.join(',')}`);
  if (given('churn') && o.churn === true) args.push('--churn');
  if (given('roles') && o.roles !== undefined) args.push(`--roles ${o.roles.join(',')}`);
  if (given('drivers') && o.drivers !== undefined) args.push(`--drivers ${o.drivers.join(',')}`);
  if (given('unknownTraffic') && o.unknownTraffic === false) args.push('--no-unknown-traffic');
  return args;
}
