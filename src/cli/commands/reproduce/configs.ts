/**
 * What `reproduce` runs: the paper's configurations (§2 Figures 1–2: a single-core httperf server non-virtualized,
 * virtualized and consolidated; §5 Figures 5–6: two VMs on a multi-core server under Xen's driver domain and under
 * the proposed vNICs) and three experiments beyond the paper. Every scenario is a built-in scenario file with its
 * rates changed, or generated here from the same defaults, so `vnicspec simulate` can rerun any point.
 */
import { loadScenario, parseScenario, type Arch, type CoreLayout, type Scenario } from '../../../../spec/scenario.js';

/** A run's length: `runS` simulated seconds, of which the first `warmupS` are not counted. */
export interface RunLength {
  readonly runS: number;
  readonly warmupS: number;
}

/**
 * How long and how finely: the full report, or `--quick` (a smoke run: coarse grids, short runs). Service times
 * are random (the calibration's), so near a knee the queues wander: the warm-up lets them fill before counting, and
 * the window is long enough that what is still queued at its end stays well below 1% of the requests.
 */
export interface Effort {
  readonly quick: boolean;
  /** The paper's configurations. */
  readonly paper: RunLength;
  /** Scalability and the mixed architecture (up to 16 VMs × 1500 req/s). */
  readonly beyond: RunLength;
  /** Interference (a flood at line rate is ~83,000 packets per simulated second). */
  readonly flood: RunLength;
  readonly seeds: readonly number[];
}

export const effortOf = (quick: boolean, seeds: number, firstSeed: number): Effort => ({
  quick,
  paper: quick ? { runS: 1.5, warmupS: 0.5 } : { runS: 10, warmupS: 2 },
  beyond: quick ? { runS: 1, warmupS: 0.25 } : { runS: 3, warmupS: 1 },
  flood: quick ? { runS: 0.5, warmupS: 0.1 } : { runS: 2, warmupS: 0.5 },
  seeds: Array.from({ length: seeds }, (_, k) => firstSeed + k),
});

export type ConfigName =
  | 'native-single-core'
  | 'xen-idd-1vm-single-core'
  | 'xen-idd-single-core'
  | 'xen-idd-multi-core'
  | 'vnic-multi-core';

export interface PaperConfig {
  readonly name: ConfigName;
  readonly title: string;
  /** The figures of the paper it mirrors. */
  readonly figures: readonly string[];
  readonly arch: Arch;
  readonly cores: CoreLayout;
  readonly scenario: Scenario;
  /** Offered rates per stream for the charts, req/s. */
  readonly rates: readonly number[];
}

function builtIn(name: string): Scenario {
  const s = loadScenario(name);
  // A built-in that does not load is a packaging bug, not bad input.
  if (!s.ok) throw new Error(`built-in scenario '${name}' does not load: ${s.error}`);
  return s.value.scenario;
}

export function generated(raw: unknown, name: string): Scenario {
  const s = parseScenario(raw, `generated scenario ${name}`);
  if (!s.ok) throw new Error(s.error);
  return s.value;
}

const grid = (from: number, to: number, step: number): number[] => {
  const out: number[] = [];
  for (let r = from; r <= to + 1e-9; r += step) out.push(Number(r.toPrecision(12)));
  return out;
};

