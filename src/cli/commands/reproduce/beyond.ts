/**
 * Beyond the paper: (a) scalability to 16 VMs, (b) a flood's interference with another VM, (c) the mixed
 * architecture's cost. Same simulator, same calibration, same loss criterion as the paper's configurations.
 */
import type { Arch } from '../../../../spec/scenario.js';
import { MIXED_ARCHS, interference, mixedRates, mixedScenario, scalingScenario, scalingVms, type Effort } from './configs.js';
import { perStream, probed, total, type Lab, type Point, type Setting } from './lab.js';
import { cpuAt, type CpuAtMax } from './paper.js';
import { maxLossless } from './search.js';

export const SCALING_ARCHS: readonly Arch[] = ['xen-idd', 'vnic'];

export interface ScalingRow {
  readonly arch: Arch;
  readonly vms: number;
  readonly maxOfferedRatePerVm: number | null;
  readonly perVmThroughput: number | null;
  readonly aggregateThroughput: number | null;
  /** cpu0 at the maximum: the VMM's and the driver domain's shares. */
  readonly vmm: number | null;
  readonly driverDomain: number | null;
  /**
   * cpu0 at 90% of the maximum. At the maximum itself the VMs' cores are saturated, their drivers poll (interrupts
   * stay masked, NAPI-style) and the VMM forwards almost nothing: below saturation shows what interrupts cost.
   */
  readonly vmmBelow: number | null;
  readonly driverDomainBelow: number | null;
  /** Mean utilisation of the VMs' own cores at the maximum. */
  readonly vmCores: number | null;
  readonly searchProbes: number;
}

const share = (cpus: readonly CpuAtMax[], run: string): number | null => {
  const c = cpus.find((x) => x.runs.includes(run));
  return c === undefined ? null : (c.byRun[run] ?? null);
};

/**
 * Where to start looking for N VMs' maximum: the power law per-VM max ∝ N^k through the maxima of the first two
 * counts (k ≈ 0 when each VM is bounded by its own core, k ≈ −1 when a shared core is the bottleneck), the first
 * count's maximum for the second, 1000 req/s for the first. Only the number of probes depends on it, not the result
 * (up to the search's tolerance). The first two counts are searched one after the other, then all the others at
 * once: the longest chain of sequential probes is three searches long, not one per count.
 */
export function scalingGuess(first: readonly { vms: number; rate: number }[], n: number): number {
  const [a, b] = first;
  if (a === undefined) return 1000;
  if (b === undefined) return a.rate;
  const k = Math.log(b.rate / a.rate) / Math.log(b.vms / a.vms);
  return b.rate * (n / b.vms) ** k;
}

/** How many of the smallest VM counts are searched first, one after the other, to guess the others from. */
const SEED_COUNTS = 2;

async function scalingRow(lab: Lab, arch: Arch, e: Effort, n: number, guess: number): Promise<ScalingRow | undefined> {
  const setting: Setting = { scenario: scalingScenario(n), arch, cores: 'multi', length: e.beyond, vary: 'open-loop' };
  const found = await lab.unlessStopped(maxLossless({ guess, probe: async (r) => probed(await lab.point(setting, r, 'probe')) }));
  if (found === undefined) return undefined;
  const best = found.best?.value;
  const cpus = best ? cpuAt(best) : [];
  const vmCores = cpus.filter((c) => c.id !== 'cpu0');
  const atBelow = found.best ? await lab.unlessStopped(lab.point(setting, Math.round(found.best.rate * 9) / 10, 'probe')) : undefined;
  if (found.best && atBelow === undefined) return undefined;
  const below = atBelow ? cpuAt(atBelow) : [];
  return {
    arch,
    vms: n,
    maxOfferedRatePerVm: found.best?.rate ?? null,
    perVmThroughput: best ? perStream(best) : null,
    aggregateThroughput: best ? total(best) : null,
    vmm: best ? share(cpus, 'vmm') : null,
    driverDomain: best ? share(cpus, 'driver-domain') : null,
    vmmBelow: best ? share(below, 'vmm') : null,
    driverDomainBelow: best ? share(below, 'driver-domain') : null,
    vmCores: vmCores.length === 0 ? null : vmCores.reduce((a, c) => a + c.utilisation, 0) / vmCores.length,
    searchProbes: found.probes,
  };
}

async function scalingFor(lab: Lab, arch: Arch, e: Effort): Promise<ScalingRow[]> {
  const counts = scalingVms(e);
  const rows: (ScalingRow | undefined)[] = [];
  const maxima: { vms: number; rate: number }[] = [];
  for (const n of counts.slice(0, SEED_COUNTS)) {
    const row = await scalingRow(lab, arch, e, n, scalingGuess(maxima, n));
    rows.push(row);
    if (row === undefined) break;
    if (row.maxOfferedRatePerVm !== null) maxima.push({ vms: n, rate: row.maxOfferedRatePerVm });
  }
  if (!rows.includes(undefined)) rows.push(...(await Promise.all(counts.slice(SEED_COUNTS).map((n) => scalingRow(lab, arch, e, n, scalingGuess(maxima, n))))));
  // A stop ends the rows at the first count it left unfinished: those of fewer VMs are finished.
  const stop = rows.indexOf(undefined);
  return (stop < 0 ? rows : rows.slice(0, stop)) as ScalingRow[];
}

