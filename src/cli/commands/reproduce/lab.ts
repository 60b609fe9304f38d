/**
 * Runs the points of the report on the simulation pool: one point is a scenario under an arch and core layout at
 * one rate, replicated over the seeds; the replications are summarised (mean, 95% CI) per VM and per core.
 */
import type { Arch, Calibration, CoreLayout, Scenario } from '../../../../spec/scenario.js';
import { summarise, type Summary } from '../../../report/stats.js';
import type { SimulationReport } from '../../../api/run-simulation.js';
import { isAbort, type SimPool } from '../../sim-pool.js';
import { withRate, type Varied } from '../sweep/plan.js';
import type { RunLength } from './configs.js';
import { LOSS_LIMIT, type Probed } from './search.js';
import { nowMs, type JobTrace } from './trace.js';

export interface VmPoint {
  readonly id: string;
  readonly attachment: string;
  readonly offeredPerS: Summary;
  readonly throughput: Summary;
  /** Fraction of requests that failed: rejected, dropped, or unanswered when the run ended. */
  readonly failed: Summary;
  readonly p99Ms: Summary;
  readonly meanMs: Summary;
}

export interface CpuPoint {
  readonly id: string;
  readonly runs: readonly string[];
  readonly utilisation: Summary;
  readonly byRun: Readonly<Record<string, Summary>>;
}

export interface Point {
  readonly rate: number;
  readonly seeds: number;
  readonly notOk: number;
  readonly vms: readonly VmPoint[];
  readonly cpus: readonly CpuPoint[];
}

export interface Setting {
  readonly scenario: Scenario;
  readonly arch: Arch;
  readonly cores: CoreLayout;
  readonly length: RunLength;
  readonly vary: Varied;
}

/**
 * How soon a point is wanted. A search's probe first: a chain of sequential probes waits on it, and those chains
 * are what the run's length is bound by. Then the grid points a search starts from (its chain cannot begin
 * before the whole grid is in), then points nothing waits on but the end of the run (fillers).
 */
export type Urgency = 'probe' | 'grid-before-search' | 'filler';
const RANK: Record<Urgency, number> = { probe: 2, 'grid-before-search': 1, filler: 0 };

/**
 * The relative cost of one run of a setting, to run the longest first among equals: simulated seconds × VMs (the
 * events per simulated second grow with the VMs; a longest-first order leaves the short runs to fill the end).
 */
export const weightOf = (s: Setting): number => s.length.runS * s.scenario.vms.length;

interface Waiting {
  /** Shared by a point's seeds: raised when the point is asked again more urgently. */
  readonly order: { rank: number };
  readonly weight: number;
  readonly seq: number;
  readonly start: () => void;
}

/**
 * Runs points on the pool, at most `pool.threads` simulations at a time, the most urgent first (see Urgency),
 * the heaviest setting first among equally urgent ones, first come first served among equals. The order changes
 * only how long the report takes, never its numbers: each run is a pure function of its inputs.
 */
export class Lab {
  private done = 0;
  private submitted = 0;
  private failed = 0;
  private running = 0;
  private seq = 0;
  private readonly waiting: Waiting[] = [];

  constructor(
    private readonly pool: SimPool,
    private readonly calibration: Calibration,
    private readonly seeds: readonly number[],
    private readonly signal: AbortSignal | undefined,
    private readonly onProgress: (done: number, submitted: number) => void,
    private readonly trace?: JobTrace,
  ) {}

  private readonly memo = new WeakMap<Setting, Map<number, { point: Promise<Point>; order: { rank: number } }>>();
  private missing = 0;

  /**
   * `setting` at `rate`, once per seed, summarised; asked twice (searches for several VMs of one setting meet at the
   * same rates), run once, as urgently as the most urgent asker wants it. Rejects with an AbortError when stopped.
   */
  point(setting: Setting, rate: number, urgency: Urgency = 'filler'): Promise<Point> {
    let byRate = this.memo.get(setting);
    if (byRate === undefined) this.memo.set(setting, (byRate = new Map()));
    let p = byRate.get(rate);
    if (p === undefined) {
      const order = { rank: RANK[urgency] };
      byRate.set(rate, (p = { point: this.run(setting, rate, order), order }));
    } else p.order.rank = Math.max(p.order.rank, RANK[urgency]);
    return p.point;
  }

  private async run(setting: Setting, rate: number, order: { rank: number }): Promise<Point> {
    const scenario = withRate(setting.scenario, setting.vary, rate);
    this.submitted += this.seeds.length;
    this.onProgress(this.done, this.submitted);
    const weight = weightOf(setting);
    const reports = await Promise.all(
      this.seeds.map((seed) => {
        const t = this.trace?.task(`${setting.scenario.name}/${setting.arch}/${setting.cores}@${rate}#${seed}`, order.rank === RANK.probe);
        return this.schedule(order, weight, () => {
          if (t !== undefined) t.dispatchedMs = nowMs();
          const task = { scenario, calibration: this.calibration, arch: setting.arch, cores: setting.cores, seed, durationS: setting.length.runS, warmupS: setting.length.warmupS };
          return this.pool.run(task, this.signal, t && ((span) => ((t.span = span), (t.resolvedMs = nowMs()))));
        });
      }),
    );
    return pointOf(rate, reports);
  }