export function paperConfigs(e: Effort): PaperConfig[] {
  const oneVm = builtIn('single-vm');
  const twoVms = builtIn('httperf-2vm');
  // Grids reach past each knee of the built-in calibration (~1700, ~860, ~430, ~960, ~1540 req/s); the search
  // gallops beyond a grid that does not (another calibration).
  const wide = e.quick ? grid(100, 1900, 300) : grid(100, 2000, 100);
  const narrow = e.quick ? grid(100, 1000, 150) : grid(50, 1200, 50);
  return [
    { name: 'native-single-core', title: 'non-virtualized server (one core)', figures: ['Figure 1', 'Figure 2'], arch: 'native', cores: 'single', scenario: oneVm, rates: wide },
    { name: 'xen-idd-1vm-single-core', title: 'virtualized server: one VM behind the Xen driver domain (one core)', figures: ['Figure 1', 'Figure 2'], arch: 'xen-idd', cores: 'single', scenario: oneVm, rates: narrow },
    { name: 'xen-idd-single-core', title: 'consolidated server: two VMs behind the Xen driver domain (one core)', figures: ['Figure 1', 'Figure 2', '§5'], arch: 'xen-idd', cores: 'single', scenario: twoVms, rates: narrow },
    { name: 'xen-idd-multi-core', title: 'two VMs behind the Xen driver domain, VMM/IDD and each VM on its own core', figures: ['Figure 5'], arch: 'xen-idd', cores: 'multi', scenario: twoVms, rates: wide },
    { name: 'vnic-multi-core', title: 'two VMs with their own virtual NICs, VMM and each VM on its own core', figures: ['Figure 6'], arch: 'vnic', cores: 'multi', scenario: twoVms, rates: wide },
  ];
}

/**
 * (a) N VMs, one httperf stream each, on N + 1 cores (VMM and driver domain on cpu0). The NIC grows with N: a
 * vector and a default 128 KiB partition per VM and one for the driver domain (the default NIC has 8 vectors and
 * 1 MiB, which would refuse the ninth vNIC).
 */
export function scalingScenario(n: number): Scenario {
  const vms = Array.from({ length: n }, (_, i) => ({ name: `vm${i + 1}` }));
  const streams = vms.map((v) => ({ kind: 'open-loop', vm: v.name, rate: 1000 }));
  const nic = { msiVectors: Math.max(8, n + 1), memoryBytes: Math.max(1024 * 1024, (n + 1) * 128 * 1024) };
  return generated({ name: `scale-${n}vm`, description: `${n} VMs, one httperf stream each`, vms, streams, nic }, `scale-${n}vm`);
}

export const scalingVms = (e: Effort): number[] => (e.quick ? [2, 4] : [2, 4, 6, 8, 10, 12, 14, 16]);

/** (b) The built-in flood scenario: vm1 serves httperf (the victim), vm2 is flooded with 1500-byte packets. */
export function interference(e: Effort): { scenario: Scenario; rates: number[]; lineRate: number } {
  const scenario = builtIn('flood');
  const flood = scenario.streams.find((s) => s.kind === 'flood');
  if (flood === undefined || flood.kind !== 'flood') throw new Error("built-in scenario 'flood' has no flood stream");
  const lineRate = (scenario.nic.linkGbps * 1e9) / 8 / flood.packetBytes;
  const fractions = e.quick ? [0, 0.5, 1] : [0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1];
  return { scenario, rates: fractions.map((f) => Number((f * lineRate).toPrecision(9))), lineRate };
}

/**
 * (c) The built-in mixed-3vm set-up (three MSI vectors: the driver domain and vm1, vm2 get vNICs, best-effort vm3
 * is bridged) with a second best-effort VM, vm4: two bridged VMs are what it takes to load the driver domain's
 * core as Xen's two VMs do.
 */
export function mixedScenario(): Scenario {
  const base = builtIn('mixed-3vm');
  const extra = { ...base.vms[base.vms.length - 1]!, name: 'vm4', bestEffort: true };
  const stream = base.streams.find((s) => s.kind === 'open-loop');
  if (stream === undefined || stream.kind !== 'open-loop') throw new Error("built-in scenario 'mixed-3vm' has no open-loop stream");
  return generated(
    {
      ...base,
      name: 'mixed-4vm',
      description: `${base.description} Plus vm4, best effort and bridged too.`,
      vms: [...base.vms, extra],
      streams: [...base.streams, { ...stream, vm: 'vm4' }],
    },
    'mixed-4vm',
  );
}

export const MIXED_ARCHS: readonly Arch[] = ['mixed', 'vnic', 'xen-idd'];

export const mixedRates = (e: Effort): number[] => (e.quick ? grid(300, 2100, 600) : grid(100, 2000, 100));