export async function runScaling(lab: Lab, e: Effort): Promise<ScalingRow[]> {
  const perArch = await Promise.all(SCALING_ARCHS.map((a) => scalingFor(lab, a, e)));
  return perArch.flat();
}

export interface InterferenceResult {
  readonly victim: string;
  readonly attacker: string;
  readonly victimRate: number;
  readonly lineRate: number;
  readonly curves: readonly { readonly arch: Arch; readonly points: readonly Point[] }[];
}

export async function runInterference(lab: Lab, e: Effort): Promise<InterferenceResult> {
  const { scenario, rates, lineRate } = interference(e);
  const victimStream = scenario.streams.find((s) => s.kind === 'open-loop');
  const floodStream = scenario.streams.find((s) => s.kind === 'flood');
  if (victimStream?.kind !== 'open-loop' || floodStream?.kind !== 'flood' || !('vm' in floodStream.target)) throw new Error("built-in scenario 'flood' changed shape");
  const curves = await Promise.all(
    SCALING_ARCHS.map(async (arch) => {
      const setting: Setting = { scenario, arch, cores: 'multi', length: e.flood, vary: 'flood' };
      return { arch, points: await lab.grid(setting, rates) };
    }),
  );
  return { victim: victimStream.vm, attacker: floodStream.target.vm, victimRate: victimStream.rate, lineRate, curves };
}

export interface MixedRow {
  readonly arch: Arch;
  readonly vm: string;
  readonly attachment: string;
  readonly bestEffort: boolean;
  readonly maxOfferedRate: number | null;
  readonly throughput: number | null;
  readonly lossyRate: number | null;
  /** cpu0 shares at this VM's maximum. */
  readonly vmm: number | null;
  readonly driverDomain: number | null;
}

export interface MixedResult {
  readonly msiVectors: number;
  readonly rows: readonly MixedRow[];
  readonly curves: readonly { readonly arch: Arch; readonly points: readonly Point[] }[];
}

/**
 * All VMs at the same offered rate. VMs attached the same way (vNIC, or bridged) form a group, and a group's maximum
 * is the highest rate at which each of *its* VMs lost ≤ 1%: the vNIC VMs' maximum shows whether the bridged VMs'
 * overload of the driver domain reaches them. The all-vNIC comparison has enough vectors for every VM; xen-idd
 * bridges everyone.
 */
export async function runMixed(lab: Lab, e: Effort): Promise<MixedResult> {
  const base = mixedScenario();
  const rates = mixedRates(e);
  const perArch = await Promise.all(
    MIXED_ARCHS.map(async (arch) => {
      const scenario = arch === 'vnic' ? { ...base, nic: { ...base.nic, msiVectors: Math.max(base.nic.msiVectors, base.vms.length + 1) } } : base;
      const setting: Setting = { scenario, arch, cores: 'multi', length: e.beyond, vary: 'open-loop' };
      const points = await lab.grid(setting, rates, 'grid-before-search');
      // Stopped before the grid was complete: its points, and no maxima.
      if (points.length < rates.length) return { arch, points, rows: [] };
      const attachment = (vm: string): string => points[0]!.vms.find((v) => v.id === vm)?.attachment ?? 'unknown';
      const groups = [...new Set(base.vms.map((v) => attachment(v.name)))].map((a) => base.vms.filter((v) => attachment(v.name) === a).map((v) => v.name));
      const found = await Promise.all(
        groups.map(async (only) => ({
          only,
          found: await lab.unlessStopped(maxLossless({ grid: points.map((p) => probed(p, only)), probe: async (r) => probed(await lab.point(setting, r, 'probe'), only) })),
        })),
      );
      const rows = base.vms.flatMap((vm): MixedRow[] => {
        const g = found.find((x) => x.only.includes(vm.name))!.found;
        if (g === undefined) return []; // its group's search was stopped
        const best = g.best?.value;
        const cpus = best ? cpuAt(best) : [];
        return [{
          arch,
          vm: vm.name,
          attachment: attachment(vm.name),
          bestEffort: vm.bestEffort,
          maxOfferedRate: g.best?.rate ?? null,
          throughput: best ? perStream(best, [vm.name]) : null,
          lossyRate: g.lossyRate ?? null,
          vmm: best ? share(cpus, 'vmm') : null,
          driverDomain: best ? share(cpus, 'driver-domain') : null,
        }];
      });
      return { arch, points, rows };
    }),
  );
  return { msiVectors: base.nic.msiVectors, rows: perArch.flatMap((a) => a.rows), curves: perArch.map((a) => ({ arch: a.arch, points: a.points })) };
}