  /**
   * `p`'s value, or undefined when the run was stopped (Ctrl-C, --timeout) before it came: each part of the report
   * keeps what it measured before the stop, and a stop is never an error.
   */
  async unlessStopped<T>(p: Promise<T>): Promise<T | undefined> {
    try {
      return await p;
    } catch (e) {
      if (!isAbort(e) || this.signal?.aborted !== true) throw e;
      this.missing++;
      return undefined;
    }
  }

  /** The points of `setting` at `rates`, in that order, less those a stop left unmeasured. */
  async grid(setting: Setting, rates: readonly number[], urgency: Urgency = 'filler'): Promise<Point[]> {
    const points = await Promise.all(rates.map((r) => this.unlessStopped(this.point(setting, r, urgency))));
    return points.filter((p): p is Point => p !== undefined);
  }

  /** Whether a stop left something unmeasured that the report asked for (it is then partial). */
  get partial(): boolean {
    return this.missing > 0;
  }

  get runs(): number {
    return this.done;
  }

  /** Simulations stopped by an invariant violation or a specification error. */
  get notOk(): number {
    return this.failed;
  }

  private schedule(order: { rank: number }, weight: number, task: () => Promise<SimulationReport>): Promise<SimulationReport> {
    return new Promise((resolve, reject) => {
      const start = (): void => {
        this.running++;
        task()
          .then((r) => {
            this.done++;
            if (r.outcome !== 'ok') this.failed++;
            this.onProgress(this.done, this.submitted);
            resolve(r);
          }, reject)
          .finally(() => {
            this.running--;
            this.next();
          });
      };
      this.waiting.push({ order, weight, seq: this.seq++, start });
      this.next();
    });
  }

  private next(): void {
    const before = (a: Waiting, b: Waiting): boolean =>
      a.order.rank !== b.order.rank ? a.order.rank > b.order.rank : a.weight !== b.weight ? a.weight > b.weight : a.seq < b.seq;
    while (this.running < this.pool.threads && this.waiting.length > 0) {
      let best = 0;
      for (let k = 1; k < this.waiting.length; k++) if (before(this.waiting[k]!, this.waiting[best]!)) best = k;
      this.waiting.splice(best, 1)[0]!.start();
    }
  }
}

/** The measurement window: the run less its warm-up (up to where it stopped). */
const windowOf = (r: SimulationReport): number => Math.max(1e-9, (r.stoppedAtS > 0 ? r.stoppedAtS : r.durationS) - r.warmupS);

export function pointOf(rate: number, reports: readonly SimulationReport[]): Point {
  const first = reports[0]!;
  const vms = first.vms.map((v, i): VmPoint => {
    const each = reports.map((r) => r.vms[i]!);
    return {
      id: v.id,
      attachment: v.attachment,
      offeredPerS: summarise(each.map((x, k) => x.offered / windowOf(reports[k]!))),
      throughput: summarise(each.map((x) => x.throughputPerS)),
      failed: summarise(each.map((x) => (x.offered > 0 ? (x.offered - Math.min(x.completed, x.offered)) / x.offered : null))),
      p99Ms: summarise(each.map((x) => x.latencyMs.p99)),
      meanMs: summarise(each.map((x) => x.latencyMs.mean)),
    };
  });
  const cpus = first.cpus.map((c, i): CpuPoint => {
    const each = reports.map((r) => r.cpus[i]!);
    const byRun: Record<string, Summary> = {};
    for (const name of c.runs) byRun[name] = summarise(each.map((x) => x.byRun?.[name] ?? null));
    return { id: c.id, runs: c.runs, utilisation: summarise(each.map((x) => x.utilisation)), byRun };
  });
  return { rate, seeds: reports.length, notOk: reports.filter((r) => r.outcome !== 'ok').length, vms, cpus };
}

/** Lossless for the VMs named (all by default): each one's mean failed fraction is at most 1%. */
export function lossless(p: Point, vms?: readonly string[]): boolean {
  return p.vms.every((v) => (vms !== undefined && !vms.includes(v.id)) || (v.failed.mean ?? 0) <= LOSS_LIMIT);
}

export const probed = (p: Point, vms?: readonly string[]): Probed<Point> => ({ rate: p.rate, lossless: lossless(p, vms), value: p });

/** Mean throughput per stream of the VMs named (all by default). */
export function perStream(p: Point, vms?: readonly string[]): number {
  const xs = p.vms.filter((v) => vms === undefined || vms.includes(v.id)).map((v) => v.throughput.mean ?? 0);
  return xs.length === 0 ? 0 : xs.reduce((a, x) => a + x, 0) / xs.length;
}

export const total = (p: Point): number => p.vms.reduce((a, v) => a + (v.throughput.mean ?? 0), 0);
